//! A slide as one backend-free picture: where everything sits, the map's `Scene`, the legend
//! rows, the placed annotations, the scale bar, the locator inset, the title and the footer,
//! all as marks in the slide's logical pixels.
//!
//! The SVG/PNG writer (`export::slide`) and presentation mode (`ui::slide_painter`) both draw a
//! `SlideScene` mark by mark and compute no layout of their own, so an exported slide and the
//! slide on the screen cannot disagree (`tests/ui.rs` draws one slide both ways and compares
//! them block by block).

use std::collections::{BTreeMap, BTreeSet};

use crate::data::{Atlas, CorridorKind, ItemKind, PrecisionClass, Sector, SourceKind};
use crate::deck::{Slide, SlideView};
use crate::fonts::text_width_px;
use crate::format::format_number;
use crate::scene::labels::{ScreenBox, label_size_px};
use crate::scene::symbols::railway_ticks;
use crate::scene::{self, MapModel, Scene, SceneOptions, View};
use crate::style::{self, Color, MarkerShape, Theme};

/// Credits for the bundled basemap, shown on every slide.
pub const BASEMAP_CREDIT: &str = "Basemap: Natural Earth (public domain); cities: GeoNames (CC BY 4.0); regions predate Kazakhstan's 2022 reform";

const MARGIN: f32 = 24.0;
const TITLE_BAND: f32 = 78.0;
const FOOTER_BAND: f32 = 58.0;
const LEGEND_ROW: f32 = 19.0;
/// The right-hand column holds the inset and the legend, so neither hides any of the map.
const COLUMN_WIDTH: f32 = 270.0;
const COLUMN_GAP: f32 = 16.0;
const INSET_SIZE: [f32; 2] = [COLUMN_WIDTH, 165.0];

/// The height of annotation text on a slide.
pub const ANNOTATION_FONT_PX: f32 = 14.0;
/// The gap between an annotation's dot and its text, in pixels.
pub const ANNOTATION_GAP_PX: f32 = 8.0;

/// Slide colours beyond the map palette.
#[derive(Clone, Copy, Debug)]
pub struct SlideColors {
    pub page: Color,
    pub text: Color,
    pub weak_text: Color,
    pub panel: Color,
    pub panel_border: Color,
    pub inset_view: Color,
}

pub const fn slide_colors(theme: Theme) -> SlideColors {
    match theme {
        Theme::Light => SlideColors {
            page: Color::rgb(0xff, 0xff, 0xff),
            text: Color::rgb(0x14, 0x18, 0x1e),
            weak_text: Color::rgb(0x5a, 0x60, 0x68),
            panel: Color::rgba(0xff, 0xff, 0xff, 0xe6),
            panel_border: Color::rgb(0xb0, 0xb4, 0xba),
            inset_view: Color::rgb(0xd5, 0x1f, 0x4a),
        },
        Theme::Dark => SlideColors {
            page: Color::rgb(0x12, 0x15, 0x1a),
            text: Color::rgb(0xf0, 0xf2, 0xf4),
            weak_text: Color::rgb(0xa0, 0xa8, 0xb0),
            panel: Color::rgba(0x1c, 0x20, 0x26, 0xe6),
            panel_border: Color::rgb(0x50, 0x56, 0x5e),
            inset_view: Color::rgb(0xff, 0x5a, 0x80),
        },
    }
}

/// Where everything sits on a slide, in logical pixels (the output size divided by the scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub size: [f32; 2],
    pub map_origin: [f32; 2],
    pub map_size: [f32; 2],
    /// Top-left of the right-hand column (inset, then legend).
    pub column_origin: [f32; 2],
}

impl Layout {
    pub fn new(size_px: [u32; 2], scale: f32) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "slide sizes are at most 16384")]
        Self::of_size([size_px[0] as f32 / scale, size_px[1] as f32 / scale])
    }

    /// The layout of a slide `size` logical pixels large (a screen's points, in presentation).
    pub fn of_size(size: [f32; 2]) -> Self {
        let map_origin = [MARGIN, TITLE_BAND];
        let map_size = [
            (size[0] - 2.0 * MARGIN - COLUMN_WIDTH - COLUMN_GAP).max(10.0),
            (size[1] - TITLE_BAND - FOOTER_BAND).max(10.0),
        ];
        let column_origin = [map_origin[0] + map_size[0] + COLUMN_GAP, TITLE_BAND];
        Self {
            size,
            map_origin,
            map_size,
            column_origin,
        }
    }

    /// The map frame on the slide.
    pub fn map_frame(&self) -> ScreenBox {
        ScreenBox {
            min: self.map_origin,
            max: [
                self.map_origin[0] + self.map_size[0],
                self.map_origin[1] + self.map_size[1],
            ],
        }
    }
}

