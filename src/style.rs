//! Every colour, stroke width and font size the atlas draws with, for the light and the dark theme.
//!
//! Sector colours follow the Okabe–Ito palette, and every sector also has its own marker shape, so
//! the map stays readable for people with colour-vision deficiencies and in greyscale print.

use serde::{Deserialize, Serialize};

use crate::data::{CorridorKind, Sector, Status};

/// An sRGB colour with unmultiplied alpha; the UI converts it to its own colour type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }

    #[must_use]
    pub const fn with_alpha(self, a: u8) -> Self {
        Self { a, ..self }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// Colours of the basemap and of the map furniture.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub sea: Color,
    pub land: Color,
    /// Kazakhstan and China, the two countries the atlas is about.
    pub land_focus: Color,
    pub country_border: Color,
    pub focus_border: Color,
    pub region_border: Color,
    pub lake: Color,
    pub river: Color,
    pub graticule: Color,
    pub graticule_label: Color,
    pub city_dot: Color,
    pub city_label: Color,
    pub site_label: Color,
    pub country_label: Color,
    /// Drawn behind labels so they read over any background.
    pub label_halo: Color,
    pub marker_outline: Color,
    pub selection: Color,
    pub hover: Color,
    pub area_tint: Color,
}

/// Colours given to the user's layers in turn: strong, unlike each other and unlike the
/// sectors' and corridors' colours, and readable on the light and the dark basemap.
pub const USER_LAYER_COLORS: [[u8; 3]; 6] = [
    [0xc0, 0x26, 0x8a],
    [0xe0, 0x6c, 0x00],
    [0x00, 0x8c, 0x8c],
    [0x6a, 0x3d, 0xc8],
    [0x9a, 0x6b, 0x00],
    [0x2e, 0x7d, 0x32],
];

/// The shade over the window while files are dragged over it, and its text.
pub const DROP_HINT_SHADE: Color = Color::rgba(0, 0, 0, 140);
pub const DROP_HINT_TEXT: Color = Color::rgb(0xff, 0xff, 0xff);
pub const DROP_HINT_TEXT_SIZE: f32 = 22.0;

/// The colour of the `n`th user layer, repeating after the last.
pub const fn user_layer_color(n: usize) -> [u8; 3] {
    USER_LAYER_COLORS[n % USER_LAYER_COLORS.len()]
}

pub const fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette {
            sea: Color::rgb(0xc9, 0xdc, 0xe8),
            land: Color::rgb(0xee, 0xec, 0xe6),
            land_focus: Color::rgb(0xfb, 0xf8, 0xef),
            country_border: Color::rgb(0x9a, 0x96, 0x8c),
            focus_border: Color::rgb(0x55, 0x52, 0x4a),
            region_border: Color::rgb(0xc4, 0xbf, 0xb2),
            lake: Color::rgb(0xb7, 0xd2, 0xe3),
            river: Color::rgb(0x8d, 0xb6, 0xd1),
            graticule: Color::rgba(0x60, 0x70, 0x80, 0x40),
            graticule_label: Color::rgb(0x5c, 0x66, 0x70),
            city_dot: Color::rgb(0x44, 0x44, 0x44),
            city_label: Color::rgb(0x3a, 0x3a, 0x3a),
            site_label: Color::rgb(0x10, 0x10, 0x10),
            country_label: Color::rgb(0x7a, 0x70, 0x60),
            label_halo: Color::rgba(0xff, 0xff, 0xff, 0xd0),
            marker_outline: Color::rgb(0x20, 0x20, 0x20),
            selection: Color::rgb(0xe0, 0x10, 0x60),
            hover: Color::rgb(0x20, 0x20, 0x20),
            area_tint: Color::rgba(0x7a, 0x4f, 0x9a, 0x26),
        },
        Theme::Dark => Palette {
            sea: Color::rgb(0x16, 0x22, 0x30),
            land: Color::rgb(0x2b, 0x2e, 0x33),
            land_focus: Color::rgb(0x3a, 0x3d, 0x42),
            country_border: Color::rgb(0x6a, 0x6e, 0x75),
            focus_border: Color::rgb(0xb0, 0xb4, 0xba),
            region_border: Color::rgb(0x4c, 0x50, 0x56),
            lake: Color::rgb(0x1e, 0x33, 0x48),
            river: Color::rgb(0x2c, 0x4f, 0x6e),
            graticule: Color::rgba(0xa0, 0xb0, 0xc0, 0x30),
            graticule_label: Color::rgb(0x9a, 0xa4, 0xae),
            city_dot: Color::rgb(0xc8, 0xc8, 0xc8),
            city_label: Color::rgb(0xd0, 0xd0, 0xd0),
            site_label: Color::rgb(0xf4, 0xf4, 0xf4),
            country_label: Color::rgb(0xa8, 0xa0, 0x90),
            label_halo: Color::rgba(0x10, 0x12, 0x16, 0xd0),
            marker_outline: Color::rgb(0x10, 0x10, 0x10),
            selection: Color::rgb(0xff, 0x4f, 0x8f),
            hover: Color::rgb(0xf0, 0xf0, 0xf0),
            area_tint: Color::rgba(0xa0, 0x7f, 0xc0, 0x40),
        },
    }
}

