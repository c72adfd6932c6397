//! The map's triangles drawn in batches on a software OpenGL renderer.
//!
//! Mesa's llvmpipe, the OpenGL of a machine without a GPU driver, sorts every triangle it is
//! given into screen tiles before it draws any, and holds some 400 bytes of heap for each
//! until the scene is flushed, which egui's painter leaves to the end of the frame. A map frame
//! of 80,000 triangles held more than 30 MB that way. A flush alone did not help: llvmpipe's
//! drawing threads fell behind and it went on binning the next draw calls. Making it finish
//! (flush and wait) every few thousand triangles bounds that memory to one batch. A hardware driver
//! keeps such data on the GPU, where a finish would only stall the pipeline, so the map is
//! drawn in batches only on a software renderer.

use std::sync::Arc;

use eframe::egui_glow::CallbackFn;
use eframe::glow::{self, HasContext as _};
use egui::epaint::Mesh;
use egui::{PaintCallback, Rect, Shape};

/// Triangles drawn between two finishes. With llvmpipe on the opening view zoomed out three
/// steps, batches of 2,500, 5,000 and 10,000 triangles peaked at 138.2, 138.6 and 142.8 MB,
/// against 160 MB unbatched; frames took as long either way.
pub const BATCH_TRIANGLES: usize = 4_000;

/// How the map's meshes are cut, and what goes between two batches.
pub struct DrawBatches {
    max_triangles: usize,
    finish: Arc<CallbackFn>,
}

impl DrawBatches {
    /// Batches of at most `max_triangles` (at least one), each finished before the next is
    /// given to OpenGL.
    pub fn finishing_every(max_triangles: usize) -> Self {
        Self {
            max_triangles: max_triangles.max(1),
            finish: Arc::new(CallbackFn::new(|_info, painter| finish(painter.gl()))),
        }
    }

    /// Batches when `gl` is a software renderer, none on a GPU.
    pub fn for_renderer(gl: &glow::Context) -> Option<Self> {
        let renderer = renderer_name(gl);
        log::info!("OpenGL renderer: {renderer}");
        is_software_renderer(&renderer).then(|| Self::finishing_every(BATCH_TRIANGLES))
    }

    pub fn max_triangles(&self) -> usize {
        self.max_triangles
    }

    /// The shape that ends a batch. egui_glow gives it the viewport of `rect`, so that is the
    /// map's rectangle, and restores its own state after it.
    pub fn separator(&self, rect: Rect) -> Shape {
        Shape::Callback(PaintCallback {
            rect,
            callback: Arc::clone(&self.finish) as _,
        })
    }

    /// Whether `shape` is a separator made by these batches.
    pub fn is_separator(&self, shape: &Shape) -> bool {
        matches!(shape, Shape::Callback(callback)
            if callback.callback.downcast_ref::<CallbackFn>()
                .is_some_and(|f| std::ptr::eq(f, Arc::as_ptr(&self.finish))))
    }
}

/// Whether the OpenGL renderer named `name` draws on the CPU: Mesa's llvmpipe and softpipe,
/// and the older swrast.
pub fn is_software_renderer(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["llvmpipe", "softpipe", "swrast"]
        .iter()
        .any(|software| name.contains(software))
}

#[expect(
    unsafe_code,
    reason = "glow's calls are foreign functions; glGetString(GL_RENDERER) needs only the \
              current context, which eframe has made current when it hands the context out"
)]
fn renderer_name(gl: &glow::Context) -> String {
    unsafe { gl.get_parameter_string(glow::RENDERER) }
}

#[expect(
    unsafe_code,
    reason = "glow's calls are foreign functions; glFinish needs only the current context, \
              which egui_glow has made current while it runs a paint callback"
)]
fn finish(gl: &glow::Context) {
    unsafe { gl.finish() }
}

