//! The user's own layers: opening (window, drop, saved state), reading them in the background,
//! their styles, reloading and removing.

use super::*;

/// The user's layer files: the window that opens them and the files being read.
#[derive(Default)]
pub(super) struct LayerFiles {
    /// `Some` while the window that opens layers is shown.
    pub(super) open_dialog: Option<OpenDialog>,
    /// Layer files being read in the background, with what they were asked for.
    pub(super) jobs: Vec<LayerJob>,
    /// The saved state's layers, read once the first frame gives the jobs a context to wake.
    pub(super) saved: Vec<(PathBuf, Option<String>)>,
}

impl LayerFiles {
    /// Layer files with `saved` (path, key under which its style is saved) to read on the
    /// first frame.
    pub(super) fn reading(saved: Vec<(PathBuf, Option<String>)>) -> Self {
        Self {
            saved,
            ..Self::default()
        }
    }
}

/// Files read in the background as layers, named for the status bar.
pub(super) struct LayerJob {
    pub(super) names: String,
    job: Job<Vec<LayerRead>>,
}

/// One file of a layer job: its layer, or why it could not be read.
#[derive(Clone)]
pub(super) enum LayerRead {
    Opened(Box<UserLayer>),
    Failed { path: String, error: String },
}

impl AtlasApp {
    pub(super) fn apply_layers_intent(&mut self, intent: LayersIntent) {
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
    pub(super) fn user_layer_rows(&self) -> Vec<UserLayerRow<'_>> {
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
        if self.layer_files.open_dialog.is_some() {
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
        self.layer_files.open_dialog = Some(OpenDialog::new(folder));
    }

    /// Reads each file as a layer. A file that is already a layer replaces it; a file that
    /// fails is reported in the problems window and changes nothing: the layers shown before
    /// stay as they were.
    pub fn open_layers(&mut self, paths: Vec<PathBuf>) {
        self.read_layers(paths.into_iter().map(|path| (path, None)).collect());
    }

    /// Reads the file of the layer listed under `key` again, into the same entry.
    pub(super) fn reload_layer(&mut self, key: String) {
        self.read_layers(vec![(PathBuf::from(&key), Some(key))]);
    }

    /// Reads each file as a layer in the background, under its own key or, for a reload, the
    /// key it is listed under: the path it had may now resolve elsewhere, and the layer must
    /// stay one entry. The map stays interactive meanwhile; the status bar shows the files.
    pub(super) fn read_layers(&mut self, requests: Vec<(PathBuf, Option<String>)>) {
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
        self.layer_files.jobs.push(LayerJob { names, job });
    }

    /// Whether layer files are being read in the background.
    pub fn is_loading_layers(&self) -> bool {
        !self.layer_files.jobs.is_empty() || !self.layer_files.saved.is_empty()
    }

    /// Applies the layers whose files have been read; a failure goes to the problems window.
    pub(super) fn finish_layer_jobs(&mut self) {
        let (ended, running): (Vec<LayerJob>, Vec<LayerJob>) =
            std::mem::take(&mut self.layer_files.jobs)
                .into_iter()
                .partition(|j| !j.job.is_running());
        self.layer_files.jobs = running;
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
        let saved_layers = std::mem::take(&mut self.layer_files.saved);
        self.read_layers(saved_layers);
        for job in &self.layer_files.jobs {
            while job.job.is_running() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        self.finish_layer_jobs();
    }

    pub(super) fn cancel_layer_jobs(&mut self) {
        for job in &self.layer_files.jobs {
            job.job.cancel();
        }
    }

    pub(super) fn add_layers(&mut self, read: Vec<LayerRead>) {
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

    pub(super) fn remove_user_layer(&mut self, path: &str) {
        self.state.user_layer_paths.retain(|p| p != path);
        self.state.layers.user_layers.remove(path);
        let mut layers = std::mem::take(&mut Arc::make_mut(&mut self.atlas).user_layers);
        layers.retain(|l| l.path != path);
        self.set_user_layers(layers);
    }

    /// Puts `layers` in place of the user layers, in the atlas and on the map, keeping the
    /// order of `user_layer_paths`.
    pub(super) fn set_user_layers(&mut self, mut layers: Vec<UserLayer>) {
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

    pub(super) fn open_window(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.layer_files.open_dialog else {
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
    pub(super) fn take_dropped_files(&mut self, ctx: &egui::Context) {
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
}
