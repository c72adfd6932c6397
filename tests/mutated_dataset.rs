//! The loaders against damaged data: copies of the bundled dataset, damaged byte by byte or node
//! by node, go to both the dataset loader and the layer loader. None may panic, every failure
//! must be an error value that names the file (and, when it lists problems, the field of each),
//! and whatever is accepted must hold only coordinates a map can draw.
//!
//! Each case is a short list of mutations rather than the damaged text itself, so a failure
//! shrinks to, and prints, the few mutations that cause it.

use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use sinokaz_atlas::data::{
    Item, ItemGeometry, LayerFormat, LoadError, UserLayer, bundled, load_items, load_user_layer,
    parse_items, parse_user_layer,
};

/// Mutated datasets fed to the loaders by each of the two tests below: 10,000 of each kind of
/// damage.
const CASES: u32 = 10_000;

fn config() -> Config {
    Config {
        cases: CASES,
        // Regression files would be written into the source tree; a failure prints its minimal
        // input instead, to be turned into a unit test beside the loader.
        failure_persistence: None,
        // Every shrinking step runs both loaders again: bound it so a failure is reported in
        // seconds rather than after minutes of shrinking.
        max_shrink_time: 20_000,
        // The same cases on every run, so that the counts of outcomes the tests require can't
        // pass on one run and fail on the next; other cases are had by changing this number.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5EED_A71A5),
        ..Config::default()
    }
}

/// How the cases ended, per loader, so the tests can show the damage reached every outcome
/// rather than passing because every case failed (or passed) at the first gate.
#[derive(Debug, Default)]
struct Outcomes {
    accepted: usize,
    not_utf8: usize,
    too_deep: usize,
    syntax: usize,
    invalid: usize,
}

#[derive(Debug, Default)]
struct Tally {
    dataset: Outcomes,
    layer: Outcomes,
}

fn drawable(lon_lat: [f64; 2]) -> bool {
    let [lon, lat] = lon_lat;
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// Checks one loader's result and counts it: an error names `file` first and, if it lists
/// problems, a field for each; accepted data holds only drawable coordinates.
fn record<T>(
    outcomes: &mut Outcomes,
    file: &str,
    result: Result<T, LoadError>,
    coordinates: impl Fn(&T) -> Vec<[f64; 2]>,
) -> Result<(), TestCaseError> {
    let error = match result {
        Ok(data) => {
            let bad: Vec<_> = coordinates(&data)
                .into_iter()
                .filter(|c| !drawable(*c))
                .collect();
            prop_assert!(bad.is_empty(), "accepted undrawable coordinates {bad:?}");
            outcomes.accepted += 1;
            return Ok(());
        }
        Err(error) => error,
    };
    let message = error.to_string();
    prop_assert!(
        message.starts_with(&format!("{file}:")),
        "the error does not start with the file name: {message}"
    );
    match &error {
        LoadError::NotUtf8 { .. } => outcomes.not_utf8 += 1,
        LoadError::TooDeep { .. } => outcomes.too_deep += 1,
        LoadError::Syntax { .. } => outcomes.syntax += 1,
        LoadError::Invalid { problems, .. } => {
            prop_assert!(!problems.is_empty(), "no problem listed: {message}");
            prop_assert!(
                problems.iter().all(|p| !p.field.is_empty()),
                "a problem names no field: {message}"
            );
            outcomes.invalid += 1;
        }
        // Damaged content can't be too large, unreadable or of another format: any of these
        // would mean the loader misreports what is wrong.
        LoadError::Io { .. } | LoadError::TooLarge { .. } | LoadError::UnsupportedFormat { .. } => {
            prop_assert!(false, "an error that does not fit the damage: {message}");
        }
    }
    Ok(())
}

fn item_coordinates(items: &[Item]) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for item in items {
        match &item.geometry {
            Some(ItemGeometry::Point(p)) => out.push([p.x(), p.y()]),
            Some(ItemGeometry::Lines(lines)) => {
                out.extend(lines.0.iter().flat_map(|l| l.coords().map(|c| [c.x, c.y])));
            }
            None => {}
        }
        out.extend(item.properties.stations.iter().map(|s| s.lon_lat));
    }
    out
}

