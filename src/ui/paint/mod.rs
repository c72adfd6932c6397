//! Turns a scene into egui shapes inside a screen rectangle: the one egui painter of the map.
//! Its parts: baking shapes into meshes (`bake`), thin lines as textured strips
//! (`thin_lines`), the tiles user layers are shown in (`dense_tiles`) and the rasteriser that
//! draws them (`dense_raster`).

mod bake;
mod dense_raster;
mod dense_tiles;
mod thin_lines;

use std::cell::RefCell;

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke as EguiStroke, pos2, vec2};
use geo::Simplify;

pub use bake::bake;
pub use dense_tiles::{DenseTiles, TilesShown, ZOOM_SHOWN_SCALED};

use crate::scene::symbols::{
    RAILWAY_TICK_SPACING_PX, SymbolPart, marker_parts, railway_ticks_from,
};
use crate::scene::{
    Disc, Fill, Label, LinePattern, Marker, Primitive, Radius, Scene, Stroke, UserLayerMarks,
};
use crate::spatial::clip::{ClipRect, clip_polyline_along, dashes};
use crate::style::Color;
use thin_lines::ThinLines;

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
    /// The tiles user layers are drawn into, kept from frame to frame.
    pub dense: &'a RefCell<DenseTiles>,
    /// Whether the view's scale changed since the last frame: user-layer tiles of an earlier
    /// scale may then stand in, scaled, until the view holds still.
    pub zooming: bool,
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

    /// Paints the scene into `shapes`, and says whether its user layers show at the view's own
    /// scale or, for now, scaled from tiles of another.
    #[must_use]
    pub fn paint(&self, painter: &Painter, shapes: &mut Vec<Shape>) -> TilesShown {
        shapes.push(Shape::rect_filled(
            self.rect,
            0.0,
            color32(self.scene.background),
        ));
        let thin = ThinLines::new(painter.ctx());
        // User layers are drawn together into tiles, placed where the first of them comes in
        // paint order.
        let mut user_layers: Vec<&UserLayerMarks> = Vec::new();
        let mut user_layers_at = None;
        for primitive in &self.scene.primitives {
            match primitive {
                Primitive::Fill(fill) => shapes.push(self.fill(fill)),
                Primitive::Stroke(stroke) => self.stroke(stroke, thin.as_ref(), shapes),
                Primitive::Disc(disc) => self.disc(disc, shapes),
                Primitive::Marker(marker) => {
                    marker_shapes(self.to_screen(marker.center), marker, shapes)
                }
                Primitive::Label(label) => self.label(painter, label, shapes),
                Primitive::UserLayer(layer) => {
                    user_layers_at.get_or_insert(shapes.len());
                    user_layers.push(layer);
                }
            }
        }
        let Some(index) = user_layers_at else {
            return TilesShown::Exact;
        };
        let tiles = self.dense.borrow_mut().shapes(
            painter.ctx(),
            &self.scene.view,
            self.rect,
            &user_layers,
            self.zooming,
        );
        shapes.splice(index..index, tiles.shapes);
        tiles.shown
    }

    /// The area's triangles that reach the picture, and only their corners: a country a
    /// continent wide would otherwise hand every one of its triangles to each frame.
    fn fill(&self, fill: &Fill) -> Shape {
        let color = color32(fill.color);
        let triangles = fill.area.triangles();
        let screen: Vec<Pos2> = fill.area.points().map(|p| self.to_screen(p)).collect();
        let visible = self.rect.expand(1.0);
        let mut mesh = Mesh::default();
        let mut new_index = vec![u32::MAX; screen.len()];
        for triangle in triangles.indices.chunks_exact(3) {
            let corners = [triangle[0], triangle[1], triangle[2]]
                .map(|i| (i, screen.get(i as usize).copied()));
            let [(ia, Some(a)), (ib, Some(b)), (ic, Some(c))] = corners else {
                continue;
            };
            if !visible.intersects(Rect::from_points(&[a, b, c])) {
                continue;
            }
            for (i, pos) in [(ia, a), (ib, b), (ic, c)] {
                let slot = &mut new_index[i as usize];
                if *slot == u32::MAX {
                    *slot = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
                    mesh.vertices.push(Vertex {
                        pos,
                        uv: WHITE_UV,
                        color,
                    });
                }
                mesh.indices.push(*slot);
            }
        }
        Shape::mesh(mesh)
    }

    fn stroke(&self, stroke: &Stroke, thin: Option<&ThinLines>, shapes: &mut Vec<Shape>) {
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
        let tolerance = if stroke.simplify {
            self.scene.stroke_tolerance_px
        } else {
            0.0
        };
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
            // Dashes are cut from the line as it is, so that they sit where they would on the
            // full line, and each is then simplified and stroked as one path.
            let pieces = match stroke.pattern {
                LinePattern::Solid => vec![run.points],
                LinePattern::Dashed { dash_px, gap_px } => {
                    dashes(&run.points, dash_px, gap_px, run.start_length)
                }
            };
            let thin = thin.filter(|thin| !self.scene.full_detail && thin.takes(stroke.width_px));
            for piece in pieces {
                let line: Vec<Pos2> = simplified(piece, tolerance)
                    .into_iter()
                    .map(|[x, y]| pos2(x, y))
                    .collect();
                match thin {
                    Some(thin) => shapes.push(Shape::mesh(thin.strip(
                        &line,
                        stroke.width_px,
                        egui_stroke.color,
                    ))),
                    None => shapes.push(Shape::line(line, egui_stroke)),
                }
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
        let tolerance = self.scene.stroke_tolerance_px;
        if tolerance <= 0.0 {
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
            return;
        }
        // egui gives a 3-pixel city dot 16 points, and its outline 96 triangles; within the
        // stroke tolerance it needs 8.
        // Filled and outlined in one shape, egui fills up to the outline's inside edge and
        // leaves out the fill's own anti-aliased rim, as it does for its circles.
        let fill = if disc.fill.a > 0 {
            color32(disc.fill)
        } else {
            Color32::TRANSPARENT
        };
        let outline = disc.outline.map_or(EguiStroke::NONE, |(width, color)| {
            EguiStroke::new(width, color32(color))
        });
        shapes.push(Shape::convex_polygon(
            circle_outline(center, radius, tolerance),
            fill,
            outline,
        ));
    }

    fn label(&self, painter: &Painter, label: &Label, shapes: &mut Vec<Shape>) {
        let galley = painter.layout_no_wrap(
            label.text.clone(),
            crate::ui::fonts::atlas_font(label.size_px),
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

/// A circle as the polygon with the fewest corners (at least 8) whose sides stay within
/// `tolerance` of it.
fn circle_outline(center: Pos2, radius: f32, tolerance: f32) -> Vec<Pos2> {
    const MIN_CORNERS: f32 = 8.0;
    const MAX_CORNERS: f32 = 128.0;
    // A side spanning the angle 2θ strays radius·(1 − cos θ) from the circle.
    let corners = if radius > tolerance {
        (std::f32::consts::PI / (1.0 - tolerance / radius).acos()).ceil()
    } else {
        MIN_CORNERS
    }
    .clamp(MIN_CORNERS, MAX_CORNERS);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "corners is between 8 and 128"
    )]
    let count = corners as usize;
    (0..count)
        .map(|k| {
            #[expect(clippy::cast_precision_loss, reason = "k is below 128")]
            let angle = std::f32::consts::TAU * k as f32 / corners;
            center + radius * vec2(angle.cos(), angle.sin())
        })
        .collect()
}

/// The path within `tolerance_px` of `points` with the fewest points (Douglas–Peucker).
fn simplified(points: Vec<[f32; 2]>, tolerance_px: f32) -> Vec<[f32; 2]> {
    if tolerance_px <= 0.0 || points.len() <= 2 {
        return points;
    }
    let line: geo::LineString<f32> = points.into_iter().map(geo::Coord::from).collect();
    line.simplify(tolerance_px)
        .0
        .into_iter()
        .map(|c| [c.x, c.y])
        .collect()
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
