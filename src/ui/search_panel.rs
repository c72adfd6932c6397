//! The search window (Ctrl+F): type a name or alias in any of the atlas's languages, choose a
//! result to select the item and bring it into view.

use egui::Ui;

use crate::data::Atlas;
use crate::data::search::{Hit, search};
use crate::scene::Layers;

/// What the user has typed; `None` in the app while the window is closed.
#[derive(Clone, Debug, Default)]
pub struct SearchState {
    pub query: String,
    /// Focus the text field on the next frame (the window just opened).
    pub focus: bool,
    /// The hits of the last query searched: the window is redrawn every frame while open,
    /// and the items do not change, so the same query is not searched again.
    cached: Option<(String, Vec<Hit>)>,
}

impl SearchState {
    /// The hits for the query as typed, searched once per query.
    pub fn hits(&mut self, items: &[crate::data::Item]) -> &[Hit] {
        let stale = self
            .cached
            .as_ref()
            .is_none_or(|(query, _)| *query != self.query);
        if stale {
            self.cached = Some((self.query.clone(), search(items, &self.query)));
        }
        self.cached
            .as_ref()
            .map_or(&[], |(_, hits)| hits.as_slice())
    }
}

#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchIntent {
    Choose(usize),
}

/// The most results listed; the rest are counted.
const MAX_LISTED: usize = 12;

/// Lists the matches; those the filters or layers hide are marked, since choosing one selects
/// an item the map does not draw.
pub fn search_ui(
    ui: &mut Ui,
    atlas: &Atlas,
    layers: &Layers,
    state: &mut SearchState,
) -> Option<SearchIntent> {
    let mut intent = None;
    let field = ui.add(
        egui::TextEdit::singleline(&mut state.query)
            .hint_text("Name or alias: Aqtöbe, Достык, 霍尔果斯…")
            .desired_width(f32::INFINITY),
    );
    if std::mem::take(&mut state.focus) {
        field.request_focus();
    }
    let hits = state.hits(&atlas.items).to_vec();
    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if enter && let Some(first) = hits.first() {
        intent = Some(SearchIntent::Choose(first.item));
    }
    if state.query.trim().is_empty() {
        ui.label(
            egui::RichText::new("English, Russian, Kazakh or Chinese; spelling may vary.").weak(),
        );
    } else if hits.is_empty() {
        ui.label("No item has that name or alias.");
    }
    for hit in hits.iter().take(MAX_LISTED) {
        let item = &atlas.items[hit.item];
        let mut text = if hit.matched == item.name() {
            item.name().to_owned()
        } else {
            format!("{}  ({})", item.name(), hit.matched)
        };
        if !layers.shows_item(item) {
            text.push_str("  · hidden by the filters");
        }
        let unmapped = item.geometry.is_none();
        let response = ui.selectable_label(false, text);
        let response = if unmapped {
            response.on_hover_text("Not on the map: the details say why")
        } else {
            response
        };
        if response.clicked() {
            intent = Some(SearchIntent::Choose(hit.item));
        }
    }
    if hits.len() > MAX_LISTED {
        ui.label(format!("and {} more", hits.len() - MAX_LISTED));
    }
    intent
}

#[cfg(test)]
mod tests {
    use super::SearchState;

    #[test]
    fn a_query_is_searched_once_and_again_when_it_changes() {
        let atlas = crate::data::bundled::load().expect("the bundled data loads");
        let mut state = SearchState {
            query: "Khorgos".into(),
            ..SearchState::default()
        };
        let first = state.hits(&atlas.items).to_vec();
        assert!(!first.is_empty());
        // Given no items, a cached query still answers from the cache.
        assert_eq!(state.hits(&[]), first.as_slice());
        state.query = "Aktau".into();
        assert!(state.hits(&[]).is_empty(), "a new query is searched");
    }
}
