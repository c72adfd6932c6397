//! The window that opens the user's GeoJSON and CSV files as layers: a folder listing to browse
//! and a path to type or paste. It is drawn with egui itself, so it works the same on every
//! desktop and needs no system dialog service.

use std::path::{Path, PathBuf};

use egui::Ui;

use crate::data::LayerFormat;

#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenIntent {
    Open(PathBuf),
    Close,
}

/// What the open window shows: the folder being browsed and its listing, read once per folder.
pub struct OpenDialog {
    pub folder: PathBuf,
    pub path_input: String,
    listing: Result<Vec<Entry>, String>,
    /// The path field takes the keyboard when the window opens, so a path can be typed or
    /// pasted at once.
    focus_path: bool,
}

struct Entry {
    name: String,
    is_folder: bool,
}

impl OpenDialog {
    pub fn new(folder: PathBuf) -> Self {
        let listing = list(&folder);
        Self {
            path_input: folder.display().to_string(),
            folder,
            listing,
            focus_path: true,
        }
    }

    fn enter(&mut self, folder: PathBuf) {
        self.listing = list(&folder);
        self.path_input = folder.display().to_string();
        self.folder = folder;
    }
}

/// The folders and the files the atlas can open in `folder`, folders first, each by name.
fn list(folder: &Path) -> Result<Vec<Entry>, String> {
    let entries =
        std::fs::read_dir(folder).map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
    let mut listed: Vec<Entry> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let is_folder = entry.path().is_dir();
            (is_folder || LayerFormat::of(&entry.path()).is_some())
                .then_some(Entry { name, is_folder })
        })
        .collect();
    listed.sort_by(|a, b| {
        b.is_folder
            .cmp(&a.is_folder)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(listed)
}

pub fn open_dialog_ui(ui: &mut Ui, dialog: &mut OpenDialog) -> Option<OpenIntent> {
    let mut intent = None;
    ui.label("GeoJSON (.geojson, .json) or CSV with lon and lat columns (.csv).");
    ui.horizontal(|ui| {
        if ui
            .add_enabled(dialog.folder.parent().is_some(), egui::Button::new("Up"))
            .clicked()
            && let Some(parent) = dialog.folder.parent()
        {
            dialog.enter(parent.to_path_buf());
        }
        if let Some(home) = std::env::var_os("HOME")
            && ui.button("Home").clicked()
        {
            dialog.enter(PathBuf::from(home));
        }
        ui.label(egui::RichText::new(dialog.folder.display().to_string()).strong());
    });
    egui::ScrollArea::vertical()
        .max_height(280.0)
        .auto_shrink([false, true])
        .show(ui, |ui| match &dialog.listing {
            Err(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            Ok(entries) if entries.is_empty() => {
                ui.weak("No folders or GeoJSON/CSV files here.");
            }
            Ok(entries) => {
                let mut chosen = None;
                for entry in entries {
                    let label = if entry.is_folder {
                        format!("{}/", entry.name)
                    } else {
                        entry.name.clone()
                    };
                    let response = ui.selectable_label(false, label);
                    if response.clicked() {
                        chosen = Some((dialog.folder.join(&entry.name), entry.is_folder));
                    }
                }
                match chosen {
                    Some((path, true)) => dialog.enter(path),
                    Some((path, false)) => intent = Some(OpenIntent::Open(path)),
                    None => {}
                }
            }
        });
    ui.separator();
    let mut submitted = false;
    ui.horizontal(|ui| {
        let label = ui.label("Path:");
        let response = ui
            .add(egui::TextEdit::singleline(&mut dialog.path_input).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if std::mem::take(&mut dialog.focus_path) {
            response.request_focus();
        }
        submitted = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    });
    ui.horizontal(|ui| {
        if ui.button("Open").clicked() || submitted {
            // A relative path is taken from the folder shown, not the program's own.
            let path = dialog.folder.join(dialog.path_input.trim());
            if path.is_dir() {
                dialog.enter(path);
            } else {
                intent = Some(OpenIntent::Open(path));
            }
        }
        if ui.button("Cancel").clicked() {
            intent = Some(OpenIntent::Close);
        }
    });
    intent
}
