//! Turns a scene into egui shapes inside a screen rectangle: the one egui painter of the map.

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, FontId, Painter, Pos2, Rect, Shape, Stroke as EguiStroke, pos2, vec2};

use crate::scene::{Disc, Fill, Label, LinePattern, Marker, Primitive, Radius, Scene, Stroke};
use crate::style::{Color, MarkerShape};

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
            }
        }
    }

    fn fill(&self, fill: &Fill) -> Shape {
        let color = color32(fill.color);
        let mut mesh = Mesh::default();
        mesh.indices.clone_from(&fill.mesh.indices);
        mesh.vertices = fill
            .mesh
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
        let points: Vec<Pos2> = stroke.path.iter().map(|&p| self.to_screen(p)).collect();
        let egui_stroke = EguiStroke::new(stroke.width_px, color32(stroke.color));
        if stroke.ticks {
            railway_ticks(&points, egui_stroke, shapes);
        }
        match stroke.pattern {
            LinePattern::Solid => shapes.push(Shape::line(points, egui_stroke)),
            LinePattern::Dashed { dash_px, gap_px } => {
                shapes.extend(Shape::dashed_line(&points, egui_stroke, dash_px, gap_px));
            }
        }
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
        // A halo of offset copies keeps the text legible over borders, rivers and fills.
        let halo = color32(label.halo);
        for (dx, dy) in [
            (-1.0, 0.0),
            (1.0, 0.0),
            (0.0, -1.0),
            (0.0, 1.0),
            (-1.0, -1.0),
            (1.0, 1.0),
            (-1.0, 1.0),
            (1.0, -1.0),
        ] {
            shapes.push(Shape::galley_with_override_text_color(
                pos + vec2(dx, dy),
                galley.clone(),
                halo,
            ));
        }
        shapes.push(Shape::galley(pos, galley, color32(label.color)));
    }
}

/// Short strokes across a railway line every 14 px, the usual railway symbol.
fn railway_ticks(points: &[Pos2], stroke: EguiStroke, shapes: &mut Vec<Shape>) {
    const SPACING_PX: f32 = 14.0;
    let half = stroke.width * 2.0;
    let mut carried = SPACING_PX / 2.0;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let length = a.distance(b);
        if length <= f32::EPSILON {
            continue;
        }
        let dir = (b - a) / length;
        let normal = vec2(-dir.y, dir.x) * half;
        let mut t = carried;
        while t < length {
            let p = a + dir * t;
            shapes.push(Shape::line_segment(
                [p - normal, p + normal],
                EguiStroke::new(stroke.width * 0.7, stroke.color),
            ));
            t += SPACING_PX;
        }
        carried = t - length;
    }
}

/// The marker's outline as a polygon around `center`, for the convex shapes.
fn regular_polygon(center: Pos2, radius: f32, corners: usize, rotation: f32) -> Vec<Pos2> {
    (0..corners)
        .map(|k| {
            #[expect(clippy::cast_precision_loss, reason = "corner counts are tiny")]
            let angle = rotation + std::f32::consts::TAU * k as f32 / corners as f32;
            center + vec2(angle.cos(), angle.sin()) * radius
        })
        .collect()
}

pub fn marker_shapes(center: Pos2, marker: &Marker, shapes: &mut Vec<Shape>) {
    let r = marker.size_px / 2.0 + 1.0;
    let fill = color32(marker.fill);
    let outline = EguiStroke::new(marker.outline_px, color32(marker.outline));
    let up = -std::f32::consts::FRAC_PI_2;
    let polygon = |points: Vec<Pos2>| Shape::convex_polygon(points, fill, outline);
    match marker.shape {
        MarkerShape::Circle => {
            shapes.push(Shape::circle_filled(center, r, fill));
            shapes.push(Shape::circle_stroke(center, r, outline));
        }
        MarkerShape::Ring => {
            shapes.push(Shape::circle_stroke(
                center,
                r,
                EguiStroke::new(r * 0.8, fill),
            ));
            shapes.push(Shape::circle_stroke(center, r + r * 0.4, outline));
        }
        MarkerShape::Square => shapes.push(polygon(regular_polygon(
            center,
            r * 1.2,
            4,
            std::f32::consts::FRAC_PI_4,
        ))),
        MarkerShape::Diamond => shapes.push(polygon(regular_polygon(center, r * 1.3, 4, 0.0))),
        MarkerShape::TriangleUp => shapes.push(polygon(regular_polygon(center, r * 1.35, 3, up))),
        MarkerShape::TriangleDown => {
            shapes.push(polygon(regular_polygon(center, r * 1.35, 3, -up)))
        }
        MarkerShape::Hexagon => shapes.push(polygon(regular_polygon(center, r * 1.15, 6, 0.0))),
        MarkerShape::Pentagon => shapes.push(polygon(regular_polygon(center, r * 1.2, 5, up))),
        MarkerShape::Star => {
            // Two overlapping triangles: a six-pointed star built from convex pieces.
            shapes.push(polygon(regular_polygon(center, r * 1.4, 3, up)));
            shapes.push(polygon(regular_polygon(center, r * 1.4, 3, -up)));
        }
        MarkerShape::Cross => {
            let arm = r * 1.1;
            let thick = r * 0.45;
            for rect in [
                Rect::from_center_size(center, vec2(arm * 2.0, thick * 2.0)),
                Rect::from_center_size(center, vec2(thick * 2.0, arm * 2.0)),
            ] {
                shapes.push(Shape::rect_stroke(
                    rect,
                    0.0,
                    outline,
                    egui::StrokeKind::Outside,
                ));
            }
            for rect in [
                Rect::from_center_size(center, vec2(arm * 2.0, thick * 2.0)),
                Rect::from_center_size(center, vec2(thick * 2.0, arm * 2.0)),
            ] {
                shapes.push(Shape::rect_filled(rect, 0.0, fill));
            }
        }
    }
}
