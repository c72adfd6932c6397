//! A slide as SVG: title, the map scene, a legend of what is visible, a scale bar, an inset
//! locator map, annotations and a footer with sources, data date and basemap credits. The map
//! part is the same scene the live map paints.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::data::{Atlas, CorridorKind, ItemKind, PrecisionClass, Sector};
use crate::export::deck::{Slide, SlideView};
use crate::scene::labels::{ScreenBox, estimate_size_px};
use crate::scene::symbols::{RAILWAY_TICK_SPACING_PX, SymbolPart, marker_parts, railway_ticks};
use crate::scene::{
    self, Dots, LinePattern, MapModel, PixelWindow, Polylines, Primitive, Radius, Scene,
    SceneOptions, View,
};
use crate::spatial::clip::{ClipRect, clip_polyline, clip_ring};
use crate::style::{self, Color, Theme};

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
/// How far outside the map frame geometry is kept, in logical pixels: more than any stroke is
/// wide.
const FRAME_CLIP_MARGIN: f32 = 16.0;

/// Slide colours beyond the map palette.
struct SlideColors {
    page: Color,
    text: Color,
    weak_text: Color,
    panel: Color,
    panel_border: Color,
    inset_view: Color,
}

const fn slide_colors(theme: Theme) -> SlideColors {
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
#[derive(Clone, Copy, Debug)]
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
        let size = [size_px[0] as f32 / scale, size_px[1] as f32 / scale];
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

/// The rendered slide: its SVG and the scene of its map, for callers that inspect what is shown.
pub struct RenderedSlide {
    pub svg: String,
    pub scene: Scene,
    pub sources: Vec<String>,
}

fn hex(c: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

fn opacity(c: Color) -> String {
    if c.a == 255 {
        String::new()
    } else {
        format!("{:.3}", f32::from(c.a) / 255.0)
    }
}

fn fill_attrs(c: Color) -> String {
    let o = opacity(c);
    if o.is_empty() {
        format!("fill=\"{}\"", hex(c))
    } else {
        format!("fill=\"{}\" fill-opacity=\"{o}\"", hex(c))
    }
}

fn stroke_attrs(c: Color, width: f32) -> String {
    let o = opacity(c);
    let mut s = format!("stroke=\"{}\" stroke-width=\"{width:.2}\"", hex(c));
    if !o.is_empty() {
        let _ = write!(s, " stroke-opacity=\"{o}\"");
    }
    s
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn path_data(points: impl Iterator<Item = [f32; 2]>, close: bool) -> String {
    let mut d = String::new();
    for (i, [x, y]) in points.enumerate() {
        d.push_str(if i == 0 { "M" } else { " L" });
        push_tenths(&mut d, x);
        d.push(' ');
        push_tenths(&mut d, y);
    }
    if close {
        d.push_str(" Z");
    }
    d
}

/// Writes `value` with one decimal, as `{:.1}` would, without the float formatter: a slide
/// has tens of thousands of coordinates, and the general formatter was a tenth of the layout
/// time.
fn push_tenths(out: &mut String, value: f32) {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "slide coordinates are far inside the i64 range; non-finite ones become 0"
    )]
    let tenths = if value.is_finite() {
        (f64::from(value) * 10.0).round() as i64
    } else {
        0
    };
    if tenths < 0 {
        out.push('-');
    }
    let magnitude = tenths.unsigned_abs();
    let _ = write!(out, "{}.{}", magnitude / 10, magnitude % 10);
}

/// How a line of slide text looks.
#[derive(Clone, Copy)]
struct TextStyle {
    size: f32,
    color: Color,
    halo: Option<Color>,
    bold: bool,
}

fn text_element(out: &mut String, x: f32, top: f32, style: TextStyle, text: &str) {
    text_element_anchored(out, x, top, style, text, "");
}

/// As [`text_element`], but the text ends at `x`.
fn text_element_ending_at(out: &mut String, x: f32, top: f32, style: TextStyle, text: &str) {
    text_element_anchored(out, x, top, style, text, " text-anchor=\"end\"");
}

fn text_element_anchored(
    out: &mut String,
    x: f32,
    top: f32,
    style: TextStyle,
    text: &str,
    anchor: &str,
) {
    let TextStyle {
        size,
        color,
        halo,
        bold,
    } = style;
    let weight = if bold { "bold" } else { "" };
    // Baseline from the top of the line box, for DejaVu Sans and Noto Sans CJK.
    let baseline = top + size * 0.93;
    let halo = halo.map_or(String::new(), |h| {
        format!(
            " {} stroke-linejoin=\"miter\" stroke-miterlimit=\"2\" paint-order=\"stroke\"",
            stroke_attrs(h, 3.0)
        )
    });
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{baseline:.1}\" font-size=\"{size:.1}\"{anchor}{} {}{halo}>{}</text>",
        if weight.is_empty() {
            String::new()
        } else {
            format!(" font-weight=\"{weight}\"")
        },
        fill_attrs(color),
        escape(text)
    );
}

