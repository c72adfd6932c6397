//! The eframe application: owns the loaded atlas, the map model and the user's state, lays out
//! the panels and applies the intents they return. The view, layers, theme and selection are
//! saved and restored on the next start.

use std::collections::HashMap;

use egui::Ui;
use serde::{Deserialize, Serialize};

use crate::data::{Atlas, ItemGeometry, LoadError};
use crate::scene::{Layers, MapModel, Scene};
use crate::spatial::{Projection, measure};
use crate::style::Theme;
use crate::ui::details::{CorridorMeasures, DetailsIntent, details_ui, is_openable_url};
use crate::ui::layers_panel::{LayersIntent, layers_ui};
use crate::ui::map_view::{MapInputs, MapResponse, map_view_ui};

/// The opening view: Kazakhstan, Xinjiang and Xi'an, in lon/lat degrees.
pub const OPENING_LON_LAT_BOX: [f64; 4] = [46.0, 33.0, 113.0, 55.5];

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
}

pub const STORAGE_KEY: &str = "sinokaz-atlas-state";

pub struct AtlasApp {
    pub atlas: Atlas,
    pub model: MapModel,
    pub state: SavedState,
    /// Problems found while loading, shown in a window until dismissed.
    pub load_errors: Vec<String>,
    selected: Option<usize>,
    hovered: Option<usize>,
    pending_bounds: Option<[f64; 4]>,
    pointer_lon_lat: Option<[f64; 2]>,
    corridor_measures: HashMap<usize, CorridorMeasures>,
    applied_theme: Option<Theme>,
    /// The scene painted in the last frame and where: what the user sees, for tests and tools.
    pub last_scene: Option<Scene>,
    pub last_map_rect: Option<egui::Rect>,
}

