//! Reading the user's own files (GeoJSON and CSV) into user layers, and the checks every file
//! the atlas reads goes through first: size, UTF-8 and nesting depth.
//!
//! A file with any problem is refused whole, with every problem listed: a layer that silently
//! lost half its features would look like data and mislead.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::error::{LoadError, Problem};
use super::user_layer::UserLayer;

/// Files over this size are refused before they are read, so a wrong file can't exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Deeper arrays and objects are refused: GeoJSON needs at most 6 levels (a MultiPolygon in a
/// feature in a collection) plus what properties nest, and the JSON parser recurses once per
/// level.
pub const MAX_NESTING_LEVELS: usize = 64;

/// The file formats the atlas reads layers from and writes items to, told by the file's
/// extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerFormat {
    GeoJson,
    Csv,
}

impl LayerFormat {
    pub fn of(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "geojson" | "json" => Some(Self::GeoJson),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Reads a file as UTF-8 text after checking its size; the error names the file.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let file = path.display().to_string();
    let io = |source| LoadError::Io {
        file: file.clone(),
        source,
    };
    let size_bytes = std::fs::metadata(path).map_err(io)?.len();
    if size_bytes > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file,
            size_bytes,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    // Read no more than the limit allows even so: a device or a file still growing can hold
    // more than its size said.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file,
            size_bytes: bytes.len() as u64,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    text_of(&file, bytes)
}

/// The bytes as text without a UTF-8 byte-order mark (which many Windows programs write), or
/// an error placing the first byte that is not UTF-8.
pub fn text_of(file: &str, bytes: Vec<u8>) -> Result<String, LoadError> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        LoadError::not_utf8(file, e.as_bytes(), offset)
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Refuses JSON text whose arrays and objects nest deeper than [`MAX_NESTING_LEVELS`], naming
/// the line and column where the limit is passed. Brackets inside strings don't count.
pub fn check_nesting(file: &str, text: &str) -> Result<(), LoadError> {
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING_LEVELS {
                    let [line, column] = super::error::line_column_of(text.as_bytes(), offset);
                    return Err(LoadError::TooDeep {
                        file: file.to_owned(),
                        line,
                        column,
                        limit_levels: MAX_NESTING_LEVELS,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Reads a user layer from a GeoJSON or CSV file, told apart by the extension. The layer is
/// named after the file.
pub fn load_user_layer(path: &Path) -> Result<UserLayer, LoadError> {
    let file = path.display().to_string();
    let Some(format) = LayerFormat::of(path) else {
        let kind = match path.extension() {
            _ if path.is_dir() => "a folder".to_owned(),
            Some(extension) => format!("a .{} file", extension.to_string_lossy()),
            None => "a file without an extension".to_owned(),
        };
        return Err(LoadError::UnsupportedFormat { file, kind });
    };
    let text = read_text(path)?;
    let mut layer = parse_user_layer(&file, &text, format)?;
    layer.name = path
        .file_stem()
        .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
    layer.path = path
        .canonicalize()
        .map_or(file, |p| p.display().to_string());
    Ok(layer)
}

/// Parses the text of a user layer file; `file` names it in errors.
pub fn parse_user_layer(
    file: &str,
    text: &str,
    format: LayerFormat,
) -> Result<UserLayer, LoadError> {
    let layer = match format {
        LayerFormat::GeoJson => parse_geojson_layer(file, text)?,
        LayerFormat::Csv => parse_csv_layer(file, text)?,
    };
    if layer.points.is_empty() && layer.lines.is_empty() {
        return Err(LoadError::Invalid {
            file: file.to_owned(),
            problems: vec![whole_file(
                match format {
                    LayerFormat::GeoJson => "features",
                    LayerFormat::Csv => "(rows)",
                },
                "the file has nothing to draw: no point or line",
            )],
        });
    }
    Ok(layer)
}

fn whole_file(field: &str, message: &str) -> Problem {
    Problem {
        feature_index: None,
        line_column: None,
        id: None,
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// Checks a longitude and latitude in degrees.
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), String> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err("coordinates must be finite numbers".into());
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("longitude {lon} is outside -180..180"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is outside -90..90"));
    }
    Ok(())
}

/// GeoJSON (RFC 7946): a FeatureCollection, a single Feature or a bare geometry. Points and
/// MultiPoints become points; LineStrings, MultiLineStrings and the rings of Polygons and
/// MultiPolygons become lines; GeometryCollections are taken apart.
fn parse_geojson_layer(file: &str, text: &str) -> Result<UserLayer, LoadError> {
    check_nesting(file, text)?;
    let root: Value = serde_json::from_str(text).map_err(|e| LoadError::syntax(file, text, &e))?;
    let invalid = |problems: Vec<Problem>| LoadError::Invalid {
        file: file.to_owned(),
        problems,
    };
    let Some(object) = root.as_object() else {
        return Err(invalid(vec![whole_file(
            "(root)",
            "expected a GeoJSON object: a FeatureCollection, a Feature or a geometry",
        )]));
    };
    let mut layer = UserLayer::default();
    let mut problems = Vec::new();
    match object.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            let Some(features) = object.get("features").and_then(Value::as_array) else {
                return Err(invalid(vec![whole_file(
                    "features",
                    "expected an array of features",
                )]));
            };
            let mut seen_ids = HashSet::new();
            for (index, feature) in features.iter().enumerate() {
                read_feature(
                    &mut layer,
                    &mut problems,
                    &mut seen_ids,
                    Some(index),
                    feature,
                );
            }
        }
        Some("Feature") => {
            read_feature(&mut layer, &mut problems, &mut HashSet::new(), None, &root)
        }
        Some(_) if object.contains_key("coordinates") || object.contains_key("geometries") => {
            let mut geometry = GeometryParts::default();
            match geometry.read(&root, "", 0) {
                Ok(()) => geometry.add_to(&mut layer, Map::new()),
                Err((field, message)) => problems.push(whole_file(&field, &message)),
            }
        }
        Some(other) => problems.push(whole_file(
            "type",
            &format!("\"{other}\" is not a GeoJSON type"),
        )),
        None => problems.push(whole_file(
            "type",
            "missing: not GeoJSON (expected \"FeatureCollection\", \"Feature\" or a geometry)",
        )),
    }
    if problems.is_empty() {
        Ok(layer)
    } else {
        Err(invalid(problems))
    }
}

/// Adds one feature's points and lines to `layer`, or its problems to `problems`.
fn read_feature(
    layer: &mut UserLayer,
    problems: &mut Vec<Problem>,
    seen_ids: &mut HashSet<String>,
    index: Option<usize>,
    feature: &Value,
) {
    let mut report = |id: Option<&str>, field: &str, message: String| {
        problems.push(Problem {
            feature_index: index,
            line_column: None,
            id: id.map(str::to_owned),
            field: field.to_owned(),
            message,
        });
    };
    let Some(object) = feature.as_object() else {
        report(
            None,
            "(feature)",
            "expected a GeoJSON Feature object".into(),
        );
        return;
    };
    let properties = match object.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(other) => {
            report(
                None,
                "properties",
                format!("expected an object or null, found {}", type_name(other)),
            );
            return;
        }
    };
    // RFC 7946 puts the id beside the properties; many files keep it among them.
    let (id_field, id_value) = match (object.get("id"), properties.get("id")) {
        (Some(id), _) => ("id", Some(id)),
        (None, Some(id)) => ("properties.id", Some(id)),
        (None, None) => ("id", None),
    };
    let id = match id_value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            report(
                None,
                id_field,
                format!("expected a string or a number, found {}", type_name(other)),
            );
            return;
        }
    };
    let id = id.as_deref();
    if object.get("type").and_then(Value::as_str) != Some("Feature") {
        report(id, "type", "expected \"Feature\"".into());
        return;
    }
    if let Some(id) = id
        && !seen_ids.insert(id.to_owned())
    {
        report(Some(id), id_field, "duplicate id".into());
    }
    if let Some(name) = properties.get("name")
        && !(name.is_string() || name.is_null())
    {
        report(
            id,
            "properties.name",
            format!("expected a string, found {}", type_name(name)),
        );
    }
    let Some(geometry) = object.get("geometry") else {
        report(
            id,
            "geometry",
            "missing (use null for a feature that is not placed)".into(),
        );
        return;
    };
    if geometry.is_null() {
        // RFC 7946 allows a feature that is not placed; it is kept, counted and not drawn.
        GeometryParts::default().add_to(layer, properties);
        layer.unplaced_features += 1;
        return;
    }
    let mut parts = GeometryParts::default();
    match parts.read(geometry, "geometry", 0) {
        Ok(()) => parts.add_to(layer, properties),
        Err((field, message)) => report(id, &field, message),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) type GeometryError = (String, String);

/// The points and lines of one feature's geometry.
#[derive(Default)]
struct GeometryParts {
    points: Vec<[f64; 2]>,
    lines: Vec<Vec<[f64; 2]>>,
}

/// GeometryCollections inside GeometryCollections: RFC 7946 advises against them; a few
/// levels are taken, more are refused.
const MAX_COLLECTION_LEVELS: usize = 4;

impl GeometryParts {
    fn add_to(self, layer: &mut UserLayer, properties: Map<String, Value>) {
        let feature = layer.features.len();
        layer.features.push(properties);
        layer
            .point_feature
            .extend(std::iter::repeat_n(feature, self.points.len()));
        layer
            .line_feature
            .extend(std::iter::repeat_n(feature, self.lines.len()));
        layer.points.extend(self.points);
        layer.lines.extend(self.lines);
    }

