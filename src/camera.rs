//! The map's camera: which box of the map plane the map shows, and how the user's commands
//! (resize, bring into view, keys, fit, opening view) change it. Pure f64 arithmetic on boxes
//! of the map plane in km (`[min_x, min_y, max_x, max_y]`); the map view (egui_plot) shows what
//! the camera asks for and reports back what it shows.

use crate::scene::MapModel;

/// A box of the map plane, [min_x, min_y, max_x, max_y] in km.
pub type Bounds = [f64; 4];

/// The opening view: Kazakhstan, Xinjiang and Xi'an, as [west, south, east, north] in degrees.
pub const OPENING_LON_LAT_BOX: [f64; 4] = [46.0, 33.0, 113.0, 55.5];

/// How far one arrow key moves the view: a fifth of its width or height.
pub const KEY_PAN_FRACTION: f64 = 0.2;
/// How much one + or − zooms about the centre.
pub const KEY_ZOOM_FACTOR: f64 = 1.5;

/// What the keyboard asks of the camera in one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeyMove {
    pub zoom_in: bool,
    pub zoom_out: bool,
    /// -1, 0 or 1: left or right.
    pub dx: f64,
    /// -1, 0 or 1: down or up.
    pub dy: f64,
}

impl KeyMove {
    pub fn is_none(&self) -> bool {
        !self.zoom_in && !self.zoom_out && self.dx == 0.0 && self.dy == 0.0
    }
}

/// The camera: the box to show from the next frame, if one was asked for, and the view shown
/// in the last frame with the size of the map in points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Camera {
    pending: Option<Bounds>,
    shown: Option<(Bounds, [f64; 2])>,
}