/// The map view of a slide fitted to the map frame, keeping the requested box entirely visible.
pub fn slide_view(model: &MapModel, view: &SlideView, map_size: [f32; 2]) -> View {
    let (center, km_per_px) = match *view {
        SlideView::LonLatBounds([w, s, e, n]) => {
            let b = model.bbox_of_lon_lat(w, s, e, n);
            let k = ((b[2] - b[0]) / f64::from(map_size[0]))
                .max((b[3] - b[1]) / f64::from(map_size[1]));
            ([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0], k)
        }
        SlideView::Center {
            lon_lat: [lon, lat],
            km_per_px,
        } => (model.projection.project(lon, lat), km_per_px),
    };
    let half = [
        f64::from(map_size[0]) * km_per_px / 2.0,
        f64::from(map_size[1]) * km_per_px / 2.0,
    ];
    View {
        min: [center[0] - half[0], center[1] - half[1]],
        max: [center[0] + half[0], center[1] + half[1]],
        size_px: map_size,
    }
}

/// Which end of a line of text its `x` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextAlign {
    Start,
    End,
}

/// A line of slide text. `top` is the top of its line box; the baseline sits
/// `BASELINE` of the size below it in every backend.
#[derive(Clone, Debug, PartialEq)]
pub struct TextMark {
    pub text: String,
    pub x: f32,
    pub top: f32,
    pub align: TextAlign,
    pub size_px: f32,
    pub color: Color,
    /// A halo of this colour around the glyphs, 1.5 pixels wide.
    pub halo: Option<Color>,
    /// Bold where the backend's fonts have a bold face (a browser showing the SVG); the bundled
    /// faces have none, so PNG and presentation set it regular.
    pub bold: bool,
}

/// The baseline of the bundled faces below the top of a line, as a multiple of the size.
pub const BASELINE: f32 = 0.93;

/// A stroke: width in pixels and colour.
pub type Outline = (f32, Color);

/// One thing drawn on a slide, in the slide's logical pixels.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Rect {
        min: [f32; 2],
        max: [f32; 2],
        corner_px: f32,
        fill: Option<Color>,
        outline: Option<Outline>,
    },
    Circle {
        center: [f32; 2],
        radius: f32,
        fill: Option<Color>,
        outline: Option<Outline>,
    },
    /// An open line, solid or dashed (`dash`, `gap` in pixels).
    Line {
        points: Vec<[f32; 2]>,
        width_px: f32,
        color: Color,
        dash: Option<(f32, f32)>,
    },
    /// Rings filled together by the even-odd rule, with an optional outline.
    Area {
        rings: Vec<Vec<[f32; 2]>>,
        fill: Color,
        outline: Option<Outline>,
    },
    /// A map marker symbol, as `scene::symbols` shapes it.
    Symbol {
        shape: MarkerShape,
        center: [f32; 2],
        size_px: f32,
        fill: Color,
        outline: Outline,
    },
    Text(TextMark),
}

/// A named group of marks: backends keep the name (SVG groups by it).
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub id: &'static str,
    pub marks: Vec<Mark>,
}

/// A legend row: a symbol and its text.
#[derive(Clone, Debug, PartialEq)]
pub enum LegendSymbol {
    Sector(Sector),
    Corridor(CorridorKind),
    Halo,
    Dashed,
    Dotted,
    Area,
    /// One of the user's own layers, in its colour.
    UserLayer(Color),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendRow {
    pub symbol: LegendSymbol,
    pub text: String,
}

/// Where an annotation's text goes beside its dot, and the box both take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnnotationPlacement {
    /// The text ends left of the dot instead of starting right of it: near the map's right
    /// edge, text to the right would run off the map, under the legend.
    pub text_left: bool,
    pub bounds: ScreenBox,
}

/// An annotation as the slide shows it, in pixels of the map frame.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedAnnotation {
    pub at: [f32; 2],
    pub text: String,
    pub placement: AnnotationPlacement,
}

