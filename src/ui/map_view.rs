//! The map: an egui_plot showing the projected map plane with `data_aspect(1.0)`, painted from
//! the scene by one custom plot item, with hover, click, zoom and a lon/lat read-out.

use std::cell::RefCell;
use std::ops::RangeInclusive;
use std::rc::Rc;
use std::sync::Arc;

use egui::emath::TSTransform;
use egui::{Color32, Shape, Ui};
use egui_plot::{Plot, PlotBounds, PlotGeometry, PlotItem, PlotItemBase, PlotTransform};

use crate::data::Atlas;
use crate::scene::model::UserPick;
use crate::scene::{self, Layers, MapModel, Scene, SceneOptions, View};
use crate::style::Theme;
use crate::ui::batches::DrawBatches;
use crate::ui::paint::{DenseTiles, ScenePainter, TilesShown, ZOOM_SHOWN_SCALED, bake};

/// The closest zoom: 2 metres a pixel.
pub const MIN_KM_PER_PX: f64 = 0.002;

/// How close, in screen pixels, the pointer must be to an item to hover or pick it.
pub const PICK_RADIUS_PX: f64 = 9.0;

/// What the map reports back each frame.
#[derive(Clone, Debug, Default)]
pub struct MapResponse {
    pub hovered: Option<usize>,
    /// `Some(None)` when the user clicked empty map (clears the selection).
    pub clicked: Option<Option<usize>>,
    pub pointer_lon_lat: Option<[f64; 2]>,
    /// The map-plane box shown this frame: [min_x, min_y, max_x, max_y] in km.
    pub bounds: [f64; 4],
    /// The view shown this frame.
    pub view: Option<View>,
    /// The scene that was painted, kept for tests and for the status line. While the map pans
    /// it can be a scene of a larger view, moved into place; `view` is what shows.
    pub scene: Option<Arc<Scene>>,
    /// Where the map was drawn on screen, so tests and tools can aim at what the scene shows.
    pub screen_rect: Option<egui::Rect>,
}

/// What the map is to show this frame.
pub struct MapContent<'a> {
    pub atlas: &'a Atlas,
    pub model: &'a MapModel,
    pub theme: Theme,
    pub layers: &'a Layers,
    pub selected: Option<usize>,
    pub hovered: Option<usize>,
    pub highlighted: &'a [usize],
    /// Bounds to show this frame (opening, restored, "fit all"); `None` keeps the user's view.
    pub set_bounds: Option<[f64; 4]>,
}

/// What the map is to show, and what it keeps from frame to frame to show it quickly.
pub struct MapInputs<'a> {
    pub content: MapContent<'a>,
    /// The last frame's picture, reused while nothing it shows has changed.
    pub cache: &'a RefCell<Option<PaintedMap>>,
    /// The image dense user layers are drawn into.
    pub dense: &'a RefCell<DenseTiles>,
    /// How the map's triangles are batched for the renderer; `None` draws them at once.
    pub batches: Option<&'a DrawBatches>,
}

/// A painted map and everything it was painted from.
pub struct PaintedMap {
    key: PaintKey,
    /// Meshes tessellated once, and the labels between them.
    shapes: Vec<Shape>,
    scene: Arc<Scene>,
    /// Whether the picture reaches `OVERSCAN_PX` past the frame on every side: made while the
    /// map pans, so that the next frames only move it.
    overscan: bool,
    /// Whether the user layers are drawn at the picture's own scale, or shown scaled from tiles
    /// of another while the map zooms or while its own are drawn in the background.
    tiles: TilesShown,
    /// The view the picture was last shown at.
    shown: View,
    /// The picture as last moved: its meshes are rewritten in place on the next move, once
    /// egui has let go of them, so that panning allocates no new picture every frame.
    moved: Vec<Shape>,
}

impl PaintedMap {
    /// The picture with every point carried by `transform` (from where the picture was drawn
    /// to where it shows now); text is only moved, so that labels keep their size.
    fn transformed(&mut self, transform: TSTransform) -> &[Shape] {
        if self.moved.len() != self.shapes.len() {
            self.moved.clone_from(&self.shapes);
        }
        for (moved, original) in self.moved.iter_mut().zip(&self.shapes) {
            if let (Shape::Mesh(moved), Shape::Mesh(original)) = (&mut *moved, original)
                && let Some(mesh) = Arc::get_mut(moved)
                && mesh.indices.len() == original.indices.len()
            {
                mesh.vertices.clear();
                mesh.vertices
                    .extend(original.vertices.iter().map(|v| egui::epaint::Vertex {
                        pos: transform * v.pos,
                        ..*v
                    }));
                continue;
            }
            *moved = original.clone();
            match moved {
                Shape::Text(text) => text.pos = transform * text.pos,
                other => other.transform(transform),
            }
        }
        &self.moved
    }

