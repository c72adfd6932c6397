//! Command line entry point: with no subcommand the atlas opens its window; `check` validates
//! dataset files with the same code the app uses.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sinokaz_atlas::app::{AtlasApp, STORAGE_KEY, SavedState};
use sinokaz_atlas::data;

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
    /// Validate dataset GeoJSON files and print every problem; exit 1 if any file is invalid.
    Check { files: Vec<PathBuf> },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        None => run_gui(),
        Some(Command::Check { files }) => check(&files),
    }
}

fn run_gui() -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Sino-Kazakh Atlas")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Sino-Kazakh Atlas",
        options,
        Box::new(|cc| {
            sinokaz_atlas::ui::fonts::install(&cc.egui_ctx);
            let saved = cc
                .storage
                .and_then(|s| eframe::get_value::<SavedState>(s, STORAGE_KEY));
            Ok(Box::new(AtlasApp::new(data::bundled::load(), saved)))
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

fn check(files: &[PathBuf]) -> ExitCode {
    if files.is_empty() {
        eprintln!("sinokaz-atlas check: give at least one file");
        return ExitCode::from(2);
    }
    let mut all_valid = true;
    for file in files {
        match data::load_items(file) {
            Ok(items) => println!("{}: ok, {} items", file.display(), items.len()),
            Err(e) => {
                all_valid = false;
                println!("{e}");
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
