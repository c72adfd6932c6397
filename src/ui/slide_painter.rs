//! A laid-out slide (`crate::slide::SlideScene`) painted with egui: presentation mode's picture.
//! The map goes through the live map's painter; every other mark becomes one egui shape where
//! the slide put it. Nothing here decides where anything goes.

use std::cell::RefCell;

use egui::epaint::Mesh;
use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, vec2};
use geo::TriangulateEarcut;

use crate::slide::{Mark, Outline, SlideScene, TextAlign, TextMark};
use crate::ui::fonts::atlas_font;
use crate::ui::paint::{DenseTiles, ScenePainter, color32, marker_shapes};

fn stroke(outline: Option<Outline>) -> Stroke {
    outline.map_or(Stroke::NONE, |(width, color)| {
        Stroke::new(width, color32(color))
    })
}

/// A filled ring as triangles: egui fills only convex paths, and the inset's countries are not.
fn ring_mesh(ring: &[[f32; 2]], origin: Pos2, color: Color32, mesh: &mut Mesh) {
    let polygon = geo::Polygon::new(
        ring.iter()
            .map(|&[x, y]| geo::coord! { x: f64::from(x), y: f64::from(y) })
            .collect(),
        Vec::new(),
    );
    // Earcut needs a closed ring of at least three corners.
    if polygon.exterior().0.len() < 4 {
        return;
    }
    let triangles = polygon.earcut_triangles_raw();
    let first = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
    for pair in triangles.vertices.chunks_exact(2) {
        #[expect(clippy::cast_possible_truncation, reason = "slide pixels fit in f32")]
        let at = origin + vec2(pair[0] as f32, pair[1] as f32);
        mesh.colored_vertex(at, color);
    }
    for &i in &triangles.triangle_indices {
        mesh.indices
            .push(first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)));
    }
}

/// The shapes of a line of slide text: its halo as offset copies, then the text.
fn text_shapes(painter: &Painter, origin: Pos2, text: &TextMark, shapes: &mut Vec<Shape>) {
    let galley = painter.layout_no_wrap(
        text.text.clone(),
        atlas_font(text.size_px),
        color32(text.color),
    );
    let x = match text.align {
        TextAlign::Start => text.x,
        TextAlign::End => text.x - galley.size().x,
    };
    let at = origin + vec2(x, text.top);
    if let Some(halo) = text.halo {
        // The SVG halo is a 3-pixel stroke, 1.5 pixels around the glyphs; eight copies a
        // pixel and a half away cover the same ring.
        let halo = color32(halo);
        for (dx, dy) in [
            (-1.5, 0.0),
            (1.5, 0.0),
            (0.0, -1.5),
            (0.0, 1.5),
            (-1.0, -1.0),
            (1.0, 1.0),
            (-1.0, 1.0),
            (1.0, -1.0),
        ] {
            shapes.push(Shape::galley_with_override_text_color(
                at + vec2(dx, dy),
                galley.clone(),
                halo,
            ));
        }
    }
    shapes.push(Shape::galley(at, galley, color32(text.color)));
}

fn mark_shapes(painter: &Painter, origin: Pos2, mark: &Mark, shapes: &mut Vec<Shape>) {
    let at = |[x, y]: [f32; 2]| origin + vec2(x, y);
    match mark {
        // The outline goes over the fill, as SVG strokes a shape after filling it.
        Mark::Rect {
            min,
            max,
            corner_px,
            fill,
            outline,
        } => {
            let rect = Rect::from_min_max(at(*min), at(*max));
            if let Some(fill) = fill {
                shapes.push(Shape::rect_filled(rect, *corner_px, color32(*fill)));
            }
            if outline.is_some() {
                shapes.push(Shape::rect_stroke(
                    rect,
                    *corner_px,
                    stroke(*outline),
                    StrokeKind::Middle,
                ));
            }
        }
        Mark::Circle {
            center,
            radius,
            fill,
            outline,
        } => shapes.push(Shape::Circle(egui::epaint::CircleShape {
            center: at(*center),
            radius: *radius,
            fill: fill.map_or(Color32::TRANSPARENT, color32),
            stroke: stroke(*outline),
        })),
        Mark::Line {
            points,
            width_px,
            color,
            dash,
        } => {
            let points: Vec<Pos2> = points.iter().map(|&p| at(p)).collect();
            let line = Stroke::new(*width_px, color32(*color));
            match dash {
                Some((dash, gap)) => shapes.extend(Shape::dashed_line(&points, line, *dash, *gap)),
                None => shapes.push(Shape::line(points, line)),
            }
        }
        Mark::Area {
            rings,
            fill,
            outline,
        } => {
            let mut mesh = Mesh::default();
            for ring in rings {
                ring_mesh(ring, origin, color32(*fill), &mut mesh);
            }
            shapes.push(Shape::mesh(mesh));
            if outline.is_some() {
                shapes.extend(rings.iter().map(|ring| {
                    Shape::closed_line(ring.iter().map(|&p| at(p)).collect(), stroke(*outline))
                }));
            }
        }
        Mark::Symbol {
            shape,
            center,
            size_px,
            fill,
            outline,
        } => marker_shapes(
            at(*center),
            &crate::scene::Marker {
                item: 0,
                center: [0.0, 0.0],
                shape: *shape,
                size_px: *size_px,
                fill: *fill,
                outline: outline.1,
                outline_px: outline.0,
            },
            shapes,
        ),
        Mark::Text(text) => text_shapes(painter, origin, text, shapes),
    }
}

/// Paints `slide` with its top-left corner at `origin`, the map through the live painter with
/// its user-layer tiles in `dense`. Like the SVG writer: page, map, what lies over the map cut
/// to its frame, the frame's border, then the title, inset, legend and footer.
pub fn paint_slide(
    painter: &Painter,
    origin: Pos2,
    slide: &SlideScene,
    dense: &RefCell<DenseTiles>,
) {
    let layout = &slide.layout;
    let page = Rect::from_min_size(origin, vec2(layout.size[0], layout.size[1]));
    painter.rect_filled(page, 0.0, color32(slide.colors.page));
    let frame = layout.map_frame();
    let map_rect = Rect::from_min_max(
        origin + vec2(frame.min[0], frame.min[1]),
        origin + vec2(frame.max[0], frame.max[1]),
    );
    let map_painter = painter.with_clip_rect(map_rect.intersect(painter.clip_rect()));
    let mut shapes = Vec::new();
    // A still slide: user layers show at the slide's own scale, or, when tiles of a scale close
    // to it are held, scaled from those until its own are drawn in the background (which asks
    // for a repaint); the slide is painted anew every frame, so it then shows them.
    let _tiles_shown = ScenePainter {
        scene: &slide.map,
        rect: map_rect,
        dense,
        zooming: false,
    }
    .paint(&map_painter, &mut shapes);
    for part in &slide.over_map {
        for mark in &part.marks {
            mark_shapes(&map_painter, origin, mark, &mut shapes);
        }
    }
    map_painter.extend(shapes);
    painter.rect_stroke(
        map_rect,
        0.0,
        Stroke::new(1.0, color32(slide.colors.panel_border)),
        StrokeKind::Middle,
    );
    let mut shapes = Vec::new();
    for part in &slide.chrome {
        for mark in &part.marks {
            mark_shapes(painter, origin, mark, &mut shapes);
        }
    }
    painter.extend(shapes);
}
