//! The eframe application: owns the loaded atlas, the map model and the user's state, lays out
//! the panels and applies the intents they return. The view, layers, theme and selection are
//! saved and restored on the next start.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::Ui;
use serde::{Deserialize, Serialize};

mod command;

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
use crate::ui::details::{CorridorMeasures, details_ui, is_openable_url};
use crate::ui::export_panel::{
    ExportIntent, ExportJob, ExportSettings, JobState, default_export_path, export_window_ui,
};
use crate::ui::filter_panel::{FilterIntent, filter_ui, month_end};
use crate::ui::layers_panel::{LayersIntent, UserLayerRow, layers_ui};
use crate::ui::map_view::{MapInputs, MapResponse, PaintedMap, map_view_ui};
use crate::ui::open_panel::{OpenDialog, OpenIntent, open_dialog_ui};
use crate::ui::paint::{DenseTiles, color32};
use crate::ui::presentation::{self, PresentationIntent};
use crate::ui::search_panel::{SearchState, search_ui};
use crate::ui::slide_painter;

/// The part of the state worth restoring on the next start. Loaded data, indexes and caches are
/// rebuilt, never saved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    /// [min_x, min_y, max_x, max_y] of the map plane in km.
    pub view: Option<[f64; 4]>,
    pub layers: Layers,
    pub theme: Theme,
    pub selected: Option<String>,
    /// The deck file last opened or saved.
    pub deck_path: Option<String>,
    /// The files of the user's own layers, in drawing order; each is read again on start.
    pub user_layer_paths: Vec<String>,
    /// The window's inner size in points, to open at the same size.
    pub window_size: Option<[f32; 2]>,
}

/// The key under which versions before the state file kept the state in eframe's storage; it
/// is read once when there is no state file yet.
pub const STORAGE_KEY: &str = "sinokaz-atlas-state";

/// The name of the app's folder for its saved state, as eframe names it.
pub const APP_ID: &str = "Sino-Kazakh Atlas";

/// Where the state is saved: `state.json` in the app's storage folder (on Linux
/// `~/.local/share/sino-kazakhatlas/`). The atlas writes it itself, atomically, so that a crash
/// while saving never leaves half a file.
pub fn state_file() -> Option<PathBuf> {
    eframe::storage_dir(APP_ID).map(|dir| dir.join("state.json"))
}

/// What was found where the state is saved.
#[derive(Debug)]
pub enum Restored {
    /// No state yet: a first start.
    Nothing,
    State(Box<SavedState>),
    /// A file that is there but is not a state this version reads (damaged, or of another
    /// format): its bytes, to be kept.
    Unreadable(Vec<u8>),
    /// The file could not be read at all (permissions, a disk error): nothing may be saved
    /// over it.
    CannotRead(String),
}