fn marker_svg(
    out: &mut String,
    shape: style::MarkerShape,
    center: [f32; 2],
    size: f32,
    fill: Color,
    outline: Color,
    outline_px: f32,
) {
    let parts = marker_parts(shape, center, size);
    for part in &parts {
        match part {
            SymbolPart::Convex(p) => {
                let _ = writeln!(
                    out,
                    "<path d=\"{}\" fill=\"none\" {}/>",
                    path_data(p.iter().copied(), true),
                    stroke_attrs(outline, outline_px)
                );
            }
            SymbolPart::Circle { center, radius } => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.2}\" fill=\"none\" {}/>",
                    center[0],
                    center[1],
                    stroke_attrs(outline, outline_px)
                );
            }
            SymbolPart::Ring {
                center,
                radius,
                width,
            } => {
                let r = radius + width / 2.0 + outline_px / 2.0;
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.2}\" fill=\"none\" {}/>",
                    center[0],
                    center[1],
                    stroke_attrs(outline, outline_px)
                );
            }
        }
    }
    for part in &parts {
        match part {
            SymbolPart::Convex(p) => {
                let _ = writeln!(
                    out,
                    "<path d=\"{}\" {}/>",
                    path_data(p.iter().copied(), true),
                    fill_attrs(fill)
                );
            }
            SymbolPart::Circle { center, radius } => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.2}\" {}/>",
                    center[0],
                    center[1],
                    fill_attrs(fill)
                );
            }
            SymbolPart::Ring {
                center,
                radius,
                width,
            } => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.2}\" fill=\"none\" {}/>",
                    center[0],
                    center[1],
                    stroke_attrs(fill, *width)
                );
            }
        }
    }
}

/// A user layer's marks: all its lines as one path, all its dots as another.
fn user_layer_svg(out: &mut String, lines: &Polylines, dots: &Dots) {
    if !lines.paths_px.is_empty() {
        let d: Vec<String> = lines
            .paths_px
            .iter()
            .map(|p| path_data(p.iter().copied(), false))
            .collect();
        let _ = writeln!(
            out,
            "<path d=\"{}\" fill=\"none\" {}/>",
            d.join(" "),
            stroke_attrs(lines.color, lines.width_px)
        );
    }
    if dots.centers_px.is_empty() {
        return;
    }
    let mut d = String::new();
    let side = dots.size_px;
    for &[x, y] in &dots.centers_px {
        if dots.round {
            // A circle as two half arcs, so that every dot stays in the one path.
            let r = side / 2.0;
            d.push('M');
            push_tenths(&mut d, x - r);
            d.push(' ');
            push_tenths(&mut d, y);
            for sweep in [2.0 * r, -2.0 * r] {
                d.push_str(" a");
                push_tenths(&mut d, r);
                d.push(' ');
                push_tenths(&mut d, r);
                d.push_str(" 0 1 0 ");
                push_tenths(&mut d, sweep);
                d.push_str(" 0");
            }
            d.push_str(" Z ");
            continue;
        }
        d.push('M');
        push_tenths(&mut d, x - side / 2.0);
        d.push(' ');
        push_tenths(&mut d, y - side / 2.0);
        d.push_str(" h");
        push_tenths(&mut d, side);
        d.push_str(" v");
        push_tenths(&mut d, side);
        d.push_str(" h");
        push_tenths(&mut d, -side);
        d.push_str(" Z ");
    }
    let _ = writeln!(
        out,
        "<path d=\"{}\" {}/>",
        d.trim_end(),
        fill_attrs(dots.color)
    );
}