    /// Where the picture's points show for `key`, when it can stand in for the picture of
    /// `key`: panned within its reach, or zoomed within it and within `ZOOM_SHOWN_SCALED` of
    /// its scale while the scale changes from frame to frame.
    fn shown_at(&self, key: &PaintKey) -> Option<TSTransform> {
        let (built, view) = (self.key.view, key.view);
        let (k_built, k_view) = (built.km_per_px(), view.km_per_px());
        let panned = self.overscan && self.key.moved_from(key);
        // A picture already showing user-layer tiles of another scale is not scaled again:
        // the two factors would multiply past `ZOOM_SHOWN_SCALED`.
        let zoomed = self.tiles == TilesShown::Exact
            && self.zooming_to(key)
            && ZOOM_SHOWN_SCALED.contains(&(k_built / k_view));
        let covered = self.covers();
        let within = covered.min[0] <= view.min[0]
            && covered.min[1] <= view.min[1]
            && view.max[0] <= covered.max[0]
            && view.max[1] <= covered.max[1];
        if !(within && (panned || zoomed)) {
            return None;
        }
        // A point drawn at `p` shows at `frame.min + offset + (p - built frame.min) * scale`.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "offsets and scales of a view within the picture fit in f32"
        )]
        let (scale, offset) = (
            (k_built / k_view) as f32,
            egui::vec2(
                ((built.min[0] - view.min[0]) / k_view) as f32,
                ((view.max[1] - built.max[1]) / k_view) as f32,
            ),
        );
        let translation = key.frame.min.to_vec2() + offset - self.key.frame.min.to_vec2() * scale;
        Some(TSTransform::new(translation, scale))
    }

    /// Whether the map is zooming from this picture to `key`: only the view differs, and its
    /// scale is not the one last shown.
    fn zooming_to(&self, key: &PaintKey) -> bool {
        self.key.differs_in_view_alone(key)
            && !scene::same_scale(self.shown.km_per_px(), key.view.km_per_px())
    }

    /// The picture's area in map km.
    fn covers(&self) -> View {
        if self.overscan {
            overscanned(self.key.view, OVERSCAN_PX)
        } else {
            self.key.view
        }
    }
}

/// How far past the frame a picture made while panning reaches, in points: the map can pan
/// this far before a new picture is needed.
const OVERSCAN_PX: f32 = 256.0;

/// `view` with `margin_px` more pixels on every side, at the same scale.
fn overscanned(view: View, margin_px: f32) -> View {
    let m = f64::from(margin_px) * view.km_per_px();
    View {
        min: [view.min[0] - m, view.min[1] - m],
        max: [view.max[0] + m, view.max[1] + m],
        size_px: view.size_px.map(|s| s + 2.0 * margin_px),
    }
}

/// Everything a map picture depends on. Frames that share it (the pointer moving over empty
/// map, a panel being resized elsewhere, a repaint for a tooltip) reuse the picture instead of
/// building, projecting and laying it out again.
#[derive(Clone, PartialEq)]
struct PaintKey {
    view: View,
    frame: egui::Rect,
    pixels_per_point: f32,
    theme: Theme,
    layers: Layers,
    selected: Option<usize>,
    hovered: Option<usize>,
    highlighted: Vec<usize>,
    /// Which data: a reload makes a new atlas and model, opening a layer a new revision.
    data: (usize, usize, u64),
    /// The font atlas the picture's labels were drawn into (see [`FontAtlasStamp`]).
    fonts: FontAtlasStamp,
}

/// What tells whether the glyphs a picture's labels were tessellated against still exist. egui
/// clears its font atlas when the text options change (switching the theme changes how glyph
/// coverage becomes alpha) and when the atlas is nearly full; a picture kept across a clear
/// would draw its labels from other glyphs, so it must be made again.
///
/// The atlas image's size grows, rarely, as glyphs are added, and starts anew with a clear: a
/// change of size either way makes a new picture, which costs one frame when it grows.
#[derive(Clone, Copy, Debug, PartialEq)]
struct FontAtlasStamp {
    options: egui::epaint::text::TextOptions,
    image_size: [usize; 2],
}

