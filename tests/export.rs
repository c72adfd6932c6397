//! Slide export from the command line and the library: sizes, content, determinism, errors, and
//! a snapshot of the overview slide.

use std::path::{Path, PathBuf};
use std::process::Command;

use sinokaz_atlas::data;
use sinokaz_atlas::deck::Deck;
use sinokaz_atlas::export;
use sinokaz_atlas::scene::MapModel;
use sinokaz_atlas::spatial::Projection;

mod common;

fn atlas_cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sinokaz-atlas"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sinokaz-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).expect("png exists");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a png");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

fn default_deck() -> Deck {
    Deck::parse("default", sinokaz_atlas::deck::DEFAULT_DECK).expect("the default deck parses")
}

#[test]
fn exporting_the_default_deck_writes_a_png_and_an_svg_per_slide() {
    let out = temp_dir("deck");
    let result = atlas_cli()
        .args(["export", "--out"])
        .arg(&out)
        .args(["--format", "both", "--size", "800x450"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let deck = default_deck();
    assert!(deck.slides.len() >= 6);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("wrote ")).count(),
        deck.slides.len() * 2,
        "{stdout}"
    );

    let fontdb = {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_fonts_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts"));
        std::sync::Arc::new(db)
    };
    for (i, slide) in deck.slides.iter().enumerate() {
        let stem = out.join(format!("{:02}-{}", i + 1, slide.name));
        let (w, h, pixels) = decode_png(&stem.with_extension("png"));
        assert_eq!((w, h), (800, 450), "{}", slide.name);
        let mut colors: Vec<&[u8]> = pixels.chunks(4).collect();
        colors.sort_unstable();
        colors.dedup();
        assert!(
            colors.len() > 200,
            "{} looks blank: {} colours",
            slide.name,
            colors.len()
        );

        let svg = std::fs::read_to_string(stem.with_extension("svg")).expect("svg exists");
        let options = resvg::usvg::Options {
            fontdb: fontdb.clone(),
            ..Default::default()
        };
        assert!(
            resvg::usvg::Tree::from_str(&svg, &options).is_ok(),
            "{} does not parse",
            slide.name
        );
        assert!(
            svg.contains(&export::slide::escape(&slide.title)),
            "{}: no title",
            slide.name
        );
        assert!(
            svg.contains("<g id=\"legend\">") && svg.contains(">Legend</text>"),
            "{}: no legend",
            slide.name
        );
        assert!(svg.contains(">Sources: "), "{}: no sources", slide.name);
        assert!(
            svg.contains("Natural Earth") && svg.contains("GeoNames"),
            "{}: no basemap credit",
            slide.name
        );
        assert!(
            svg.contains("<g id=\"land\">") && svg.contains("<g id=\"markers\">"),
            "{}: layers are not grouped",
            slide.name
        );
    }
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn the_legend_lists_only_what_the_slide_shows() {
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    let deck = default_deck();
    let transport = deck.slide("transport").expect("slide");
    let svg = export::render_slide(&atlas, &model, transport, [1280, 720], 1.0).svg;
    let legend = &svg[svg.find("<g id=\"legend\">").expect("legend")..];
    assert!(legend.contains(">Railway corridor<") && legend.contains(">Highway<"));
    assert!(
        !legend.contains(">Oil pipeline<") && !legend.contains(">Energy<"),
        "hidden layers must not be in the legend"
    );
}

#[test]
fn a_user_layer_on_a_slide_is_drawn_in_its_colour_and_named_in_the_legend() {
    let mut atlas = data::bundled::load().expect("data");
    let layer = data::parse_user_layer(
        "depots.csv",
        "name,lon,lat\nNorth,71.45,51.17\nSouth,76.92,43.25\n",
        data::LayerFormat::Csv,
    )
    .expect("valid");
    atlas.user_layers.push(data::UserLayer {
        name: "Depots".to_owned(),
        path: "/data/depots.csv".to_owned(),
        ..layer
    });
    let model = MapModel::build(&atlas, Projection::default());
    let mut slide = default_deck().slide("overview").expect("slide").clone();
    slide.layers.user_layers.insert(
        "/data/depots.csv".to_owned(),
        sinokaz_atlas::scene::layers::UserLayerStyle {
            color: [0x12, 0x34, 0x56],
            hidden: false,
        },
    );
    let svg = export::render_slide(&atlas, &model, &slide, [1280, 720], 1.0).svg;
    let legend = &svg[svg.find("<g id=\"legend\">").expect("legend")..];
    assert!(
        legend.contains(">Depots<"),
        "the layer is named in the legend"
    );
    let map = &svg[..svg.find("<g id=\"legend\">").expect("legend")];
    assert!(map.contains("#123456"), "its marks are in its colour");

    slide
        .layers
        .user_layers
        .get_mut("/data/depots.csv")
        .expect("style")
        .hidden = true;
    let svg = export::render_slide(&atlas, &model, &slide, [1280, 720], 1.0).svg;
    assert!(
        !svg.contains(">Depots<") && !svg.contains("#123456"),
        "a layer switched off is neither drawn nor listed"
    );
}

#[test]
fn the_same_slide_exported_twice_is_byte_identical() {
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    let deck = default_deck();
    for slide in &deck.slides {
        let first = export::render_slide(&atlas, &model, slide, [1920, 1080], 1.0).svg;
        let second = export::render_slide(&atlas, &model, slide, [1920, 1080], 1.0).svg;
        assert!(first == second, "{} differs between runs", slide.name);
    }
}

#[test]
fn at_scale_two_everything_is_twice_as_large() {
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    let deck = default_deck();
    let overview = deck.slide("overview").expect("slide");
    let small = export::render_slide(&atlas, &model, overview, [1920, 1080], 1.0).svg;
    let large = export::render_slide(&atlas, &model, overview, [3840, 2160], 2.0).svg;
    // The same layout, drawn into twice the pixels.
    let body = |svg: &str| {
        svg.split_once('\n')
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or_default()
    };
    assert_eq!(body(&small), body(&large));
    assert!(large.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"3840\" height=\"2160\" viewBox=\"0 0 1920.0 1080.0\""));
}

