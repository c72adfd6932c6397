//! The article's figures as claims (who counted what, for which scope and date) and its dated
//! events, for the figures and timeline panels.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::{LoadError, Problem, deserialize_json};
use super::model::Source;

/// One value as one source states it. Claims with the same `topic` are alternatives that
/// the atlas shows side by side, never averaged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub id: String,
    pub topic: String,
    pub label: String,
    /// `None` where the source names the party but gives no number (the article's quote on
    /// petroleum production lists China without a share); shown as "not stated".
    pub value: Option<f64>,
    pub unit: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub counted_by: String,
    pub source: Source,
    /// Other sources stating the same value for the same scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_reported_by: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_says: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    /// ISO date, "YYYY", "YYYY-MM" or "YYYY-MM-DD".
    pub date: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub place: Option<String>,
    /// Ids of the items the event concerns.
    #[serde(default)]
    pub concerns: Vec<String>,
    pub sources: Vec<Source>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FigureBook {
    pub claims: Vec<Claim>,
    pub events: Vec<Event>,
}

impl FigureBook {
    /// The claims of one topic, in file order.
    pub fn topic<'a>(&'a self, topic: &'a str) -> impl Iterator<Item = &'a Claim> + 'a {
        self.claims.iter().filter(move |c| c.topic == topic)
    }
}

pub fn parse_figures(file: &str, text: &str) -> Result<FigureBook, LoadError> {
    let book: FigureBook = deserialize_json(file, text)?;
    let mut problems = Vec::new();
    for (i, claim) in book.claims.iter().enumerate() {
        if !claim.source.url.starts_with("http") {
            problems.push(Problem {
                line_column: None,
                feature_index: None,
                id: Some(claim.id.clone()),
                field: format!("claims[{i}].source.url"),
                message: "must be an http or https URL".into(),
            });
        }
    }
    for (i, event) in book.events.iter().enumerate() {
        if event.sources.is_empty() {
            problems.push(Problem {
                line_column: None,
                feature_index: None,
                id: Some(event.id.clone()),
                field: format!("events[{i}].sources"),
                message: "every event needs at least one source".into(),
            });
        }
    }
    if problems.is_empty() {
        Ok(book)
    } else {
        Err(LoadError::Invalid {
            file: file.to_owned(),
            problems,
        })
    }
}
