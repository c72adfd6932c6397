//! The "Export view…" window and the background job that renders the file, so a 4K export
//! never freezes the map.

use std::path::PathBuf;
use std::sync::Arc;

use egui::Ui;

use crate::data::Atlas;
use crate::deck::Slide;
use crate::export::{self, ExportError, Format};
use crate::jobs::{Job, Progress};
use crate::scene::MapModel;

/// The choices in the export window.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSettings {
    pub format: Format,
    pub size: [u32; 2],
    pub scale: f32,
    pub path: String,
    /// The slide's title and the line under it (empty: none); the app proposes both from what
    /// the map shows when the window opens.
    pub title: String,
    pub subtitle: String,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            format: Format::Png,
            size: [1920, 1080],
            scale: 1.0,
            path: default_export_path("map-view", "png"),
            title: String::new(),
            subtitle: String::new(),
        }
    }
}

/// A file name in the user's pictures folder (or the current one), that does not overwrite.
/// `path` with its file name's extension replaced by (or, without one, extended with)
/// `extension`. Only the file name is looked at: a dot in a folder name (`/home/a.b/map`) is
/// not an extension.
pub fn with_extension(path: &str, extension: &str) -> String {
    let name_start = path.rfind(['/', '\\']).map_or(0, |slash| slash + 1);
    let name = &path[name_start..];
    // A leading dot names a hidden file, not an extension.
    match name.rfind('.').filter(|&dot| dot > 0) {
        Some(dot) => format!("{}.{extension}", &path[..name_start + dot]),
        None => format!("{path}.{extension}"),
    }
}

pub fn default_export_path(stem: &str, extension: &str) -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let dir = home
        .map(|h| h.join("Pictures"))
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut n = 1;
    loop {
        let candidate = dir.join(format!("sinokaz-{stem}-{n}.{extension}"));
        if !candidate.exists() {
            return candidate.display().to_string();
        }
        n += 1;
    }
}

/// How the export window shows the export: the job's state, its value the written file.
pub type JobState = crate::jobs::JobState<String>;

/// A running export on its own thread; the window shows its state each frame.
pub struct ExportJob {
    job: Job<String>,
}

impl ExportJob {
    pub fn start(
        atlas: Arc<Atlas>,
        model: Arc<MapModel>,
        slide: Slide,
        settings: ExportSettings,
        ctx: egui::Context,
    ) -> Self {
        let job = Job::spawn(
            "sinokaz-export",
            move || ctx.request_repaint(),
            move |progress: &Progress<String>| -> Result<String, ExportError> {
                progress.stage("laying out");
                // Only the SVG is kept: the slide's scene goes before the rasteriser's strips
                // and tree take their memory.
                let svg =
                    export::render_slide(&atlas, &model, &slide, settings.size, settings.scale).svg;
                let path = PathBuf::from(&settings.path);
                if settings.format == Format::Svg {
                    progress.stage("writing");
                    crate::fs::write_atomic(&path, svg.as_bytes())?;
                } else {
                    progress.stage("rasterising");
                    export::write_png_atomic(&path, &svg, settings.size, settings.scale)?;
                }
                Ok(path.display().to_string())
            },
        );
        Self { job }
    }

    pub fn state(&self) -> JobState {
        self.job.state()
    }
}

/// A size the Export window offers: its label, pixels and scale.
pub type SizePreset = (&'static str, [u32; 2], f32);

/// Sizes offered in the Export window, by row: (label, pixels, scale). Screens at 16:9 and
/// 4:3; pages in landscape at 192 dpi (a 96-dpi layout drawn at 2×), as a PNG declares them, so
/// that the slide fills the page when placed or printed.
pub const SIZE_PRESETS: [(&str, &[SizePreset]); 2] = [
    (
        "Screens:",
        &[
            ("1920×1080", [1920, 1080], 1.0),
            ("3840×2160 (2×)", [3840, 2160], 2.0),
            ("1280×720", [1280, 720], 1.0),
            ("1024×768 (4:3)", [1024, 768], 1.0),
            ("2048×1536 (4:3, 2×)", [2048, 1536], 2.0),
        ],
    ),
    (
        "Pages:",
        &[
            // 297 × 210 mm and 11 × 8.5 in at 192 dpi.
            ("A4 landscape", [2245, 1587], 2.0),
            ("Letter landscape", [2112, 1632], 2.0),
        ],
    ),
];

#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum ExportIntent {
    Start,
    Close,
}

