//! User layers as square images on the map plane's pixel grid, kept from frame to frame, so
//! that a moving map draws only the tiles coming into view, and a map coming to rest at a new
//! scale draws its tiles in the background while the old ones show scaled.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use egui::{Color32, ColorImage, Rect, Shape, pos2, vec2};

use super::dense_raster;
use crate::jobs::{Job, JobState};
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
/// scale). Once the scale holds still for a frame, the tiles of the view's own scale are drawn
/// in the background while the held ones go on showing scaled, and replace them when they are
/// all drawn: drawing every tile of a dense layer takes longer than a frame. A scale outside
/// that range, or a change of layers, starts over, drawing on the frame's own thread.
#[derive(Default)]
pub struct DenseTiles {
    key: Option<TilesKey>,
    tiles: HashMap<[i64; 2], Tile>,
    /// Counts the frames that drew tiles, to let go of the longest unused first.
    frame: u64,
    /// The tiles of the scale the map came to rest at, being drawn in the background.
    next: Option<NextScale>,
}

/// Tiles being drawn in the background for `key`; dropping it asks the drawing to stop.
struct NextScale {
    key: TilesKey,
    job: Job<Vec<DrawnTile>>,
}

/// A tile drawn in the background, and its image: None when no mark falls on it.
type DrawnTile = ([i64; 2], Option<Arc<ColorImage>>);

/// How the user layers in a picture show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TilesShown {
    /// At the view's own scale (or there are none).
    Exact,
    /// Tiles of an earlier scale, scaled, while the map zooms: the picture is to be made again
    /// once the view holds still.
    ScaledWhileZooming,
    /// Tiles of an earlier scale, scaled, while those of the view's own are drawn in the
    /// background; the drawing asks for a repaint when it ends.
    ScaledWhileDrawing,
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
    pub shown: TilesShown,
}