/// The shape of a site marker; each sector has its own, so colour is never the only cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerShape {
    Circle,
    Square,
    Diamond,
    TriangleUp,
    TriangleDown,
    Hexagon,
    Star,
    Cross,
    Pentagon,
    Ring,
    Octagon,
    TriangleRight,
}

/// Okabe–Ito colours, chosen to stay distinct under the common colour-vision deficiencies.
mod okabe_ito {
    use super::Color;
    pub const ORANGE: Color = Color::rgb(0xe6, 0x9f, 0x00);
    pub const SKY_BLUE: Color = Color::rgb(0x56, 0xb4, 0xe9);
    pub const BLUISH_GREEN: Color = Color::rgb(0x00, 0x9e, 0x73);
    pub const YELLOW: Color = Color::rgb(0xf0, 0xe4, 0x42);
    pub const BLUE: Color = Color::rgb(0x00, 0x72, 0xb2);
    pub const VERMILLION: Color = Color::rgb(0xd5, 0x5e, 0x00);
    pub const REDDISH_PURPLE: Color = Color::rgb(0xcc, 0x79, 0xa7);
    pub const BLACK: Color = Color::rgb(0x00, 0x00, 0x00);
    pub const GREY: Color = Color::rgb(0x99, 0x99, 0x99);
}

/// Oil and gas is black on the light map and near-white on the dark one; the other sectors keep
/// their Okabe–Ito colour in both themes.
pub const fn sector_color(sector: Sector, theme: Theme) -> Color {
    use okabe_ito::*;
    match sector {
        Sector::Energy => BLUISH_GREEN,
        Sector::OilGas if matches!(theme, Theme::Dark) => Color::rgb(0xe4, 0xe4, 0xe4),
        Sector::OilGas => BLACK,
        Sector::Mining => VERMILLION,
        Sector::Industry => GREY,
        Sector::Chemicals => REDDISH_PURPLE,
        Sector::Healthcare => SKY_BLUE,
        Sector::Automotive => ORANGE,
        Sector::Transport => BLUE,
        Sector::Agriculture => YELLOW,
        // Beyond the eight Okabe–Ito colours: dark gold and wine, told apart from the others
        // by their shapes as well.
        Sector::Finance => Color::rgb(0x99, 0x77, 0x00),
        Sector::Nuclear => Color::rgb(0xaa, 0x33, 0x77),
        Sector::Diplomacy => Color::rgb(0x7a, 0x4f, 0x9a),
    }
}

pub const fn sector_shape(sector: Sector) -> MarkerShape {
    match sector {
        Sector::Energy => MarkerShape::TriangleUp,
        Sector::OilGas => MarkerShape::Square,
        Sector::Mining => MarkerShape::Diamond,
        Sector::Industry => MarkerShape::Hexagon,
        Sector::Chemicals => MarkerShape::Pentagon,
        Sector::Healthcare => MarkerShape::Cross,
        Sector::Automotive => MarkerShape::TriangleDown,
        Sector::Transport => MarkerShape::Circle,
        Sector::Agriculture => MarkerShape::Ring,
        Sector::Finance => MarkerShape::Octagon,
        Sector::Nuclear => MarkerShape::TriangleRight,
        Sector::Diplomacy => MarkerShape::Star,
    }
}

