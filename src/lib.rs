//! Sino-Kazakh Atlas: a desktop map of China–Kazakhstan cooperation.
//!
//! The data flows one way: `data` (load and validate) → `scene` (styled primitives for a view)
//! → backends (`ui` paints the live map). Nothing below `ui` and `app` depends on egui.

pub mod app;
pub mod data;
pub mod export;
pub mod scene;
pub mod spatial;
pub mod style;
pub mod ui;

/// Every frame of the map builds and drops meshes of up to a few hundred kilobytes; the system
/// allocator hands such blocks back to the kernel and faults fresh zeroed pages in on the next
/// frame, which cost more than drawing. mimalloc keeps freed pages for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