/// Everything a slide shows, placed.
#[derive(Clone, Debug)]
pub struct SlideScene {
    pub title: String,
    pub theme: Theme,
    pub layout: Layout,
    pub colors: SlideColors,
    /// The map, in pixels of the map frame (`layout.map_origin` on the slide).
    pub map: Scene,
    /// Drawn over the map and cut to its frame: the annotations and the scale bar.
    pub over_map: Vec<Part>,
    /// Around the map: the title, the locator inset, the legend and the footer.
    pub chrome: Vec<Part>,
    pub legend: Vec<LegendRow>,
    pub annotations: Vec<PlacedAnnotation>,
    /// The publishers of the sources of what the map shows, best kind first.
    pub sources: Vec<String>,
}

/// The placement of an annotation whose dot is at `at`, in pixels of a map `map_width` wide,
/// with its text `font_px` high: on the right of the dot, or on the left where the right has
/// too little room and the left more. Map labels keep clear of its box.
pub fn place_annotation(
    at: [f32; 2],
    text: &str,
    font_px: f32,
    map_width: f32,
) -> AnnotationPlacement {
    let size = label_size_px(text, font_px);
    let room_right = map_width - at[0] - ANNOTATION_GAP_PX;
    let room_left = at[0] - ANNOTATION_GAP_PX;
    let text_left = size[0] > room_right && room_left > room_right;
    // The dot's radius and halo reach 5 pixels from its centre; the text's halo 2 past it.
    let (min_x, max_x) = if text_left {
        (at[0] - ANNOTATION_GAP_PX - 2.0 - size[0], at[0] + 5.0)
    } else {
        (at[0] - 5.0, at[0] + ANNOTATION_GAP_PX + 2.0 + size[0])
    };
    AnnotationPlacement {
        text_left,
        bounds: ScreenBox {
            min: [min_x, at[1] - size[1] / 2.0],
            max: [max_x, at[1] + size[1] / 2.0],
        },
    }
}

/// The rows of the legend for what `scene` shows: sectors, corridor kinds, region areas, the
/// precision symbols in use and the user's layers.
pub fn legend_rows(atlas: &Atlas, scene: &Scene) -> Vec<LegendRow> {
    let mut sectors = BTreeSet::new();
    let mut corridors = BTreeSet::new();
    let mut precisions = Vec::new();
    let mut region_areas = false;
    for &i in &scene.visible_items {
        let p = &atlas.items[i].properties;
        match (p.kind, p.corridor_kind) {
            (ItemKind::Corridor, Some(kind)) => {
                corridors.insert(kind);
            }
            (ItemKind::Region, _) if p.area_ref.is_some() => region_areas = true,
            _ => {
                sectors.insert(p.sector);
            }
        }
        precisions.push(p.precision.class);
    }
    let row = |symbol, text: &str| LegendRow {
        symbol,
        text: text.to_owned(),
    };
    let mut rows: Vec<LegendRow> = Vec::new();
    rows.extend(
        sectors
            .into_iter()
            .map(|s| row(LegendSymbol::Sector(s), s.label())),
    );
    rows.extend(
        corridors
            .into_iter()
            .map(|k| row(LegendSymbol::Corridor(k), k.label())),
    );
    if region_areas {
        rows.push(row(LegendSymbol::Area, "Region named in the article"));
    }
    if precisions.contains(&PrecisionClass::Near) {
        rows.push(row(LegendSymbol::Halo, "Site known within the circle"));
    }
    if precisions.contains(&PrecisionClass::Approximate) {
        rows.push(row(LegendSymbol::Dashed, "Route through known stations"));
    }
    if precisions.contains(&PrecisionClass::Schematic) {
        rows.push(row(
            LegendSymbol::Dotted,
            "Schematic route (few points known)",
        ));
    }
    rows.extend(scene.user_layers().map(|l| LegendRow {
        symbol: LegendSymbol::UserLayer(l.color),
        text: l.layer.name.clone(),
    }));
    rows
}

/// A round length for the scale bar: 1, 2 or 5 times a power of ten, at most `max_km`.
pub fn nice_length_km(max_km: f64) -> f64 {
    let power = 10f64.powf(max_km.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&l| l <= max_km)
        .unwrap_or(power)
}

