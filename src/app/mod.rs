//! The eframe application: owns the loaded atlas, the map model and the user's state, lays out
//! the panels and applies the intents they return. The view, layers, theme and selection are
//! saved and restored on the next start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::Ui;
use serde::{Deserialize, Serialize};

mod bars;
mod command;
mod layers;
mod map;
mod measures;
mod persistence;
mod slides;
mod windows;

use layers::LayerFiles;
use map::{LiveMap, MapContent};
use measures::MeasuredCorridors;
use persistence::{StateWriter, layer_keys, unreadable_copy_path};
use slides::{DeckFile, ExportWindow, Presentation};
use windows::OpenWindows;

pub use persistence::{
    APP_ID, Restored, STORAGE_KEY, SavedState, restore_legacy_state, restore_state, save_state,
    state_file,
};

pub use command::Command;

use crate::camera::{Camera, KeyMove, opening_bounds, with_margin};
use crate::data::query::{self, day_key};
use crate::data::{Atlas, Basemap, ItemGeometry, LoadError, UserLayer, load_user_layer};
use crate::deck::{Deck, Slide, SlideView};
use crate::export;
use crate::fs::{WriteError, write_atomic};
use crate::jobs::{self, Job, Progress};
use crate::scene::layers::UserLayerStyle;
use crate::scene::{Layers, MapModel, Scene, View};
use crate::slide::{Layout, SlideScene, build_slide};
use crate::spatial::sanity::{self, Flag};
use crate::spatial::{Projection, measure};
use crate::style::{self, Theme};
use crate::ui::batches::DrawBatches;
use crate::ui::deck_panel::{DeckIntent, deck_window_ui};
use crate::ui::details::{details_ui, is_openable_url};
use crate::ui::export_panel::{
    ExportIntent, ExportJob, ExportSettings, JobState, default_export_path, export_window_ui,
};
use crate::ui::filter_panel::{FilterIntent, filter_ui, month_end};
use crate::ui::layers_panel::{LayersIntent, UserLayerRow, layers_ui};
use crate::ui::map_view::MapResponse;
use crate::ui::open_panel::{OpenDialog, OpenIntent, open_dialog_ui};
use crate::ui::paint::color32;
use crate::ui::presentation::{self, PresentationIntent};
use crate::ui::search_panel::{SearchState, search_ui};
use crate::ui::slide_painter;

/// Lines of one error the Problems window lists; the log has them all.
const PROBLEM_LINES_SHOWN: usize = 50;

/// The error as the Problems window shows it: its first lines, then how many more there are.
/// A file with a problem on each of a million rows would otherwise be laid out every frame.
fn shortened(error: &str) -> String {
    let Some((cut, _)) = error.match_indices('\n').nth(PROBLEM_LINES_SHOWN - 1) else {
        return error.to_owned();
    };
    let more = error[cut..].lines().filter(|l| !l.is_empty()).count();
    format!(
        "{}\n  … and {more} more: `sinokaz-atlas check FILE` lists them all",
        &error[..cut]
    )
}

/// A repaint request for `ctx`, for jobs to call when they end.
fn repaint_of(ctx: &egui::Context) -> impl Fn() + Send + Sync + 'static {
    let ctx = ctx.clone();
    move || ctx.request_repaint()
}

