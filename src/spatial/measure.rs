//! Geodesic measures on the WGS84 ellipsoid: corridor lengths, kilometres per country and
//! distances from a place to a line.

use geo::{Contains, Distance, Geodesic, Length, LineString, MultiLineString, Point};

use crate::data::Area;

pub fn geodesic_length_km(lines: &MultiLineString<f64>) -> f64 {
    lines.0.iter().map(|l| Geodesic.length(l)).sum::<f64>() / 1000.0
}

pub fn geodesic_distance_km(a: Point<f64>, b: Point<f64>) -> f64 {
    Geodesic.distance(a, b) / 1000.0
}

/// The geodesic length of a path through lon/lat points, leg by leg.
pub fn path_length_km(points: &[[f64; 2]]) -> f64 {
    points
        .windows(2)
        .map(|leg| {
            geodesic_distance_km(
                Point::new(leg[0][0], leg[0][1]),
                Point::new(leg[1][0], leg[1][1]),
            )
        })
        .sum()
}

/// A country's outline as measuring needs it: its name, and whether it holds a point.
pub trait CountryOutline {
    fn country_name(&self) -> &str;
    fn holds(&self, lon_lat: Point<f64>) -> bool;
}

impl CountryOutline for Area {
    fn country_name(&self) -> &str {
        &self.name
    }

    fn holds(&self, lon_lat: Point<f64>) -> bool {
        self.shape.contains(&lon_lat)
    }
}

/// Kilometres of a line inside each country, longest first. Each segment is cut into pieces of
/// at most `STEP_KM` and each piece counted in the country holding its midpoint; the remainder
/// (over sea or outside the basemap) is reported under "".
pub fn km_per_country(
    lines: &MultiLineString<f64>,
    countries: &[impl CountryOutline],
) -> Vec<(String, f64)> {
    const STEP_KM: f64 = 2.0;
    let mut totals: Vec<(String, f64)> = Vec::new();
    let mut last_hit: Option<usize> = None;
    for line in &lines.0 {
        for segment in line.lines() {
            let (a, b) = (Point::from(segment.start), Point::from(segment.end));
            let length_km = geodesic_distance_km(a, b);
            let pieces = (length_km / STEP_KM).ceil().max(1.0);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "pieces is a small positive count"
            )]
            let pieces_n = pieces as usize;
            for k in 0..pieces_n {
                #[expect(clippy::cast_precision_loss, reason = "k is a small count")]
                let t = (k as f64 + 0.5) / pieces;
                let mid = Point::new(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t);
                // Consecutive pieces are almost always in the same country: test it first.
                let hit = last_hit
                    .filter(|&i| countries[i].holds(mid))
                    .or_else(|| countries.iter().position(|c| c.holds(mid)));
                last_hit = hit;
                let name = hit
                    .map(|i| countries[i].country_name().to_owned())
                    .unwrap_or_default();
                match totals.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, km)) => *km += length_km / pieces,
                    None => totals.push((name, length_km / pieces)),
                }
            }
        }
    }
    totals.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    totals
}

/// Shortest distance from a place to a line, in km: geodesic to the nearest point of the line,
/// found on a densified copy so long segments are measured along their length, not at vertices.
pub fn distance_to_line_km(place: Point<f64>, lines: &MultiLineString<f64>) -> f64 {
    const STEP_KM: f64 = 1.0;
    let mut best = f64::INFINITY;
    for line in &lines.0 {
        for segment in line.lines() {
            let (a, b) = (Point::from(segment.start), Point::from(segment.end));
            let pieces = (geodesic_distance_km(a, b) / STEP_KM).ceil().max(1.0);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "pieces is a small positive count"
            )]
            for k in 0..=(pieces as usize) {
                #[expect(clippy::cast_precision_loss, reason = "k is a small count")]
                let t = k as f64 / pieces;
                let p = Point::new(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t);
                best = best.min(geodesic_distance_km(place, p));
            }
        }
    }
    best
}

pub fn line_from_lon_lat(points: &[[f64; 2]]) -> LineString<f64> {
    points
        .iter()
        .map(|&[x, y]| geo::coord! { x: x, y: y })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn almaty_to_astana_is_about_970_km() {
        // Almaty 76.95E 43.24N, Astana 71.43E 51.13N: about 969 km great-circle distance.
        let d = geodesic_distance_km(Point::new(76.95, 43.24), Point::new(71.43, 51.13));
        assert!((d - 969.0).abs() < 10.0, "{d}");
    }

    #[test]
    fn a_degree_of_the_equator_is_111_km() {
        let line = MultiLineString::new(vec![line_from_lon_lat(&[[0.0, 0.0], [1.0, 0.0]])]);
        assert!((geodesic_length_km(&line) - 111.32).abs() < 0.05);
    }

    #[test]
    fn a_place_on_a_line_is_at_distance_zero_and_a_place_off_it_is_not() {
        let line = MultiLineString::new(vec![line_from_lon_lat(&[[70.0, 45.0], [72.0, 45.0]])]);
        assert!(distance_to_line_km(Point::new(71.0, 45.0), &line) < 0.6);
        let off = distance_to_line_km(Point::new(71.0, 46.0), &line);
        assert!((off - 111.0).abs() < 2.0, "{off}");
    }
}