/// Writes the map scene's primitives, one SVG group per scene group.
fn scene_svg(out: &mut String, scene: &Scene) {
    let view = &scene.view;
    let px = |p: [f64; 2]| view.to_px(p);
    // Geometry is cut a little outside the map frame: the page-colour bands around the frame
    // hide the cut edges, and the margin keeps the widest stroke whole at the frame's edge.
    let frame = ClipRect {
        min: [-FRAME_CLIP_MARGIN, -FRAME_CLIP_MARGIN],
        max: [
            view.size_px[0] + FRAME_CLIP_MARGIN,
            view.size_px[1] + FRAME_CLIP_MARGIN,
        ],
    };
    for (group, range) in &scene.groups {
        if range.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<g id=\"{group}\">");
        for primitive in &scene.primitives[range.clone()] {
            match primitive {
                Primitive::Fill(fill) => {
                    let d: Vec<String> = fill
                        .area
                        .rings
                        .iter()
                        .map(|r| {
                            let ring: Vec<[f32; 2]> = r.iter().map(|&p| px(p)).collect();
                            clip_ring(&ring, frame)
                        })
                        .filter(|r| !r.is_empty())
                        .map(|r| path_data(r.into_iter(), true))
                        .collect();
                    if d.is_empty() {
                        continue;
                    }
                    let _ = writeln!(
                        out,
                        "<path d=\"{}\" fill-rule=\"evenodd\" {}/>",
                        d.join(" "),
                        fill_attrs(fill.color)
                    );
                }
                Primitive::Stroke(stroke) => {
                    let points: Vec<[f32; 2]> = stroke.path.iter().map(|&p| px(p)).collect();
                    let dash = match stroke.pattern {
                        LinePattern::Solid => String::new(),
                        LinePattern::Dashed { dash_px, gap_px } => {
                            format!(" stroke-dasharray=\"{dash_px:.1} {gap_px:.1}\"")
                        }
                    };
                    // Dashes and ticks keep their whole line so their rhythm does not restart
                    // at a cut; solid lines lose the runs that never reach the frame.
                    let d = if stroke.pattern == LinePattern::Solid && !stroke.ticks {
                        clip_polyline(&points, frame)
                            .into_iter()
                            .map(|run| path_data(run.into_iter(), false))
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        path_data(points.iter().copied(), false)
                    };
                    if d.is_empty() {
                        continue;
                    }
                    let _ = writeln!(
                        out,
                        "<path d=\"{d}\" fill=\"none\" {} stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}/>",
                        stroke_attrs(stroke.color, stroke.width_px)
                    );
                    if stroke.ticks {
                        let ticks =
                            railway_ticks(&points, RAILWAY_TICK_SPACING_PX, stroke.width_px * 2.0);
                        let d: Vec<String> = ticks
                            .iter()
                            .map(|t| path_data(t.iter().copied(), false))
                            .collect();
                        let _ = writeln!(
                            out,
                            "<path d=\"{}\" fill=\"none\" {}/>",
                            d.join(" "),
                            stroke_attrs(stroke.color, stroke.width_px * 0.7)
                        );
                    }
                }
                Primitive::UserLayer(layer) => {
                    let (lines, dots) = layer.marks(&PixelWindow::of_view(view));
                    user_layer_svg(out, &lines, &dots);
                }
                Primitive::Disc(disc) => {
                    let [x, y] = px(disc.center);
                    #[expect(
                        clippy::cast_possible_truncation,
                        reason = "radii in pixels fit in f32"
                    )]
                    let r = match disc.radius {
                        Radius::Px(r) => r,
                        Radius::Km(km) => (km / view.km_per_px()) as f32,
                    };
                    let fill = if disc.fill.a == 0 {
                        "fill=\"none\"".to_owned()
                    } else {
                        fill_attrs(disc.fill)
                    };
                    let stroke = disc
                        .outline
                        .map_or(String::new(), |(w, c)| format!(" {}", stroke_attrs(c, w)));
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.2}\" {fill}{stroke}/>"
                    );
                }
                Primitive::Marker(m) => marker_svg(
                    out,
                    m.shape,
                    px(m.center),
                    m.size_px,
                    m.fill,
                    m.outline,
                    m.outline_px,
                ),
                Primitive::Label(label) => {
                    text_element(
                        out,
                        label.top_left_px[0],
                        label.top_left_px[1],
                        TextStyle {
                            size: label.size_px,
                            color: label.color,
                            halo: Some(label.halo),
                            bold: false,
                        },
                        &label.text,
                    );
                }
            }
        }
        let _ = writeln!(out, "</g>");
    }
}

/// A legend row: a symbol and its text.
enum LegendSymbol {
    Sector(Sector),
    Corridor(CorridorKind),
    Halo,
    Dashed,
    Dotted,
    Area,
    /// One of the user's own layers, in its colour.
    UserLayer(Color),
}

