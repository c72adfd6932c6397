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

#[cfg(test)]
mod tests {
    use egui::FontId;

    use crate::data::bundled;

    /// Every character of the bundled data must have a glyph, or a name would show as boxes;
    /// rerun `assets/fonts/build_fonts.py` after adding data in a new script.
    #[test]
    fn the_bundled_fonts_cover_every_character_of_the_bundled_data_and_basemap() {
        let ctx = egui::Context::default();
        super::install(&ctx);
        // Fonts are loaded at the start of a pass.
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        let basemap = bundled::basemap_sources();
        let mut text: Vec<char> = [
            bundled::ITEMS,
            bundled::FIGURES,
            basemap.cities.1,
            basemap.countries_detailed.1,
            basemap.regions.1,
        ]
        .concat()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
        text.sort_unstable();
        text.dedup();
        let missing: String = ctx.fonts_mut(|fonts| {
            text.iter()
                .filter(|&&c| !fonts.has_glyph(&FontId::proportional(12.0), c))
                // Combining marks are drawn with their base letter.
                .filter(|&&c| !('\u{300}'..='\u{36f}').contains(&c))
                .collect()
        });
        assert!(missing.is_empty(), "no glyph for: {missing}");
    }
}
