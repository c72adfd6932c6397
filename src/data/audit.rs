//! The rules a dataset must meet before the atlas shows it as fact: sources worth citing, points
//! that do not hide one another, corridors that keep to land, loans and agreements that link to
//! their lenders and packages. Each broken rule is a finding naming the item and the field; the
//! data tests require none on the bundled data.

use std::collections::HashSet;

use geo::{BoundingRect, Contains, Coord, Distance, Haversine, Point, Rect};

use super::entities::EntityBook;
use super::figures::FigureBook;
#[cfg(test)]
use super::model::url_host;
use super::model::{Item, ItemGeometry, Source, SourceKind};
use super::query::is_undated;

/// Hosts no source may use, one glob pattern a line (`*` is any run of characters), read from
/// `assets/data/refused-hosts.txt`.
#[derive(Clone, Debug, Default)]
pub struct RefusedHosts {
    patterns: Vec<String>,
}

impl RefusedHosts {
    pub fn parse(text: &str) -> Self {
        let patterns = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_ascii_lowercase)
            .collect();
        Self { patterns }
    }

    /// The pattern that refuses `host`, if any.
    pub fn refusing(&self, host: &str) -> Option<&str> {
        let host = host.to_ascii_lowercase();
        self.patterns
            .iter()
            .find(|p| glob_matches(p, &host))
            .map(String::as_str)
    }
}

/// `*` matches any run of characters, everything else itself.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Hosts of the canonical encyclopedias; a page on any other host is not an encyclopedia source.
fn is_canonical_encyclopedia(host: &str) -> bool {
    host.ends_with(".wikipedia.org")
        || host == "britannica.com"
        || host.ends_with(".britannica.com")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A source on a refused host (a mirror, content farm, forum, blog, staging or CDN host).
    RefusedHost,
    /// A source without a kind, or an encyclopedia kind on another host (or the reverse).
    SourceKind,
    /// A source with neither a publication nor a retrieval date, or one that does not parse.
    SourceDate,
    /// An item, figure, stage, loan, agreement or claim that only an encyclopedia states.
    EncyclopediaOnly,
    /// A reference to a source the item does not list.
    SourceIndex,
    /// A dated stage without its source.
    UnsourcedStage,
    /// Two distinct items within 1 km, neither naming the other as co-located.
    StackedPoints,
    /// A corridor segment running more than 2 km over a lake of the basemap without naming
    /// the crossing.
    WaterCrossing,
    /// A loan whose lender is not an entity.
    LoanLender,
    /// An agreement naming an unknown package, or a package whose itemised agreements exceed
    /// its stated total or count.
    Package,
    /// A corridor whose length figures do not include one for the drawn scope.
    LengthScope,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The item, claim, event, entity or package id.
    pub id: String,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} ({:?})",
            self.id, self.field, self.message, self.rule
        )
    }
}

/// What the audit reads: the items with their links, and the basemap lakes.
pub struct AuditInput<'a> {
    pub items: &'a [Item],
    pub figures: &'a FigureBook,
    pub entities: &'a EntityBook,
    pub lakes: &'a [super::basemap::Area],
    pub refused: &'a RefusedHosts,
}

/// Two items closer than this share a position unless one names the other as co-located.
pub const STACKED_KM: f64 = 1.0;
/// A corridor may run over a lake this far (shore generalisation, a causeway) without naming
/// the crossing.
pub const WATER_TOLERANCE_KM: f64 = 2.0;
/// The step at which corridor segments are sampled for the water test.
const WATER_STEP_KM: f64 = 0.25;

pub fn audit(input: &AuditInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for item in input.items {
        audit_item(input, item, &mut findings);
    }
    audit_stacked_points(input.items, &mut findings);
    audit_water(input, &mut findings);
    audit_packages(input, &mut findings);
    for claim in &input.figures.claims {
        let sources: Vec<&Source> = std::iter::once(&claim.source)
            .chain(&claim.also_reported_by)
            .collect();
        audit_sources(input.refused, &claim.id, "source", &sources, &mut findings);
    }
    for event in &input.figures.events {
        let sources: Vec<&Source> = event.sources.iter().collect();
        audit_sources(input.refused, &event.id, "sources", &sources, &mut findings);
    }
    for entity in &input.entities.entities {
        let sources: Vec<&Source> = entity.sources.iter().collect();
        audit_sources(
            input.refused,
            &entity.id,
            "sources",
            &sources,
            &mut findings,
        );
    }
    for package in &input.entities.packages {
        let sources: Vec<&Source> = package.sources.iter().collect();
        audit_sources(
            input.refused,
            &package.id,
            "sources",
            &sources,
            &mut findings,
        );
    }
    findings
}

