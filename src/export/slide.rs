//! A laid-out slide (`crate::slide::SlideScene`) written as SVG: the map scene's primitives
//! and the slide's marks, one SVG element each. Nothing here decides where anything goes.

use std::fmt::Write as _;

use crate::data::Atlas;
use crate::deck::Slide;
use crate::scene::labels::ScreenBox;
use crate::scene::symbols::{RAILWAY_TICK_SPACING_PX, SymbolPart, marker_parts, railway_ticks};
use crate::scene::{Dots, LinePattern, MapModel, PixelWindow, Polylines, Primitive, Radius, Scene};
use crate::slide::{
    BASELINE, Layout, Mark, Outline, Part, SlideScene, TextAlign, TextMark, build_slide,
};
use crate::spatial::clip::{ClipRect, clip_polyline, clip_ring};
use crate::style::{self, Color};

/// How far outside the map frame geometry is kept, in logical pixels: more than any stroke is
/// wide.
const FRAME_CLIP_MARGIN: f32 = 16.0;

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

fn text_svg(out: &mut String, text: &TextMark) {
    let baseline = text.top + text.size_px * BASELINE;
    let anchor = match text.align {
        TextAlign::Start => "",
        TextAlign::End => " text-anchor=\"end\"",
    };
    let weight = if text.bold {
        " font-weight=\"bold\""
    } else {
        ""
    };
    let halo = text.halo.map_or(String::new(), |h| {
        format!(
            " {} stroke-linejoin=\"miter\" stroke-miterlimit=\"2\" paint-order=\"stroke\"",
            stroke_attrs(h, 3.0)
        )
    });
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{baseline:.1}\" font-size=\"{:.1}\"{anchor}{weight} {}{halo}>{}</text>",
        text.x,
        text.size_px,
        fill_attrs(text.color),
        escape(&text.text)
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
                    // Dashes end square: a round cap would lengthen each dash by the line's
                    // width and close the gaps the live map shows.
                    let dash = match stroke.pattern {
                        LinePattern::Solid => " stroke-linecap=\"round\"".to_owned(),
                        LinePattern::Dashed { dash_px, gap_px } => format!(
                            " stroke-linecap=\"butt\" stroke-dasharray=\"{dash_px:.1} {gap_px:.1}\""
                        ),
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
                        "<path d=\"{d}\" fill=\"none\" {} stroke-linejoin=\"round\"{dash}/>",
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
                    text_svg(
                        out,
                        &TextMark {
                            text: label.text.clone(),
                            x: label.top_left_px[0],
                            top: label.top_left_px[1],
                            align: TextAlign::Start,
                            size_px: label.size_px,
                            color: label.color,
                            halo: Some(label.halo),
                            bold: false,
                        },
                    );
                }
            }
        }
        let _ = writeln!(out, "</g>");
    }
}

/// Writes one slide mark.
fn mark_svg(out: &mut String, mark: &Mark) {
    let outline_attrs = |outline: Option<Outline>| {
        outline.map_or(String::new(), |(w, c)| format!(" {}", stroke_attrs(c, w)))
    };
    let fill_or_none =
        |fill: Option<Color>| fill.map_or_else(|| "fill=\"none\"".to_owned(), fill_attrs);
    match mark {
        Mark::Rect {
            min,
            max,
            corner_px,
            fill,
            outline,
        } => {
            let corner = if *corner_px > 0.0 {
                format!(" rx=\"{corner_px:.1}\"")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"{corner} {}{}/>",
                min[0],
                min[1],
                max[0] - min[0],
                max[1] - min[1],
                fill_or_none(*fill),
                outline_attrs(*outline)
            );
        }
        Mark::Circle {
            center,
            radius,
            fill,
            outline,
        } => {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.2}\" {}{}/>",
                center[0],
                center[1],
                fill_or_none(*fill),
                outline_attrs(*outline)
            );
        }
        Mark::Line {
            points,
            width_px,
            color,
            dash,
        } => {
            let dash = dash.map_or(String::new(), |(d, g)| {
                format!(" stroke-dasharray=\"{d:.1} {g:.1}\"")
            });
            let _ = writeln!(
                out,
                "<path d=\"{}\" fill=\"none\" {}{dash}/>",
                path_data(points.iter().copied(), false),
                stroke_attrs(*color, *width_px)
            );
        }
        Mark::Area {
            rings,
            fill,
            outline,
        } => {
            let d: Vec<String> = rings
                .iter()
                .map(|r| path_data(r.iter().copied(), true))
                .collect();
            let _ = writeln!(
                out,
                "<path d=\"{}\" fill-rule=\"evenodd\" {}{}/>",
                d.join(" "),
                fill_attrs(*fill),
                outline_attrs(*outline)
            );
        }
        Mark::Symbol {
            shape,
            center,
            size_px,
            fill,
            outline,
        } => marker_svg(out, *shape, *center, *size_px, *fill, outline.1, outline.0),
        Mark::Text(text) => text_svg(out, text),
    }
}

fn part_svg(out: &mut String, part: &Part) {
    let _ = writeln!(out, "<g id=\"{}\">", part.id);
    for mark in &part.marks {
        mark_svg(out, mark);
    }
    let _ = writeln!(out, "</g>");
}

/// Bands of page colour around the map frame. The map is not clipped (a clip path makes
/// rasterisers render the whole map into an extra layer); the bands hide what lies outside it.
fn cover_outside_frame(out: &mut String, frame: ScreenBox, page: Color) {
    let [x, y] = frame.min;
    let [w, h] = [frame.max[0] - x, frame.max[1] - y];
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

/// Writes a laid-out slide as SVG, `size_px` large: the map scene in its frame, what lies over
/// the map, then the title, inset, legend and footer. Every position comes from the slide.
pub fn slide_svg(slide: &SlideScene, size_px: [u32; 2]) -> String {
    let layout = &slide.layout;
    let colors = &slide.colors;
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
    let _ = writeln!(
        out,
        "<rect id=\"sea\" x=\"0\" y=\"0\" width=\"{:.1}\" height=\"{:.1}\" {}/>",
        layout.map_size[0],
        layout.map_size[1],
        fill_attrs(slide.map.background)
    );
    scene_svg(&mut out, &slide.map);
    let _ = writeln!(out, "</g>");
    for part in &slide.over_map {
        if !part.marks.is_empty() {
            part_svg(&mut out, part);
        }
    }
    let frame = layout.map_frame();
    cover_outside_frame(&mut out, frame, colors.page);
    mark_svg(
        &mut out,
        &Mark::Rect {
            min: frame.min,
            max: frame.max,
            corner_px: 0.0,
            fill: None,
            outline: Some((1.0, colors.panel_border)),
        },
    );
    for part in &slide.chrome {
        part_svg(&mut out, part);
    }
    let _ = writeln!(out, "</svg>");
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
    let laid_out = build_slide(
        atlas,
        model,
        slide,
        Layout::new(size_px, scale),
        full_detail,
    );
    let svg = slide_svg(&laid_out, size_px);
    RenderedSlide {
        svg,
        scene: laid_out.map,
        sources: laid_out.sources,
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
    fn text_is_escaped() {
        assert_eq!(escape("A & B <C>"), "A &amp; B &lt;C&gt;");
    }
}
