//! User layers too dense to draw mark by mark: which dots and lines fall on a window of pixels.
//!
//! Marks sit on a pixel grid anchored to the map plane ("world pixels": km divided by km per
//! pixel, y down), not to the window. Any two windows at one scale, the screen, a tile of it or
//! a slide, so get the same marks where they overlap, and tiles drawn at different times join
//! without seams.

use std::sync::Arc;

use super::View;
use super::model::ProjectedUserLayer;
use crate::style::Color;

/// A user layer to draw in one colour; painters ask it for the marks of the pixels they fill.
#[derive(Clone, Debug)]
pub struct UserLayerMarks {
    pub layer: Arc<ProjectedUserLayer>,
    pub color: Color,
}

/// Many thin lines of one colour, in pixels from a window's top-left corner, drawn as one
/// shape: a dense layer of lines costs one image or mesh, not one tessellated path per line.
#[derive(Clone, Debug)]
pub struct Polylines {
    pub paths_px: Vec<Vec<[f32; 2]>>,
    pub width_px: f32,
    pub color: Color,
}

/// Dots of one colour, at most one per cell of a grid a few pixels wide, so that their cost
/// follows the pixels, not the data: small squares for a dense layer, round markers for one
/// few enough to show (where two fall in one cell, the one listed first shows).
#[derive(Clone, Debug)]
pub struct Dots {
    /// Centres in pixels from the window's top-left corner.
    pub centers_px: Vec<[f32; 2]>,
    pub size_px: f32,
    /// Round markers rather than square dots: for layers few enough to show every point.
    pub round: bool,
    pub color: Color,
}

/// A rectangle of pixels on the map plane at one scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelWindow {
    pub km_per_px: f64,
    /// The world pixel at the window's top-left corner.
    pub origin_px: [f64; 2],
    pub size_px: [f64; 2],
    /// Marks are sized in points, so that they look the same on any screen.
    pub px_per_point: f64,
}

/// Side of the grid cell that holds at most one dot, in points.
pub const DOT_CELL_POINTS: f64 = 3.0;
/// A dot is a little smaller than its cell, so that neighbours stay apart.
const DOT_SIDE_POINTS: f64 = 2.5;
const LINE_WIDTH_POINTS: f64 = 1.2;
/// A layer of at most this many points shows each as a round marker that can be seen and
/// pointed at; a denser one as small dots, at most one per cell, whose cost follows the pixels.
pub const MARKER_LAYER_MAX_POINTS: usize = 5_000;
/// The diameter of such a marker, and the cell that holds at most one.
const MARKER_DIAMETER_POINTS: f64 = 7.0;
/// A line's points closer than this to the last one kept add nothing a reader could see.
const MIN_STEP_POINTS: f64 = 2.0;

impl PixelWindow {
    /// The window of a view, one pixel a point.
    pub fn of_view(view: &View) -> Self {
        let km_per_px = view.km_per_px();
        Self {
            km_per_px,
            origin_px: [view.min[0] / km_per_px, -view.max[1] / km_per_px],
            size_px: view.size_px.map(f64::from),
            px_per_point: 1.0,
        }
    }

    fn world_px(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] / self.km_per_px, -p[1] / self.km_per_px]
    }

    /// The window grown by `margin_px` on every side, as a box in map km.
    fn km_box(&self, margin_px: f64) -> [f64; 4] {
        let [x, y] = self.origin_px;
        let k = self.km_per_px;
        [
            (x - margin_px) * k,
            -(y + self.size_px[1] + margin_px) * k,
            (x + self.size_px[0] + margin_px) * k,
            -(y - margin_px) * k,
        ]
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "window pixels are drawn in f32"
    )]
    fn local(&self, world: [f64; 2]) -> [f32; 2] {
        [
            (world[0] - self.origin_px[0]) as f32,
            (world[1] - self.origin_px[1]) as f32,
        ]
    }
}

impl UserLayerMarks {
    /// The layer's lines and dots that show in `window`, in the window's pixels.
    pub fn marks(&self, window: &PixelWindow) -> (Polylines, Dots) {
        (self.lines(window), self.dots(window))
    }

