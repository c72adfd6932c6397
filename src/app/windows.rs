//! The floating windows: search, figures, lenders and companies, an entity, keys, problems,
//! and the checks list.

use super::*;

impl AtlasApp {
    pub(super) fn search_window(&mut self, ctx: &egui::Context) {
        let Some(state) = &mut self.search else {
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
        let mut open = self.show_figures;
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
        self.show_figures = open;
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn entities_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_entities;
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
        self.show_entities = open;
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn entity_window(&mut self, ctx: &egui::Context) {
        let Some(id) = self.shown_entity.clone() else {
            return;
        };
        let Some(entity) = self.atlas.entities.entity(&id) else {
            self.shown_entity = None;
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
            self.shown_entity = None;
        }
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn help_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_help;
        egui::Window::new("Keys")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, crate::ui::help::help_ui);
        self.show_help = open;
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
