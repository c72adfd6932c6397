//! Questions asked of items: their status on a date, their value in US dollars, the years they
//! span, and whether they pass the user's filters. Pure functions of the data, shared by the
//! map, the lists and the exports.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{Item, Status};

/// A calendar day as one comparable number, `yyyymmdd`. A date the data gives only to the
/// month or year counts from its first day: "2021-07" is 20210701.
pub type DayKey = u32;

/// Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD"; `None` for anything else.
pub fn day_key(date: &str) -> Option<DayKey> {
    let mut parts = date.trim().splitn(3, '-');
    let year: u32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    let valid =
        (1000..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    // Lazily: a year such as 999999 must be refused before it overflows the key.
    valid.then(|| year * 10_000 + month * 100 + day)
}

pub fn year_of(day: DayKey) -> i32 {
    (day / 10_000) as i32
}

/// The day's month counted from January of year 0, so that months step by one across years.
pub fn month_of_day(day: DayKey) -> i32 {
    year_of(day) * 12 + (day / 100 % 100) as i32 - 1
}

/// The stage a dated milestone shows a project reached. Milestones that change nothing about
/// whether it is built (an acquisition, a first train) have no stage.
fn stage_of_milestone(key: &str) -> Option<Status> {
    match key {
        "announced" | "established" | "agreed" | "signed" => Some(Status::Announced),
        "construction_start" => Some(Status::UnderConstruction),
        "operating_since" | "completed" => Some(Status::Operating),
        _ => None,
    }
}

/// Whether a key of `dates` is a stage (announced or agreed, construction start, operation)
/// rather than an event that changes nothing about whether a project is built.
fn is_stage_key(key: &str) -> bool {
    stage_of_milestone(key).is_some()
}

/// Whether no dated stage of the item is given: at a past map date its status is unknown.
pub fn is_undated(item: &Item) -> bool {
    !item.properties.dates.keys().any(|k| is_stage_key(k))
}

const fn stage_rank(status: Status) -> u8 {
    match status {
        Status::Announced | Status::Planned => 1,
        Status::UnderConstruction => 2,
        Status::Operating | Status::Completed => 3,
        Status::Suspended | Status::Cancelled | Status::Unknown => 0,
    }
}

/// The item's status on `day`, from its dated milestones:
/// - `None` when every milestone with a stage is later (it was not yet announced or built);
/// - `Unknown` when it has no such milestone: no source dates it, so today's status would be
///   a guess about the past (an item without dates is drawn as undated at any chosen date);
/// - its status today when `day` is past all of them;
/// - otherwise the furthest stage reached by then. A plant that has been operating stays
///   operating through a later modernisation's "construction_start".
pub fn status_at(item: &Item, day: DayKey) -> Option<Status> {
    let today = item.properties.status;
    let milestones: Vec<(DayKey, Status)> = item
        .properties
        .dates
        .iter()
        .filter_map(|(key, stage)| Some((day_key(stage.date())?, stage_of_milestone(key)?)))
        .collect();
    if milestones.is_empty() {
        return Some(Status::Unknown);
    }
    if milestones.iter().all(|&(d, _)| d <= day) {
        return Some(today);
    }
    let reached = milestones
        .iter()
        .filter(|&&(d, _)| d <= day)
        .map(|&(_, stage)| stage)
        .max_by_key(|&stage| stage_rank(stage))?;
    // A project cancelled or suspended later was still what its milestones say on the day.
    Some(reached)
}

/// The item's stated value in millions of US dollars, when it is stated in US dollars.
/// Values in other currencies are not converted: the atlas has no exchange rate of its own.
pub fn value_usd_millions(item: &Item) -> Option<f64> {
    let claim = item.properties.value.as_ref()?;
    let unit = claim.unit.trim_start();
    let factor = if unit.starts_with("million USD") {
        1.0
    } else if unit.starts_with("billion USD") {
        1000.0
    } else {
        return None;
    };
    Some(claim.value * factor).filter(|v| v.is_finite())
}

/// The filters a user sets over the items. Like the layers, what is excluded is stored, so a
/// status or country new to the data shows up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    pub hidden_statuses: BTreeSet<Status>,
    /// ISO 3166 alpha-2 codes; an item is hidden when all of its countries are.
    pub hidden_countries: BTreeSet<String>,
    /// Keep items whose value in million USD lies within; items without one are hidden.
    pub value_usd_millions: Option<[f64; 2]>,
    /// Keep items with a milestone within these years; items without dates are hidden.
    pub years: Option<[i32; 2]>,
    /// The date the map shows, "YYYY-MM-DD"; `None` for today, as the data stands.
    pub as_of: Option<String>,
}