pub struct AtlasApp {
    /// Shared with background exports. Its basemap holds only the attributions: the map and
    /// the corridor measures use `model`'s projected basemap, and the sanity flags are made
    /// before the lon/lat one is let go.
    atlas: Arc<Atlas>,
    model: Arc<MapModel>,
    state: SavedState,
    /// Problems found while loading or opening files, shown in a window until dismissed.
    load_errors: Vec<String>,
    /// Writes the state on exit, every 30 s and when layers change.
    state_writer: StateWriter,
    /// The user's layer files: the Open window and the files being read.
    layer_files: LayerFiles,
    selected: Option<usize>,
    hovered: Option<usize>,
    camera: Camera,
    /// What the user asked for in this frame, applied once its UI is laid out.
    commands: Vec<Command>,
    pointer_lon_lat: Option<[f64; 2]>,
    /// Kilometres of selected corridors, per country, made in the background.
    corridor_measures: MeasuredCorridors,
    /// Files of the shown items being written.
    item_export_jobs: Vec<Job<String>>,
    applied_theme: Option<Theme>,
    /// The live map: its picture, tiles and what it showed last.
    map: LiveMap,
    /// The open deck of slides.
    deck: Deck,
    /// The deck's file and its window.
    deck_file: DeckFile,
    /// The export window and the export under way.
    export: ExportWindow,
    /// The context of the last frame, for jobs to ask for a repaint when they end.
    egui_ctx: Option<egui::Context>,
    presentation: Presentation,
    notice: Option<String>,
    /// The partner whose items are highlighted, and those items.
    highlighted_partner: Option<String>,
    highlighted_items: Vec<usize>,
    /// Sanity flags of every flagged item, computed once from the data.
    flags: Vec<(usize, Vec<Flag>)>,
    /// Which of the windows over the map are open.
    windows: OpenWindows,
    /// The points of the measuring path, lon/lat; `Some` while the measure tool is on.
    measure: Option<Vec<[f64; 2]>>,
    /// The job writing the last screenshot, started by eframe's screenshot callback.
    screenshot_job: Arc<std::sync::Mutex<Option<Job<std::path::PathBuf>>>>,
}

/// Frees one 8 MB block at start-up. glibc's allocator maps blocks above a threshold from
/// the system and unmaps them when freed; freeing a mapped block raises that threshold to its
/// size (and the heap's trim threshold to twice that). Without this, the few megabytes of
/// mesh that egui copies the map into every frame are mapped, faulted in page by page and
/// unmapped again: measured at about 3 ms of a 4 ms panning frame. Other allocators ignore
/// it; the cost is one allocation, once.
fn keep_frame_buffers_in_the_heap() {
    const SIZE: usize = 8 << 20;
    let block: Vec<u8> = std::hint::black_box(vec![1; SIZE]);
    drop(std::hint::black_box(block));
}

impl AtlasApp {
    /// Builds the app from a load result and an optional saved state. A failed load starts the
    /// app with an empty atlas and the errors on screen; it is never mistaken for empty data.
    pub fn new(loaded: Result<Atlas, Vec<LoadError>>, saved: Option<SavedState>) -> Self {
        keep_frame_buffers_in_the_heap();
        let (atlas, load_errors) = match loaded {
            Ok(atlas) => (atlas, Vec::new()),
            Err(errors) => {
                for e in &errors {
                    log::error!("{e}");
                }
                (
                    Atlas::default(),
                    errors.iter().map(|e| shortened(&e.to_string())).collect(),
                )
            }
        };
        let mut state = saved.unwrap_or_default();
        let mut atlas = atlas;
        state.user_layer_paths = layer_keys(&mut state);
        // Each saved layer is read again, in the background from the first frame on (a layer
        // can take seconds to read); one that fails stays listed, so it can be reloaded once
        // its file is back or mended.
        let saved_layers = state
            .user_layer_paths
            .iter()
            .map(|key| (PathBuf::from(key), Some(key.clone())))
            .collect();
        let model = MapModel::build(&atlas, Projection::default());
        let flags = sanity::all_flags(&atlas);
        // The sanity flags are made; the map and the corridor measures work from the
        // projected basemap. The lon/lat copy (about 12 MB of the heap) goes, and only its
        // attributions stay.
        atlas.basemap = Basemap {
            attributions: std::mem::take(&mut atlas.basemap.attributions),
            ..Basemap::default()
        };
        // A saved date that is not a date (an edited or damaged state file) means today.
        if state.layers.filter.as_of_day().is_none() {
            state.layers.filter.as_of = None;
        }
        let (deck, deck_notice) = open_deck(state.deck_path.as_deref());
        let selected = state
            .selected
            .as_deref()
            .and_then(|id| atlas.item_index(id));
        let camera = Camera::showing(state.view.unwrap_or_else(|| opening_bounds(&model)));
        Self {
            flags,
            atlas: Arc::new(atlas),
            model: Arc::new(model),
            deck_file: DeckFile::new(
                state
                    .deck_path
                    .clone()
                    .unwrap_or_else(|| default_export_path("deck", "json")),
                deck_notice,
            ),
            state,
            deck,
            export: ExportWindow::default(),
            layer_files: LayerFiles::reading(saved_layers),
            egui_ctx: None,
            presentation: Presentation::default(),
            notice: None,
            highlighted_partner: None,
            highlighted_items: Vec::new(),
            windows: OpenWindows::default(),
            measure: None,
            screenshot_job: Arc::default(),
            load_errors,
            state_writer: StateWriter::default(),
            selected,
            hovered: None,
            camera,
            commands: Vec::new(),
            pointer_lon_lat: None,
            corridor_measures: MeasuredCorridors::default(),
            item_export_jobs: Vec::new(),
            applied_theme: None,
            map: LiveMap::default(),
        }
    }

