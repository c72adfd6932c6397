//! Slide decks: a JSON file listing slides, each with its view, layers, selection, text
//! annotations, size and theme. The format is documented in the README ("Slide decks").

use serde::{Deserialize, Serialize};

use crate::scene::Layers;
use crate::style::Theme;

/// Where a slide looks: a lon/lat box, or a centre and a scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideView {
    /// [west, south, east, north] in degrees; the slide shows at least this box.
    LonLatBounds([f64; 4]),
    /// The centre in degrees and the scale in map kilometres per slide pixel (at scale 1).
    Center { lon_lat: [f64; 2], km_per_px: f64 },
}

/// A line of text placed on the map at a lon/lat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    pub lon_lat: [f64; 2],
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slide {
    /// Short, unique, used in file names and by `--slide`.
    pub name: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    pub view: SlideView,
    #[serde(default)]
    pub layers: Layers,
    /// The id of the item to highlight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
    /// Pixel size [width, height] when the command line gives none.
    #[serde(default = "default_size")]
    pub size: [u32; 2],
    #[serde(default)]
    pub theme: Theme,
}

pub const fn default_size() -> [u32; 2] {
    [1920, 1080]
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deck {
    pub title: String,
    pub slides: Vec<Slide>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeckError {
    #[error("{file}: cannot read the deck: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Deck {
    pub fn parse(file: &str, text: &str) -> Result<Self, DeckError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let deck: Self = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            DeckError::Parse {
                file: file.to_owned(),
                line: inner.line(),
                column: inner.column(),
                message: format!("field `{path}`: {inner}"),
            }
        })?;
        let invalid = |message: String| DeckError::Invalid {
            file: file.to_owned(),
            message,
        };
        let mut names = std::collections::HashSet::new();
        for (i, slide) in deck.slides.iter().enumerate() {
            if slide.name.is_empty()
                || !slide
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(format!(
                    "slides[{i}].name: use letters, digits, '-' or '_' (it names the output file)"
                )));
            }
            if !names.insert(slide.name.as_str()) {
                return Err(invalid(format!(
                    "slides[{i}].name: \"{}\" is used twice",
                    slide.name
                )));
            }
            if slide.size[0] == 0
                || slide.size[1] == 0
                || slide.size[0] > 16384
                || slide.size[1] > 16384
            {
                return Err(invalid(format!(
                    "slides[{i}].size: each side must be 1 to 16384 pixels"
                )));
            }
            let valid_view = match slide.view {
                SlideView::LonLatBounds([w, s, e, n]) => {
                    [w, s, e, n].iter().all(|v| v.is_finite())
                        && w < e
                        && s < n
                        && (-180.0..=180.0).contains(&w)
                        && (-180.0..=180.0).contains(&e)
                        && (-85.0..=85.0).contains(&s)
                        && (-85.0..=85.0).contains(&n)
                }
                SlideView::Center {
                    lon_lat: [lon, lat],
                    km_per_px,
                } => {
                    (-180.0..=180.0).contains(&lon)
                        && (-85.0..=85.0).contains(&lat)
                        && km_per_px.is_finite()
                        && km_per_px > 0.0
                }
            };
            if !valid_view {
                return Err(invalid(format!(
                    "slides[{i}].view: a lon/lat box needs west < east and south < north within ±180/±85; a centre needs a positive km_per_px"
                )));
            }
        }
        Ok(deck)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, DeckError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DeckError::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    pub fn to_json(&self) -> String {
        // A deck holds only strings, numbers and enums: serialising it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn slide(&self, name: &str) -> Option<&Slide> {
        self.slides.iter().find(|s| s.name == name)
    }
}

/// The deck shipped with the atlas, telling the article's story.
pub const DEFAULT_DECK_FILE: &str = "assets/decks/default.json";
pub const DEFAULT_DECK: &str = include_str!("../assets/decks/default.json");