/// The publishers (or titles) of the sources of the items in view, best kind first: primary,
/// then news agencies, research and encyclopedias; within a kind, the publishers cited by the
/// most items in view first, then by name.
pub fn visible_sources(atlas: &Atlas, scene: &Scene) -> Vec<String> {
    // Per publisher: the best kind it is cited as, and the items citing it.
    let mut publishers: BTreeMap<String, (Option<SourceKind>, BTreeSet<usize>)> = BTreeMap::new();
    for &i in &scene.visible_items {
        for s in &atlas.items[i].properties.sources {
            let name = if s.publisher.trim().is_empty() {
                s.title.trim()
            } else {
                s.publisher.trim()
            };
            let entry = publishers.entry(name.to_owned()).or_default();
            entry.0 = match (entry.0, s.kind) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            entry.1.insert(i);
        }
    }
    let mut ranked: Vec<_> = publishers.into_iter().collect();
    // A publisher without a kind (a user's file) ranks after every kind.
    ranked.sort_by(|(a_name, (a_kind, a_items)), (b_name, (b_kind, b_items))| {
        let rank = |k: &Option<SourceKind>| k.map_or(SourceKind::ALL.len(), |k| k as usize);
        rank(a_kind)
            .cmp(&rank(b_kind))
            .then(b_items.len().cmp(&a_items.len()))
            .then(a_name.cmp(b_name))
    });
    ranked.into_iter().map(|(name, _)| name).collect()
}

/// The newest source date in the dataset, shown as the data date.
pub fn data_date(atlas: &Atlas) -> String {
    atlas
        .items
        .iter()
        .flat_map(|i| i.properties.sources.iter().map(|s| s.date.as_str()))
        .filter(|d| d.len() >= 4 && d.chars().take(4).all(|c| c.is_ascii_digit()))
        .max()
        .unwrap_or("unknown")
        .to_owned()
}

/// Fits `items` into at most `lines` lines of `width_px` set at `font_px`, the last ending
/// with "… and N more" when not all fit; that ending is measured too, so it fits as well.
pub fn wrap_list(
    prefix: &str,
    items: &[String],
    width_px: f32,
    font_px: f32,
    lines: usize,
) -> Vec<String> {
    let fits = |text: &str| text_width_px(text, font_px) <= width_px;
    let mut out = vec![prefix.to_owned()];
    for (i, item) in items.iter().enumerate() {
        let last = out.last().map_or("", String::as_str);
        let separator = if last == prefix { "" } else { "; " };
        let candidate = format!("{last}{separator}{item}");
        // On the last line, an item fits only if the count of those after it does too.
        let after = items.len() - i - 1;
        let ending = if out.len() == lines && after > 0 {
            format!(" … and {after} more")
        } else {
            String::new()
        };
        if fits(&format!("{candidate}{ending}")) {
            if let Some(last) = out.last_mut() {
                *last = candidate;
            }
        } else if out.len() < lines {
            out.push(item.clone());
        } else {
            let rest = items.len() - i;
            if let Some(last) = out.last_mut() {
                last.push_str(&format!(" … and {rest} more"));
            }
            break;
        }
    }
    out
}

fn text(text: &str, x: f32, top: f32, size_px: f32, color: Color) -> TextMark {
    TextMark {
        text: text.to_owned(),
        x,
        top,
        align: TextAlign::Start,
        size_px,
        color,
        halo: None,
        bold: false,
    }
}

fn bold(mark: TextMark) -> TextMark {
    TextMark { bold: true, ..mark }
}

fn title_part(slide: &Slide, layout: &Layout, colors: &SlideColors) -> Part {
    let mut marks = vec![Mark::Text(bold(text(
        &slide.title,
        MARGIN,
        16.0,
        30.0,
        colors.text,
    )))];
    if let Some(line) = subtitle_line(slide, layout.size[0] - 2.0 * MARGIN) {
        marks.push(Mark::Text(text(
            &line,
            MARGIN,
            52.0,
            SUBTITLE_PX,
            colors.weak_text,
        )));
    }
    Part { id: "title", marks }
}

/// The size of the line under a slide's title.
pub const SUBTITLE_PX: f32 = 16.0;

/// The line under a slide's title, at most `width_px` wide: its subtitle, and the map date when
/// the slide shows one (a slide of a past date must not read as today's). A subtitle too long
/// for the line is cut short with "…", never the date.
pub fn subtitle_line(slide: &Slide, width_px: f32) -> Option<String> {
    let date = (slide.layers.filter.as_of_day())
        .map(|day| format!("as of {}", crate::format::long_date(day)));
    let fits = |line: &str| crate::fonts::text_width_px(line, SUBTITLE_PX) <= width_px;
    // The longest start of the subtitle that fits with "…" and `after`, found by halving, so
    // that a subtitle of any length (a deck file is user input) costs a few measures.
    let shortened = |subtitle: &str, after: &str| {
        let chars: Vec<char> = subtitle.chars().collect();
        let line = |n: usize| {
            let start: String = chars[..n].iter().collect();
            format!("{}…{after}", start.trim_end())
        };
        let (mut fitting, mut too_long) = (0, chars.len());
        while too_long - fitting > 1 {
            let middle = usize::midpoint(fitting, too_long);
            if fits(&line(middle)) {
                fitting = middle;
            } else {
                too_long = middle;
            }
        }
        line(fitting)
    };
    match (&slide.subtitle, date) {
        (Some(subtitle), Some(date)) => {
            let line = format!("{subtitle} · {date}");
            Some(if fits(&line) {
                line
            } else {
                shortened(subtitle, &format!(" · {date}"))
            })
        }
        (Some(subtitle), None) => Some(if fits(subtitle) {
            subtitle.clone()
        } else {
            shortened(subtitle, "")
        }),
        (None, Some(date)) => {
            let mut chars = date.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
        }
        (None, None) => None,
    }
}