    /// Draws the map in `batches` from now on (`None`: all at once).
    pub fn set_draw_batches(&mut self, batches: Option<DrawBatches>) {
        self.map.set_batches(batches);
    }

    /// Builds the app from the state found in `path` (or, on a first start, `legacy`, the state
    /// of a version that kept it in eframe's storage) and saves the state there from now on:
    /// on exit, every 30 s, and at once when layers change.
    ///
    /// What the user had is never saved over. A state that does not read is copied beside the
    /// file first, byte for byte; if the copy fails, or the file cannot be read at all, the
    /// app starts with defaults and saves nothing this time, and says so.
    pub fn with_state_file(
        loaded: Result<Atlas, Vec<LoadError>>,
        path: PathBuf,
        restored: Restored,
        legacy: Option<SavedState>,
    ) -> Self {
        let (saved, notice, keep_saving) = match restored {
            Restored::State(state) => (Some(*state), None, true),
            Restored::Nothing => (legacy, None, true),
            Restored::CannotRead(reason) => (
                None,
                Some(format!(
                    "The saved settings could not be read ({reason}), so the atlas started \
                     with its defaults and will not save over them this time."
                )),
                false,
            ),
            Restored::Unreadable(bytes) => {
                let copy = unreadable_copy_path(&path);
                match write_atomic(&copy, &bytes) {
                    Ok(()) => (
                        None,
                        Some(format!(
                            "The saved settings could not be read, so the atlas started with \
                             its defaults. The file is kept as {}.",
                            copy.display()
                        )),
                        true,
                    ),
                    Err(e) => (
                        None,
                        Some(format!(
                            "The saved settings could not be read, so the atlas started with \
                             its defaults; keeping a copy failed ({e}), so it will not save \
                             over them this time."
                        )),
                        false,
                    ),
                }
            }
        };
        let mut app = Self::new(loaded, saved);
        if keep_saving {
            app.state_writer = StateWriter::to(Some(path));
        }
        if let Some(message) = notice {
            log::warn!("{message}");
            app.load_errors.push(message);
        }
        app
    }

    /// Shows `bounds` ([min_x, min_y, max_x, max_y] of the map plane in km) from the next frame.
    pub fn show_bounds(&mut self, bounds: [f64; 4]) {
        self.camera.show(bounds);
    }

