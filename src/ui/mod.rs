//! The egui side: the map view, the details and layers panels, and the painter of scenes.
//! Panels return intents; `app.rs` applies them.

pub mod batches;
pub mod deck_panel;
pub mod details;
pub mod entity_panel;
pub mod export_panel;
pub mod figures_panel;
pub mod filter_panel;
pub mod fonts;
pub mod help;
pub mod layers_panel;
pub mod map_view;
pub mod open_panel;
pub mod paint;
pub mod presentation;
pub mod search_panel;
pub mod slide_painter;