/// The source rules over one list: kinds, hosts, dates, and at least one that is not an
/// encyclopedia.
fn audit_sources(
    refused: &RefusedHosts,
    id: &str,
    field: &str,
    sources: &[&Source],
    findings: &mut Vec<Finding>,
) {
    let mut found = |rule, at: String, message: String| {
        findings.push(Finding {
            rule,
            id: id.to_owned(),
            field: at,
            message,
        });
    };
    for (i, source) in sources.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let host = source.host().unwrap_or_default();
        if let Some(pattern) = refused.refusing(&host) {
            found(
                Rule::RefusedHost,
                format!("{at}.url"),
                format!("{host} is a refused host (pattern {pattern})"),
            );
        }
        let canonical = is_canonical_encyclopedia(&host);
        match source.kind {
            None => found(Rule::SourceKind, format!("{at}.kind"), "missing".into()),
            Some(SourceKind::Encyclopedia) if !canonical => found(
                Rule::SourceKind,
                format!("{at}.kind"),
                format!("an encyclopedia source must be the canonical page, not {host}"),
            ),
            Some(kind) if canonical && kind != SourceKind::Encyclopedia => found(
                Rule::SourceKind,
                format!("{at}.kind"),
                format!("a page on {host} is an encyclopedia source"),
            ),
            _ => {}
        }
        let dates = [&source.date, &source.retrieved];
        if dates.iter().all(|d| d.trim().is_empty()) {
            found(
                Rule::SourceDate,
                format!("{at}.date"),
                "needs a publication date or a retrieval date".into(),
            );
        }
        for date in dates.into_iter().filter(|d| !d.trim().is_empty()) {
            if super::query::day_key(date).is_none() {
                found(
                    Rule::SourceDate,
                    format!("{at}.date"),
                    format!("{date:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
                );
            }
        }
    }
    if !sources.is_empty()
        && sources
            .iter()
            .all(|s| s.kind == Some(SourceKind::Encyclopedia))
    {
        found(
            Rule::EncyclopediaOnly,
            field.to_owned(),
            "needs a source that is not an encyclopedia".into(),
        );
    }
}

fn audit_item(input: &AuditInput<'_>, item: &Item, findings: &mut Vec<Finding>) {
    let p = &item.properties;
    let sources: Vec<&Source> = p.sources.iter().collect();
    audit_sources(input.refused, &p.id, "sources", &sources, findings);
    let mut found = |rule, field: String, message: &str| {
        findings.push(Finding {
            rule,
            id: p.id.clone(),
            field,
            message: message.to_owned(),
        });
    };
    // A claim of the item rests on the source it names, which must exist and not be an
    // encyclopedia alone.
    let mut claim = |field: String, source: usize| match p.sources.get(source) {
        None => found(
            Rule::SourceIndex,
            field,
            "refers to a source the item does not list",
        ),
        Some(s) if s.kind == Some(SourceKind::Encyclopedia) => found(
            Rule::EncyclopediaOnly,
            field,
            "rests on an encyclopedia; cite a primary, agency or research source",
        ),
        Some(_) => {}
    };
    for (i, figure) in p.figures.iter().enumerate() {
        claim(format!("figures[{i}].source"), figure.source);
    }
    if let Some(value) = &p.value {
        claim("value.source".into(), value.source);
    }
    for (key, stage) in &p.dates {
        if let Some(source) = stage.source() {
            claim(format!("dates.{key}.source"), source);
        }
    }
    for (i, loan) in p.loans.iter().enumerate() {
        claim(format!("loans[{i}].source"), loan.source);
    }
    for (i, agreement) in p.agreements.iter().enumerate() {
        claim(format!("agreements[{i}].source"), agreement.source);
    }
    for (i, section) in p.sections.iter().enumerate() {
        for (key, stage) in &section.dates {
            if let Some(source) = stage.source() {
                claim(format!("sections[{i}].dates.{key}.source"), source);
            }
        }
    }
    for (key, stage) in &p.dates {
        if stage.source().is_none() {
            found(
                Rule::UnsourcedStage,
                format!("dates.{key}"),
                "a dated stage needs the source that states it",
            );
        }
    }
    for (i, loan) in p.loans.iter().enumerate() {
        if input.entities.entity(&loan.lender).is_none() {
            found(
                Rule::LoanLender,
                format!("loans[{i}].lender"),
                &format!("{:?} is not an entity of entities.json", loan.lender),
            );
        }
        if loan.borrower.trim().is_empty() || loan.millions().is_none() {
            found(
                Rule::LoanLender,
                format!("loans[{i}]"),
                "a loan needs a borrower and an amount in millions or billions",
            );
        }
    }
    for (i, agreement) in p.agreements.iter().enumerate() {
        if input.entities.package(&agreement.package).is_none() {
            found(
                Rule::Package,
                format!("agreements[{i}].package"),
                &format!("{:?} is not a package of entities.json", agreement.package),
            );
        }
    }
    let has_lengths = p.figures.iter().any(|f| f.key == "length");
    if matches!(item.geometry, Some(ItemGeometry::Lines(_)))
        && has_lengths
        && item.stated_length().is_none()
    {
        found(
            Rule::LengthScope,
            "geometry_scope".into(),
            "the drawn line's scope matches no length figure, so its length cannot be checked",
        );
    }
}