fn legend_rows(atlas: &Atlas, scene: &Scene) -> Vec<(LegendSymbol, String)> {
    let mut sectors = BTreeSet::new();
    let mut corridors = BTreeSet::new();
    let mut precisions = BTreeSet::new();
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
        precisions.insert(format!("{:?}", p.precision.class));
    }
    let mut rows: Vec<(LegendSymbol, String)> = Vec::new();
    rows.extend(
        sectors
            .into_iter()
            .map(|s| (LegendSymbol::Sector(s), s.label().to_owned())),
    );
    rows.extend(
        corridors
            .into_iter()
            .map(|k| (LegendSymbol::Corridor(k), k.label().to_owned())),
    );
    if region_areas {
        rows.push((LegendSymbol::Area, "Region named in the article".to_owned()));
    }
    if precisions.contains(&format!("{:?}", PrecisionClass::Near)) {
        rows.push((
            LegendSymbol::Halo,
            "Site known within the circle".to_owned(),
        ));
    }
    if precisions.contains(&format!("{:?}", PrecisionClass::Approximate)) {
        rows.push((
            LegendSymbol::Dashed,
            "Route through known stations".to_owned(),
        ));
    }
    if precisions.contains(&format!("{:?}", PrecisionClass::Schematic)) {
        rows.push((
            LegendSymbol::Dotted,
            "Schematic route (few points known)".to_owned(),
        ));
    }
    rows.extend(
        scene
            .user_layers()
            .map(|l| (LegendSymbol::UserLayer(l.color), l.layer.name.clone())),
    );
    rows
}

fn legend_box(rows: usize, layout: &Layout) -> ScreenBox {
    #[expect(clippy::cast_precision_loss, reason = "legends have a few rows")]
    let height = 34.0 + rows as f32 * LEGEND_ROW;
    let min = [
        layout.column_origin[0],
        layout.column_origin[1] + INSET_SIZE[1] + 12.0,
    ];
    ScreenBox {
        min,
        max: [min[0] + COLUMN_WIDTH, min[1] + height],
    }
}

fn legend_svg(
    out: &mut String,
    rows: &[(LegendSymbol, String)],
    b: ScreenBox,
    theme: Theme,
    colors: &SlideColors,
) {
    let _ = writeln!(out, "<g id=\"legend\">");
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" {} {}/>",
        b.min[0],
        b.min[1],
        b.max[0] - b.min[0],
        b.max[1] - b.min[1],
        fill_attrs(colors.panel),
        stroke_attrs(colors.panel_border, 1.0)
    );
    text_element(
        out,
        b.min[0] + 10.0,
        b.min[1] + 7.0,
        TextStyle {
            size: 13.0,
            color: colors.text,
            halo: None,
            bold: true,
        },
        "Legend",
    );
    let palette = style::palette(theme);
    for (i, (symbol, text)) in rows.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "legends have a few rows")]
        let y = b.min[1] + 30.0 + i as f32 * LEGEND_ROW + LEGEND_ROW / 2.0;
        let x = b.min[0] + 20.0;
        let line = |out: &mut String, color: Color, width: f32, dash: &str| {
            let _ = writeln!(
                out,
                "<path d=\"M{:.1} {y:.1} L{:.1} {y:.1}\" fill=\"none\" {}{dash}/>",
                x - 11.0,
                x + 11.0,
                stroke_attrs(color, width)
            );
        };
        match symbol {
            LegendSymbol::Sector(s) => marker_svg(
                out,
                style::sector_shape(*s),
                [x, y],
                style::MARKER_SIZE_PX,
                style::sector_color(*s, theme),
                palette.marker_outline,
                style::MARKER_OUTLINE_PX,
            ),
            LegendSymbol::Corridor(k) => {
                let look = style::corridor_style(*k, theme);
                if let Some(casing) = look.casing {
                    line(out, casing, look.width_px + 2.0, "");
                }
                line(out, look.color, look.width_px, "");
                if look.ticks {
                    for [a, c] in
                        railway_ticks(&[[x - 11.0, y], [x + 11.0, y]], 9.0, look.width_px * 2.0)
                    {
                        let _ = writeln!(
                            out,
                            "<path d=\"M{:.1} {:.1} L{:.1} {:.1}\" {}/>",
                            a[0],
                            a[1],
                            c[0],
                            c[1],
                            stroke_attrs(look.color, look.width_px * 0.7)
                        );
                    }
                }
            }
            LegendSymbol::UserLayer(color) => {
                line(out, *color, 1.5, "");
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" {}/>",
                    fill_attrs(*color)
                );
            }
            LegendSymbol::Halo => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" {} {}/>",
                    fill_attrs(colors.weak_text.with_alpha(0x30)),
                    stroke_attrs(colors.weak_text, 1.0)
                );
            }
            LegendSymbol::Dashed => line(
                out,
                colors.text,
                2.0,
                &format!(
                    " stroke-dasharray=\"{:.1} {:.1}\"",
                    style::APPROXIMATE_DASH_PX.0 / 2.0,
                    style::APPROXIMATE_DASH_PX.1 / 2.0
                ),
            ),
            LegendSymbol::Dotted => line(
                out,
                colors.text,
                2.0,
                &format!(
                    " stroke-dasharray=\"{:.1} {:.1}\"",
                    style::SCHEMATIC_DASH_PX.0,
                    style::SCHEMATIC_DASH_PX.1
                ),
            ),
            LegendSymbol::Area => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"22\" height=\"12\" {}/>",
                    x - 11.0,
                    y - 6.0,
                    fill_attrs(palette.area_tint.with_alpha(0x80))
                );
            }
        }
        text_element(
            out,
            x + 20.0,
            y - 8.0,
            TextStyle {
                size: 12.5,
                color: colors.text,
                halo: None,
                bold: false,
            },
            text,
        );
    }
    let _ = writeln!(out, "</g>");
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

