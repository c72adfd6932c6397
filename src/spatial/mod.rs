//! Geometry in space: the map projection, geodesic measures and the spatial index. No egui here.

pub mod index;
pub mod measure;
pub mod projection;

pub use index::PickIndex;
pub use projection::Projection;
