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
    /// A loan, fund, bank presence or agreement with no site of its own.
    Agreement,
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
    Finance,
    Nuclear,
    Diplomacy,
}

impl Sector {
    pub const ALL: [Self; 12] = [
        Self::Energy,
        Self::OilGas,
        Self::Mining,
        Self::Industry,
        Self::Chemicals,
        Self::Healthcare,
        Self::Automotive,
        Self::Transport,
        Self::Agriculture,
        Self::Finance,
        Self::Nuclear,
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
            Self::Finance => "Finance & loans",
            Self::Nuclear => "Nuclear fuel",
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
    /// A sea crossing by ferry: drawn over water, which its data names.
    Ferry,
}

impl CorridorKind {
    pub const ALL: [Self; 5] = [
        Self::OilPipeline,
        Self::GasPipeline,
        Self::Highway,
        Self::Railway,
        Self::Ferry,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Self::OilPipeline => "Oil pipeline",
            Self::GasPipeline => "Gas pipeline",
            Self::Highway => "Highway",
            Self::Railway => "Railway corridor",
            Self::Ferry => "Ferry crossing",
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
    Cancelled,
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
            Self::Cancelled => "cancelled",
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

/// What kind of publisher a source is, best first: the atlas lists primary and agency sources
/// before research and encyclopedias, and no item or claim rests on an encyclopedia alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The company, government, regulator, parliament, statistics office or intergovernmental body.
    Primary,
    /// A news agency or newspaper of record.
    Agency,
    /// A tracker, think tank, international institution or university.
    Research,
    /// The canonical Wikipedia or Britannica page, never a copy.
    Encyclopedia,
}

impl SourceKind {
    pub const ALL: [Self; 4] = [
        Self::Primary,
        Self::Agency,
        Self::Research,
        Self::Encyclopedia,
    ];

    pub const fn label(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Agency => "news agency",
            Self::Research => "research",
            Self::Encyclopedia => "encyclopedia",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    #[serde(default)]
    pub publisher: String,
    pub url: String,
    /// The publication date, "YYYY", "YYYY-MM" or "YYYY-MM-DD"; empty when the page gives none,
    /// and then `retrieved` says when it was read.
    #[serde(default)]
    pub date: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub retrieved: String,
    /// `None` only in files from elsewhere; the bundled data gives every source a kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SourceKind>,
    /// The language of an encyclopedia article ("en", "ru", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Where the page's text comes from when it republishes another's ("citing Kazinform").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Source {
    /// The date to show: the publication date, else "retrieved …".
    pub fn date_label(&self) -> String {
        match (self.date.trim(), self.retrieved.trim()) {
            ("", "") => String::new(),
            ("", retrieved) => format!("retrieved {retrieved}"),
            (date, _) => date.to_owned(),
        }
    }

    /// The URL's host in lower case, without a port.
    pub fn host(&self) -> Option<String> {
        url_host(&self.url)
    }
}

/// The host of an http(s) URL in lower case, without user info or port.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A dated stage of an item (announced, construction start, operating since…): its date and
/// the source that states it. Files from elsewhere may give the date alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stage {
    Sourced { date: String, source: usize },
    Bare(String),
}

impl Stage {
    pub fn date(&self) -> &str {
        match self {
            Self::Sourced { date, .. } | Self::Bare(date) => date,
        }
    }

    pub const fn source(&self) -> Option<usize> {
        match self {
            Self::Sourced { source, .. } => Some(*source),
            Self::Bare(_) => None,
        }
    }
}

/// A loan as a source states it: who lent how much to whom, for what, in which year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    /// The id of the lending entity (`assets/data/entities.json`).
    pub lender: String,
    pub borrower: String,
    pub amount: f64,
    /// "million" or "billion".
    pub unit: String,
    /// ISO 4217 code: "USD", "CNY", "EUR", "KZT".
    pub currency: String,
    pub year: i32,
    #[serde(default)]
    pub purpose: String,
    pub source: usize,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Loan {
    /// The amount in millions of its currency.
    pub fn millions(&self) -> Option<f64> {
        scale_to_millions(self.amount, &self.unit)
    }
}

/// An amount in millions from a number and a scale word ("million", "billion", "thousand").
pub fn scale_to_millions(amount: f64, scale: &str) -> Option<f64> {
    let factor = match scale.trim().to_ascii_lowercase().as_str() {
        "thousand" => 0.001,
        "million" => 1.0,
        "billion" => 1000.0,
        _ => return None,
    };
    Some(amount * factor).filter(|v| v.is_finite())
}

/// A money unit as the data writes it, "million USD" or "billion CNY": (millions, currency).
pub fn money_in_millions(value: f64, unit: &str) -> Option<(f64, String)> {
    let mut words = unit.split_whitespace();
    let scale = words.next()?;
    let currency = words.next()?;
    let is_code = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
    (is_code && words.next().is_none())
        .then(|| Some((scale_to_millions(value, scale)?, currency.to_owned())))?
}

/// The item's part in an agreement package (`assets/data/packages.json`): what was signed, and
/// for how much where a source says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgreementRef {
    pub package: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default)]
    pub unit: String,
    pub source: usize,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A named section of a corridor with its own dated stages and length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    #[serde(default)]
    pub dates: BTreeMap<String, Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_km: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
    /// How far the true station may lie from `lon_lat`, when it was derived from a description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub how: String,
    /// Index into the item's `sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
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
    pub dates: BTreeMap<String, Stage>,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loans: Vec<Loan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<AgreementRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Ids of distinct items at the same site, which may share its position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_located_with: Vec<String>,
    /// The water a corridor truly crosses ("Caspian Sea, Aktau–Baku ferry"): such a corridor
    /// may cross a lake or sea of the basemap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub water_crossings: Vec<String>,
    /// The sea area of an offshore site ("Caspian Sea, Kazakh sector"): it lies off the land
    /// outline of the country it states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offshore: Option<String>,
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
