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
    /// Where dense user layers are drawn as one image; without it they are meshes.
    pub dense: Option<&'a std::cell::RefCell<DenseImage>>,
}

/// The texture dense user layers are drawn into, kept from frame to frame so that a still map
/// keeps showing it and a moving one replaces its pixels instead of making a new texture.
#[derive(Default)]
pub struct DenseImage {
    texture: Option<egui::TextureHandle>,
}

/// The part of the segment from `a` to `b` within a pixel of the rectangle from the origin to
/// `max` (Liang–Barsky), or `None` when none of it is, or it is not finite.
fn clip_segment(a: [f32; 2], b: [f32; 2], max: [f32; 2]) -> Option<([f32; 2], [f32; 2])> {
    if !a.iter().chain(&b).all(|v| v.is_finite()) {
        return None;
    }
    // In f64: the ends of a segment millions of pixels long are far apart in f32 steps.
    let [a, b, max] = [a, b, max].map(|p| p.map(f64::from));
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-d[0], a[0] + 1.0),
        (d[0], max[0] + 1.0 - a[0]),
        (-d[1], a[1] + 1.0),
        (d[1], max[1] + 1.0 - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
            continue;
        }
        let r = q / p;
        if p < 0.0 {
            enter = enter.max(r);
        } else {
            leave = leave.min(r);
        }
        if enter > leave {
            return None;
        }
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the ends lie on the canvas"
    )]
    let at = |t: f64| [(a[0] + t * d[0]) as f32, (a[1] + t * d[1]) as f32];
    Some((at(enter), at(leave)))
}

/// Pixels of dense layers being drawn. Marks of one colour collect in a coverage mask, which
/// is laid onto the premultiplied pixels when the colour changes and at the end: a mark costs
/// a saturating add, not a blend.
struct DenseCanvas {
    size: [usize; 2],
    scale: f32,
    pixels: Vec<Color32>,
    mask: Vec<u8>,
    mask_color: Option<Color32>,
}

impl DenseCanvas {
    fn new(size: [usize; 2], scale: f32) -> Self {
        Self {
            size,
            scale,
            pixels: vec![Color32::TRANSPARENT; size[0] * size[1]],
            mask: vec![0; size[0] * size[1]],
            mask_color: None,
        }
    }

    /// Starts marks of `color`, laying down those of the previous colour first.
    fn use_color(&mut self, color: Color32) {
        if self.mask_color != Some(color) {
            self.flush();
            self.mask_color = Some(color);
        }
    }

    fn flush(&mut self) {
        let Some(color) = self.mask_color.take() else {
            return;
        };
        let source = color.to_array().map(u32::from);
        for (pixel, coverage) in self.pixels.iter_mut().zip(&mut self.mask) {
            if *coverage == 0 {
                continue;
            }
            let weight = u32::from(std::mem::take(coverage));
            let marked = source.map(|c| (c * weight + 127) / 255);
            let keep = 255 - marked[3];
            let before = pixel.to_array();
            let mixed: [u8; 4] = std::array::from_fn(|i| {
                u8::try_from(marked[i] + (u32::from(before[i]) * keep + 127) / 255)
                    .unwrap_or(u8::MAX)
            });
            *pixel = Color32::from_rgba_premultiplied(mixed[0], mixed[1], mixed[2], mixed[3]);
        }
    }

