//! Domain data: items, figures and the basemap; loading, validation and typed errors. No egui here.

pub mod audit;
mod basemap;
mod entities;
mod error;
mod figures;
mod import;
mod items;
mod model;
pub mod query;
pub mod search;
mod user_layer;

pub use basemap::{Area, Basemap, BasemapSources, City, parse_basemap};
pub use entities::{
    Entity, EntityBook, EntityKind, Involvement, Package, PackageCoverage, Role, StatedTotal,
    involvement, parse_entities, partner_key, takes_part,
};
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
    /// Lenders, companies and agreement packages that items link to.
    pub entities: EntityBook,
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
    use super::{
        Atlas, BasemapSources, LoadError, parse_basemap, parse_entities, parse_figures, parse_items,
    };

    pub const ITEMS_FILE: &str = "assets/data/projects.geojson";
    pub const FIGURES_FILE: &str = "assets/data/figures.json";
    pub const ENTITIES_FILE: &str = "assets/data/entities.json";
    pub const ITEMS: &str = include_str!("../../assets/data/projects.geojson");
    pub const FIGURES: &str = include_str!("../../assets/data/figures.json");
    pub const ENTITIES: &str = include_str!("../../assets/data/entities.json");
    /// Hosts no source of the atlas may use (`data::audit::RefusedHosts`).
    pub const REFUSED_HOSTS: &str = include_str!("../../assets/data/refused-hosts.txt");

    /// The basemap layers as `build.rs` compressed them, with the file each came from.
    const BASEMAP_DEFLATED: [(&str, &[u8]); 6] = [
        (
            "assets/basemap/countries-10m.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/countries-10m.geojson.deflate")),
        ),
        (
            "assets/basemap/countries-50m.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/countries-50m.geojson.deflate")),
        ),
        (
            "assets/basemap/regions-10m.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/regions-10m.geojson.deflate")),
        ),
        (
            "assets/basemap/lakes-10m.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/lakes-10m.geojson.deflate")),
        ),
        (
            "assets/basemap/rivers-50m.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/rivers-50m.geojson.deflate")),
        ),
        (
            "assets/basemap/cities.geojson",
            include_bytes!(concat!(env!("OUT_DIR"), "/cities.geojson.deflate")),
        ),
    ];

    /// The text of the bundled basemap layers, inflated.
    pub struct BasemapFiles {
        files: [(&'static str, String); 6],
    }

    fn source<'a>((file, text): &'a (&'static str, String)) -> (&'static str, &'a str) {
        (file, text.as_str())
    }

    impl BasemapFiles {
        pub fn sources(&self) -> BasemapSources<'_> {
            let [detailed, coarse, regions, lakes, rivers, cities] = &self.files;
            BasemapSources {
                countries_detailed: source(detailed),
                countries_coarse: source(coarse),
                regions: source(regions),
                lakes: source(lakes),
                rivers: source(rivers),
                cities: source(cities),
            }
        }
    }

    /// One zlib stream of `build.rs`, as text.
    fn inflate(file: &str, packed: &[u8]) -> Result<String, LoadError> {
        let damaged = |message: String| LoadError::Io {
            file: file.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the copy built into the program is damaged: {message}"),
            ),
        };
        let bytes = fdeflate::decompress_to_vec(packed).map_err(|e| damaged(format!("{e:?}")))?;
        String::from_utf8(bytes).map_err(|e| damaged(e.to_string()))
    }

    /// Inflates the bundled basemap layers. They fail only if the program itself is damaged.
    pub fn basemap_files() -> Result<BasemapFiles, LoadError> {
        let inflate = |(file, packed)| inflate(file, packed).map(|text| (file, text));
        // The 1:10m countries, about half of the bytes, inflate on a second thread.
        let [detailed, rest @ ..] = BASEMAP_DEFLATED;
        let (detailed, [b, c, d, e, f]) = std::thread::scope(|scope| {
            let large = scope.spawn(|| inflate(detailed));
            let rest = rest.map(inflate);
            // Inflating returns errors, never panics; were it to, the panic goes on here.
            let detailed = large
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (detailed, rest)
        });
        Ok(BasemapFiles {
            files: [detailed?, b?, c?, d?, e?, f?],
        })
    }

    /// Loads the bundled atlas; every error is returned, none is swallowed.
    pub fn load() -> Result<Atlas, Vec<LoadError>> {
        let items = parse_items(ITEMS_FILE, ITEMS);
        let figures = parse_figures(FIGURES_FILE, FIGURES);
        let entities = parse_entities(ENTITIES_FILE, ENTITIES);
        let basemap = basemap_files().and_then(|files| parse_basemap(&files.sources()));
        match (items, figures, entities, basemap) {
            (Ok(items), Ok(figures), Ok(entities), Ok(basemap)) => Ok(Atlas {
                items,
                figures,
                entities,
                basemap,
                user_layers: Vec::new(),
            }),
            (items, figures, entities, basemap) => {
                Err([items.err(), figures.err(), entities.err(), basemap.err()]
                    .into_iter()
                    .flatten()
                    .collect())
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_damaged_built_in_layer_is_an_error_naming_its_file() {
            let (file, packed) = super::BASEMAP_DEFLATED[4];
            assert!(super::inflate(file, packed).is_ok_and(|text| text.contains("Feature")));
            let mut damaged = packed.to_vec();
            damaged.truncate(packed.len() / 2);
            let error = super::inflate(file, &damaged).expect_err("half a stream");
            let message = error.to_string();
            assert!(
                message.starts_with("assets/basemap/rivers-50m.geojson: cannot read the file: the copy built into the program is damaged"),
                "{message}"
            );
        }
    }
}
