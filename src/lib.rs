//! Sino-Kazakh Atlas: a desktop map of China–Kazakhstan cooperation.
//!
//! The data flows one way: `data` (load and validate) → `scene` (styled primitives for a view)
//! → backends (`ui` paints the live map). Nothing below `ui` and `app` depends on egui.

pub mod app;
pub mod camera;
pub mod data;
pub mod deck;
pub mod export;
pub mod fonts;
pub mod format;
pub mod fs;
pub mod jobs;
pub mod scene;
pub mod slide;
pub mod spatial;
pub mod style;
pub mod ui;
