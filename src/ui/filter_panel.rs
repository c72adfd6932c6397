//! The filters and the map's date: status, country, value and year filters, a date slider that
//! shows each item as it stood then, and the timeline of events.

use egui::Ui;

use crate::data::query::{Filter, Tally, day_key, month_of_day};
use crate::data::{Atlas, Status};

#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum FilterIntent {
    Set(Filter),
    /// Show the event with this index in `FigureBook::events` and what it concerns.
    ShowEvent(usize),
    /// Write the items shown to a new file in this format.
    ExportItems(crate::data::LayerFormat),
}

/// The months the date slider covers: from the first dated milestone or event to the last.
pub fn month_range(atlas: &Atlas) -> [i32; 2] {
    let dates = atlas
        .items
        .iter()
        .flat_map(|i| i.properties.dates.values().map(crate::data::Stage::date))
        .chain(atlas.figures.events.iter().map(|e| e.date.as_str()))
        .filter_map(day_key);
    let (first, last) = dates.fold((u32::MAX, 0), |(a, b), d| (a.min(d), b.max(d)));
    if first > last {
        return [month_index(1991, 12), month_index(2026, 12)];
    }
    [month_of_day(first), month_of_day(last)]
}

const fn month_index(year: i32, month: i32) -> i32 {
    year * 12 + month - 1
}

/// The last day of the month `index` counts, as "YYYY-MM-DD": a milestone dated within the
/// month has happened by the date the slider shows.
pub fn month_end(index: i32) -> String {
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{year:04}-{month:02}-{days:02}")
}

fn month_of(date: &str) -> Option<i32> {
    day_key(date).map(month_of_day)
}

