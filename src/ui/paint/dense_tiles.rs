//! User layers as square images on the map plane's pixel grid, kept from frame to frame, so
//! that a moving map draws only the tiles coming into view.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Color32, Rect, Shape, pos2, vec2};

use super::dense_raster;
use crate::scene::model::ProjectedUserLayer;
use crate::scene::{PixelWindow, UserLayerMarks, View, same_scale};
use crate::style::Color;

/// Side of a user-layer tile in pixels.
pub(super) const TILE_PX: usize = 240;

/// User layers drawn into square images on the map plane's pixel grid at one scale: panning
/// shows the tiles it already has and draws only those coming into view, so a moving map
/// costs about what a still one does however dense the layers are. While the map zooms, the
/// tiles held are shown scaled to each new scale, as long as it stays within
/// `ZOOM_SHOWN_SCALED` of theirs, and only tiles coming into view are drawn (at the held
/// scale); once the scale holds still for a frame, or leaves that range, the tiles are drawn
/// anew at the view's own scale. A change of layers starts over.
#[derive(Default)]
pub struct DenseTiles {
    key: Option<TilesKey>,
    tiles: HashMap<[i64; 2], Tile>,
    /// Counts the frames that drew tiles, to let go of the longest unused first.
    frame: u64,
}

/// How far the view's scale may stray while zooming from that of what was drawn before it is
/// drawn anew: the drawn scale (km per pixel) over the view's. Zoomed in, what was drawn shows
/// larger (lines and marks up to 1.6 times as thick); zoomed out, smaller, and more of it is
/// needed to cover the view, so that side is kept short. Map pictures and user-layer tiles
/// keep to the same range, and a picture holding tiles of another scale is not itself shown
/// scaled, so that what shows stays within this range of the view's scale.
pub const ZOOM_SHOWN_SCALED: std::ops::RangeInclusive<f64> = 0.8..=1.6;

/// The user layers' part of a picture, and whether it shows them at the view's own scale.
pub(super) struct DenseShapes {
    pub shapes: Vec<Shape>,
    /// False while zooming, when tiles drawn at an earlier scale are shown scaled: a picture
    /// holding them is to be made again once the view holds still.
    pub exact: bool,
}

#[derive(Debug)]
struct TilesKey {
    km_per_px: f64,
    px_per_point: f32,
    layers: Vec<(Arc<ProjectedUserLayer>, Color)>,
}

impl TilesKey {
    /// Whether tiles drawn for `self` serve `other` as they are. A view moved by panning can
    /// compute its scale a rounding error away from before; that is the same scale.
    fn serves(&self, other: &Self) -> bool {
        same_scale(self.km_per_px, other.km_per_px) && self.shows_same_layers(other)
    }

    /// Whether tiles drawn for `self` can stand in, scaled, for those of `other` while the
    /// map zooms.
    fn serves_scaled(&self, other: &Self) -> bool {
        ZOOM_SHOWN_SCALED.contains(&(self.km_per_px / other.km_per_px))
            && self.shows_same_layers(other)
    }

    fn shows_same_layers(&self, other: &Self) -> bool {
        // The key holds each layer, so an equal address is the same layer, never a new one
        // that happens to live where an old one did.
        self.px_per_point.to_bits() == other.px_per_point.to_bits()
            && self.layers.len() == other.layers.len()
            && self
                .layers
                .iter()
                .zip(&other.layers)
                .all(|(a, b)| Arc::ptr_eq(&a.0, &b.0) && a.1 == b.1)
    }
}

struct Tile {
    /// None for a tile with no marks in it.
    texture: Option<egui::TextureHandle>,
    last_used: u64,
}

