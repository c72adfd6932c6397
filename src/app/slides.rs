//! Slides: the current view as a slide, the Export and Deck windows, the deck file's jobs and
//! presentation mode.

use super::*;

/// What the deck's file job did.
#[derive(Clone)]
pub(super) enum DeckFileDone {
    Opened(Deck, PathBuf),
    Saved(PathBuf),
}

/// The deck's file and its window: the path typed in, whether the deck has changes not yet
/// saved, the last word on opening or saving it, and the job doing that.
pub(super) struct DeckFile {
    pub(super) path_input: String,
    pub(super) unsaved: bool,
    pub(super) notice: Option<String>,
    /// Opening or saving the deck file, on its own thread.
    pub(super) job: Option<Job<DeckFileDone>>,
    pub(super) window_open: bool,
}

impl DeckFile {
    pub(super) fn new(path_input: String, notice: Option<String>) -> Self {
        Self {
            path_input,
            unsaved: false,
            notice,
            job: None,
            window_open: false,
        }
    }
}

/// The Export window, the export under way, and the slide being made for the clipboard.
#[derive(Default)]
pub(super) struct ExportWindow {
    /// `Some` while the window is open.
    pub(super) settings: Option<ExportSettings>,
    pub(super) job: Option<ExportJob>,
    pub(super) copy: Option<Job<Arc<egui::ColorImage>>>,
}

/// The size of the slide "Copy slide" puts on the clipboard: a 16:9 slide as presentation
/// programs make them.
pub const COPIED_SLIDE_PX: [u32; 2] = [1920, 1080];

/// Presentation mode: the slide shown, and that slide laid out for the screen with what it
/// was laid out from.
#[derive(Default)]
pub(super) struct Presentation {
    /// The slide shown, if presenting.
    pub(super) slide: Option<usize>,
    pub(super) laid_out: Option<(PresentedKey, Arc<SlideScene>)>,
}

impl Presentation {
    /// Steps to the next slide of a deck of `slides`, staying on the last.
    pub(super) fn next(&mut self, slides: usize) {
        let last = slides.saturating_sub(1);
        self.slide = self.slide.map(|i| (i + 1).min(last));
    }

    /// Steps to the slide before, staying on the first.
    pub(super) fn previous(&mut self) {
        self.slide = self.slide.map(|i| i.saturating_sub(1));
    }
}

/// What a presented slide was laid out from: a change to any of it lays the slide out anew.
#[derive(Clone, PartialEq)]
pub(super) struct PresentedKey {
    index: usize,
    slide: Slide,
    layers: crate::scene::Layers,
    size: [f32; 2],
    /// Which data: a reload makes a new atlas and model.
    data: (usize, usize),
}

impl AtlasApp {
    /// The current view as a slide of `size_px` at `scale`: same centre, same extent, same
    /// layers, selection and theme.
    pub fn current_view_slide(&self, name: String, size_px: [u32; 2], scale: f32) -> Slide {
        let layout = Layout::new(size_px, scale);
        let (center, km_per_px) = match self.map.last_view() {
            Some(v) => {
                let k = ((v.max[0] - v.min[0]) / f64::from(layout.map_size[0]))
                    .max((v.max[1] - v.min[1]) / f64::from(layout.map_size[1]));
                (
                    [(v.min[0] + v.max[0]) / 2.0, (v.min[1] + v.max[1]) / 2.0],
                    k,
                )
            }
            None => {
                let b = opening_bounds(&self.model);
                (
                    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
                    (b[2] - b[0]) / f64::from(layout.map_size[0]),
                )
            }
        };
        let lon_lat = self.model.projection.unproject(center[0], center[1]);
        let (title, subtitle) = self.proposed_title();
        Slide {
            name,
            title,
            subtitle,
            view: SlideView::Center { lon_lat, km_per_px },
            layers: self.state.layers.clone(),
            selected: self.state.selected.clone(),
            annotations: Vec::new(),
            size: size_px,
            theme: self.state.theme,
        }
    }

