//! Command line entry point: with no subcommand the atlas opens its window; `check` validates
//! dataset files with the same code the app uses.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sinokaz_atlas::app::{self, AtlasApp};
use sinokaz_atlas::data;
use sinokaz_atlas::deck::{self, Deck};
use sinokaz_atlas::export::{self, Format};
use sinokaz_atlas::scene::MapModel;
use sinokaz_atlas::spatial::Projection;
use sinokaz_atlas::ui::batches::DrawBatches;

#[derive(Parser)]
#[command(
    name = "sinokaz-atlas",
    version,
    about = "Desktop atlas of China–Kazakhstan cooperation"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate files as the app opens them (GeoJSON or CSV layers) and print every problem;
    /// exit 1 if any file is invalid.
    Check {
        /// Validate against the atlas's own dataset schema (as assets/data/projects.geojson)
        /// instead of as a layer of the user's own.
        #[arg(long)]
        dataset: bool,
        files: Vec<PathBuf>,
    },
    /// Render the slides of a deck as PNG and/or SVG files.
    Export {
        /// The deck file (JSON); the bundled default deck when omitted.
        #[arg(long)]
        deck: Option<PathBuf>,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "both")]
        format: FormatArg,
        /// WIDTHxHEIGHT in pixels, e.g. 3840x2160; each slide's own size when omitted.
        #[arg(long)]
        size: Option<String>,
        /// Enlarges every symbol, line and label; 2 renders a 1920x1080 layout at 3840x2160.
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// Render only the slide with this name.
        #[arg(long)]
        slide: Option<String>,
    },
}

/// glibc gives a thread that allocates while others do a heap arena of its own, up to eight
/// per core, and each arena keeps the memory it grew to. The atlas's short-lived workers (levels
/// of detail, export strips) and Mesa's drawing threads each grew one: a 4K export after zooming
/// about peaked at 150.6–153.5 MB, against 146.4–149.1 MB with one arena per core
/// (benches/peak_memory.sh, three runs each). Set before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_heap_arenas() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    #[expect(
        unsafe_code,
        reason = "a foreign call; mallopt only sets a limit on arenas made from now on, and \
                  nothing else runs yet"
    )]
    // SAFETY: see the reason above; a refused setting (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_heap_arenas() {}