    fn read(&mut self, value: &Value, field: &str, level: usize) -> Result<(), GeometryError> {
        let err = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
        let Some(object) = value.as_object() else {
            return Err((
                field.to_owned(),
                format!("expected a geometry object, found {}", type_name(value)),
            ));
        };
        let type_field = child(field, "type");
        let Some(kind) = object.get("type") else {
            return err(&type_field, "missing");
        };
        let Some(kind) = kind.as_str() else {
            return Err((
                type_field,
                format!("expected a string, found {}", type_name(kind)),
            ));
        };
        if kind == "GeometryCollection" {
            if level >= MAX_COLLECTION_LEVELS {
                return err(field, "GeometryCollections nested too deep");
            }
            let geometries_field = child(field, "geometries");
            let Some(geometries) = object.get("geometries").and_then(Value::as_array) else {
                return err(&geometries_field, "expected an array of geometries");
            };
            if geometries.is_empty() {
                return err(&geometries_field, "empty: the geometry has nothing to draw");
            }
            for (i, geometry) in geometries.iter().enumerate() {
                self.read(geometry, &format!("{geometries_field}[{i}]"), level + 1)?;
            }
            return Ok(());
        }
        let field = child(field, "coordinates");
        let Some(coordinates) = object.get("coordinates") else {
            return err(&field, "missing");
        };
        match kind {
            "Point" => self.points.push(position(coordinates, &field)?),
            "MultiPoint" => {
                for (i, p) in non_empty(coordinates, &field, "a MultiPoint")?
                    .iter()
                    .enumerate()
                {
                    self.points.push(position(p, &format!("{field}[{i}]"))?);
                }
            }
            "LineString" => self.lines.push(line(coordinates, &field, 2)?),
            "MultiLineString" | "Polygon" => {
                let (what, min) = if kind == "Polygon" {
                    ("a Polygon", 4)
                } else {
                    ("a MultiLineString", 2)
                };
                for (i, l) in non_empty(coordinates, &field, what)?.iter().enumerate() {
                    self.lines.push(line(l, &format!("{field}[{i}]"), min)?);
                }
            }
            "MultiPolygon" => {
                for (i, polygon) in non_empty(coordinates, &field, "a MultiPolygon")?
                    .iter()
                    .enumerate()
                {
                    let polygon_field = format!("{field}[{i}]");
                    for (j, ring) in non_empty(polygon, &polygon_field, "a polygon")?
                        .iter()
                        .enumerate()
                    {
                        self.lines
                            .push(line(ring, &format!("{polygon_field}[{j}]"), 4)?);
                    }
                }
            }
            other => {
                return Err((
                    type_field,
                    format!(
                        "unsupported geometry \"{other}\" (use Point, MultiPoint, LineString, \
                         MultiLineString, Polygon, MultiPolygon or GeometryCollection)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The path of member `name` of the value at `field`; a bare geometry is at the root, "".
fn child(field: &str, name: &str) -> String {
    if field.is_empty() {
        name.to_owned()
    } else {
        format!("{field}.{name}")
    }
}

fn non_empty<'a>(
    value: &'a Value,
    field: &str,
    what: &str,
) -> Result<&'a Vec<Value>, GeometryError> {
    match value.as_array() {
        None => Err((
            field.to_owned(),
            format!("expected an array, found {}", type_name(value)),
        )),
        Some(a) if a.is_empty() => {
            Err((field.to_owned(), format!("empty: {what} needs coordinates")))
        }
        Some(a) => Ok(a),
    }
}

pub(crate) fn position(value: &Value, field: &str) -> Result<[f64; 2], GeometryError> {
    let err = |m: String| (field.to_owned(), m);
    let Some(array) = value.as_array() else {
        return Err(err(format!(
            "a position must be an array [lon, lat], found {}",
            type_name(value)
        )));
    };
    if array.len() < 2 {
        return Err(err(if array.is_empty() {
            "empty position: it needs a longitude and a latitude".into()
        } else {
            "a position needs a longitude and a latitude".into()
        }));
    }
    let (Some(lon), Some(lat)) = (array[0].as_f64(), array[1].as_f64()) else {
        return Err(err("longitude and latitude must be numbers".into()));
    };
    // RFC 7946 allows an altitude and more after them; they are not drawn, but must be numbers.
    if let Some(i) = array.iter().skip(2).position(|v| !v.is_number()) {
        return Err((
            format!("{field}[{}]", i + 2),
            "an altitude (or other third value) must be a number".into(),
        ));
    }
    check_lon_lat(lon, lat).map_err(err)?;
    Ok([lon, lat])
}

pub(crate) fn line(
    value: &Value,
    field: &str,
    min_positions: usize,
) -> Result<Vec<[f64; 2]>, GeometryError> {
    let Some(array) = value.as_array() else {
        return Err((
            field.to_owned(),
            format!(
                "a line must be an array of positions, found {}",
                type_name(value)
            ),
        ));
    };
    if array.len() < min_positions {
        let message = if array.is_empty() {
            "empty: the line has no positions".to_owned()
        } else if min_positions == 4 {
            format!(
                "a polygon ring needs at least 4 positions, it has {}",
                array.len()
            )
        } else {
            format!("a line needs at least 2 positions, it has {}", array.len())
        };
        return Err((field.to_owned(), message));
    }
    array
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{field}[{i}]")))
        .collect()
}

/// Column names taken for the longitude and the latitude, compared without case, the first
/// found in this order: `lon` wins over `x` in a file that has both.
const LON_COLUMNS: [&str; 5] = ["lon", "lng", "long", "longitude", "x"];
const LAT_COLUMNS: [&str; 3] = ["lat", "latitude", "y"];

/// One CSV record: its fields, each with the line it starts on (a quoted field may hold line
/// breaks, so a record's fields can start on different lines).
struct Record {
    fields: Vec<String>,
    lines: Vec<usize>,
}

impl Record {
    fn line(&self) -> usize {
        self.lines.first().copied().unwrap_or(1)
    }

    fn is_blank(&self) -> bool {
        self.fields.len() == 1 && self.fields[0].trim().is_empty()
    }
}

/// CSV (RFC 4180) with a header row: a longitude and a latitude column make each row a point;
/// the other columns become its properties, as numbers where they read as numbers. Commas,
/// semicolons or tabs separate the fields, whichever the header uses. Problems are placed by
/// line and column, the column being the field's number, as a spreadsheet shows it.
fn parse_csv_layer(file: &str, text: &str) -> Result<UserLayer, LoadError> {
    let records = csv_records(file, text)?;
    let invalid = |problems: Vec<Problem>| LoadError::Invalid {
        file: file.to_owned(),
        problems,
    };
    let mut records = records.iter().skip_while(|r| r.is_blank());
    let Some(header_record) = records.next() else {
        return Err(invalid(vec![whole_file(
            "(header)",
            "the file is empty: expected a header row naming the columns",
        )]));
    };
    let header_line = header_record.line();
    let header: Vec<&str> = header_record.fields.iter().map(|h| h.trim()).collect();
    let at = |line: usize, column: usize, field: &str, message: String| Problem {
        feature_index: None,
        line_column: Some([line, column]),
        id: None,
        field: field.to_owned(),
        message,
    };
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            problems.push(at(
                header_line,
                i + 1,
                "(header)",
                "a column without a name".into(),
            ));
        } else if header[..i].iter().any(|h| h.eq_ignore_ascii_case(name)) {
            problems.push(at(
                header_line,
                i + 1,
                name,
                format!("a second column named \"{name}\""),
            ));
        }
    }
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    };
    let (lon_column, lat_column) = (find(&LON_COLUMNS), find(&LAT_COLUMNS));
    for (found, field, what, names) in [
        (lon_column, "lon", "longitude", LON_COLUMNS.as_slice()),
        (lat_column, "lat", "latitude", LAT_COLUMNS.as_slice()),
    ] {
        if found.is_none() {
            problems.push(at(
                header_line,
                1,
                field,
                format!(
                    "no {what} column in the header (looked for {})",
                    names.join(", ")
                ),
            ));
        }
    }
    let (Some(lon_column), Some(lat_column)) = (lon_column, lat_column) else {
        return Err(invalid(problems));
    };
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let id_column = find(&["id"]);
    let mut layer = UserLayer::default();
    let mut seen_ids = HashSet::new();
    for record in records {
        if record.is_blank() {
            continue;
        }
        let fields = &record.fields;
        if fields.len() != header.len() {
            let column = fields.len().min(header.len());
            problems.push(at(
                record.lines.get(column).copied().unwrap_or(record.line()),
                column + 1,
                "(row)",
                format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let place = |column: usize| record.lines.get(column).copied().unwrap_or(record.line());
        let coordinate = |column: usize, problems: &mut Vec<Problem>| {
            let raw = fields[column].trim();
            let message = match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => return Some(v),
                Ok(_) => format!("\"{raw}\" is not a finite number"),
                Err(_) => format!("expected a number, found \"{raw}\""),
            };
            problems.push(at(place(column), column + 1, header[column], message));
            None
        };
        let (Some(lon), Some(lat)) = (
            coordinate(lon_column, &mut problems),
            coordinate(lat_column, &mut problems),
        ) else {
            continue;
        };
        if let Err(message) = check_lon_lat(lon, lat) {
            let column = if (-180.0..=180.0).contains(&lon) {
                lat_column
            } else {
                lon_column
            };
            problems.push(at(place(column), column + 1, header[column], message));
            continue;
        }
        if let Some(id_column) = id_column {
            let id = fields[id_column].trim();
            if !id.is_empty() && !seen_ids.insert(id.to_owned()) {
                problems.push(at(
                    place(id_column),
                    id_column + 1,
                    header[id_column],
                    format!("duplicate id \"{id}\""),
                ));
                continue;
            }
        }
        let properties: Map<String, Value> = header
            .iter()
            .zip(fields)
            .enumerate()
            .filter(|(i, _)| *i != lon_column && *i != lat_column)
            .map(|(_, (name, value))| ((*name).to_owned(), csv_value(value)))
            .collect();
        layer.point_feature.push(layer.features.len());
        layer.features.push(properties);
        layer.points.push([lon, lat]);
    }
    if problems.is_empty() {
        Ok(layer)
    } else {
        Err(invalid(problems))
    }
}

/// A CSV field as a property: a number where it reads as one and writes back the same (so
/// "010000", a postcode, and "+7" stay text), else the text.
fn csv_value(raw: &str) -> Value {
    let trimmed = raw.trim();
    if let Ok(whole) = trimmed.parse::<i64>()
        && whole.to_string() == trimmed
    {
        return Value::from(whole);
    }
    trimmed
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .filter(|n| n.to_string() == trimmed)
        .map_or_else(|| Value::String(raw.to_owned()), Value::Number)
}

/// The separator a CSV file uses: of comma, semicolon and tab, the one its first non-blank
/// line has most of outside quotes; a comma when it has none.
fn csv_separator(text: &str) -> char {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(',', 0_usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in first_line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(s, _)| *s == c) {
            count.1 += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map_or(',', |(s, _)| s)
}

/// Splits CSV text into records. Quoted fields may hold the separator, doubled quotes and line
/// breaks; lines may end in \n, \r\n or a lone \r.
fn csv_records(file: &str, text: &str) -> Result<Vec<Record>, LoadError> {
    let separator = csv_separator(text);
    let mut records = Vec::new();
    let mut record = Record {
        fields: Vec::new(),
        lines: Vec::new(),
    };
    let mut field = String::new();
    let mut line = 1;
    let mut field_line = 1;
    let mut quoted_since: Option<[usize; 2]> = None;
    let mut column = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        if quoted_since.is_some() {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    column += 1;
                    field.push('"');
                }
                '"' => quoted_since = None,
                '\n' => {
                    line += 1;
                    column = 0;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted_since = Some([line, column]);
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.fields.push(std::mem::take(&mut field));
                record.lines.push(field_line);
                records.push(std::mem::replace(
                    &mut record,
                    Record {
                        fields: Vec::new(),
                        lines: Vec::new(),
                    },
                ));
                line += 1;
                column = 0;
                field_line = line;
            }
            c if c == separator => {
                record.fields.push(std::mem::take(&mut field));
                record.lines.push(field_line);
                field_line = line;
            }
            _ => field.push(c),
        }
    }
    if let Some([line, column]) = quoted_since {
        return Err(LoadError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message: "a quoted field is never closed: the file may be truncated".to_owned(),
        });
    }
    if !field.is_empty() || !record.fields.is_empty() {
        record.fields.push(field);
        record.lines.push(field_line);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geojson(text: &str) -> Result<UserLayer, LoadError> {
        parse_user_layer("t.geojson", text, LayerFormat::GeoJson)
    }

    fn csv(text: &str) -> Result<UserLayer, LoadError> {
        parse_user_layer("t.csv", text, LayerFormat::Csv)
    }

    #[test]
    fn every_geojson_geometry_becomes_points_or_lines_with_its_properties() {
        let layer = geojson(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","id":1,"properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[70,45]}},
              {"type":"Feature","properties":null,"geometry":{"type":"MultiPoint","coordinates":[[71,45],[72,45]]}},
              {"type":"Feature","properties":{"k":2},"geometry":{"type":"Polygon","coordinates":[[[70,40],[71,40],[71,41],[70,40]]]}},
              {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[
                {"type":"LineString","coordinates":[[60,40],[61,41]]},{"type":"Point","coordinates":[1,2]}]}}]}"#,
        )
        .expect("valid");
        assert_eq!(
            layer.points,
            vec![[70.0, 45.0], [71.0, 45.0], [72.0, 45.0], [1.0, 2.0]]
        );
        assert_eq!(layer.lines.len(), 2);
        assert_eq!(layer.features.len(), 4);
        assert_eq!(layer.point_feature, vec![0, 1, 1, 3]);
        assert_eq!(
            layer.line_properties(0).and_then(|p| p.get("k")),
            Some(&Value::from(2))
        );
    }

    #[test]
    fn a_bare_geometry_or_feature_is_a_layer_too() {
        assert_eq!(
            geojson(r#"{"type":"LineString","coordinates":[[60,40],[61,41]]}"#)
                .expect("valid")
                .lines
                .len(),
            1
        );
        assert_eq!(
            geojson(r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[60,40]}}"#)
                .expect("valid")
                .points
                .len(),
            1
        );
    }

    #[test]
    fn every_problem_of_every_feature_is_listed_with_its_index_and_field() {
        let error = geojson(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[190,45]}},
              {"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[70,45]}},
              {"type":"Feature","properties":{"name":5},"geometry":{"type":"LineString","coordinates":[]}}]}"#,
        )
        .expect_err("invalid");
        let text = error.to_string();
        assert_eq!(error.problems().len(), 4, "{text}");
        assert!(
            text.contains("feature 0 (id \"a\"), field `geometry.coordinates`: longitude 190 is outside -180..180"),
            "{text}"
        );
        assert!(
            text.contains("feature 1 (id \"a\"), field `id`: duplicate id"),
            "{text}"
        );
        assert!(
            text.contains("feature 2, field `properties.name`: expected a string, found a number"),
            "{text}"
        );
        assert!(
            text.contains("feature 2, field `geometry.coordinates`: empty"),
            "{text}"
        );
    }

    #[test]
    fn csv_rows_become_points_and_the_other_columns_properties() {
        let layer = csv("name;Longitude;LAT;note\n\"Depot; north\";71.4;51.1;\"said \"\"big\"\"\"\nB;76.9;43.2;3\n")
            .expect("valid");
        assert_eq!(layer.points, vec![[71.4, 51.1], [76.9, 43.2]]);
        let first = layer.point_properties(0).expect("properties");
        assert_eq!(first.get("name"), Some(&Value::from("Depot; north")));
        assert_eq!(first.get("note"), Some(&Value::from("said \"big\"")));
        assert_eq!(
            layer.point_properties(1).and_then(|p| p.get("note")),
            Some(&Value::from(3))
        );
    }

    #[test]
    fn csv_problems_name_the_line_column_and_field() {
        let error =
            csv("id,lon,lat\n1,70,45\n1,71,45\n2,NaN,45\n3,70,95\n4,70\n").expect_err("invalid");
        let text = error.to_string();
        assert!(
            text.contains("line 3, column 1, field `id`: duplicate id \"1\""),
            "{text}"
        );
        assert!(
            text.contains("line 4, column 2, field `lon`: \"NaN\" is not a finite number"),
            "{text}"
        );
        assert!(
            text.contains("line 5, column 3, field `lat`: latitude 95 is outside -90..90"),
            "{text}"
        );
        assert!(
            text.contains("line 6, column 3, field `(row)`: 2 fields where the header has 3"),
            "{text}"
        );
    }

    #[test]
    fn a_line_break_inside_quotes_keeps_the_line_numbers_right() {
        let error = csv("name,lon,lat\n\"two\nlines\",70,45\nbad,x,45\n").expect_err("invalid");
        assert!(
            error.to_string().contains("line 4, column 2, field `lon`"),
            "{error}"
        );
        let error = csv("name,lon,lat\n\"open,70,45\n").expect_err("truncated");
        assert!(
            error
                .to_string()
                .starts_with("t.csv:2:1: a quoted field is never closed"),
            "{error}"
        );
    }

    #[test]
    fn windows_and_old_mac_line_endings_read_as_unix_ones() {
        for text in [
            "name,lon,lat\r\nA,70,45\r\nB,71,46\r\n",
            "name,lon,lat\rA,70,45\rB,71,46\r",
            "\n\nname,lon,lat\nA,70,45\nB,71,46",
        ] {
            let layer = csv(text).expect("valid");
            assert_eq!(layer.points, vec![[70.0, 45.0], [71.0, 46.0]], "{text:?}");
            assert_eq!(
                layer.point_properties(1).and_then(|p| p.get("name")),
                Some(&Value::from("B"))
            );
        }
        let error = csv("name,lon,lat\r\nA,70,45\r\nB,x,46\r\n").expect_err("invalid");
        assert!(
            error.to_string().contains("line 3, column 2, field `lon`"),
            "{error}"
        );
    }

    #[test]
    fn the_separator_is_told_outside_quotes_and_lon_is_preferred_to_x() {
        let layer = csv("\"Name, region\";x;y;lon;lat\nA;512;300;70;45\n").expect("valid");
        assert_eq!(layer.points, vec![[70.0, 45.0]]);
        let properties = layer.point_properties(0).expect("properties");
        assert_eq!(properties.get("Name, region"), Some(&Value::from("A")));
        assert_eq!(properties.get("x"), Some(&Value::from(512)));
    }

    #[test]
    fn a_field_after_a_line_break_in_quotes_is_placed_on_its_own_line() {
        let error = csv("name,lon,lat\n\"two\nlines\",x,45\n").expect_err("invalid");
        assert!(
            error.to_string().contains("line 3, column 2, field `lon`"),
            "{error}"
        );
    }

    #[test]
    fn columns_without_a_name_or_named_twice_are_refused() {
        let error = csv("name,lon,lat,note,Note,\nA,70,45,a,b,c\n").expect_err("invalid");
        let text = error.to_string();
        assert!(
            text.contains("line 1, column 5, field `Note`: a second column named \"Note\""),
            "{text}"
        );
        assert!(
            text.contains("line 1, column 6, field `(header)`: a column without a name"),
            "{text}"
        );
    }

    #[test]
    fn numbers_that_would_not_write_back_the_same_stay_text() {
        let layer = csv("code,phone,share,big,lon,lat\n010000,+7,1.50,2.5,70,45\n").expect("valid");
        let p = layer.point_properties(0).expect("properties");
        assert_eq!(p.get("code"), Some(&Value::from("010000")));
        assert_eq!(p.get("phone"), Some(&Value::from("+7")));
        assert_eq!(p.get("share"), Some(&Value::from("1.50")));
        assert_eq!(p.get("big"), Some(&Value::from(2.5)));
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_happens() {
        let deep = format!(
            "{{\"type\":\"Point\",\"coordinates\":{}{}}}",
            "[".repeat(70),
            "]".repeat(70)
        );
        let error = geojson(&deep).expect_err("too deep");
        assert!(
            matches!(
                error,
                LoadError::TooDeep {
                    line: 1,
                    column: 94,
                    ..
                }
            ),
            "{error}"
        );
        // Brackets in strings are text, not nesting.
        let text = format!(
            r#"{{"type":"Feature","properties":{{"note":"{}"}},"geometry":{{"type":"Point","coordinates":[1,2]}}}}"#,
            "[".repeat(100)
        );
        assert!(geojson(&text).is_ok());
    }

    #[test]
    fn a_file_with_nothing_to_draw_is_an_error_not_an_empty_layer() {
        let error = geojson(r#"{"type":"FeatureCollection","features":[]}"#).expect_err("empty");
        assert!(error.to_string().contains("nothing to draw"), "{error}");
        assert!(csv("lon,lat\n").is_err());
    }

    #[test]
    fn a_utf8_byte_order_mark_is_skipped_and_a_utf16_file_is_named() {
        let text = text_of(
            "t.geojson",
            b"\xef\xbb\xbf{\"type\":\"Point\",\"coordinates\":[1,2]}".to_vec(),
        )
        .expect("UTF-8 with a byte-order mark");
        assert!(geojson(&text).is_ok());
        let error = text_of("t.geojson", b"\xff\xfe{\x00".to_vec()).expect_err("UTF-16");
        assert!(
            error
                .to_string()
                .ends_with("it looks like UTF-16: save it as UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn a_json_syntax_error_is_placed_in_characters_as_an_editor_counts_them() {
        let error = geojson("{\"name\":\"Хоргос\",\n \"x\":NaN}").expect_err("not JSON");
        // Line 2, column 6: the N of NaN; in bytes the first line's Cyrillic would not count.
        assert!(
            error
                .to_string()
                .starts_with("t.geojson:2:6: not valid JSON"),
            "{error}"
        );
        let error = geojson("{\"name\":\"霍尔果斯\",\"x\":NaN}").expect_err("not JSON");
        assert!(error.to_string().starts_with("t.geojson:1:20: "), "{error}");
    }

    #[test]
    fn a_third_coordinate_must_be_a_number() {
        let error =
            geojson(r#"{"type":"Point","coordinates":[70,45,"high"]}"#).expect_err("invalid");
        assert!(
            error
                .to_string()
                .contains("field `coordinates[2]`: an altitude"),
            "{error}"
        );
        assert!(geojson(r#"{"type":"Point","coordinates":[70,45,812.5]}"#).is_ok());
    }

    #[test]
    fn a_device_that_never_ends_is_refused_at_the_size_limit() {
        let error = read_text(Path::new("/dev/zero")).expect_err("endless");
        assert!(
            matches!(error, LoadError::TooLarge { size_bytes, .. } if size_bytes == MAX_FILE_BYTES + 1),
            "{error}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_placed_by_line_and_column() {
        let error = text_of("t.csv", b"lon,lat\n70,4\xff5\n".to_vec()).expect_err("not UTF-8");
        assert!(
            error.to_string().starts_with("t.csv:2:5: not UTF-8"),
            "{error}"
        );
    }
}