#[test]
fn bad_arguments_give_a_message_and_a_non_zero_exit() {
    let out = temp_dir("bad");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--slide".into(), "no-such-slide".into()],
            "no slide named",
        ),
        (vec!["--size".into(), "1920by1080".into()], "bad size"),
        (vec!["--size".into(), "0x100".into()], "bad size"),
        (vec!["--scale".into(), "0".into()], "bad scale"),
        (
            vec!["--deck".into(), "/nonexistent/deck.json".into()],
            "cannot read the deck",
        ),
        (vec!["--format".into(), "gif".into()], "invalid value"),
    ];
    for (args, expected) in cases {
        let result = atlas_cli()
            .args(["export", "--out"])
            .arg(&out)
            .args(&args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // An output "directory" that is a file cannot be written to.
    let file = std::env::temp_dir().join(format!("sinokaz-export-file-{}", std::process::id()));
    std::fs::write(&file, "x").expect("write");
    let result = atlas_cli()
        .args([
            "export", "--slide", "overview", "--size", "320x180", "--out",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("cannot write"));
    std::fs::remove_file(&file).ok();
}

#[test]
fn a_malformed_deck_names_the_line_and_field() {
    let text = "{\n  \"title\": \"t\",\n  \"slides\": [ { \"name\": \"a\", \"title\": \"A\", \"view\": { \"lon_lat_bounds\": [1, 2, 3] } } ]\n}";
    let message = Deck::parse("deck.json", text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.starts_with("deck.json:3:") && message.contains("slides[0].view"),
        "{message}"
    );
    let backwards = text.replace("[1, 2, 3]", "[80, 50, 60, 40]");
    let message = Deck::parse("deck.json", &backwards)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("slides[0].view"), "{message}");
}

/// Compares the overview slide with the stored picture; `UPDATE_SNAPSHOTS=1` rewrites it.
#[test]
fn the_overview_slide_matches_its_snapshot() {
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    let deck = default_deck();
    let overview = deck.slide("overview").expect("slide");
    let size = [1280, 720];
    let png = export::svg_to_png(
        &export::render_slide(&atlas, &model, overview, size, 1.0).svg,
        size,
    )
    .expect("renders");
    let stored = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/overview_slide.png");
    let new = stored.with_extension("new.png");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&stored, &png).expect("write snapshot");
        return;
    }
    std::fs::write(&new, &png).expect("write");
    let (w1, h1, expected) = decode_png(&stored);
    let (w2, h2, actual) = decode_png(&new);
    assert_eq!((w1, h1), (w2, h2));
    let differing = expected
        .chunks(4)
        .zip(actual.chunks(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    let allowed = (w1 * h1) as usize / 1000;
    assert!(
        differing <= allowed,
        "{differing} pixels differ (allowed {allowed}); see {}",
        new.display()
    );
    std::fs::remove_file(&new).ok();
}

#[test]
fn a_deck_survives_a_save_and_reopen() {
    let deck = default_deck();
    let path = std::env::temp_dir().join(format!("sinokaz-deck-{}.json", std::process::id()));
    sinokaz_atlas::fs::write_atomic(&path, deck.to_json().as_bytes()).expect("saved");
    let reopened = Deck::load(&path).expect("reopens");
    assert_eq!(reopened, deck);
    std::fs::remove_file(&path).ok();
}

/// The levels of detail may move an outline by at most about a pixel: every pixel of the
/// simplified slide must match the full-detail slide somewhere within one pixel of it.
#[test]
fn simplified_geometry_stays_within_a_pixel_of_full_detail() {
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    let deck = default_deck();
    let size = [1280, 720];
    for name in ["overview", "border"] {
        let slide = deck.slide(name).expect("slide");
        let render = |full| {
            let svg =
                export::slide::render_slide_at_detail(&atlas, &model, slide, size, 1.0, full).svg;
            let png = export::svg_to_png(&svg, size).expect("renders");
            let path = std::env::temp_dir().join(format!(
                "sinokaz-detail-{name}-{full}-{}.png",
                std::process::id()
            ));
            std::fs::write(&path, png).expect("write");
            let pixels = decode_png(&path).2;
            std::fs::remove_file(&path).ok();
            pixels
        };
        let (simplified, full) = (render(false), render(true));
        assert_ne!(
            simplified, full,
            "{name}: the levels of detail changed nothing, so this test tests nothing"
        );
        let (w, h) = (size[0] as usize, size[1] as usize);
        let far = common::pixels_moved_beyond_a_pixel(&simplified, &full, w);
        assert!(
            far <= w * h / 2000,
            "{name}: {far} pixels differ by more than a pixel's shift"
        );
    }
}
