//! Data + view + style + layers → styled primitives in map-plane coordinates, culled to the view
//! and simplified for its scale, with labels placed. Both the live map and exports paint this.
//! No egui here.

mod build;
pub mod dense;
pub mod labels;
pub mod layers;
pub mod model;
pub mod symbols;

use std::sync::Arc;

pub use build::build_scene;
pub use dense::{Dots, PixelWindow, Polylines, UserLayerMarks};
pub use layers::{BasemapLayer, Layers};
pub use model::{MapModel, Path, ProjectedShape, RingTriangles};

use crate::style::{Color, MarkerShape, Theme};

/// The part of the map plane on screen and its size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Lower-left corner in map km.
    pub min: [f64; 2],
    /// Upper-right corner in map km.
    pub max: [f64; 2],
    pub size_px: [f32; 2],
}

/// Whether two scales (km per pixel) are the same one: a view moved by panning computes its
/// scale from new corners, a rounding error away from before.
pub fn same_scale(km_per_px: f64, other: f64) -> bool {
    (km_per_px - other).abs() <= km_per_px * 1e-9
}

impl View {
    pub fn km_per_px(&self) -> f64 {
        (self.max[0] - self.min[0]) / f64::from(self.size_px[0].max(1.0))
    }

    /// Map km → pixels from the view's top-left corner (y down, as on screen).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "pixel positions fit in f32"
    )]
    pub fn to_px(&self, p: [f64; 2]) -> [f32; 2] {
        let k = self.km_per_px();
        [
            ((p[0] - self.min[0]) / k) as f32,
            ((self.max[1] - p[1]) / k) as f32,
        ]
    }

    pub fn intersects(&self, bbox: [f64; 4]) -> bool {
        bbox[0] <= self.max[0]
            && bbox[2] >= self.min[0]
            && bbox[1] <= self.max[1]
            && bbox[3] >= self.min[1]
    }

    /// The view grown by a margin in pixels, so that markers and strokes at the edge are kept.
    pub fn grown(&self, margin_px: f32) -> Self {
        let m = f64::from(margin_px) * self.km_per_px();
        Self {
            min: [self.min[0] - m, self.min[1] - m],
            max: [self.max[0] + m, self.max[1] + m],
            size_px: self.size_px,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LinePattern {
    Solid,
    Dashed { dash_px: f32, gap_px: f32 },
}

#[derive(Clone, Debug)]
pub struct Fill {
    /// The area at the detail of this view: rings for path painters (SVG, even-odd rule) and
    /// triangles for mesh painters (egui).
    pub area: Arc<model::AreaLevel>,
    pub color: Color,
}

#[derive(Clone, Debug)]
pub struct Stroke {
    pub path: Path,
    pub width_px: f32,
    pub color: Color,
    pub pattern: LinePattern,
    /// Railway ticks across the line every so many pixels.
    pub ticks: bool,
    /// The path is at source detail, and a painter may simplify it on screen within
    /// [`Scene::stroke_tolerance_px`]. Outlines taken from a level of detail are not: they are
    /// already as coarse as a pixel allows.
    pub simplify: bool,
}

/// A circle whose radius is in ground km (a precision halo) or in pixels (a dot).
#[derive(Clone, Copy, Debug)]
pub enum Radius {
    Px(f32),
    Km(f64),
}

#[derive(Clone, Copy, Debug)]
pub struct Disc {
    pub center: [f64; 2],
    pub radius: Radius,
    pub fill: Color,
    pub outline: Option<(f32, Color)>,
}

#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub item: usize,
    pub center: [f64; 2],
    pub shape: MarkerShape,
    pub size_px: f32,
    pub fill: Color,
    pub outline: Color,
    pub outline_px: f32,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub text: String,
    /// Top-left corner in pixels from the view's top-left corner.
    pub top_left_px: [f32; 2],
    pub size_px: f32,
    pub color: Color,
    pub halo: Color,
}

#[derive(Clone, Debug)]
pub enum Primitive {
    Fill(Fill),
    Stroke(Stroke),
    Disc(Disc),
    Marker(Marker),
    Label(Label),
    /// A user layer, drawn as dots and thin lines, as many as the pixels can show.
    UserLayer(UserLayerMarks),
}

/// Everything to paint for one view, in paint order.
#[derive(Clone, Debug)]
pub struct Scene {
    pub view: View,
    pub background: Color,
    pub primitives: Vec<Primitive>,
    /// Each group and its range in `primitives`, in paint order.
    pub groups: Vec<(Group, std::ops::Range<usize>)>,
    /// Items drawn in this view (markers, corridors, region tints), sorted.
    pub visible_items: Vec<usize>,
    /// How far, in pixels, a painter may simplify a stroke's on-screen path; 0 at full detail.
    pub stroke_tolerance_px: f32,
    /// Drawn the naive way (see [`SceneOptions::full_detail`]): painters leave every line to
    /// egui's own tessellator too.
    pub full_detail: bool,
}

/// Strokes are simplified on screen within this many pixels: corridors are densified every
/// 20 km to follow the projection, and rivers are drawn from their source points, so at a wide
/// view many of their points are a pixel or less apart. Each point costs triangles in every
/// frame, and a software renderer keeps about 300 bytes for each triangle it drew last.
pub const STROKE_TOLERANCE_PX: f32 = 0.25;

impl Scene {
    pub fn markers(&self) -> impl Iterator<Item = &Marker> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::Marker(m) => Some(m),
            _ => None,
        })
    }

    /// The user layers drawn in this scene, in paint order.
    pub fn user_layers(&self) -> impl Iterator<Item = &UserLayerMarks> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::UserLayer(l) => Some(l),
            _ => None,
        })
    }

    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::Label(l) => Some(l),
            _ => None,
        })
    }
}