fn scale_bar_svg(
    out: &mut String,
    model: &MapModel,
    view: &View,
    colors: &SlideColors,
) -> ScreenBox {
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
    let (x, y) = (16.0, view.size_px[1] - 22.0);
    let _ = writeln!(out, "<g id=\"scale-bar\">");
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"30\" rx=\"3\" {}/>",
        x - 6.0,
        y - 20.0,
        length_px + 70.0,
        fill_attrs(colors.panel)
    );
    let half = length_px / 2.0;
    let _ = writeln!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{half:.1}\" height=\"5\" {}/>",
        fill_attrs(colors.text)
    );
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{half:.1}\" height=\"5\" {} {}/>",
        x + half,
        fill_attrs(colors.page),
        stroke_attrs(colors.text, 1.0)
    );
    let label = format!("{} km", crate::format::format_number(length_km));
    text_element(
        out,
        x,
        y - 17.0,
        TextStyle {
            size: 12.0,
            color: colors.text,
            halo: None,
            bold: false,
        },
        "0",
    );
    text_element(
        out,
        x + length_px + 6.0,
        y - 6.0,
        TextStyle {
            size: 12.0,
            color: colors.text,
            halo: None,
            bold: false,
        },
        &label,
    );
    let _ = writeln!(out, "</g>");
    ScreenBox {
        min: [x - 6.0, y - 20.0],
        max: [x + length_px + 70.0, y + 10.0],
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

fn inset_svg(
    out: &mut String,
    model: &MapModel,
    view: &View,
    layout: &Layout,
    theme: Theme,
    colors: &SlideColors,
) -> ScreenBox {
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
    let origin = layout.column_origin;
    let _ = writeln!(
        out,
        "<g id=\"inset\" transform=\"translate({:.1} {:.1})\">",
        origin[0], origin[1]
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{w:.1}\" height=\"{h:.1}\" {} {}/>",
        fill_attrs(palette.sea),
        stroke_attrs(colors.panel_border, 1.0)
    );
    for c in model.countries_coarse.iter() {
        let color = if c.code == "KZ" || c.code == "CN" {
            palette.land_focus
        } else {
            palette.land
        };
        let rings = &c.lod.for_scale(f64::INFINITY).rings;
        let d: Vec<String> = rings
            .iter()
            .filter_map(|r| locator_ring(r.iter().map(|&p| inset_view.to_px(p))))
            .map(|r| path_data(r.into_iter(), true))
            .collect();
        if d.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<path d=\"{}\" fill-rule=\"evenodd\" {} {}/>",
            d.join(" "),
            fill_attrs(color),
            stroke_attrs(palette.country_border, 0.4)
        );
    }
    let a = inset_view.to_px([view.min[0], view.max[1]]);
    let b = inset_view.to_px([view.max[0], view.min[1]]);
    let (x0, y0) = (a[0].clamp(0.0, w), a[1].clamp(0.0, h));
    let (x1, y1) = (b[0].clamp(0.0, w), b[1].clamp(0.0, h));
    let _ = writeln!(
        out,
        "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" {}/>",
        (x1 - x0).max(2.0),
        (y1 - y0).max(2.0),
        stroke_attrs(colors.inset_view, 2.0)
    );
    let _ = writeln!(out, "</g>");
    ScreenBox {
        min: origin,
        max: [origin[0] + w, origin[1] + h],
    }
}

