//! The top bar (views, windows, export, deck, presentation, screenshot, theme) and the status
//! bar (pointer, counts, jobs, notices).

use super::*;

impl AtlasApp {
    pub(super) fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.heading("Sino-Kazakh Atlas");
            ui.separator();
            if ui
                .button("Fit all")
                .on_hover_text("Show every mapped item")
                .clicked()
                && let Some(b) = self.model.items_bbox()
            {
                self.commands
                    .push(Command::ShowBounds(with_margin(b, 0.06)));
            }
            if ui
                .button("Opening view")
                .on_hover_text("Kazakhstan, Xinjiang and Xi'an")
                .clicked()
            {
                self.commands
                    .push(Command::ShowBounds(opening_bounds(&self.model)));
            }
            if ui
                .button("Search")
                .on_hover_text("Find an item by name or alias (Ctrl+F)")
                .clicked()
            {
                self.open_search();
            }
            if ui
                .selectable_label(self.windows.figures, "Figures")
                .on_hover_text("The article's figures as charts, each claim with its source")
                .clicked()
            {
                self.windows.figures = !self.windows.figures;
            }
            if ui
                .selectable_label(self.windows.entities, "Lenders")
                .on_hover_text("Lenders and companies: what each takes part in, with its loans")
                .clicked()
            {
                self.windows.entities = !self.windows.entities;
            }
            if ui
                .selectable_label(self.measure.is_some(), "Measure")
                .on_hover_text("Click points on the map to read the geodesic distance (M)")
                .clicked()
            {
                self.toggle_measure();
            }
            if ui
                .button("Keys")
                .on_hover_text("The keyboard (F1)")
                .clicked()
            {
                self.windows.help = !self.windows.help;
            }
            ui.separator();
            if ui
                .button("Export view…")
                .on_hover_text("Save the current view as a PNG or SVG slide")
                .clicked()
            {
                self.open_export_window(ExportSettings::default());
            }
            if ui
                .button("Copy slide")
                .on_hover_text(
                    "Put the current view on the clipboard as a 1920×1080 slide, \
                     to paste into a presentation",
                )
                .clicked()
            {
                self.commands.push(Command::CopySlide);
            }
            if ui
                .button("Add view to deck")
                .on_hover_text("Capture the view, layers and selection as a new slide")
                .clicked()
            {
                self.add_view_to_deck();
            }
            if ui
                .button(format!("Deck ({})", self.deck.slides.len()))
                .clicked()
            {
                self.deck_file.window_open = !self.deck_file.window_open;
            }
            if ui
                .button("Present")
                .on_hover_text("Full screen slides (F11); arrows move, Esc leaves")
                .clicked()
            {
                self.start_presentation(ui.ctx(), 0);
            }
            if ui
                .button("Screenshot")
                .on_hover_text("Save a picture of the whole window")
                .clicked()
            {
                self.request_screenshot(ui.ctx());
            }
            ui.separator();
            let dark = self.state.theme == Theme::Dark;
            if ui.selectable_label(!dark, "Light").clicked() {
                self.commands.push(Command::SetTheme(Theme::Light));
            }
            if ui.selectable_label(dark, "Dark").clicked() {
                self.commands.push(Command::SetTheme(Theme::Dark));
            }
        });
    }

    pub(super) fn status_bar_ui(&mut self, ui: &mut Ui) {
        let mut cancel = false;
        ui.horizontal_wrapped(|ui| {
            match self.pointer_lon_lat {
                Some([lon, lat]) => ui.monospace(format!(
                    "{}  {}",
                    crate::format::format_degrees(lat, 3, 'N', 'S'),
                    crate::format::format_degrees(lon, 3, 'E', 'W')
                )),
                None => ui.monospace("move the pointer over the map"),
            };
            ui.separator();
            ui.label(self.tally().to_string());
            if let Some(points) = &self.measure {
                ui.separator();
                let text = match points.len() {
                    0 => "Measure: click points on the map (Backspace removes one, M or Esc ends)"
                        .to_owned(),
                    n => format!(
                        "Measured: {} km over {n} points (geodesic)",
                        crate::ui::details::format_number(
                            (measure::path_length_km(points) * 10.0).round() / 10.0
                        )
                    ),
                };
                ui.label(egui::RichText::new(text).strong());
            }
            if let Some(as_of) = &self.state.layers.filter.as_of {
                ui.separator();
                ui.label(egui::RichText::new(format!("as of {as_of}")).strong());
            }
            if !self.layer_files.jobs.is_empty() {
                ui.separator();
                ui.spinner();
                let names: Vec<&str> = self
                    .layer_files
                    .jobs
                    .iter()
                    .map(|j| j.names.as_str())
                    .collect();
                ui.label(format!("Opening {}…", names.join(", ")));
                if ui.small_button("Cancel").clicked() {
                    cancel = true;
                }
            }
            if let Some(notice) = &self.notice {
                ui.separator();
                ui.label(egui::RichText::new(notice).strong());
            }
            ui.separator();
            ui.label(
                egui::RichText::new(self.atlas.basemap.attributions.join(" · "))
                    .small()
                    .weak(),
            );
        });
        if cancel {
            self.cancel_layer_jobs();
        }
    }

    /// Asks the window for a screenshot of the whole UI. eframe hands the picture to the
    /// callback once the frame is drawn; the callback starts a job that encodes and writes the
    /// PNG, so that no frame waits for either, and the status bar says how it went.
    pub(super) fn request_screenshot(&mut self, ctx: &egui::Context) {
        let pending = Arc::clone(&self.screenshot_job);
        let repaint = ctx.clone();
        let path = std::path::PathBuf::from(default_export_path("window", "png"));
        ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
            egui::ScreenshotCallback::new(move |image| {
                let path = path.clone();
                let repaint = repaint.clone();
                let job = Job::spawn(
                    "screenshot-png",
                    move || repaint.request_repaint(),
                    move |progress| {
                        progress.stage("encoding");
                        let rgba: Vec<u8> = image
                            .pixels
                            .iter()
                            .flat_map(|c| c.to_srgba_unmultiplied())
                            .collect();
                        #[expect(
                            clippy::cast_possible_truncation,
                            reason = "window sizes fit in u32"
                        )]
                        let size = [image.size[0] as u32, image.size[1] as u32];
                        let png = export::encode_rgba_png(&rgba, size)?;
                        progress.stage("writing");
                        write_atomic(&path, &png)?;
                        Ok::<_, export::ExportError>(path)
                    },
                );
                if let Ok(mut slot) = pending.lock() {
                    *slot = Some(job);
                }
            }),
        ));
        self.notice = Some("Taking a screenshot…".to_owned());
    }

    /// Says in the status bar how the screenshot's job ended, once it has.
    pub(super) fn finish_screenshot(&mut self) {
        let Ok(mut slot) = self.screenshot_job.lock() else {
            return;
        };
        let message = match slot.as_ref().map(Job::state) {
            None | Some(jobs::JobState::Running(_)) => return,
            Some(jobs::JobState::Done(path)) => format!("Screenshot saved to {}", path.display()),
            Some(jobs::JobState::Failed(message)) => {
                format!("The screenshot was not saved: {message}")
            }
            Some(jobs::JobState::Cancelled) => "The screenshot was cancelled".to_owned(),
        };
        *slot = None;
        drop(slot);
        self.notice = Some(message);
    }
}
