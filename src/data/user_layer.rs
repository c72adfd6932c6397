//! Layers of the user's own points and lines, drawn over the atlas's data.

/// A named set of points and lines in lon/lat degrees.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserLayer {
    pub name: String,
    pub points: Vec<[f64; 2]>,
    pub lines: Vec<Vec<[f64; 2]>>,
}
