//! The details panel: every field of the selected item, its figures with their sources, the
//! computed geodesic length and kilometres per country of a corridor, and clickable sources.

use egui::{RichText, Ui};

use crate::data::{Atlas, Item, OneOrMany, partner_key};
use crate::spatial::sanity::Flag;

/// Measures computed from a corridor's geometry, shown beside its stated figures.
#[derive(Clone, Debug, PartialEq)]
pub struct CorridorMeasures {
    pub geodesic_km: f64,
    /// Kilometres inside each country, longest first; "" is outside every country polygon.
    pub km_per_country: Vec<(String, f64)>,
}

#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetailsIntent {
    OpenUrl(String),
    ClearSelection,
    /// Highlight every item this company or lender takes part in; `None` stops.
    HighlightPartner(Option<String>),
    /// Open the panel of this entity (a lender or company, by id).
    ShowEntity(String),
}

fn partners(
    ui: &mut Ui,
    atlas: &Atlas,
    name: &str,
    list: &[String],
    highlighted: Option<&str>,
    intent: &mut Option<DetailsIntent>,
) {
    if list.is_empty() {
        return;
    }
    ui.label(RichText::new(format!("{name}:")).strong());
    for partner in list {
        ui.horizontal_wrapped(|ui| {
            // Shares and roles differ from item to item: the highlight is of the partner itself.
            let on = highlighted.is_some_and(|h| partner_key(h) == partner_key(partner));
            let response = ui
                .selectable_label(on, partner)
                .on_hover_text("Highlight every item this partner takes part in");
            if response.clicked() {
                *intent = Some(DetailsIntent::HighlightPartner(
                    (!on).then(|| partner.clone()),
                ));
            }
            if let Some(entity) = atlas.entities.named_by(partner)
                && ui
                    .small_button("Entity")
                    .on_hover_text(format!(
                        "Everything {} takes part in, with its loans",
                        entity.name
                    ))
                    .clicked()
            {
                *intent = Some(DetailsIntent::ShowEntity(entity.id.clone()));
            }
        });
    }
}

/// "[3] Title — Publisher" for a source index, for the loan and agreement rows.
fn source_ref(item: &Item, index: usize) -> String {
    item.source_of(index).map_or_else(
        || format!("[{}]", index + 1),
        |s| format!("[{}] {}", index + 1, s.publisher),
    )
}

/// Only web links are opened; anything else in a data file (file:, javascript:, …) is shown
/// as text but never followed.
pub fn is_openable_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(char::is_whitespace)
}

fn field(ui: &mut Ui, name: &str, value: impl Into<String>) {
    let value = value.into();
    if value.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{name}:")).strong());
        ui.label(value);
    });
}

fn join(list: &[String]) -> String {
    list.join(", ")
}

