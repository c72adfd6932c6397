//! Presentation mode: full screen, no panels, the slide as it is exported (drawn by
//! `ui::slide_painter`); the arrow keys step through the deck.

#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentationIntent {
    Next,
    Previous,
    Leave,
}

/// Reads the keys of presentation mode.
pub fn presentation_keys(ctx: &egui::Context) -> Option<PresentationIntent> {
    ctx.input(|i| {
        use egui::Key;
        if i.key_pressed(Key::Escape) || i.key_pressed(Key::F11) {
            Some(PresentationIntent::Leave)
        } else if [Key::ArrowRight, Key::ArrowDown, Key::PageDown, Key::Space]
            .iter()
            .any(|&k| i.key_pressed(k))
        {
            Some(PresentationIntent::Next)
        } else if [Key::ArrowLeft, Key::ArrowUp, Key::PageUp]
            .iter()
            .any(|&k| i.key_pressed(k))
        {
            Some(PresentationIntent::Previous)
        } else {
            None
        }
    })
}

/// Where the page count and key hint go: the top-right corner of the title band, clear of the
/// slide's title, which starts at its left.
pub fn hint_rect(screen: egui::Rect) -> egui::Rect {
    egui::Rect::from_min_max(
        egui::pos2(screen.right() - 360.0, screen.top()),
        egui::pos2(screen.right(), screen.top() + 28.0),
    )
}

/// The page count and the keys, in the corner [`hint_rect`] gives.
pub fn hint_ui(painter: &egui::Painter, screen: egui::Rect, index: usize, count: usize) {
    let rect = hint_rect(screen);
    painter.text(
        rect.right_center() - egui::vec2(12.0, 0.0),
        egui::Align2::RIGHT_CENTER,
        format!("{} / {count} · ← → to move, Esc to leave", index + 1),
        egui::FontId::proportional(12.0),
        painter.ctx().global_style().visuals.weak_text_color(),
    );
}