/// The marks of one legend symbol centred at `[x, y]`.
fn legend_symbol(
    symbol: &LegendSymbol,
    [x, y]: [f32; 2],
    theme: Theme,
    colors: &SlideColors,
) -> Vec<Mark> {
    let palette = style::palette(theme);
    let line = |color, width_px, dash| Mark::Line {
        points: vec![[x - 11.0, y], [x + 11.0, y]],
        width_px,
        color,
        dash,
    };
    match symbol {
        LegendSymbol::Sector(s) => vec![Mark::Symbol {
            shape: style::sector_shape(*s),
            center: [x, y],
            size_px: style::MARKER_SIZE_PX,
            fill: style::sector_color(*s, theme),
            outline: (style::MARKER_OUTLINE_PX, palette.marker_outline),
        }],
        LegendSymbol::Corridor(k) => {
            let look = style::corridor_style(*k, theme);
            let mut marks = Vec::new();
            if let Some(casing) = look.casing {
                marks.push(line(casing, look.width_px + 2.0, None));
            }
            marks.push(line(look.color, look.width_px, None));
            if look.ticks {
                marks.extend(
                    railway_ticks(&[[x - 11.0, y], [x + 11.0, y]], 9.0, look.width_px * 2.0)
                        .into_iter()
                        .map(|[a, b]| Mark::Line {
                            points: vec![a, b],
                            width_px: look.width_px * 0.7,
                            color: look.color,
                            dash: None,
                        }),
                );
            }
            marks
        }
        LegendSymbol::UserLayer(color) => vec![
            line(*color, 1.5, None),
            Mark::Circle {
                center: [x, y],
                radius: 3.5,
                fill: Some(*color),
                outline: None,
            },
        ],
        LegendSymbol::Halo => vec![Mark::Circle {
            center: [x, y],
            radius: 7.0,
            fill: Some(colors.weak_text.with_alpha(0x30)),
            outline: Some((1.0, colors.weak_text)),
        }],
        LegendSymbol::Dashed => vec![line(
            colors.text,
            2.0,
            Some((
                style::APPROXIMATE_DASH_PX.0 / 2.0,
                style::APPROXIMATE_DASH_PX.1 / 2.0,
            )),
        )],
        LegendSymbol::Dotted => vec![line(colors.text, 2.0, Some(style::SCHEMATIC_DASH_PX))],
        LegendSymbol::Area => vec![Mark::Rect {
            min: [x - 11.0, y - 6.0],
            max: [x + 11.0, y + 6.0],
            corner_px: 0.0,
            fill: Some(palette.area_tint.with_alpha(0x80)),
            outline: None,
        }],
    }
}

fn legend_part(rows: &[LegendRow], layout: &Layout, theme: Theme, colors: &SlideColors) -> Part {
    #[expect(clippy::cast_precision_loss, reason = "legends have a few rows")]
    let height = 34.0 + rows.len() as f32 * LEGEND_ROW;
    let min = [
        layout.column_origin[0],
        layout.column_origin[1] + INSET_SIZE[1] + 12.0,
    ];
    let mut marks = vec![
        Mark::Rect {
            min,
            max: [min[0] + COLUMN_WIDTH, min[1] + height],
            corner_px: 4.0,
            fill: Some(colors.panel),
            outline: Some((1.0, colors.panel_border)),
        },
        Mark::Text(bold(text(
            "Legend",
            min[0] + 10.0,
            min[1] + 7.0,
            13.0,
            colors.text,
        ))),
    ];
    for (i, row) in rows.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "legends have a few rows")]
        let y = min[1] + 30.0 + i as f32 * LEGEND_ROW + LEGEND_ROW / 2.0;
        let x = min[0] + 20.0;
        marks.extend(legend_symbol(&row.symbol, [x, y], theme, colors));
        marks.push(Mark::Text(text(
            &row.text,
            x + 20.0,
            y - 8.0,
            12.5,
            colors.text,
        )));
    }
    Part {
        id: "legend",
        marks,
    }
}