fn cover_outside_frame(out: &mut String, layout: &Layout, page: Color) {
    let [w, h] = layout.map_size;
    let [x, y] = [0.0_f32, 0.0_f32];
    let far = 100_000.0_f32;
    let _ = writeln!(out, "<g id=\"frame-cover\" {}>", fill_attrs(page));
    for [rx, ry, rw, rh] in [
        [x - far, y - far, w + 2.0 * far, far],
        [x - far, y + h, w + 2.0 * far, far],
        [x - far, y, far, h],
        [x + w, y, far, h],
    ] {
        let _ = writeln!(
            out,
            "<rect x=\"{rx:.1}\" y=\"{ry:.1}\" width=\"{rw:.1}\" height=\"{rh:.1}\"/>"
        );
    }
    let _ = writeln!(out, "</g>");
}

/// The publishers (or titles) of the sources of the items in view, best kind first: primary,
/// then news agencies, research and encyclopedias; within a kind, the publishers cited by the
/// most items in view first, then by name.
pub fn visible_sources(atlas: &Atlas, scene: &Scene) -> Vec<String> {
    use crate::data::SourceKind;
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

/// Fits `items` into at most `lines` lines of `width_px`, ending with "… and N more" if needed.
fn wrap_list(
    prefix: &str,
    items: &[String],
    width_px: f32,
    font_px: f32,
    lines: usize,
) -> Vec<String> {
    let mut out = vec![prefix.to_owned()];
    for (i, item) in items.iter().enumerate() {
        let separator = if out.last().is_some_and(|l| l == prefix) {
            ""
        } else {
            "; "
        };
        let candidate = format!("{}{separator}{item}", out.last().map_or("", String::as_str));
        if estimate_size_px(&candidate, font_px)[0] <= width_px {
            if let Some(last) = out.last_mut() {
                *last = candidate;
            }
        } else if out.len() < lines {
            out.push(item.clone());
        } else {
            let rest = items.len() - i;
            if let Some(last) = out.last_mut() {
                let _ = write!(last, " … and {rest} more");
            }
            break;
        }
    }
    out
}

/// Renders one slide to SVG at `size_px`; `scale` enlarges every symbol, line and label.
pub fn render_slide(
    atlas: &Atlas,
    model: &MapModel,
    slide: &Slide,
    size_px: [u32; 2],
    scale: f32,
) -> RenderedSlide {
    render_slide_at_detail(atlas, model, slide, size_px, scale, false)
}

/// The height of annotation text on an exported slide, in pixels of the slide's layout.
const SLIDE_ANNOTATION_FONT_PX: f32 = 14.0;

/// The gap between an annotation's dot and its text, in pixels.
pub const ANNOTATION_GAP_PX: f32 = 8.0;

/// Where an annotation's text goes beside its dot, and the box both take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnnotationPlacement {
    /// The text ends left of the dot instead of starting right of it: near the map's right
    /// edge, text to the right would run off the map, under the legend.
    pub text_left: bool,
    pub bounds: ScreenBox,
}