    /// A title and subtitle for a slide of what the map shows: the selected item, its sector
    /// and status; or the sectors shown, and how many of the items pass the filters. The map
    /// date, when one is chosen, is added on the slide itself (`slide::subtitle_line`).
    pub fn proposed_title(&self) -> (String, Option<String>) {
        if let Some(item) = self.selected.map(|i| &self.atlas.items[i]) {
            return (
                crate::scene::map_label(item.name()).to_owned(),
                Some(format!(
                    "{} · {}",
                    item.properties.sector.label(),
                    item.properties.status.label()
                )),
            );
        }
        let layers = &self.state.layers;
        let sectors: Vec<&str> = (crate::data::Sector::ALL.iter())
            .filter(|s| !layers.hidden_sectors.contains(s))
            .map(|s| s.label())
            .collect();
        let title = match sectors.as_slice() {
            [one] => format!("{one} projects"),
            [first, second] => format!("{first} and {second} projects"),
            [first, second, third] => format!("{first}, {second} and {third} projects"),
            _ => "China–Kazakhstan cooperation".to_owned(),
        };
        let tally = self.tally();
        let subtitle = (tally.shown < tally.total)
            .then(|| format!("{} of {} projects and corridors", tally.shown, tally.total));
        (title, subtitle)
    }

    /// Opens the Export window, with `settings` unless it is open already, proposing a title
    /// and subtitle from what the map shows.
    pub fn open_export_window(&mut self, settings: ExportSettings) {
        if self.export.settings.is_some() {
            return;
        }
        let (title, subtitle) = self.proposed_title();
        self.export.settings = Some(ExportSettings {
            title,
            subtitle: subtitle.unwrap_or_default(),
            ..settings
        });
    }

    /// The state of the last export started from the app, if any.
    pub fn export_state(&self) -> Option<JobState> {
        self.export.job.as_ref().map(ExportJob::state)
    }

    /// Captures the current view as a new slide at the end of the open deck.
    pub fn add_view_to_deck(&mut self) {
        let mut n = self.deck.slides.len() + 1;
        while self.deck.slide(&format!("view-{n}")).is_some() {
            n += 1;
        }
        let slide = self.current_view_slide(format!("view-{n}"), crate::deck::default_size(), 1.0);
        self.notice = Some(format!(
            "Added slide {} \"{}\" to the deck",
            self.deck.slides.len() + 1,
            slide.title
        ));
        self.deck.slides.push(slide);
        self.deck_file.unsaved = true;
    }

    pub fn start_presentation(&mut self, ctx: &egui::Context, index: usize) {
        if self.deck.slides.is_empty() {
            self.notice = Some("The deck has no slides to present".to_owned());
            return;
        }
        self.presentation.slide = Some(index.min(self.deck.slides.len() - 1));
        self.presentation.laid_out = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
    }

    pub(super) fn leave_presentation(&mut self, ctx: &egui::Context) {
        self.presentation.slide = None;
        self.presentation.laid_out = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        if let Some(view) = self.state.view {
            self.camera.show(view);
        }
    }

