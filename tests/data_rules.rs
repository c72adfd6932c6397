//! The rules of `data::audit` over the bundled data, and each rule shown to catch a planted
//! error in a copy of that data: a mirror URL, a stacked point, a corridor across Lake
//! Balkhash, a loan without a lender, a package whose items exceed its total.

use geo::{Distance, Haversine, LineString, MultiLineString, Point};
use sinokaz_atlas::data::audit::{self, AuditInput, Finding, RefusedHosts, Rule};
use sinokaz_atlas::data::{self, Atlas, ItemGeometry, Sector, SourceKind};

fn atlas() -> Atlas {
    match data::bundled::load() {
        Ok(atlas) => atlas,
        Err(errors) => panic!("the bundled data must load: {errors:#?}"),
    }
}

fn findings(atlas: &Atlas) -> Vec<Finding> {
    let refused = RefusedHosts::parse(data::bundled::REFUSED_HOSTS);
    audit::audit(&AuditInput {
        items: &atlas.items,
        figures: &atlas.figures,
        entities: &atlas.entities,
        lakes: &atlas.basemap.lakes,
        refused: &refused,
    })
}

fn of_rule(findings: &[Finding], rule: Rule) -> Vec<&Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn the_bundled_data_breaks_no_rule() {
    let findings = findings(&atlas());
    let listed: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        listed.join("\n")
    );
}

#[test]
fn a_source_on_a_wikipedia_mirror_is_refused() {
    let mut atlas = atlas();
    assert!(of_rule(&findings(&atlas), Rule::RefusedHost).is_empty());
    let source = &mut atlas.items[0].properties.sources[0];
    source.url = "https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Aktobe".into();
    let found = findings(&atlas);
    let refused = of_rule(&found, Rule::RefusedHost);
    assert_eq!(refused.len(), 1, "{found:#?}");
    assert_eq!(refused[0].id, atlas.items[0].id());
    assert!(
        refused[0].message.contains("kiwix.haohe.fun"),
        "{}",
        refused[0]
    );
}

#[test]
fn a_copy_of_wikipedia_passed_off_as_an_encyclopedia_or_a_source_without_date_is_found() {
    let mut atlas = atlas();
    let source = &mut atlas.items[1].properties.sources[0];
    source.url = "https://www.example-wiki-copy.org/wiki/Almaty".into();
    source.kind = Some(SourceKind::Encyclopedia);
    source.date.clear();
    source.retrieved.clear();
    let found = findings(&atlas);
    assert_eq!(of_rule(&found, Rule::SourceKind).len(), 1, "{found:#?}");
    assert_eq!(of_rule(&found, Rule::SourceDate).len(), 1, "{found:#?}");
}

#[test]
fn an_item_resting_on_an_encyclopedia_alone_is_found() {
    let mut atlas = atlas();
    let item = &mut atlas.items[2].properties;
    for source in &mut item.sources {
        source.url = "https://en.wikipedia.org/wiki/Kazakhstan".into();
        source.kind = Some(SourceKind::Encyclopedia);
    }
    let found = findings(&atlas);
    assert!(
        of_rule(&found, Rule::EncyclopediaOnly)
            .iter()
            .any(|f| f.id == atlas.items[2].id() && f.field == "sources"),
        "{found:#?}"
    );
}

#[test]
fn two_distinct_items_on_one_point_are_found_unless_one_names_the_other() {
    let mut atlas = atlas();
    let points: Vec<(usize, Point<f64>)> = atlas
        .items
        .iter()
        .enumerate()
        .filter_map(|(n, i)| match i.geometry {
            Some(ItemGeometry::Point(p)) => Some((n, p)),
            _ => None,
        })
        .collect();
    // Two points with no other point within 5 km, so only the planted pair can be stacked.
    let alone = |&(n, p): &(usize, Point<f64>)| {
        points
            .iter()
            .all(|&(m, q)| m == n || Haversine.distance(p, q) > 5_000.0)
    };
    let mut lonely = points.iter().filter(|p| alone(p)).map(|&(n, _)| n);
    let (Some(a), Some(b)) = (lonely.next(), lonely.next()) else {
        panic!("the atlas has at least two points far from any other");
    };
    let Some(ItemGeometry::Point(at)) = atlas.items[a].geometry else {
        unreachable!("filtered to points");
    };
    atlas.items[b].geometry = Some(ItemGeometry::Point(Point::new(at.x() + 0.003, at.y())));
    atlas.items[b].properties.co_located_with.clear();
    atlas.items[a].properties.co_located_with.clear();
    let found = findings(&atlas);
    let stacked = of_rule(&found, Rule::StackedPoints);
    assert_eq!(stacked.len(), 1, "{found:#?}");
    assert!(
        stacked[0].message.contains(atlas.items[b].id()),
        "{}",
        stacked[0]
    );

    let other = atlas.items[a].id().to_owned();
    atlas.items[b].properties.co_located_with.push(other);
    assert!(of_rule(&findings(&atlas), Rule::StackedPoints).is_empty());
}