/// Reads the saved state in `path`.
pub fn restore_state(path: &Path) -> Restored {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<SavedState>(&bytes) {
            Ok(state) => Restored::State(Box::new(state)),
            Err(_) => Restored::Unreadable(bytes),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Restored::Nothing,
        Err(e) => Restored::CannotRead(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes the state to `path` through a temporary file and a rename.
pub fn save_state(path: &Path, state: &SavedState) -> Result<(), WriteError> {
    let text = serde_json::to_string_pretty(state)
        .map_err(|e| WriteError::new(path, std::io::Error::other(e)))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| WriteError::new(path, source))?;
    }
    write_atomic(path, text.as_bytes())
}

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

/// The saved layer paths as keys: each resolved to the file it names where it can be (so that
/// opening that file again finds the same entry), with its style moved along, and each once.
fn layer_keys(state: &mut SavedState) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for path in std::mem::take(&mut state.user_layer_paths) {
        let key =
            std::fs::canonicalize(&path).map_or_else(|_| path.clone(), |p| p.display().to_string());
        if key != path
            && let Some(style) = state.layers.user_layers.remove(&path)
        {
            state.layers.user_layers.entry(key.clone()).or_insert(style);
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Where a state file that does not read is copied: beside it, named by the time, so that a
/// second damaged state doesn't replace the copy of the first.
fn unreadable_copy_path(path: &Path) -> PathBuf {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    path.with_file_name(format!("state.unreadable-{seconds}.json"))
}

/// The state kept by versions that saved it in eframe's storage, if it reads.
pub fn restore_legacy_state(storage: Option<&dyn eframe::Storage>) -> Option<SavedState> {
    eframe::get_value(storage?, STORAGE_KEY)
}

/// What the deck's file job did.
#[derive(Clone)]
enum DeckFileDone {
    Opened(Deck, PathBuf),
    Saved(PathBuf),
}

/// A repaint request for `ctx`, for jobs to call when they end.
fn repaint_of(ctx: &egui::Context) -> impl Fn() + Send + Sync + 'static {
    let ctx = ctx.clone();
    move || ctx.request_repaint()
}

/// What a presented slide was laid out from: a change to any of it lays the slide out anew.
#[derive(Clone, PartialEq)]
struct PresentedKey {
    index: usize,
    slide: Slide,
    layers: crate::scene::Layers,
    size: [f32; 2],
    /// Which data: a reload makes a new atlas and model.
    data: (usize, usize),
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
    /// Where the state is saved on exit, every 30 s and when layers change; `None` saves nothing
    /// (tests, or a state file that could not be read and must not be saved over).
    state_path: Option<PathBuf>,
    /// The last error saving the state, so that a failure repeated every save is logged once.
    last_save_error: Option<String>,
    /// The state as last written.
    last_saved: Option<SavedState>,
    /// `Some` while the window that opens layers is shown.
    open_dialog: Option<OpenDialog>,
    selected: Option<usize>,
    hovered: Option<usize>,
    camera: Camera,
    /// What the user asked for in this frame, applied once its UI is laid out.
    commands: Vec<Command>,
    pointer_lon_lat: Option<[f64; 2]>,
    corridor_measures: HashMap<usize, CorridorMeasures>,
    /// Corridor measures being made in the background.
    measure_jobs: HashMap<usize, Job<CorridorMeasures>>,
    /// Files of the shown items being written.
    item_export_jobs: Vec<Job<String>>,
    applied_theme: Option<Theme>,
    /// The scene painted in the last frame and where: what the user sees, for tests and tools.
    last_scene: Option<Arc<Scene>>,
    /// The view shown in the last frame (while panning, the scene can be of a larger one).
    last_view: Option<View>,
    /// The last frame's map picture, reused while its view and inputs stay the same.
    map_cache: std::cell::RefCell<Option<PaintedMap>>,
    /// The texture of dense user layers, reused from frame to frame.
    user_layer_tiles: std::cell::RefCell<DenseTiles>,
    /// Batches for a software OpenGL renderer (see `ui::batches`); `None` draws the map at once.
    draw_batches: Option<DrawBatches>,
    last_map_rect: Option<egui::Rect>,
    /// The open deck of slides, and whether it has changes not yet saved.
    deck: Deck,
    deck_unsaved: bool,
    deck_path_input: String,
    deck_notice: Option<String>,
    /// Opening or saving the deck file, on its own thread.
    deck_job: Option<Job<DeckFileDone>>,
    show_deck: bool,
    /// `Some` while the export window is open.
    export_settings: Option<ExportSettings>,
    export_job: Option<ExportJob>,
    /// Layer files being read in the background, with what they were asked for.
    layer_jobs: Vec<LayerJob>,
    /// The saved state's layers, read once the first frame gives the jobs a context to wake.
    saved_layers: Vec<(PathBuf, Option<String>)>,
    /// The state being written to its file, and whether it changed since that write began.
    save_job: Option<Job<()>>,
    save_again: bool,
    /// The context of the last frame, for jobs to ask for a repaint when they end.
    egui_ctx: Option<egui::Context>,
    /// The slide shown in presentation mode, if presenting.
    presenting: Option<usize>,
    /// The slide presentation mode shows, laid out for the screen, and what it was laid out
    /// from.
    presented: Option<(PresentedKey, Arc<SlideScene>)>,
    notice: Option<String>,
    /// `Some` while the search window is open.
    search: Option<SearchState>,
    /// The partner whose items are highlighted, and those items.
    highlighted_partner: Option<String>,
    highlighted_items: Vec<usize>,
    /// Sanity flags of every flagged item, computed once from the data.
    flags: Vec<(usize, Vec<Flag>)>,
    show_help: bool,
    show_figures: bool,
    /// Whether the list of lenders and companies is open.
    show_entities: bool,
    /// The id of the entity whose panel is open.
    shown_entity: Option<String>,
    /// The points of the measuring path, lon/lat; `Some` while the measure tool is on.
    measure: Option<Vec<[f64; 2]>>,
    /// The job writing the last screenshot, started by eframe's screenshot callback.
    screenshot_job: Arc<std::sync::Mutex<Option<Job<std::path::PathBuf>>>>,
}

/// Files read in the background as layers, named for the status bar.
struct LayerJob {
    names: String,
    job: Job<Vec<LayerRead>>,
}

/// One file of a layer job: its layer, or why it could not be read.
#[derive(Clone)]
enum LayerRead {
    Opened(Box<UserLayer>),
    Failed { path: String, error: String },
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
            deck_path_input: state
                .deck_path
                .clone()
                .unwrap_or_else(|| default_export_path("deck", "json")),
            state,
            deck,
            deck_unsaved: false,
            deck_notice,
            deck_job: None,
            show_deck: false,
            export_settings: None,
            export_job: None,
            layer_jobs: Vec::new(),
            saved_layers,
            save_job: None,
            save_again: false,
            egui_ctx: None,
            presenting: None,
            presented: None,
            notice: None,
            search: None,
            highlighted_partner: None,
            highlighted_items: Vec::new(),
            show_help: false,
            show_figures: false,
            show_entities: false,
            shown_entity: None,
            measure: None,
            screenshot_job: Arc::default(),
            load_errors,
            state_path: None,
            last_save_error: None,
            last_saved: None,
            open_dialog: None,
            selected,
            hovered: None,
            camera,
            commands: Vec::new(),
            pointer_lon_lat: None,
            corridor_measures: HashMap::new(),
            measure_jobs: HashMap::new(),
            item_export_jobs: Vec::new(),
            applied_theme: None,
            last_scene: None,
            last_view: None,
            map_cache: std::cell::RefCell::new(None),
            user_layer_tiles: std::cell::RefCell::default(),
            draw_batches: None,
            last_map_rect: None,
        }
    }

    /// Draws the map in `batches` from now on (`None`: all at once).
    pub fn set_draw_batches(&mut self, batches: Option<DrawBatches>) {
        self.draw_batches = batches;
        // The cached picture was cut for the old batches.
        *self.map_cache.borrow_mut() = None;
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
            app.state_path = Some(path);
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
        self.open_dialog.as_ref()
    }

    /// The scene the map painted last.
    pub fn last_scene(&self) -> Option<&Arc<Scene>> {
        self.last_scene.as_ref()
    }

    /// The view the map showed last.
    pub fn last_view(&self) -> Option<View> {
        self.last_view
    }

    /// Where on the screen the map was drawn last.
    pub fn map_rect(&self) -> Option<egui::Rect> {
        self.last_map_rect
    }

    pub fn deck(&self) -> &Deck {
        &self.deck
    }

    pub fn search(&self) -> Option<&SearchState> {
        self.search.as_ref()
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
        self.deck_notice.as_deref()
    }

    /// The index of the slide presentation mode shows, if presenting.
    pub fn presenting(&self) -> Option<usize> {
        self.presenting
    }

    /// The slide presentation mode shows, laid out for the screen.
    pub fn presented_slide(&self) -> Option<&SlideScene> {
        self.presented.as_ref().map(|(_, slide)| slide.as_ref())
    }

    pub fn select(&mut self, item: Option<usize>) {
        self.selected = item;
        self.state.selected = item.map(|i| self.atlas.items[i].id().to_owned());
        if let Some(i) = item {
            self.ensure_measures(i);
        }
    }

    /// Starts measuring a corridor's length and kilometres per country on a background
    /// thread (against the 1:10m countries it takes longer than a frame); the details panel
    /// shows them once they are ready.
    fn ensure_measures(&mut self, item: usize) {
        if self.corridor_measures.contains_key(&item) || self.measure_jobs.contains_key(&item) {
            return;
        }
        let Some(ItemGeometry::Lines(lines)) = &self.atlas.items[item].geometry else {
            return;
        };
        let lines = lines.clone();
        let model = Arc::clone(&self.model);
        let ctx = self.egui_ctx.clone();
        let job = Job::spawn(
            "sinokaz-measure",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |_: &Progress<CorridorMeasures>| {
                Ok::<_, String>(CorridorMeasures {
                    geodesic_km: measure::geodesic_length_km(&lines),
                    km_per_country: measure::km_per_country(
                        &lines,
                        &model.detailed_country_outlines(),
                    ),
                })
            },
        );
        self.measure_jobs.insert(item, job);
    }

    /// Keeps the corridor measures that are ready.
    fn finish_measures(&mut self) {
        let ready: Vec<usize> = self
            .measure_jobs
            .iter()
            .filter(|(_, job)| !job.is_running())
            .map(|(&item, _)| item)
            .collect();
        for item in ready {
            let Some(job) = self.measure_jobs.remove(&item) else {
                continue;
            };
            match job.join() {
                jobs::JobState::Done(measures) => {
                    self.corridor_measures.insert(item, measures);
                }
                jobs::JobState::Failed(message) => self.load_errors.push(message),
                jobs::JobState::Running(_) | jobs::JobState::Cancelled => {}
            }
        }
    }

    /// Waits for the corridor measures being made (for tests of the details panel).
    pub fn finish_measuring(&mut self) {
        for job in self.measure_jobs.values() {
            while job.is_running() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        self.finish_measures();
    }

    /// Shows the whole atlas UI in `ui`; eframe calls this every frame, and so do the UI tests.
    pub fn show(&mut self, ui: &mut Ui) {
        self.egui_ctx = Some(ui.ctx().clone());
        let saved_layers = std::mem::take(&mut self.saved_layers);
        self.read_layers(saved_layers);
        self.finish_layer_jobs();
        self.finish_saved_state();
        self.finish_measures();
        self.finish_item_exports();
        if !self.layer_jobs.is_empty() {
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
        if let Some(index) = self.presenting {
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
                                self.corridor_measures.get(&selected),
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
                let inputs = MapInputs {
                    atlas: &self.atlas,
                    model: &self.model,
                    theme: self.state.theme,
                    layers: &self.state.layers,
                    selected: self.selected,
                    hovered: self.hovered,
                    highlighted: &self.highlighted_items,
                    set_bounds: self.camera.take_pending(),
                    cache: &self.map_cache,
                    dense: &self.user_layer_tiles,
                    batches: self.draw_batches.as_ref(),
                };
                let response = map_view_ui(ui, &inputs);
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

    /// The current view as a slide of `size_px` at `scale`: same centre, same extent, same
    /// layers, selection and theme.
    pub fn current_view_slide(&self, name: String, size_px: [u32; 2], scale: f32) -> Slide {
        let layout = Layout::new(size_px, scale);
        let (center, km_per_px) = match self.last_view {
            Some(v) => {
                let k = ((v.max[0] - v.min[0]) / f64::from(layout.map_size[0]))
                    .max((v.max[1] - v.min[1]) / f64::from(layout.map_size[1]));
                (
                    [(v.min[0] + v.max[0]) / 2.0, (v.min[1] + v.max[1]) / 2.0],
                    k,
                )
            }
            None => {
                let b = opening_bounds(&self.model);
                (
                    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
                    (b[2] - b[0]) / f64::from(layout.map_size[0]),
                )
            }
        };
        let lon_lat = self.model.projection.unproject(center[0], center[1]);
        let selected_item = self.selected.map(|i| &self.atlas.items[i]);
        Slide {
            name,
            title: selected_item.map_or_else(
                || "Map view".to_owned(),
                |item| crate::scene::map_label(item.name()).to_owned(),
            ),
            subtitle: selected_item.map(|item| {
                format!(
                    "{} · {}",
                    item.properties.sector.label(),
                    item.properties.status.label()
                )
            }),
            view: SlideView::Center { lon_lat, km_per_px },
            layers: self.state.layers.clone(),
            selected: self.state.selected.clone(),
            annotations: Vec::new(),
            size: size_px,
            theme: self.state.theme,
        }
    }

    pub fn open_export_window(&mut self, settings: ExportSettings) {
        self.export_settings.get_or_insert(settings);
    }

    /// The state of the last export started from the app, if any.
    pub fn export_state(&self) -> Option<JobState> {
        self.export_job.as_ref().map(ExportJob::state)
    }

    /// Captures the current view as a new slide at the end of the open deck.
    pub fn add_view_to_deck(&mut self) {
        let mut n = self.deck.slides.len() + 1;
        while self.deck.slide(&format!("view-{n}")).is_some() {
            n += 1;
        }
        let slide = self.current_view_slide(format!("view-{n}"), crate::deck::default_size(), 1.0);
        self.notice = Some(format!(
            "Added slide {} \"{}\" to the deck",
            self.deck.slides.len() + 1,
            slide.title
        ));
        self.deck.slides.push(slide);
        self.deck_unsaved = true;
    }

    pub fn start_presentation(&mut self, ctx: &egui::Context, index: usize) {
        if self.deck.slides.is_empty() {
            self.notice = Some("The deck has no slides to present".to_owned());
            return;
        }
        self.presenting = Some(index.min(self.deck.slides.len() - 1));
        self.presented = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
    }

    fn leave_presentation(&mut self, ctx: &egui::Context) {
        self.presenting = None;
        self.presented = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        if let Some(view) = self.state.view {
            self.camera.show(view);
        }
    }

    fn presentation_ui(&mut self, ui: &mut Ui, index: usize) {
        if let Some(intent) = presentation::presentation_keys(ui.ctx()) {
            self.commands.push(intent.into());
        }
        let index = index.min(self.deck.slides.len().saturating_sub(1));
        let Some(slide) = self.deck.slides.get(index).cloned() else {
            self.leave_presentation(ui.ctx());
            return;
        };
        let theme = slide.theme;
        ui.ctx().set_theme(match theme {
            Theme::Light => egui::Theme::Light,
            Theme::Dark => egui::Theme::Dark,
        });
        self.applied_theme = None;
        let count = self.deck.slides.len();
        let presented_layers = slide.layers.with_user_layer_styles_of(&self.state.layers);
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                // The whole window, not the panel's rect: the slide is laid out for the screen
                // it fills, as an export is for its size.
                let screen = ui.ctx().content_rect();
                let mut painter = ui.painter().clone();
                painter.set_clip_rect(screen);
                // Screen readers (and tests) find the slide by its title.
                let title = slide.title.clone();
                ui.allocate_rect(screen, egui::Sense::hover())
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &title));
                let key = PresentedKey {
                    index,
                    slide: slide.clone(),
                    layers: presented_layers.clone(),
                    size: [screen.width(), screen.height()],
                    data: (
                        Arc::as_ptr(&self.atlas) as usize,
                        Arc::as_ptr(&self.model) as usize,
                    ),
                };
                if self.presented.as_ref().is_none_or(|(held, _)| *held != key) {
                    let shown = Slide {
                        layers: presented_layers,
                        ..slide
                    };
                    let laid_out = build_slide(
                        &self.atlas,
                        &self.model,
                        &shown,
                        Layout::of_size(key.size),
                        false,
                    );
                    self.presented = Some((key, Arc::new(laid_out)));
                }
                if let Some((_, laid_out)) = &self.presented {
                    slide_painter::paint_slide(
                        &painter,
                        screen.min,
                        laid_out,
                        &self.user_layer_tiles,
                    );
                }
                presentation::hint_ui(&painter, screen, index, count);
            });
    }

    fn export_window(&mut self, ctx: &egui::Context) {
        let Some(mut settings) = self.export_settings.take() else {
            return;
        };
        let job_state = self.export_job.as_ref().map(ExportJob::state);
        let mut intent = None;
        let mut open = true;
        egui::Window::new("Export view")
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                intent = export_window_ui(ui, &mut settings, job_state.as_ref());
            });
        if open {
            self.export_settings = Some(settings);
        }
        match intent {
            Some(ExportIntent::Start) => self.commands.push(Command::StartExport),
            Some(ExportIntent::Close) => self.commands.push(Command::CloseExport),
            None => {}
        }
        if matches!(job_state, Some(JobState::Running(_))) {
            // Keep the spinner turning while the job runs on its thread.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn deck_window(&mut self, ctx: &egui::Context) {
        if !self.show_deck {
            return;
        }
        let mut intent = None;
        let mut open = true;
        egui::Window::new("Slide deck")
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| {
                intent = deck_window_ui(
                    ui,
                    &self.deck,
                    &mut self.deck_path_input,
                    self.deck_unsaved,
                    self.deck_notice.as_deref(),
                );
            });
        self.show_deck = open;
        self.commands.extend(intent.map(Command::from));
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
            Command::ShowEntity(id) => self.shown_entity = Some(id),
            Command::Filter(intent) => self.apply_filter_intent(intent),
            Command::Layers(intent) => self.apply_layers_intent(intent),
            Command::Deck(intent) => self.apply_deck_intent(ctx, intent),
            Command::StartExport => self.start_export(ctx),
            Command::CloseExport => self.export_settings = None,
            Command::CloseSearch => self.search = None,
            Command::OpenLayerFiles(paths) => self.open_layers(paths),
            Command::CloseOpenDialog => self.open_dialog = None,
            Command::Present(index) => self.start_presentation(ctx, index),
            Command::Presentation(PresentationIntent::Leave) => self.leave_presentation(ctx),
            Command::Presentation(PresentationIntent::Next) => {
                let last = self.deck.slides.len().saturating_sub(1);
                self.presenting = self.presenting.map(|i| (i + 1).min(last));
            }
            Command::Presentation(PresentationIntent::Previous) => {
                self.presenting = self.presenting.map(|i| i.saturating_sub(1));
            }
            Command::ShowBounds(bounds) => self.camera.show(bounds),
            Command::SetTheme(theme) => self.state.theme = theme,
        }
    }

    fn start_export(&mut self, ctx: &egui::Context) {
        let Some(settings) = self.export_settings.clone() else {
            return;
        };
        let slide = self.current_view_slide("view".to_owned(), settings.size, settings.scale);
        self.export_job = Some(ExportJob::start(
            Arc::clone(&self.atlas),
            Arc::clone(&self.model),
            slide,
            settings,
            ctx.clone(),
        ));
    }

    fn apply_deck_intent(&mut self, ctx: &egui::Context, intent: DeckIntent) {
        let slides = &mut self.deck.slides;
        match intent {
            DeckIntent::MoveUp(i) if i > 0 => {
                slides.swap(i, i - 1);
                self.deck_unsaved = true;
            }
            DeckIntent::MoveDown(i) if i + 1 < slides.len() => {
                slides.swap(i, i + 1);
                self.deck_unsaved = true;
            }
            DeckIntent::Remove(i) if i < slides.len() => {
                slides.remove(i);
                self.deck_unsaved = true;
            }
            DeckIntent::Present(i) => self.start_presentation(ctx, i),
            DeckIntent::Open => {
                let path = PathBuf::from(&self.deck_path_input);
                self.deck_notice = Some(format!("Opening {}…", path.display()));
                self.deck_job = Some(Job::spawn("deck-open", repaint_of(ctx), move |_| {
                    Deck::load(&path).map(|deck| DeckFileDone::Opened(deck, path))
                }));
            }
            DeckIntent::Save => {
                let path = PathBuf::from(&self.deck_path_input);
                let json = self.deck.to_json();
                self.deck_notice = Some(format!("Saving {}…", path.display()));
                self.deck_job = Some(Job::spawn("deck-save", repaint_of(ctx), move |_| {
                    write_atomic(&path, json.as_bytes()).map(|()| DeckFileDone::Saved(path))
                }));
            }
            DeckIntent::Close => self.show_deck = false,
            _ => {}
        }
    }

    /// Takes in the deck read or written by the deck's job once it has ended. A deck that
    /// fails to load never replaces the open one.
    fn finish_deck_file(&mut self) {
        let Some(state) = self.deck_job.as_ref().map(Job::state) else {
            return;
        };
        match state {
            jobs::JobState::Running(_) => return,
            jobs::JobState::Done(DeckFileDone::Opened(deck, path)) => {
                self.deck = deck;
                self.deck_unsaved = false;
                self.state.deck_path = Some(path.display().to_string());
                self.deck_notice = Some(format!("Opened {}", path.display()));
            }
            jobs::JobState::Done(DeckFileDone::Saved(path)) => {
                self.deck_unsaved = false;
                self.state.deck_path = Some(path.display().to_string());
                self.deck_notice = Some(format!("Saved {}", path.display()));
            }
            jobs::JobState::Failed(message) => self.deck_notice = Some(message),
            jobs::JobState::Cancelled => self.deck_notice = None,
        }
        self.deck_job = None;
    }

    /// Asks the window for a screenshot of the whole UI. eframe hands the picture to the
    /// callback once the frame is drawn; the callback starts a job that encodes and writes the
    /// PNG, so that no frame waits for either, and the status bar says how it went.
    fn request_screenshot(&mut self, ctx: &egui::Context) {
        let pending = Arc::clone(&self.screenshot_job);
        let repaint = ctx.clone();
        let path = std::path::PathBuf::from(default_export_path("window", "png"));
        ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
            egui::ScreenshotCallback::new(move |image| {
                let path = path.clone();
                let repaint = repaint.clone();
                let job = Job::spawn(
                    "screenshot-png",
                    move || repaint.request_repaint(),
                    move |progress| {
                        progress.stage("encoding");
                        let rgba: Vec<u8> = image
                            .pixels
                            .iter()
                            .flat_map(|c| c.to_srgba_unmultiplied())
                            .collect();
                        #[expect(
                            clippy::cast_possible_truncation,
                            reason = "window sizes fit in u32"
                        )]
                        let size = [image.size[0] as u32, image.size[1] as u32];
                        let png = export::encode_rgba_png(&rgba, size)?;
                        progress.stage("writing");
                        write_atomic(&path, &png)?;
                        Ok::<_, export::ExportError>(path)
                    },
                );
                if let Ok(mut slot) = pending.lock() {
                    *slot = Some(job);
                }
            }),
        ));
        self.notice = Some("Taking a screenshot…".to_owned());
    }

    /// Says in the status bar how the screenshot's job ended, once it has.
    fn finish_screenshot(&mut self) {
        let Ok(mut slot) = self.screenshot_job.lock() else {
            return;
        };
        let message = match slot.as_ref().map(Job::state) {
            None | Some(jobs::JobState::Running(_)) => return,
            Some(jobs::JobState::Done(path)) => format!("Screenshot saved to {}", path.display()),
            Some(jobs::JobState::Failed(message)) => {
                format!("The screenshot was not saved: {message}")
            }
            Some(jobs::JobState::Cancelled) => "The screenshot was cancelled".to_owned(),
        };
        *slot = None;
        drop(slot);
        self.notice = Some(message);
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
        self.last_scene = response.scene;
        self.last_view = response.view;
        self.last_map_rect = response.screen_rect;
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
            self.show_help = !self.show_help;
        }
        // One Esc closes one thing, the topmost: help, search, then (unless a field is being
        // edited, which Esc leaves) the measure tool, the partner highlight, the selection.
        if self.show_help || self.search.is_some() || !typing {
            let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
            if escape {
                if self.show_help {
                    self.show_help = false;
                } else if self.search.is_some() {
                    self.search = None;
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

    fn search_window(&mut self, ctx: &egui::Context) {
        let Some(state) = &mut self.search else {
            return;
        };
        let mut open = true;
        let mut intent = None;
        egui::Window::new("Search")
            .open(&mut open)
            .default_width(380.0)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .show(ctx, |ui| {
                intent = search_ui(ui, &self.atlas, &self.state.layers, state)
            });
        if intent.is_some() || !open {
            self.commands.push(Command::CloseSearch);
        }
        self.commands.extend(intent.map(Command::from));
    }

    fn figures_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_figures;
        let mut intent = None;
        egui::Window::new("Figures")
            .open(&mut open)
            .default_width(460.0)
            .default_height(620.0)
            .default_pos([260.0, 60.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::figures_panel::figures_ui(ui, &self.atlas);
                });
            });
        self.show_figures = open;
        self.commands.extend(intent.map(Command::from));
    }

    fn entities_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_entities;
        let mut intent = None;
        egui::Window::new("Lenders and companies")
            .open(&mut open)
            .default_width(420.0)
            .default_height(480.0)
            .default_pos([300.0, 80.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::entity_panel::entity_list_ui(ui, &self.atlas);
                });
            });
        self.show_entities = open;
        self.commands.extend(intent.map(Command::from));
    }

    fn entity_window(&mut self, ctx: &egui::Context) {
        let Some(id) = self.shown_entity.clone() else {
            return;
        };
        let Some(entity) = self.atlas.entities.entity(&id) else {
            self.shown_entity = None;
            return;
        };
        let mut open = true;
        let mut intent = None;
        egui::Window::new("Entity")
            .open(&mut open)
            .default_width(460.0)
            .default_height(560.0)
            .default_pos([340.0, 100.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::entity_panel::entity_ui(ui, &self.atlas, entity);
                });
            });
        if !open {
            self.shown_entity = None;
        }
        self.commands.extend(intent.map(Command::from));
    }

    fn help_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_help;
        egui::Window::new("Keys")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, crate::ui::help::help_ui);
        self.show_help = open;
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

    /// The sanity flags as a list; a click selects the item.
    fn checks_ui(&mut self, ui: &mut Ui) {
        let count = self.flags.iter().map(|(_, f)| f.len()).sum::<usize>();
        let mut chosen = None;
        ui.collapsing(format!("Checks ({count})"), |ui| {
            for (item, flags) in &self.flags {
                for flag in flags {
                    let name = self.atlas.items[*item].name();
                    if ui
                        .link(format!("{name}: {}", flag.short()))
                        .on_hover_text(flag.to_string())
                        .clicked()
                    {
                        chosen = Some(*item);
                    }
                }
            }
        });
        if let Some(item) = chosen {
            self.choose(item);
        }
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
        let mut search = self.search.take().unwrap_or_default();
        search.focus = true;
        self.search = Some(search);
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

    fn apply_layers_intent(&mut self, intent: LayersIntent) {
        let layers = &mut self.state.layers;
        match intent {
            LayersIntent::Sector(s, on) => Layers::set(&mut layers.hidden_sectors, s, on),
            LayersIntent::Corridor(k, on) => Layers::set(&mut layers.hidden_corridors, k, on),
            LayersIntent::Basemap(b, on) => Layers::set(&mut layers.hidden_basemap, b, on),
            LayersIntent::Select(i) => self.select(Some(i)),
            LayersIntent::OpenLayer => self.show_open_dialog(),
            LayersIntent::UserLayerShown(path, on) => {
                layers.user_layers.entry(path).or_default().hidden = !on;
            }
            LayersIntent::UserLayerColor(path, color) => {
                layers.user_layers.entry(path).or_default().color = color;
            }
            LayersIntent::RemoveUserLayer(path) => self.remove_user_layer(&path),
            LayersIntent::ReloadUserLayer(path) => self.reload_layer(path),
        }
    }

    /// The user's layers as the legend lists them: each saved path, read or not.
    fn user_layer_rows(&self) -> Vec<UserLayerRow<'_>> {
        self.state
            .user_layer_paths
            .iter()
            .map(|path| {
                let layer = self.atlas.user_layers.iter().find(|l| &l.path == path);
                UserLayerRow {
                    path,
                    name: layer.map_or_else(
                        || {
                            Path::new(path)
                                .file_stem()
                                .and_then(|s| s.to_str())
                                .unwrap_or(path)
                        },
                        |l| l.name.as_str(),
                    ),
                    summary: layer.map(UserLayer::summary),
                }
            })
            .collect()
    }

    pub fn show_open_dialog(&mut self) {
        if self.open_dialog.is_some() {
            return;
        }
        // Start where the last layer came from, else in the home folder.
        let folder = self
            .state
            .user_layer_paths
            .last()
            .and_then(|p| Path::new(p).parent())
            .filter(|p| p.is_dir())
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("."));
        self.open_dialog = Some(OpenDialog::new(folder));
    }

    /// Reads each file as a layer. A file that is already a layer replaces it; a file that
    /// fails is reported in the problems window and changes nothing: the layers shown before
    /// stay as they were.
    pub fn open_layers(&mut self, paths: Vec<PathBuf>) {
        self.read_layers(paths.into_iter().map(|path| (path, None)).collect());
    }

    /// Reads the file of the layer listed under `key` again, into the same entry.
    fn reload_layer(&mut self, key: String) {
        self.read_layers(vec![(PathBuf::from(&key), Some(key))]);
    }

    /// Reads each file as a layer in the background, under its own key or, for a reload, the
    /// key it is listed under: the path it had may now resolve elsewhere, and the layer must
    /// stay one entry. The map stays interactive meanwhile; the status bar shows the files.
    fn read_layers(&mut self, requests: Vec<(PathBuf, Option<String>)>) {
        if requests.is_empty() {
            return;
        }
        let names = requests
            .iter()
            .map(|(path, _)| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let ctx = self.egui_ctx.clone();
        let job = Job::spawn(
            "sinokaz-open-layer",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |progress: &Progress<Vec<LayerRead>>| {
                let mut read = Vec::new();
                for (path, key) in requests {
                    if progress.cancelled() {
                        return Err("cancelled");
                    }
                    progress.stage("reading");
                    read.push(match load_user_layer(&path) {
                        Ok(mut layer) => {
                            if let Some(key) = key {
                                layer.path = key;
                            }
                            LayerRead::Opened(Box::new(layer))
                        }
                        Err(e) => LayerRead::Failed {
                            path: path.display().to_string(),
                            error: e.to_string(),
                        },
                    });
                }
                Ok(read)
            },
        );
        self.layer_jobs.push(LayerJob { names, job });
    }

    /// Whether layer files are being read in the background.
    pub fn is_loading_layers(&self) -> bool {
        !self.layer_jobs.is_empty() || !self.saved_layers.is_empty()
    }

    /// Applies the layers whose files have been read; a failure goes to the problems window.
    fn finish_layer_jobs(&mut self) {
        let (ended, running): (Vec<LayerJob>, Vec<LayerJob>) = std::mem::take(&mut self.layer_jobs)
            .into_iter()
            .partition(|j| !j.job.is_running());
        self.layer_jobs = running;
        for ended in ended {
            match ended.job.join() {
                jobs::JobState::Done(read) => self.add_layers(read),
                jobs::JobState::Failed(message) => {
                    self.notice = Some(format!("Could not open {}", ended.names));
                    self.load_errors.push(shortened(&message));
                }
                jobs::JobState::Cancelled => {
                    self.notice = Some(format!("Stopped opening {}", ended.names));
                }
                jobs::JobState::Running(_) => {}
            }
        }
    }

    /// Waits for every layer being read and applies them: for callers without frames to wait
    /// in (the command line, tests of the app's state).
    pub fn finish_loading_layers(&mut self) {
        let saved_layers = std::mem::take(&mut self.saved_layers);
        self.read_layers(saved_layers);
        for job in &self.layer_jobs {
            while job.job.is_running() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        self.finish_layer_jobs();
    }

    fn cancel_layer_jobs(&mut self) {
        for job in &self.layer_jobs {
            job.job.cancel();
        }
    }

    fn add_layers(&mut self, read: Vec<LayerRead>) {
        let mut opened = Vec::new();
        for result in read {
            match result {
                LayerRead::Opened(layer) => opened.push(*layer),
                LayerRead::Failed { path, error } => {
                    log::error!("{error}");
                    self.notice = Some(format!("Could not open {path}"));
                    self.load_errors.push(shortened(&error));
                }
            }
        }
        if opened.is_empty() {
            return;
        }
        // Taken out rather than copied: a layer can be large.
        let mut layers = std::mem::take(&mut Arc::make_mut(&mut self.atlas).user_layers);
        let mut names = Vec::new();
        for layer in opened {
            names.push(format!("{} ({})", layer.name, layer.summary()));
            let path = layer.path.clone();
            if !self.state.user_layer_paths.contains(&path) {
                self.state.user_layer_paths.push(path.clone());
            }
            let styles = &mut self.state.layers.user_layers;
            if !styles.contains_key(&path) {
                // The first colour no listed layer has, so that a layer opened after one was
                // removed doesn't take the colour of one still shown.
                let used: Vec<[u8; 3]> = styles.values().map(|s| s.color).collect();
                let color = crate::style::USER_LAYER_COLORS
                    .into_iter()
                    .find(|c| !used.contains(c))
                    .unwrap_or(crate::style::user_layer_color(styles.len()));
                styles.insert(
                    path.clone(),
                    UserLayerStyle {
                        color,
                        hidden: false,
                    },
                );
            }
            match layers.iter_mut().find(|l| l.path == path) {
                Some(held) => *held = layer,
                None => layers.push(layer),
            }
        }
        self.notice = Some(format!("Opened {}", names.join(", ")));
        self.set_user_layers(layers);
    }

    fn remove_user_layer(&mut self, path: &str) {
        self.state.user_layer_paths.retain(|p| p != path);
        self.state.layers.user_layers.remove(path);
        let mut layers = std::mem::take(&mut Arc::make_mut(&mut self.atlas).user_layers);
        layers.retain(|l| l.path != path);
        self.set_user_layers(layers);
    }

    /// Puts `layers` in place of the user layers, in the atlas and on the map, keeping the
    /// order of `user_layer_paths`.
    fn set_user_layers(&mut self, mut layers: Vec<UserLayer>) {
        let order = &self.state.user_layer_paths;
        layers.sort_by_key(|l| order.iter().position(|p| *p == l.path));
        Arc::make_mut(&mut self.atlas).user_layers = layers;
        // A layer opened is worth keeping even if the app is then killed: save at once.
        self.save_state();
        // An export in the background holds the model; it keeps the one it started with.
        match Arc::get_mut(&mut self.model) {
            Some(model) => model.set_user_layers(&self.atlas.user_layers),
            None => {
                self.model = Arc::new(self.model.with_user_layers(&self.atlas.user_layers));
            }
        }
    }

    fn open_window(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.open_dialog else {
            return;
        };
        let mut intent = None;
        let mut open = true;
        egui::Window::new("Open a layer")
            .open(&mut open)
            .default_width(520.0)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .collapsible(false)
            .show(ctx, |ui| intent = open_dialog_ui(ui, dialog));
        if matches!(intent, Some(OpenIntent::Open(_))) || !open {
            self.commands.push(Command::CloseOpenDialog);
        }
        self.commands.extend(intent.map(Command::from));
    }

    /// Files dropped on the window open as layers; while they hover, the map says so.
    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        let (hovering, dropped) = ctx.input(|i| {
            (
                !i.raw.hovered_files.is_empty(),
                i.raw
                    .dropped_files
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect::<Vec<_>>(),
            )
        });
        if hovering {
            let rect = ctx.content_rect();
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("sinokaz-atlas-drop-hint"),
            ));
            painter.rect_filled(rect, 0.0, color32(style::DROP_HINT_SHADE));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop GeoJSON or CSV files to open them as layers",
                egui::FontId::proportional(style::DROP_HINT_TEXT_SIZE),
                color32(style::DROP_HINT_TEXT),
            );
        }
        if !dropped.is_empty() {
            self.open_layers(dropped);
        }
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.heading("Sino-Kazakh Atlas");
            ui.separator();
            if ui
                .button("Fit all")
                .on_hover_text("Show every mapped item")
                .clicked()
                && let Some(b) = self.model.items_bbox()
            {
                self.commands
                    .push(Command::ShowBounds(with_margin(b, 0.06)));
            }
            if ui
                .button("Opening view")
                .on_hover_text("Kazakhstan, Xinjiang and Xi'an")
                .clicked()
            {
                self.commands
                    .push(Command::ShowBounds(opening_bounds(&self.model)));
            }
            if ui
                .button("Search")
                .on_hover_text("Find an item by name or alias (Ctrl+F)")
                .clicked()
            {
                self.open_search();
            }
            if ui
                .selectable_label(self.show_figures, "Figures")
                .on_hover_text("The article's figures as charts, each claim with its source")
                .clicked()
            {
                self.show_figures = !self.show_figures;
            }
            if ui
                .selectable_label(self.show_entities, "Lenders")
                .on_hover_text("Lenders and companies: what each takes part in, with its loans")
                .clicked()
            {
                self.show_entities = !self.show_entities;
            }
            if ui
                .selectable_label(self.measure.is_some(), "Measure")
                .on_hover_text("Click points on the map to read the geodesic distance (M)")
                .clicked()
            {
                self.toggle_measure();
            }
            if ui
                .button("Keys")
                .on_hover_text("The keyboard (F1)")
                .clicked()
            {
                self.show_help = !self.show_help;
            }
            ui.separator();
            if ui
                .button("Export view…")
                .on_hover_text("Save the current view as a PNG or SVG slide")
                .clicked()
            {
                self.open_export_window(ExportSettings::default());
            }
            if ui
                .button("Add view to deck")
                .on_hover_text("Capture the view, layers and selection as a new slide")
                .clicked()
            {
                self.add_view_to_deck();
            }
            if ui
                .button(format!("Deck ({})", self.deck.slides.len()))
                .clicked()
            {
                self.show_deck = !self.show_deck;
            }
            if ui
                .button("Present")
                .on_hover_text("Full screen slides (F11); arrows move, Esc leaves")
                .clicked()
            {
                self.start_presentation(ui.ctx(), 0);
            }
            if ui
                .button("Screenshot")
                .on_hover_text("Save a picture of the whole window")
                .clicked()
            {
                self.request_screenshot(ui.ctx());
            }
            ui.separator();
            let dark = self.state.theme == Theme::Dark;
            if ui.selectable_label(!dark, "Light").clicked() {
                self.commands.push(Command::SetTheme(Theme::Light));
            }
            if ui.selectable_label(dark, "Dark").clicked() {
                self.commands.push(Command::SetTheme(Theme::Dark));
            }
        });
    }

    fn status_bar_ui(&mut self, ui: &mut Ui) {
        let mut cancel = false;
        ui.horizontal_wrapped(|ui| {
            match self.pointer_lon_lat {
                Some([lon, lat]) => ui.monospace(format!(
                    "{}  {}",
                    crate::format::format_degrees(lat, 3, 'N', 'S'),
                    crate::format::format_degrees(lon, 3, 'E', 'W')
                )),
                None => ui.monospace("move the pointer over the map"),
            };
            ui.separator();
            ui.label(self.tally().to_string());
            if let Some(points) = &self.measure {
                ui.separator();
                let text = match points.len() {
                    0 => "Measure: click points on the map (Backspace removes one, M or Esc ends)"
                        .to_owned(),
                    n => format!(
                        "Measured: {} km over {n} points (geodesic)",
                        crate::ui::details::format_number(
                            (measure::path_length_km(points) * 10.0).round() / 10.0
                        )
                    ),
                };
                ui.label(egui::RichText::new(text).strong());
            }
            if let Some(as_of) = &self.state.layers.filter.as_of {
                ui.separator();
                ui.label(egui::RichText::new(format!("as of {as_of}")).strong());
            }
            if !self.layer_jobs.is_empty() {
                ui.separator();
                ui.spinner();
                let names: Vec<&str> = self.layer_jobs.iter().map(|j| j.names.as_str()).collect();
                ui.label(format!("Opening {}…", names.join(", ")));
                if ui.small_button("Cancel").clicked() {
                    cancel = true;
                }
            }
            if let Some(notice) = &self.notice {
                ui.separator();
                ui.label(egui::RichText::new(notice).strong());
            }
            ui.separator();
            ui.label(
                egui::RichText::new(self.atlas.basemap.attributions.join(" · "))
                    .small()
                    .weak(),
            );
        });
        if cancel {
            self.cancel_layer_jobs();
        }
    }

    fn load_errors_ui(&mut self, ctx: &egui::Context) {
        if self.load_errors.is_empty() {
            return;
        }
        let mut open = true;
        egui::Window::new("Problems")
            .open(&mut open)
            .default_width(760.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(400.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        for error in &self.load_errors {
                            ui.monospace(error);
                        }
                    });
            });
        if !open {
            self.load_errors.clear();
        }
    }
}

