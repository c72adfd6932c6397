//! The offline basemap: countries, first-level regions, lakes, rivers and cities, read from the
//! GeoJSON layers that `assets/basemap/build_basemap.py` writes.

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point, Polygon};

use super::error::{LoadError, Problem, deserialize_json};

/// A named polygon layer entry: a country (code = ISO alpha-2) or a region (code = its country).
#[derive(Clone, Debug)]
pub struct Area {
    pub name: String,
    pub code: String,
    pub shape: MultiPolygon<f64>,
}

#[derive(Clone, Debug)]
pub struct City {
    pub name: String,
    pub country: String,
    pub population: u64,
    pub lon_lat: Point<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct Basemap {
    /// Natural Earth 1:10m countries, for regional zoom and for point-in-country checks.
    pub countries_detailed: Vec<Area>,
    /// Natural Earth 1:50m countries, for wide views.
    pub countries_coarse: Vec<Area>,
    pub regions: Vec<Area>,
    pub lakes: Vec<Area>,
    pub rivers: Vec<MultiLineString<f64>>,
    pub cities: Vec<City>,
    /// One line per layer, shown on the map and in exports.
    pub attributions: Vec<String>,
}

impl Basemap {
    pub fn country(&self, iso_a2: &str) -> Option<&Area> {
        self.countries_detailed.iter().find(|a| a.code == iso_a2)
    }

    pub fn region(&self, name: &str) -> Option<&Area> {
        self.regions.iter().find(|a| a.name == name)
    }
}

/// The text of each basemap layer, with the name used for it in errors.
pub struct BasemapSources<'a> {
    pub countries_detailed: (&'a str, &'a str),
    pub countries_coarse: (&'a str, &'a str),
    pub regions: (&'a str, &'a str),
    pub lakes: (&'a str, &'a str),
    pub rivers: (&'a str, &'a str),
    pub cities: (&'a str, &'a str),
}

/// A basemap layer as written by the build script. Deserialising straight into these types,
/// rather than through `serde_json::Value`, roughly halves start-up parsing.
#[derive(serde::Deserialize)]
struct RawLayer {
    #[serde(default)]
    attribution: Option<String>,
    features: Vec<RawFeature>,
}

#[derive(serde::Deserialize)]
struct RawFeature {
    #[serde(default)]
    properties: RawProperties,
    geometry: RawGeometry,
}

#[derive(serde::Deserialize, Default)]
struct RawProperties {
    #[serde(default)]
    name: String,
    #[serde(default)]
    iso_a2: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    population: u64,
}

type Ring = Vec<[f64; 2]>;

#[derive(serde::Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum RawGeometry {
    Point([f64; 2]),
    LineString(Ring),
    MultiLineString(Vec<Ring>),
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
}

fn line_string(ring: Ring) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = ring.into_iter().map(|[x, y]| Coord { x, y }).collect();
    // Deserialising grows each ring by doubling, and the basemap is kept for the whole run:
    // without this, about half of its memory would be unused capacity.
    coords.shrink_to_fit();
    LineString::new(coords)
}

fn polygon(rings: Vec<Ring>) -> Option<Polygon<f64>> {
    let mut rings = rings.into_iter().map(line_string);
    let exterior = rings.next()?;
    Some(Polygon::new(exterior, rings.collect()))
}

impl RawGeometry {
    fn polygons(self) -> Option<MultiPolygon<f64>> {
        match self {
            Self::Polygon(rings) => Some(MultiPolygon::new(vec![polygon(rings)?])),
            Self::MultiPolygon(polygons) => polygons
                .into_iter()
                .map(polygon)
                .collect::<Option<Vec<_>>>()
                .map(MultiPolygon::new),
            _ => None,
        }
    }

    fn lines(self) -> Option<MultiLineString<f64>> {
        match self {
            Self::LineString(ring) => Some(MultiLineString::new(vec![line_string(ring)])),
            Self::MultiLineString(rings) => Some(MultiLineString::new(
                rings.into_iter().map(line_string).collect(),
            )),
            _ => None,
        }
    }
}

pub fn parse_basemap(sources: &BasemapSources<'_>) -> Result<Basemap, LoadError> {
    // The largest file, about half of the bytes, parses on a second thread while this one
    // parses the rest: parsing is most of the start-up time.
    let parse = |(file, text): (&str, &str)| deserialize_json::<RawLayer>(file, text);
    let (detailed, others) = std::thread::scope(|scope| {
        let large = scope.spawn(|| parse(sources.countries_detailed));
        let others = [
            sources.regions,
            sources.countries_coarse,
            sources.lakes,
            sources.rivers,
            sources.cities,
        ]
        .map(parse);
        // Parsing returns errors, never panics; were it to, the panic goes on as it would
        // have on this thread.
        let detailed = large
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (detailed, others)
    });
    let [regions, coarse, lakes, rivers, cities] = others;
    let mut attributions: Vec<String> = Vec::new();
    let mut layer = |parsed: Result<RawLayer, LoadError>| -> Result<Vec<RawFeature>, LoadError> {
        let layer = parsed?;
        if let Some(a) = layer.attribution
            && !attributions.contains(&a)
        {
            attributions.push(a);
        }
        Ok(layer.features)
    };
    let areas = |file: &str, features: Vec<RawFeature>, by_country: bool| {
        features
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let shape = f.geometry.polygons().ok_or_else(|| bad_geometry(file, i))?;
                let code = if by_country {
                    f.properties.country
                } else {
                    f.properties.iso_a2
                };
                Ok(Area {
                    name: f.properties.name,
                    code,
                    shape,
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()
    };

    let countries_detailed = areas(sources.countries_detailed.0, layer(detailed)?, false)?;
    let countries_coarse = areas(sources.countries_coarse.0, layer(coarse)?, false)?;
    let regions = areas(sources.regions.0, layer(regions)?, true)?;
    let lakes = areas(sources.lakes.0, layer(lakes)?, false)?;
    let rivers = layer(rivers)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            f.geometry
                .lines()
                .ok_or_else(|| bad_geometry(sources.rivers.0, i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cities = layer(cities)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let RawGeometry::Point([lon, lat]) = f.geometry else {
                return Err(bad_geometry(sources.cities.0, i));
            };
            Ok(City {
                name: f.properties.name,
                country: f.properties.country,
                population: f.properties.population,
                lon_lat: Point::new(lon, lat),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Basemap {
        countries_detailed,
        countries_coarse,
        regions,
        lakes,
        rivers,
        cities,
        attributions,
    })
}

fn bad_geometry(file: &str, index: usize) -> LoadError {
    LoadError::Invalid {
        file: file.to_owned(),
        problems: vec![Problem {
            line_column: None,
            feature_index: Some(index),
            id: None,
            field: "geometry".into(),
            message: "expected valid coordinates of the layer's geometry type".into(),
        }],
    }
}