    /// The map-plane box shown in the last frame.
    pub fn shown_bounds(&self) -> Option<[f64; 4]> {
        self.camera.shown()
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    pub fn atlas(&self) -> &Atlas {
        &self.atlas
    }

    pub fn model(&self) -> &MapModel {
        &self.model
    }

    /// The atlas and model as a job started now would hold them.
    pub fn shared_data(&self) -> (Arc<Atlas>, Arc<MapModel>) {
        (Arc::clone(&self.atlas), Arc::clone(&self.model))
    }

    /// The state saved between runs: view, layers and their styles, filters, theme, selection.
    pub fn saved_state(&self) -> &SavedState {
        &self.state
    }

    /// The problems the Problems window lists.
    pub fn load_errors(&self) -> &[String] {
        &self.load_errors
    }

    pub fn open_dialog(&self) -> Option<&OpenDialog> {
        self.layer_files.open_dialog.as_ref()
    }

    /// The scene the map painted last.
    pub fn last_scene(&self) -> Option<&Arc<Scene>> {
        self.map.last_scene()
    }

    /// The view the map showed last.
    pub fn last_view(&self) -> Option<View> {
        self.map.last_view()
    }

    /// Whether the map's user-layer tiles for the scale it came to rest at are being drawn in
    /// the background (tiles of the scale before show scaled meanwhile).
    pub fn is_drawing_map_tiles(&self) -> bool {
        self.map.is_drawing_tiles()
    }

    /// Where on the screen the map was drawn last.
    pub fn map_rect(&self) -> Option<egui::Rect> {
        self.map.last_rect()
    }

    pub fn deck(&self) -> &Deck {
        &self.deck
    }

    pub fn search(&self) -> Option<&SearchState> {
        self.windows.search.as_ref()
    }

    /// The partner whose items are highlighted, if any.
    pub fn highlighted_partner(&self) -> Option<&str> {
        self.highlighted_partner.as_deref()
    }

    /// The points of the measure tool, while it is on.
    pub fn measure(&self) -> Option<&[[f64; 2]]> {
        self.measure.as_deref()
    }

    /// Queues `command` as if a panel had given it; it is applied at the end of the next frame.
    pub fn queue(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// What the deck window says about the last open or save.
    pub fn deck_notice(&self) -> Option<&str> {
        self.deck_file.notice.as_deref()
    }

    /// The index of the slide presentation mode shows, if presenting.
    pub fn presenting(&self) -> Option<usize> {
        self.presentation.slide
    }

    /// The slide presentation mode shows, laid out for the screen.
    pub fn presented_slide(&self) -> Option<&SlideScene> {
        self.presentation
            .laid_out
            .as_ref()
            .map(|(_, slide)| slide.as_ref())
    }

    pub fn select(&mut self, item: Option<usize>) {
        self.selected = item;
        self.state.selected = item.map(|i| self.atlas.items[i].id().to_owned());
        if let Some(i) = item {
            self.ensure_measures(i);
        }
    }

    /// Starts measuring the corridor `item`, unless it is measured or being measured.
    fn ensure_measures(&mut self, item: usize) {
        if let Some(ItemGeometry::Lines(lines)) = &self.atlas.items[item].geometry {
            self.corridor_measures
                .ensure(item, lines, &self.model, self.egui_ctx.as_ref());
        }
    }

    /// Keeps the corridor measures that are ready; a failure goes to the problems window.
    fn finish_measures(&mut self) {
        let failures = self.corridor_measures.finish();
        self.load_errors.extend(failures);
    }

    /// Waits for the corridor measures being made (for tests of the details panel).
    pub fn finish_measuring(&mut self) {
        self.corridor_measures.wait();
        self.finish_measures();
    }

    /// Shows the whole atlas UI in `ui`; eframe calls this every frame, and so do the UI tests.
    pub fn show(&mut self, ui: &mut Ui) {
        self.egui_ctx = Some(ui.ctx().clone());
        let saved_layers = std::mem::take(&mut self.layer_files.saved);
        self.read_layers(saved_layers);
        self.finish_layer_jobs();
        self.finish_saved_state();
        self.finish_measures();
        self.finish_item_exports();
        if !self.layer_files.jobs.is_empty() {
            // The job asks for a repaint when it ends; this keeps the spinner turning.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        if self.applied_theme != Some(self.state.theme) {
            ui.ctx().set_theme(match self.state.theme {
                Theme::Light => egui::Theme::Light,
                Theme::Dark => egui::Theme::Dark,
            });
            self.applied_theme = Some(self.state.theme);
        }
        self.finish_screenshot();
        self.finish_deck_file();
        self.finish_copying_slide(ui.ctx());
        if let Some(index) = self.presentation.slide {
            self.presentation_ui(ui, index);
            self.apply_commands(ui.ctx());
            return;
        }
        if ui.ctx().input(|i| i.key_pressed(egui::Key::F11)) {
            self.commands.push(Command::Present(0));
            self.apply_commands(ui.ctx());
            return;
        }
        self.keyboard(ui.ctx());
        // Not while presenting: the full screen is not the size to open at.
        if let Some(rect) = ui.ctx().input(|i| i.viewport().inner_rect) {
            self.state.window_size = Some([rect.width(), rect.height()]);
        }

        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        egui::Panel::left("layers")
            .resizable(true)
            .default_size(230.0)
            .size_range(180.0..=360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    ui.heading("Filters");
                    let tally = self.tally();
                    if let Some(intent) =
                        filter_ui(ui, &self.atlas, &self.state.layers.filter, tally)
                    {
                        self.commands.push(intent.into());
                    }
                    self.checks_ui(ui);
                    ui.separator();
                    let rows = self.user_layer_rows();
                    let intent =
                        layers_ui(ui, &self.atlas, &self.state.layers, &rows, self.state.theme);
                    drop(rows);
                    if let Some(intent) = intent {
                        self.commands.push(intent.into());
                    }
                });
            });
        if let Some(selected) = self.selected {
            let mut intent = None;
            egui::Panel::right("details")
                .resizable(true)
                .default_size(380.0)
                .size_range(300.0..=560.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false; 2])
                        .show(ui, |ui| {
                            let item = &self.atlas.items[selected];
                            let flags = self
                                .flags
                                .iter()
                                .find(|(i, _)| *i == selected)
                                .map_or(&[][..], |(_, f)| f.as_slice());
                            intent = details_ui(
                                ui,
                                &self.atlas,
                                item,
                                self.corridor_measures.get(selected),
                                flags,
                                self.highlighted_partner.as_deref(),
                            );
                        });
                });
            self.commands.extend(intent.map(Command::from));
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                let size = ui.available_size();
                self.camera.resize([f64::from(size.x), f64::from(size.y)]);
                let set_bounds = self.camera.take_pending();
                let response = self.map.show(
                    ui,
                    MapContent {
                        atlas: &self.atlas,
                        model: &self.model,
                        theme: self.state.theme,
                        layers: &self.state.layers,
                        selected: self.selected,
                        hovered: self.hovered,
                        highlighted: &self.highlighted_items,
                        set_bounds,
                    },
                );
                if let (Some(points), Some(view), Some(rect)) =
                    (&self.measure, &response.view, response.screen_rect)
                {
                    self.paint_measure(ui.painter(), rect, view, points);
                }
                self.apply_map_response(ui.ctx(), response);
            });
        self.search_window(ui.ctx());
        self.help_window(ui.ctx());
        self.figures_window(ui.ctx());
        self.entities_window(ui.ctx());
        self.entity_window(ui.ctx());
        self.load_errors_ui(ui.ctx());
        self.open_window(ui.ctx());
        self.take_dropped_files(ui.ctx());
        self.export_window(ui.ctx());
        self.deck_window(ui.ctx());
        self.apply_commands(ui.ctx());
    }

    /// Applies the frame's commands, in the order they were given: the one place where what
    /// the user asked for changes the app.
    fn apply_commands(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        if !commands.is_empty() {
            // Panels drawn before a command was applied show its effect in the next frame.
            ctx.request_repaint();
        }
        for command in commands {
            self.apply(ctx, command);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Select(item) => self.select(item),
            Command::Choose(item) => self.choose(item),
            Command::ChooseId(id) => {
                if let Some(item) = self.atlas.item_index(&id) {
                    self.choose(item);
                }
            }
            Command::OpenUrl(url) => open_url(ctx, &url),
            Command::HighlightPartner(partner) => self.highlight_partner(partner),
            Command::ShowEntity(id) => self.windows.entity = Some(id),
            Command::Filter(intent) => self.apply_filter_intent(intent),
            Command::Layers(intent) => self.apply_layers_intent(intent),
            Command::Deck(intent) => self.apply_deck_intent(ctx, intent),
            Command::StartExport => self.start_export(ctx),
            Command::CopySlide => self.start_copying_slide(ctx),
            Command::CloseExport => self.export.settings = None,
            Command::CloseSearch => self.windows.search = None,
            Command::OpenLayerFiles(paths) => self.open_layers(paths),
            Command::CloseOpenDialog => self.layer_files.open_dialog = None,
            Command::Present(index) => self.start_presentation(ctx, index),
            Command::Presentation(PresentationIntent::Leave) => self.leave_presentation(ctx),
            Command::Presentation(PresentationIntent::Next) => {
                self.presentation.next(self.deck.slides.len());
            }
            Command::Presentation(PresentationIntent::Previous) => self.presentation.previous(),
            Command::ShowBounds(bounds) => self.camera.show(bounds),
            Command::SetTheme(theme) => self.state.theme = theme,
        }
    }

    fn apply_map_response(&mut self, ctx: &egui::Context, response: MapResponse) {
        if response.hovered != self.hovered {
            self.hovered = response.hovered;
            // The scene of this frame was painted before the pick: draw once more so the hover
            // highlight shows even when the pointer stops on the item.
            ctx.request_repaint();
        }
        self.pointer_lon_lat = response.pointer_lon_lat;
        if let Some(clicked) = response.clicked {
            match (&mut self.measure, response.pointer_lon_lat) {
                (Some(points), Some(at)) => points.push(at),
                (Some(_), None) => {}
                (None, _) => self.select(clicked),
            }
        }
        self.state.view = Some(response.bounds);
        if let Some(rect) = response.screen_rect {
            self.camera.shown_as(
                response.bounds,
                [f64::from(rect.width()), f64::from(rect.height())],
            );
        }
    }

    /// The map window's keys (F1 lists them). Keys typed into a text field are the field's.
    fn keyboard(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let (search, help) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::F),
                i.consume_key(Modifiers::NONE, Key::F1),
            )
        });
        let typing = ctx.egui_wants_keyboard_input();
        if search {
            self.open_search();
        }
        if help {
            self.windows.help = !self.windows.help;
        }
        // One Esc closes one thing, the topmost: help, search, then (unless a field is being
        // edited, which Esc leaves) the measure tool, the partner highlight, the selection.
        if self.windows.help || self.windows.search.is_some() || !typing {
            let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
            if escape {
                if self.windows.help {
                    self.windows.help = false;
                } else if self.windows.search.is_some() {
                    self.windows.search = None;
                } else if self.measure.is_some() {
                    self.measure = None;
                } else if self.highlighted_partner.is_some() {
                    self.highlight_partner(None);
                } else {
                    self.select(None);
                }
            }
        }
        if typing {
            return;
        }
        // Only bare keys: Ctrl with + and − zooms egui's whole UI.
        let (measure, undo) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::M),
                i.consume_key(Modifiers::NONE, Key::Backspace),
            )
        });
        if measure {
            self.toggle_measure();
        }
        if undo && let Some(points) = &mut self.measure {
            points.pop();
        }
        let (zoom_in, zoom_out, dx, dy) = ctx.input(|i| {
            let bare = !(i.modifiers.ctrl || i.modifiers.command || i.modifiers.alt);
            let pressed = |k| bare && i.key_pressed(k);
            let step = |plus, minus| f64::from(i8::from(pressed(plus)) - i8::from(pressed(minus)));
            (
                pressed(Key::Plus) || pressed(Key::Equals),
                pressed(Key::Minus),
                step(Key::ArrowRight, Key::ArrowLeft),
                step(Key::ArrowUp, Key::ArrowDown),
            )
        });
        self.camera.keys(KeyMove {
            zoom_in,
            zoom_out,
            dx,
            dy,
        });
    }

    /// Highlights every item `partner` takes part in (or none), and tells how many.
    pub fn highlight_partner(&mut self, partner: Option<String>) {
        self.highlighted_items = partner.as_deref().map_or_else(Vec::new, |name| {
            (self.atlas.items.iter().enumerate())
                .filter(|(_, item)| crate::data::takes_part(item, name))
                .map(|(i, _)| i)
                .collect()
        });
        self.notice = partner.as_deref().map(|name| {
            format!(
                "{} items with {}",
                self.highlighted_items.len(),
                crate::data::partner_key(name)
            )
        });
        self.highlighted_partner = partner;
    }

    /// Writes the items the layers and filters show to a new file on a background thread,
    /// and says where when it is written.
    pub fn export_shown_items(&mut self, format: crate::data::LayerFormat) {
        let extension = match format {
            crate::data::LayerFormat::GeoJson => "geojson",
            crate::data::LayerFormat::Csv => "csv",
        };
        let path = default_export_path("items", extension);
        let atlas = Arc::clone(&self.atlas);
        let layers = self.state.layers.clone();
        let ctx = self.egui_ctx.clone();
        self.notice = Some(format!("Writing the shown items to {path}…"));
        self.item_export_jobs.push(Job::spawn(
            "sinokaz-export-items",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |_: &Progress<String>| {
                export::items::export_items(&atlas.items, &layers, std::path::Path::new(&path))
                    .map(|n| format!("{n} items written to {path}"))
            },
        ));
    }

    /// What the status bar says last (an export written, a file that could not be opened).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Says how the item exports that ended went.
    fn finish_item_exports(&mut self) {
        let (ended, running): (Vec<Job<String>>, Vec<Job<String>>) =
            std::mem::take(&mut self.item_export_jobs)
                .into_iter()
                .partition(|job| !job.is_running());
        self.item_export_jobs = running;
        for job in ended {
            match job.join() {
                jobs::JobState::Done(said) | jobs::JobState::Failed(said) => {
                    self.notice = Some(said);
                }
                jobs::JobState::Running(_) | jobs::JobState::Cancelled => {}
            }
        }
    }

    /// Opens the search window with its field focused, keeping what was typed before.
    pub fn open_search(&mut self) {
        let mut search = self.windows.search.take().unwrap_or_default();
        search.focus = true;
        self.windows.search = Some(search);
    }

    /// Selects `item` and brings it into view; says so when the filters or layers hide it.
    pub fn choose(&mut self, item: usize) {
        self.select(Some(item));
        self.bring_into_view(&[item]);
        let chosen = &self.atlas.items[item];
        if !self.state.layers.shows_item(chosen) {
            self.notice = Some(format!(
                "{} is hidden by the filters or layers",
                chosen.name()
            ));
        }
    }

    /// Turns the measure tool on (with no points) or off.
    pub fn toggle_measure(&mut self) {
        self.measure = match self.measure {
            Some(_) => None,
            None => Some(Vec::new()),
        };
    }

    /// The geodesic length of the measured path, in km.
    pub fn measured_km(&self) -> Option<f64> {
        self.measure.as_deref().map(measure::path_length_km)
    }

    /// Draws the measuring path: its points, and the legs between them straight on the map
    /// (the distance is measured along the ellipsoid; at these lengths the two differ by
    /// less than a line's width).
    fn paint_measure(
        &self,
        painter: &egui::Painter,
        rect: egui::Rect,
        view: &View,
        points: &[[f64; 2]],
    ) {
        let palette = crate::style::palette(self.state.theme);
        let color = crate::ui::paint::color32(palette.selection);
        let halo = crate::ui::paint::color32(palette.label_halo);
        let screen: Vec<egui::Pos2> = points
            .iter()
            .map(|p| {
                let [x, y] = view.to_px(self.model.projection.project(p[0], p[1]));
                rect.min + egui::vec2(x, y)
            })
            .collect();
        let painter = painter.with_clip_rect(rect);
        painter.add(egui::Shape::line(
            screen.clone(),
            egui::Stroke::new(4.0, halo),
        ));
        painter.add(egui::Shape::dashed_line(
            &screen,
            egui::Stroke::new(2.0, color),
            8.0,
            4.0,
        ));
        for at in screen {
            painter.circle(at, 4.0, color, egui::Stroke::new(1.5, halo));
        }
    }

    /// How many items the layers and filters let through.
    pub fn tally(&self) -> query::Tally {
        let layers = &self.state.layers;
        query::tally(&self.atlas.items, |item| layers.shows_item(item))
    }

    fn apply_filter_intent(&mut self, intent: FilterIntent) {
        match intent {
            FilterIntent::Set(filter) => self.state.layers.filter = filter,
            FilterIntent::ShowEvent(index) => self.show_event(index),
            FilterIntent::ExportItems(format) => self.export_shown_items(format),
        }
    }

    /// Sets the map's date to the end of the event's day (or month, or year) and brings what
    /// it concerns into view, selecting the first of them.
    pub fn show_event(&mut self, index: usize) {
        let Some(event) = self.atlas.figures.events.get(index) else {
            return;
        };
        if let Some(day) = day_key(&event.date) {
            let precise_to = event.date.trim().split('-').count();
            self.state.layers.filter.as_of = Some(match precise_to {
                1 => month_end(query::year_of(day) * 12 + 11),
                2 => month_end(query::month_of_day(day)),
                _ => event.date.trim().to_owned(),
            });
        }
        let concerns: Vec<usize> = event
            .concerns
            .iter()
            .filter_map(|id| self.atlas.item_index(id))
            .collect();
        self.select(concerns.first().copied());
        self.bring_into_view(&concerns);
    }

    /// Moves the view so that `items` are in it: not at all when they already are, by
    /// recentring when they fit at the present scale, else by zooming out to fit them.
    pub fn bring_into_view(&mut self, items: &[usize]) {
        let boxes = self
            .model
            .items
            .iter()
            .filter(|p| items.contains(&p.item))
            .map(|p| match p.area {
                Some(area) => self.model.regions[area].bbox,
                None => p.bbox,
            });
        if let Some(target) = boxes.reduce(crate::scene::model::union) {
            self.camera.bring_into_view(target);
        }
    }
}

