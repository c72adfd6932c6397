//! Turns a scene into egui shapes inside a screen rectangle: the one egui painter of the map.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use egui::epaint::{Mesh, Tessellator, Vertex, WHITE_UV};
use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke as EguiStroke, pos2, vec2};
use geo::Simplify;

use crate::scene::model::ProjectedUserLayer;
use crate::scene::symbols::{
    RAILWAY_TICK_SPACING_PX, SymbolPart, marker_parts, railway_ticks_from,
};
use crate::scene::{
    Disc, Dots, Fill, Label, LinePattern, Marker, PixelWindow, Polylines, Primitive, Radius, Scene,
    Stroke, UserLayerMarks, View, same_scale,
};
use crate::spatial::clip::{ClipRect, clip_polyline_along, dashes};
use crate::style::Color;
use crate::ui::batches::{DrawBatches, cut_mesh};

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
struct ThinLines {
    texture: egui::TextureId,
    feather: f32,
}

impl ThinLines {
    fn new(ctx: &egui::Context) -> Option<Self> {
        let options = ctx.tessellation_options(|options| *options);
        // Without feathering egui draws hard-edged lines, and so does the map.
        options.feathering.then(|| Self {
            texture: line_profile_texture(ctx),
            feather: options.feathering_size_in_pixels / ctx.pixels_per_point(),
        })
    }

    /// Whether egui would draw a line this wide as a thin line (its 0.9 rule).
    fn takes(&self, width: f32) -> bool {
        width <= 0.9 * self.feather
    }