impl Eq for Filter {}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn as_of_day(&self) -> Option<DayKey> {
        self.as_of.as_deref().and_then(day_key)
    }

    /// The item's status as the map shows it: on the chosen date, or today.
    pub fn status_of(&self, item: &Item) -> Option<Status> {
        match self.as_of_day() {
            Some(day) => status_at(item, day),
            None => Some(item.properties.status),
        }
    }

    pub fn admits(&self, item: &Item) -> bool {
        let Some(status) = self.status_of(item) else {
            return false;
        };
        if self.hidden_statuses.contains(&status) {
            return false;
        }
        if !self.hidden_countries.is_empty()
            && !item.countries().is_empty()
            && item
                .countries()
                .iter()
                .all(|c| self.hidden_countries.contains(c))
        {
            return false;
        }
        if let Some([low, high]) = self.value_usd_millions {
            match value_usd_millions(item) {
                Some(v) if v >= low && v <= high => {}
                _ => return false,
            }
        }
        if let Some([first, last]) = self.years {
            let within = item
                .properties
                .dates
                .values()
                .filter_map(|d| day_key(d.date()))
                .any(|d| (first..=last).contains(&year_of(d)));
            if !within {
                return false;
            }
        }
        true
    }
}

/// How many items a filter lets through, for the line "shown N of M items (K unmapped)".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Items that pass, mapped or not.
    pub shown: usize,
    pub total: usize,
    /// Items that pass but have no place on the map.
    pub unmapped: usize,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "shown {} of {} items ({} unmapped)",
            self.shown, self.total, self.unmapped
        )
    }
}

