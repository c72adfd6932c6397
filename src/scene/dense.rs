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
        let candidates: Vec<(usize, [f64; 2])> = self
            .layer
            .points_in(window.km_box(reach + cell))
            .map(|(i, p)| (i, window.world_px(p)))
            .collect();
        let max_cells = (4 * candidates.len()).max(CELL_ARRAY_MIN);
        let chosen = lowest_per_cell(
            &candidates,
            cell,
            [x0 - reach - cell, y0 - reach - cell],
            [x1 + reach + cell, y1 + reach + cell],
            max_cells,
        );
        let mut centers_px = Vec::new();
        for (_, p) in chosen {
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

/// Cell arrays this small are used whatever the number of points.
const CELL_ARRAY_MIN: usize = 1 << 16;

/// Of `candidates` (a position in the layer and a world pixel), the one of the lowest position
/// in each cell of a grid `cell` pixels wide, for candidates from `min` to `max`. With at most
/// `max_cells` cells over that area, each cell of an array keeps the lowest position seen in
/// it, which needs no sorting or hashing; with more (a whole slide's map at a fine scale has
/// millions of cells for a few points), the candidates are sorted and each cell hashed.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "cell numbers are checked against the array's extent before they index it; \
              hashed cell numbers saturate at an extreme scale, as any i64 would"
)]
fn lowest_per_cell(
    candidates: &[(usize, [f64; 2])],
    cell: f64,
    min: [f64; 2],
    max: [f64; 2],
    max_cells: usize,
) -> Vec<(usize, [f64; 2])> {
    // In f64: at an extreme scale (a deck may set any) world pixels lie beyond any i64. A cell
    // of slack on every side for rounding.
    let first = min.map(|v| (v / cell).floor() - 1.0);
    let span = [0, 1].map(|axis| (max[axis] / cell).floor() + 2.0 - first[axis]);
    let fits =
        span.iter().all(|s| s.is_finite() && *s >= 1.0) && span[0] * span[1] <= max_cells as f64;
    if fits {
        let [columns, rows] = span.map(|s| s as usize);
        let mut lowest = vec![usize::MAX; columns * rows];
        for (n, &(i, p)) in candidates.iter().enumerate() {
            let at = [0, 1].map(|axis| (p[axis] / cell).floor() - first[axis]);
            if !(at[0] >= 0.0 && at[0] < span[0] && at[1] >= 0.0 && at[1] < span[1]) {
                continue;
            }
            let slot = &mut lowest[at[1] as usize * columns + at[0] as usize];
            if candidates.get(*slot).is_none_or(|&(held, _)| i < held) {
                *slot = n;
            }
        }
        return lowest
            .into_iter()
            .filter_map(|n| candidates.get(n).copied())
            .collect();
    }
    let mut sorted = candidates.to_vec();
    sorted.sort_unstable_by_key(|&(i, _)| i);
    let mut taken = std::collections::HashSet::with_capacity(sorted.len());
    sorted
        .into_iter()
        .filter(|&(_, p)| taken.insert(p.map(|v| (v / cell).floor() as i64)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates spread over a few hundred pixels by a fixed pseudo-random sequence, several
    /// to a cell, in no order of position.
    fn candidates(count: usize) -> Vec<(usize, [f64; 2])> {
        let mut state = 12_345_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            #[expect(clippy::cast_precision_loss, reason = "a test's random numbers")]
            let unit = (state >> 11) as f64 / (1_u64 << 53) as f64;
            unit
        };
        let mut list: Vec<(usize, [f64; 2])> = (0..count)
            .map(|i| (i, [-150.0 + 300.0 * next(), 40.0 + 200.0 * next()]))
            .collect();
        list.reverse();
        list
    }

    fn sorted(mut chosen: Vec<(usize, [f64; 2])>) -> Vec<usize> {
        chosen.sort_unstable_by_key(|&(i, _)| i);
        chosen.into_iter().map(|(i, _)| i).collect()
    }

    #[test]
    fn the_cell_array_and_the_sorted_candidates_choose_the_same_points() {
        let list = candidates(20_000);
        let (min, max) = ([-160.0, 30.0], [160.0, 250.0]);
        let by_array = sorted(lowest_per_cell(&list, 3.0, min, max, usize::MAX));
        let by_sorting = sorted(lowest_per_cell(&list, 3.0, min, max, 0));
        assert_eq!(by_array, by_sorting);
        // 300 × 200 pixels of 3-pixel cells: about 6,700 cells for 20,000 points.
        assert!(
            (5_000..=6_800).contains(&by_array.len()),
            "{} cells chosen",
            by_array.len()
        );
        // Each cell's choice is the lowest position in it, and every cell with points has one.
        let cell_of = |p: [f64; 2]| p.map(|v| (v / 3.0).floor() as i64);
        let chosen: std::collections::HashMap<[i64; 2], usize> =
            lowest_per_cell(&list, 3.0, min, max, usize::MAX)
                .into_iter()
                .map(|(i, p)| (cell_of(p), i))
                .collect();
        assert_eq!(chosen.len(), by_array.len(), "two choices in one cell");
        for &(i, p) in &list {
            assert!(chosen.get(&cell_of(p)).is_some_and(|&c| c <= i));
        }
    }

    #[test]
    fn extreme_scales_and_huge_windows_choose_without_overflow_or_huge_arrays() {
        let list = candidates(100);
        // World pixels beyond any i64, as at a scale of 1e-300 km a pixel.
        let far: Vec<(usize, [f64; 2])> = list
            .iter()
            .map(|&(i, p)| (i, p.map(|v| v * 1e300)))
            .collect();
        let chosen = lowest_per_cell(&far, 3.0, [-1e303, -1e303], [1e303, 1e303], 1 << 16);
        assert!(!chosen.is_empty());
        // A window a few million pixels wide with 100 points: no array of a trillion cells.
        let chosen = lowest_per_cell(&list, 3.0, [-4e6, -4e6], [4e6, 4e6], 4 * list.len());
        assert_eq!(
            sorted(chosen),
            sorted(lowest_per_cell(
                &list,
                3.0,
                [-160.0, 30.0],
                [160.0, 250.0],
                usize::MAX
            ))
        );
        // Nothing finite to grid: the sorted way, without a panic.
        let chosen = lowest_per_cell(
            &list,
            3.0,
            [f64::NAN, 0.0],
            [f64::INFINITY, 1.0],
            usize::MAX,
        );
        assert_eq!(
            chosen.len(),
            sorted(lowest_per_cell(
                &list,
                3.0,
                [-160.0, 30.0],
                [160.0, 250.0],
                0
            ))
            .len()
        );
    }
}
