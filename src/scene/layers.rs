//! Which layers the user has switched on: each sector, each corridor kind, each basemap layer.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::data::query::Filter;
use crate::data::{CorridorKind, Item, ItemKind, Sector};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasemapLayer {
    Countries,
    Regions,
    Lakes,
    Rivers,
    Cities,
    Graticule,
}

impl BasemapLayer {
    pub const ALL: [Self; 6] = [
        Self::Countries,
        Self::Regions,
        Self::Lakes,
        Self::Rivers,
        Self::Cities,
        Self::Graticule,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Self::Countries => "Countries and borders",
            Self::Regions => "First-level regions",
            Self::Lakes => "Lakes",
            Self::Rivers => "Rivers",
            Self::Cities => "Cities",
            Self::Graticule => "Graticule (degrees)",
        }
    }
}

/// Layers are stored as what is hidden, so a sector or layer added in a later version shows up
/// switched on for users whose saved state predates it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layers {
    pub hidden_sectors: BTreeSet<Sector>,
    pub hidden_corridors: BTreeSet<CorridorKind>,
    pub hidden_basemap: BTreeSet<BasemapLayer>,
    /// Status, country, value, year and date filters over the items.
    pub filter: Filter,
    /// The style and switch of each of the user's layers, by the layer's file path. A layer
    /// without an entry is shown in the palette's colour.
    pub user_layers: BTreeMap<String, UserLayerStyle>,
}

/// How one of the user's layers is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserLayerStyle {
    /// sRGB.
    pub color: [u8; 3],
    pub hidden: bool,
}

impl UserLayerStyle {
    /// The style of the `index`th layer before the user sets one.
    pub const fn first(index: usize) -> Self {
        Self {
            color: crate::style::user_layer_color(index),
            hidden: false,
        }
    }
}

impl Default for UserLayerStyle {
    fn default() -> Self {
        Self::first(0)
    }
}

impl Layers {
    pub fn shows_basemap(&self, layer: BasemapLayer) -> bool {
        !self.hidden_basemap.contains(&layer)
    }

    pub fn shows_sector(&self, sector: Sector) -> bool {
        !self.hidden_sectors.contains(&sector)
    }

    /// The style of the user layer of `path`, the `index`th drawn: the one set for it, else
    /// the palette's `index`th colour, shown.
    pub fn user_layer_style(&self, path: &str, index: usize) -> UserLayerStyle {
        self.user_layers
            .get(path)
            .copied()
            .unwrap_or(UserLayerStyle::first(index))
    }

    /// These layers with the styles of `other` for the user layers they have none for: a slide
    /// made before a layer was opened shows it as the map does.
    pub fn with_user_layer_styles_of(&self, other: &Self) -> Self {
        let mut layers = self.clone();
        for (path, style) in &other.user_layers {
            layers.user_layers.entry(path.clone()).or_insert(*style);
        }
        layers
    }

    pub fn shows_corridor(&self, kind: CorridorKind) -> bool {
        !self.hidden_corridors.contains(&kind)
    }

    /// Corridors follow their kind's switch; every other item follows its sector's; and every
    /// item must pass the filter.
    pub fn shows_item(&self, item: &Item) -> bool {
        self.filter.admits(item) && self.switched_on(item)
    }

    fn switched_on(&self, item: &Item) -> bool {
        match (item.properties.kind, item.properties.corridor_kind) {
            (ItemKind::Corridor, Some(kind)) => self.shows_corridor(kind),
            _ => self.shows_sector(item.properties.sector),
        }
    }

    pub fn set<T: Ord>(hidden: &mut BTreeSet<T>, key: T, visible: bool) {
        if visible {
            hidden.remove(&key);
        } else {
            hidden.insert(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slide_shows_a_user_layer_as_the_map_does_unless_it_has_its_own_style() {
        let hidden = UserLayerStyle {
            color: [1, 2, 3],
            hidden: true,
        };
        let mut map = Layers::default();
        map.user_layers.insert("/a.csv".into(), hidden);
        map.user_layers.insert("/b.csv".into(), hidden);
        let mut slide = Layers::default();
        let own = UserLayerStyle::first(4);
        slide.user_layers.insert("/b.csv".into(), own);
        let shown = slide.with_user_layer_styles_of(&map);
        assert_eq!(shown.user_layer_style("/a.csv", 0), hidden);
        assert_eq!(shown.user_layer_style("/b.csv", 1), own);
        assert_eq!(
            shown.user_layer_style("/c.csv", 2),
            UserLayerStyle::first(2),
            "a layer no one styled takes the palette's colour for its place"
        );
    }
}
