//! The layers panel with its legend: a switch and a symbol for each sector, corridor kind and
//! basemap layer, and the list of items that cannot be placed.

use egui::{Sense, Ui, vec2};

use crate::data::{Atlas, CorridorKind, ItemKind, Sector};
use crate::scene::{BasemapLayer, Layers, Marker};
use crate::style::{self, Theme};
use crate::ui::paint::{color32, marker_shapes};

#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayersIntent {
    Sector(Sector, bool),
    Corridor(CorridorKind, bool),
    Basemap(BasemapLayer, bool),
    Select(usize),
    /// Show the window that opens GeoJSON and CSV files as layers.
    OpenLayer,
    /// Switch the user layer of this path on or off.
    UserLayerShown(String, bool),
    UserLayerColor(String, [u8; 3]),
    RemoveUserLayer(String),
    /// Read the layer's file again.
    ReloadUserLayer(String),
}

/// One of the user's layers as the legend lists it.
pub struct UserLayerRow<'a> {
    pub path: &'a str,
    pub name: &'a str,
    /// "12 points, 3 lines", or None when the file could not be read on this start.
    pub summary: Option<String>,
}

pub fn sector_swatch(ui: &mut Ui, sector: Sector, theme: Theme) {
    let (rect, _) = ui.allocate_exact_size(vec2(18.0, 16.0), Sense::hover());
    let mut shapes = Vec::new();
    let marker = Marker {
        item: 0,
        center: [0.0, 0.0],
        shape: style::sector_shape(sector),
        size_px: style::MARKER_SIZE_PX,
        fill: style::sector_color(sector, theme),
        outline: style::palette(theme).marker_outline,
        outline_px: style::MARKER_OUTLINE_PX,
    };
    marker_shapes(rect.center(), &marker, &mut shapes);
    ui.painter().extend(shapes);
}

pub fn corridor_swatch(ui: &mut Ui, kind: CorridorKind, theme: Theme) {
    let (rect, _) = ui.allocate_exact_size(vec2(28.0, 16.0), Sense::hover());
    let look = style::corridor_style(kind, theme);
    let (a, b) = (
        rect.left_center() + vec2(2.0, 0.0),
        rect.right_center() - vec2(2.0, 0.0),
    );
    if let Some(casing) = look.casing {
        ui.painter().line_segment(
            [a, b],
            egui::Stroke::new(look.width_px + 2.0, color32(casing)),
        );
    }
    ui.painter().line_segment(
        [a, b],
        egui::Stroke::new(look.width_px, color32(look.color)),
    );
    if look.ticks {
        for x in [rect.left() + 9.0, rect.left() + 19.0] {
            ui.painter().line_segment(
                [
                    egui::pos2(x, rect.center().y - 4.0),
                    egui::pos2(x, rect.center().y + 4.0),
                ],
                egui::Stroke::new(1.4, color32(look.color)),
            );
        }
    }
}

pub fn layers_ui(
    ui: &mut Ui,
    atlas: &Atlas,
    layers: &Layers,
    user_layers: &[UserLayerRow],
    theme: Theme,
) -> Option<LayersIntent> {
    let mut intent = user_layers_ui(ui, layers, user_layers);
    ui.separator();
    // Counts and lists are of the items that pass the filters, as the map is.
    let passing = || atlas.items.iter().filter(|i| layers.filter.admits(i));
    let count = |pred: &dyn Fn(&crate::data::Item) -> bool| passing().filter(|i| pred(i)).count();

    ui.heading("Projects by sector");
    for sector in Sector::ALL {
        let n =
            count(&|i| i.properties.sector == sector && i.properties.kind != ItemKind::Corridor);
        if n == 0 && layers.shows_sector(sector) {
            continue;
        }
        ui.horizontal(|ui| {
            let mut on = layers.shows_sector(sector);
            sector_swatch(ui, sector, theme);
            if ui
                .checkbox(&mut on, format!("{} ({n})", sector.label()))
                .changed()
            {
                intent = Some(LayersIntent::Sector(sector, on));
            }
        });
    }
    ui.separator();
    ui.heading("Corridors");
    for kind in CorridorKind::ALL {
        let n = count(&|i| i.properties.corridor_kind == Some(kind));
        if n == 0 {
            continue;
        }
        ui.horizontal(|ui| {
            let mut on = layers.shows_corridor(kind);
            corridor_swatch(ui, kind, theme);
            if ui
                .checkbox(&mut on, format!("{} ({n})", kind.label()))
                .changed()
            {
                intent = Some(LayersIntent::Corridor(kind, on));
            }
        });
    }
    ui.label(
        egui::RichText::new(
            "Solid: traced · dashed: through known stations · dotted: end points only",
        )
        .small()
        .weak(),
    );
    ui.separator();
    ui.heading("Basemap");
    for layer in BasemapLayer::ALL {
        let mut on = layers.shows_basemap(layer);
        if ui.checkbox(&mut on, layer.label()).changed() {
            intent = Some(LayersIntent::Basemap(layer, on));
        }
    }
    ui.separator();
    ui.heading("Marker fill");
    ui.label(
        egui::RichText::new(
            "A marker is solid once operating, half filled while under construction, faint while only announced or planned, and hollow while its status is unknown (as is an undated item at a past map date).",
        )
        .small(),
    );
    ui.separator();
    ui.heading("Precision");
    ui.label(egui::RichText::new(precision_legend()).small());

    let unmapped: Vec<(usize, &crate::data::Item)> = atlas
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.geometry.is_none() && layers.filter.admits(i))
        .collect();
    if !unmapped.is_empty() {
        ui.separator();
        ui.heading(format!("Not on the map ({})", unmapped.len()));
        for (index, item) in unmapped {
            if ui
                .link(item.name())
                .on_hover_text(&item.properties.precision.how)
                .clicked()
            {
                intent = Some(LayersIntent::Select(index));
            }
        }
    }
    intent
}

