//! Geometry in space: the map projection, geodesic measures, the spatial index and clipping.
//! No egui here.

pub mod clip;
pub mod index;
pub mod measure;
pub mod projection;
pub mod sanity;

pub use index::PickIndex;
pub use projection::Projection;
