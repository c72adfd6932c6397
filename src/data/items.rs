//! Loading, validating and saving the project dataset (RFC 7946 GeoJSON of items).

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::error::{LoadError, Problem};
use super::import::{self, check_lon_lat, check_nesting, read_text};
use super::model::{Item, ItemGeometry, ItemKind, ItemProperties, PrecisionClass};

/// Reads and validates a dataset file from disk.
pub fn load_items(path: &Path) -> Result<Vec<Item>, LoadError> {
    let text = read_text(path)?;
    parse_items(&path.display().to_string(), &text)
}

/// Parses and validates dataset text; `file` names it in errors.
///
/// Every problem of every feature is collected, so the user sees them all at once; a file with
/// any problem is an error, never a partial or empty dataset.
pub fn parse_items(file: &str, text: &str) -> Result<Vec<Item>, LoadError> {
    check_nesting(file, text)?;
    let root: Value = serde_json::from_str(text).map_err(|e| LoadError::syntax(file, text, &e))?;
    let invalid = |problems: Vec<Problem>| LoadError::Invalid {
        file: file.to_owned(),
        problems,
    };
    let whole_file = |field: &str, message: &str| Problem {
        line_column: None,
        feature_index: None,
        id: None,
        field: field.to_owned(),
        message: message.to_owned(),
    };
    let Some(object) = root.as_object() else {
        return Err(invalid(vec![whole_file(
            "(root)",
            "expected a GeoJSON object",
        )]));
    };
    if object.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(invalid(vec![whole_file(
            "type",
            "expected \"FeatureCollection\"",
        )]));
    }
    let Some(features) = object.get("features").and_then(Value::as_array) else {
        return Err(invalid(vec![whole_file(
            "features",
            "expected an array of features",
        )]));
    };

    let mut problems = Vec::new();
    let mut items = Vec::with_capacity(features.len());
    let mut seen_ids = HashSet::new();
    for (index, feature) in features.iter().enumerate() {
        let mut report = |id: Option<&str>, field: &str, message: String| {
            problems.push(Problem {
                line_column: None,
                feature_index: Some(index),
                id: id.map(str::to_owned),
                field: field.to_owned(),
                message,
            });
        };
        let Some(feature) = feature.as_object() else {
            report(
                None,
                "(feature)",
                "expected a GeoJSON Feature object".into(),
            );
            continue;
        };
        let raw_id = feature
            .get("properties")
            .and_then(|p| p.get("id"))
            .and_then(Value::as_str);
        if feature.get("type").and_then(Value::as_str) != Some("Feature") {
            report(raw_id, "type", "expected \"Feature\"".into());
            continue;
        }
        let Some(properties) = feature.get("properties") else {
            report(raw_id, "properties", "missing".into());
            continue;
        };
        let properties: ItemProperties = match serde_path_to_error::deserialize(properties) {
            Ok(p) => p,
            Err(e) => {
                let field = format!("properties.{}", e.path());
                report(raw_id, &field, e.into_inner().to_string());
                continue;
            }
        };
        let geometry = match parse_geometry(feature.get("geometry")) {
            Ok(g) => g,
            Err((field, message)) => {
                report(Some(&properties.id), &field, message);
                continue;
            }
        };
        if !seen_ids.insert(properties.id.clone()) {
            report(Some(&properties.id), "properties.id", "duplicate id".into());
        }
        for (field, message) in validate(&properties, geometry.as_ref()) {
            report(Some(&properties.id), &field, message);
        }
        items.push(Item {
            properties,
            geometry,
        });
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(invalid(problems))
    }
}