impl FontAtlasStamp {
    fn now(ctx: &egui::Context) -> Self {
        ctx.fonts(|fonts| Self {
            options: *fonts.options(),
            image_size: fonts.font_image_size(),
        })
    }
}

impl PaintKey {
    /// Whether a picture for `self` shows what one for `other` would, moved: only the view
    /// differs, and only in where it is, not in its scale or size.
    fn moved_from(&self, other: &Self) -> bool {
        scene::same_scale(self.view.km_per_px(), other.view.km_per_px())
            && self.differs_in_view_alone(other)
    }

    /// Whether a picture for `self` shows what one for `other` would, moved and scaled: only
    /// the view differs, in where it is and its scale, not its size in pixels.
    fn differs_in_view_alone(&self, other: &Self) -> bool {
        self.view.size_px == other.view.size_px
            && self.frame.size() == other.frame.size()
            && self.pixels_per_point == other.pixels_per_point
            && self.theme == other.theme
            && self.layers == other.layers
            && self.selected == other.selected
            && self.hovered == other.hovered
            && self.highlighted == other.highlighted
            && self.data == other.data
            && self.fonts == other.fonts
    }
}

/// The plot item that paints a whole scene; it builds the scene inside `shapes`, where the
/// final transform of this frame is known, so the picture never lags the view by a frame.
struct MapLayer<'a> {
    base: PlotItemBase,
    inputs: &'a MapInputs<'a>,
    painted: Rc<RefCell<Option<Arc<Scene>>>>,
}

impl PlotItem for MapLayer<'_> {
    fn shapes(&self, ui: &Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        let view = view_of(transform);
        let key = PaintKey {
            view,
            frame: *transform.frame(),
            pixels_per_point: ui.ctx().pixels_per_point(),
            theme: self.inputs.content.theme,
            layers: self.inputs.content.layers.clone(),
            selected: self.inputs.content.selected,
            hovered: self.inputs.content.hovered,
            highlighted: self.inputs.content.highlighted.to_vec(),
            data: (
                std::ptr::from_ref(self.inputs.content.atlas) as usize,
                std::ptr::from_ref(self.inputs.content.model) as usize,
                self.inputs.content.model.user_layers_revision,
            ),
            fonts: FontAtlasStamp::now(ui.ctx()),
        };
        let mut cache = self.inputs.cache.borrow_mut();
        let frame = *transform.frame();
        if let Some(painted) = cache.as_mut() {
            // The same view: the same picture, unless it was made for panning or zooming and
            // the map has come to rest, when an exact one replaces it (labels placed for this
            // frame, user layers drawn at this scale). A picture waiting for user-layer tiles
            // drawn in the background stays until they are ready.
            let waiting = painted.tiles == TilesShown::ScaledWhileDrawing
                && self.inputs.dense.borrow().drawing();
            if painted.key == key
                && !painted.overscan
                && (painted.tiles == TilesShown::Exact || waiting)
            {
                shapes.extend(painted.shapes.iter().cloned());
                *self.painted.borrow_mut() = Some(Arc::clone(&painted.scene));
                return;
            }
            // Panned or zoomed within the picture's reach and range of scales: show it moved
            // and scaled. One more frame after the last change makes the exact picture.
            if painted.shown != view
                && let Some(transform) = painted.shown_at(&key)
            {
                shapes.extend(painted.transformed(transform).iter().cloned());
                *self.painted.borrow_mut() = Some(Arc::clone(&painted.scene));
                painted.shown = view;
                ui.ctx().request_repaint();
                return;
            }
        }
        // A view moved from the last one at the same scale is a pan: make a picture past the
        // frame, which the next frames can move. Zooming in, the frame's own picture covers
        // the views to come. Zooming out needs a new picture every frame: one reaching past
        // the frame would cover the next few, but holding it and the renderer's share of its
        // triangles took 5–7 MB more at the peak, and memory is the tighter budget.
        let zooming = cache.as_ref().is_some_and(|p| p.zooming_to(&key));
        let moving = cache
            .as_ref()
            .is_some_and(|p| p.shown != view && p.key.moved_from(&key));
        let (scene_view, rect) = if moving {
            (overscanned(view, OVERSCAN_PX), frame.expand(OVERSCAN_PX))
        } else {
            (view, frame)
        };
        let options = SceneOptions {
            theme: self.inputs.content.theme,
            layers: self.inputs.content.layers,
            selected: self.inputs.content.selected,
            hovered: self.inputs.content.hovered,
            highlighted: self.inputs.content.highlighted,
            reserved_px: &[],
            full_detail: false,
        };
        let scene = Arc::new(scene::build_scene(
            self.inputs.content.atlas,
            self.inputs.content.model,
            scene_view,
            &options,
        ));
        let mut painted_shapes = Vec::new();
        let tiles = ScenePainter {
            scene: &scene,
            rect,
            dense: self.inputs.dense,
            zooming,
        }
        .paint(ui.painter(), &mut painted_shapes);
        let painted_shapes = bake(ui.ctx(), rect, painted_shapes, self.inputs.batches);
        shapes.extend(painted_shapes.iter().cloned());
        *self.painted.borrow_mut() = Some(Arc::clone(&scene));
        if moving || tiles == TilesShown::ScaledWhileZooming {
            ui.ctx().request_repaint();
        }
        *cache = Some(PaintedMap {
            key,
            shapes: painted_shapes,
            scene,
            overscan: moving,
            tiles,
            shown: view,
            moved: Vec::new(),
        });
    }

    fn initialize(&mut self, _x_range: RangeInclusive<f64>) {}

    fn color(&self) -> Color32 {
        Color32::TRANSPARENT
    }

    fn geometry(&self) -> PlotGeometry<'_> {
        PlotGeometry::None
    }

    fn bounds(&self) -> PlotBounds {
        PlotBounds::NOTHING
    }

    fn base(&self) -> &PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut PlotItemBase {
        &mut self.base
    }
}

