//! Fallback fonts shipped with the atlas, so Chinese names and Kazakh letters show on any
//! machine without system fonts (see `assets/fonts/build_fonts.py`).

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

const LATIN_CYRILLIC: &[u8] =
    include_bytes!("../../assets/fonts/atlas-fallback-latin-cyrillic.ttf");
const CJK: &[u8] = include_bytes!("../../assets/fonts/atlas-fallback-cjk.otf");

/// Adds the fallback fonts after egui's own, for proportional and monospace text.
pub fn install(ctx: &egui::Context) {
    for (name, bytes) in [("atlas-latin-cyrillic", LATIN_CYRILLIC), ("atlas-cjk", CJK)] {
        ctx.add_font(FontInsert {
            name: name.to_owned(),
            data: FontData::from_static(bytes),
            families: [FontFamily::Proportional, FontFamily::Monospace]
                .into_iter()
                .map(|family| InsertFontFamily {
                    family,
                    priority: FontPriority::Lowest,
                })
                .collect(),
        });
    }
}
