//! Backends that turn scenes into files: slides as SVG (vector, text as text, grouped by layer)
//! and PNG (the same SVG rasterised on the CPU), written atomically.

pub mod deck;
pub mod items;
pub mod raster;
pub mod slide;

use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use deck::{Annotation, Deck, DeckError, Slide, SlideView};
pub use raster::{encode_rgba_png, svg_to_png};
pub use slide::{RenderedSlide, render_slide};

use crate::data::Atlas;
use crate::scene::MapModel;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Png,
    Svg,
    Both,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Deck(#[from] DeckError),
    #[error("no slide named \"{name}\" in the deck (slides: {available})")]
    UnknownSlide { name: String, available: String },
    #[error("bad size \"{0}\": give WIDTHxHEIGHT, each 1 to 16384 pixels, e.g. 1920x1080")]
    BadSize(String),
    #[error("bad scale {0}: give a number from 0.25 to 8")]
    BadScale(f32),
    #[error("{path}: cannot write: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot rasterise the slide: {0}")]
    Raster(String),
    #[error("cannot export: {0}")]
    Unsupported(String),
}

/// Parses "1920x1080".
pub fn parse_size(text: &str) -> Result<[u32; 2], ExportError> {
    let bad = || ExportError::BadSize(text.to_owned());
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if w == 0 || h == 0 || w > 16384 || h > 16384 {
        return Err(bad());
    }
    Ok([w, h])
}

pub fn check_scale(scale: f32) -> Result<f32, ExportError> {
    if scale.is_finite() && (0.25..=8.0).contains(&scale) {
        Ok(scale)
    } else {
        Err(ExportError::BadScale(scale))
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so a failed or
/// interrupted write never leaves a half-written file and never destroys the previous one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let error = |source| ExportError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(error)
}

/// What to export and how.
pub struct ExportRequest<'a> {
    pub deck: &'a Deck,
    pub out_dir: &'a Path,
    pub format: Format,
    /// Overrides each slide's own size.
    pub size: Option<[u32; 2]>,
    pub scale: f32,
    /// Only this slide.
    pub slide: Option<&'a str>,
}

/// Renders the requested slides and writes them; calls `written` after each file.
pub fn export_deck(
    atlas: &Atlas,
    model: &MapModel,
    request: &ExportRequest<'_>,
    mut written: impl FnMut(&Path),
) -> Result<Vec<PathBuf>, ExportError> {
    let scale = check_scale(request.scale)?;
    let slides: Vec<&Slide> = match request.slide {
        Some(name) => vec![request.deck.slide(name).ok_or_else(|| {
            ExportError::UnknownSlide {
                name: name.to_owned(),
                available: request
                    .deck
                    .slides
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?],
        None => request.deck.slides.iter().collect(),
    };
    std::fs::create_dir_all(request.out_dir).map_err(|source| ExportError::Write {
        path: request.out_dir.display().to_string(),
        source,
    })?;
    let mut paths = Vec::new();
    for (index, slide) in slides.iter().enumerate() {
        let size = request.size.unwrap_or(slide.size);
        let started = std::time::Instant::now();
        let rendered = render_slide(atlas, model, slide, size, scale);
        log::info!(
            "slide {} laid out in {:?} ({} bytes of SVG)",
            slide.name,
            started.elapsed(),
            rendered.svg.len()
        );
        let stem = format!("{:02}-{}", index + 1, slide.name);
        if matches!(request.format, Format::Svg | Format::Both) {
            let path = request.out_dir.join(format!("{stem}.svg"));
            write_atomic(&path, rendered.svg.as_bytes())?;
            written(&path);
            paths.push(path);
        }
        if matches!(request.format, Format::Png | Format::Both) {
            let path = request.out_dir.join(format!("{stem}.png"));
            write_atomic(&path, &svg_to_png(&rendered.svg, size)?)?;
            written(&path);
            paths.push(path);
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_ones_are_refused() {
        assert_eq!(parse_size("1920x1080").ok(), Some([1920, 1080]));
        assert_eq!(parse_size("3840X2160").ok(), Some([3840, 2160]));
        for bad in ["", "1920", "0x100", "axb", "20000x10", "-5x5"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert!(
            check_scale(0.0).is_err() && check_scale(f32::NAN).is_err() && check_scale(2.0).is_ok()
        );
    }

    #[test]
    fn a_failed_write_leaves_the_previous_file_intact() {
        let dir = std::env::temp_dir().join(format!("sinokaz-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join("slide.svg");
        assert!(write_atomic(&path, b"first").is_ok());
        // Writing into a directory that does not exist fails before touching anything.
        assert!(write_atomic(&dir.join("missing").join("slide.svg"), b"second").is_err());
        // A target that is a directory can't be replaced: the rename fails, the temp file goes.
        std::fs::create_dir_all(dir.join("taken.svg")).ok();
        assert!(write_atomic(&dir.join("taken.svg"), b"x").is_err());
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"first"[..]));
        let leftovers = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).ok();
    }
}