pub fn tally<'a>(items: &'a [Item], passes: impl Fn(&'a Item) -> bool) -> Tally {
    let mut tally = Tally {
        total: items.len(),
        ..Tally::default()
    };
    for item in items.iter().filter(|i| passes(i)) {
        tally.shown += 1;
        if item.geometry.is_none() {
            tally.unmapped += 1;
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::parse_items;

    fn item(status: &str, dates: &str, value: &str) -> Item {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature",
            "geometry":{{"type":"Point","coordinates":[70.0,45.0]}},
            "properties":{{"id":"x","name":"X","kind":"site","sector":"energy","status":"{status}",
            "dates":{dates},{value}"country":"KZ","description":"d",
            "precision":{{"class":"site","how":"h"}},
            "sources":[{{"title":"t","url":"https://example.org"}}]}}}}]}}"#
        );
        parse_items("test.geojson", &text)
            .expect("the test item parses")
            .remove(0)
    }

    fn day(s: &str) -> DayKey {
        day_key(s).expect("a valid date")
    }

    #[test]
    fn dates_of_any_precision_count_from_their_first_day() {
        assert_eq!(day_key("2021"), Some(20210101));
        assert_eq!(day_key("2021-07"), Some(20210701));
        assert_eq!(day_key("2021-07-15"), Some(20210715));
        assert_eq!(day_key("2021-13"), None);
        assert_eq!(day_key("July 2021"), None);
        assert_eq!(day_key(""), None);
    }

    #[test]
    fn status_follows_the_milestones_reached_by_the_date() {
        let wind = item(
            "operating",
            r#"{"announced":"2016-02-26","construction_start":"2019-07-15","operating_since":"2021-06-20"}"#,
            "",
        );
        assert_eq!(status_at(&wind, day("2015-12-31")), None);
        assert_eq!(status_at(&wind, day("2016-02-26")), Some(Status::Announced));
        assert_eq!(status_at(&wind, day("2019-07-14")), Some(Status::Announced));
        assert_eq!(
            status_at(&wind, day("2020-01-01")),
            Some(Status::UnderConstruction)
        );
        assert_eq!(status_at(&wind, day("2021-06-20")), Some(Status::Operating));
        assert_eq!(status_at(&wind, day("2026-01-01")), Some(Status::Operating));
    }

    #[test]
    fn a_running_plant_stays_operating_through_a_later_modernisation() {
        let refinery = item(
            "operating",
            r#"{"construction_start":"2014-02","operating_since":"1985"}"#,
            "",
        );
        assert_eq!(status_at(&refinery, day("1980")), None);
        assert_eq!(status_at(&refinery, day("2015")), Some(Status::Operating));
    }

    #[test]
    fn a_year_too_large_for_a_day_key_is_refused_not_overflowed() {
        assert_eq!(day_key("999999"), None);
        assert_eq!(day_key("4294967295-12-31"), None);
        assert_eq!(day_key("2024-13"), None);
        assert_eq!(day_key("2024-07-03"), Some(20_240_703));
    }

    #[test]
    fn undated_items_are_unknown_at_any_date_and_past_milestones_give_todays() {
        let undated = item("unknown", "{}", "");
        assert_eq!(status_at(&undated, day("1995")), Some(Status::Unknown));
        let undated_plant = item("operating", r#"{"acquired":"2005"}"#, "");
        assert_eq!(
            status_at(&undated_plant, day("1990")),
            Some(Status::Unknown)
        );
        assert_eq!(
            status_at(&undated_plant, day("2026")),
            Some(Status::Unknown)
        );
        let planned = item("planned", r#"{"announced":"2024-07"}"#, "");
        assert_eq!(status_at(&planned, day("2024-06-30")), None);
        assert_eq!(status_at(&planned, day("2025")), Some(Status::Planned));
    }

    #[test]
    fn values_convert_only_from_us_dollars() {
        let usd = |unit: &str| {
            let v = format!(r#""value":{{"value":1.5,"unit":"{unit}","source":0}},"#);
            value_usd_millions(&item("planned", "{}", &v))
        };
        assert_eq!(usd("billion USD"), Some(1500.0));
        assert_eq!(usd("million USD"), Some(1.5));
        assert_eq!(usd("billion KZT (≈32.8 million USD)"), None);
    }

    #[test]
    fn the_filter_hides_by_status_country_value_year_and_date() {
        let v = r#""value":{"value":150,"unit":"million USD","source":0},"#;
        let wind = item(
            "operating",
            r#"{"announced":"2016-02-26","operating_since":"2021-06-20"}"#,
            v,
        );
        let mut filter = Filter::default();
        assert!(filter.admits(&wind));
        filter.hidden_statuses.insert(Status::Operating);
        assert!(!filter.admits(&wind));
        filter.as_of = Some("2018-01-01".into());
        assert!(filter.admits(&wind), "announced, not operating, in 2018");
        filter.as_of = Some("2015-01-01".into());
        assert!(!filter.admits(&wind), "not yet announced in 2015");

        let mut filter = Filter {
            value_usd_millions: Some([100.0, 200.0]),
            ..Filter::default()
        };
        assert!(filter.admits(&wind));
        filter.value_usd_millions = Some([200.0, 300.0]);
        assert!(!filter.admits(&wind));

        let mut filter = Filter {
            years: Some([2020, 2022]),
            ..Filter::default()
        };
        assert!(filter.admits(&wind));
        filter.years = Some([2017, 2020]);
        assert!(!filter.admits(&wind));

        let mut filter = Filter::default();
        filter.hidden_countries.insert("KZ".into());
        assert!(!filter.admits(&wind));
    }

    #[test]
    fn the_tally_counts_what_passes_and_what_of_it_is_unmapped() {
        let items = crate::data::bundled::load()
            .expect("the bundled data loads")
            .items;
        let all = tally(&items, |_| true);
        assert_eq!(all.total, items.len());
        assert_eq!(all.shown, items.len());
        let unmapped = items.iter().filter(|i| i.geometry.is_none()).count();
        assert_eq!(all.unmapped, unmapped);
        let none = tally(&items, |_| false);
        assert_eq!((none.shown, none.unmapped), (0, 0));
        assert_eq!(
            all.to_string(),
            format!(
                "shown {} of {} items ({unmapped} unmapped)",
                items.len(),
                items.len()
            )
        );
    }
}
