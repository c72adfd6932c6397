//! The corpus of malformed files in `tests/malformed/`: each is refused with the message its line
//! in `EXPECTED.txt` gives, naming the file, the place in it and the field, both by the loader
//! and by `sinokaz-atlas check`, which never panics on any of them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use sinokaz_atlas::data::{LoadError, MAX_FILE_BYTES, load_items, load_user_layer};

/// The corpus is meant to hold several files of every kind of problem: never fewer than this.
const MIN_CORPUS_FILES: usize = 25;
const MANIFEST: &str = "EXPECTED.txt";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

/// One line of the manifest: a file of the corpus and the message it must be refused with.
struct Case {
    file: String,
    expected: String,
}

/// Reads `EXPECTED.txt`: `FILE<TAB>MESSAGE` a line, `\n` in MESSAGE standing for a line break
/// (an invalid file's problems are listed one a line); blank lines and `#` comments are skipped.
fn manifest() -> Vec<Case> {
    let path = corpus_dir().join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((file, expected)) = line.split_once('\t') else {
            panic!("{MANIFEST}:{}: expected FILE<TAB>MESSAGE", index + 1);
        };
        let expected = expected.replace("\\n", "\n");
        // The message is matched as a substring, so one that did not start with the file's
        // name could pass without the file being named at all.
        assert!(
            expected.starts_with(&format!("{file}:")),
            "{MANIFEST}:{}: the message must start with the file name: {expected}",
            index + 1
        );
        cases.push(Case {
            file: file.to_owned(),
            expected,
        });
    }
    cases
}

#[test]
fn every_file_in_the_corpus_is_refused_with_its_expected_message() {
    let mut wrong = Vec::new();
    for case in manifest() {
        match load_user_layer(&corpus_dir().join(&case.file)) {
            Ok(layer) => wrong.push(format!(
                "{}: loaded as {}, expected:\n{}",
                case.file,
                layer.summary(),
                case.expected
            )),
            Err(error) if !error.to_string().contains(&case.expected) => wrong.push(format!(
                "{}: refused with:\n{error}\nexpected:\n{}",
                case.file, case.expected
            )),
            Err(_) => {}
        }
    }
    // All at once, so one run shows every message that changed.
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_file_in_the_corpus_has_an_expected_message_and_there_are_enough() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .expect("the corpus directory")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != MANIFEST)
        .collect();
    let cases = manifest();
    let listed: BTreeSet<String> = cases.iter().map(|c| c.file.clone()).collect();
    assert_eq!(
        listed.len(),
        cases.len(),
        "a file is listed twice in {MANIFEST}"
    );
    let untested: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        untested.is_empty(),
        "files without a line in {MANIFEST}: {untested:?}"
    );
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "files in {MANIFEST} that are not in the corpus: {missing:?}"
    );
    assert!(
        on_disk.len() >= MIN_CORPUS_FILES,
        "the corpus has {} files, it must hold at least {MIN_CORPUS_FILES}",
        on_disk.len()
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    // A sparse file: the size is the point, and 64 MiB of it must not live in the repository.
    // Its zero bytes are valid UTF-8, so read, it would fail as JSON, not as too large.
    let dir = std::env::temp_dir().join(format!("sinokaz-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let size_bytes = MAX_FILE_BYTES + 1;
    for name in ["too-large.geojson", "too-large.csv"] {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(size_bytes))
            .expect("a sparse file");
        let error = load_user_layer(&path).expect_err("over the limit");
        assert!(
            matches!(error, LoadError::TooLarge { size_bytes: s, limit_bytes: MAX_FILE_BYTES, .. } if s == size_bytes),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{}: the file is {size_bytes} bytes, over the limit of {MAX_FILE_BYTES} bytes",
                path.display()
            )
        );
        // The dataset loader reads through the same gate.
        let error = load_items(&path).expect_err("over the limit");
        assert!(matches!(error, LoadError::TooLarge { .. }), "{error}");
    }
    std::fs::remove_dir_all(&dir).expect("temp dir removed");
}

#[test]
fn check_prints_every_expected_message_for_the_whole_corpus_and_never_panics() {
    let cases = manifest();
    let out = Command::new(env!("CARGO_BIN_EXE_sinokaz-atlas"))
        .arg("check")
        .args(cases.iter().map(|c| format!("tests/malformed/{}", c.file)))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let missing: Vec<_> = cases
        .iter()
        .filter(|c| !stdout.contains(&c.expected))
        .map(|c| c.expected.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "not printed:\n{}\n\nstdout:\n{stdout}",
        missing.join("\n")
    );
}