/// `bounds` scaled about their centre into the zoom range, from `MIN_KM_PER_PX` to
/// `max_km_per_px`, or `None` when they are within it already.
fn within_zoom_range(bounds: [f64; 4], size_px: [f32; 2], max_km_per_px: f64) -> Option<[f64; 4]> {
    let size = size_px.map(|s| f64::from(s.max(1.0)));
    let km_per_px = ((bounds[2] - bounds[0]) / size[0]).max((bounds[3] - bounds[1]) / size[1]);
    let wanted = if !km_per_px.is_finite() || km_per_px < MIN_KM_PER_PX {
        MIN_KM_PER_PX
    } else if km_per_px > max_km_per_px {
        max_km_per_px
    } else {
        return None;
    };
    let center = [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0];
    let half = [wanted * size[0] / 2.0, wanted * size[1] / 2.0];
    Some([
        center[0] - half[0],
        center[1] - half[1],
        center[0] + half[0],
        center[1] + half[1],
    ])
}

/// The farthest zoom: the whole basemap at half the frame's width or height; farther out
/// there is only sea.
fn max_km_per_px(model: &MapModel, size_px: [f32; 2]) -> f64 {
    let world = model.world_bbox;
    let size = size_px.map(|s| f64::from(s.max(1.0)));
    2.0 * ((world[2] - world[0]) / size[0]).max((world[3] - world[1]) / size[1])
}

pub fn view_of(transform: &PlotTransform) -> View {
    let bounds = transform.bounds();
    let frame = transform.frame();
    View {
        min: bounds.min(),
        max: bounds.max(),
        size_px: [frame.width(), frame.height()],
    }
}