    fn mark(&mut self, x: i64, y: i64, coverage: f32) {
        let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
            return;
        };
        if x >= self.size[0] || y >= self.size[1] {
            return;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "coverage is clamped to 0..=1"
        )]
        let add = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
        let cell = &mut self.mask[y * self.size[0] + x];
        *cell = cell.saturating_add(add);
    }

    fn dots(&mut self, dots: &Dots) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "pixel positions and sizes fit in i64"
        )]
        let side = (dots.size_px * self.scale).round().max(1.0) as i64;
        let [width, height] = self.size.map(|n| i64::try_from(n).unwrap_or(0));
        for &[x, y] in &dots.centers_px {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions fit in i64"
            )]
            let (left, top) = (
                (x * self.scale - side as f32 / 2.0).round() as i64,
                (y * self.scale - side as f32 / 2.0).round() as i64,
            );
            let (Ok(start), Ok(end)) = (
                usize::try_from(left.max(0)),
                usize::try_from((left + side).min(width)),
            ) else {
                continue;
            };
            for row in top.max(0)..(top + side).min(height) {
                let Ok(row) = usize::try_from(row) else {
                    continue;
                };
                if start < end {
                    let line = row * self.size[0];
                    self.mask[line + start..line + end].fill(255);
                }
            }
        }
    }

    /// Anti-aliased lines about a pixel wide: each step along the longer axis shares its
    /// coverage between the two pixels the line passes between (Wu's method).
    fn polylines(&mut self, lines: &Polylines) {
        for path in &lines.paths_px {
            for pair in path.windows(2) {
                let [a, b] = [pair[0], pair[1]].map(|p| [p[0] * self.scale, p[1] * self.scale]);
                // Only the part on the canvas is stepped along: zoomed far in, a segment can be
                // millions of pixels long.
                #[expect(clippy::cast_precision_loss, reason = "canvas sizes are small")]
                let Some((a, b)) = clip_segment(a, b, [self.size[0] as f32, self.size[1] as f32])
                else {
                    continue;
                };
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let steep = dy.abs() > dx.abs();
                let steps = dx.abs().max(dy.abs()).ceil().max(1.0);
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "segments are at most a few thousand pixels"
                )]
                for step in 0..=(steps as i64) {
                    #[expect(clippy::cast_precision_loss, reason = "small step counts")]
                    let t = step as f32 / steps;
                    let (x, y) = (a[0] + dx * t, a[1] + dy * t);
                    let (major, minor) = if steep { (y, x) } else { (x, y) };
                    let floor = (minor - 0.5).floor();
                    let fraction = minor - 0.5 - floor;
                    #[expect(clippy::cast_possible_truncation, reason = "pixel positions")]
                    let (major, floor) = (major.floor() as i64, floor as i64);
                    for (offset, coverage) in [(0, 1.0 - fraction), (1, fraction)] {
                        let (px, py) = if steep {
                            (floor + offset, major)
                        } else {
                            (major, floor + offset)
                        };
                        self.mark(px, py, coverage);
                    }
                }
            }
        }
    }
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
        // Dense layers go into one image, placed where the first of them comes in paint order.
        let mut canvas: Option<(usize, DenseCanvas)> = None;
        let canvas_at = |shapes: &Vec<Shape>| {
            let scale = painter.ctx().pixels_per_point();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "screen sizes are small positive numbers"
            )]
            let size = [
                (self.rect.width() * scale).round().max(1.0) as usize,
                (self.rect.height() * scale).round().max(1.0) as usize,
            ];
            (shapes.len(), DenseCanvas::new(size, scale))
        };
        for primitive in &self.scene.primitives {
            match primitive {
                Primitive::Dots(dots) if self.dense.is_some() => {
                    let (_, canvas) = canvas.get_or_insert_with(|| canvas_at(shapes));
                    canvas.use_color(color32(dots.color));
                    canvas.dots(dots);
                    continue;
                }
                Primitive::Polylines(lines) if self.dense.is_some() => {
                    let (_, canvas) = canvas.get_or_insert_with(|| canvas_at(shapes));
                    canvas.use_color(color32(lines.color));
                    canvas.polylines(lines);
                    continue;
                }
                _ => {}
            }
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
        if let (Some((index, mut canvas)), Some(dense)) = (canvas, self.dense) {
            canvas.flush();
            let image = egui::ColorImage::new(canvas.size, canvas.pixels);
            let mut dense = dense.borrow_mut();
            let texture = match &mut dense.texture {
                Some(texture) => {
                    texture.set(image, egui::TextureOptions::NEAREST);
                    texture.id()
                }
                empty @ None => empty
                    .insert(painter.ctx().load_texture(
                        "dense-user-layers",
                        image,
                        egui::TextureOptions::NEAREST,
                    ))
                    .id(),
            };
            shapes.insert(
                index,
                Shape::image(
                    texture,
                    self.rect,
                    Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                    Color32::WHITE,
                ),
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_cut_to_the_canvas() {
        let canvas = [100.0, 50.0];
        // From far left to far right through the middle: cut to a pixel beyond each side.
        let (a, b) = clip_segment([-1e9, 25.0], [1e9, 25.0], canvas).expect("crosses");
        assert!(
            (a[0] + 1.0).abs() < 1e-3 && (b[0] - 101.0).abs() < 1e-3,
            "{a:?} {b:?}"
        );
        // Wholly inside: unchanged.
        assert_eq!(
            clip_segment([10.0, 10.0], [20.0, 30.0], canvas),
            Some(([10.0, 10.0], [20.0, 30.0]))
        );
        // Wholly outside, or not finite: nothing.
        assert_eq!(clip_segment([200.0, 10.0], [300.0, 10.0], canvas), None);
        assert_eq!(clip_segment([f32::NAN, 10.0], [30.0, 10.0], canvas), None);
    }

    /// A line millions of pixels long (zoomed far in) is drawn in the time of its visible part,
    /// and only on the canvas.
    #[test]
    fn a_huge_line_marks_only_the_canvas() {
        let mut canvas = DenseCanvas::new([64, 32], 1.0);
        canvas.polylines(&Polylines {
            paths_px: vec![vec![[-3e9, 16.0], [3e9, 16.0]]],
            width_px: 1.0,
            color: Color::rgb(0, 0, 0),
        });
        let marked = canvas.mask.iter().filter(|&&m| m > 0).count();
        assert!((64..=130).contains(&marked), "{marked} pixels marked");
    }
}