    pub(super) fn presentation_ui(&mut self, ui: &mut Ui, index: usize) {
        if let Some(intent) = presentation::presentation_keys(ui.ctx()) {
            self.commands.push(intent.into());
        }
        let index = index.min(self.deck.slides.len().saturating_sub(1));
        let Some(slide) = self.deck.slides.get(index).cloned() else {
            self.leave_presentation(ui.ctx());
            return;
        };
        let theme = slide.theme;
        ui.ctx().set_theme(match theme {
            Theme::Light => egui::Theme::Light,
            Theme::Dark => egui::Theme::Dark,
        });
        self.applied_theme = None;
        let count = self.deck.slides.len();
        let presented_layers = slide.layers.with_user_layer_styles_of(&self.state.layers);
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                // The whole window, not the panel's rect: the slide is laid out for the screen
                // it fills, as an export is for its size.
                let screen = ui.ctx().content_rect();
                let mut painter = ui.painter().clone();
                painter.set_clip_rect(screen);
                // Screen readers (and tests) find the slide by its title.
                let title = slide.title.clone();
                ui.allocate_rect(screen, egui::Sense::hover())
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &title));
                let key = PresentedKey {
                    index,
                    slide: slide.clone(),
                    layers: presented_layers.clone(),
                    size: [screen.width(), screen.height()],
                    data: (
                        Arc::as_ptr(&self.atlas) as usize,
                        Arc::as_ptr(&self.model) as usize,
                    ),
                };
                if self
                    .presentation
                    .laid_out
                    .as_ref()
                    .is_none_or(|(held, _)| *held != key)
                {
                    let shown = Slide {
                        layers: presented_layers,
                        ..slide
                    };
                    let laid_out = build_slide(
                        &self.atlas,
                        &self.model,
                        &shown,
                        Layout::of_size(key.size),
                        false,
                    );
                    self.presentation.laid_out = Some((key, Arc::new(laid_out)));
                }
                if let Some((_, laid_out)) = &self.presentation.laid_out {
                    slide_painter::paint_slide(&painter, screen.min, laid_out, self.map.tiles());
                }
                presentation::hint_ui(&painter, screen, index, count);
            });
    }

    pub(super) fn export_window(&mut self, ctx: &egui::Context) {
        let Some(mut settings) = self.export.settings.take() else {
            return;
        };
        let job_state = self.export.job.as_ref().map(ExportJob::state);
        let mut intent = None;
        let mut open = true;
        egui::Window::new("Export view")
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                intent = export_window_ui(ui, &mut settings, job_state.as_ref());
            });
        if open {
            self.export.settings = Some(settings);
        }
        match intent {
            Some(ExportIntent::Start) => self.commands.push(Command::StartExport),
            Some(ExportIntent::Close) => self.commands.push(Command::CloseExport),
            None => {}
        }
        if matches!(job_state, Some(JobState::Running(_))) {
            // Keep the spinner turning while the job runs on its thread.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    pub(super) fn start_export(&mut self, ctx: &egui::Context) {
        let Some(settings) = self.export.settings.clone() else {
            return;
        };
        let mut slide = self.current_view_slide("view".to_owned(), settings.size, settings.scale);
        slide.title.clone_from(&settings.title);
        slide.subtitle = Some(settings.subtitle.trim().to_owned()).filter(|s| !s.is_empty());
        self.export.job = Some(ExportJob::start(
            Arc::clone(&self.atlas),
            Arc::clone(&self.model),
            slide,
            settings,
            ctx.clone(),
        ));
    }

    /// Starts drawing the current view as a slide for the clipboard, in the background; a
    /// copy under way is replaced.
    pub(super) fn start_copying_slide(&mut self, ctx: &egui::Context) {
        let slide = self.current_view_slide("view".to_owned(), COPIED_SLIDE_PX, 1.0);
        let (atlas, model) = self.shared_data();
        self.export.copy = Some(Job::spawn(
            "sinokaz-copy-slide",
            repaint_of(ctx),
            move |progress: &Progress<Arc<egui::ColorImage>>| {
                progress.stage("laying out");
                let svg = export::render_slide(&atlas, &model, &slide, COPIED_SLIDE_PX, 1.0).svg;
                progress.stage("drawing");
                let tree = export::raster::parse_svg(&svg)?;
                let rgba = export::raster::rasterise(&tree, COPIED_SLIDE_PX)?;
                let size = COPIED_SLIDE_PX.map(|v| v as usize);
                Ok::<_, export::ExportError>(Arc::new(egui::ColorImage::from_rgba_unmultiplied(
                    size, &rgba,
                )))
            },
        ));
        self.notice = Some("Copying the slide…".to_owned());
    }

    /// Puts the slide drawn for the clipboard there once it is ready, and says so.
    pub(super) fn finish_copying_slide(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.export.copy else {
            return;
        };
        match job.state() {
            jobs::JobState::Running(_) => return,
            jobs::JobState::Done(image) => {
                let [w, h] = image.size;
                ctx.copy_image((*image).clone());
                self.notice = Some(format!(
                    "Slide copied to the clipboard ({w}×{h} px): paste it into a presentation"
                ));
            }
            jobs::JobState::Failed(message) => {
                self.notice = Some(format!("The slide was not copied: {message}"));
            }
            jobs::JobState::Cancelled => self.notice = None,
        }
        self.export.copy = None;
    }

    /// Whether a slide is being made for the clipboard.
    pub fn is_copying_slide(&self) -> bool {
        self.export.copy.is_some()
    }

    pub(super) fn deck_window(&mut self, ctx: &egui::Context) {
        if !self.deck_file.window_open {
            return;
        }
        let mut intent = None;
        let mut open = true;
        egui::Window::new("Slide deck")
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| {
                intent = deck_window_ui(
                    ui,
                    &self.deck,
                    &mut self.deck_file.path_input,
                    self.deck_file.unsaved,
                    self.deck_file.notice.as_deref(),
                );
            });
        self.deck_file.window_open = open;
        self.commands.extend(intent.map(Command::from));
    }

    pub(super) fn apply_deck_intent(&mut self, ctx: &egui::Context, intent: DeckIntent) {
        let slides = &mut self.deck.slides;
        match intent {
            DeckIntent::MoveUp(i) if i > 0 => {
                slides.swap(i, i - 1);
                self.deck_file.unsaved = true;
            }
            DeckIntent::MoveDown(i) if i + 1 < slides.len() => {
                slides.swap(i, i + 1);
                self.deck_file.unsaved = true;
            }
            DeckIntent::Remove(i) if i < slides.len() => {
                slides.remove(i);
                self.deck_file.unsaved = true;
            }
            DeckIntent::Present(i) => self.start_presentation(ctx, i),
            DeckIntent::Open => {
                let path = PathBuf::from(&self.deck_file.path_input);
                self.deck_file.notice = Some(format!("Opening {}…", path.display()));
                self.deck_file.job = Some(Job::spawn("deck-open", repaint_of(ctx), move |_| {
                    Deck::load(&path).map(|deck| DeckFileDone::Opened(deck, path))
                }));
            }
            DeckIntent::Save => {
                let path = PathBuf::from(&self.deck_file.path_input);
                let json = self.deck.to_json();
                self.deck_file.notice = Some(format!("Saving {}…", path.display()));
                self.deck_file.job = Some(Job::spawn("deck-save", repaint_of(ctx), move |_| {
                    write_atomic(&path, json.as_bytes()).map(|()| DeckFileDone::Saved(path))
                }));
            }
            DeckIntent::Close => self.deck_file.window_open = false,
            _ => {}
        }
    }

    /// Takes in the deck read or written by the deck's job once it has ended. A deck that
    /// fails to load never replaces the open one.
    pub(super) fn finish_deck_file(&mut self) {
        let Some(state) = self.deck_file.job.as_ref().map(Job::state) else {
            return;
        };
        match state {
            jobs::JobState::Running(_) => return,
            jobs::JobState::Done(DeckFileDone::Opened(deck, path)) => {
                self.deck = deck;
                self.deck_file.unsaved = false;
                self.state.deck_path = Some(path.display().to_string());
                self.deck_file.notice = Some(format!("Opened {}", path.display()));
            }
            jobs::JobState::Done(DeckFileDone::Saved(path)) => {
                self.deck_file.unsaved = false;
                self.state.deck_path = Some(path.display().to_string());
                self.deck_file.notice = Some(format!("Saved {}", path.display()));
            }
            jobs::JobState::Failed(message) => self.deck_file.notice = Some(message),
            jobs::JobState::Cancelled => self.deck_file.notice = None,
        }
        self.deck_file.job = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presentation_steps_stay_within_the_deck() {
        let mut presentation = Presentation {
            slide: Some(0),
            laid_out: None,
        };
        presentation.previous();
        assert_eq!(presentation.slide, Some(0));
        presentation.next(3);
        presentation.next(3);
        presentation.next(3);
        assert_eq!(presentation.slide, Some(2));
        let mut not_presenting = Presentation::default();
        not_presenting.next(3);
        assert_eq!(not_presenting.slide, None);
    }
}
