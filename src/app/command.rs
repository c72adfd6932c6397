//! What the user asks of the app in a frame. Panels and windows return intents; the app turns
//! each into a `Command` and applies the frame's commands in one place
//! (`AtlasApp::apply_commands`), after the frame's UI is laid out, so that no panel changes
//! state that a panel drawn later in the same frame reads.

use std::path::PathBuf;

use crate::camera::Bounds;
use crate::style::Theme;
use crate::ui::deck_panel::DeckIntent;
use crate::ui::details::DetailsIntent;
use crate::ui::entity_panel::EntityIntent;
use crate::ui::figures_panel::FiguresIntent;
use crate::ui::filter_panel::FilterIntent;
use crate::ui::layers_panel::LayersIntent;
use crate::ui::open_panel::OpenIntent;
use crate::ui::presentation::PresentationIntent;
use crate::ui::search_panel::SearchIntent;

#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Select an item, or clear the selection.
    Select(Option<usize>),
    /// Select an item and bring it into view (search, entity lists).
    Choose(usize),
    /// Select the item with this id and bring it into view.
    ChooseId(String),
    OpenUrl(String),
    HighlightPartner(Option<String>),
    ShowEntity(String),
    Filter(FilterIntent),
    Layers(LayersIntent),
    Deck(DeckIntent),
    /// Start exporting the current view with the Export window's settings.
    StartExport,
    /// Puts the current view, as a 1920×1080 slide, on the clipboard as an image.
    CopySlide,
    CloseExport,
    CloseSearch,
    OpenLayerFiles(Vec<PathBuf>),
    CloseOpenDialog,
    /// Start presenting at this slide.
    Present(usize),
    Presentation(PresentationIntent),
    /// Show this box of the map plane (fit all, opening view).
    ShowBounds(Bounds),
    SetTheme(Theme),
}

impl From<DetailsIntent> for Command {
    fn from(intent: DetailsIntent) -> Self {
        match intent {
            DetailsIntent::OpenUrl(url) => Self::OpenUrl(url),
            DetailsIntent::ClearSelection => Self::Select(None),
            DetailsIntent::HighlightPartner(partner) => Self::HighlightPartner(partner),
            DetailsIntent::ShowEntity(id) => Self::ShowEntity(id),
        }
    }
}

impl From<FiguresIntent> for Command {
    fn from(intent: FiguresIntent) -> Self {
        match intent {
            FiguresIntent::OpenUrl(url) => Self::OpenUrl(url),
            FiguresIntent::ShowEntity(id) => Self::ShowEntity(id),
        }
    }
}

impl From<EntityIntent> for Command {
    fn from(intent: EntityIntent) -> Self {
        match intent {
            EntityIntent::SelectItem(id) => Self::ChooseId(id),
            EntityIntent::ShowEntity(id) => Self::ShowEntity(id),
            EntityIntent::OpenUrl(url) => Self::OpenUrl(url),
        }
    }
}

impl From<SearchIntent> for Command {
    fn from(intent: SearchIntent) -> Self {
        match intent {
            SearchIntent::Choose(item) => Self::Choose(item),
        }
    }
}

impl From<OpenIntent> for Command {
    fn from(intent: OpenIntent) -> Self {
        match intent {
            OpenIntent::Open(path) => Self::OpenLayerFiles(vec![path]),
            OpenIntent::Close => Self::CloseOpenDialog,
        }
    }
}

impl From<FilterIntent> for Command {
    fn from(intent: FilterIntent) -> Self {
        Self::Filter(intent)
    }
}

impl From<LayersIntent> for Command {
    fn from(intent: LayersIntent) -> Self {
        Self::Layers(intent)
    }
}

impl From<DeckIntent> for Command {
    fn from(intent: DeckIntent) -> Self {
        Self::Deck(intent)
    }
}

impl From<PresentationIntent> for Command {
    fn from(intent: PresentationIntent) -> Self {
        Self::Presentation(intent)
    }
}
