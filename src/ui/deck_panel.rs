//! The deck window: the slides of the open deck, to reorder, remove, present and save.

use egui::Ui;

use crate::deck::Deck;

#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeckIntent {
    MoveUp(usize),
    MoveDown(usize),
    Remove(usize),
    Present(usize),
    Open,
    Save,
    Close,
}

pub fn deck_window_ui(
    ui: &mut Ui,
    deck: &Deck,
    path: &mut String,
    unsaved: bool,
    notice: Option<&str>,
) -> Option<DeckIntent> {
    let mut intent = None;
    ui.label(egui::RichText::new(&deck.title).strong());
    egui::ScrollArea::vertical()
        .max_height(320.0)
        .show(ui, |ui| {
            egui::Grid::new("deck_slides")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for (i, slide) in deck.slides.iter().enumerate() {
                        ui.label(format!("{}. {}", i + 1, slide.title));
                        ui.weak(&slide.name);
                        ui.horizontal(|ui| {
                            if ui
                                .add_enabled(i > 0, egui::Button::new("Up").small())
                                .clicked()
                            {
                                intent = Some(DeckIntent::MoveUp(i));
                            }
                            if ui
                                .add_enabled(
                                    i + 1 < deck.slides.len(),
                                    egui::Button::new("Down").small(),
                                )
                                .clicked()
                            {
                                intent = Some(DeckIntent::MoveDown(i));
                            }
                            if ui.small_button("Present").clicked() {
                                intent = Some(DeckIntent::Present(i));
                            }
                            if ui.small_button("Remove").clicked() {
                                intent = Some(DeckIntent::Remove(i));
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    ui.separator();
    ui.horizontal(|ui| {
        let label = ui.label("Deck file:");
        ui.add(egui::TextEdit::singleline(path).desired_width(300.0))
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        if ui.button("Open").clicked() {
            intent = Some(DeckIntent::Open);
        }
        if ui.button(if unsaved { "Save*" } else { "Save" }).clicked() {
            intent = Some(DeckIntent::Save);
        }
        if ui.button("Close").clicked() {
            intent = Some(DeckIntent::Close);
        }
    });
    if let Some(notice) = notice {
        ui.label(notice);
    }
    intent
}
