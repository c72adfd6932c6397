//! The command line: `check` validates files with the app's loader and never panics.

use std::process::Command;

fn atlas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sinokaz-atlas"))
}

#[test]
fn check_accepts_the_bundled_dataset_as_a_dataset_and_as_a_layer() {
    let out = atlas()
        .args(["check", "--dataset", "assets/data/projects.geojson"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok,") && stdout.contains("items"),
        "{stdout}"
    );
    let out = atlas()
        .args(["check", "assets/data/projects.geojson"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok,") && stdout.contains("points") && stdout.contains("lines"),
        "{stdout}"
    );
}

#[test]
fn check_names_the_file_line_and_field_of_bad_input() {
    let dir = std::env::temp_dir().join(format!("sinokaz-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let truncated = dir.join("truncated.geojson");
    std::fs::write(
        &truncated,
        "{\"type\": \"FeatureCollection\",\n \"features\": [",
    )
    .expect("write");
    let bad_latitude = dir.join("bad-latitude.geojson");
    std::fs::write(
        &bad_latitude,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[70,95]},"properties":{"id":"x"}}]}"#,
    )
    .expect("write");
    let out = atlas()
        .arg("check")
        .arg(&truncated)
        .arg(&bad_latitude)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("truncated.geojson:2:"),
        "line of the syntax error: {stdout}"
    );
    assert!(
        stdout.contains("bad-latitude.geojson") && stdout.contains("feature 0"),
        "{stdout}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_without_files_is_an_error_not_a_panic() {
    let out = atlas().arg("check").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