pub fn with_margin(b: Bounds, fraction: f64) -> Bounds {
    let (dx, dy) = ((b[2] - b[0]) * fraction, (b[3] - b[1]) * fraction);
    [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

fn center(b: Bounds) -> [f64; 2] {
    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
}

fn around(c: [f64; 2], half: [f64; 2]) -> Bounds {
    [
        c[0] - half[0],
        c[1] - half[1],
        c[0] + half[0],
        c[1] + half[1],
    ]
}

/// The opening view's box on the map plane.
pub fn opening_bounds(model: &MapModel) -> Bounds {
    let [lon0, lat0, lon1, lat1] = OPENING_LON_LAT_BOX;
    model.bbox_of_lon_lat(lon0, lat0, lon1, lat1)
}

impl Camera {
    /// A camera that shows `bounds` in its first frame.
    pub fn showing(bounds: Bounds) -> Self {
        Self {
            pending: Some(bounds),
            shown: None,
        }
    }

    /// Shows `bounds` from the next frame.
    pub fn show(&mut self, bounds: Bounds) {
        self.pending = Some(bounds);
    }

    /// The box asked for, handed to the map view once.
    pub fn take_pending(&mut self) -> Option<Bounds> {
        self.pending.take()
    }

    /// Records what the map showed this frame, `size` points large.
    pub fn shown_as(&mut self, bounds: Bounds, size: [f64; 2]) {
        self.shown = Some((bounds, size));
    }

    /// The box shown in the last frame.
    pub fn shown(&self) -> Option<Bounds> {
        self.shown.map(|(b, _)| b)
    }

    /// When the map's size changes (a panel opens, the window is resized), it keeps its centre
    /// and scale, as map programs do, instead of stretching the old box over the new size.
    pub fn resize(&mut self, size: [f64; 2]) {
        if self.pending.is_some() {
            return;
        }
        let Some((shown, old)) = self.shown else {
            return;
        };
        if (old[0] - size[0]).abs() < 0.5 && (old[1] - size[1]).abs() < 0.5 {
            return;
        }
        if old[0] <= 0.0 || old[1] <= 0.0 {
            return;
        }
        let km_per_px = ((shown[2] - shown[0]) / old[0]).max((shown[3] - shown[1]) / old[1]);
        self.pending = Some(around(
            center(shown),
            [size[0] * km_per_px / 2.0, size[1] * km_per_px / 2.0],
        ));
    }

    /// Moves the view so that `target` is in it: not at all when it already is (a margin of a
    /// twentieth inside the edges), by recentring when it fits at the present scale, else by
    /// zooming out to fit it with a margin.
    pub fn bring_into_view(&mut self, target: Bounds) {
        let Some(shown) = self.pending.or_else(|| self.shown()) else {
            self.pending = Some(with_margin(target, 0.2));
            return;
        };
        let inset = with_margin(shown, -0.05);
        let inside = target[0] >= inset[0]
            && target[1] >= inset[1]
            && target[2] <= inset[2]
            && target[3] <= inset[3];
        if inside {
            return;
        }
        let (w, h) = (shown[2] - shown[0], shown[3] - shown[1]);
        let fits = target[2] - target[0] <= w * 0.9 && target[3] - target[1] <= h * 0.9;
        self.pending = Some(if fits {
            around(center(target), [w / 2.0, h / 2.0])
        } else {
            with_margin(target, 0.2)
        });
    }

    /// Pans by a fifth of the view per arrow and zooms by 1.5 about the centre per + or −,
    /// from the box already asked for if there is one, so that keys pressed in one frame add up.
    pub fn keys(&mut self, keys: KeyMove) {
        if keys.is_none() {
            return;
        }
        let Some(b) = self.pending.or_else(|| self.shown()) else {
            return;
        };
        let (w, h) = (b[2] - b[0], b[3] - b[1]);
        let factor = if keys.zoom_in {
            1.0 / KEY_ZOOM_FACTOR
        } else if keys.zoom_out {
            KEY_ZOOM_FACTOR
        } else {
            1.0
        };
        let c = center(b);
        let c = [
            c[0] + keys.dx * w * KEY_PAN_FRACTION,
            c[1] + keys.dy * h * KEY_PAN_FRACTION,
        ];
        self.pending = Some(around(c, [w * factor / 2.0, h * factor / 2.0]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOWN: Bounds = [0.0, 0.0, 1000.0, 500.0];

    fn camera_showing(bounds: Bounds, size: [f64; 2]) -> Camera {
        let mut camera = Camera::default();
        camera.shown_as(bounds, size);
        camera
    }

    fn scale(b: Bounds, size: [f64; 2]) -> f64 {
        ((b[2] - b[0]) / size[0]).max((b[3] - b[1]) / size[1])
    }

    #[test]
    fn a_resize_keeps_the_centre_and_the_scale() {
        let mut camera = camera_showing(SHOWN, [1000.0, 500.0]);
        camera.resize([700.0, 500.0]);
        let b = camera.take_pending().expect("a new box");
        assert_eq!(center(b), center(SHOWN));
        assert!((scale(b, [700.0, 500.0]) - 1.0).abs() < 1e-12, "{b:?}");
        assert_eq!(b, [150.0, 0.0, 850.0, 500.0]);
        // The same size is no change, and a box already asked for wins.
        let mut same = camera_showing(SHOWN, [1000.0, 500.0]);
        same.resize([1000.2, 500.0]);
        assert_eq!(same.take_pending(), None);
        let mut asked = camera_showing(SHOWN, [1000.0, 500.0]);
        asked.show([1.0, 2.0, 3.0, 4.0]);
        asked.resize([300.0, 300.0]);
        assert_eq!(asked.take_pending(), Some([1.0, 2.0, 3.0, 4.0]));
    }

    #[test]
    fn bringing_into_view_moves_only_as_much_as_needed() {
        // Already well inside: no move.
        let mut camera = camera_showing(SHOWN, [1000.0, 500.0]);
        camera.bring_into_view([400.0, 200.0, 450.0, 250.0]);
        assert_eq!(camera.take_pending(), None);
        // Outside but small: recentred at the same scale.
        camera.bring_into_view([1900.0, 900.0, 2100.0, 1000.0]);
        assert_eq!(camera.take_pending(), Some([1500.0, 700.0, 2500.0, 1200.0]));
        // Larger than the view: zoomed out to fit with a fifth each side.
        camera.bring_into_view([0.0, 0.0, 2000.0, 100.0]);
        assert_eq!(camera.take_pending(), Some([-400.0, -20.0, 2400.0, 120.0]));
        // Nothing shown yet: the target with its margin.
        let mut fresh = Camera::default();
        fresh.bring_into_view([0.0, 0.0, 10.0, 10.0]);
        assert_eq!(fresh.take_pending(), Some([-2.0, -2.0, 12.0, 12.0]));
    }

    #[test]
    fn keys_pan_by_a_fifth_and_zoom_by_one_and_a_half_adding_up_within_a_frame() {
        let mut camera = camera_showing(SHOWN, [1000.0, 500.0]);
        camera.keys(KeyMove {
            dx: 1.0,
            ..KeyMove::default()
        });
        assert_eq!(camera.pending, Some([200.0, 0.0, 1200.0, 500.0]));
        camera.keys(KeyMove {
            dy: -1.0,
            ..KeyMove::default()
        });
        assert_eq!(camera.pending, Some([200.0, -100.0, 1200.0, 400.0]));
        let mut zoom = camera_showing(SHOWN, [1000.0, 500.0]);
        zoom.keys(KeyMove {
            zoom_in: true,
            ..KeyMove::default()
        });
        let b = zoom.take_pending().expect("zoomed");
        assert_eq!(center(b), center(SHOWN));
        assert!(((b[2] - b[0]) * KEY_ZOOM_FACTOR - 1000.0).abs() < 1e-9);
        zoom.keys(KeyMove {
            zoom_out: true,
            ..KeyMove::default()
        });
        let b = zoom.take_pending().expect("zoomed");
        assert!(((b[2] - b[0]) - 1500.0).abs() < 1e-9);
        // No key, no move; no view yet, nothing to move.
        zoom.keys(KeyMove::default());
        assert_eq!(zoom.take_pending(), None);
        let mut fresh = Camera::default();
        fresh.keys(KeyMove {
            zoom_in: true,
            ..KeyMove::default()
        });
        assert_eq!(fresh.take_pending(), None);
    }

    #[test]
    fn the_opening_view_holds_kazakhstan_xinjiang_and_xian() {
        let atlas = crate::data::bundled::load().expect("bundled data");
        let model = MapModel::build(&atlas, crate::spatial::Projection::default());
        let b = opening_bounds(&model);
        for (place, lon, lat) in [
            ("Aktau", 51.2, 43.65),
            ("Khorgos", 80.4, 44.2),
            ("Urumqi", 87.6, 43.8),
            ("Xi'an", 108.9, 34.3),
            ("Astana", 71.4, 51.2),
        ] {
            let [x, y] = model.projection.project(lon, lat);
            assert!(
                b[0] < x && x < b[2] && b[1] < y && y < b[3],
                "{place} is outside the opening view {b:?}"
            );
        }
        let camera = Camera::showing(b);
        assert_eq!(camera.pending, Some(b));
    }
}
