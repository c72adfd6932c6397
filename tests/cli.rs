//! The command line: `check` validates files with the app's loader and never panics.

use std::process::Command;

fn atlas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sinokaz-atlas"))
}

/// Runs `check` with `args` from the project folder: whether it succeeded, and what it printed.
fn check_in_project(args: &[&str]) -> (bool, String) {
    let out = atlas()
        .arg("check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_accepts_the_bundled_dataset_as_a_dataset_and_as_a_layer() {
    let (success, stdout) = check_in_project(&["--dataset", "assets/data/projects.geojson"]);
    assert!(success, "{stdout}");
    assert!(
        stdout.contains("ok,") && stdout.contains("items"),
        "{stdout}"
    );
    let (success, stdout) = check_in_project(&["assets/data/projects.geojson"]);
    assert!(success, "{stdout}");
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

#[test]
fn check_stops_quietly_when_its_reader_closes_the_pipe() {
    use std::io::BufRead as _;
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    // Enough output that the pipe is closed while check still writes.
    let files: Vec<_> = files.iter().cycle().take(2000).collect();
    let mut child = atlas()
        .arg("check")
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    assert!(!first.is_empty());
    // The reader goes away, as `head -1` does.
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the files checked so far were invalid"
    );
}

#[test]
fn check_dataset_applies_the_source_rules_and_names_the_item_and_field() {
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/data/projects.geojson"),
    )
    .expect("reads the bundled dataset");
    let mut doc: serde_json::Value = serde_json::from_str(&bundled).expect("parses");
    let first = &mut doc["features"][0]["properties"];
    let id = first["id"].as_str().expect("an id").to_owned();
    first["sources"][0]["url"] = "https://perceptiode.com/Almaty".into();
    let dir = std::env::temp_dir().join(format!("sinokaz-cli-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("mirrored.geojson");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = atlas()
        .arg("check")
        .arg("--dataset")
        .arg(&file)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&id)
            && stdout.contains("sources[0].url")
            && stdout.contains("perceptiode.com"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The density a PNG file declares (pHYs), in pixels per metre, if any.
fn png_density(path: &std::path::Path) -> Option<(u32, u32, png::Unit)> {
    let file = std::fs::File::open(path).expect("the PNG exists");
    let reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    reader.info().pixel_dims.map(|d| (d.xppu, d.yppu, d.unit))
}

/// Slides exported as PNG know their DPI: 96 at 1×, 192 at 2× (a 1920×1080 layout drawn at
/// 3840×2160), so that a 2× slide placed in a document takes the 1× slide's size.
#[test]
fn png_slides_carry_their_dpi() {
    let out = std::env::temp_dir().join(format!("sinokaz-cli-dpi-{}", std::process::id()));
    for (scale, size, dpi) in [("1", "960x540", 96.0), ("2", "1920x1080", 192.0)] {
        let dir = out.join(scale);
        let status = atlas()
            .args([
                "export", "--slide", "overview", "--format", "png", "--size", size,
            ])
            .args(["--scale", scale, "--out"])
            .arg(&dir)
            .status()
            .expect("runs");
        assert!(status.success());
        let (x, y, unit) = png_density(&dir.join("01-overview.png")).expect("a pHYs chunk");
        assert_eq!(unit, png::Unit::Meter);
        assert_eq!(x, y, "square pixels");
        let declared = f64::from(x) * 0.0254;
        assert!(
            (declared - dpi).abs() < 0.05,
            "scale {scale}: {declared:.2} dpi, not {dpi}"
        );
    }
    std::fs::remove_dir_all(&out).ok();
}
