//! The offline basemap: countries, first-level regions, lakes, rivers and cities, read from the
//! GeoJSON layers that `assets/basemap/build_basemap.py` writes.

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde_json::Value;

use super::error::{LoadError, Problem};

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

pub fn parse_basemap(sources: &BasemapSources<'_>) -> Result<Basemap, LoadError> {
    let mut attributions = Vec::new();
    let mut layer = |(file, text): (&str, &str)| -> Result<Vec<Value>, LoadError> {
        let mut root: Value =
            serde_json::from_str(text).map_err(|e| LoadError::syntax(file, &e))?;
        if let Some(a) = root.get("attribution").and_then(Value::as_str)
            && !attributions.iter().any(|x: &String| x == a)
        {
            attributions.push(a.to_owned());
        }
        match root.get_mut("features").map(Value::take) {
            Some(Value::Array(features)) => Ok(features),
            _ => Err(LoadError::Invalid {
                file: file.to_owned(),
                problems: vec![Problem {
                    feature_index: None,
                    id: None,
                    field: "features".into(),
                    message: "expected an array of features".into(),
                }],
            }),
        }
    };
    let areas = |file: &str, features: Vec<Value>, code_key: &str| {
        features
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let shape = polygons(&f["geometry"]).ok_or_else(|| bad_geometry(file, i))?;
                Ok(Area {
                    name: string(&f["properties"]["name"]),
                    code: string(&f["properties"][code_key]),
                    shape,
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()
    };

    let countries_detailed = areas(
        sources.countries_detailed.0,
        layer(sources.countries_detailed)?,
        "iso_a2",
    )?;
    let countries_coarse = areas(
        sources.countries_coarse.0,
        layer(sources.countries_coarse)?,
        "iso_a2",
    )?;
    let regions = areas(sources.regions.0, layer(sources.regions)?, "country")?;
    let lakes = areas(sources.lakes.0, layer(sources.lakes)?, "name")?;
    let rivers = layer(sources.rivers)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| lines(&f["geometry"]).ok_or_else(|| bad_geometry(sources.rivers.0, i)))
        .collect::<Result<Vec<_>, _>>()?;
    let cities = layer(sources.cities)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let c = &f["geometry"]["coordinates"];
            let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) else {
                return Err(bad_geometry(sources.cities.0, i));
            };
            Ok(City {
                name: string(&f["properties"]["name"]),
                country: string(&f["properties"]["country"]),
                population: f["properties"]["population"].as_u64().unwrap_or(0),
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

fn string(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn bad_geometry(file: &str, index: usize) -> LoadError {
    LoadError::Invalid {
        file: file.to_owned(),
        problems: vec![Problem {
            feature_index: Some(index),
            id: None,
            field: "geometry".into(),
            message: "expected valid coordinates of the layer's geometry type".into(),
        }],
    }
}

fn ring(v: &Value) -> Option<LineString<f64>> {
    v.as_array()?
        .iter()
        .map(|p| {
            Some(Coord {
                x: p.get(0)?.as_f64()?,
                y: p.get(1)?.as_f64()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .map(LineString::new)
}

fn polygon(v: &Value) -> Option<Polygon<f64>> {
    let mut rings = v.as_array()?.iter().map(ring);
    let exterior = rings.next()??;
    let interiors = rings.collect::<Option<Vec<_>>>()?;
    Some(Polygon::new(exterior, interiors))
}

fn polygons(geometry: &Value) -> Option<MultiPolygon<f64>> {
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str()? {
        "Polygon" => Some(MultiPolygon::new(vec![polygon(coordinates)?])),
        "MultiPolygon" => coordinates
            .as_array()?
            .iter()
            .map(polygon)
            .collect::<Option<Vec<_>>>()
            .map(MultiPolygon::new),
        _ => None,
    }
}

fn lines(geometry: &Value) -> Option<MultiLineString<f64>> {
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str()? {
        "LineString" => Some(MultiLineString::new(vec![ring(coordinates)?])),
        "MultiLineString" => coordinates
            .as_array()?
            .iter()
            .map(ring)
            .collect::<Option<Vec<_>>>()
            .map(MultiLineString::new),
        _ => None,
    }
}