fn audit_stacked_points(items: &[Item], findings: &mut Vec<Finding>) {
    let points: Vec<(&Item, Point<f64>)> = items
        .iter()
        .filter_map(|item| match &item.geometry {
            Some(ItemGeometry::Point(p)) => Some((item, *p)),
            _ => None,
        })
        .collect();
    let names = |a: &Item, b: &Item| a.properties.co_located_with.iter().any(|id| id == b.id());
    for (i, &(a, pa)) in points.iter().enumerate() {
        for &(b, pb) in &points[i + 1..] {
            let km = Haversine.distance(pa, pb) / 1000.0;
            if km < STACKED_KM && !names(a, b) && !names(b, a) {
                findings.push(Finding {
                    rule: Rule::StackedPoints,
                    id: a.id().to_owned(),
                    field: "geometry".into(),
                    message: format!(
                        "{km:.2} km from {}; place each at its own site or name the other in co_located_with",
                        b.id()
                    ),
                });
            }
        }
    }
}

/// Corridors that cross water they do not name: sampled every 250 m, the run of samples over
/// a lake must stay within `WATER_TOLERANCE_KM`.
fn audit_water(input: &AuditInput<'_>, findings: &mut Vec<Finding>) {
    let lakes: Vec<(Rect<f64>, &super::basemap::Area)> = input
        .lakes
        .iter()
        .filter_map(|lake| Some((lake.shape.bounding_rect()?, lake)))
        .collect();
    for item in input.items {
        let Some(ItemGeometry::Lines(lines)) = &item.geometry else {
            continue;
        };
        if !item.properties.water_crossings.is_empty() {
            continue;
        }
        for line in lines {
            for segment in line.lines() {
                let (from, to) = (Point::from(segment.start), Point::from(segment.end));
                let km = Haversine.distance(from, to) / 1000.0;
                let steps = (km / WATER_STEP_KM).ceil().max(1.0) as usize;
                let reach = Rect::new(segment.start, segment.end);
                let near: Vec<&super::basemap::Area> = lakes
                    .iter()
                    .filter(|(rect, _)| rects_overlap(rect, &reach))
                    .map(|(_, lake)| *lake)
                    .collect();
                if near.is_empty() {
                    continue;
                }
                // Per lake (by its place in `near`): the samples over it and the first of them.
                let mut over = std::collections::BTreeMap::<usize, (usize, Point<f64>)>::new();
                for step in 0..steps {
                    let t = (step as f64 + 0.5) / steps as f64;
                    let at = Point::from(Coord {
                        x: from.x() + (to.x() - from.x()) * t,
                        y: from.y() + (to.y() - from.y()) * t,
                    });
                    if let Some(lake) = near.iter().position(|lake| lake.shape.contains(&at)) {
                        over.entry(lake).or_insert((0, at)).0 += 1;
                    }
                }
                for (samples, first_wet) in over.into_values() {
                    let wet_km = samples as f64 * km / steps as f64;
                    if wet_km > WATER_TOLERANCE_KM {
                        findings.push(Finding {
                            rule: Rule::WaterCrossing,
                            id: item.id().to_owned(),
                            field: "geometry".into(),
                            message: format!(
                                "the segment ({:.3}, {:.3}) → ({:.3}, {:.3}) runs {wet_km:.1} km over a lake, from ({:.3}, {:.3}); route it through the towns it passes or name the crossing in water_crossings",
                                from.x(),
                                from.y(),
                                to.x(),
                                to.y(),
                                first_wet.x(),
                                first_wet.y()
                            ),
                        });
                    }
                }
            }
        }
    }
}

