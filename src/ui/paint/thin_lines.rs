//! Thin strokes as strips textured with the cross-section of egui's thin anti-aliased line:
//! two triangles a segment where egui's tessellator takes four, for the same pixels.

use egui::epaint::{Mesh, Vertex};
use egui::{Color32, Pos2, pos2};

/// Texels across the thin-line profile.
const LINE_PROFILE_TEXELS: usize = 64;

/// The cross-section of egui's thin anti-aliased line as a one-row texture: transparent at
/// both edges, opaque in the middle, linear between. A thin stroke drawn as a strip textured
/// with it takes two triangles a segment where egui's tessellator takes four, for the same
/// pixels; Mesa's software renderer keeps memory for each triangle of the last frame.
fn line_profile_texture(ctx: &egui::Context) -> egui::TextureId {
    let id = egui::Id::unique("sinokaz-atlas-line-profile-texture");
    if let Some(texture) = ctx.data(|data| data.get_temp::<egui::TextureHandle>(id)) {
        return texture.id();
    }
    #[expect(clippy::cast_precision_loss, reason = "64 texels")]
    let texels = (0..LINE_PROFILE_TEXELS)
        .map(|i| {
            let across = (i as f32 + 0.5) / LINE_PROFILE_TEXELS as f32;
            let alpha = 1.0 - (2.0 * across - 1.0).abs();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "alpha is between 0 and 1"
            )]
            let alpha = (alpha * 255.0).round() as u8;
            Color32::from_white_alpha(alpha)
        })
        .collect();
    let texture = ctx.load_texture(
        "line-profile",
        egui::ColorImage::new([LINE_PROFILE_TEXELS, 1], texels),
        egui::TextureOptions::LINEAR,
    );
    let texture_id = texture.id();
    ctx.data_mut(|data| data.insert_temp(id, texture));
    texture_id
}

/// How thin strokes are drawn in this frame: the profile texture, and egui's feathering
/// width in points (a pixel).
pub(super) struct ThinLines {
    texture: egui::TextureId,
    feather: f32,
}

impl ThinLines {
    pub(super) fn new(ctx: &egui::Context) -> Option<Self> {
        let options = ctx.tessellation_options(|options| *options);
        // Without feathering egui draws hard-edged lines, and so does the map.
        options.feathering.then(|| Self {
            texture: line_profile_texture(ctx),
            feather: options.feathering_size_in_pixels / ctx.pixels_per_point(),
        })
    }

    /// Whether egui would draw a line this wide as a thin line (its 0.9 rule).
    pub(super) fn takes(&self, width: f32) -> bool {
        width <= 0.9 * self.feather
    }

    /// The strip for a thin line through `points`: the path egui's thin line covers, two
    /// feather widths wide, with the profile across it in place of egui's middle row of
    /// vertices.
    pub(super) fn strip(&self, points: &[Pos2], width: f32, color: Color32) -> Mesh {
        let color = color.gamma_multiply(width / self.feather);
        let mut mesh = Mesh::with_texture(self.texture);
        for (at, normal) in path_normals(points) {
            let first = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
            if first >= 2 {
                mesh.add_triangle(first - 2, first - 1, first);
                mesh.add_triangle(first - 1, first, first + 1);
            }
            for (side, u) in [(1.0, 0.0), (-1.0, 1.0)] {
                mesh.vertices.push(Vertex {
                    pos: at + normal * (side * self.feather),
                    uv: pos2(u, 0.5),
                    color,
                });
            }
        }
        mesh
    }
}

/// Each point of an open path with its normal, as egui's `Path::add_open_points` makes them:
/// mitred at corners, and a corner sharper than a right angle cut off with two points.
fn path_normals(points: &[Pos2]) -> Vec<(Pos2, egui::Vec2)> {
    let n = points.len();
    let mut out = Vec::with_capacity(n + 2);
    if n < 2 {
        return out;
    }
    let along = |i: usize| (points[i + 1] - points[i]).normalized().rot90();
    out.push((points[0], along(0)));
    let mut n0 = along(0);
    for (i, &at) in points.iter().enumerate().take(n - 1).skip(1) {
        let mut n1 = along(i);
        if n0 == egui::Vec2::ZERO {
            n0 = n1;
        } else if n1 == egui::Vec2::ZERO {
            n1 = n0;
        }
        let normal = (n0 + n1) * 0.5;
        let length_sq = normal.length_sq();
        if length_sq < 0.5 {
            let centre = normal.normalized();
            let n0c = (n0 + centre) * 0.5;
            let n1c = (n1 + centre) * 0.5;
            out.push((at, n0c / n0c.length_sq()));
            out.push((at, n1c / n1c.length_sq()));
        } else {
            out.push((at, normal / length_sq));
        }
        n0 = n1;
    }
    out.push((points[n - 1], along(n - 2)));
    out
}

#[cfg(test)]
mod tests {
    /// A thin line drawn as a textured strip must look like egui's own thin line: the same
    /// ink, and no pixel far from it, over straight stretches, a mitred corner and one sharp
    /// enough to be cut off.
    #[test]
    fn a_thin_line_drawn_as_a_strip_looks_like_egui_s() {
        use egui::{Color32, Pos2, Rect, pos2, vec2};
        let size = vec2(160.0, 120.0);
        let points = vec![
            pos2(10.0, 100.0),
            pos2(60.3, 20.7),
            pos2(90.0, 95.0),
            pos2(150.0, 60.0),
            pos2(100.0, 58.0),
        ];
        let render = |strip: bool| {
            let points = points.clone();
            let mut harness =
                egui_kittest::Harness::builder()
                    .with_size(size)
                    .build_ui(move |ui| {
                        let rect = Rect::from_min_size(Pos2::ZERO, size);
                        ui.painter().rect_filled(rect, 0.0, Color32::WHITE);
                        let color = Color32::from_rgb(40, 40, 40);
                        let shape = if strip {
                            let thin = super::ThinLines::new(ui.ctx()).expect("egui feathers");
                            assert!(thin.takes(0.6));
                            egui::Shape::mesh(thin.strip(&points, 0.6, color))
                        } else {
                            egui::Shape::line(points.clone(), egui::Stroke::new(0.6, color))
                        };
                        ui.painter().add(shape);
                    });
            harness.run();
            harness.render().expect("renders").into_raw()
        };
        let (strip, egui_line) = (render(true), render(false));
        let ink =
            |image: &[u8]| -> u64 { image.chunks_exact(4).map(|p| u64::from(255 - p[0])).sum() };
        let (strip_ink, egui_ink) = (ink(&strip), ink(&egui_line));
        assert!(egui_ink > 10_000, "egui drew the line: {egui_ink}");
        #[expect(clippy::cast_precision_loss, reason = "sums of a small picture")]
        let ratio = strip_ink as f64 / egui_ink as f64;
        assert!(
            (0.97..=1.03).contains(&ratio),
            "ink {strip_ink} against {egui_ink}"
        );
        let far = strip
            .chunks_exact(4)
            .zip(egui_line.chunks_exact(4))
            .filter(|(a, b)| a[0].abs_diff(b[0]) > 24)
            .count();
        assert!(far <= 12, "{far} pixels differ by more than 24 levels");
    }
}