pub struct SceneOptions<'a> {
    pub theme: Theme,
    pub layers: &'a Layers,
    pub selected: Option<usize>,
    pub hovered: Option<usize>,
    /// Items to pick out, such as everything one partner takes part in.
    pub highlighted: &'a [usize],
    /// Screen areas (pixels from the view's top-left) that labels must keep clear, such as a
    /// slide's legend box.
    pub reserved_px: &'a [labels::ScreenBox],
    /// Draw every area at its finest detail and the 1:10m countries at every scale: the naive
    /// way, kept as the baseline the benchmarks compare against.
    pub full_detail: bool,
}

/// The layers of a scene, in paint order; exports group their output by these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Land,
    Lakes,
    RegionAreas,
    RegionBorders,
    Rivers,
    CountryBorders,
    Graticule,
    Corridors,
    // The tinted areas of sites known only to their town or region lie under the user's own
    // layers, which would otherwise be veiled wherever such an area reaches.
    PrecisionHalos,
    UserLayers,
    Cities,
    Markers,
    Labels,
}

impl Group {
    /// Every group, in paint order.
    pub const ALL: [Self; 13] = [
        Self::Land,
        Self::Lakes,
        Self::RegionAreas,
        Self::RegionBorders,
        Self::Rivers,
        Self::CountryBorders,
        Self::Graticule,
        Self::Corridors,
        Self::PrecisionHalos,
        Self::UserLayers,
        Self::Cities,
        Self::Markers,
        Self::Labels,
    ];

    /// The group's name in exports: an SVG slide's `<g id>`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Land => "land",
            Self::Lakes => "lakes",
            Self::RegionAreas => "region-areas",
            Self::RegionBorders => "region-borders",
            Self::Rivers => "rivers",
            Self::CountryBorders => "country-borders",
            Self::Graticule => "graticule",
            Self::Corridors => "corridors",
            Self::PrecisionHalos => "precision-halos",
            Self::UserLayers => "user-layers",
            Self::Cities => "cities",
            Self::Markers => "markers",
            Self::Labels => "labels",
        }
    }

    /// The group's place in [`Group::ALL`].
    const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The name as the map shows it: without the parenthesised detail that the details panel gives
/// in full, so labels stay short enough to place.
pub fn map_label(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups' names are those exports have always used, and each group's place in paint
    /// order is its index.
    #[test]
    fn groups_keep_their_names_in_paint_order() {
        let ids: Vec<&str> = Group::ALL.iter().map(|g| g.id()).collect();
        assert_eq!(
            ids,
            [
                "land",
                "lakes",
                "region-areas",
                "region-borders",
                "rivers",
                "country-borders",
                "graticule",
                "corridors",
                "precision-halos",
                "user-layers",
                "cities",
                "markers",
                "labels",
            ]
        );
        for (i, group) in Group::ALL.into_iter().enumerate() {
            assert_eq!(group.index(), i);
            assert_eq!(group.to_string(), group.id());
        }
    }

    #[test]
    fn the_view_maps_its_corners_to_the_pixel_corners() {
        let view = View {
            min: [0.0, 0.0],
            max: [100.0, 50.0],
            size_px: [200.0, 100.0],
        };
        assert!((view.km_per_px() - 0.5).abs() < 1e-12);
        assert_eq!(view.to_px([0.0, 50.0]), [0.0, 0.0]);
        assert_eq!(view.to_px([100.0, 0.0]), [200.0, 100.0]);
    }
}