fn rects_overlap(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

fn audit_packages(input: &AuditInput<'_>, findings: &mut Vec<Finding>) {
    let mut ids = HashSet::new();
    for package in &input.entities.packages {
        ids.insert(package.id.as_str());
        let coverage = package.coverage(input.items);
        let mut found = |field: &str, message: String| {
            findings.push(Finding {
                rule: Rule::Package,
                id: package.id.clone(),
                field: field.to_owned(),
                message,
            });
        };
        if let Some(share) = coverage.share()
            && share > 1.0 + 1e-9
        {
            found(
                "total",
                format!(
                    "the itemised agreements add up to {:.0} million, {:.0} % of the stated total",
                    coverage.itemised_millions,
                    share * 100.0
                ),
            );
        }
        if let Some(count) = package.count
            && coverage.itemised > count as usize
        {
            found(
                "count",
                format!(
                    "{} agreements are itemised, more than the stated {count}",
                    coverage.itemised
                ),
            );
        }
    }
}

/// Counts a README states of the data: items by kind and by sector, sources by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSummary {
    pub items: usize,
    pub mapped: usize,
    pub by_kind: std::collections::BTreeMap<String, usize>,
    pub by_sector: std::collections::BTreeMap<String, usize>,
    /// Distinct source URLs of items, claims, events, entities and packages, by kind.
    pub sources_by_kind: std::collections::BTreeMap<String, usize>,
    pub undated: usize,
    pub entities: usize,
    pub loans: usize,
    pub packages: usize,
    pub agreements: usize,
}

pub fn summary(items: &[Item], figures: &FigureBook, entities: &EntityBook) -> DataSummary {
    let mut out = DataSummary {
        items: items.len(),
        mapped: items.iter().filter(|i| i.geometry.is_some()).count(),
        undated: undated_items(items).len(),
        entities: entities.entities.len(),
        packages: entities.packages.len(),
        ..DataSummary::default()
    };
    let mut all: Vec<&Source> = Vec::new();
    for item in items {
        let p = &item.properties;
        *out.by_kind
            .entry(format!("{:?}", p.kind).to_lowercase())
            .or_default() += 1;
        *out.by_sector
            .entry(p.sector.label().to_owned())
            .or_default() += 1;
        out.loans += p.loans.len();
        out.agreements += p.agreements.len();
        all.extend(&p.sources);
    }
    for claim in &figures.claims {
        all.push(&claim.source);
        all.extend(&claim.also_reported_by);
    }
    all.extend(figures.events.iter().flat_map(|e| &e.sources));
    all.extend(entities.entities.iter().flat_map(|e| &e.sources));
    all.extend(entities.packages.iter().flat_map(|p| &p.sources));
    // A URL cited as several kinds counts once, as its best.
    let mut urls = std::collections::BTreeMap::<&str, Option<SourceKind>>::new();
    for source in all {
        let kind = urls.entry(source.url.as_str()).or_insert(source.kind);
        *kind = match (*kind, source.kind) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    for kind in urls.into_values() {
        let label = kind.map_or("no kind", SourceKind::label);
        *out.sources_by_kind.entry(label.to_owned()).or_default() += 1;
    }
    out
}

/// Items with no dated stage (announcement, agreement, construction start, operation): at a
/// past map date they are drawn as undated rather than with today's status.
pub fn undated_items(items: &[Item]) -> Vec<&Item> {
    items.iter().filter(|item| is_undated(item)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_patterns_match_whole_hosts_with_wildcards() {
        let refused = RefusedHosts::parse(
            "# mirrors\nkiwix.*\n*.cloudfront.net\nperceptio*.com\nrussian.fi\n",
        );
        assert_eq!(refused.refusing("kiwix.haohe.fun"), Some("kiwix.*"));
        assert_eq!(
            refused.refusing("dcyh5l5lgidpq.cloudfront.net"),
            Some("*.cloudfront.net")
        );
        assert_eq!(refused.refusing("perceptiode.com"), Some("perceptio*.com"));
        assert_eq!(refused.refusing("russian.fi"), Some("russian.fi"));
        assert_eq!(refused.refusing("www.russian.fi.example"), None);
        assert_eq!(refused.refusing("astanatimes.com"), None);
        assert_eq!(refused.refusing("cloudfront.net"), None);
    }

    #[test]
    fn hosts_are_read_without_scheme_port_or_user() {
        assert_eq!(
            url_host("https://User@Example.COM:8080/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            url_host("http://the-uncensored-wiki.com:20141/x").as_deref(),
            Some("the-uncensored-wiki.com")
        );
        assert_eq!(url_host("ftp://example.com"), None);
    }
}
