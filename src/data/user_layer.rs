//! Layers of the user's own points and lines, drawn over the atlas's data.

use serde_json::{Map, Value};

/// A named set of points and lines in lon/lat degrees, with the properties of the features
/// they came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserLayer {
    pub name: String,
    /// The file it was read from: the key of its style and switch, and what is reloaded on
    /// the next start. Empty for a layer made in code.
    pub path: String,
    pub points: Vec<[f64; 2]>,
    pub lines: Vec<Vec<[f64; 2]>>,
    /// The properties of each feature (for a CSV file, the columns other than lon and lat).
    pub features: Vec<Map<String, Value>>,
    /// For each point, its feature in `features`; empty for a layer made in code.
    pub point_feature: Vec<usize>,
    /// For each line, its feature in `features`; empty for a layer made in code.
    pub line_feature: Vec<usize>,
    /// Features with a null geometry: kept with their properties, not drawn.
    pub unplaced_features: usize,
}

impl UserLayer {
    /// "12 points, 3 lines" for the legend and notices.
    pub fn summary(&self) -> String {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut summary = format!(
            "{}, {}",
            count(self.points.len(), "point", "points"),
            count(self.lines.len(), "line", "lines")
        );
        let unplaced = self.unplaced_features;
        if unplaced > 0 {
            summary += &format!(
                ", {}",
                count(
                    unplaced,
                    "feature without geometry",
                    "features without geometry"
                )
            );
        }
        summary
    }

    /// The properties of the feature a point came from.
    pub fn point_properties(&self, point: usize) -> Option<&Map<String, Value>> {
        self.features.get(*self.point_feature.get(point)?)
    }

    /// The properties of the feature a line came from.
    pub fn line_properties(&self, line: usize) -> Option<&Map<String, Value>> {
        self.features.get(*self.line_feature.get(line)?)
    }
}