#[derive(Clone, Debug)]
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
    /// Whether tiles are being drawn in the background: a picture showing others scaled in
    /// their place can be shown as it is until they are ready.
    pub fn drawing(&self) -> bool {
        self.next.as_ref().is_some_and(|next| next.job.is_running())
    }

    /// Shapes showing `layers` over `rect`, the screen rectangle of `view`: one image per tile
    /// with marks, drawn now if it was not held. While `zooming`, tiles of an earlier scale
    /// may stand in; at rest, they stand in while the view's own are drawn in the background.
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
        let wanted = TilesKey {
            km_per_px: view_km_per_px,
            px_per_point,
            layers: layers
                .iter()
                .map(|l| (Arc::clone(&l.layer), l.color))
                .collect(),
        };
        self.take_drawn_in_background(ctx, &wanted);
        let mut drawing = false;
        let key = match self.key.take() {
            Some(held) if held.serves(&wanted) => {
                self.next = None;
                held
            }
            Some(held) if zooming && held.serves_scaled(&wanted) => {
                self.next = None;
                held
            }
            Some(held) if held.serves_scaled(&wanted) => {
                let grid = TileGrid::new(&wanted, view, rect);
                self.draw_in_background(ctx, wanted, grid.in_view(), layers);
                drawing = true;
                held
            }
            _ => {
                self.next = None;
                self.tiles.clear();
                wanted
            }
        };
        let k = key.km_per_px;
        let exact = same_scale(k, view_km_per_px);
        self.key = Some(key);
        self.frame += 1;
        let tile = TILE_PX as f64;
        let grid = TileGrid::at(k, view_km_per_px, px_per_point, view, rect);
        // Device pixels of the screen per pixel of a tile.
        let magnification = k / view_km_per_px;
        let in_view = grid.in_view();
        let missing: Vec<[i64; 2]> = (in_view.iter())
            .filter(|at| !self.tiles.contains_key(*at))
            .copied()
            .collect();
        let drawn = draw_tiles(&missing, |at| {
            draw_tile_image(k, px_per_point, corner_of(at), layers)
        });
        for (at, image) in missing.into_iter().zip(drawn) {
            self.insert(ctx, at, image);
        }
        let origin = grid.origin;
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
        let shown = if exact {
            TilesShown::Exact
        } else if drawing {
            TilesShown::ScaledWhileDrawing
        } else {
            TilesShown::ScaledWhileZooming
        };
        DenseShapes { shapes, shown }
    }

    /// Holds the tile at `at`, as a texture when it has marks.
    fn insert(&mut self, ctx: &egui::Context, at: [i64; 2], image: Option<Arc<ColorImage>>) {
        let texture = image
            .map(|image| ctx.load_texture("user-layer-tile", image, egui::TextureOptions::NEAREST));
        self.tiles.insert(
            at,
            Tile {
                texture,
                last_used: self.frame,
            },
        );
    }

    /// Starts drawing `tiles` at the scale of `key` in the background, unless they are being
    /// drawn already.
    fn draw_in_background(
        &mut self,
        ctx: &egui::Context,
        key: TilesKey,
        tiles: Vec<[i64; 2]>,
        layers: &[&UserLayerMarks],
    ) {
        if self.next.as_ref().is_some_and(|next| next.key.serves(&key)) {
            return;
        }
        let layers: Vec<UserLayerMarks> = layers.iter().map(|&layer| layer.clone()).collect();
        let (km_per_px, px_per_point) = (key.km_per_px, key.px_per_point);
        let repaint = ctx.clone();
        let job = Job::spawn(
            "map-layer-tiles",
            move || repaint.request_repaint(),
            move |progress| {
                let layers: Vec<&UserLayerMarks> = layers.iter().collect();
                let drawn = draw_tiles(&tiles, |at| {
                    if progress.cancelled() {
                        return None;
                    }
                    draw_tile_image(km_per_px, px_per_point, corner_of(at), &layers)
                });
                Ok::<_, Infallible>(tiles.into_iter().zip(drawn).collect())
            },
        );
        self.next = Some(NextScale { key, job });
    }

    /// Takes the tiles drawn in the background for `wanted`, once they all are, in place of
    /// those held. A drawing that failed is let go: the tiles are then drawn on this frame.
    fn take_drawn_in_background(&mut self, ctx: &egui::Context, wanted: &TilesKey) {
        let Some(next) = self.next.take_if(|next| next.key.serves(wanted)) else {
            return;
        };
        match next.job.state() {
            JobState::Running(_) => self.next = Some(next),
            JobState::Done(drawn) => {
                self.tiles.clear();
                for (at, image) in drawn {
                    self.insert(ctx, at, image);
                }
                self.key = Some(next.key);
            }
            JobState::Failed(_) | JobState::Cancelled => self.key = None,
        }
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
) -> Option<Arc<ColorImage>> {
    #[expect(clippy::cast_precision_loss, reason = "a small tile size")]
    let window = PixelWindow {
        km_per_px,
        origin_px: corner,
        size_px: [TILE_PX as f64; 2],
        px_per_point: f64::from(px_per_point),
    };
    dense_raster::draw_image(&window, layers).map(Arc::new)
}

/// The top-left world pixel of the tile numbered `at`.
#[expect(clippy::cast_precision_loss, reason = "tile numbers are small")]
fn corner_of([tx, ty]: [i64; 2]) -> [f64; 2] {
    let tile = TILE_PX as f64;
    [tx as f64 * tile, ty as f64 * tile]
}

/// Where a view falls on the tiles of one scale.
struct TileGrid {
    /// The view's top-left corner in world pixels of the tiles' scale.
    origin: [f64; 2],
    /// The view's size in those pixels.
    size: [f64; 2],
}

impl TileGrid {
    /// The grid of tiles drawn at `key`'s scale for `view`, shown in `rect`.
    fn new(key: &TilesKey, view: &View, rect: Rect) -> Self {
        let view_km_per_px = view.km_per_px() / f64::from(key.px_per_point);
        Self::at(key.km_per_px, view_km_per_px, key.px_per_point, view, rect)
    }

    /// The grid of tiles drawn at `km_per_px` for `view`, whose device pixels are
    /// `view_km_per_px` wide, shown in `rect`.
    fn at(km_per_px: f64, view_km_per_px: f64, px_per_point: f32, view: &View, rect: Rect) -> Self {
        let k = km_per_px;
        let size = [rect.width(), rect.height()].map(|v| f64::from(v * px_per_point));
        Self {
            origin: [view.min[0] / k, -view.max[1] / k],
            size: size.map(|v| v * view_km_per_px / k),
        }
    }

