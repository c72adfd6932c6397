//! Export speed: the overview slide at 3840×2160 PNG, whole process (load the bundled data,
//! build the map model, lay out, rasterise, encode) in this process and as the command-line
//! program, and each stage on its own.
//!
//! Run: `cargo bench --bench export`.

use criterion::{Criterion, criterion_group, criterion_main};
use sinokaz_atlas::data;
use sinokaz_atlas::deck::Deck;
use sinokaz_atlas::export;
use sinokaz_atlas::scene::MapModel;
use sinokaz_atlas::spatial::Projection;

const SIZE_4K: [u32; 2] = [3840, 2160];

fn overview(deck: &Deck) -> &sinokaz_atlas::deck::Slide {
    deck.slide("overview")
        .expect("the default deck has an overview slide")
}

fn benches(c: &mut Criterion) {
    let deck = Deck::parse("default", sinokaz_atlas::deck::DEFAULT_DECK).expect("default deck");
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.bench_function("export_4k", |b| {
        b.iter(|| {
            let atlas = data::bundled::load().expect("data");
            let model = MapModel::build(&atlas, Projection::default());
            let svg = export::render_slide(&atlas, &model, overview(&deck), SIZE_4K, 2.0).svg;
            export::svg_to_png(&svg, SIZE_4K).expect("png")
        });
    });
    // The naive baseline: the same slide with every area at full 1:10m detail.
    group.bench_function("export_4k_naive_full_detail", |b| {
        b.iter(|| {
            let atlas = data::bundled::load().expect("data");
            let model = MapModel::build(&atlas, Projection::default());
            let svg = export::slide::render_slide_at_detail(
                &atlas,
                &model,
                overview(&deck),
                SIZE_4K,
                2.0,
                true,
            )
            .svg;
            export::svg_to_png(&svg, SIZE_4K).expect("png")
        });
    });
    // The command a user runs, as a new process each time: start-up, a cold heap and the
    // atomic write of the file included.
    let out_dir = std::env::temp_dir().join(format!("sinokaz-bench-{}", std::process::id()));
    group.bench_function("export_4k_process", |b| {
        b.iter(|| {
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_sinokaz-atlas"))
                .args(["export", "--slide", "overview", "--size", "3840x2160"])
                .args(["--scale", "2", "--format", "png", "--out"])
                .arg(&out_dir)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("the atlas runs");
            assert!(status.success(), "export failed: {status}");
        });
    });
    std::fs::remove_dir_all(&out_dir).ok();
    group.bench_function("startup", |b| {
        b.iter(|| {
            let atlas = data::bundled::load().expect("data");
            MapModel::build(&atlas, Projection::default())
        });
    });
    let atlas = data::bundled::load().expect("data");
    let model = MapModel::build(&atlas, Projection::default());
    group.bench_function("stage_layout_svg", |b| {
        b.iter(|| export::render_slide(&atlas, &model, overview(&deck), SIZE_4K, 2.0).svg)
    });
    let svg = export::render_slide(&atlas, &model, overview(&deck), SIZE_4K, 2.0).svg;
    group.bench_function("stage_rasterise_encode", |b| {
        b.iter(|| export::svg_to_png(&svg, SIZE_4K).expect("png"))
    });
    group.finish();
}

criterion_group!(export_benches, benches);
criterion_main!(export_benches);