fn scale_bar_part(model: &MapModel, view: &View, layout: &Layout, colors: &SlideColors) -> Part {
    let center = [
        (view.min[0] + view.max[0]) / 2.0,
        (view.min[1] + view.max[1]) / 2.0,
    ];
    let lat = model.projection.unproject(center[0], center[1])[1];
    // True kilometres per pixel at the centre of the view.
    let ground_km_per_px = view.km_per_px() / model.projection.scale_factor(lat);
    let length_km = nice_length_km(ground_km_per_px * 170.0);
    #[expect(clippy::cast_possible_truncation, reason = "the bar is at most 170 px")]
    let length_px = (length_km / ground_km_per_px) as f32;
    let [ox, oy] = layout.map_origin;
    let (x, y) = (ox + 16.0, oy + view.size_px[1] - 22.0);
    let half = length_px / 2.0;
    let label = format!("{} km", format_number(length_km));
    Part {
        id: "scale-bar",
        marks: vec![
            Mark::Rect {
                min: [x - 6.0, y - 20.0],
                max: [x + length_px + 64.0, y + 10.0],
                corner_px: 3.0,
                fill: Some(colors.panel),
                outline: None,
            },
            Mark::Rect {
                min: [x, y],
                max: [x + half, y + 5.0],
                corner_px: 0.0,
                fill: Some(colors.text),
                outline: None,
            },
            Mark::Rect {
                min: [x + half, y],
                max: [x + length_px, y + 5.0],
                corner_px: 0.0,
                fill: Some(colors.page),
                outline: Some((1.0, colors.text)),
            },
            Mark::Text(text("0", x, y - 17.0, 12.0, colors.text)),
            Mark::Text(text(
                &label,
                x + length_px + 6.0,
                y - 6.0,
                12.0,
                colors.text,
            )),
        ],
    }
}

/// A ring as the locator map can show it: points within a pixel of the last one kept are
/// dropped, and a ring that shrinks to less than a triangle is left out. The locator spans a
/// continent in a few hundred pixels, where a coastline's every bay is only noise.
fn locator_ring(ring: impl Iterator<Item = [f32; 2]>) -> Option<Vec<[f32; 2]>> {
    let mut kept: Vec<[f32; 2]> = Vec::new();
    for p in ring {
        if kept
            .last()
            .is_none_or(|k| (p[0] - k[0]).abs().max((p[1] - k[1]).abs()) >= 1.0)
        {
            kept.push(p);
        }
    }
    (kept.len() >= 3).then_some(kept)
}

fn inset_part(
    model: &MapModel,
    view: &View,
    layout: &Layout,
    theme: Theme,
    colors: &SlideColors,
) -> Part {
    let palette = style::palette(theme);
    let world = model.world_bbox;
    let [w, h] = INSET_SIZE;
    let k = ((world[2] - world[0]) / f64::from(w)).max((world[3] - world[1]) / f64::from(h));
    let inset_view = View {
        min: [
            (world[0] + world[2]) / 2.0 - f64::from(w) * k / 2.0,
            (world[1] + world[3]) / 2.0 - f64::from(h) * k / 2.0,
        ],
        max: [
            (world[0] + world[2]) / 2.0 + f64::from(w) * k / 2.0,
            (world[1] + world[3]) / 2.0 + f64::from(h) * k / 2.0,
        ],
        size_px: INSET_SIZE,
    };
    let [ox, oy] = layout.column_origin;
    let on_slide = |[x, y]: [f32; 2]| [ox + x, oy + y];
    let mut marks = vec![Mark::Rect {
        min: [ox, oy],
        max: [ox + w, oy + h],
        corner_px: 0.0,
        fill: Some(palette.sea),
        outline: Some((1.0, colors.panel_border)),
    }];
    for c in model.countries_coarse.iter() {
        let fill = if c.code == "KZ" || c.code == "CN" {
            palette.land_focus
        } else {
            palette.land
        };
        let rings: Vec<Vec<[f32; 2]>> = c
            .lod
            .for_scale(f64::INFINITY)
            .rings
            .iter()
            .filter_map(|r| locator_ring(r.iter().map(|&p| on_slide(inset_view.to_px(p)))))
            .collect();
        if !rings.is_empty() {
            marks.push(Mark::Area {
                rings,
                fill,
                outline: Some((0.4, palette.country_border)),
            });
        }
    }
    let a = inset_view.to_px([view.min[0], view.max[1]]);
    let b = inset_view.to_px([view.max[0], view.min[1]]);
    let (x0, y0) = (a[0].clamp(0.0, w), a[1].clamp(0.0, h));
    let (x1, y1) = (b[0].clamp(0.0, w), b[1].clamp(0.0, h));
    marks.push(Mark::Rect {
        min: on_slide([x0, y0]),
        max: on_slide([x0 + (x1 - x0).max(2.0), y0 + (y1 - y0).max(2.0)]),
        corner_px: 0.0,
        fill: None,
        outline: Some((2.0, colors.inset_view)),
    });
    Part { id: "inset", marks }
}

