//! Shapes tessellated once into meshes that later frames hand to egui as they are, cut into
//! the batches a software renderer is made to finish one by one (`ui::batches`).

use egui::epaint::{Mesh, Tessellator};
use egui::{Color32, Rect, Shape};

use crate::ui::batches::{DrawBatches, cut_mesh};

/// A texture of one white pixel, made once per context. Baked map meshes are drawn with it
/// rather than with the white texel of the font atlas that egui's own shapes use: egui batches
/// shapes of one texture into one growing mesh, and a map's worth of triangles followed by
/// text would otherwise be copied again each time the text makes that mesh grow.
fn white_texture(ctx: &egui::Context) -> egui::TextureId {
    let id = egui::Id::unique("sinokaz-atlas-white-texture");
    if let Some(texture) = ctx.data(|data| data.get_temp::<egui::TextureHandle>(id)) {
        return texture.id();
    }
    let texture = ctx.load_texture(
        "white",
        egui::ColorImage::new([1, 1], vec![Color32::WHITE]),
        egui::TextureOptions::NEAREST,
    );
    let texture_id = texture.id();
    ctx.data_mut(|data| data.insert_temp(id, texture));
    texture_id
}

/// Tessellates `shapes` once, into as few meshes as their textures, paint order and batches
/// allow, so that frames reusing the picture hand egui finished triangles instead of thousands
/// of paths to stroke again. Text stays text: its texture coordinates follow the font atlas,
/// which can grow after this frame. With `batches`, meshes are also cut where a batch is full,
/// and a separator ends each batch; text is not cut, so a batch that ends in text can run over
/// by that text's triangles.
pub fn bake(
    ctx: &egui::Context,
    clip_rect: Rect,
    shapes: Vec<Shape>,
    batches: Option<&DrawBatches>,
) -> Vec<Shape> {
    // Shapes other than text only ever sample the font atlas's white texel (there are no
    // prepared discs here), and any coordinate samples white in a one-pixel white texture.
    let white = white_texture(ctx);
    let font_image_size = ctx.fonts(|fonts| fonts.font_image_size());
    let options = ctx.tessellation_options(|options| *options);
    // No prepared discs: circles are tessellated as paths, which is what they look like anyway.
    let mut tessellator =
        Tessellator::new(ctx.pixels_per_point(), options, font_image_size, Vec::new());
    tessellator.set_clip_rect(clip_rect);
    let mut baked = Baked {
        shapes: Vec::new(),
        batches,
        clip_rect,
        in_batch: 0,
    };
    let mut mesh = Mesh::default();
    let mut flat = Vec::with_capacity(shapes.len());
    flatten(shapes, &mut flat);
    for shape in flat {
        if let Shape::Text(text) = &shape {
            let triangles = text
                .galley
                .rows
                .iter()
                .map(|row| row.visuals.mesh.indices.len() / 3)
                .sum();
            baked.finish_mesh(&mut mesh, white);
            baked.push(shape, triangles, false);
            continue;
        }
        let texture = shape.texture_id();
        if !mesh.is_empty() && mesh.texture_id != texture {
            baked.finish_mesh(&mut mesh, white);
        }
        mesh.texture_id = texture;
        tessellator.tessellate_shape(shape, &mut mesh);
    }
    baked.finish_mesh(&mut mesh, white);
    // The frame ends there anyway.
    if let (Some(batches), Some(last)) = (batches, baked.shapes.last())
        && batches.is_separator(last)
    {
        baked.shapes.pop();
    }
    baked.shapes
}

/// The shapes `bake` has made so far, and how full the batch being made is.
struct Baked<'a> {
    shapes: Vec<Shape>,
    batches: Option<&'a DrawBatches>,
    clip_rect: Rect,
    /// Triangles since the last separator.
    in_batch: usize,
}

