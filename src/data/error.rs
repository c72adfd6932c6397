//! Typed load errors that name the file, the place in it (line and column, or feature index) and
//! the field, so a person can fix their data without reading code.

use std::fmt;

/// One thing wrong with one feature of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Index of the feature in the `features` array, when the problem belongs to one.
    pub feature_index: Option<usize>,
    /// Line and column (both from 1) where the format keeps them: for a CSV file the column is
    /// the field's number, as a spreadsheet shows it.
    pub line_column: Option<[usize; 2]>,
    /// The feature's `id`, when it has a readable one.
    pub id: Option<String>,
    /// The JSON path of the offending field, e.g. `properties.sources[0].url`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some([line, column]) = self.line_column {
            write!(f, "line {line}, column {column}, ")?;
        }
        if let Some(index) = self.feature_index {
            write!(f, "feature {index}")?;
            if let Some(id) = &self.id {
                write!(f, " (id \"{id}\")")?;
            }
            write!(f, ", ")?;
        }
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: the file is {size_bytes} bytes, over the limit of {limit_bytes} bytes")]
    TooLarge {
        file: String,
        size_bytes: u64,
        limit_bytes: u64,
    },
    #[error(
        "{file}:{line}:{column}: not UTF-8 text (first bad byte at offset {offset}){}",
        if *utf16 { "; it looks like UTF-16: save it as UTF-8" } else { "" }
    )]
    NotUtf8 {
        file: String,
        offset: usize,
        line: usize,
        column: usize,
        /// The text starts with a UTF-16 byte-order mark.
        utf16: bool,
    },
    #[error(
        "{file}:{line}:{column}: nested deeper than {limit_levels} levels of arrays and objects"
    )]
    TooDeep {
        file: String,
        line: usize,
        column: usize,
        limit_levels: usize,
    },
    #[error("{file}: cannot open {kind} (use .geojson, .json or .csv)")]
    UnsupportedFormat {
        file: String,
        /// "a .kml file", "a folder", "a file without an extension".
        kind: String,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {} problem(s):\n{}", problems.len(), list(problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Deserialises a whole JSON document, naming the field path of any type error.
pub fn deserialize_json<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, LoadError> {
    // Tracking the path costs time on every value, and loading is most of the start-up, so
    // the path is found by a second pass only when the first one fails.
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            LoadError::syntax(file, text, &inner)
        } else {
            LoadError::Invalid {
                file: file.to_owned(),
                problems: vec![Problem {
                    feature_index: None,
                    line_column: None,
                    id: None,
                    field,
                    message: inner.to_string(),
                }],
            }
        }
    })?;
    // The first pass failed on something after the document, such as a second one.
    deserializer
        .end()
        .map_err(|e| LoadError::syntax(file, text, &e))?;
    Ok(value)
}

impl LoadError {
    /// A JSON syntax error in `text`, placed by line and column in characters as an editor
    /// counts them (serde_json counts the column in bytes, which Cyrillic or Chinese names
    /// would throw off).
    pub fn syntax(file: &str, text: &str, error: &serde_json::Error) -> Self {
        // serde_json's own text ends in " at line L column C", which the error already says.
        let said = error.to_string();
        let said = said.split(" at line ").next().unwrap_or(&said).to_owned();
        let message = if error.is_eof() {
            format!("not valid JSON: the file ends too early, it may be truncated ({said})")
        } else if said == "expected value" || said == "expected ident" {
            // What serde_json says of NaN, Infinity, a bare word or a CSV line.
            "not valid JSON: expected a value here (a number, a string in double quotes, \
             true, false, null, an array or an object; NaN and Infinity are not JSON)"
                .to_owned()
        } else {
            format!("not valid JSON: {said}")
        };
        Self::Syntax {
            file: file.to_owned(),
            line: error.line(),
            column: character_column(text, error.line(), error.column()),
            message,
        }
    }

    /// A text that is not UTF-8, placed by line and column as an editor would show it.
    pub fn not_utf8(file: &str, bytes: &[u8], offset: usize) -> Self {
        let [line, column] = line_column_of(bytes, offset);
        Self::NotUtf8 {
            file: file.to_owned(),
            offset,
            line,
            column,
            utf16: bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]),
        }
    }

    /// The problems listed by this error, for a list that names each on its own line.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// The column in characters (from 1) of the byte column `byte_column` of line `line` (both
/// from 1, as serde_json gives them; it says column 0 for the end of a line).
fn character_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return byte_column.max(1);
    };
    let mut end = byte_column.min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    line_text[..end].chars().count().max(1)
}

/// Line and column (both from 1, the column in characters) of byte `offset` of `bytes`.
pub fn line_column_of(bytes: &[u8], offset: usize) -> [usize; 2] {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    [line, column]
}