fn annotations_part(
    annotations: &[PlacedAnnotation],
    layout: &Layout,
    colors: &SlideColors,
) -> Part {
    let [ox, oy] = layout.map_origin;
    let mut marks = Vec::new();
    for a in annotations {
        let [x, y] = [ox + a.at[0], oy + a.at[1]];
        marks.push(Mark::Circle {
            center: [x, y],
            radius: 3.5,
            fill: Some(colors.text),
            outline: Some((1.5, colors.page)),
        });
        let (x, align) = if a.placement.text_left {
            (x - ANNOTATION_GAP_PX, TextAlign::End)
        } else {
            (x + ANNOTATION_GAP_PX, TextAlign::Start)
        };
        marks.push(Mark::Text(TextMark {
            align,
            halo: Some(colors.page),
            ..bold(text(
                &a.text,
                x,
                y - ANNOTATION_FONT_PX * 0.6,
                ANNOTATION_FONT_PX,
                colors.text,
            ))
        }));
    }
    Part {
        id: "annotations",
        marks,
    }
}

fn footer_part(atlas: &Atlas, sources: &[String], layout: &Layout, colors: &SlideColors) -> Part {
    let footer_top = layout.size[1] - FOOTER_BAND + 8.0;
    let width = layout.size[0] - 2.0 * MARGIN;
    let mut marks: Vec<Mark> = wrap_list("Sources: ", sources, width, 11.0, 2)
        .iter()
        .enumerate()
        .map(|(i, line)| {
            #[expect(clippy::cast_precision_loss, reason = "two lines")]
            let top = footer_top + i as f32 * 14.0;
            Mark::Text(text(line, MARGIN, top, 11.0, colors.weak_text))
        })
        .collect();
    let credits = format!(
        "Sino-Kazakh Atlas · data from sources dated up to {} · {BASEMAP_CREDIT}",
        data_date(atlas)
    );
    marks.push(Mark::Text(text(
        &credits,
        MARGIN,
        footer_top + 30.0,
        10.5,
        colors.weak_text,
    )));
    Part {
        id: "footer",
        marks,
    }
}