impl AtlasApp {
    /// Builds the app from a load result and an optional saved state. A failed load starts the
    /// app with an empty atlas and the errors on screen; it is never mistaken for empty data.
    pub fn new(loaded: Result<Atlas, Vec<LoadError>>, saved: Option<SavedState>) -> Self {
        let (atlas, load_errors) = match loaded {
            Ok(atlas) => (atlas, Vec::new()),
            Err(errors) => {
                for e in &errors {
                    log::error!("{e}");
                }
                (
                    Atlas::default(),
                    errors.iter().map(ToString::to_string).collect(),
                )
            }
        };
        let model = MapModel::build(&atlas, Projection::default());
        let state = saved.unwrap_or_default();
        let selected = state
            .selected
            .as_deref()
            .and_then(|id| atlas.item_index(id));
        let pending_bounds = Some(state.view.unwrap_or_else(|| opening_bounds(&model)));
        Self {
            atlas,
            model,
            state,
            load_errors,
            selected,
            hovered: None,
            pending_bounds,
            pointer_lon_lat: None,
            corridor_measures: HashMap::new(),
            applied_theme: None,
            last_scene: None,
            last_map_rect: None,
        }
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    pub fn select(&mut self, item: Option<usize>) {
        self.selected = item;
        self.state.selected = item.map(|i| self.atlas.items[i].id().to_owned());
        if let Some(i) = item {
            self.ensure_measures(i);
        }
    }

    fn ensure_measures(&mut self, item: usize) {
        if self.corridor_measures.contains_key(&item) {
            return;
        }
        if let Some(ItemGeometry::Lines(lines)) = &self.atlas.items[item].geometry {
            let measures = CorridorMeasures {
                geodesic_km: measure::geodesic_length_km(lines),
                km_per_country: measure::km_per_country(
                    lines,
                    &self.atlas.basemap.countries_detailed,
                ),
            };
            self.corridor_measures.insert(item, measures);
        }
    }

    /// Shows the whole atlas UI in `ui`; eframe calls this every frame, and so do the UI tests.
    pub fn show(&mut self, ui: &mut Ui) {
        if self.applied_theme != Some(self.state.theme) {
            ui.ctx().set_theme(match self.state.theme {
                Theme::Light => egui::Theme::Light,
                Theme::Dark => egui::Theme::Dark,
            });
            self.applied_theme = Some(self.state.theme);
        }
        if ui.ctx().input(|i| i.key_pressed(egui::Key::Escape)) {
            self.select(None);
        }

        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        egui::Panel::left("layers")
            .resizable(true)
            .default_size(230.0)
            .size_range(180.0..=360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    if let Some(intent) =
                        layers_ui(ui, &self.atlas, &self.state.layers, self.state.theme)
                    {
                        self.apply_layers_intent(intent);
                    }
                });
            });
        if let Some(selected) = self.selected {
            let mut intent = None;
            egui::Panel::right("details")
                .resizable(true)
                .default_size(380.0)
                .size_range(300.0..=560.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false; 2])
                        .show(ui, |ui| {
                            let item = &self.atlas.items[selected];
                            intent = details_ui(
                                ui,
                                &self.atlas,
                                item,
                                self.corridor_measures.get(&selected),
                            );
                        });
                });
            match intent {
                Some(DetailsIntent::ClearSelection) => self.select(None),
                Some(DetailsIntent::OpenUrl(url)) => open_url(ui.ctx(), &url),
                None => {}
            }
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.keep_scale_on_resize(ui.available_size());
                let inputs = MapInputs {
                    atlas: &self.atlas,
                    model: &self.model,
                    theme: self.state.theme,
                    layers: &self.state.layers,
                    selected: self.selected,
                    hovered: self.hovered,
                    set_bounds: self.pending_bounds.take(),
                };
                let response = map_view_ui(ui, &inputs);
                self.apply_map_response(response);
            });
        self.load_errors_ui(ui.ctx());
    }

    /// When a panel opens or the window is resized, the map keeps its centre and scale, as map
    /// programs do, instead of egui_plot's default of keeping the x range and rescaling.
    fn keep_scale_on_resize(&mut self, size: egui::Vec2) {
        if self.pending_bounds.is_some() {
            return;
        }
        let (Some(rect), Some(scene)) = (self.last_map_rect, &self.last_scene) else {
            return;
        };
        if (rect.width() - size.x).abs() < 0.5 && (rect.height() - size.y).abs() < 0.5 {
            return;
        }
        let view = scene.view;
        let km_per_px = view.km_per_px();
        let center = [
            (view.min[0] + view.max[0]) / 2.0,
            (view.min[1] + view.max[1]) / 2.0,
        ];
        let half = [
            f64::from(size.x) * km_per_px / 2.0,
            f64::from(size.y) * km_per_px / 2.0,
        ];
        self.pending_bounds = Some([
            center[0] - half[0],
            center[1] - half[1],
            center[0] + half[0],
            center[1] + half[1],
        ]);
    }

    fn apply_map_response(&mut self, response: MapResponse) {
        if response.hovered != self.hovered {
            self.hovered = response.hovered;
            // The hover highlight is drawn by the scene, so it needs one more frame.
            // (egui repaints on pointer movement already; this covers the highlight change.)
        }
        self.pointer_lon_lat = response.pointer_lon_lat;
        if let Some(clicked) = response.clicked {
            self.select(clicked);
        }
        self.state.view = Some(response.bounds);
        self.last_scene = response.scene;
        self.last_map_rect = response.screen_rect;
    }

    fn apply_layers_intent(&mut self, intent: LayersIntent) {
        let layers = &mut self.state.layers;
        match intent {
            LayersIntent::Sector(s, on) => Layers::set(&mut layers.hidden_sectors, s, on),
            LayersIntent::Corridor(k, on) => Layers::set(&mut layers.hidden_corridors, k, on),
            LayersIntent::Basemap(b, on) => Layers::set(&mut layers.hidden_basemap, b, on),
            LayersIntent::Select(i) => self.select(Some(i)),
        }
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.heading("Sino-Kazakh Atlas");
            ui.separator();
            if ui
                .button("Fit all")
                .on_hover_text("Show every mapped item")
                .clicked()
            {
                self.pending_bounds = self.model.items_bbox().map(|b| with_margin(b, 0.06));
            }
            if ui
                .button("Opening view")
                .on_hover_text("Kazakhstan, Xinjiang and Xi'an")
                .clicked()
            {
                self.pending_bounds = Some(opening_bounds(&self.model));
            }
            ui.separator();
            let dark = self.state.theme == Theme::Dark;
            if ui.selectable_label(!dark, "Light").clicked() {
                self.state.theme = Theme::Light;
            }
            if ui.selectable_label(dark, "Dark").clicked() {
                self.state.theme = Theme::Dark;
            }
        });
    }

    fn status_bar_ui(&self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            match self.pointer_lon_lat {
                Some([lon, lat]) => ui.monospace(format!(
                    "{}  {}",
                    format_degrees(lat, 'N', 'S'),
                    format_degrees(lon, 'E', 'W')
                )),
                None => ui.monospace("move the pointer over the map"),
            };
            ui.separator();
            let mapped = self
                .atlas
                .items
                .iter()
                .filter(|i| i.geometry.is_some())
                .count();
            ui.label(format!(
                "{} items, {} on the map, {} unmapped",
                self.atlas.items.len(),
                mapped,
                self.atlas.items.len() - mapped
            ));
            ui.separator();
            ui.label(
                egui::RichText::new(self.atlas.basemap.attributions.join(" · "))
                    .small()
                    .weak(),
            );
        });
    }

    fn load_errors_ui(&mut self, ctx: &egui::Context) {
        if self.load_errors.is_empty() {
            return;
        }
        let mut open = true;
        egui::Window::new("The data could not be loaded")
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(400.0)
                    .show(ui, |ui| {
                        for error in &self.load_errors {
                            ui.monospace(error);
                        }
                    });
            });
        if !open {
            self.load_errors.clear();
        }
    }
}

impl eframe::App for AtlasApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state);
    }
}

fn open_url(ctx: &egui::Context, url: &str) {
    if is_openable_url(url) {
        ctx.open_url(egui::OpenUrl::new_tab(url));
    } else {
        log::warn!("not opening a non-web link: {url}");
    }
}

pub fn opening_bounds(model: &MapModel) -> [f64; 4] {
    let [lon0, lat0, lon1, lat1] = OPENING_LON_LAT_BOX;
    model.bbox_of_lon_lat(lon0, lat0, lon1, lat1)
}

fn with_margin(b: [f64; 4], fraction: f64) -> [f64; 4] {
    let (dx, dy) = ((b[2] - b[0]) * fraction, (b[3] - b[1]) * fraction);
    [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

pub fn format_degrees(value: f64, positive: char, negative: char) -> String {
    let hemisphere = if value < 0.0 { negative } else { positive };
    format!("{:.3}°{hemisphere}", value.abs())
}
