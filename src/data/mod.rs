//! Domain data: items, figures and the basemap; loading, validation and typed errors. No egui here.

mod basemap;
mod error;
mod figures;
mod import;
mod items;
mod model;
pub mod query;
pub mod search;
mod user_layer;

pub use basemap::{Area, Basemap, BasemapSources, City, parse_basemap};
pub use error::{LoadError, Problem};
pub use figures::{Claim, Event, FigureBook, parse_figures};
pub use import::{
    LayerFormat, MAX_FILE_BYTES, MAX_NESTING_LEVELS, check_nesting, load_user_layer,
    parse_user_layer, read_text,
};
pub use items::{items_to_geojson, load_items, parse_items};
pub use model::*;
pub use user_layer::UserLayer;

/// Everything the atlas shows: the project dataset, the figures and the basemap.
#[derive(Clone, Debug, Default)]
pub struct Atlas {
    pub items: Vec<Item>,
    pub figures: FigureBook,
    pub basemap: Basemap,
    /// The user's own layers, drawn over everything else.
    pub user_layers: Vec<UserLayer>,
}

impl Atlas {
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id() == id)
    }
}

/// The data shipped inside the program, so the atlas works offline from any directory.
pub mod bundled {
    use super::{Atlas, BasemapSources, LoadError, parse_basemap, parse_figures, parse_items};

    pub const ITEMS_FILE: &str = "assets/data/projects.geojson";
    pub const FIGURES_FILE: &str = "assets/data/figures.json";
    pub const ITEMS: &str = include_str!("../../assets/data/projects.geojson");
    pub const FIGURES: &str = include_str!("../../assets/data/figures.json");

    pub fn basemap_sources() -> BasemapSources<'static> {
        BasemapSources {
            countries_detailed: (
                "assets/basemap/countries-10m.geojson",
                include_str!("../../assets/basemap/countries-10m.geojson"),
            ),
            countries_coarse: (
                "assets/basemap/countries-50m.geojson",
                include_str!("../../assets/basemap/countries-50m.geojson"),
            ),
            regions: (
                "assets/basemap/regions-10m.geojson",
                include_str!("../../assets/basemap/regions-10m.geojson"),
            ),
            lakes: (
                "assets/basemap/lakes-10m.geojson",
                include_str!("../../assets/basemap/lakes-10m.geojson"),
            ),
            rivers: (
                "assets/basemap/rivers-50m.geojson",
                include_str!("../../assets/basemap/rivers-50m.geojson"),
            ),
            cities: (
                "assets/basemap/cities.geojson",
                include_str!("../../assets/basemap/cities.geojson"),
            ),
        }
    }

    /// Loads the bundled atlas; every error is returned, none is swallowed.
    pub fn load() -> Result<Atlas, Vec<LoadError>> {
        let items = parse_items(ITEMS_FILE, ITEMS);
        let figures = parse_figures(FIGURES_FILE, FIGURES);
        let basemap = parse_basemap(&basemap_sources());
        match (items, figures, basemap) {
            (Ok(items), Ok(figures), Ok(basemap)) => Ok(Atlas {
                items,
                figures,
                basemap,
                user_layers: Vec::new(),
            }),
            (items, figures, basemap) => Err([items.err(), figures.err(), basemap.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}
