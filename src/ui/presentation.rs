//! Presentation mode: full screen, no panels, the slide's title, map, legend and sources; the
//! arrow keys step through the deck.

use egui::{RichText, Ui};

use crate::data::{Atlas, CorridorKind, ItemKind, Sector};
use crate::export::slide::{
    ANNOTATION_GAP_PX, BASEMAP_CREDIT, data_date, place_annotation, visible_sources,
};
use crate::export::{Annotation, Slide};
use crate::scene::{MapModel, Scene, View};
use crate::style::Theme;
use crate::ui::layers_panel::{corridor_swatch, sector_swatch};

#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentationIntent {
    Next,
    Previous,
    Leave,
}

/// Reads the keys of presentation mode.
pub fn presentation_keys(ctx: &egui::Context) -> Option<PresentationIntent> {
    ctx.input(|i| {
        use egui::Key;
        if i.key_pressed(Key::Escape) || i.key_pressed(Key::F11) {
            Some(PresentationIntent::Leave)
        } else if [Key::ArrowRight, Key::ArrowDown, Key::PageDown, Key::Space]
            .iter()
            .any(|&k| i.key_pressed(k))
        {
            Some(PresentationIntent::Next)
        } else if [Key::ArrowLeft, Key::ArrowUp, Key::PageUp]
            .iter()
            .any(|&k| i.key_pressed(k))
        {
            Some(PresentationIntent::Previous)
        } else {
            None
        }
    })
}

pub fn title_ui(ui: &mut Ui, slide: &Slide, index: usize, count: usize) {
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&slide.title).size(28.0).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak(format!(
                "{} / {count} · ← → to move, Esc to leave",
                index + 1
            ));
        });
    });
    if let Some(subtitle) = &slide.subtitle {
        ui.label(RichText::new(subtitle).size(16.0).weak());
    }
    ui.add_space(4.0);
}

pub fn legend_ui(ui: &mut Ui, atlas: &Atlas, scene: Option<&Scene>, theme: Theme) {
    ui.label(RichText::new("Legend").strong());
    let Some(scene) = scene else { return };
    let mut sectors: Vec<Sector> = Vec::new();
    let mut corridors: Vec<CorridorKind> = Vec::new();
    for &i in &scene.visible_items {
        let p = &atlas.items[i].properties;
        match (p.kind, p.corridor_kind) {
            (ItemKind::Corridor, Some(kind)) if !corridors.contains(&kind) => corridors.push(kind),
            (ItemKind::Corridor, _) => {}
            _ if !sectors.contains(&p.sector) => sectors.push(p.sector),
            _ => {}
        }
    }
    sectors.sort_unstable();
    corridors.sort_unstable();
    for sector in sectors {
        ui.horizontal(|ui| {
            sector_swatch(ui, sector, theme);
            ui.label(sector.label());
        });
    }
    for kind in corridors {
        ui.horizontal(|ui| {
            corridor_swatch(ui, kind, theme);
            ui.label(kind.label());
        });
    }
    for layer in scene.user_layers() {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(28.0, 16.0), egui::Sense::hover());
            let color = crate::ui::paint::color32(layer.color);
            ui.painter().line_segment(
                [rect.left_center(), rect.right_center()],
                egui::Stroke::new(1.5, color),
            );
            ui.painter().circle_filled(rect.center(), 3.5, color);
            ui.label(&layer.layer.name);
        });
    }
}

pub fn footer_ui(ui: &mut Ui, atlas: &Atlas, scene: Option<&Scene>) {
    if let Some(scene) = scene {
        let sources = visible_sources(atlas, scene);
        ui.label(
            RichText::new(format!("Sources: {}", sources.join("; ")))
                .small()
                .weak(),
        );
    }
    ui.label(
        RichText::new(format!(
            "Sino-Kazakh Atlas · data from sources dated up to {} · {BASEMAP_CREDIT}",
            data_date(atlas)
        ))
        .small()
        .weak(),
    );
}

/// The height of annotation text in presentation mode, in points.
pub const ANNOTATION_FONT_PX: f32 = 15.0;

/// The slide's text annotations over the map, as the exported slide draws them: the text
/// beside its dot, on the side [`place_annotation`] picks.
pub fn annotations_ui(
    painter: &egui::Painter,
    rect: egui::Rect,
    view: &View,
    model: &MapModel,
    annotations: &[Annotation],
    theme: Theme,
) {
    let palette = crate::style::palette(theme);
    let (text_color, halo) = (
        crate::ui::paint::color32(palette.site_label),
        crate::ui::paint::color32(palette.label_halo),
    );
    for annotation in annotations {
        let [x, y] = view.to_px(
            model
                .projection
                .project(annotation.lon_lat[0], annotation.lon_lat[1]),
        );
        let at = rect.min + egui::vec2(x, y);
        if !rect.contains(at) {
            continue;
        }
        painter.circle(at, 3.5, text_color, egui::Stroke::new(1.5, halo));
        let galley = painter.layout_no_wrap(
            annotation.text.clone(),
            egui::FontId::proportional(ANNOTATION_FONT_PX),
            text_color,
        );
        let placed = place_annotation([x, y], &annotation.text, ANNOTATION_FONT_PX, rect.width());
        let left = if placed.text_left {
            -ANNOTATION_GAP_PX - galley.size().x
        } else {
            ANNOTATION_GAP_PX
        };
        let pos = at + egui::vec2(left, -galley.size().y / 2.0);
        for (dx, dy) in [(-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0)] {
            painter.galley_with_override_text_color(pos + egui::vec2(dx, dy), galley.clone(), halo);
        }
        painter.galley(pos, galley, text_color);
    }
}
