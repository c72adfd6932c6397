//! The live map's part of the app: the picture kept from frame to frame, the user-layer tiles,
//! how the picture is batched for the renderer, and what the last frame showed.

use std::cell::RefCell;
use std::sync::Arc;

use crate::scene::{Scene, View};
use crate::ui::batches::DrawBatches;
pub(super) use crate::ui::map_view::MapContent;
use crate::ui::map_view::{MapInputs, MapResponse, PaintedMap, map_view_ui};
use crate::ui::paint::DenseTiles;

#[derive(Default)]
pub(super) struct LiveMap {
    /// The last frame's map picture, reused while its view and inputs stay the same.
    picture: RefCell<Option<PaintedMap>>,
    /// The tiles dense user layers are drawn into, reused from frame to frame; presentation
    /// mode draws its slides' user layers into them too.
    tiles: RefCell<DenseTiles>,
    /// Batches for a software OpenGL renderer (see `ui::batches`); `None` draws the map at once.
    batches: Option<DrawBatches>,
    /// The scene painted in the last frame: what the user sees, for tests and tools.
    last_scene: Option<Arc<Scene>>,
    /// The view shown in the last frame (while panning, the scene can be of a larger one).
    last_view: Option<View>,
    /// Where on the screen the map was drawn last.
    last_rect: Option<egui::Rect>,
}

impl LiveMap {
    /// Draws the map in `batches` from now on (`None`: all at once).
    pub(super) fn set_batches(&mut self, batches: Option<DrawBatches>) {
        self.batches = batches;
        // The kept picture was cut for the old batches.
        *self.picture.borrow_mut() = None;
    }

    /// Shows `content` in `ui`, through the picture and tiles kept from the last frames, and
    /// remembers what was shown.
    pub(super) fn show(&mut self, ui: &mut egui::Ui, content: MapContent<'_>) -> MapResponse {
        let inputs = MapInputs {
            content,
            cache: &self.picture,
            dense: &self.tiles,
            batches: self.batches.as_ref(),
        };
        let response = map_view_ui(ui, &inputs);
        self.last_scene.clone_from(&response.scene);
        self.last_view = response.view;
        self.last_rect = response.screen_rect;
        response
    }

    pub(super) fn tiles(&self) -> &RefCell<DenseTiles> {
        &self.tiles
    }

    pub(super) fn is_drawing_tiles(&self) -> bool {
        self.tiles.borrow().drawing()
    }

    pub(super) fn last_scene(&self) -> Option<&Arc<Scene>> {
        self.last_scene.as_ref()
    }

    pub(super) fn last_view(&self) -> Option<View> {
        self.last_view
    }

    pub(super) fn last_rect(&self) -> Option<egui::Rect> {
        self.last_rect
    }
}