/// The placement of an annotation whose dot is at `at`, in pixels of a map `map_width` wide,
/// with its text `font_px` high: on the right of the dot, or on the left where the right has
/// too little room and the left more. Map labels keep clear of its box, on exported slides and
/// in presentation mode alike.
pub fn place_annotation(
    at: [f32; 2],
    text: &str,
    font_px: f32,
    map_width: f32,
) -> AnnotationPlacement {
    let size = estimate_size_px(text, font_px);
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

/// As [`render_slide`]; with `full_detail` every area is drawn at its finest geometry, the naive
/// way the benchmarks measure against.
pub fn render_slide_at_detail(
    atlas: &Atlas,
    model: &MapModel,
    slide: &Slide,
    size_px: [u32; 2],
    scale: f32,
    full_detail: bool,
) -> RenderedSlide {
    let layout = Layout::new(size_px, scale);
    let colors = slide_colors(slide.theme);
    let view = slide_view(model, &slide.view, layout.map_size);
    let selected = slide
        .selected
        .as_deref()
        .and_then(|id| atlas.item_index(id));

    // Boxes the map labels must keep clear: the scale bar and the annotations. The legend and
    // the inset sit in their own column beside the map.
    let scale_box = ScreenBox {
        min: [0.0, layout.map_size[1] - 46.0],
        max: [260.0, layout.map_size[1]],
    };
    let mut reserved = vec![scale_box];
    let annotations: Vec<([f32; 2], &str, AnnotationPlacement)> = slide
        .annotations
        .iter()
        .map(|a| {
            let at = view.to_px(model.projection.project(a.lon_lat[0], a.lon_lat[1]));
            let placement =
                place_annotation(at, &a.text, SLIDE_ANNOTATION_FONT_PX, layout.map_size[0]);
            (at, a.text.as_str(), placement)
        })
        .collect();
    reserved.extend(annotations.iter().map(|(_, _, placed)| placed.bounds));
    let scene = scene::build_scene(
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
    let rows = legend_rows(atlas, &scene);
    let legend = legend_box(rows.len(), &layout);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {:.1} {:.1}\" font-family=\"DejaVu Sans, Noto Sans CJK SC, sans-serif\">",
        size_px[0], size_px[1], layout.size[0], layout.size[1]
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&slide.title));
    let _ = writeln!(
        out,
        "<rect id=\"page\" x=\"0\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" {}/>",
        layout.size[0],
        layout.size[1],
        fill_attrs(colors.page)
    );

    let _ = writeln!(
        out,
        "<g id=\"map\" transform=\"translate({:.1} {:.1})\">",
        layout.map_origin[0], layout.map_origin[1]
    );
    let _ = writeln!(out, "<g id=\"map-content\">");
    let _ = writeln!(
        out,
        "<rect id=\"sea\" x=\"0\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" {}/>",
        layout.map_size[0],
        layout.map_size[1],
        fill_attrs(scene.background)
    );
    scene_svg(&mut out, &scene);
    if !annotations.is_empty() {
        let _ = writeln!(out, "<g id=\"annotations\">");
        for (at, text, placed) in &annotations {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" {} {}/>",
                at[0],
                at[1],
                fill_attrs(colors.text),
                stroke_attrs(colors.page, 1.5)
            );
            let style = TextStyle {
                size: SLIDE_ANNOTATION_FONT_PX,
                color: colors.text,
                halo: Some(colors.page),
                bold: true,
            };
            let top = at[1] - SLIDE_ANNOTATION_FONT_PX * 0.6;
            if placed.text_left {
                text_element_ending_at(&mut out, at[0] - ANNOTATION_GAP_PX, top, style, text);
            } else {
                text_element(&mut out, at[0] + ANNOTATION_GAP_PX, top, style, text);
            }
        }
        let _ = writeln!(out, "</g>");
    }
    scale_bar_svg(&mut out, model, &view, &colors);
    let _ = writeln!(out, "</g>");
    // The map is not clipped (a clip path makes rasterisers render the whole map into an extra
    // layer); bands of page colour around the frame hide what lies outside it instead.
    cover_outside_frame(&mut out, &layout, colors.page);
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" {}/>",
        layout.map_size[0],
        layout.map_size[1],
        stroke_attrs(colors.panel_border, 1.0)
    );
    let _ = writeln!(out, "</g>");
    let _ = writeln!(out, "<g id=\"title\">");
    text_element(
        &mut out,
        MARGIN,
        16.0,
        TextStyle {
            size: 30.0,
            color: colors.text,
            halo: None,
            bold: true,
        },
        &slide.title,
    );
    if let Some(subtitle) = &slide.subtitle {
        text_element(
            &mut out,
            MARGIN,
            52.0,
            TextStyle {
                size: 16.0,
                color: colors.weak_text,
                halo: None,
                bold: false,
            },
            subtitle,
        );
    }
    let _ = writeln!(out, "</g>");
    inset_svg(&mut out, model, &view, &layout, slide.theme, &colors);
    legend_svg(&mut out, &rows, legend, slide.theme, &colors);

    let sources = visible_sources(atlas, &scene);
    let footer_top = layout.size[1] - FOOTER_BAND + 8.0;
    let width = layout.size[0] - 2.0 * MARGIN;
    let _ = writeln!(out, "<g id=\"footer\">");
    for (i, line) in wrap_list("Sources: ", &sources, width, 11.0, 2)
        .iter()
        .enumerate()
    {
        #[expect(clippy::cast_precision_loss, reason = "two lines")]
        let top = footer_top + i as f32 * 14.0;
        text_element(
            &mut out,
            MARGIN,
            top,
            TextStyle {
                size: 11.0,
                color: colors.weak_text,
                halo: None,
                bold: false,
            },
            line,
        );
    }
    let credits = format!(
        "Sino-Kazakh Atlas · data from sources dated up to {} · {}",
        data_date(atlas),
        BASEMAP_CREDIT
    );
    text_element(
        &mut out,
        MARGIN,
        footer_top + 30.0,
        TextStyle {
            size: 10.5,
            color: colors.weak_text,
            halo: None,
            bold: false,
        },
        &credits,
    );
    let _ = writeln!(out, "</g>");
    let _ = writeln!(out, "</svg>");
    RenderedSlide {
        svg: out,
        scene,
        sources,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn coordinates_are_written_with_one_decimal() {
        let mut out = String::new();
        for v in [0.0, 1.25, -3.04, -0.06, 1234.56, 7.0, f32::NAN] {
            super::push_tenths(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "0.0 1.3 -3.0 -0.1 1234.6 7.0 0.0 ");
    }

    use super::*;

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
        let width = estimate_size_px(text, 14.0)[0];
        let map_width = 1000.0;
        let middle = place_annotation([300.0, 200.0], text, 14.0, map_width);
        assert!(!middle.text_left);
        assert!(middle.bounds.min[0] < 300.0 && middle.bounds.max[0] > 300.0 + width);
        let near_edge = place_annotation([900.0, 200.0], text, 14.0, map_width);
        assert!(near_edge.text_left);
        assert!(near_edge.bounds.max[0] <= map_width);
        assert!(near_edge.bounds.min[0] < 900.0 - width);
        // With too little room on either side (150 pixels for about 200 of text), the side
        // with more.
        assert!(!place_annotation([50.0, 200.0], text, 14.0, 150.0).text_left);
        assert!(place_annotation([100.0, 200.0], text, 14.0, 150.0).text_left);
    }

    #[test]
    fn an_annotation_near_the_right_edge_ends_at_its_dot_on_the_slide() {
        let atlas = crate::data::bundled::load().expect("bundled data");
        let model = MapModel::build(&atlas, crate::spatial::Projection::default());
        let deck = crate::export::Deck::parse(
            crate::export::deck::DEFAULT_DECK_FILE,
            crate::export::deck::DEFAULT_DECK,
        )
        .expect("the bundled deck");
        let mut seen = 0;
        for slide in &deck.slides {
            let svg = render_slide(&atlas, &model, slide, [1920, 1080], 1.0).svg;
            let layout = Layout::new([1920, 1080], 1.0);
            let view = slide_view(&model, &slide.view, layout.map_size);
            for annotation in &slide.annotations {
                let at = view.to_px(
                    model
                        .projection
                        .project(annotation.lon_lat[0], annotation.lon_lat[1]),
                );
                let placed = place_annotation(
                    at,
                    &annotation.text,
                    SLIDE_ANNOTATION_FONT_PX,
                    layout.map_size[0],
                );
                assert!(
                    placed.bounds.min[0] >= 0.0 && placed.bounds.max[0] <= layout.map_size[0],
                    "{:?} runs off the map: {:?}",
                    annotation.text,
                    placed.bounds
                );
                let element = format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14.0\" text-anchor=\"end\"",
                    at[0] - ANNOTATION_GAP_PX,
                    at[1] - SLIDE_ANNOTATION_FONT_PX * 0.6 + SLIDE_ANNOTATION_FONT_PX * 0.93,
                );
                assert_eq!(svg.contains(&element), placed.text_left, "{element}");
                seen += usize::from(placed.text_left);
            }
        }
        assert!(
            seen >= 1,
            "no annotation of the deck sits near the right edge"
        );
    }

    #[test]
    fn long_source_lists_are_cut_with_a_count() {
        let items: Vec<String> = (0..40).map(|i| format!("Publisher number {i}")).collect();
        let lines = wrap_list("Sources: ", &items, 400.0, 11.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].contains("more"), "{lines:?}");
        let short = wrap_list("Sources: ", &items[..2], 400.0, 11.0, 2);
        assert_eq!(
            short,
            vec!["Sources: Publisher number 0; Publisher number 1".to_owned()]
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("A & B <C>"), "A &amp; B &lt;C&gt;");
    }
}