#[test]
fn a_corridor_straight_across_lake_balkhash_is_found_unless_it_names_the_crossing() {
    let mut atlas = atlas();
    let corridor = atlas
        .items
        .iter()
        .position(|i| i.id() == "kazakhstan-china-oil-pipeline")
        .expect("the oil pipeline is in the atlas");
    // North to south across the western basin of the lake at 74.5° E.
    let across = LineString::from(vec![(74.5, 47.3), (74.5, 45.5)]);
    atlas.items[corridor].geometry = Some(ItemGeometry::Lines(MultiLineString::new(vec![across])));
    let found = findings(&atlas);
    let wet = of_rule(&found, Rule::WaterCrossing);
    assert_eq!(wet.len(), 1, "{found:#?}");
    assert_eq!(wet[0].id, "kazakhstan-china-oil-pipeline");

    atlas.items[corridor]
        .properties
        .water_crossings
        .push("a planted crossing".into());
    assert!(of_rule(&findings(&atlas), Rule::WaterCrossing).is_empty());
}

#[test]
fn a_loan_without_a_known_lender_is_found() {
    let mut atlas = atlas();
    let (item, loan) = atlas
        .items
        .iter()
        .enumerate()
        .find_map(|(n, i)| (!i.properties.loans.is_empty()).then_some((n, 0)))
        .expect("some item states a loan");
    atlas.items[item].properties.loans[loan].lender = "no-such-bank".into();
    let found = findings(&atlas);
    let lenders = of_rule(&found, Rule::LoanLender);
    assert_eq!(lenders.len(), 1, "{found:#?}");
    assert_eq!(lenders[0].field, "loans[0].lender");
}

#[test]
fn a_package_whose_itemised_agreements_exceed_its_total_is_found() {
    let mut atlas = atlas();
    let package = atlas
        .entities
        .packages
        .iter()
        .find(|p| p.total.is_some())
        .expect("some package states a total")
        .clone();
    let total = package.total.as_ref().expect("found with a total");
    let agreement = data::AgreementRef {
        package: package.id.clone(),
        title: "a planted agreement worth twice the package".into(),
        value: Some(total.value * 2.0),
        unit: total.unit.clone(),
        source: 0,
        extra: serde_json::Map::new(),
    };
    atlas.items[0].properties.agreements.push(agreement);
    let found = findings(&atlas);
    let over = of_rule(&found, Rule::Package);
    assert!(
        over.iter()
            .any(|f| f.id == package.id && f.field == "total"),
        "{found:#?}"
    );
}

#[test]
fn the_atlas_tells_the_whole_story_in_at_least_110_items() {
    let atlas = atlas();
    assert!(atlas.items.len() >= 110, "{} items", atlas.items.len());
    for sector in [
        Sector::Finance,
        Sector::Nuclear,
        Sector::Agriculture,
        Sector::Transport,
    ] {
        assert!(
            atlas.items.iter().any(|i| i.properties.sector == sector),
            "no item in {sector:?}"
        );
    }
    for name in [
        "Tengiz",
        "Kashagan",
        "Karachaganak",
        "Aktau",
        "Kuryk",
        "Lianyungang",
        "Moyynty",
        "Bakhty",
        "Ulba",
        "Semizbay",
        "Aktogay",
        "Bozshakol",
    ] {
        assert!(
            atlas
                .items
                .iter()
                .any(|i| i.name().contains(name) || i.properties.description.contains(name)),
            "nothing names {name}"
        );
    }
    for lender in ["cdb", "cexim", "silk-road-fund", "ckpccf", "icbc", "aiib"] {
        assert!(
            atlas.entities.entity(lender).is_some(),
            "no entity {lender}"
        );
    }
    assert!(
        atlas.items.iter().all(|i| i
            .properties
            .sources
            .iter()
            .any(|s| s.kind != Some(SourceKind::Encyclopedia))),
        "an item rests on encyclopedias alone"
    );
}

/// The README's data section states the counts the data has; this recomputes them.
#[test]
fn the_readme_states_the_counts_of_the_data() {
    let atlas = atlas();
    let summary = audit::summary(&atlas.items, &atlas.figures, &atlas.entities);
    let undated: Vec<&str> = audit::undated_items(&atlas.items)
        .iter()
        .map(|i| i.id())
        .collect();
    println!("undated items ({}): {}", undated.len(), undated.join(", "));
    println!("{summary:#?}");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let expect = |line: String| assert!(readme.contains(&line), "README lacks {line:?}");
    expect(format!(
        "{} items ({} on the map",
        summary.items, summary.mapped
    ));
    expect(format!("{} items have no dated stage", summary.undated));
    for (kind, count) in &summary.by_kind {
        expect(format!("| {kind} | {count} |"));
    }
    for (kind, count) in &summary.sources_by_kind {
        expect(format!("| {kind} sources | {count} |"));
    }
    expect(format!("{} lenders and companies", summary.entities));
    expect(format!("{} loans", summary.loans));
    expect(format!(
        "{} agreements in {} packages",
        summary.agreements, summary.packages
    ));
}

/// The Events list shows the events in file order, which must be the order of their dates.
#[test]
fn events_are_listed_in_date_order() {
    let atlas = atlas();
    let days: Vec<(u32, &str)> = atlas
        .figures
        .events
        .iter()
        .map(|e| {
            (
                data::query::day_key(&e.date).expect("event dates parse"),
                e.id.as_str(),
            )
        })
        .collect();
    for pair in days.windows(2) {
        assert!(
            pair[0].0 <= pair[1].0,
            "{} comes before {}",
            pair[0].1,
            pair[1].1
        );
    }
}
