//! The fonts every picture of the atlas sets its map and slide text in, and the width of a
//! text in them.
//!
//! Both backends draw with these two faces (egui as the `atlas` font family, the SVG writer
//! through resvg's font database), and label placement measures text with the same glyph
//! advances, so a label box is the size of the label that is drawn, in Chinese as in Latin.
//! `assets/fonts/build_fonts.py` rebuilds the subsets when the data gains new characters.

use std::sync::OnceLock;

use skrifa::charmap::Charmap;
use skrifa::metrics::GlyphMetrics;
use skrifa::prelude::{LocationRef, Size};
use skrifa::{FontRef, GlyphId, MetadataProvider};

/// DejaVu Sans, cut to Latin, Cyrillic (Kazakh letters) and what the data and UI use.
pub const LATIN_CYRILLIC: &[u8] =
    include_bytes!("../assets/fonts/atlas-fallback-latin-cyrillic.ttf");
/// Noto Sans CJK SC, cut to the Chinese characters the data uses.
pub const CJK: &[u8] = include_bytes!("../assets/fonts/atlas-fallback-cjk.otf");

/// The family name under which the faces are set, first Latin and Cyrillic, then CJK.
pub const FAMILY: &str = "atlas";

/// The height of a line of text as a multiple of its size, in every backend's layout.
pub const LINE_HEIGHT: f32 = 1.2;

/// One face's character map and advances, in ems.
struct Face {
    /// Parsed once: making a character map or the metrics reads the font's tables again.
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Advances of the printable ASCII characters, looked up on every label measured.
    ascii: [Option<f32>; 128],
}

impl Face {
    fn new(bytes: &'static [u8]) -> Option<Self> {
        let font = FontRef::new(bytes).ok()?;
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let mut face = Self {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascii: [None; 128],
        };
        for c in 0..128u8 {
            face.ascii[usize::from(c)] = face.lookup(char::from(c));
        }
        Some(face)
    }

    fn lookup(&self, c: char) -> Option<f32> {
        let glyph = self.charmap.map(c)?;
        self.advance(glyph)
    }

    fn advance(&self, glyph: GlyphId) -> Option<f32> {
        self.metrics
            .advance_width(glyph)
            .map(|units| units / self.units_per_em)
    }

    /// The advance of `c` in ems, if the face has it.
    fn advance_of(&self, c: char) -> Option<f32> {
        match u32::from(c) {
            code @ 0..128 => self.ascii[code as usize],
            _ => self.lookup(c),
        }
    }
}

struct Faces {
    latin: Face,
    cjk: Face,
    /// What a character neither face has takes: the missing-glyph box of the first face.
    missing: f32,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let latin = Face::new(LATIN_CYRILLIC)?;
            let cjk = Face::new(CJK)?;
            let missing = latin.advance(GlyphId::NOTDEF).unwrap_or(0.6);
            Some(Faces {
                latin,
                cjk,
                missing,
            })
        })
        .as_ref()
}

/// The width of `text` set in one line at `size_px`, from the glyph advances of the face that
/// draws each character (Latin and Cyrillic first, then CJK, as both backends fall back).
pub fn text_width_px(text: &str, size_px: f32) -> f32 {
    let Some(faces) = faces() else {
        // The bundled faces are compiled in and parse; this only guards against a broken
        // build of them, with the width of an average character.
        #[expect(clippy::cast_precision_loss, reason = "texts are short")]
        return text.chars().count() as f32 * 0.6 * size_px;
    };
    let ems: f32 = text
        .chars()
        .map(|c| {
            faces
                .latin
                .advance_of(c)
                .or_else(|| faces.cjk.advance_of(c))
                .unwrap_or(faces.missing)
        })
        .sum();
    ems * size_px
}

/// The box of `text` set in one line at `size_px`: its width, and the height of a line.
pub fn text_size_px(text: &str, size_px: f32) -> [f32; 2] {
    [text_width_px(text, size_px), size_px * LINE_HEIGHT]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_faces_load() {
        assert!(faces().is_some());
    }

    #[test]
    fn chinese_characters_are_a_full_em_and_wider_than_latin_letters() {
        // Noto Sans CJK sets every ideograph on a full em; DejaVu's letters are narrower.
        let chinese = text_width_px("霍尔果斯", 10.0);
        assert!((chinese - 40.0).abs() < 0.5, "{chinese}");
        let latin = text_width_px("Khor", 10.0);
        assert!(latin < chinese * 0.8, "{latin} against {chinese}");
    }

    #[test]
    fn widths_follow_the_glyphs_not_the_count_of_characters() {
        let narrow = text_width_px("iiii", 12.0);
        let wide = text_width_px("WWWW", 12.0);
        assert!(wide > 2.5 * narrow, "{wide} against {narrow}");
        assert!((text_width_px("ab", 12.0) * 2.0 - text_width_px("abab", 12.0)).abs() < 1e-3);
        assert!((text_width_px("abc", 24.0) - 2.0 * text_width_px("abc", 12.0)).abs() < 1e-3);
    }

    #[test]
    fn every_character_of_the_bundled_data_is_in_a_bundled_face() {
        let faces = faces().expect("bundled faces");
        let data = [
            include_str!("../assets/data/projects.geojson"),
            include_str!("../assets/data/figures.json"),
            include_str!("../assets/data/entities.json"),
        ];
        let missing: std::collections::BTreeSet<char> = data
            .iter()
            .flat_map(|file| file.chars())
            .filter(|c| !c.is_control())
            .filter(|&c| faces.latin.advance_of(c).is_none() && faces.cjk.advance_of(c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "run assets/fonts/build_fonts.py: no face has {missing:?}"
        );
        // Kazakh letters are set in the Latin and Cyrillic face, not the CJK one.
        for c in "Қазақстан".chars() {
            assert!(faces.latin.advance_of(c).is_some(), "{c} missing");
        }
    }
}