fn layer_coordinates(layer: &UserLayer) -> Vec<[f64; 2]> {
    layer
        .points
        .iter()
        .chain(layer.lines.iter().flatten())
        .copied()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What is damaged: the bundled dataset, in most cases cut to a few of its features.
//
// Tests build this crate without optimisation, and then the two loaders take about 16 ms for
// the whole 170 kB dataset: 20,000 whole copies would take minutes. The loaders check feature
// by feature, so a few features meet every check that all of them do; one case in a hundred
// still takes the whole dataset, for what only its size or its far-apart features reach.

/// Which features of the bundled dataset a case starts from.
#[derive(Clone, Debug)]
enum Window {
    Features { first: Index, count: usize },
    Whole,
}

fn window() -> impl Strategy<Value = Window> {
    prop_oneof![
        99 => (any::<Index>(), 1..=3_usize)
            .prop_map(|(first, count)| Window::Features { first, count }),
        1 => Just(Window::Whole),
    ]
}

/// The bundled dataset as JSON, and where each of its features lies in its text.
struct Dataset {
    /// The byte range of each member of the `features` array.
    feature_bytes: Vec<Range<usize>>,
    /// The document without its features, and the features.
    head: Value,
    features: Vec<Value>,
}

impl Dataset {
    fn bundled() -> Self {
        let mut head: Value = serde_json::from_str(bundled::ITEMS).expect("the bundled dataset");
        let features = match head.get_mut("features").map(Value::take) {
            Some(Value::Array(features)) => features,
            other => panic!("the bundled dataset has no features array: {other:?}"),
        };
        // A window needs a feature to start from.
        assert!(!features.is_empty(), "the bundled dataset has no features");
        let feature_bytes = feature_bytes(bundled::ITEMS);
        assert_eq!(
            feature_bytes.len(),
            features.len(),
            "the features found in the text"
        );
        Self {
            feature_bytes,
            head,
            features,
        }
    }

    fn features(&self, window: &Window) -> Range<usize> {
        let all = self.features.len();
        match window {
            Window::Features { first, count } => {
                let first = first.index(all);
                first..(first + count).min(all)
            }
            Window::Whole => 0..all,
        }
    }

    /// The file's own bytes, less the features outside the window.
    fn text(&self, window: &Window) -> String {
        let text = bundled::ITEMS;
        let (Some(first), Some(last)) = (self.feature_bytes.first(), self.feature_bytes.last())
        else {
            return text.to_owned();
        };
        let kept = self.features(window);
        let kept = self.feature_bytes[kept.start].start..self.feature_bytes[kept.end - 1].end;
        [&text[..first.start], &text[kept], &text[last.end..]].concat()
    }

    fn json(&self, window: &Window) -> Value {
        let mut root = self.head.clone();
        root["features"] = Value::Array(self.features[self.features(window)].to_vec());
        root
    }
}

/// The byte ranges of the members of the top-level `features` array, found by following
/// strings and brackets.
fn feature_bytes(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0;
    let mut last_key = 0..0;
    let mut in_features = false;
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    if depth == 1 {
                        last_key = string_start..i;
                    }
                }
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth == 2 && byte == b'[' && &text[last_key.clone()] == "features" {
                    in_features = true;
                }
                if depth == 3 && in_features {
                    start = i;
                }
            }
            b']' | b'}' => {
                if depth == 3 && in_features {
                    ranges.push(start..i + 1);
                }
                if depth == 2 {
                    in_features = false;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    ranges
}

#[test]
fn a_window_of_the_dataset_is_its_own_text_less_the_other_features() {
    // Were the cut wrong, every case below would fail as a syntax error and test nothing else.
    let dataset = Dataset::bundled();
    assert_eq!(dataset.text(&Window::Whole), bundled::ITEMS);
    let result = TestRunner::new(Config {
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5EED_A71A5),
        ..Config::default()
    })
    .run(&window(), |window| {
        let parsed: Value = serde_json::from_str(&dataset.text(&window))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed, dataset.json(&window));
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// Feeds UTF-8 text to both parsers.
fn load_text(tally: &mut Tally, text: &str) -> Result<(), TestCaseError> {
    let file = bundled::ITEMS_FILE;
    record(&mut tally.dataset, file, parse_items(file, text), |items| {
        item_coordinates(items)
    })?;
    record(
        &mut tally.layer,
        file,
        parse_user_layer(file, text, LayerFormat::GeoJson),
        layer_coordinates,
    )
}

/// Feeds bytes through the files' own way in (`read_text`), which is where bytes that are not
/// UTF-8 are caught; UTF-8 goes straight to the parsers, which is much faster.
fn load_bytes(tally: &mut Tally, bytes: Vec<u8>, path: &Path) -> Result<(), TestCaseError> {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return load_text(tally, &text),
        Err(e) => e.into_bytes(),
    };
    std::fs::write(path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let file = path.display().to_string();
    record(&mut tally.dataset, &file, load_items(path), |items| {
        item_coordinates(items)
    })?;
    record(
        &mut tally.layer,
        &file,
        load_user_layer(path),
        layer_coordinates,
    )
}

// ---------------------------------------------------------------------------------------------
// Damage byte by byte: what a failing disk, a cut download or a bad copy and paste does.

#[derive(Clone, Debug)]
enum ByteMutation {
    /// XOR one byte with a mask: a flipped bit, or in UTF-8 text often a broken character.
    Flip {
        at: Index,
        mask: u8,
    },
    Insert {
        at: Index,
        bytes: Vec<u8>,
    },
    /// Brackets opened in a row, enough of them to pass the nesting limit or not.
    OpenBrackets {
        at: Index,
        count: usize,
    },
    Delete {
        at: Index,
        len: usize,
    },
    Duplicate {
        at: Index,
        len: usize,
    },
    Truncate {
        at: Index,
    },
    /// A range copied over another place.
    Splice {
        from: Index,
        len: usize,
        to: Index,
    },
}

/// Bytes that mean something to JSON, so insertions make near misses, not only noise.
const JSON_BYTES: &[u8] = b"{}[]\",:.-+eE0123456789 \n\\tfnul";

fn range_len() -> impl Strategy<Value = usize> {
    // Mostly short, sometimes long enough to take out whole features.
    prop_oneof![4 => 1..16_usize, 1 => 16..8192_usize]
}

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    let byte = prop_oneof![select(JSON_BYTES), any::<u8>()];
    prop_oneof![
        (any::<Index>(), 1..=255_u8).prop_map(|(at, mask)| ByteMutation::Flip { at, mask }),
        (any::<Index>(), prop::collection::vec(byte, 1..8))
            .prop_map(|(at, bytes)| ByteMutation::Insert { at, bytes }),
        (any::<Index>(), 1..200_usize)
            .prop_map(|(at, count)| ByteMutation::OpenBrackets { at, count }),
        (any::<Index>(), range_len()).prop_map(|(at, len)| ByteMutation::Delete { at, len }),
        (any::<Index>(), range_len()).prop_map(|(at, len)| ByteMutation::Duplicate { at, len }),
        any::<Index>().prop_map(|at| ByteMutation::Truncate { at }),
        (any::<Index>(), range_len(), any::<Index>())
            .prop_map(|(from, len, to)| ByteMutation::Splice { from, len, to }),
    ]
}

fn apply_bytes(bytes: &mut Vec<u8>, mutation: &ByteMutation) {
    // Every mutation needs a place to act; an emptied text has none left.
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    let range = |at: &Index, n: usize| {
        let start = at.index(len);
        start..(start + n).min(len)
    };
    match mutation {
        ByteMutation::Flip { at, mask } => bytes[at.index(len)] ^= mask,
        ByteMutation::Insert { at, bytes: new } => {
            let at = at.index(len + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        ByteMutation::OpenBrackets { at, count } => {
            let at = at.index(len + 1);
            bytes.splice(at..at, std::iter::repeat_n(b'[', *count));
        }
        ByteMutation::Delete { at, len: n } => {
            bytes.drain(range(at, *n));
        }
        ByteMutation::Duplicate { at, len: n } => {
            let range = range(at, *n);
            let copy = bytes[range.clone()].to_vec();
            bytes.splice(range.end..range.end, copy);
        }
        ByteMutation::Truncate { at } => bytes.truncate(at.index(len)),
        ByteMutation::Splice { from, len: n, to } => {
            let copy = bytes[range(from, *n)].to_vec();
            let to = range(to, copy.len());
            bytes.splice(to, copy);
        }
    }
}

#[test]
fn no_byte_damage_to_the_dataset_panics_a_loader_and_every_error_names_the_file() {
    let dir = std::env::temp_dir().join(format!("sinokaz-mutated-bytes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("projects.geojson");
    let dataset = Dataset::bundled();
    let tally = RefCell::new(Tally::default());
    let result = TestRunner::new(config()).run(
        &(window(), prop::collection::vec(byte_mutation(), 1..4)),
        |(window, mutations)| {
            let mut bytes = dataset.text(&window).into_bytes();
            for mutation in &mutations {
                apply_bytes(&mut bytes, mutation);
            }
            load_bytes(&mut tally.borrow_mut(), bytes, &path)
        },
    );
    std::fs::remove_dir_all(&dir).expect("temp dir removed");
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let tally = tally.into_inner();
    eprintln!("byte damage, {CASES} cases: {tally:#?}");
    for (loader, outcomes) in [("dataset", &tally.dataset), ("layer", &tally.layer)] {
        assert!(
            outcomes.accepted > 0
                && outcomes.not_utf8 > 0
                && outcomes.too_deep > 0
                && outcomes.syntax > 0
                && outcomes.invalid > 0,
            "the {loader} loader did not see every outcome: {outcomes:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Damage node by node: well-formed JSON that is wrong, as a hand edit or another tool makes it.

/// What a node is replaced with.
#[derive(Clone, Debug)]
enum Replacement {
    Json(Value),
    /// Text written into the file as it is: numbers a JSON value can't hold, such as
    /// 1e308 * 10 or NaN.
    Raw(&'static str),
    /// A copy of another node of the document: a realistic value in the wrong place.
    CopyOf(Index),
}

const RAW_NUMBERS: &[&str] = &[
    "1e309",
    "-1e309",
    "1.8e308",
    "NaN",
    "Infinity",
    "-Infinity",
    "4.9e-325",
    "-0",
    "0x1F",
    "123456789012345678901234567890",
];

/// Values at and just past the edges of the coordinate ranges.
const EDGE_NUMBERS: &[f64] = &[
    180.0,
    -180.0,
    90.0,
    -90.0,
    180.000_000_1,
    -90.000_000_1,
    181.0,
    -91.0,
    360.0,
    1e308,
    -1e308,
    f64::MIN_POSITIVE,
    -0.0,
];

/// Words the validators look for, and near misses.
const WORDS: &[&str] = &[
    "Feature",
    "FeatureCollection",
    "Point",
    "LineString",
    "MultiLineString",
    "Polygon",
    "GeometryCollection",
    "Circle",
    "site",
    "corridor",
    "near",
    "unmapped",
    "traced",
    "railway",
    "energy",
    "operating",
    "KZ",
    "",
    " ",
    "https://example.org",
    "ftp://example.org",
    "east-kazakhstan-region",
];

/// Fields of a feature where most of the validation happens.
const FEATURE_FIELDS: &[&str] = &[
    "/type",
    "/id",
    "/geometry",
    "/geometry/type",
    "/geometry/coordinates",
    "/properties",
    "/properties/id",
    "/properties/name",
    "/properties/kind",
    "/properties/sector",
    "/properties/status",
    "/properties/country",
    "/properties/corridor_kind",
    "/properties/precision",
    "/properties/precision/class",
    "/properties/precision/radius_km",
    "/properties/sources",
    "/properties/sources/0",
    "/properties/sources/0/url",
    "/properties/figures",
    "/properties/figures/0/value",
    "/properties/figures/0/source",
    "/properties/value/source",
    "/properties/stations/0/lon_lat",
];

fn replacement() -> impl Strategy<Value = Replacement> {
    let json = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        select(EDGE_NUMBERS).prop_map(Value::from),
        select(WORDS).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        (-400.0..400.0_f64, -400.0..400.0_f64).prop_map(|(lon, lat)| json!([lon, lat])),
    ];
    prop_oneof![
        6 => json.prop_map(Replacement::Json),
        1 => select(RAW_NUMBERS).prop_map(Replacement::Raw),
        2 => any::<Index>().prop_map(Replacement::CopyOf),
    ]
}

fn coordinate_value() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        select(EDGE_NUMBERS).prop_map(|n| Replacement::Json(n.into())),
        (-1000.0..1000.0_f64).prop_map(|n| Replacement::Json(n.into())),
        select(RAW_NUMBERS).prop_map(Replacement::Raw),
    ]
}

#[derive(Clone, Debug)]
enum NodeMutation {
    /// Any node of the document replaced.
    Replace {
        node: Index,
        with: Replacement,
    },
    /// A field of one feature replaced, or added where it is missing.
    ReplaceField {
        feature: Index,
        field: &'static str,
        with: Replacement,
    },
    /// Any node of the document removed from its object or array.
    Delete {
        node: Index,
    },
    DeleteField {
        feature: Index,
        field: &'static str,
    },
    /// One number of a feature's coordinates replaced.
    Coordinate {
        feature: Index,
        number: Index,
        with: Replacement,
    },
    /// A feature appended again, as a bad merge does: its id is then not unique.
    DuplicateFeature {
        feature: Index,
    },
    /// A node wrapped in arrays, deeper than the nesting limit or not.
    Nest {
        node: Index,
        levels: usize,
    },
}

fn node_mutation() -> impl Strategy<Value = NodeMutation> {
    prop_oneof![
        (any::<Index>(), replacement())
            .prop_map(|(node, with)| NodeMutation::Replace { node, with }),
        (any::<Index>(), select(FEATURE_FIELDS), replacement()).prop_map(
            |(feature, field, with)| NodeMutation::ReplaceField {
                feature,
                field,
                with
            }
        ),
        any::<Index>().prop_map(|node| NodeMutation::Delete { node }),
        (any::<Index>(), select(FEATURE_FIELDS))
            .prop_map(|(feature, field)| NodeMutation::DeleteField { feature, field }),
        (any::<Index>(), any::<Index>(), coordinate_value()).prop_map(|(feature, number, with)| {
            NodeMutation::Coordinate {
                feature,
                number,
                with,
            }
        }),
        any::<Index>().prop_map(|feature| NodeMutation::DuplicateFeature { feature }),
        (any::<Index>(), 1..80_usize)
            .prop_map(|(node, levels)| NodeMutation::Nest { node, levels }),
    ]
}

/// The JSON pointer of every node under `value`, in document order, `prefix` first.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    out.push(prefix.to_owned());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, &format!("{prefix}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, &format!("{prefix}/{key}"), out);
            }
        }
        _ => {}
    }
}

fn pick_node(root: &Value, node: &Index) -> String {
    let mut all = Vec::new();
    pointers(root, "", &mut all);
    all.swap_remove(node.index(all.len()))
}

fn feature_pointer(root: &Value, feature: &Index) -> Option<String> {
    let count = root.pointer("/features")?.as_array()?.len();
    (count > 0).then(|| format!("/features/{}", feature.index(count)))
}

/// Sets the node at `pointer`, adding it to its parent object where it is missing.
fn set(root: &mut Value, pointer: &str, value: Value) {
    if let Some(node) = root.pointer_mut(pointer) {
        *node = value;
        return;
    }
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(map)) = root.pointer_mut(parent) {
        map.insert(key.replace("~1", "/").replace("~0", "~"), value);
    }
}

fn delete(root: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    match root.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// The value a replacement stands for; raw text is held as a marker string until the document
/// is written out.
fn resolve(root: &Value, with: &Replacement) -> Value {
    match with {
        Replacement::Json(value) => value.clone(),
        Replacement::Raw(text) => raw_marker(text),
        Replacement::CopyOf(node) => root
            .pointer(&pick_node(root, node))
            .cloned()
            .unwrap_or(Value::Null),
    }
}

fn raw_marker(text: &str) -> Value {
    Value::String(format!("\u{0}raw:{text}"))
}

fn apply_node(root: &mut Value, mutation: &NodeMutation) {
    match mutation {
        NodeMutation::Replace { node, with } => {
            let at = pick_node(root, node);
            let value = resolve(root, with);
            set(root, &at, value);
        }
        NodeMutation::ReplaceField {
            feature,
            field,
            with,
        } => {
            if let Some(at) = feature_pointer(root, feature) {
                let value = resolve(root, with);
                set(root, &format!("{at}{field}"), value);
            }
        }
        NodeMutation::Delete { node } => {
            let at = pick_node(root, node);
            delete(root, &at);
        }
        NodeMutation::DeleteField { feature, field } => {
            if let Some(at) = feature_pointer(root, feature) {
                delete(root, &format!("{at}{field}"));
            }
        }
        NodeMutation::Coordinate {
            feature,
            number,
            with,
        } => {
            let Some(at) = feature_pointer(root, feature) else {
                return;
            };
            let at = format!("{at}/geometry/coordinates");
            let Some(coordinates) = root.pointer(&at) else {
                return;
            };
            let mut all = Vec::new();
            pointers(coordinates, &at, &mut all);
            all.retain(|p| root.pointer(p).is_some_and(Value::is_number));
            if !all.is_empty() {
                let target = all.swap_remove(number.index(all.len()));
                let value = resolve(root, with);
                set(root, &target, value);
            }
        }
        NodeMutation::DuplicateFeature { feature } => {
            let Some(at) = feature_pointer(root, feature) else {
                return;
            };
            let copy = root.pointer(&at).cloned().unwrap_or(Value::Null);
            if let Some(Value::Array(features)) = root.pointer_mut("/features") {
                features.push(copy);
            }
        }
        NodeMutation::Nest { node, levels } => {
            let at = pick_node(root, node);
            let Some(value) = root.pointer(&at).cloned() else {
                return;
            };
            let nested = (0..*levels).fold(value, |inner, _| Value::Array(vec![inner]));
            set(root, &at, nested);
        }
    }
}

/// Writes the document, raw texts in place of their markers.
fn write_out(root: &Value, pretty: bool) -> String {
    let mut text = if pretty {
        serde_json::to_string_pretty(root)
    } else {
        serde_json::to_string(root)
    }
    .expect("a JSON value serializes");
    // Most cases hold no raw text: spare them ten searches through the whole text.
    if !text.contains("\\u0000raw:") {
        return text;
    }
    for raw in RAW_NUMBERS {
        let marker = serde_json::to_string(&raw_marker(raw)).expect("a string serializes");
        text = text.replace(&marker, raw);
    }
    text
}

#[test]
fn no_structural_damage_to_the_dataset_panics_a_loader_and_every_error_names_the_file() {
    let dataset = Dataset::bundled();
    let tally = RefCell::new(Tally::default());
    let result = TestRunner::new(config()).run(
        &(
            window(),
            prop::collection::vec(node_mutation(), 1..4),
            any::<bool>(),
        ),
        |(window, mutations, pretty)| {
            let mut root = dataset.json(&window);
            for mutation in &mutations {
                apply_node(&mut root, mutation);
            }
            load_text(&mut tally.borrow_mut(), &write_out(&root, pretty))
        },
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let tally = tally.into_inner();
    eprintln!("structural damage, {CASES} cases: {tally:#?}");
    for (loader, outcomes) in [("dataset", &tally.dataset), ("layer", &tally.layer)] {
        // Well-formed JSON must mostly get past the parser to the validators: that is what
        // this test is for.
        assert!(
            outcomes.accepted > 0
                && outcomes.invalid > 0
                && outcomes.syntax > 0
                && outcomes.too_deep > 0,
            "the {loader} loader did not see every outcome: {outcomes:?}"
        );
        assert!(
            outcomes.invalid + outcomes.accepted > outcomes.syntax + outcomes.too_deep,
            "most structural damage should reach the validators: {outcomes:?}"
        );
    }
}