pub fn details_ui(
    ui: &mut Ui,
    atlas: &Atlas,
    item: &Item,
    measures: Option<&CorridorMeasures>,
    flags: &[Flag],
    highlighted_partner: Option<&str>,
) -> Option<DetailsIntent> {
    let mut intent = None;
    let p = &item.properties;
    ui.horizontal(|ui| {
        ui.heading(&p.name);
        if ui
            .small_button("Clear")
            .on_hover_text("Clear the selection (Esc)")
            .clicked()
        {
            intent = Some(DetailsIntent::ClearSelection);
        }
    });
    for flag in flags {
        ui.label(
            RichText::new(format!("Check: {flag}"))
                .color(ui.visuals().warn_fg_color)
                .strong(),
        );
    }
    let mut aliases: Vec<(&String, &OneOrMany)> = p.aliases.iter().collect();
    aliases.sort_by_key(|(lang, _)| *lang);
    for (lang, names) in aliases {
        field(ui, &format!("Name ({lang})"), join(names.as_slice()));
    }
    ui.separator();
    field(ui, "Kind", format!("{:?}", p.kind).to_lowercase());
    field(ui, "Sector", p.sector.label());
    if let Some(kind) = p.corridor_kind {
        field(ui, "Corridor", kind.label());
    }
    field(ui, "Status", p.status.label());
    let mut dates: Vec<_> = p.dates.iter().collect();
    dates.sort_by(|a, b| a.1.date().cmp(b.1.date()).then(a.0.cmp(b.0)));
    for (what, stage) in dates {
        let when = match stage.source() {
            Some(source) => format!("{} [{}]", stage.date(), source + 1),
            None => stage.date().to_owned(),
        };
        field(ui, &what.replace('_', " "), when);
    }
    if crate::data::query::is_undated(item) {
        ui.weak("Undated: no source dates its stages, so at a past map date it shows as status unknown.");
    }
    field(ui, "Country", join(item.countries()));
    if let Some(region) = &p.admin_region {
        field(ui, "Region", region.clone());
    }
    partners(
        ui,
        atlas,
        "Chinese partners",
        &p.partners.cn,
        highlighted_partner,
        &mut intent,
    );
    partners(
        ui,
        atlas,
        "Kazakh partners",
        &p.partners.kz,
        highlighted_partner,
        &mut intent,
    );
    partners(
        ui,
        atlas,
        "Other partners",
        &p.partners.other,
        highlighted_partner,
        &mut intent,
    );
    if let Some(value) = &p.value {
        let source = item
            .source_of(value.source)
            .map(|s| s.title.as_str())
            .unwrap_or("?");
        field(
            ui,
            "Value",
            format!(
                "{} {} (source [{}]: {source})",
                format_number(value.value),
                value.unit,
                value.source + 1
            ),
        );
    }
    ui.add_space(4.0);
    ui.label(&p.description);
    if let Some(note) = &p.article_note {
        ui.add_space(4.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(RichText::new("Where the article differs").strong());
            ui.label(note);
        });
    }

    ui.separator();
    ui.label(RichText::new("Location").strong());
    field(ui, "Precision", p.precision.class.label());
    if let Some(radius) = p.precision.radius_km {
        field(ui, "Radius", format!("{radius} km"));
    }
    field(ui, "How it was placed", p.precision.how.clone());
    if measures.is_none() && matches!(item.geometry, Some(crate::data::ItemGeometry::Lines(_))) {
        ui.weak("Measuring the drawn length and the kilometres in each country…");
    }
    if let Some(measures) = measures {
        field(
            ui,
            "Drawn length (geodesic)",
            format!("{} km", format_number(measures.geodesic_km.round())),
        );
        if let Some(stated) = item.stated_length() {
            let diff = (measures.geodesic_km - stated.value) / stated.value * 100.0;
            field(
                ui,
                "Stated length",
                format!(
                    "{} km ({}), drawn {diff:+.1} %",
                    format_number(stated.value),
                    stated.scope
                ),
            );
        }
        ui.label(RichText::new("Kilometres per country").strong());
        egui::Grid::new("km_per_country")
            .striped(true)
            .show(ui, |ui| {
                for (country, km) in &measures.km_per_country {
                    ui.label(if country.is_empty() {
                        "outside the basemap"
                    } else {
                        country
                    });
                    ui.label(format!("{} km", format_number(km.round())));
                    ui.end_row();
                }
            });
    }
    if !p.stations.is_empty() {
        ui.label(RichText::new("Drawn through").strong());
        for station in &p.stations {
            let radius = station
                .radius_km
                .map(|r| format!(" (within {} km)", format_number(r)))
                .unwrap_or_default();
            let source = station
                .source
                .map(|s| format!(" [{}]", s + 1))
                .unwrap_or_default();
            let row = ui.label(format!("• {}{radius}{source}", station.name));
            if !station.how.is_empty() {
                row.on_hover_text(&station.how);
            }
        }
    }
    if !p.water_crossings.is_empty() {
        field(ui, "Crosses water", join(&p.water_crossings));
    }

    if !p.figures.is_empty() {
        ui.separator();
        ui.label(RichText::new("Figures").strong());
        for figure in &p.figures {
            let context = [figure.scope.as_str(), figure.as_of.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{}:", figure.key.replace('_', " "))).strong());
                ui.label(format!("{} {}", format_number(figure.value), figure.unit));
                ui.weak(context);
                ui.label(format!("[{}]", figure.source + 1)).on_hover_text(
                    item.source_of(figure.source)
                        .map(|s| s.title.clone())
                        .unwrap_or_default(),
                );
            });
        }
    }

    if !p.loans.is_empty() {
        ui.separator();
        ui.label(RichText::new("Loans").strong());
        for loan in &p.loans {
            ui.horizontal_wrapped(|ui| {
                let lender = atlas.entities.entity(&loan.lender);
                let lender_name = lender.map_or(loan.lender.as_str(), |e| e.name.as_str());
                if ui
                    .link(lender_name)
                    .on_hover_text("Everything this lender takes part in")
                    .clicked()
                {
                    intent = Some(DetailsIntent::ShowEntity(loan.lender.clone()));
                }
                ui.label(format!(
                    "→ {}: {} {} {} ({})",
                    loan.borrower,
                    format_number(loan.amount),
                    loan.unit,
                    loan.currency,
                    loan.year
                ));
                ui.weak(source_ref(item, loan.source));
            });
            if !loan.purpose.is_empty() {
                ui.weak(&loan.purpose);
            }
        }
    }

    if !p.agreements.is_empty() {
        ui.separator();
        ui.label(RichText::new("Agreements").strong());
        for agreement in &p.agreements {
            let package = atlas
                .entities
                .package(&agreement.package)
                .map_or(agreement.package.as_str(), |p| p.name.as_str());
            ui.label(RichText::new(package).italics());
            ui.horizontal_wrapped(|ui| {
                ui.label(&agreement.title);
                if let Some(value) = agreement.value {
                    ui.label(format!("{} {}", format_number(value), agreement.unit));
                }
                ui.weak(source_ref(item, agreement.source));
            });
        }
    }

    if !p.sections.is_empty() {
        ui.separator();
        ui.label(RichText::new("Sections").strong());
        for section in &p.sections {
            let mut stages: Vec<_> = section.dates.iter().collect();
            stages.sort_by(|a, b| a.1.date().cmp(b.1.date()));
            let stages = stages
                .iter()
                .map(|(key, stage)| format!("{} {}", key.replace('_', " "), stage.date()))
                .collect::<Vec<_>>()
                .join(", ");
            let length = section
                .length_km
                .map(|km| format!(" · {} km", format_number(km)))
                .unwrap_or_default();
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&section.name).strong());
                ui.label(format!("{stages}{length}"));
            });
        }
    }

    let events: Vec<_> = atlas
        .figures
        .events
        .iter()
        .filter(|e| e.concerns.iter().any(|c| c == &p.id))
        .collect();
    if !events.is_empty() {
        ui.separator();
        ui.label(RichText::new("Events").strong());
        for event in events {
            ui.label(format!("{} — {}", event.date, event.title));
        }
    }

    ui.separator();
    ui.label(RichText::new("Sources").strong());
    for (i, source) in p.sources.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("[{}]", i + 1));
            let text = if source.publisher.is_empty() {
                source.title.clone()
            } else {
                format!("{} — {}", source.title, source.publisher)
            };
            if is_openable_url(&source.url) {
                if ui.link(text).on_hover_text(&source.url).clicked() {
                    intent = Some(DetailsIntent::OpenUrl(source.url.clone()));
                }
            } else {
                ui.label(text);
            }
            let date = source.date_label();
            if !date.is_empty() {
                ui.weak(date);
            }
            if let Some(kind) = source.kind {
                ui.label(RichText::new(kind.label()).small().weak())
                    .on_hover_text(source_kind_help(kind));
            }
        });
    }
    intent
}

fn source_kind_help(kind: crate::data::SourceKind) -> &'static str {
    use crate::data::SourceKind;
    match kind {
        SourceKind::Primary => {
            "The company, government, regulator or intergovernmental body itself"
        }
        SourceKind::Agency => "A news agency or newspaper of record",
        SourceKind::Research => "A tracker, think tank, international institution or university",
        SourceKind::Encyclopedia => "The canonical encyclopedia article (never a copy)",
    }
}

pub use crate::format::format_number;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_openable() {
        assert!(is_openable_url("https://astanatimes.com/2024/07/x"));
        assert!(is_openable_url("http://example.org"));
        assert!(!is_openable_url("file:///etc/passwd"));
        assert!(!is_openable_url("javascript:alert(1)"));
        assert!(!is_openable_url("https://evil.example/ space"));
    }
}