impl AtlasApp {
    /// Saves the state to its file, if it has one, on a background thread: the write ends
    /// with an fsync, which can take longer than a frame. A state as last written is not
    /// written again; a change while a write is under way is written when it ends. An error
    /// is logged when it first happens or changes, not at every save.
    pub fn save_state(&mut self) {
        self.finish_saved_state();
        let Some(path) = self.state_path.clone() else {
            return;
        };
        if self.last_saved.as_ref() == Some(&self.state) {
            return;
        }
        if self.save_job.as_ref().is_some_and(Job::is_running) {
            self.save_again = true;
            return;
        }
        let state = self.state.clone();
        self.last_saved = Some(state.clone());
        let ctx = self.egui_ctx.clone();
        self.save_job = Some(Job::spawn(
            "sinokaz-save-state",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |_: &Progress<()>| save_state(&path, &state),
        ));
    }

    /// Takes in how the last write of the state ended, and writes again what changed meanwhile.
    fn finish_saved_state(&mut self) {
        if self.save_job.as_ref().is_none_or(Job::is_running) {
            return;
        }
        let Some(job) = self.save_job.take() else {
            return;
        };
        match job.join() {
            jobs::JobState::Failed(message) => {
                // Not written: the next save tries again.
                self.last_saved = None;
                if self.last_save_error.as_ref() != Some(&message) {
                    self.notice = Some(format!("Settings not saved: {message}"));
                    self.last_save_error = Some(message);
                }
            }
            _ => self.last_save_error = None,
        }
        if std::mem::take(&mut self.save_again) {
            self.save_state();
        }
    }

    /// Waits until the state as it stands is written (at exit, and for tests of the file).
    pub fn finish_saving(&mut self) {
        // The write under way, then the state as it stands if it changed meanwhile; a file that
        // keeps failing is left after a few tries, with its error shown.
        for _ in 0..3 {
            if let Some(job) = &self.save_job {
                while job.is_running() {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            }
            self.finish_saved_state();
            if self.save_job.is_none() {
                self.save_state();
            }
            if self.save_job.is_none() {
                return;
            }
        }
    }
}

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
