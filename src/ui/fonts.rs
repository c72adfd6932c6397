//! Fallback fonts shipped with the atlas, so Chinese names and Kazakh letters show on any
//! machine without system fonts (see `assets/fonts/build_fonts.py`).

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

use crate::fonts::{CJK, FAMILY, LATIN_CYRILLIC};

/// The family map labels and slides are set in: the faces the SVG writer draws with and label
/// placement measures, so that every picture of a slide sets its text alike.
pub fn atlas_font(size: f32) -> egui::FontId {
    egui::FontId::new(size, FontFamily::Name(FAMILY.into()))
}

/// Adds the bundled faces after egui's own, for proportional and monospace text, and as the
/// whole of the `atlas` family.
pub fn install(ctx: &egui::Context) {
    for (name, bytes) in [("atlas-latin-cyrillic", LATIN_CYRILLIC), ("atlas-cjk", CJK)] {
        ctx.add_font(FontInsert {
            name: name.to_owned(),
            data: FontData::from_static(bytes),
            families: [
                FontFamily::Proportional,
                FontFamily::Monospace,
                FontFamily::Name(FAMILY.into()),
            ]
            .into_iter()
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .collect(),
        });
    }
}

/// The widest texture the atlas asks egui for. egui makes its glyph atlas as wide as the
/// renderer allows, and Mesa's software renderer allows 16,384 pixels: 2 MB for each 32-pixel
/// row of glyphs, held by egui and again by the renderer. At 2,048 the same glyphs take an
/// eighth of that, and the atlas's own tiles (at most 240 pixels a side per point) still fit.
pub const MAX_TEXTURE_SIDE: usize = 2048;

/// Lowers the texture size the renderer reports, before egui makes its glyph atlas from it.
/// The renderer reports it once, in the first frame's input; later frames carry `None`.
pub fn cap_texture_side(raw_input: &mut egui::RawInput) {
    raw_input.max_texture_side = raw_input
        .max_texture_side
        .map(|side| side.min(MAX_TEXTURE_SIDE));
}

#[cfg(test)]
mod tests {
    use egui::FontId;

    #[test]
    fn the_glyph_atlas_stays_narrow_when_the_renderer_allows_wide_textures() {
        let atlas_width = |cap: bool| {
            let ctx = egui::Context::default();
            super::install(&ctx);
            let mut input = egui::RawInput {
                max_texture_side: Some(16_384),
                ..egui::RawInput::default()
            };
            if cap {
                super::cap_texture_side(&mut input);
            }
            let frame = |input: egui::RawInput, text: &str| {
                let mut output = ctx.run_ui(input, |ui| {
                    ui.label(text);
                });
                output.textures_delta.clear();
            };
            frame(input, "Хоргос 霍尔果斯 Khorgos");
            // Later frames carry no size; the capped one must hold.
            frame(egui::RawInput::default(), "Алматы 阿拉木图 Almaty");
            ctx.fonts(|fonts| fonts.font_image_size())[0]
        };
        assert_eq!(atlas_width(false), 16_384);
        assert_eq!(atlas_width(true), super::MAX_TEXTURE_SIDE);
    }

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
        let files = bundled::basemap_files().expect("the bundled basemap inflates");
        let basemap = files.sources();
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
