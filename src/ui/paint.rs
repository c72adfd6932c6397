//! Turns a scene into egui shapes inside a screen rectangle: the one egui painter of the map.

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, FontId, Painter, Pos2, Rect, Shape, Stroke as EguiStroke, pos2, vec2};

use crate::scene::symbols::{
    RAILWAY_TICK_SPACING_PX, SymbolPart, marker_parts, railway_ticks_from,
};
use crate::scene::{
    Disc, Dots, Fill, Label, LinePattern, Marker, Polylines, Primitive, Radius, Scene, Stroke,
};
use crate::spatial::clip::{ClipRect, clip_polyline_along};
use crate::style::Color;

/// How far outside the map lines are kept, in pixels: more than a dash, a railway tick or a
/// line's half width, so that no cut end shows.
const CLIP_MARGIN_PX: f32 = 32.0;

pub fn color32(c: Color) -> Color32 {
    Color32::from_rgba_unmultiplied(c.r, c.g, c.b, c.a)
}

/// Paints `scene` so that its view fills `rect`. `scale_factor` enlarges the picture's pixel
/// sizes, which is 1.0 on screen.
pub struct ScenePainter<'a> {
    pub scene: &'a Scene,
    pub rect: Rect,
}

impl ScenePainter<'_> {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "screen positions fit in f32"
    )]
    fn to_screen(&self, p: [f64; 2]) -> Pos2 {
        let view = &self.scene.view;
        let k = view.km_per_px();
        pos2(
            self.rect.min.x + ((p[0] - view.min[0]) / k) as f32,
            self.rect.min.y + ((view.max[1] - p[1]) / k) as f32,
        )
    }

    pub fn paint(&self, painter: &Painter, shapes: &mut Vec<Shape>) {
        shapes.push(Shape::rect_filled(
            self.rect,
            0.0,
            color32(self.scene.background),
        ));
        for primitive in &self.scene.primitives {
            match primitive {
                Primitive::Fill(fill) => shapes.push(self.fill(fill)),
                Primitive::Stroke(stroke) => self.stroke(stroke, shapes),
                Primitive::Disc(disc) => self.disc(disc, shapes),
                Primitive::Marker(marker) => {
                    marker_shapes(self.to_screen(marker.center), marker, shapes)
                }
                Primitive::Label(label) => self.label(painter, label, shapes),
                Primitive::Dots(dots) => shapes.push(self.dots(dots)),
                Primitive::Polylines(lines) => shapes.push(self.polylines(lines)),
            }
        }
    }

    fn fill(&self, fill: &Fill) -> Shape {
        let color = color32(fill.color);
        let mut mesh = Mesh::default();
        let triangles = fill.area.mesh();
        mesh.indices.clone_from(&triangles.indices);
        mesh.vertices = triangles
            .vertices
            .iter()
            .map(|&p| Vertex {
                pos: self.to_screen(p),
                uv: WHITE_UV,
                color,
            })
            .collect();
        Shape::mesh(mesh)
    }

    fn stroke(&self, stroke: &Stroke, shapes: &mut Vec<Shape>) {
        let points: Vec<[f32; 2]> = stroke
            .path
            .iter()
            .map(|&p| {
                let q = self.to_screen(p);
                [q.x, q.y]
            })
            .collect();
        // Only the pieces that reach the screen are dashed, ticked and tessellated: zoomed in
        // on a city, a corridor thousands of kilometres long is mostly far off screen. The
        // margin hides where a piece starts, and each piece keeps the dash and tick rhythm of
        // the whole line.
        let margin = CLIP_MARGIN_PX.max(stroke.width_px * 2.0);
        let screen = ClipRect {
            min: [self.rect.min.x - margin, self.rect.min.y - margin],
            max: [self.rect.max.x + margin, self.rect.max.y + margin],
        };
        let egui_stroke = EguiStroke::new(stroke.width_px, color32(stroke.color));
        for run in clip_polyline_along(&points, screen) {
            if stroke.ticks {
                let tick_stroke = EguiStroke::new(stroke.width_px * 0.7, color32(stroke.color));
                for [a, b] in railway_ticks_from(
                    &run.points,
                    RAILWAY_TICK_SPACING_PX,
                    stroke.width_px * 2.0,
                    run.start_length,
                ) {
                    shapes.push(Shape::line_segment(
                        [pos2(a[0], a[1]), pos2(b[0], b[1])],
                        tick_stroke,
                    ));
                }
            }
            let line: Vec<Pos2> = run.points.iter().map(|p| pos2(p[0], p[1])).collect();
            match stroke.pattern {
                LinePattern::Solid => shapes.push(Shape::line(line, egui_stroke)),
                LinePattern::Dashed { dash_px, gap_px } => {
                    // A piece that starts inside a dash begins with the rest of it: the
                    // pattern starts before the piece, off screen, where the margin hides it.
                    let offset = -(run.start_length % (dash_px + gap_px));
                    Shape::dashed_line_many_with_offset(
                        &line,
                        egui_stroke,
                        &[dash_px],
                        &[gap_px],
                        offset,
                        shapes,
                    );
                }
            }
        }
    }

    /// All the lines as one mesh, a thin quad per segment: thousands of user lines would
    /// otherwise be thousands of paths for egui to tessellate every frame.
    fn polylines(&self, lines: &Polylines) -> Shape {
        let color = color32(lines.color);
        let half = lines.width_px / 2.0;
        let segments: usize = lines
            .paths_px
            .iter()
            .map(|p| p.len().saturating_sub(1))
            .sum();
        let mut mesh = Mesh::default();
        mesh.reserve_vertices(segments * 4);
        mesh.reserve_triangles(segments * 2);
        for path in &lines.paths_px {
            for pair in path.windows(2) {
                let (a, b) = (
                    self.rect.min + vec2(pair[0][0], pair[0][1]),
                    self.rect.min + vec2(pair[1][0], pair[1][1]),
                );
                let along = b - a;
                let length = along.length();
                if length <= f32::EPSILON {
                    continue;
                }
                let across = vec2(-along.y, along.x) * (half / length);
                let first = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
                for corner in [a - across, a + across, b + across, b - across] {
                    mesh.vertices.push(Vertex {
                        pos: corner,
                        uv: WHITE_UV,
                        color,
                    });
                }
                mesh.indices
                    .extend([first, first + 1, first + 2, first, first + 2, first + 3]);
            }
        }
        Shape::mesh(mesh)
    }

    /// All the dots as one mesh of squares: a dense layer is one shape to tessellate.
    fn dots(&self, dots: &Dots) -> Shape {
        let color = color32(dots.color);
        let half = dots.size_px / 2.0;
        let mut mesh = Mesh::default();
        mesh.reserve_vertices(dots.centers_px.len() * 4);
        mesh.reserve_triangles(dots.centers_px.len() * 2);
        for &[x, y] in &dots.centers_px {
            let center = self.rect.min + vec2(x, y);
            mesh.add_colored_rect(
                Rect::from_center_size(center, vec2(half * 2.0, half * 2.0)),
                color,
            );
        }
        Shape::mesh(mesh)
    }

    fn disc(&self, disc: &Disc, shapes: &mut Vec<Shape>) {
        let center = self.to_screen(disc.center);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "radii in pixels fit in f32"
        )]
        let radius = match disc.radius {
            Radius::Px(px) => px,
            Radius::Km(km) => (km / self.scene.view.km_per_px()) as f32,
        };
        if disc.fill.a > 0 {
            shapes.push(Shape::circle_filled(center, radius, color32(disc.fill)));
        }
        if let Some((width, color)) = disc.outline {
            shapes.push(Shape::circle_stroke(
                center,
                radius,
                EguiStroke::new(width, color32(color)),
            ));
        }
    }

    fn label(&self, painter: &Painter, label: &Label, shapes: &mut Vec<Shape>) {
        let galley = painter.layout_no_wrap(
            label.text.clone(),
            FontId::proportional(label.size_px),
            color32(label.color),
        );
        let pos = self.rect.min + vec2(label.top_left_px[0], label.top_left_px[1]);
        // A halo of offset copies keeps the text legible over borders, rivers and fills. The
        // four diagonal copies cover every side of a stroke as well as eight would, and text
        // is most of what the map tessellates each frame.
        let halo = color32(label.halo);
        for (dx, dy) in [(-1.0, -1.0), (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0)] {
            shapes.push(Shape::galley_with_override_text_color(
                pos + vec2(dx, dy),
                galley.clone(),
                halo,
            ));
        }
        shapes.push(Shape::galley(pos, galley, color32(label.color)));
    }
}