/// Checks what the types alone can't: sources present and linkable, figure references in range,
/// precision consistent with the geometry.
fn validate(p: &ItemProperties, geometry: Option<&ItemGeometry>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut problem = |field: &str, message: &str| out.push((field.to_owned(), message.to_owned()));
    if p.id.trim().is_empty() {
        problem("properties.id", "must not be empty");
    }
    if p.name.trim().is_empty() {
        problem("properties.name", "must not be empty");
    }
    if p.sources.is_empty() {
        problem("properties.sources", "every item needs at least one source");
    }
    for (i, source) in p.sources.iter().enumerate() {
        if !(source.url.starts_with("https://") || source.url.starts_with("http://")) {
            problem(
                &format!("properties.sources[{i}].url"),
                "must be an http or https URL",
            );
        }
    }
    for (i, figure) in p.figures.iter().enumerate() {
        if figure.source >= p.sources.len() {
            problem(
                &format!("properties.figures[{i}].source"),
                "refers to a source the item does not list",
            );
        }
        if !figure.value.is_finite() {
            problem(
                &format!("properties.figures[{i}].value"),
                "must be a finite number",
            );
        }
    }
    if let Some(value) = &p.value
        && value.source >= p.sources.len()
    {
        problem(
            "properties.value.source",
            "refers to a source the item does not list",
        );
    }
    for (i, station) in p.stations.iter().enumerate() {
        if let Err(message) = check_lon_lat(station.lon_lat[0], station.lon_lat[1]) {
            problem(&format!("properties.stations[{i}].lon_lat"), &message);
        }
    }
    // Every other reference to a source must name one the item lists.
    let count = p.sources.len();
    let references = p
        .dates
        .iter()
        .filter_map(|(key, stage)| {
            Some((format!("properties.dates.{key}.source"), stage.source()?))
        })
        .chain(p.stations.iter().enumerate().filter_map(|(i, station)| {
            Some((format!("properties.stations[{i}].source"), station.source?))
        }))
        .chain(
            p.loans
                .iter()
                .enumerate()
                .map(|(i, loan)| (format!("properties.loans[{i}].source"), loan.source)),
        )
        .chain(p.agreements.iter().enumerate().map(|(i, agreement)| {
            (
                format!("properties.agreements[{i}].source"),
                agreement.source,
            )
        }))
        .chain(p.sections.iter().enumerate().flat_map(|(i, section)| {
            section
                .dates
                .iter()
                .filter_map(move |(key, stage)| {
                    Some((
                        format!("properties.sections[{i}].dates.{key}.source"),
                        stage.source()?,
                    ))
                })
                .chain(
                    section
                        .source
                        .map(|s| (format!("properties.sections[{i}].source"), s)),
                )
        }));
    for (field, source) in references {
        if source >= count {
            problem(&field, "refers to a source the item does not list");
        }
    }
    for (key, stage) in &p.dates {
        if super::query::day_key(stage.date()).is_none() {
            problem(
                &format!("properties.dates.{key}"),
                "expected a date \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\"",
            );
        }
    }
    for (i, loan) in p.loans.iter().enumerate() {
        if !loan.amount.is_finite() || loan.amount <= 0.0 {
            problem(
                &format!("properties.loans[{i}].amount"),
                "must be a positive number",
            );
        }
    }
    let class = p.precision.class;
    match geometry {
        None if class != PrecisionClass::Unmapped => problem(
            "properties.precision.class",
            "an item without geometry must have precision class \"unmapped\"",
        ),
        Some(ItemGeometry::Point(_)) if !class.fits_points() => problem(
            "properties.precision.class",
            "a point needs site, near, town, region or country precision",
        ),
        Some(ItemGeometry::Lines(_)) if !class.fits_lines() => problem(
            "properties.precision.class",
            "a line needs traced, approximate or schematic precision",
        ),
        _ => {}
    }
    if class == PrecisionClass::Near && !p.precision.radius_km.is_some_and(|r| r > 0.0) {
        problem(
            "properties.precision.radius_km",
            "\"near\" precision needs a positive radius",
        );
    }
    if p.kind == ItemKind::Corridor {
        if p.corridor_kind.is_none() {
            problem(
                "properties.corridor_kind",
                "a corridor needs a corridor_kind",
            );
        }
        if matches!(geometry, Some(ItemGeometry::Point(_))) {
            problem(
                "geometry",
                "a corridor must be a LineString or MultiLineString",
            );
        }
    } else if matches!(geometry, Some(ItemGeometry::Lines(_))) {
        problem("geometry", "only corridors may be lines");
    }
    out
}

type GeometryError = (String, String);

/// A position, checked as a user layer's is, as a coordinate.
fn position(value: &Value, field: &str) -> Result<geo::Coord<f64>, GeometryError> {
    import::position(value, field).map(|[x, y]| geo::coord! { x: x, y: y })
}

/// A line of at least two positions, checked as a user layer's is.
fn line(value: &Value, field: &str) -> Result<geo::LineString<f64>, GeometryError> {
    import::line(value, field, 2).map(|points| {
        geo::LineString::new(
            points
                .into_iter()
                .map(|[x, y]| geo::coord! { x: x, y: y })
                .collect(),
        )
    })
}

