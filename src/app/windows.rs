//! The floating windows: search, figures, lenders and companies, an entity, keys, problems,
//! and the checks list.

use super::*;

/// Which of the windows over the map are open, and what they show.
#[derive(Default)]
pub(super) struct OpenWindows {
    /// `Some` while the search window is open.
    pub(super) search: Option<SearchState>,
    /// The list of keys.
    pub(super) help: bool,
    pub(super) figures: bool,
    /// The list of lenders and companies.
    pub(super) entities: bool,
    /// The id of the entity whose panel is open.
    pub(super) entity: Option<String>,
}

impl AtlasApp {
    pub(super) fn search_window(&mut self, ctx: &egui::Context) {
        let Some(state) = &mut self.windows.search else {
            return;
        };
        let mut open = true;
        let mut intent = None;
        egui::Window::new("Search")
            .open(&mut open)
            .default_width(380.0)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .show(ctx, |ui| {
                intent = search_ui(ui, &self.atlas, &self.state.layers, state)
            });
        if intent.is_some() || !open {
            self.commands.push(Command::CloseSearch);
        }
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn figures_window(&mut self, ctx: &egui::Context) {
        let mut open = self.windows.figures;
        let mut intent = None;
        egui::Window::new("Figures")
            .open(&mut open)
            .default_width(460.0)
            .default_height(620.0)
            .default_pos([260.0, 60.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::figures_panel::figures_ui(ui, &self.atlas);
                });
            });
        self.windows.figures = open;
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn entities_window(&mut self, ctx: &egui::Context) {
        let mut open = self.windows.entities;
        let mut intent = None;
        egui::Window::new("Lenders and companies")
            .open(&mut open)
            .default_width(420.0)
            .default_height(480.0)
            .default_pos([300.0, 80.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::entity_panel::entity_list_ui(ui, &self.atlas);
                });
            });
        self.windows.entities = open;
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn entity_window(&mut self, ctx: &egui::Context) {
        let Some(id) = self.windows.entity.clone() else {
            return;
        };
        let Some(entity) = self.atlas.entities.entity(&id) else {
            self.windows.entity = None;
            return;
        };
        let mut open = true;
        let mut intent = None;
        egui::Window::new("Entity")
            .open(&mut open)
            .default_width(460.0)
            .default_height(560.0)
            .default_pos([340.0, 100.0])
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    intent = crate::ui::entity_panel::entity_ui(ui, &self.atlas, entity);
                });
            });
        if !open {
            self.windows.entity = None;
        }
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn help_window(&mut self, ctx: &egui::Context) {
        let mut open = self.windows.help;
        egui::Window::new("Keys")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, crate::ui::help::help_ui);
        self.windows.help = open;
    }

    /// The sanity flags as a list; a click selects the item.
    pub(super) fn checks_ui(&mut self, ui: &mut Ui) {
        let count = self.flags.iter().map(|(_, f)| f.len()).sum::<usize>();
        let mut chosen = None;
        ui.collapsing(format!("Checks ({count})"), |ui| {
            for (item, flags) in &self.flags {
                for flag in flags {
                    let name = self.atlas.items[*item].name();
                    if ui
                        .link(format!("{name}: {}", flag.short()))
                        .on_hover_text(flag.to_string())
                        .clicked()
                    {
                        chosen = Some(*item);
                    }
                }
            }
        });
        if let Some(item) = chosen {
            self.choose(item);
        }
    }

    pub(super) fn load_errors_ui(&mut self, ctx: &egui::Context) {
        if self.load_errors.is_empty() {
            return;
        }
        let mut open = true;
        egui::Window::new("Problems")
            .open(&mut open)
            .default_width(760.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(400.0)
                    .auto_shrink([false, true])
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
