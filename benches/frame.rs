//! Frame cost of the live map: one frame of the real app (egui run + tessellation) at
//! 1280×800, 1 point per pixel, headless, for several views; and the naive way of drawing
//! the same world view (every ring of the 1:10m countries as one `egui_plot::Line`) as the
//! baseline in the same run.
//!
//! Run: `cargo bench --bench frame`.

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Pos2, RawInput, Rect, vec2};
use sinokaz_atlas::app::{AtlasApp, SavedState};
use sinokaz_atlas::data;
use sinokaz_atlas::scene::MapModel;
use sinokaz_atlas::spatial::Projection;
use sinokaz_atlas::ui::batches::{BATCH_TRIANGLES, DrawBatches};

const SCREEN: egui::Vec2 = vec2(1280.0, 800.0);

fn raw_input() -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, SCREEN)),
        ..RawInput::default()
    }
}

fn context() -> egui::Context {
    let ctx = egui::Context::default();
    sinokaz_atlas::ui::fonts::install(&ctx);
    ctx
}

/// Bounds in map km of the whole basemap.
fn world_bounds(model: &MapModel) -> [f64; 4] {
    model
        .countries_detailed
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, c| {
            [
                b[0].min(c.bbox[0]),
                b[1].min(c.bbox[1]),
                b[2].max(c.bbox[2]),
                b[3].max(c.bbox[3]),
            ]
        })
}

/// The app on the bundled data, showing `bounds`, with a few frames run so that fonts,
/// levels of detail and layout have settled, as they have while a user looks at the map.
fn app_at(ctx: &egui::Context, atlas: data::Atlas, bounds: Option<[f64; 4]>) -> AtlasApp {
    let mut app = AtlasApp::new(
        Ok(atlas),
        Some(SavedState {
            view: bounds,
            ..SavedState::default()
        }),
    );
    // As the app runs on a software OpenGL renderer, such as this machine's: the map's meshes
    // cut into batches (the renderer's finishing between them is not part of a headless frame).
    app.set_draw_batches(Some(DrawBatches::finishing_every(BATCH_TRIANGLES)));
    for _ in 0..3 {
        let output = ctx.run_ui(raw_input(), |ui| app.show(ui));
        ctx.tessellate(output.shapes, output.pixels_per_point);
    }
    app
}

/// Points and lines spread over Central Asia (48–96°E, 36–54°N) by a fixed pseudo-random
/// sequence: the lines are random walks of 12 points, steps of up to 0.25°.
fn generated_layer(points: usize, lines: usize) -> data::UserLayer {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        // SplitMix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        #[expect(clippy::cast_precision_loss, reason = "53 bits of randomness suffice")]
        let unit = ((z ^ (z >> 31)) >> 11) as f64 / (1_u64 << 53) as f64;
        unit
    };
    let place = |next: &mut dyn FnMut() -> f64| [48.0 + 48.0 * next(), 36.0 + 18.0 * next()];
    let points: Vec<[f64; 2]> = (0..points).map(|_| place(&mut next)).collect();
    let lines = (0..lines)
        .map(|_| {
            let mut at = place(&mut next);
            (0..12)
                .map(|_| {
                    at = [at[0] + 0.5 * next() - 0.25, at[1] + 0.5 * next() - 0.25];
                    at
                })
                .collect()
        })
        .collect();
    data::UserLayer {
        name: "generated".to_owned(),
        points,
        lines,
        ..Default::default()
    }
}