/// Lays out `slide` on `layout`. With `full_detail` every area is drawn at its finest
/// geometry, the naive way the benchmarks measure against.
pub fn build_slide(
    atlas: &Atlas,
    model: &MapModel,
    slide: &Slide,
    layout: Layout,
    full_detail: bool,
) -> SlideScene {
    let colors = slide_colors(slide.theme);
    let view = slide_view(model, &slide.view, layout.map_size);
    let selected = slide
        .selected
        .as_deref()
        .and_then(|id| atlas.item_index(id));
    let annotations: Vec<PlacedAnnotation> = slide
        .annotations
        .iter()
        .map(|a| {
            let at = view.to_px(model.projection.project(a.lon_lat[0], a.lon_lat[1]));
            PlacedAnnotation {
                at,
                text: a.text.clone(),
                placement: place_annotation(at, &a.text, ANNOTATION_FONT_PX, layout.map_size[0]),
            }
        })
        .collect();
    // Boxes the map labels must keep clear, in pixels of the map frame: the scale bar and the
    // annotations. The legend and the inset sit in their own column beside the map.
    let mut reserved = vec![ScreenBox {
        min: [0.0, layout.map_size[1] - 46.0],
        max: [260.0, layout.map_size[1]],
    }];
    reserved.extend(annotations.iter().map(|a| a.placement.bounds));
    let map = scene::build_scene(
        atlas,
        model,
        view,
        &SceneOptions {
            theme: slide.theme,
            layers: &slide.layers,
            selected,
            hovered: None,
            highlighted: &[],
            reserved_px: &reserved,
            full_detail,
        },
    );
    let legend = legend_rows(atlas, &map);
    let sources = visible_sources(atlas, &map);
    let over_map = vec![
        annotations_part(&annotations, &layout, &colors),
        scale_bar_part(model, &view, &layout, &colors),
    ];
    let chrome = vec![
        title_part(slide, &layout, &colors),
        inset_part(model, &view, &layout, slide.theme, &colors),
        legend_part(&legend, &layout, slide.theme, &colors),
        footer_part(atlas, &sources, &layout, &colors),
    ];
    SlideScene {
        title: slide.title.clone(),
        theme: slide.theme,
        layout,
        colors,
        map,
        over_map,
        chrome,
        legend,
        annotations,
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A subtitle too long for its line is cut short with "…" and keeps the map date whole; one
    /// that fits is left as it is; a subtitle of 100,000 characters costs a few measures.
    #[test]
    fn a_long_subtitle_is_cut_short_and_keeps_the_date() {
        let deck: crate::deck::Deck =
            serde_json::from_str(crate::deck::DEFAULT_DECK).expect("the bundled deck");
        let mut slide = deck.slides[0].clone();
        slide.layers.filter.as_of = Some("1992-01-03".to_owned());
        slide.subtitle = Some("Pipelines".to_owned());
        assert_eq!(
            subtitle_line(&slide, 600.0).as_deref(),
            Some("Pipelines · as of 3 January 1992")
        );
        for words in [40, 20_000] {
            slide.subtitle = Some("pipelines and railways ".repeat(words));
            let line = subtitle_line(&slide, 600.0).expect("a line");
            assert!(line.ends_with("… · as of 3 January 1992"), "{line}");
            let width = crate::fonts::text_width_px(&line, SUBTITLE_PX);
            assert!(width <= 600.0, "{width} px: {line}");
            // Not cut shorter than it needs: one more character would not fit.
            assert!(width > 560.0, "{width} px: {line}");
        }
        slide.layers.filter.as_of = None;
        let line = subtitle_line(&slide, 600.0).expect("a line");
        assert!(line.ends_with('…') && crate::fonts::text_width_px(&line, SUBTITLE_PX) <= 600.0);
    }

    #[test]
    fn scale_bars_use_round_lengths() {
        assert_eq!(nice_length_km(730.0), 500.0);
        assert_eq!(nice_length_km(260.0), 200.0);
        assert_eq!(nice_length_km(99.0), 50.0);
        assert_eq!(nice_length_km(1.0), 1.0);
    }

    #[test]
    fn annotations_near_the_right_edge_put_their_text_on_the_left() {
        let text = "Debt to China: 9.2 bn USD";
        let width = text_width_px(text, 14.0);
        let map_width = 1000.0;
        let middle = place_annotation([300.0, 200.0], text, 14.0, map_width);
        assert!(!middle.text_left);
        assert!(middle.bounds.min[0] < 300.0 && middle.bounds.max[0] > 300.0 + width);
        let near_edge = place_annotation([900.0, 200.0], text, 14.0, map_width);
        assert!(near_edge.text_left);
        assert!(near_edge.bounds.max[0] <= map_width);
        assert!(near_edge.bounds.min[0] < 900.0 - width);
        // With too little room on either side (150 pixels for about 190 of text), the side
        // with more.
        assert!(!place_annotation([50.0, 200.0], text, 14.0, 150.0).text_left);
        assert!(place_annotation([100.0, 200.0], text, 14.0, 150.0).text_left);
    }

    #[test]
    fn long_source_lists_are_cut_with_a_count_that_fits_the_line() {
        let items: Vec<String> = (0..40).map(|i| format!("Publisher number {i}")).collect();
        let lines = wrap_list("Sources: ", &items, 400.0, 11.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with(" more"), "{lines:?}");
        for line in &lines {
            assert!(text_width_px(line, 11.0) <= 400.0, "{line:?} is too wide");
        }
        // Every item is either written or counted.
        let written = lines
            .iter()
            .map(|l| l.matches("Publisher number").count())
            .sum::<usize>();
        let counted: usize = lines[1]
            .rsplit("and ")
            .next()
            .and_then(|rest| rest.trim_end_matches(" more").parse().ok())
            .expect("a count");
        assert_eq!(written + counted, items.len(), "{lines:?}");
        let short = wrap_list("Sources: ", &items[..2], 400.0, 11.0, 2);
        assert_eq!(
            short,
            vec!["Sources: Publisher number 0; Publisher number 1".to_owned()]
        );
    }
}