impl AtlasApp {}

impl eframe::App for AtlasApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        self.save_state();
    }

    /// The last save must reach the disk before the process ends.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.finish_saving();
    }

    /// The atlas saves what it restores itself, atomically (see [`save_state`]); eframe's own
    /// file of egui's memory would be written in place, and is not needed.
    fn persist_egui_memory(&self) -> bool {
        false
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        crate::ui::fonts::cap_texture_side(raw_input);
    }
}

/// The deck to start with: the one last used if it still loads, else the bundled default.
fn open_deck(path: Option<&str>) -> (Deck, Option<String>) {
    let bundled = || {
        Deck::parse(crate::deck::DEFAULT_DECK_FILE, crate::deck::DEFAULT_DECK).unwrap_or_else(
            |_| Deck {
                title: "Slides".to_owned(),
                slides: Vec::new(),
            },
        )
    };
    match path {
        None => (bundled(), None),
        Some(path) => match Deck::load(std::path::Path::new(path)) {
            Ok(deck) => (deck, None),
            Err(e) => {
                log::error!("{e}");
                (
                    bundled(),
                    Some(format!("{e}; the default deck is open instead")),
                )
            }
        },
    }
}

fn open_url(ctx: &egui::Context, url: &str) {
    if is_openable_url(url) {
        ctx.open_url(egui::OpenUrl::new_tab(url));
    } else {
        log::warn!("not opening a non-web link: {url}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_error_is_shortened_to_its_first_lines_and_a_count() {
        let error: String = (1..=120).map(|i| format!("line {i}\n")).collect();
        let shown = super::shortened(error.trim_end());
        assert_eq!(shown.lines().count(), super::PROBLEM_LINES_SHOWN + 1);
        assert!(shown.starts_with("line 1\nline 2\n"), "{shown}");
        assert!(
            shown.ends_with("… and 70 more: `sinokaz-atlas check FILE` lists them all"),
            "{shown}"
        );
        assert_eq!(super::shortened("one\ntwo"), "one\ntwo");
    }
}