fn main() -> ExitCode {
    cap_heap_arenas();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        None => run_gui(),
        Some(Command::Check { dataset, files }) => check(&files, dataset),
        Some(Command::Export {
            deck,
            out,
            format,
            size,
            scale,
            slide,
        }) => {
            match export(
                deck.as_deref(),
                &out,
                format.into(),
                size.as_deref(),
                scale,
                slide.as_deref(),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("sinokaz-atlas export: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The `--format` values; the library's `Format` knows no command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FormatArg {
    Png,
    Svg,
    Both,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Png => Self::Png,
            FormatArg::Svg => Self::Svg,
            FormatArg::Both => Self::Both,
        }
    }
}

fn export(
    deck: Option<&Path>,
    out: &Path,
    format: Format,
    size: Option<&str>,
    scale: f32,
    slide: Option<&str>,
) -> Result<(), String> {
    // Check the cheap arguments before loading anything.
    let size = size
        .map(export::parse_size)
        .transpose()
        .map_err(|e| e.to_string())?;
    export::check_scale(scale).map_err(|e| e.to_string())?;
    let deck = match deck {
        Some(path) => Deck::load(path),
        None => Deck::parse(deck::DEFAULT_DECK_FILE, deck::DEFAULT_DECK),
    }
    .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let atlas = data::bundled::load().map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    log::info!("data loaded in {:?}", started.elapsed());
    let model = MapModel::build(&atlas, Projection::default());
    log::info!("map model built in {:?}", started.elapsed());
    let request = export::ExportRequest {
        deck: &deck,
        out_dir: out,
        format,
        size,
        scale,
        slide,
    };
    export::export_deck(&atlas, &model, &request, |path| {
        println!("wrote {}", path.display())
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn run_gui() -> ExitCode {
    let state_file = app::state_file();
    // Read before the window opens, so that it opens at the size it had.
    let restored = state_file.as_deref().map(app::restore_state);
    let size = match &restored {
        Some(app::Restored::State(state)) => state.window_size,
        _ => None,
    }
    .filter(|[w, h]| w.is_finite() && h.is_finite())
    .map_or([1400.0, 880.0], |[w, h]| {
        [w.clamp(720.0, 8192.0), h.clamp(480.0, 8192.0)]
    });
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Sino-Kazakh Atlas")
            .with_inner_size(size)
            .with_min_inner_size([720.0, 480.0]),
        // The atlas writes its state itself, atomically; eframe's file would be written in
        // place.
        persist_window: false,
        ..Default::default()
    };
    let result = eframe::run_native(
        app::APP_ID,
        options,
        Box::new(|cc| {
            sinokaz_atlas::ui::fonts::install(&cc.egui_ctx);
            // eframe's storage is read only where it can matter: on a first start.
            let legacy = || app::restore_legacy_state(cc.storage);
            let mut atlas_app = match (state_file, restored) {
                (Some(path), Some(app::Restored::Nothing)) => AtlasApp::with_state_file(
                    data::bundled::load(),
                    path,
                    app::Restored::Nothing,
                    legacy(),
                ),
                (Some(path), Some(restored)) => {
                    AtlasApp::with_state_file(data::bundled::load(), path, restored, None)
                }
                // No folder to save in (no home directory): what eframe kept, if anything.
                _ => AtlasApp::new(data::bundled::load(), legacy()),
            };
            // On a software renderer the map is drawn in batches, to bound its memory.
            atlas_app.set_draw_batches(cc.gl.as_deref().and_then(DrawBatches::for_renderer));
            Ok(Box::new(atlas_app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sinokaz-atlas: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The rules the bundled data meets (`data::audit`), applied to a dataset that loads: its
/// loans, agreements and water crossings are judged against the bundled entities, packages and
/// lakes. Every finding is an error line naming the item and the field.
fn audit_dataset(file: &std::path::Path, items: &[data::Item]) -> Result<String, data::LoadError> {
    let atlas = data::bundled::load().map_err(|mut errors| errors.remove(0))?;
    let refused = data::audit::RefusedHosts::parse(data::bundled::REFUSED_HOSTS);
    let findings = data::audit::audit(&data::audit::AuditInput {
        items,
        figures: &data::FigureBook::default(),
        entities: &atlas.entities,
        lakes: &atlas.basemap.lakes,
        refused: &refused,
    });
    if findings.is_empty() {
        return Ok(format!(
            "{} items, every source and link rule met",
            items.len()
        ));
    }
    let problems = findings
        .into_iter()
        .map(|finding| data::Problem {
            line_column: None,
            feature_index: items.iter().position(|i| i.id() == finding.id),
            id: Some(finding.id),
            field: finding.field,
            message: finding.message,
        })
        .collect();
    Err(data::LoadError::Invalid {
        file: file.display().to_string(),
        problems,
    })
}

fn check(files: &[PathBuf], dataset: bool) -> ExitCode {
    if files.is_empty() {
        eprintln!("sinokaz-atlas check: give at least one file");
        return ExitCode::from(2);
    }
    let mut all_valid = true;
    let mut out = std::io::stdout().lock();
    for file in files {
        let checked = if dataset {
            data::load_items(file).and_then(|items| audit_dataset(file, &items))
        } else {
            data::load_user_layer(file).map(|layer| layer.summary())
        };
        let line = match checked {
            Ok(summary) => format!("{}: ok, {summary}", file.display()),
            Err(e) => {
                all_valid = false;
                e.to_string()
            }
        };
        // A reader that stops early (`check … | head`) closes the pipe: stop quietly, with
        // the exit code of what was checked so far, rather than panic as println! would.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
