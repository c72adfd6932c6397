//! Sanity flags computed from the data: what a careful reader would check by hand. A site that
//! lies outside the country it states, a corridor whose drawn length is far from its stated
//! length, an item without a source, and an item that cannot be placed, with the reason.

use geo::{Closest, ClosestPoint, Contains, MultiLineString, Point};

use super::measure::{geodesic_distance_km, geodesic_length_km};
use crate::data::{Area, Atlas, Item, ItemGeometry};

/// How far the drawn length may stray from the stated one before it is flagged.
pub const LENGTH_TOLERANCE: f64 = 0.10;

/// How far outside its country's 1:10m outline a site may be before it is flagged: the
/// outline's own error at borders and coasts is of this order.
pub const BORDER_TOLERANCE_KM: f64 = 2.0;

/// How far off its country's coast an offshore site (an oil field in the Caspian) may lie.
pub const OFFSHORE_KM: f64 = 250.0;

#[derive(Clone, Debug, PartialEq)]
pub enum Flag {
    /// The site is not in any of the countries it states; the distance to the nearest of them.
    OutsideCountry {
        countries: Vec<String>,
        km: f64,
    },
    LengthDiffers {
        drawn_km: f64,
        stated_km: f64,
    },
    NoSource,
    Unmapped {
        reason: String,
    },
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OutsideCountry { countries, km } => write!(
                f,
                "placed {km:.0} km outside {}, the country it states",
                countries.join("/")
            ),
            Self::LengthDiffers {
                drawn_km,
                stated_km,
            } => write!(
                f,
                "drawn {drawn_km:.0} km long, stated {stated_km:.0} km ({:+.0} %)",
                (drawn_km / stated_km - 1.0) * 100.0
            ),
            Self::NoSource => write!(f, "no source"),
            Self::Unmapped { reason } => write!(f, "not on the map: {reason}"),
        }
    }
}

impl Flag {
    /// The flag in a few words, for lists; `Display` gives the whole of it.
    pub fn short(&self) -> String {
        match self {
            Self::Unmapped { .. } => "not on the map".to_owned(),
            other => other.to_string(),
        }
    }
}

/// The flags of one item against the basemap's detailed countries.
pub fn flags_of(item: &Item, countries: &[Area]) -> Vec<Flag> {
    let mut flags = Vec::new();
    if item.properties.sources.is_empty() {
        flags.push(Flag::NoSource);
    }
    match &item.geometry {
        None => flags.push(Flag::Unmapped {
            reason: item.properties.precision.how.clone(),
        }),
        Some(ItemGeometry::Point(point)) => {
            if let Some(flag) = outside_country(item, *point, countries) {
                flags.push(flag);
            }
        }
        Some(ItemGeometry::Lines(lines)) => {
            if let Some(flag) = length_differs(item, lines) {
                flags.push(flag);
            }
        }
    }
    flags
}

/// Every flagged item of the atlas with its flags, in data order.
pub fn all_flags(atlas: &Atlas) -> Vec<(usize, Vec<Flag>)> {
    atlas
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (i, flags_of(item, &atlas.basemap.countries_detailed)))
        .filter(|(_, flags)| !flags.is_empty())
        .collect()
}

fn outside_country(item: &Item, point: Point<f64>, countries: &[Area]) -> Option<Flag> {
    let stated = item.countries();
    let outlines: Vec<&Area> = countries
        .iter()
        .filter(|c| stated.contains(&c.code))
        .collect();
    // A country the basemap does not have cannot be checked.
    if outlines.is_empty() || outlines.iter().any(|c| c.shape.contains(&point)) {
        return None;
    }
    let km = outlines
        .iter()
        .filter_map(|c| match c.shape.closest_point(&point) {
            Closest::Intersection(p) | Closest::SinglePoint(p) => {
                Some(geodesic_distance_km(point, p))
            }
            Closest::Indeterminate => None,
        })
        .fold(f64::INFINITY, f64::min);
    let offshore = if item.properties.offshore.is_some() {
        OFFSHORE_KM
    } else {
        0.0
    };
    let allowed =
        BORDER_TOLERANCE_KM + offshore + item.properties.precision.radius_km.unwrap_or(0.0);
    // Distances that cannot be measured are no evidence of anything.
    (km.is_finite() && km > allowed).then(|| Flag::OutsideCountry {
        countries: stated.to_vec(),
        km,
    })
}

