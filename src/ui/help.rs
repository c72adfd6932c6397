//! The keys of the atlas, listed by the help overlay (F1).

use egui::Ui;

/// Every key the map window answers to, with what it does.
pub const KEYS: [(&str, &str); 10] = [
    ("Ctrl+F", "search items by name or alias"),
    (
        "Esc",
        "close help, search, measuring or the highlight; else clear the selection",
    ),
    ("+  /  −", "zoom in / out"),
    ("← → ↑ ↓", "pan the map"),
    ("Mouse wheel", "zoom at the pointer"),
    ("Drag", "pan the map"),
    (
        "M",
        "measure: click points on the map, read the geodesic distance",
    ),
    ("Backspace", "remove the last measured point"),
    ("F1", "show or hide this help"),
    ("F11", "present the deck full screen"),
];

pub fn help_ui(ui: &mut Ui) {
    egui::Grid::new("keys").striped(true).show(ui, |ui| {
        for (key, what) in KEYS {
            ui.monospace(key);
            ui.label(what);
            ui.end_row();
        }
    });
}
