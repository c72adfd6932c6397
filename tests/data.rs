//! Checks over the bundled dataset: what every item must satisfy to be shown as fact.

use std::collections::HashSet;

use geo::{Contains, Distance, Euclidean, Point};
use sinokaz_atlas::data::{self, Atlas, ItemGeometry, ItemKind};
use sinokaz_atlas::scene::MapModel;
use sinokaz_atlas::spatial::{Projection, measure};

fn atlas() -> Atlas {
    match data::bundled::load() {
        Ok(atlas) => atlas,
        Err(errors) => panic!("the bundled data must load: {errors:#?}"),
    }
}

// Ids, sources and their links are refused by the loader when wrong (see the unit tests of
// `data::items`), and the source rules are `data::audit`'s (tests/data_rules.rs).

#[test]
fn every_item_says_how_it_was_placed() {
    for item in &atlas().items {
        assert!(
            item.properties.precision.how.trim().len() > 10,
            "{}: precision.how is missing",
            item.id()
        );
        assert!(
            !item.properties.description.trim().is_empty(),
            "{}: no description",
            item.id()
        );
    }
}

/// Distance in km from a point to a country polygon, measured on the conic map plane (true
/// to within 2 % across the region).
fn km_outside(point: Point<f64>, area: &data::Area, projection: &Projection) -> f64 {
    if area.shape.contains(&point) {
        return 0.0;
    }
    let project = |p: Point<f64>| {
        let [x, y] = projection.project(p.x(), p.y());
        Point::new(x, y)
    };
    let projected = geo::MultiPolygon::new(
        area.shape
            .0
            .iter()
            .map(|poly| {
                let ring = |r: &geo::LineString<f64>| -> geo::LineString<f64> {
                    r.points().map(project).map(|p| p.0).collect()
                };
                geo::Polygon::new(
                    ring(poly.exterior()),
                    poly.interiors().iter().map(ring).collect(),
                )
            })
            .collect(),
    );
    Euclidean.distance(&project(point), &projected)
}

