//! The entity panel: a lender or company, everything it takes part in (as partner, lender or
//! borrower), its loans, and the sums of stated loans and values by currency, set beside the
//! figures sources state for the whole (the article's debt to China).

use egui::{RichText, Ui};

use crate::data::{Atlas, Entity, Role, involvement};
use crate::ui::details::{format_number, is_openable_url};

#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntityIntent {
    SelectItem(String),
    ShowEntity(String),
    OpenUrl(String),
}

/// Sums by currency as "1 250 million USD; 300 million CNY"; "none stated" when empty.
pub fn sums_text(sums: &std::collections::BTreeMap<String, f64>) -> String {
    if sums.is_empty() {
        return "none stated".to_owned();
    }
    sums.iter()
        .map(|(currency, millions)| {
            format!("{} million {currency}", format_number(millions.round()))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn count_text(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The list of every entity, lenders first, with how many items each takes part in.
pub fn entity_list_ui(ui: &mut Ui, atlas: &Atlas) -> Option<EntityIntent> {
    let mut intent = None;
    let mut entities: Vec<&Entity> = atlas.entities.entities.iter().collect();
    entities.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.name.cmp(&b.name)));
    egui::Grid::new("entity_list").striped(true).show(ui, |ui| {
        for entity in entities {
            let involved = involvement(entity, &atlas.items);
            if ui.link(&entity.name).clicked() {
                intent = Some(EntityIntent::ShowEntity(entity.id.clone()));
            }
            ui.weak(format!("{} · {}", entity.kind.label(), entity.country));
            ui.label(count_text(involved.items.len(), "item", "items"));
            ui.label(count_text(involved.loan_count(), "loan", "loans"));
            ui.end_row();
        }
    });
    intent
}

pub fn entity_ui(ui: &mut Ui, atlas: &Atlas, entity: &Entity) -> Option<EntityIntent> {
    let mut intent = None;
    ui.heading(&entity.name);
    ui.weak(format!("{} · {}", entity.kind.label(), entity.country));
    if !entity.aliases.is_empty() {
        ui.label(format!("Also: {}", entity.aliases.join(", ")));
    }
    if !entity.description.is_empty() {
        ui.label(&entity.description);
    }
    let involved = involvement(entity, &atlas.items);
    ui.separator();
    egui::Grid::new("entity_sums").show(ui, |ui| {
        ui.label(RichText::new("Loans made, as items state them").strong());
        ui.label(sums_text(&involved.lent_millions));
        ui.end_row();
        ui.label(RichText::new("Loans received").strong());
        ui.label(sums_text(&involved.borrowed_millions));
        ui.end_row();
        ui.label(RichText::new("Stated values of items it is a partner in").strong());
        ui.label(sums_text(&involved.partner_values_millions));
        ui.end_row();
    });
    ui.label(
        RichText::new(
            "Sums add what the items state, by currency, without conversion; a loan or value \
             no source states is not counted.",
        )
        .small()
        .weak(),
    );
    let debt: Vec<_> = atlas
        .figures
        .claims
        .iter()
        .filter(|c| c.topic == "external_debt_to_china")
        .collect();
    if !debt.is_empty() && !involved.lent_millions.is_empty() {
        ui.label(RichText::new("Beside: Kazakhstan's debt to China as sources state it").strong());
        for claim in debt {
            let value = claim.value.map_or_else(
                || "not stated".to_owned(),
                |v| format!("{} {}", format_number(v), claim.unit),
            );
            ui.label(format!(
                "{}: {value} ({})",
                claim.label, claim.source.publisher
            ));
        }
    }

    ui.separator();
    ui.label(
        RichText::new(format!(
            "Takes part in {}",
            count_text(involved.items.len(), "item", "items")
        ))
        .strong(),
    );
    for (index, roles) in &involved.items {
        let item = &atlas.items[*index];
        ui.horizontal_wrapped(|ui| {
            if ui.link(item.name()).clicked() {
                intent = Some(EntityIntent::SelectItem(item.id().to_owned()));
            }
            for role in roles {
                let text = match role {
                    Role::Partner(entry) => format!("partner: {entry}"),
                    Role::Lender(loan) => format!(
                        "lent {} {} {} to {} ({})",
                        format_number(loan.amount),
                        loan.unit,
                        loan.currency,
                        loan.borrower,
                        loan.year
                    ),
                    Role::Borrower(loan) => {
                        let lender = atlas
                            .entities
                            .entity(&loan.lender)
                            .map_or(loan.lender.as_str(), |e| e.name.as_str());
                        format!(
                            "borrowed {} {} {} from {lender} ({})",
                            format_number(loan.amount),
                            loan.unit,
                            loan.currency,
                            loan.year
                        )
                    }
                };
                ui.weak(text);
            }
        });
    }

    ui.separator();
    ui.label(RichText::new("Sources").strong());
    for source in &entity.sources {
        ui.horizontal_wrapped(|ui| {
            let text = format!("{} — {}", source.title, source.publisher);
            if !is_openable_url(&source.url) {
                ui.label(text);
            } else if ui.link(text).on_hover_text(&source.url).clicked() {
                intent = Some(EntityIntent::OpenUrl(source.url.clone()));
            }
            ui.weak(source.date_label());
            if let Some(kind) = source.kind {
                ui.weak(kind.label());
            }
        });
    }
    intent
}