fn length_differs(item: &Item, lines: &MultiLineString<f64>) -> Option<Flag> {
    let stated = item.stated_length()?;
    if stated.unit != "km" || stated.value <= 0.0 {
        return None;
    }
    let drawn_km = geodesic_length_km(lines);
    ((drawn_km / stated.value - 1.0).abs() > LENGTH_TOLERANCE).then_some(Flag::LengthDiffers {
        drawn_km,
        stated_km: stated.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{bundled, parse_items};

    fn feature(kind: &str, geometry: &str, country: &str, extra: &str) -> Item {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{geometry},
            "properties":{{"id":"x","name":"X","kind":"{kind}","sector":"energy","status":"operating",
            "country":"{country}","description":"d",{extra}
            "sources":[{{"title":"t","url":"https://example.org"}}]}}}}]}}"#
        );
        parse_items("test.geojson", &text)
            .expect("the test item parses")
            .remove(0)
    }

    fn countries() -> Vec<Area> {
        bundled::load()
            .expect("the bundled data loads")
            .basemap
            .countries_detailed
    }

    const SITE: &str = r#""precision":{"class":"site","how":"h"},"#;

    #[test]
    fn a_site_outside_its_stated_country_is_flagged_with_the_distance() {
        let countries = countries();
        // Almaty is in Kazakhstan; Urumqi, about 850 km east, is not.
        let almaty = feature(
            "site",
            r#"{"type":"Point","coordinates":[76.95,43.24]}"#,
            "KZ",
            SITE,
        );
        assert!(flags_of(&almaty, &countries).is_empty());
        let urumqi = feature(
            "site",
            r#"{"type":"Point","coordinates":[87.62,43.83]}"#,
            "KZ",
            SITE,
        );
        let flags = flags_of(&urumqi, &countries);
        match flags.as_slice() {
            [Flag::OutsideCountry { km, .. }] => assert!((100.0..1000.0).contains(km), "{km}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_corridor_drawn_more_than_a_tenth_off_its_stated_length_is_flagged() {
        let countries = countries();
        // About 111 km of meridian.
        let line = r#"{"type":"LineString","coordinates":[[70.0,45.0],[70.0,46.0]]}"#;
        let with_length = |km: f64| {
            let extra = format!(
                r#""corridor_kind":"railway","precision":{{"class":"traced","how":"h"}},
                "figures":[{{"key":"length","value":{km},"unit":"km","source":0}}],"#
            );
            flags_of(&feature("corridor", line, "KZ", &extra), &countries)
        };
        assert!(with_length(115.0).is_empty());
        match with_length(150.0).as_slice() {
            [Flag::LengthDiffers { drawn_km, .. }] => {
                assert!((drawn_km - 111.1).abs() < 0.5, "{drawn_km}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_item_without_sources_and_an_unmapped_item_are_flagged() {
        let countries = countries();
        let mut item = feature(
            "site",
            r#"{"type":"Point","coordinates":[76.95,43.24]}"#,
            "KZ",
            SITE,
        );
        item.properties.sources.clear();
        assert_eq!(flags_of(&item, &countries), vec![Flag::NoSource]);
        item.geometry = None;
        item.properties.precision.how = "no site is published".into();
        let flags = flags_of(&item, &countries);
        assert_eq!(flags[1].to_string(), "not on the map: no site is published");
    }

    #[test]
    fn every_unmapped_bundled_item_is_listed_with_its_reason() {
        let atlas = bundled::load().expect("the bundled data loads");
        let flagged = all_flags(&atlas);
        for (i, item) in atlas.items.iter().enumerate() {
            if item.geometry.is_none() {
                let flags = &flagged.iter().find(|(j, _)| *j == i).expect("listed").1;
                assert!(flags.iter().any(|f| matches!(f, Flag::Unmapped { .. })));
            }
        }
    }
}
