//! The one projection of the atlas: lon/lat (degrees, WGS84) ↔ map plane (kilometres).
//!
//! A Lambert conformal conic on the sphere, with standard parallels through southern and northern
//! Kazakhstan, keeps the shapes of Central Asia as atlases draw them; raw lon/lat would stretch
//! Kazakhstan east–west by 1/cos(47°) ≈ 1.47.

use serde::{Deserialize, Serialize};

/// Mean Earth radius in km (IUGG); the map plane is in km at the standard parallels.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    n: f64,
    f: f64,
    rho0: f64,
    lon0_rad: f64,
}

impl Default for Projection {
    /// Central meridian 80°E, origin 45°N, standard parallels 40°N and 52°N: Kazakhstan, Xinjiang
    /// and Xi'an all lie within a few degrees of the band between them.
    fn default() -> Self {
        Self::lambert_conformal_conic(80.0, 45.0, 40.0, 52.0)
    }
}

impl Projection {
    pub fn lambert_conformal_conic(lon0: f64, lat0: f64, parallel1: f64, parallel2: f64) -> Self {
        let (phi0, phi1, phi2) = (
            lat0.to_radians(),
            parallel1.to_radians(),
            parallel2.to_radians(),
        );
        let t = |phi: f64| (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan();
        let n = if (phi1 - phi2).abs() < 1e-10 {
            phi1.sin()
        } else {
            (phi1.cos() / phi2.cos()).ln() / (t(phi2) / t(phi1)).ln()
        };
        let f = phi1.cos() * t(phi1).powf(n) / n;
        let rho0 = EARTH_RADIUS_KM * f / t(phi0).powf(n);
        Self {
            n,
            f,
            rho0,
            lon0_rad: lon0.to_radians(),
        }
    }

    /// lon/lat in degrees → map plane [x, y] in km (x east, y north).
    pub fn project(&self, lon: f64, lat: f64) -> [f64; 2] {
        // Clamp just short of the poles, where the cone's radius goes to zero or infinity.
        let phi = lat.clamp(-89.5, 89.5).to_radians();
        let rho =
            EARTH_RADIUS_KM * self.f / (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().powf(self.n);
        let mut dlon = lon.to_radians() - self.lon0_rad;
        dlon =
            (dlon + std::f64::consts::PI).rem_euclid(std::f64::consts::TAU) - std::f64::consts::PI;
        let theta = self.n * dlon;
        [rho * theta.sin(), self.rho0 - rho * theta.cos()]
    }

    /// Map plane [x, y] in km → lon/lat in degrees.
    pub fn unproject(&self, x: f64, y: f64) -> [f64; 2] {
        let dy = self.rho0 - y;
        let rho = self.n.signum() * x.hypot(dy);
        let theta = (self.n.signum() * x).atan2(self.n.signum() * dy);
        let phi = 2.0 * ((EARTH_RADIUS_KM * self.f / rho).powf(1.0 / self.n)).atan()
            - std::f64::consts::FRAC_PI_2;
        let lon = (self.lon0_rad + theta / self.n).to_degrees();
        [lon, phi.to_degrees()]
    }

    pub fn project_point(&self, p: geo::Point<f64>) -> [f64; 2] {
        self.project(p.x(), p.y())
    }

    /// Local scale factor at a latitude: map km per true km along a parallel. Used to turn a
    /// ground radius (a precision halo) into map-plane km.
    pub fn scale_factor(&self, lat: f64) -> f64 {
        let phi = lat.to_radians();
        let rho =
            EARTH_RADIUS_KM * self.f / (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().powf(self.n);
        rho * self.n / (EARTH_RADIUS_KM * phi.cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projecting_and_unprojecting_returns_the_same_place() {
        let projection = Projection::default();
        for &(lon, lat) in &[
            (71.43, 51.13),
            (108.94, 34.34),
            (51.9, 47.1),
            (80.0, 45.0),
            (40.0, 30.0),
            (125.0, 62.0),
        ] {
            let [x, y] = projection.project(lon, lat);
            let [lon2, lat2] = projection.unproject(x, y);
            assert!(
                (lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9,
                "{lon},{lat} -> {lon2},{lat2}"
            );
        }
    }

    #[test]
    fn the_origin_is_at_zero_and_north_is_up() {
        let projection = Projection::default();
        let [x, y] = projection.project(80.0, 45.0);
        assert!(x.abs() < 1e-9 && y.abs() < 1e-9);
        assert!(projection.project(80.0, 50.0)[1] > 0.0);
        assert!(projection.project(85.0, 45.0)[0] > 0.0);
    }

    #[test]
    fn map_distances_are_true_on_the_standard_parallels() {
        let projection = Projection::default();
        for lat in [40.0, 52.0] {
            assert!((projection.scale_factor(lat) - 1.0).abs() < 1e-9);
        }
        // Between them the map shrinks slightly, as a secant cone does.
        assert!(projection.scale_factor(46.0) < 1.0 && projection.scale_factor(46.0) > 0.98);
    }

    #[test]
    fn a_degree_of_longitude_in_kazakhstan_is_shorter_than_a_degree_of_latitude() {
        let projection = Projection::default();
        let a = projection.project(70.0, 47.0);
        let b = projection.project(71.0, 47.0);
        let c = projection.project(70.0, 48.0);
        let east = (b[0] - a[0]).hypot(b[1] - a[1]);
        let north = (c[0] - a[0]).hypot(c[1] - a[1]);
        // cos 47° ≈ 0.68: the conic keeps that ratio, raw lon/lat would show 1.0.
        assert!(
            (east / north - 47f64.to_radians().cos()).abs() < 0.02,
            "{}",
            east / north
        );
    }
}