    /// The tiles the view touches, row by row.
    fn in_view(&self) -> Vec<[i64; 2]> {
        let tile = TILE_PX as f64;
        let range = |axis: usize| {
            let first = (self.origin[axis] / tile).floor();
            let last = ((self.origin[axis] + self.size[axis]) / tile).ceil();
            #[expect(
                clippy::cast_possible_truncation,
                reason = "tile numbers of a finite view at the closest zoom fit in i64"
            )]
            (first as i64..last as i64)
        };
        range(1)
            .flat_map(|ty| range(0).map(move |tx| [tx, ty]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Atlas, UserLayer};
    use crate::scene::MapModel;
    use crate::spatial::Projection;

    /// The view of `size_px` pixels centred on `centre` at `km_per_px`.
    fn view_at(centre: [f64; 2], km_per_px: f64, size_px: [f32; 2]) -> View {
        let half = size_px.map(|s| f64::from(s) * km_per_px / 2.0);
        View {
            min: [centre[0] - half[0], centre[1] - half[1]],
            max: [centre[0] + half[0], centre[1] + half[1]],
            size_px,
        }
    }

    /// A zoom: tiles of the scale before show scaled while the scale changes; at rest they
    /// go on showing while the new scale's are drawn in the background, then those take their
    /// place, at whole pixels and a tile's size. A jump beyond the range shown scaled draws at
    /// once.
    #[test]
    fn a_zoom_at_rest_draws_its_tiles_in_the_background() {
        let points = (0..20_000)
            .map(|i| {
                [
                    70.0 + f64::from(i % 200) * 0.01,
                    45.0 + f64::from(i / 200) * 0.01,
                ]
            })
            .collect();
        let atlas = Atlas {
            user_layers: vec![UserLayer {
                name: "grid".into(),
                points,
                ..UserLayer::default()
            }],
            ..Atlas::default()
        };
        let model = MapModel::build(&atlas, Projection::default());
        let marks = UserLayerMarks {
            layer: Arc::clone(&model.user_layers[0]),
            color: Color::rgb(200, 0, 160),
        };
        let centre = model.projection.project(71.0, 45.5);
        let size = [800.0, 600.0];
        let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(size[0], size[1]));
        let ctx = egui::Context::default();
        let mut tiles = DenseTiles::default();
        let shapes = |tiles: &mut DenseTiles, km_per_px: f64, zooming: bool| {
            tiles.shapes(
                &ctx,
                &view_at(centre, km_per_px, size),
                rect,
                &[&marks],
                zooming,
            )
        };
        let tile_sides = |drawn: &DenseShapes| -> Vec<f32> {
            let sides: Vec<f32> = drawn
                .shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Mesh(mesh) => Some(mesh.calc_bounds().width()),
                    _ => None,
                })
                .collect();
            assert_eq!(
                sides.len(),
                drawn.shapes.len(),
                "every shape is a tile's image"
            );
            assert!(!sides.is_empty(), "tiles with marks are shown");
            sides
        };

        let first = shapes(&mut tiles, 0.5, false);
        assert_eq!(first.shown, TilesShown::Exact);
        assert!(
            tile_sides(&first)
                .iter()
                .all(|&side| (side - 240.0).abs() < 0.01)
        );
        assert!(!tiles.drawing());

        let zooming = shapes(&mut tiles, 0.4, true);
        assert_eq!(zooming.shown, TilesShown::ScaledWhileZooming);
        assert!(
            !tiles.drawing(),
            "nothing is drawn in the background while zooming"
        );
        // Shown 1.25 times as large.
        assert!(
            tile_sides(&zooming)
                .iter()
                .all(|&side| (side - 300.0).abs() < 0.01)
        );

        let at_rest = shapes(&mut tiles, 0.4, false);
        assert_eq!(at_rest.shown, TilesShown::ScaledWhileDrawing);
        assert!(
            tile_sides(&at_rest)
                .iter()
                .all(|&side| (side - 300.0).abs() < 0.01)
        );
        for _ in 0..2000 {
            if !tiles.drawing() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(!tiles.drawing(), "the tiles were drawn within ten seconds");
        let arrived = shapes(&mut tiles, 0.4, false);
        assert_eq!(arrived.shown, TilesShown::Exact);
        assert!(
            tile_sides(&arrived)
                .iter()
                .all(|&side| (side - 240.0).abs() < 0.01)
        );

        // Three times closer: beyond what is shown scaled, drawn on this frame.
        let jumped = shapes(&mut tiles, 0.4 / 3.0, false);
        assert_eq!(jumped.shown, TilesShown::Exact);
        assert!(!tiles.drawing());
    }
}