pub fn marker_shapes(center: Pos2, marker: &Marker, shapes: &mut Vec<Shape>) {
    let fill = color32(marker.fill);
    let outline = EguiStroke::new(marker.outline_px, color32(marker.outline));
    let parts = marker_parts(marker.shape, [center.x, center.y], marker.size_px);
    let points = |p: &[[f32; 2]]| p.iter().map(|&[x, y]| pos2(x, y)).collect::<Vec<_>>();
    for part in &parts {
        match part {
            SymbolPart::Convex(p) => shapes.push(Shape::convex_polygon(
                points(p),
                Color32::TRANSPARENT,
                outline,
            )),
            SymbolPart::Circle { center, radius } => shapes.push(Shape::circle_stroke(
                pos2(center[0], center[1]),
                *radius,
                outline,
            )),
            SymbolPart::Ring {
                center,
                radius,
                width,
            } => {
                shapes.push(Shape::circle_stroke(
                    pos2(center[0], center[1]),
                    radius + width / 2.0 + outline.width / 2.0,
                    outline,
                ));
            }
        }
    }
    for part in &parts {
        match part {
            SymbolPart::Convex(p) => {
                shapes.push(Shape::convex_polygon(points(p), fill, EguiStroke::NONE))
            }
            SymbolPart::Circle { center, radius } => shapes.push(Shape::circle_filled(
                pos2(center[0], center[1]),
                *radius,
                fill,
            )),
            SymbolPart::Ring {
                center,
                radius,
                width,
            } => {
                shapes.push(Shape::circle_stroke(
                    pos2(center[0], center[1]),
                    *radius,
                    EguiStroke::new(*width, fill),
                ));
            }
        }
    }
}