/// The legend of the user's own layers: a switch, a colour, the counts, reload and remove.
fn user_layers_ui(ui: &mut Ui, layers: &Layers, rows: &[UserLayerRow]) -> Option<LayersIntent> {
    let mut intent = None;
    ui.horizontal(|ui| {
        ui.heading("Your layers");
        if ui
            .button("Open…")
            .on_hover_text("Open GeoJSON or CSV files as layers; or drop them on the window")
            .clicked()
        {
            intent = Some(LayersIntent::OpenLayer);
        }
    });
    if rows.is_empty() {
        ui.label(
            egui::RichText::new("None yet: open or drop GeoJSON or CSV (lon, lat) files.")
                .small()
                .weak(),
        );
    }
    for (index, row) in rows.iter().enumerate() {
        let style = layers.user_layer_style(row.path, index);
        ui.horizontal(|ui| {
            let mut on = !style.hidden;
            let mut color = style.color;
            if ui
                .color_edit_button_srgb(&mut color)
                .on_hover_text("Colour of the layer's points and lines")
                .changed()
            {
                intent = Some(LayersIntent::UserLayerColor(row.path.to_owned(), color));
            }
            let label = match &row.summary {
                Some(summary) => format!("{} ({summary})", row.name),
                None => format!("{} (could not be read)", row.name),
            };
            if ui
                .checkbox(&mut on, label)
                .on_hover_text(row.path)
                .changed()
            {
                intent = Some(LayersIntent::UserLayerShown(row.path.to_owned(), on));
            }
        });
        ui.horizontal(|ui| {
            ui.add_space(26.0);
            if ui
                .small_button("Reload")
                .on_hover_text("Read the file again")
                .clicked()
            {
                intent = Some(LayersIntent::ReloadUserLayer(row.path.to_owned()));
            }
            if ui
                .small_button("Remove")
                .on_hover_text("Take the layer off the map; the file is not touched")
                .clicked()
            {
                intent = Some(LayersIntent::RemoveUserLayer(row.path.to_owned()));
            }
        });
    }
    intent
}

/// The legend of precision symbols. The default areas are radii, as the scene draws them, and
/// are read from the style so that the text cannot drift from the drawing.
pub fn precision_legend() -> String {
    format!(
        "A solid marker is an exact site. A halo around a marker shows the radius within which a \
         site is known. A site known only to its town or region is a tinted disc (of radius {} km \
         for a town or {} km for a region where the source gives none) with a smaller marker at \
         its centre. Region items are the region's own area, tinted.",
        crate::style::TOWN_AREA_KM,
        crate::style::REGION_AREA_KM
    )
}

#[cfg(test)]
mod legend_tests {
    #[test]
    fn the_precision_legend_gives_the_default_areas_as_radii() {
        let text = super::precision_legend();
        let town = format!("radius {} km", crate::style::TOWN_AREA_KM);
        assert!(text.contains(&town), "{text}");
        assert!(
            text.contains(&format!("{} km for a region", crate::style::REGION_AREA_KM)),
            "{text}"
        );
        assert!(!text.contains("across"), "{text}");
    }
}