    fn lines(&self, window: &PixelWindow) -> Polylines {
        let width = LINE_WIDTH_POINTS * window.px_per_point;
        let min_step = MIN_STEP_POINTS * window.px_per_point;
        let mut paths_px = Vec::new();
        for (_, line) in self.layer.lines_in(window.km_box(width + 1.0)) {
            for path in &line.paths {
                // Thinned in world pixels from the path's start, so that every window keeps
                // the same points of it.
                let mut kept: Vec<[f32; 2]> = Vec::with_capacity(path.len());
                let mut last_kept: Option<[f64; 2]> = None;
                for (i, &p) in path.iter().enumerate() {
                    let q = window.world_px(p);
                    let far = last_kept
                        .is_none_or(|k| (q[0] - k[0]).abs().max((q[1] - k[1]).abs()) >= min_step);
                    if far || i + 1 == path.len() {
                        kept.push(window.local(q));
                        last_kept = Some(q);
                    }
                }
                if kept.len() >= 2 {
                    paths_px.push(kept);
                }
            }
        }
        #[expect(clippy::cast_possible_truncation, reason = "a line width")]
        let width_px = width as f32;
        Polylines {
            paths_px,
            width_px,
            color: self.color,
        }
    }

    /// One dot per grid cell that holds points: the one of the lowest position in the layer,
    /// so that every window that sees a cell picks the same point for it.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "cell numbers of finite pixel positions fit in i64, and the window's in usize"
    )]
    fn dots(&self, window: &PixelWindow) -> Dots {
        let round = self.layer.points.len() <= MARKER_LAYER_MAX_POINTS;
        let (cell, side) = if round {
            (MARKER_DIAMETER_POINTS, MARKER_DIAMETER_POINTS)
        } else {
            (DOT_CELL_POINTS, DOT_SIDE_POINTS)
        };
        let [cell, side] = [cell, side].map(|v| v * window.px_per_point);
        // A dot shows when it overlaps the window; its cell is decided among every point of
        // that cell, which can lie up to a cell further out.
        let reach = side / 2.0 + 1.0;
        let [x0, y0] = window.origin_px;
        let [x1, y1] = [x0 + window.size_px[0], y0 + window.size_px[1]];
        // The cells the candidates can fall in, a cell of slack on every side for rounding:
        // each keeps the lowest position seen in it, so that no sorting or hashing is needed.
        let cell_of = |v: f64| (v / cell).floor() as i64;
        let first = [
            cell_of(x0 - reach - cell) - 1,
            cell_of(y0 - reach - cell) - 1,
        ];
        let last = [
            cell_of(x1 + reach + cell) + 1,
            cell_of(y1 + reach + cell) + 1,
        ];
        let columns = (last[0] - first[0] + 1).max(0) as usize;
        let rows = (last[1] - first[1] + 1).max(0) as usize;
        let mut lowest: Vec<usize> = vec![usize::MAX; columns * rows];
        for (i, p) in self.layer.points_in(window.km_box(reach + cell)) {
            let p = window.world_px(p);
            let (column, row) = (cell_of(p[0]) - first[0], cell_of(p[1]) - first[1]);
            if !(0..columns as i64).contains(&column) || !(0..rows as i64).contains(&row) {
                continue;
            }
            let slot = &mut lowest[row as usize * columns + column as usize];
            *slot = (*slot).min(i);
        }
        let mut centers_px = Vec::new();
        for &i in &lowest {
            let Some(&p) = self.layer.points.get(i) else {
                continue;
            };
            let p = window.world_px(p);
            let shows =
                p[0] > x0 - reach && p[0] < x1 + reach && p[1] > y0 - reach && p[1] < y1 + reach;
            if !shows {
                continue;
            }
            // A marker's centre to a 64th of a world pixel, so that it is the same number
            // in every tile: the shading of its edge then joins across tiles exactly.
            let p = if round {
                p.map(|v| (v * 64.0).round() / 64.0)
            } else {
                p
            };
            centers_px.push(window.local(p));
        }
        #[expect(clippy::cast_possible_truncation, reason = "a dot size")]
        let size_px = side as f32;
        Dots {
            centers_px,
            size_px,
            round,
            color: self.color,
        }
    }
}
