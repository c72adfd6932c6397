//! The domain types of the atlas: items (sites, corridors, regions, places), their figures,
//! precision and sources, exactly as the bundled GeoJSON stores them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What an item is on the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A facility, a project or a border crossing: one point.
    Site,
    /// A pipeline, highway or railway: one or more lines.
    Corridor,
    /// A first-level division named by the article.
    Region,
    /// A city that matters as the place of an event.
    Place,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Energy,
    OilGas,
    Mining,
    Industry,
    Chemicals,
    Healthcare,
    Automotive,
    Transport,
    Agriculture,
    Diplomacy,
}

impl Sector {
    pub const ALL: [Self; 10] = [
        Self::Energy,
        Self::OilGas,
        Self::Mining,
        Self::Industry,
        Self::Chemicals,
        Self::Healthcare,
        Self::Automotive,
        Self::Transport,
        Self::Agriculture,
        Self::Diplomacy,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Self::Energy => "Energy",
            Self::OilGas => "Oil & gas",
            Self::Mining => "Mining & metals",
            Self::Industry => "Industry",
            Self::Chemicals => "Chemicals",
            Self::Healthcare => "Healthcare",
            Self::Automotive => "Automotive",
            Self::Transport => "Transport & logistics",
            Self::Agriculture => "Agriculture",
            Self::Diplomacy => "Diplomacy & regions",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorridorKind {
    OilPipeline,
    GasPipeline,
    Highway,
    Railway,
}

impl CorridorKind {
    pub const ALL: [Self; 4] = [
        Self::OilPipeline,
        Self::GasPipeline,
        Self::Highway,
        Self::Railway,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Self::OilPipeline => "Oil pipeline",
            Self::GasPipeline => "Gas pipeline",
            Self::Highway => "Highway",
            Self::Railway => "Railway corridor",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Announced,
    Planned,
    UnderConstruction,
    Operating,
    Completed,
    Suspended,
    Unknown,
}

impl Status {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Announced => "announced",
            Self::Planned => "planned",
            Self::UnderConstruction => "under construction",
            Self::Operating => "operating",
            Self::Completed => "completed",
            Self::Suspended => "suspended",
            Self::Unknown => "status unknown",
        }
    }
}

/// How exactly an item's geometry is known (DESIGN.md: precision is part of every item).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecisionClass {
    Site,
    Near,
    Town,
    Region,
    Country,
    Unmapped,
    Traced,
    Approximate,
    Schematic,
}

impl PrecisionClass {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Site => "exact site",
            Self::Near => "near (within a stated radius)",
            Self::Town => "town level",
            Self::Region => "region level",
            Self::Country => "country level",
            Self::Unmapped => "unmapped",
            Self::Traced => "traced along the real line",
            Self::Approximate => "approximate, through the known stations",
            Self::Schematic => "schematic, end points only",
        }
    }

    pub const fn fits_points(self) -> bool {
        matches!(
            self,
            Self::Site | Self::Near | Self::Town | Self::Region | Self::Country
        )
    }

    pub const fn fits_lines(self) -> bool {
        matches!(self, Self::Traced | Self::Approximate | Self::Schematic)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    pub class: PrecisionClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<f64>,
    pub how: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    #[serde(default)]
    pub publisher: String,
    pub url: String,
    #[serde(default)]
    pub date: String,
}

/// A figure is a claim: one value as one source states it, for a stated scope and date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub value: f64,
    pub unit: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub as_of: String,
    /// Index into the item's `sources`.
    pub source: usize,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueClaim {
    pub value: f64,
    pub unit: String,
    pub source: usize,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A named station or town a corridor passes through, with its own coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Station {
    pub name: String,
    pub lon_lat: [f64; 2],
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Partners {
    #[serde(default)]
    pub cn: Vec<String>,
    #[serde(default)]
    pub kz: Vec<String>,
    #[serde(default)]
    pub other: Vec<String>,
}

/// A field that the data writes as one string or as a list of strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

/// The properties of one dataset feature. Unknown properties are kept in `extra` so that a
/// load → save round trip loses nothing a user or another tool added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemProperties {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: BTreeMap<String, OneOrMany>,
    pub kind: ItemKind,
    pub sector: Sector,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corridor_kind: Option<CorridorKind>,
    pub status: Status,
    #[serde(default)]
    pub dates: BTreeMap<String, String>,
    /// ISO 3166 alpha-2 codes of the countries the geometry lies in.
    pub country: OneOrMany,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_region: Option<String>,
    #[serde(default)]
    pub partners: Partners,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ValueClaim>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_note: Option<String>,
    #[serde(default)]
    pub figures: Vec<Figure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stations: Vec<Station>,
    pub precision: Precision,
    pub sources: Vec<Source>,
    /// For corridors: the scope of the drawn geometry, matching the scope of a `length` figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry_scope: Option<String>,
    /// For regions: the name of the basemap region polygon the item stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_ref: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The geometry of an item in lon/lat degrees (WGS84).
#[derive(Clone, Debug, PartialEq)]
pub enum ItemGeometry {
    Point(geo::Point<f64>),
    Lines(geo::MultiLineString<f64>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub properties: ItemProperties,
    /// `None` for an item no source lets us place (precision class `unmapped`).
    pub geometry: Option<ItemGeometry>,
}

impl Item {
    pub fn id(&self) -> &str {
        &self.properties.id
    }

    pub fn name(&self) -> &str {
        &self.properties.name
    }

    pub fn countries(&self) -> &[String] {
        self.properties.country.as_slice()
    }

    /// The stated length of the drawn geometry: the `length` figure whose scope is the
    /// geometry's scope, or the only `length` figure when no scope is given.
    pub fn stated_length(&self) -> Option<&Figure> {
        let lengths = || self.properties.figures.iter().filter(|f| f.key == "length");
        match &self.properties.geometry_scope {
            Some(scope) => lengths().find(|f| &f.scope == scope),
            None if lengths().count() == 1 => lengths().next(),
            None => None,
        }
    }

    pub fn source_of(&self, index: usize) -> Option<&Source> {
        self.properties.sources.get(index)
    }
}