pub fn filter_ui(
    ui: &mut Ui,
    atlas: &Atlas,
    filter: &Filter,
    tally: Tally,
) -> Option<FilterIntent> {
    let mut next = filter.clone();
    let mut intent = None;

    ui.label(egui::RichText::new(tally.to_string()).strong());

    ui.horizontal(|ui| {
        ui.label("Map date");
        let mut today = next.as_of.is_none();
        if ui
            .checkbox(&mut today, "today")
            .on_hover_text("Untick to show each item as it stood on a past date")
            .changed()
        {
            next.as_of = if today {
                None
            } else {
                Some(month_end(month_range(atlas)[1]))
            };
        }
    });
    if let Some(as_of) = &next.as_of {
        let [first, last] = month_range(atlas);
        let mut month = month_of(as_of).unwrap_or(last).clamp(first, last);
        let before = month;
        ui.horizontal(|ui| {
            // A year per click, for the decades the slider spans in a narrow panel.
            if ui
                .small_button("−1 yr")
                .on_hover_text("A year earlier")
                .clicked()
            {
                month = (month - 12).max(first);
            }
            ui.label(
                egui::RichText::new(as_of.get(..7).unwrap_or(as_of))
                    .monospace()
                    .strong(),
            );
            if ui
                .small_button("+1 yr")
                .on_hover_text("A year later")
                .clicked()
            {
                month = (month + 12).min(last);
            }
        });
        ui.spacing_mut().slider_width = ui.available_width() - 16.0;
        ui.add(egui::Slider::new(&mut month, first..=last).show_value(false))
            .on_hover_text("The map's date; arrow keys step a month");
        if month != before {
            next.as_of = Some(month_end(month));
        }
        ui.label(
            egui::RichText::new(
                "Markers: solid once operating, half while being built, faint when only announced; items not yet announced are hidden. Items no source dates are hollow: their status then is unknown.",
            )
            .small()
            .weak(),
        );
    }

    ui.collapsing("Status", |ui| {
        for status in statuses_in(atlas) {
            let mut on = !next.hidden_statuses.contains(&status);
            if ui.checkbox(&mut on, status.label()).changed() {
                crate::scene::Layers::set(&mut next.hidden_statuses, status, on);
            }
        }
    });
    ui.collapsing("Country", |ui| {
        for code in countries_in(atlas) {
            let mut on = !next.hidden_countries.contains(&code);
            if ui.checkbox(&mut on, country_name(&code)).changed() {
                crate::scene::Layers::set(&mut next.hidden_countries, code, on);
            }
        }
    });
    ui.collapsing("Value and years", |ui| {
        let mut by_value = next.value_usd_millions.is_some();
        if ui
            .checkbox(&mut by_value, "Value, million USD")
            .on_hover_text("Items valued in other currencies, or not at all, are hidden")
            .changed()
        {
            next.value_usd_millions = by_value.then_some([0.0, 10_000.0]);
        }
        if let Some([low, high]) = &mut next.value_usd_millions {
            ui.horizontal(|ui| {
                ui.add(egui::DragValue::new(low).range(0.0..=*high).speed(10.0));
                ui.label("to");
                ui.add(
                    egui::DragValue::new(high)
                        .range(*low..=100_000.0)
                        .speed(10.0),
                );
            });
        }
        let mut by_year = next.years.is_some();
        if ui
            .checkbox(&mut by_year, "Years")
            .on_hover_text("Items with a dated milestone in these years")
            .changed()
        {
            let [first, last] = month_range(atlas);
            next.years = by_year.then_some([first.div_euclid(12), last.div_euclid(12)]);
        }
        if let Some([first, last]) = &mut next.years {
            ui.horizontal(|ui| {
                ui.add(egui::DragValue::new(first).range(1900..=*last));
                ui.label("to");
                ui.add(egui::DragValue::new(last).range(*first..=2100));
            });
        }
    });
    ui.horizontal(|ui| {
        if !next.is_empty() && ui.button("Clear filters").clicked() {
            next = Filter::default();
        }
        use crate::data::LayerFormat;
        ui.label("Export shown:");
        for (label, format) in [("GeoJSON", LayerFormat::GeoJson), ("CSV", LayerFormat::Csv)] {
            if ui
                .small_button(label)
                .on_hover_text("Write the items shown to a new file in ~/Pictures (or here)")
                .clicked()
            {
                intent = Some(FilterIntent::ExportItems(format));
            }
        }
    });

    ui.collapsing(format!("Events ({})", atlas.figures.events.len()), |ui| {
        for (index, event) in atlas.figures.events.iter().enumerate() {
            let text = format!("{}  {}", event.date, event.title);
            let response = ui.link(text);
            let response = if event.description.is_empty() {
                response
            } else {
                response.on_hover_text(&event.description)
            };
            if response.clicked() {
                intent = Some(FilterIntent::ShowEvent(index));
            }
        }
    });

    if intent.is_none() && next != *filter {
        intent = Some(FilterIntent::Set(next));
    }
    intent
}

fn statuses_in(atlas: &Atlas) -> Vec<Status> {
    let mut statuses: Vec<Status> = atlas.items.iter().map(|i| i.properties.status).collect();
    // A past date can show stages no item is at today.
    statuses.extend([
        Status::Announced,
        Status::UnderConstruction,
        Status::Operating,
    ]);
    statuses.sort();
    statuses.dedup();
    statuses
}

fn countries_in(atlas: &Atlas) -> Vec<String> {
    let mut codes: Vec<String> = atlas
        .items
        .iter()
        .flat_map(|i| i.countries().iter().cloned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn country_name(code: &str) -> String {
    let name = match code {
        "KZ" => "Kazakhstan",
        "CN" => "China",
        "RU" => "Russia",
        "UZ" => "Uzbekistan",
        "TM" => "Turkmenistan",
        "KG" => "Kyrgyzstan",
        "AZ" => "Azerbaijan",
        "GE" => "Georgia",
        "TR" => "Turkey",
        _ => return code.to_owned(),
    };
    format!("{name} ({code})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ends_fall_on_the_last_day() {
        assert_eq!(month_end(month_index(2024, 2)), "2024-02-29");
        assert_eq!(month_end(month_index(2023, 2)), "2023-02-28");
        assert_eq!(month_end(month_index(2021, 6)), "2021-06-30");
        assert_eq!(month_end(month_index(2021, 12)), "2021-12-31");
        assert_eq!(month_of("2021-06-30"), Some(month_index(2021, 6)));
    }
}