impl DenseTiles {
    /// Shapes showing `layers` over `rect`, the screen rectangle of `view`: one image per tile
    /// with marks, drawn now if it was not held. While `zooming`, tiles of an earlier scale
    /// may stand in.
    pub(super) fn shapes(
        &mut self,
        ctx: &egui::Context,
        view: &View,
        rect: Rect,
        layers: &[&UserLayerMarks],
        zooming: bool,
    ) -> DenseShapes {
        let px_per_point = ctx.pixels_per_point();
        let view_km_per_px = view.km_per_px() / f64::from(px_per_point);
        let key = TilesKey {
            km_per_px: view_km_per_px,
            px_per_point,
            layers: layers
                .iter()
                .map(|l| (Arc::clone(&l.layer), l.color))
                .collect(),
        };
        let key = match self.key.take() {
            Some(held) if held.serves(&key) => held,
            Some(held) if zooming && held.serves_scaled(&key) => held,
            _ => {
                self.tiles.clear();
                key
            }
        };
        let k = key.km_per_px;
        let exact = same_scale(k, view_km_per_px);
        self.key = Some(key);
        self.frame += 1;
        let tile = TILE_PX as f64;
        // The view in world pixels of the tiles' scale.
        let origin = [view.min[0] / k, -view.max[1] / k];
        let size = [rect.width(), rect.height()].map(|v| f64::from(v * px_per_point));
        let size = size.map(|v| v * view_km_per_px / k);
        // Device pixels of the screen per pixel of a tile.
        let magnification = k / view_km_per_px;
        let range = |axis: usize| {
            let first = (origin[axis] / tile).floor();
            let last = ((origin[axis] + size[axis]) / tile).ceil();
            #[expect(
                clippy::cast_possible_truncation,
                reason = "tile numbers of a finite view at the closest zoom fit in i64"
            )]
            (first as i64..last as i64)
        };
        #[expect(clippy::cast_precision_loss, reason = "tile numbers are small")]
        let corner_of = |[tx, ty]: [i64; 2]| [tx as f64 * tile, ty as f64 * tile];
        let in_view: Vec<[i64; 2]> = range(1)
            .flat_map(|ty| range(0).map(move |tx| [tx, ty]))
            .collect();
        let missing: Vec<[i64; 2]> = (in_view.iter())
            .filter(|at| !self.tiles.contains_key(*at))
            .copied()
            .collect();
        let drawn = draw_tiles(&missing, |at| {
            draw_tile_image(k, px_per_point, corner_of(at), layers)
        });
        for (at, image) in missing.into_iter().zip(drawn) {
            let texture = image.map(|image| {
                ctx.load_texture("user-layer-tile", image, egui::TextureOptions::NEAREST)
            });
            self.tiles.insert(
                at,
                Tile {
                    texture,
                    last_used: self.frame,
                },
            );
        }
        let mut shapes = Vec::new();
        for at in in_view {
            let corner = corner_of(at);
            let Some(entry) = self.tiles.get_mut(&at) else {
                continue;
            };
            entry.last_used = self.frame;
            let Some(texture) = &entry.texture else {
                continue;
            };
            let placed = if exact {
                // Whole device pixels, so that the tile's pixels land on the screen's.
                #[expect(clippy::cast_possible_truncation, reason = "screen offsets fit in f32")]
                let at = [0, 1].map(|axis| (corner[axis] - origin[axis]).round() as f32);
                #[expect(clippy::cast_precision_loss, reason = "a small tile size")]
                let side = TILE_PX as f32;
                Rect::from_min_size(pos2(at[0], at[1]), vec2(side, side))
            } else {
                #[expect(clippy::cast_possible_truncation, reason = "screen offsets fit in f32")]
                let at = [0, 1].map(|axis| ((corner[axis] - origin[axis]) * magnification) as f32);
                #[expect(clippy::cast_possible_truncation, reason = "a tile's size")]
                let side = (tile * magnification) as f32;
                Rect::from_min_size(pos2(at[0], at[1]), vec2(side, side))
            };
            let placed = Rect::from_min_size(
                rect.min + placed.min.to_vec2() / px_per_point,
                placed.size() / px_per_point,
            );
            shapes.push(Shape::image(
                texture.id(),
                placed,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            ));
        }
        self.forget_unused(shapes.len());
        DenseShapes { shapes, exact }
    }

    /// Keeps the tiles in view and, of the rest, the most recently used, up to as many again:
    /// enough to pan back and forth without redrawing, without growing without end.
    fn forget_unused(&mut self, in_view: usize) {
        let keep = (in_view * 2).max(32);
        if self.tiles.len() <= keep {
            return;
        }
        let mut ages: Vec<u64> = self.tiles.values().map(|t| t.last_used).collect();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        let oldest_kept = ages[keep - 1];
        let current = self.frame;
        self.tiles
            .retain(|_, t| t.last_used >= oldest_kept || t.last_used == current);
    }
}

/// Tiles fewer than this are drawn on the frame's own thread: starting threads costs more.
const TILES_WORTH_THREADS: usize = 4;

/// `draw` of each of `tiles`, in their order: on every core when there are enough of them, as
/// after a zoom, when every tile in view is drawn at once.
fn draw_tiles<T: Send>(tiles: &[[i64; 2]], draw: impl Fn([i64; 2]) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if tiles.len() < TILES_WORTH_THREADS || threads < 2 {
        return tiles.iter().map(|&at| draw(at)).collect();
    }
    let share = tiles.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let draw = &draw;
        let workers: Vec<_> = tiles
            .chunks(share)
            .map(|chunk| scope.spawn(move || chunk.iter().map(|&at| draw(at)).collect::<Vec<T>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(drawn) => drawn,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The image of the tile whose top-left world pixel is `corner`, or None when no mark falls
/// on it.
fn draw_tile_image(
    km_per_px: f64,
    px_per_point: f32,
    corner: [f64; 2],
    layers: &[&UserLayerMarks],
) -> Option<egui::ColorImage> {
    #[expect(clippy::cast_precision_loss, reason = "a small tile size")]
    let window = PixelWindow {
        km_per_px,
        origin_px: corner,
        size_px: [TILE_PX as f64; 2],
        px_per_point: f64::from(px_per_point),
    };
    dense_raster::draw_image(&window, layers)
}