/// Parses an item geometry: Point, LineString, MultiLineString, or null for an unmapped item.
pub(crate) fn parse_geometry(value: Option<&Value>) -> Result<Option<ItemGeometry>, GeometryError> {
    let Some(value) = value else {
        return Err((
            "geometry".into(),
            "missing (use null for an item that cannot be placed)".into(),
        ));
    };
    if value.is_null() {
        return Ok(None);
    }
    let object: &Map<String, Value> = value.as_object().ok_or_else(|| {
        (
            "geometry".to_owned(),
            "expected an object or null".to_owned(),
        )
    })?;
    let coordinates = object.get("coordinates").unwrap_or(&Value::Null);
    match object.get("type").and_then(Value::as_str) {
        Some("Point") => Ok(Some(ItemGeometry::Point(
            position(coordinates, "geometry.coordinates")?.into(),
        ))),
        Some("LineString") => Ok(Some(ItemGeometry::Lines(geo::MultiLineString::new(vec![
            line(coordinates, "geometry.coordinates")?,
        ])))),
        Some("MultiLineString") => {
            let Some(parts) = coordinates.as_array().filter(|a| !a.is_empty()) else {
                return Err((
                    "geometry.coordinates".into(),
                    "a MultiLineString needs at least one line".into(),
                ));
            };
            let lines = parts
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("geometry.coordinates[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(ItemGeometry::Lines(geo::MultiLineString::new(lines))))
        }
        Some(other) => Err((
            "geometry.type".into(),
            format!("unsupported geometry \"{other}\" (use Point, LineString or MultiLineString)"),
        )),
        None => Err(("geometry.type".into(), "missing".into())),
    }
}

/// Writes items back as a GeoJSON FeatureCollection, unknown properties included.
pub fn items_to_geojson(items: &[Item]) -> Result<String, serde_json::Error> {
    let features = items
        .iter()
        .map(|item| {
            let geometry = match &item.geometry {
                None => Value::Null,
                Some(ItemGeometry::Point(p)) => serde_json::json!({
                    "type": "Point", "coordinates": [p.x(), p.y()]
                }),
                Some(ItemGeometry::Lines(lines)) => {
                    let coords: Vec<Vec<[f64; 2]>> = lines
                        .0
                        .iter()
                        .map(|l| l.coords().map(|c| [c.x, c.y]).collect())
                        .collect();
                    if coords.len() == 1 {
                        serde_json::json!({ "type": "LineString", "coordinates": coords[0] })
                    } else {
                        serde_json::json!({ "type": "MultiLineString", "coordinates": coords })
                    }
                }
            };
            Ok(serde_json::json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": serde_json::to_value(&item.properties)?,
            }))
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    serde_json::to_string_pretty(&serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> String {
        match parse_items("f.geojson", text) {
            Ok(items) => panic!("expected an error, got {} items", items.len()),
            Err(e) => e.to_string(),
        }
    }

    const VALID_PROPERTIES: &str = r#""id":"a","name":"A","kind":"site","sector":"energy","status":"operating","country":"KZ","description":"d","precision":{"class":"site","how":"h"},"sources":[{"title":"t","url":"https://example.org"}]"#;

    fn feature(geometry: &str, properties: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{geometry},"properties":{{{properties}}}}}]}}"#
        )
    }

    #[test]
    fn a_syntax_error_names_the_line_and_column() {
        let message = problems("{\n\"type\": \"FeatureCollection\",\n\"features\": [,]}");
        assert!(message.starts_with("f.geojson:3:"), "{message}");
    }

    #[test]
    fn a_latitude_beyond_90_names_the_feature_and_field() {
        let message = problems(&feature(
            r#"{"type":"Point","coordinates":[70,95]}"#,
            VALID_PROPERTIES,
        ));
        assert!(
            message.contains("feature 0 (id \"a\")")
                && message.contains("geometry.coordinates")
                && message.contains("latitude 95"),
            "{message}"
        );
    }

    #[test]
    fn a_wrongly_typed_property_names_its_path() {
        let properties =
            VALID_PROPERTIES.replace(r#""sources":[{"title":"t","#, r#""sources":[{"title":7,"#);
        let message = problems(&feature(
            r#"{"type":"Point","coordinates":[70,45]}"#,
            &properties,
        ));
        assert!(message.contains("properties.sources[0].title"), "{message}");
    }

    #[test]
    fn an_item_without_sources_or_with_a_dangling_figure_is_refused() {
        let properties = VALID_PROPERTIES.replace(
            r#""sources":[{"title":"t","url":"https://example.org"}]"#,
            r#""sources":[],"figures":[{"key":"k","value":1,"unit":"u","source":3}]"#,
        );
        let message = problems(&feature(
            r#"{"type":"Point","coordinates":[70,45]}"#,
            &properties,
        ));
        assert!(
            message.contains("at least one source") && message.contains("figures[0].source"),
            "{message}"
        );
    }

    #[test]
    fn unsupported_geometry_and_duplicate_ids_are_reported() {
        let message = problems(&feature(
            r#"{"type":"Polygon","coordinates":[]}"#,
            VALID_PROPERTIES,
        ));
        assert!(
            message.contains("unsupported geometry \"Polygon\""),
            "{message}"
        );
        let one = format!(
            r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[70,45]}},"properties":{{{VALID_PROPERTIES}}}}}"#
        );
        let message = problems(&format!(
            r#"{{"type":"FeatureCollection","features":[{one},{one}]}}"#
        ));
        assert!(
            message.contains("feature 1") && message.contains("duplicate id"),
            "{message}"
        );
    }

    #[test]
    fn unknown_properties_survive_a_load_and_save() {
        let properties = format!(r#"{VALID_PROPERTIES},"analyst_comment":{{"by":"me","score":3}}"#);
        let text = feature(r#"{"type":"Point","coordinates":[70,45]}"#, &properties);
        let Ok(items) = parse_items("f", &text) else {
            panic!("valid")
        };
        let Ok(saved) = items_to_geojson(&items) else {
            panic!("serializes")
        };
        let Ok(again) = parse_items("f", &saved) else {
            panic!("reloads")
        };
        assert_eq!(again, items);
        assert!(saved.contains("analyst_comment"));
    }
}
