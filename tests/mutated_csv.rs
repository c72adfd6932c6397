//! The CSV reader against damaged files: the bundled dataset's mapped items, written as the
//! atlas exports them (CRLF line ends, quoted fields), then damaged byte by byte where CSV is
//! fragile (quotes, separators, line ends). None may panic; every failure must be an error
//! value that names the file and places each problem on a line of the text; whatever is
//! accepted must hold only coordinates a map can draw.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use sinokaz_atlas::data::{LayerFormat, LoadError, bundled, parse_user_layer, query::Filter};
use sinokaz_atlas::export::items::items_to_csv;

/// Damaged files read per run; each takes about 2 ms in the unoptimised test build.
const CASES: u32 = 5_000;
const FILE: &str = "items.csv";

/// The export of every item with a place: a CSV file the layer reader takes whole.
fn exported_items() -> String {
    let atlas = bundled::load().expect("the bundled data loads");
    let mapped: Vec<_> = atlas
        .items
        .iter()
        .filter(|i| i.geometry.is_some())
        .collect();
    items_to_csv(&mapped, &Filter::default())
}

#[derive(Clone, Debug)]
enum Damage {
    Insert(usize, &'static str),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    let pieces = prop::sample::select(vec![
        "\"", "\"\"", ",", ";", "\t", "\n", "\r", "\r\n", "NaN", "inf", "-1e999", "999", "", "é",
        "\u{feff}", "x",
    ]);
    prop_oneof![
        (any::<usize>(), pieces).prop_map(|(at, piece)| Damage::Insert(at, piece)),
        (any::<usize>(), 1..40_usize).prop_map(|(at, n)| Damage::Delete(at, n)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1..200_usize).prop_map(|(at, n)| Damage::Duplicate(at, n)),
    ]
}

/// The nearest character boundary at or before `at`, wrapped into the text.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, damage: &Damage) {
    match *damage {
        Damage::Insert(at, piece) => {
            let at = boundary(text, at);
            text.insert_str(at, piece);
        }
        Damage::Delete(at, n) => {
            let start = boundary(text, at);
            let end = boundary(text, start.saturating_add(n).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Damage::Truncate(at) => {
            let at = boundary(text, at);
            text.truncate(at);
        }
        Damage::Duplicate(at, n) => {
            let start = boundary(text, at);
            let end = boundary(text, start.saturating_add(n).min(text.len())).max(start);
            let copy = text[start..end].to_owned();
            text.insert_str(end, &copy);
        }
    }
}

#[test]
fn damaged_csv_files_give_errors_that_place_each_problem_and_never_a_panic() {
    let original = exported_items();
    assert!(
        parse_user_layer(FILE, &original, LayerFormat::Csv).is_ok(),
        "the undamaged export reads"
    );
    let (accepted, invalid, syntax) = (Cell::new(0_u32), Cell::new(0_u32), Cell::new(0_u32));
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0xC5F_A71A5),
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(damage(), 1..5), |damages| {
        let mut text = original.clone();
        for damage in &damages {
            apply(&mut text, damage);
        }
        let lines = text.split(['\n', '\r']).count() + 1;
        match parse_user_layer(FILE, &text, LayerFormat::Csv) {
            Ok(layer) => {
                accepted.set(accepted.get() + 1);
                for &[lon, lat] in &layer.points {
                    prop_assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
                }
            }
            Err(error) => {
                prop_assert!(error.to_string().starts_with(FILE), "{error}");
                match &error {
                    LoadError::Invalid { problems, .. } => {
                        invalid.set(invalid.get() + 1);
                        prop_assert!(!problems.is_empty());
                        for problem in problems {
                            if let Some([line, column]) = problem.line_column {
                                prop_assert!(line >= 1 && line <= lines, "{error}");
                                prop_assert!(column >= 1, "{error}");
                            }
                            prop_assert!(!problem.field.is_empty(), "{error}");
                        }
                    }
                    LoadError::Syntax { line, .. } => {
                        syntax.set(syntax.get() + 1);
                        prop_assert!(*line >= 1 && *line <= lines, "{error}");
                    }
                    other => {
                        return Err(TestCaseError::fail(format!(
                            "text cannot give this error: {other}"
                        )));
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The damage must reach every outcome, or the test proves less than it says.
    let (accepted, invalid, syntax) = (accepted.get(), invalid.get(), syntax.get());
    eprintln!(
        "{CASES} damaged files: {accepted} accepted, {invalid} invalid, {syntax} with an unclosed quote"
    );
    assert!(
        accepted > 0 && invalid > 0 && syntax > 0,
        "accepted {accepted}, invalid {invalid}, unclosed quotes {syntax}"
    );
}