fn frame(ctx: &egui::Context, app: &mut AtlasApp) -> usize {
    let output = ctx.run_ui(raw_input(), |ui| app.show(ui));
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

/// Frames of a map being dragged: the view moves a pixel every frame, 600 pixels one way,
/// then back, so each frame shows a view the last one did not.
fn bench_panning(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    ctx: &egui::Context,
    app: &mut AtlasApp,
) {
    const SWEEP_PX: i32 = 600;
    let shown = app.shown_bounds().expect("a frame was drawn");
    let pixel = (shown[2] - shown[0]) / f64::from(SCREEN.x);
    let mut frame_number = 0_i32;
    group.bench_function(name, |b| {
        b.iter(|| {
            frame_number += 1;
            let phase = frame_number % (2 * SWEEP_PX);
            let offset = f64::from(if phase < SWEEP_PX {
                phase
            } else {
                2 * SWEEP_PX - phase
            });
            let step = offset * pixel;
            app.show_bounds([shown[0] + step, shown[1], shown[2] + step, shown[3]]);
            frame(ctx, app)
        });
    });
}

/// Frames of a zoom cycle: 60 frames, each 1 % wider (`step` 1.01) or narrower (0.99) than the
/// last, about the view's centre, as the wheel does (egui spreads a notch over several frames);
/// then back to the view.
const ZOOM_CYCLE: u32 = 60;

/// The bounds of frame `frame_number` of a zoom cycle from `shown` by `step` a frame.
fn zoomed(shown: [f64; 4], step: f64, frame_number: u32) -> [f64; 4] {
    let centre = [(shown[0] + shown[2]) / 2.0, (shown[1] + shown[3]) / 2.0];
    #[expect(clippy::cast_possible_wrap, reason = "a frame number within a cycle")]
    let half = 0.5 * step.powi((frame_number % ZOOM_CYCLE) as i32);
    let [w, h] = [(shown[2] - shown[0]) * half, (shown[3] - shown[1]) * half];
    [centre[0] - w, centre[1] - h, centre[0] + w, centre[1] + h]
}

/// Frames of a map being zoomed in, then out: every frame at a new scale. Zooming in, the app
/// shows its last picture scaled until the scale strays 1.6 times from it; zooming out, it
/// makes a new picture every frame. Then the frame that ends a zoom-in step: after a frame at
/// a new scale, the next one at that same scale draws the exact picture (user layers as tiles
/// of the scale before, scaled, until their own are drawn in the background).
fn bench_zooming(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    ctx: &egui::Context,
    app: &mut AtlasApp,
) {
    let shown = app.shown_bounds().expect("a frame was drawn");
    for (direction, step) in [("in", 0.99), ("out", 1.01)] {
        let mut frame_number = 0_u32;
        group.bench_function(format!("{name}_zooming_{direction}"), |b| {
            b.iter(|| {
                frame_number += 1;
                app.show_bounds(zoomed(shown, step, frame_number));
                frame(ctx, app)
            });
        });
    }
    // Timed: the frame at rest alone, the one a user waits for at the end of a zoom.
    let mut frame_number = 0_u32;
    group.bench_function(format!("{name}_zoom_at_rest"), |b| {
        b.iter_custom(|iterations| {
            let mut at_rest = std::time::Duration::ZERO;
            for _ in 0..iterations {
                frame_number += 1;
                app.show_bounds(zoomed(shown, 0.99, frame_number));
                std::hint::black_box(frame(ctx, app));
                let start = std::time::Instant::now();
                std::hint::black_box(frame(ctx, app));
                at_rest += start.elapsed();
            }
            at_rest
        });
    });
    app.show_bounds(shown);
    frame(ctx, app);
}

/// The frame that shows a zoom's user-layer tiles once they are drawn: the frame at rest shows
/// the tiles of the scale before, scaled, while those of its own are drawn in the background;
/// when they are ready, the next frame puts them in its picture. Timed: that frame alone.
fn bench_tiles_arriving(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    ctx: &egui::Context,
    app: &mut AtlasApp,
) {
    let shown = app.shown_bounds().expect("a frame was drawn");
    let mut frame_number = 0_u32;
    group.bench_function(format!("{name}_tiles_arrive"), |b| {
        b.iter_custom(|iterations| {
            let mut arriving = std::time::Duration::ZERO;
            for _ in 0..iterations {
                frame_number += 1;
                app.show_bounds(zoomed(shown, 0.99, frame_number));
                std::hint::black_box(frame(ctx, app));
                std::hint::black_box(frame(ctx, app));
                while app.is_drawing_map_tiles() {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                let start = std::time::Instant::now();
                std::hint::black_box(frame(ctx, app));
                arriving += start.elapsed();
            }
            arriving
        });
    });
    app.show_bounds(shown);
    frame(ctx, app);
}

fn benches(c: &mut Criterion) {
    let atlas = data::bundled::load().expect("bundled data");
    let model = MapModel::build(&atlas, Projection::default());
    let world = world_bounds(&model);
    let almaty = model.bbox_of_lon_lat(76.6, 43.1, 77.2, 43.4);
    let mut group = c.benchmark_group("frame");
    for (name, bounds) in [
        ("world", Some(world)),
        ("central_asia", None),
        ("almaty", Some(almaty)),
    ] {
        let ctx = context();
        let mut app = app_at(&ctx, atlas.clone(), bounds);
        // A frame of a still map: a hover, a tooltip, a click elsewhere in the window.
        group.bench_function(name, |b| b.iter(|| frame(&ctx, &mut app)));
        bench_panning(&mut group, &format!("{name}_panning"), &ctx, &mut app);
        bench_zooming(&mut group, name, &ctx, &mut app);
    }
    // The opening view with a generated layer of 100,000 points and 10,000 lines over it.
    let mut stressed = atlas.clone();
    stressed.user_layers.push(generated_layer(100_000, 10_000));
    let ctx = context();
    let mut app = app_at(&ctx, stressed, None);
    group.bench_function("stress_100k", |b| b.iter(|| frame(&ctx, &mut app)));
    bench_panning(&mut group, "stress_100k_panning", &ctx, &mut app);
    // The worst case for the layer: a zoom coming to rest draws every tile of it again, in the
    // background, and a later frame shows them.
    bench_zooming(&mut group, "stress_100k", &ctx, &mut app);
    bench_tiles_arriving(&mut group, "stress_100k", &ctx, &mut app);
    group.finish();

    // The baseline: the same world view drawn as egui_plot lines, one per ring, no culling,
    // no level of detail, re-projected every frame.
    let rings: Vec<Vec<[f64; 2]>> = atlas
        .basemap
        .countries_detailed
        .iter()
        .flat_map(|country| country.shape.0.iter())
        .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
        .map(|ring| ring.coords().map(|c| [c.x, c.y]).collect())
        .collect();
    let ctx = context();
    let naive_frame = |ctx: &egui::Context| {
        let output = ctx.run_ui(raw_input(), |ui| {
            egui_plot::Plot::new("naive")
                .data_aspect(1.0)
                .show(ui, |plot_ui| {
                    plot_ui.set_plot_bounds(egui_plot::PlotBounds::from_min_max(
                        [world[0], world[1]],
                        [world[2], world[3]],
                    ));
                    for ring in &rings {
                        let projected: Vec<[f64; 2]> = ring
                            .iter()
                            .map(|&[lon, lat]| model.projection.project(lon, lat))
                            .collect();
                        plot_ui.line(egui_plot::Line::new("", projected));
                    }
                });
        });
        ctx.tessellate(output.shapes, output.pixels_per_point).len()
    };
    naive_frame(&ctx);
    c.benchmark_group("naive")
        .sample_size(20)
        .bench_function("naive_world", |b| b.iter(|| naive_frame(&ctx)));
}

criterion_group!(frame_benches, benches);
criterion_main!(frame_benches);