#[test]
fn every_placed_point_lies_in_a_country_it_states() {
    let atlas = atlas();
    let projection = Projection::default();
    let mut checked = 0;
    for item in &atlas.items {
        let Some(ItemGeometry::Point(point)) = item.geometry else {
            continue;
        };
        let distances: Vec<(String, f64)> = item
            .countries()
            .iter()
            .map(|code| {
                let area = atlas.basemap.country(code).unwrap_or_else(|| {
                    panic!("{}: country {code} is not in the basemap", item.id())
                });
                (code.clone(), km_outside(point, area, &projection))
            })
            .collect();
        // A border crossing states both countries and sits on the line between them; the 1:10m
        // border is accurate to about a kilometre.
        let nearest = distances.iter().map(|d| d.1).fold(f64::INFINITY, f64::min);
        // An offshore field lies in its country's sector of the sea, off the land outline.
        let allowed = if item.properties.offshore.is_some() {
            sinokaz_atlas::spatial::sanity::OFFSHORE_KM
        } else {
            1.5
        };
        assert!(
            nearest <= allowed,
            "{} at {:?} is {nearest:.1} km outside {distances:?}",
            item.id(),
            point
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} points checked");
}

/// A corridor drawn through its real stations must match its stated length. A schematic one
/// (only its end points and a few towns are sourced) can't, by definition: it must say so in
/// its precision note, and is listed by name so that a new schematic corridor is a visible choice.
#[test]
fn every_corridor_is_within_ten_percent_of_its_stated_length() {
    let atlas = atlas();
    let mut checked = 0;
    let mut schematic = Vec::new();
    for item in atlas
        .items
        .iter()
        .filter(|i| i.properties.kind == ItemKind::Corridor)
    {
        let Some(ItemGeometry::Lines(lines)) = &item.geometry else {
            continue;
        };
        if item.properties.precision.class == data::PrecisionClass::Schematic {
            assert!(
                item.properties.precision.how.len() > 40,
                "{}: say why it is schematic",
                item.id()
            );
            schematic.push(item.id());
            continue;
        }
        let stated = item.stated_length().unwrap_or_else(|| {
            panic!(
                "{}: no length figure matching its geometry_scope",
                item.id()
            )
        });
        assert_eq!(stated.unit, "km", "{}", item.id());
        let drawn = measure::geodesic_length_km(lines);
        let ratio = drawn / stated.value;
        // Straight legs between stations on the real line are chords of it, so a line drawn
        // through its stations is shorter than the track, never longer: an approximate line may
        // fall short by a fifth, a traced one only by a tenth.
        let shortest = if item.properties.precision.class == data::PrecisionClass::Traced {
            0.9
        } else {
            0.8
        };
        assert!(
            (shortest..=1.1).contains(&ratio),
            "{}: drawn {drawn:.0} km, stated {} km ({}), ratio {ratio:.3}",
            item.id(),
            stated.value,
            stated.scope
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} corridors checked");
    schematic.sort_unstable();
    // Four lines are known only by a few sourced towns: the ferry, the Bakhty–Ayagoz line under
    // construction, the Karaganda–Balkhash road and the Central Asia–China gas pipeline.
    assert!(
        schematic.len() <= 4,
        "too many corridors are only schematic: {schematic:?}"
    );
}

#[test]
fn every_corridor_passes_through_the_stations_it_names() {
    let atlas = atlas();
    for item in atlas
        .items
        .iter()
        .filter(|i| i.properties.kind == ItemKind::Corridor)
    {
        let Some(ItemGeometry::Lines(lines)) = &item.geometry else {
            continue;
        };
        assert!(
            item.properties.stations.len() >= 2,
            "{}: a corridor names at least its two ends",
            item.id()
        );
        for station in &item.properties.stations {
            let [lon, lat] = station.lon_lat;
            let km = measure::distance_to_line_km(Point::new(lon, lat), lines);
            assert!(
                km <= 15.0,
                "{}: {} is {km:.1} km from the line",
                item.id(),
                station.name
            );
        }
    }
}

#[test]
fn region_items_refer_to_basemap_regions_that_exist() {
    let atlas = atlas();
    for item in atlas
        .items
        .iter()
        .filter(|i| i.properties.kind == ItemKind::Region)
    {
        if let Some(name) = &item.properties.area_ref {
            assert!(
                atlas.basemap.region(name).is_some(),
                "{}: no basemap region {name}",
                item.id()
            );
        }
    }
}

#[test]
fn everything_the_article_names_is_in_the_atlas() {
    let atlas = atlas();
    let required = [
        "zhanatas-wind-farm",
        "turgusun-1-hpp",
        "shymkent-refinery",
        "ktz-xian-terminal",
        "khorgos-gateway",
        "khorgos-border-crossing",
        "dostyk-alashankou-crossing",
        "astana",
        "china-huadian-kazakhstan",
        "chn-energy-coal-chemical",
        "jianlong-steel",
        "zijin-rare-earths",
        "cp-pharma-medical-cluster",
        "foton-vehicle-localisation",
        "sinotruk-truck-plant",
        "soda-ash-plant",
        "chemical-complex",
        "explosives-plant",
        "kazakhstan-china-oil-pipeline",
        "central-asia-china-gas-pipeline",
        "beineu-bozoi-shymkent-gas-pipeline",
        "western-europe-western-china-highway",
        "east-kazakhstan-region",
        "almaty-region",
        "zhambyl-region",
        "xinjiang",
    ];
    for id in required {
        assert!(atlas.item_index(id).is_some(), "missing item {id}");
    }
    let railways = atlas
        .items
        .iter()
        .filter(|i| i.properties.corridor_kind == Some(data::CorridorKind::Railway))
        .count();
    assert!(
        railways >= 2,
        "the China–Europe railway corridors through Kazakhstan are missing"
    );
    assert!(
        atlas.items.iter().any(|i| i.id().starts_with("cnpc-")),
        "CNPC's assets are missing"
    );
}

#[test]
fn the_trade_figures_that_disagree_are_both_kept() {
    let atlas = atlas();
    let trade: Vec<_> = atlas.figures.topic("trade_2023").collect();
    let values: HashSet<u64> = trade
        .iter()
        .filter_map(|c| c.value)
        .map(|v| (v * 10.0).round() as u64)
        .collect();
    assert!(
        values.contains(&410) && values.contains(&315),
        "trade 2023 claims: {values:?}"
    );
    let events: Vec<_> = atlas
        .figures
        .events
        .iter()
        .map(|e| e.date.as_str())
        .collect();
    assert!(
        events.iter().any(|d| d.starts_with("1992"))
            && events.iter().any(|d| d.starts_with("2024"))
    );
}

#[test]
fn corridor_kilometres_are_split_between_the_countries_they_cross() {
    let atlas = atlas();
    let index = atlas
        .item_index("caspian-ferry-aktau-kuryk-alat")
        .expect("the Caspian ferry");
    let Some(ItemGeometry::Lines(lines)) = &atlas.items[index].geometry else {
        panic!("a line")
    };
    let per_country = measure::km_per_country(lines, &atlas.basemap.countries_detailed);
    let km = |name: &str| {
        per_country
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, km)| *km)
    };
    // Aktau and Kuryk to Alat: from a Kazakh port over the sea ("" is outside every country)
    // to an Azerbaijani one.
    assert!(km("") > 500.0, "{per_country:?}");
    for country in ["Kazakhstan", "Azerbaijan"] {
        assert!(
            (0.1..50.0).contains(&km(country)),
            "{country}: {per_country:?}"
        );
    }
    let total: f64 = per_country.iter().map(|(_, km)| km).sum();
    assert!((total - measure::geodesic_length_km(lines)).abs() < 1.0);
}

/// The app measures corridors against the projected countries, having let go of the lon/lat
/// ones: both must give the same kilometres per country, for every corridor.
#[test]
fn corridors_measure_the_same_against_projected_and_lon_lat_countries() {
    let atlas = atlas();
    let model = MapModel::build(&atlas, Projection::default());
    let projected = model.detailed_country_outlines();
    let mut corridors = 0;
    for item in &atlas.items {
        let Some(ItemGeometry::Lines(lines)) = &item.geometry else {
            continue;
        };
        corridors += 1;
        let lon_lat = measure::km_per_country(lines, &atlas.basemap.countries_detailed);
        let on_map = measure::km_per_country(lines, &projected);
        assert_eq!(
            lon_lat.len(),
            on_map.len(),
            "{}: {lon_lat:?} {on_map:?}",
            item.id()
        );
        for ((name_a, km_a), (name_b, km_b)) in lon_lat.iter().zip(&on_map) {
            assert_eq!(name_a, name_b, "{}", item.id());
            assert!(
                (km_a - km_b).abs() < 0.5,
                "{}: {name_a} {km_a} vs {km_b}",
                item.id()
            );
        }
    }
    assert!(corridors >= 5, "{corridors} corridors");
}