/// Cuts `mesh` into meshes of `first` triangles, then `each`, in paint order; each piece
/// holds only the vertices its triangles use.
pub fn cut_mesh(mesh: &Mesh, first: usize, each: usize) -> Vec<Mesh> {
    let triangles = mesh.indices.len() / 3;
    let mut pieces = Vec::new();
    let mut slot = vec![u32::MAX; mesh.vertices.len()];
    let mut start = 0;
    let mut size = first.max(1);
    while start < triangles {
        let end = start + size.min(triangles - start);
        let indices = &mesh.indices[start * 3..end * 3];
        let mut piece = Mesh::with_texture(mesh.texture_id);
        for triangle in indices.chunks_exact(3) {
            // A triangle naming a vertex the mesh lacks is left out whole.
            if triangle.iter().any(|&i| i as usize >= mesh.vertices.len()) {
                continue;
            }
            for &index in triangle {
                let new = &mut slot[index as usize];
                if *new == u32::MAX {
                    *new = u32::try_from(piece.vertices.len()).unwrap_or(u32::MAX);
                    piece.vertices.push(mesh.vertices[index as usize]);
                }
                piece.indices.push(*new);
            }
        }
        for &index in indices {
            if let Some(new) = slot.get_mut(index as usize) {
                *new = u32::MAX;
            }
        }
        if !piece.is_empty() {
            pieces.push(piece);
        }
        start = end;
        size = each.max(1);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::epaint::Vertex;
    use egui::{Color32, pos2};

    /// A strip of `triangles` triangles, each vertex at a distinct position.
    fn strip(triangles: u32) -> Mesh {
        let mut mesh = Mesh::default();
        for i in 0..triangles + 2 {
            #[expect(clippy::cast_precision_loss, reason = "small test numbers")]
            let x = i as f32;
            mesh.vertices.push(Vertex {
                pos: pos2(x, (i % 2) as f32),
                uv: pos2(0.0, 0.0),
                color: Color32::WHITE,
            });
        }
        for i in 0..triangles {
            mesh.add_triangle(i, i + 1, i + 2);
        }
        mesh
    }

    fn corners(mesh: &Mesh) -> Vec<[f32; 2]> {
        mesh.indices
            .iter()
            .map(|&i| {
                let p = mesh.vertices[i as usize].pos;
                [p.x, p.y]
            })
            .collect()
    }

    #[test]
    fn cutting_keeps_every_triangle_in_order_with_only_its_vertices() {
        let mesh = strip(10);
        let pieces = cut_mesh(&mesh, 3, 4);
        let sizes: Vec<usize> = pieces.iter().map(|p| p.indices.len() / 3).collect();
        assert_eq!(sizes, [3, 4, 3]);
        let joined: Vec<[f32; 2]> = pieces.iter().flat_map(corners).collect();
        assert_eq!(joined, corners(&mesh));
        for piece in &pieces {
            assert!(piece.is_valid());
            // A strip of n triangles uses n + 2 vertices; nothing else is copied.
            assert_eq!(piece.vertices.len(), piece.indices.len() / 3 + 2);
        }
    }

    #[test]
    fn cutting_survives_empty_sizes_and_bad_indices() {
        let mut mesh = strip(5);
        mesh.indices.extend([0, 1, 99]);
        let pieces = cut_mesh(&mesh, 0, 0);
        assert_eq!(pieces.len(), 5, "one a triangle, the bad one left out");
        assert!(pieces.iter().all(|p| p.indices.len() == 3 && p.is_valid()));
        assert!(cut_mesh(&Mesh::default(), 5, 5).is_empty());
        // Sizes past the end of the mesh take the rest.
        let rest = cut_mesh(&strip(10), 1, usize::MAX);
        let sizes: Vec<usize> = rest.iter().map(|p| p.indices.len() / 3).collect();
        assert_eq!(sizes, [1, 9]);
        assert_eq!(cut_mesh(&strip(10), usize::MAX, 1).len(), 1);
    }

    #[test]
    fn software_renderers_are_told_from_gpus() {
        assert!(is_software_renderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(is_software_renderer("softpipe"));
        assert!(!is_software_renderer("NVIDIA GeForce RTX 3060/PCIe/SSE2"));
        assert!(!is_software_renderer(
            "Mesa Intel(R) UHD Graphics 620 (KBL GT2)"
        ));
    }
}