pub fn export_window_ui(
    ui: &mut Ui,
    settings: &mut ExportSettings,
    job: Option<&JobState>,
) -> Option<ExportIntent> {
    let mut intent = None;
    egui::Grid::new("export-titles")
        .num_columns(2)
        .show(ui, |ui| {
            let title = ui.label("Title");
            ui.add(egui::TextEdit::singleline(&mut settings.title).desired_width(360.0))
                .labelled_by(title.id);
            ui.end_row();
            let subtitle = ui.label("Subtitle");
            ui.add(egui::TextEdit::singleline(&mut settings.subtitle).desired_width(360.0))
                .labelled_by(subtitle.id);
            ui.end_row();
        });
    ui.weak("A slide of a chosen map date says the date under its title.");
    ui.horizontal(|ui| {
        ui.label("Format:");
        for (format, label, extension) in [(Format::Png, "PNG", "png"), (Format::Svg, "SVG", "svg")]
        {
            if ui
                .selectable_label(settings.format == format, label)
                .clicked()
                && settings.format != format
            {
                settings.format = format;
                settings.path = with_extension(&settings.path, extension);
            }
        }
    });
    for (row, presets) in SIZE_PRESETS {
        ui.horizontal(|ui| {
            ui.label(row);
            for &(label, size, scale) in presets {
                let chosen = settings.size == size && (settings.scale - scale).abs() < f32::EPSILON;
                if ui.selectable_label(chosen, label).clicked() {
                    settings.size = size;
                    settings.scale = scale;
                }
            }
        });
    }
    ui.horizontal(|ui| {
        let width = ui.label("Width");
        ui.add(
            egui::DragValue::new(&mut settings.size[0])
                .range(64..=16384)
                .suffix(" px"),
        )
        .labelled_by(width.id);
        let height = ui.label("height");
        ui.add(
            egui::DragValue::new(&mut settings.size[1])
                .range(64..=16384)
                .suffix(" px"),
        )
        .labelled_by(height.id);
        let scale = ui.label("scale");
        ui.add(
            egui::DragValue::new(&mut settings.scale)
                .range(0.25..=8.0)
                .speed(0.05),
        )
        .labelled_by(scale.id);
    });
    ui.horizontal(|ui| {
        let file = ui.label("File:");
        ui.add(egui::TextEdit::singleline(&mut settings.path).desired_width(360.0))
            .labelled_by(file.id);
    });
    ui.separator();
    let running = matches!(job, Some(JobState::Running(_)));
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new("Export"))
            .clicked()
        {
            intent = Some(ExportIntent::Start);
        }
        if ui.button("Close").clicked() {
            intent = Some(ExportIntent::Close);
        }
        match job {
            Some(JobState::Running(stage)) => {
                ui.spinner();
                ui.label(format!("Exporting: {stage}…"));
            }
            Some(JobState::Done(path)) => {
                ui.label(format!("Saved {path}"));
            }
            Some(JobState::Failed(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            Some(JobState::Cancelled) => {
                ui.label("Export stopped");
            }
            None => {}
        }
    });
    intent
}

#[cfg(test)]
mod tests {
    use super::with_extension;

    #[test]
    fn switching_the_format_changes_only_the_file_names_extension() {
        assert_eq!(with_extension("/home/a.b/map", "png"), "/home/a.b/map.png");
        assert_eq!(
            with_extension("/home/a.b/map.svg", "png"),
            "/home/a.b/map.png"
        );
        assert_eq!(with_extension("slide.png", "svg"), "slide.svg");
        assert_eq!(with_extension("/tmp/.hidden", "svg"), "/tmp/.hidden.svg");
        assert_eq!(
            with_extension("C:\\x.y\\slide", "svg"),
            "C:\\x.y\\slide.svg"
        );
    }
}