    /// The strip for a thin line through `points`: the path egui's thin line covers, two
    /// feather widths wide, with the profile across it in place of egui's middle row of
    /// vertices.
    fn strip(&self, points: &[Pos2], width: f32, color: Color32) -> Mesh {
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

/// Side of a user-layer tile in pixels.
const TILE_PX: usize = 240;

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
pub struct DenseShapes {
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
    fn shapes(
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

/// Draws the marks of `layers` that fall on `window`, each layer over the one before.
fn draw_marks(window: &PixelWindow, layers: &[&UserLayerMarks]) -> DenseCanvas {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "windows are a few thousand pixels wide"
    )]
    let mut canvas = DenseCanvas::new(window.size_px.map(|v| v as usize));
    for layer in layers {
        let (lines, dots) = layer.marks(window);
        canvas.use_color(color32(layer.color));
        canvas.polylines(&lines);
        canvas.dots(&dots);
    }
    canvas.flush();
    canvas
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
    let canvas = draw_marks(&window, layers);
    if !canvas.marked {
        return None;
    }
    Some(egui::ColorImage::new(canvas.size, canvas.pixels))
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
    pixels: Vec<Color32>,
    mask: Vec<u8>,
    mask_color: Option<Color32>,
    /// Whether any pixel has been marked.
    marked: bool,
}

impl DenseCanvas {
    fn new(size: [usize; 2]) -> Self {
        Self {
            size,
            pixels: vec![Color32::TRANSPARENT; size[0] * size[1]],
            mask: vec![0; size[0] * size[1]],
            mask_color: None,
            marked: false,
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
        self.marked |= add > 0;
    }

    fn dots(&mut self, dots: &Dots) {
        if dots.round {
            self.discs(dots);
            return;
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "pixel positions and sizes fit in i64"
        )]
        let side = dots.size_px.round().max(1.0) as i64;
        let [width, height] = self.size.map(|n| i64::try_from(n).unwrap_or(0));
        for &[x, y] in &dots.centers_px {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions fit in i64"
            )]
            let (left, top) = (
                (x - side as f32 / 2.0).round() as i64,
                (y - side as f32 / 2.0).round() as i64,
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
                    self.marked = true;
                }
            }
        }
    }

    /// Round markers with edges shaded by how much of each pixel they cover (sampled 4×4),
    /// so that they look round at 7 px. Coverage depends on the centre alone, so tiles join.
    fn discs(&mut self, dots: &Dots) {
        let radius = dots.size_px / 2.0;
        let [width, height] = self.size.map(|n| i64::try_from(n).unwrap_or(0));
        for &[cx, cy] in &dots.centers_px {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions fit in i64"
            )]
            let (left, top, right, bottom) = (
                (cx - radius).floor() as i64,
                (cy - radius).floor() as i64,
                (cx + radius).ceil() as i64,
                (cy + radius).ceil() as i64,
            );
            for y in top.max(0)..bottom.min(height) {
                for x in left.max(0)..right.min(width) {
                    let mut inside = 0_u8;
                    for sy in 0..4_u8 {
                        for sx in 0..4_u8 {
                            #[expect(clippy::cast_precision_loss, reason = "small pixel numbers")]
                            let (px, py) = (
                                x as f32 + (f32::from(sx) + 0.5) / 4.0,
                                y as f32 + (f32::from(sy) + 0.5) / 4.0,
                            );
                            if (px - cx).powi(2) + (py - cy).powi(2) <= radius * radius {
                                inside += 1;
                            }
                        }
                    }
                    if inside > 0 {
                        self.mark(x, y, f32::from(inside) / 16.0);
                    }
                }
            }
        }
    }

    /// Anti-aliased lines about a pixel wide: at each pixel centre along the longer axis the
    /// line's coverage is shared between the two pixels it passes between (Wu's method).
    /// Marks depend on the line alone, not on where it was cut, so tiles of one picture join.
    fn polylines(&mut self, lines: &Polylines) {
        for path in &lines.paths_px {
            for pair in path.windows(2) {
                // Only the part on the canvas is stepped along: zoomed far in, a segment can be
                // millions of pixels long.
                #[expect(clippy::cast_precision_loss, reason = "canvas sizes are small")]
                let Some((a, b)) =
                    clip_segment(pair[0], pair[1], [self.size[0] as f32, self.size[1] as f32])
                else {
                    continue;
                };
                let steep = (b[1] - a[1]).abs() > (b[0] - a[0]).abs();
                let along = |p: [f32; 2]| if steep { [p[1], p[0]] } else { p };
                let (mut a, mut b) = (along(a), along(b));
                if a[0] > b[0] {
                    std::mem::swap(&mut a, &mut b);
                }
                let slope = (b[1] - a[1]) / (b[0] - a[0]).max(f32::EPSILON);
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "clipped ends lie within a pixel of the canvas"
                )]
                let (first, last) = ((a[0] - 0.5).ceil() as i64, (b[0] - 0.5).floor() as i64);
                for major in first..=last {
                    #[expect(clippy::cast_precision_loss, reason = "pixel positions")]
                    let minor = a[1] + (major as f32 + 0.5 - a[0]) * slope;
                    let floor = (minor - 0.5).floor();
                    let fraction = minor - 0.5 - floor;
                    #[expect(clippy::cast_possible_truncation, reason = "pixel positions")]
                    let floor = floor as i64;
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

    /// Paints the scene into `shapes`. Returns false when user layers were shown from tiles
    /// of an earlier scale while zooming: the picture is then to be painted again once the
    /// view holds still.
    #[must_use]
    pub fn paint(&self, painter: &Painter, shapes: &mut Vec<Shape>) -> bool {
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
            return true;
        };
        let tiles = self.dense.borrow_mut().shapes(
            painter.ctx(),
            &self.scene.view,
            self.rect,
            &user_layers,
            self.zooming,
        );
        shapes.splice(index..index, tiles.shapes);
        tiles.exact
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
                        egui::FontId::proportional(12.0),
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

    /// A layer drawn tile by tile must look as it does drawn in one piece: dots to the
    /// pixel, lines within a little anti-aliasing.
    #[test]
    fn tiles_join_into_the_picture_drawn_whole() {
        use crate::data::{Atlas, UserLayer};
        use crate::scene::MapModel;
        use crate::spatial::Projection;

        // A fixed pseudo-random scatter of points and short lines over about a degree.
        let mut state = 7_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            #[expect(clippy::cast_precision_loss, reason = "test randomness")]
            let unit = (state >> 11) as f64 / (1_u64 << 53) as f64;
            unit
        };
        // Few enough points to be round markers, and enough to be small square dots.
        let points: Vec<[f64; 2]> = (0..3000).map(|_| [70.0 + next(), 45.0 + next()]).collect();
        let dense_points: Vec<[f64; 2]> = (0..crate::scene::dense::MARKER_LAYER_MAX_POINTS + 3000)
            .map(|_| [70.0 + next(), 45.0 + next()])
            .collect();
        let lines: Vec<Vec<[f64; 2]>> = (0..60)
            .map(|_| {
                let start = [70.0 + next(), 45.0 + next()];
                vec![
                    start,
                    [start[0] + 0.2 * next(), start[1] + 0.2 * next() - 0.1],
                ]
            })
            .collect();
        let drawn = |layer: UserLayer| {
            let atlas = Atlas {
                user_layers: vec![layer],
                ..Atlas::default()
            };
            let model = MapModel::build(&atlas, Projection::default());
            let marks = UserLayerMarks {
                layer: Arc::clone(&model.user_layers[0]),
                color: Color::rgb(200, 0, 160),
            };
            let centre = model.projection.project(70.5, 45.5);
            let km_per_px = 0.12;
            let tile = TILE_PX as f64;
            // The whole window starts on a tile corner, so tile pixels are window pixels.
            let origin = [centre[0] / km_per_px, -centre[1] / km_per_px]
                .map(|v| (v / tile).floor() * tile - tile);
            let whole = PixelWindow {
                km_per_px,
                origin_px: origin,
                size_px: [3.0 * tile, 2.0 * tile],
                px_per_point: 1.25,
            };
            let one_piece = draw_marks(&whole, &[&marks]).pixels;
            let mut tiled = vec![Color32::TRANSPARENT; one_piece.len()];
            for (tx, ty) in [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)] {
                let window = PixelWindow {
                    origin_px: [origin[0] + tx as f64 * tile, origin[1] + ty as f64 * tile],
                    size_px: [tile, tile],
                    ..whole
                };
                let pixels = draw_marks(&window, &[&marks]).pixels;
                for row in 0..TILE_PX {
                    let at = (ty * TILE_PX + row) * 3 * TILE_PX + tx * TILE_PX;
                    tiled[at..at + TILE_PX]
                        .copy_from_slice(&pixels[row * TILE_PX..(row + 1) * TILE_PX]);
                }
            }
            (one_piece, tiled)
        };
        let difference = |(a, b): (Vec<Color32>, Vec<Color32>)| {
            let marked = a.iter().filter(|p| p.a() > 0).count();
            let worst = a
                .iter()
                .zip(&b)
                .map(|(p, q)| p.a().abs_diff(q.a()))
                .max()
                .unwrap_or(0);
            (marked, worst)
        };
        let (marked, worst) = difference(drawn(UserLayer {
            name: "points".into(),
            points,
            lines: Vec::new(),
            ..Default::default()
        }));
        assert!(marked > 2000, "{marked} pixels of markers");
        assert_eq!(worst, 0, "markers differ where tiles join");
        let (marked, worst) = difference(drawn(UserLayer {
            name: "dense points".into(),
            points: dense_points,
            ..Default::default()
        }));
        assert!(marked > 2000, "{marked} pixels of dots");
        assert_eq!(worst, 0, "dots differ where tiles join");
        let (marked, worst) = difference(drawn(UserLayer {
            name: "lines".into(),
            points: Vec::new(),
            lines,
            ..Default::default()
        }));
        assert!(marked > 1000, "{marked} pixels of lines");
        assert!(worst <= 24, "lines differ by {worst} where tiles join");
    }

    /// A line millions of pixels long (zoomed far in) is drawn in the time of its visible part,
    /// and only on the canvas.
    #[test]
    fn a_huge_line_marks_only_the_canvas() {
        let mut canvas = DenseCanvas::new([64, 32]);
        canvas.polylines(&Polylines {
            paths_px: vec![vec![[-3e9, 16.0], [3e9, 16.0]]],
            width_px: 1.0,
            color: Color::rgb(0, 0, 0),
        });
        let marked = canvas.mask.iter().filter(|&&m| m > 0).count();
        assert!((64..=130).contains(&marked), "{marked} pixels marked");
    }
}