pub fn map_view_ui(ui: &mut Ui, inputs: &MapInputs<'_>) -> MapResponse {
    let painted = Rc::new(RefCell::new(None));
    let layer = MapLayer {
        base: PlotItemBase::new("map".to_owned()),
        inputs,
        painted: Rc::clone(&painted),
    };
    let plot = Plot::new("atlas_map")
        .data_aspect(1.0)
        .show_axes(false)
        .show_grid(false)
        .show_x(false)
        .show_y(false)
        .show_background(false)
        .allow_scroll(false)
        .allow_double_click_reset(false)
        .allow_boxed_zoom(false);
    let response = plot.show(ui, |plot_ui| {
        if let Some(bounds) = inputs.content.set_bounds {
            let size = plot_ui.response().rect.size();
            let size = [size.x, size.y];
            let [x0, y0, x1, y1] =
                within_zoom_range(bounds, size, max_km_per_px(inputs.content.model, size))
                    .unwrap_or(bounds);
            plot_ui.set_plot_bounds(PlotBounds::from_min_max([x0, y0], [x1, y1]));
        }
        // A map zooms with the wheel, as every map program does, rather than scrolling.
        if plot_ui.response().hovered() {
            let scroll = plot_ui.ctx().input(|i| i.smooth_scroll_delta.y);
            if scroll != 0.0 {
                let factor = (scroll * 0.003).exp();
                plot_ui.zoom_bounds_around_hovered(egui::vec2(factor, factor));
            }
        }
        // Closer than a few metres a pixel the data has nothing more to show, and dashes and
        // railway ticks along kilometres of line would run into the millions; farther out
        // than the whole basemap there is only sea.
        if inputs.content.set_bounds.is_none() {
            let b = plot_ui.plot_bounds();
            let size = plot_ui.response().rect.size();
            let size = [size.x, size.y];
            if let Some(clamped) = within_zoom_range(
                [b.min()[0], b.min()[1], b.max()[0], b.max()[1]],
                size,
                max_km_per_px(inputs.content.model, size),
            ) {
                plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                    [clamped[0], clamped[1]],
                    [clamped[2], clamped[3]],
                ));
            }
        }
        plot_ui.add(layer);
        plot_ui.pointer_coordinate()
    });

    let transform = response.transform;
    let view = view_of(&transform);
    let mut out = MapResponse {
        bounds: [view.min[0], view.min[1], view.max[0], view.max[1]],
        view: Some(view),
        scene: painted.borrow_mut().take(),
        screen_rect: Some(*transform.frame()),
        ..MapResponse::default()
    };
    let pointer_inside = response.response.hovered();
    if let Some(pointer) = response.inner.filter(|_| pointer_inside) {
        let at = [pointer.x, pointer.y];
        out.pointer_lon_lat = Some(inputs.content.model.projection.unproject(at[0], at[1]));
        out.hovered = inputs
            .content
            .model
            .index
            .pick(at, PICK_RADIUS_PX * view.km_per_px(), |i| {
                inputs
                    .content
                    .layers
                    .shows_item(&inputs.content.atlas.items[i])
            });
    }
    if response.response.clicked() {
        out.clicked = Some(out.hovered);
    }
    if let Some(hovered) = out.hovered {
        let item = &inputs.content.atlas.items[hovered];
        response.response.on_hover_ui_at_pointer(|ui| {
            ui.strong(item.name());
            ui.label(format!(
                "{} · {}",
                item.properties.sector.label(),
                item.properties.status.label()
            ));
        });
    } else if let Some(pointer) = response.inner.filter(|_| pointer_inside)
        && let Some((layer, properties)) = user_feature_at(inputs, [pointer.x, pointer.y], &view)
    {
        response
            .response
            .on_hover_ui_at_pointer(|ui| user_feature_ui(ui, layer, properties));
    }
    out
}

/// The user feature under the pointer, topmost layer first, with its layer's name.
fn user_feature_at<'a>(
    inputs: &MapInputs<'a>,
    at: [f64; 2],
    view: &View,
) -> Option<(&'a str, &'a serde_json::Map<String, serde_json::Value>)> {
    let radius_km = PICK_RADIUS_PX * view.km_per_px();
    inputs
        .content
        .model
        .user_layers
        .iter()
        .enumerate()
        .rev()
        .filter(|(index, l)| {
            !inputs
                .content
                .layers
                .user_layer_style(&l.path, *index)
                .hidden
        })
        .find_map(|(_, projected)| {
            let pick = projected.pick(at, radius_km)?;
            let layer = inputs
                .content
                .atlas
                .user_layers
                .iter()
                .find(|l| l.path == projected.path)?;
            let properties = match pick {
                UserPick::Point(i) => layer.point_properties(i),
                UserPick::Line(i) => layer.line_properties(i),
            }?;
            Some((layer.name.as_str(), properties))
        })
}

/// How many properties a tooltip lists before it says how many more there are.
const TOOLTIP_PROPERTIES: usize = 12;

fn user_feature_ui(
    ui: &mut Ui,
    layer: &str,
    properties: &serde_json::Map<String, serde_json::Value>,
) {
    let name = properties.get("name").and_then(serde_json::Value::as_str);
    ui.strong(name.unwrap_or(layer));
    ui.weak(format!("Your layer: {layer}"));
    egui::Grid::new("user-feature")
        .num_columns(2)
        .show(ui, |ui| {
            for (key, value) in properties
                .iter()
                .filter(|(k, _)| k.as_str() != "name")
                .take(TOOLTIP_PROPERTIES)
            {
                ui.label(key);
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                ui.label(text);
                ui.end_row();
            }
        });
    let listed = properties.keys().filter(|k| k.as_str() != "name").count();
    let more = listed.saturating_sub(TOOLTIP_PROPERTIES);
    if more > 0 {
        ui.weak(format!("and {more} more"));
    }
}