impl Baked<'_> {
    /// Adds `shape`, of about `triangles` triangles, ending the batch once it is full, or
    /// after it anyway when `ends_batch`.
    fn push(&mut self, shape: Shape, triangles: usize, ends_batch: bool) {
        self.shapes.push(shape);
        self.in_batch += triangles;
        if let Some(batches) = self.batches
            && (ends_batch || self.in_batch >= batches.max_triangles())
        {
            self.shapes.push(batches.separator(self.clip_rect));
            self.in_batch = 0;
        }
    }

    /// Adds the mesh made so far, cut where batches end, and starts a new one.
    fn finish_mesh(&mut self, mesh: &mut Mesh, white: egui::TextureId) {
        if mesh.is_empty() {
            return;
        }
        let mut mesh = std::mem::take(mesh);
        if mesh.texture_id == egui::TextureId::default() {
            mesh.texture_id = white;
        }
        let triangles = mesh.indices.len() / 3;
        match self.batches {
            Some(batches) if self.in_batch + triangles > batches.max_triangles() => {
                let room = batches.max_triangles() - self.in_batch;
                let pieces = cut_mesh(&mesh, room, batches.max_triangles());
                let last = pieces.len().saturating_sub(1);
                // Every piece but the last fills its batch, even one a triangle short for
                // a corner the mesh lacked.
                for (i, piece) in pieces.into_iter().enumerate() {
                    let triangles = piece.indices.len() / 3;
                    self.push(Shape::mesh(piece), triangles, i < last);
                }
            }
            _ => self.push(Shape::mesh(mesh), triangles, false),
        }
    }
}

fn flatten(shapes: Vec<Shape>, out: &mut Vec<Shape>) {
    for shape in shapes {
        match shape {
            Shape::Vec(inner) => flatten(inner, out),
            Shape::Noop => {}
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use egui::{FontId, Pos2, Stroke as EguiStroke, pos2, vec2};

    use super::*;

    /// Baked in batches, a picture keeps every triangle, in the same order and with the same
    /// texture, and no batch holds more triangles than allowed.
    #[test]
    fn batches_hold_the_same_triangles_in_the_same_order() {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let mut shapes = Vec::new();
            for i in 0..40_u8 {
                let y = f32::from(i) * 5.0;
                let line: Vec<Pos2> = (0..200_u16)
                    .map(|x| pos2(f32::from(x) * 3.0, y + f32::from(x % 7)))
                    .collect();
                shapes.push(Shape::line(line, EguiStroke::new(1.5, Color32::RED)));
                if i % 10 == 0 {
                    let galley = ui.painter().layout_no_wrap(
                        "Khorgos".into(),
                        FontId::proportional(12.0),
                        Color32::BLACK,
                    );
                    shapes.push(Shape::galley(pos2(5.0, y), galley, Color32::BLACK));
                }
            }
            let rect = Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0));
            let batches = DrawBatches::finishing_every(1000);
            let whole = bake(ui.ctx(), rect, shapes.clone(), None);
            let batched = bake(ui.ctx(), rect, shapes, Some(&batches));

            // Each triangle as its texture and corners; text as its position.
            let contents = |shapes: &[Shape]| -> Vec<String> {
                let mut out = Vec::new();
                for shape in shapes {
                    match shape {
                        Shape::Mesh(mesh) => {
                            for triangle in mesh.indices.chunks_exact(3) {
                                let corners = triangle.iter().map(|&i| {
                                    let v = mesh.vertices[i as usize];
                                    (v.pos, v.color)
                                });
                                out.push(format!(
                                    "{:?} {:?}",
                                    mesh.texture_id,
                                    corners.collect::<Vec<_>>()
                                ));
                            }
                        }
                        Shape::Text(text) => out.push(format!("text at {:?}", text.pos)),
                        Shape::Callback(_) => {}
                        other => out.push(format!("{other:?}")),
                    }
                }
                out
            };
            assert!(!whole.iter().any(|s| matches!(s, Shape::Callback(_))));
            assert_eq!(contents(&batched), contents(&whole));

            let mut batch_sizes = vec![0_usize];
            for shape in &batched {
                if batches.is_separator(shape) {
                    batch_sizes.push(0);
                } else if let (Shape::Mesh(mesh), Some(size)) = (shape, batch_sizes.last_mut()) {
                    *size += mesh.indices.len() / 3;
                }
            }
            let triangles: usize = batch_sizes.iter().sum();
            assert!(triangles > 20_000, "{triangles} triangles");
            assert!(batch_sizes.len() >= triangles / 1000, "{batch_sizes:?}");
            assert!(batch_sizes.iter().all(|&n| n <= 1000), "{batch_sizes:?}");
        });
        // The font atlas this frame made has no renderer to go to.
        output.textures_delta.clear();
    }
}
