//! What the app keeps between runs: the saved state, its file, and writing it in the background.

use super::*;

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

/// The saved layer paths as keys: each resolved to the file it names where it can be (so that
/// opening that file again finds the same entry), with its style moved along, and each once.
pub(super) fn layer_keys(state: &mut SavedState) -> Vec<String> {
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
pub(super) fn unreadable_copy_path(path: &Path) -> PathBuf {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    path.with_file_name(format!("state.unreadable-{seconds}.json"))
}

/// The state kept by versions that saved it in eframe's storage, if it reads.
pub fn restore_legacy_state(storage: Option<&dyn eframe::Storage>) -> Option<SavedState> {
    eframe::get_value(storage?, STORAGE_KEY)
}

/// Writes the saved state to its file in the background: the write ends with an fsync, which
/// can take longer than a frame. A state as last written is not written again; a change while
/// a write is under way is written when it ends; an error is reported when it first happens or
/// changes, not at every save.
#[derive(Default)]
pub(super) struct StateWriter {
    /// Where the state is saved; `None` saves nothing (tests, or a state file that could not be
    /// read and must not be saved over).
    path: Option<PathBuf>,
    /// The last error saving the state, so that a failure repeated every save is shown once.
    last_error: Option<String>,
    /// The state as last written.
    last_written: Option<SavedState>,
    /// The write under way.
    job: Option<Job<()>>,
    /// Whether the state changed while the write under way began.
    again: bool,
}

impl StateWriter {
    /// A writer to `path`, or one that saves nothing.
    pub(super) fn to(path: Option<PathBuf>) -> Self {
        Self {
            path,
            ..Self::default()
        }
    }

    /// Starts writing `state`, unless it is what was last written; while a write is under
    /// way, it is written when that one ends. Returns a notice for the user when the last
    /// write failed in a new way.
    #[must_use]
    pub(super) fn save(
        &mut self,
        state: &SavedState,
        ctx: Option<&egui::Context>,
    ) -> Option<String> {
        let notice = self.finish(state, ctx);
        let Some(path) = self.path.clone() else {
            return notice;
        };
        if self.last_written.as_ref() == Some(state) {
            return notice;
        }
        if self.job.as_ref().is_some_and(Job::is_running) {
            self.again = true;
            return notice;
        }
        let state = state.clone();
        self.last_written = Some(state.clone());
        let ctx = ctx.cloned();
        self.job = Some(Job::spawn(
            "sinokaz-save-state",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |_: &Progress<()>| save_state(&path, &state),
        ));
        notice
    }

    /// Takes in how the last write ended, and writes `state` if it changed meanwhile. Returns a
    /// notice for the user when that write failed in a new way.
    #[must_use]
    pub(super) fn finish(
        &mut self,
        state: &SavedState,
        ctx: Option<&egui::Context>,
    ) -> Option<String> {
        if self.job.as_ref().is_none_or(Job::is_running) {
            return None;
        }
        let job = self.job.take()?;
        let mut notice = None;
        match job.join() {
            jobs::JobState::Failed(message) => {
                // Not written: the next save tries again.
                self.last_written = None;
                if self.last_error.as_ref() != Some(&message) {
                    notice = Some(format!("Settings not saved: {message}"));
                    self.last_error = Some(message);
                }
            }
            _ => self.last_error = None,
        }
        if std::mem::take(&mut self.again) {
            notice = self.save(state, ctx).or(notice);
        }
        notice
    }

    /// Waits until `state` is written (at exit, and for tests of the file). Returns the
    /// notice of a failure.
    #[must_use]
    pub(super) fn finish_saving(&mut self, state: &SavedState) -> Option<String> {
        // The write under way, then the state as it stands if it changed meanwhile; a file that
        // keeps failing is left after a few tries, with its error shown.
        let mut notice = None;
        for _ in 0..3 {
            if let Some(job) = &self.job {
                while job.is_running() {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            }
            notice = self.finish(state, None).or(notice);
            if self.job.is_none() {
                notice = self.save(state, None).or(notice);
            }
            if self.job.is_none() {
                break;
            }
        }
        notice
    }
}

impl AtlasApp {
    /// Saves the state to its file, if it has one, in the background (see [`StateWriter`]).
    pub fn save_state(&mut self) {
        if let Some(notice) = self.state_writer.save(&self.state, self.egui_ctx.as_ref()) {
            self.notice = Some(notice);
        }
    }

    /// Takes in how the last write of the state ended, and writes again what changed meanwhile.
    pub(super) fn finish_saved_state(&mut self) {
        if let Some(notice) = self
            .state_writer
            .finish(&self.state, self.egui_ctx.as_ref())
        {
            self.notice = Some(notice);
        }
    }

    /// Waits until the state as it stands is written (at exit, and for tests of the file).
    pub fn finish_saving(&mut self) {
        if let Some(notice) = self.state_writer.finish_saving(&self.state) {
            self.notice = Some(notice);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer writes a changed state, skips an unchanged one, and reports a failing file
    /// once, not at every save.
    #[test]
    fn the_state_writer_writes_changes_and_reports_a_failure_once() {
        let dir = std::env::temp_dir().join(format!("sinokaz-state-writer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let path = dir.join("state.json");
        let mut writer = StateWriter::to(Some(path.clone()));
        let mut state = SavedState {
            selected: Some("khorgos".into()),
            ..SavedState::default()
        };
        assert_eq!(writer.save(&state, None), None);
        assert_eq!(writer.finish_saving(&state), None);
        let written: SavedState =
            serde_json::from_slice(&std::fs::read(&path).expect("written")).expect("a state");
        assert_eq!(written, state);

        // Unchanged: no write starts.
        assert_eq!(writer.save(&state, None), None);
        assert!(
            writer.job.is_none(),
            "an unchanged state is not written again"
        );

        // A file that cannot be written: a notice on the first failure only.
        let mut blocked = StateWriter::to(Some(dir.join("not-a-dir.json").join("state.json")));
        std::fs::write(dir.join("not-a-dir.json"), "a file").expect("written");
        state.selected = Some("aktogay".into());
        let first = blocked.finish_saving(&state);
        assert!(
            first
                .as_deref()
                .is_some_and(|n| n.starts_with("Settings not saved")),
            "{first:?}"
        );
        state.selected = Some("dostyk".into());
        assert_eq!(
            blocked.finish_saving(&state),
            None,
            "the same failure is said once"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