/// How a corridor of one kind is stroked: kinds differ in colour, width and pattern.
#[derive(Clone, Copy, Debug)]
pub struct CorridorStyle {
    pub color: Color,
    pub width_px: f32,
    /// A wider, darker line drawn first, as road maps do for highways.
    pub casing: Option<Color>,
    /// Short cross ticks along the line, the usual railway symbol.
    pub ticks: bool,
}

pub const fn corridor_style(kind: CorridorKind, theme: Theme) -> CorridorStyle {
    let dark = matches!(theme, Theme::Dark);
    match kind {
        CorridorKind::OilPipeline => CorridorStyle {
            color: if dark {
                Color::rgb(0xe0, 0xc0, 0x80)
            } else {
                Color::rgb(0x5a, 0x3a, 0x10)
            },
            width_px: 2.6,
            casing: None,
            ticks: false,
        },
        CorridorKind::GasPipeline => CorridorStyle {
            color: okabe_ito::SKY_BLUE,
            width_px: 2.6,
            casing: Some(Color::rgb(0x10, 0x3a, 0x5a)),
            ticks: false,
        },
        CorridorKind::Highway => CorridorStyle {
            color: okabe_ito::ORANGE,
            width_px: 3.2,
            casing: Some(Color::rgb(0x6a, 0x40, 0x00)),
            ticks: false,
        },
        CorridorKind::Ferry => CorridorStyle {
            color: if dark {
                Color::rgb(0x9c, 0xd8, 0xf0)
            } else {
                Color::rgb(0x1a, 0x5e, 0x8a)
            },
            width_px: 1.8,
            casing: None,
            ticks: false,
        },
        CorridorKind::Railway => CorridorStyle {
            color: if dark {
                Color::rgb(0xe8, 0xa0, 0xd0)
            } else {
                Color::rgb(0x6a, 0x1b, 0x6a)
            },
            width_px: 2.0,
            casing: None,
            ticks: true,
        },
    }
}

pub const MARKER_SIZE_PX: f32 = 9.0;
/// A site known only to its town or region is an area, not a pin: a tint of this radius where
/// the source gives none, with a smaller marker at the town or regional centre.
pub const TOWN_AREA_KM: f64 = 10.0;
pub const REGION_AREA_KM: f64 = 60.0;
/// The least radius of such an area on screen, so that it reads as an area at any scale.
pub const AREA_MIN_PX: f32 = 9.0;
/// The marker of a town- or region-level site, as a share of a site's.
pub const AREA_MARKER_SCALE: f32 = 0.7;
pub const MARKER_OUTLINE_PX: f32 = 1.2;
pub const CITY_DOT_PX: f32 = 2.6;
pub const CAPITAL_DOT_PX: f32 = 3.6;
pub const SITE_LABEL_PX: f32 = 12.5;
pub const CITY_LABEL_PX: f32 = 11.0;
pub const COUNTRY_LABEL_PX: f32 = 13.0;
pub const GRATICULE_LABEL_PX: f32 = 10.0;
pub const COUNTRY_BORDER_PX: f32 = 0.9;
pub const FOCUS_BORDER_PX: f32 = 1.6;
pub const REGION_BORDER_PX: f32 = 0.6;
pub const RIVER_PX: f32 = 0.9;
pub const GRATICULE_PX: f32 = 0.6;
pub const SELECTION_RING_PX: f32 = 2.5;
/// Dash and gap lengths for corridors traced only approximately, and dots for schematic ones.
pub const APPROXIMATE_DASH_PX: (f32, f32) = (9.0, 5.0);
pub const SCHEMATIC_DASH_PX: (f32, f32) = (2.5, 4.0);

/// How opaque a marker's fill is for its status on the map's date: solid once built, half
/// while being built, faint while only announced or planned, hollow while unknown. The outline
/// stays, so the shape and sector still read.
pub const fn status_fill_alpha(status: Option<Status>) -> u8 {
    match status {
        Some(Status::Announced | Status::Planned) => 0x40,
        Some(Status::UnderConstruction) => 0xa0,
        // Hollow: no source says what it was then (an undated item at a past map date) or is now.
        Some(Status::Unknown) => 0x00,
        _ => 0xff,
    }
}
