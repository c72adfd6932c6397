//! Clipping of screen-space lines and rings to a rectangle, so that backends that write every
//! vertex (SVG, and the rasteriser behind PNG) skip geometry far outside the frame.

/// An axis-aligned rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClipRect {
    pub min: [f32; 2],
    pub max: [f32; 2],
}

impl ClipRect {
    fn touches_segment(&self, a: [f32; 2], b: [f32; 2]) -> bool {
        a[0].max(b[0]) >= self.min[0]
            && a[0].min(b[0]) <= self.max[0]
            && a[1].max(b[1]) >= self.min[1]
            && a[1].min(b[1]) <= self.max[1]
    }
}

/// The runs of a polyline whose segments may cross `rect`. Segments are kept whole (a segment
/// whose bounding box touches the rectangle stays, ends and all), so every pixel the line
/// draws inside the rectangle is drawn exactly as before; only runs wholly outside go.
pub fn clip_polyline(points: &[[f32; 2]], rect: ClipRect) -> Vec<Vec<[f32; 2]>> {
    clip_polyline_along(points, rect)
        .into_iter()
        .map(|run| run.points)
        .collect()
}

/// A piece of a clipped polyline and how far along the whole line it starts, so that dashes
/// and ticks keep the rhythm of the whole line.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub start_length: f32,
    pub points: Vec<[f32; 2]>,
}

/// As [`clip_polyline`], with the length along the line at which each run starts.
pub fn clip_polyline_along(points: &[[f32; 2]], rect: ClipRect) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut run: Option<Run> = None;
    let mut length = 0.0_f32;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if rect.touches_segment(a, b) {
            run.get_or_insert_with(|| Run {
                start_length: length,
                points: vec![a],
            })
            .points
            .push(b);
        } else if let Some(done) = run.take() {
            runs.push(done);
        }
        length += (b[0] - a[0]).hypot(b[1] - a[1]);
    }
    runs.extend(run);
    // A lone point inside the rectangle is not a line; it draws nothing either way.
    runs
}

/// A closed ring clipped to `rect` (Sutherland–Hodgman). Each ring of an area is clipped on
/// its own: inside the rectangle, the even-odd parity of the clipped rings is that of the
/// originals, so the fill inside the rectangle is unchanged. Empty when nothing is inside.
pub fn clip_ring(ring: &[[f32; 2]], rect: ClipRect) -> Vec<[f32; 2]> {
    let mut points: Vec<[f32; 2]> = ring.to_vec();
    // A closing point equal to the first adds nothing to a ring.
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    let edges: [(usize, f32, bool); 4] = [
        (0, rect.min[0], true),
        (0, rect.max[0], false),
        (1, rect.min[1], true),
        (1, rect.max[1], false),
    ];
    for (axis, bound, keep_above) in edges {
        if points.is_empty() {
            break;
        }
        let inside = |p: [f32; 2]| {
            if keep_above {
                p[axis] >= bound
            } else {
                p[axis] <= bound
            }
        };
        let crossing = |a: [f32; 2], b: [f32; 2]| {
            let t = (bound - a[axis]) / (b[axis] - a[axis]);
            let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
            p[axis] = bound;
            p
        };
        let mut clipped = Vec::with_capacity(points.len() + 4);
        let mut previous = points[points.len() - 1];
        for &current in &points {
            match (inside(previous), inside(current)) {
                (true, true) => clipped.push(current),
                (true, false) => clipped.push(crossing(previous, current)),
                (false, true) => {
                    clipped.push(crossing(previous, current));
                    clipped.push(current);
                }
                (false, false) => {}
            }
            previous = current;
        }
        points = clipped;
    }
    if points.len() < 3 { Vec::new() } else { points }
}

/// The dashes of a polyline: `dash_px` drawn, `gap_px` left out, over and over, the pattern
/// already `phase_px` along at the first point (a piece of a longer line keeps its rhythm).
/// Each dash is one polyline, keeping the corners it passes, so that it can be simplified and
/// stroked as one path.
pub fn dashes(points: &[[f32; 2]], dash_px: f32, gap_px: f32, phase_px: f32) -> Vec<Vec<[f32; 2]>> {
    if !(dash_px.is_finite() && gap_px.is_finite() && phase_px.is_finite())
        || dash_px <= 0.0
        || points.len() < 2
    {
        return Vec::new();
    }
    if gap_px <= 0.0 {
        return vec![points.to_vec()];
    }
    let period = dash_px + gap_px;
    // How far along the pattern the walk is: below `dash_px` inside a dash, above in a gap.
    let mut along = phase_px.rem_euclid(period);
    let mut current: Option<Vec<[f32; 2]>> = None;
    let mut dashes = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = (b[0] - a[0]).hypot(b[1] - a[1]);
        // A repeated point, or one that is not a number, adds nothing to walk along.
        if !length.is_finite() || length <= 0.0 {
            continue;
        }
        let at = |t: f32| {
            [
                a[0] + (b[0] - a[0]) * t / length,
                a[1] + (b[1] - a[1]) * t / length,
            ]
        };
        let mut done = 0.0;
        loop {
            if along < dash_px {
                let dash = current.get_or_insert_with(|| vec![at(done)]);
                let to_end = dash_px - along;
                if done + to_end > length {
                    dash.push(b);
                    along += length - done;
                    break;
                }
                done += to_end;
                dash.push(at(done));
                dashes.extend(current.take());
                along = dash_px;
            } else {
                let to_end = period - along;
                // A gap ending on the segment's end starts the next dash on the next segment.
                if done + to_end >= length {
                    along += length - done;
                    break;
                }
                done += to_end;
                along = 0.0;
            }
        }
    }
    dashes.extend(current.filter(|dash| dash.len() >= 2));
    dashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_cut_into_dashes_of_the_pattern() {
        let line = [[0.0, 0.0], [100.0, 0.0]];
        let cut = dashes(&line, 6.0, 4.0, 0.0);
        assert_eq!(cut.len(), 10);
        for (k, dash) in cut.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "k is below 10")]
            let start = 10.0 * k as f32;
            assert_eq!(dash, &vec![[start, 0.0], [start + 6.0, 0.0]]);
        }
    }

    #[test]
    fn a_dash_keeps_the_corner_it_passes_and_a_phase_moves_the_pattern() {
        // 4 along the first leg, a corner, 2 along the second: one dash of three points.
        let line = [[0.0, 0.0], [4.0, 0.0], [4.0, 20.0]];
        let cut = dashes(&line, 6.0, 4.0, 0.0);
        assert_eq!(cut[0], vec![[0.0, 0.0], [4.0, 0.0], [4.0, 2.0]]);
        assert_eq!(cut[1], vec![[4.0, 6.0], [4.0, 12.0]]);
        assert_eq!(cut[2], vec![[4.0, 16.0], [4.0, 20.0]]);
        // Eight along the pattern is two into a gap: the first dash starts two further on.
        let shifted = dashes(&[[0.0, 0.0], [20.0, 0.0]], 6.0, 4.0, 8.0);
        assert_eq!(shifted[0], vec![[2.0, 0.0], [8.0, 0.0]]);
        // Three along is inside a dash: the line starts with the rest of it.
        let inside = dashes(&[[0.0, 0.0], [20.0, 0.0]], 6.0, 4.0, 3.0);
        assert_eq!(inside[0], vec![[0.0, 0.0], [3.0, 0.0]]);
    }

    #[test]
    fn a_dash_ending_or_starting_on_a_corner_is_kept_and_bad_points_are_passed_over() {
        // The first dash ends exactly on the corner at 6, the second starts on the one at 10.
        let line = [[0.0, 0.0], [6.0, 0.0], [10.0, 0.0], [20.0, 0.0]];
        assert_eq!(
            dashes(&line, 6.0, 4.0, 0.0),
            vec![vec![[0.0, 0.0], [6.0, 0.0]], vec![[10.0, 0.0], [16.0, 0.0]]]
        );
        // A point that is not a number ends nothing and loops nowhere.
        let broken = [[0.0, 0.0], [f32::NAN, 0.0], [20.0, 0.0]];
        assert!(dashes(&broken, 6.0, 4.0, 0.0).len() <= 2);
        assert!(dashes(&line, 6.0, 4.0, f32::INFINITY).is_empty());
    }

    const RECT: ClipRect = ClipRect {
        min: [0.0, 0.0],
        max: [100.0, 100.0],
    };

    fn area(ring: &[[f32; 2]]) -> f32 {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum::<f32>()
            .abs()
            / 2.0
    }

    #[test]
    fn a_ring_is_cut_to_the_rectangle() {
        // A 200×50 box from x = -50: half of it lies inside.
        let ring = [[-50.0, 25.0], [150.0, 25.0], [150.0, 75.0], [-50.0, 75.0]];
        let clipped = clip_ring(&ring, RECT);
        assert!((area(&clipped) - 100.0 * 50.0).abs() < 1e-3, "{clipped:?}");
        assert!(
            clipped
                .iter()
                .all(|p| (0.0..=100.0).contains(&p[0]) && (0.0..=100.0).contains(&p[1]))
        );
    }

    #[test]
    fn rings_inside_stay_and_rings_outside_go() {
        let inside = [[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 10.0]];
        assert_eq!(clip_ring(&inside, RECT), inside[..3].to_vec());
        let outside = [[200.0, 10.0], [220.0, 10.0], [220.0, 20.0]];
        assert!(clip_ring(&outside, RECT).is_empty());
        // A ring around the whole rectangle becomes the rectangle.
        let around = [
            [-10.0, -10.0],
            [110.0, -10.0],
            [110.0, 110.0],
            [-10.0, 110.0],
        ];
        assert!((area(&clip_ring(&around, RECT)) - 10_000.0).abs() < 1e-3);
    }

    #[test]
    fn a_line_keeps_only_runs_that_reach_the_rectangle() {
        // Out, in, out, far out, back in.
        let line = [
            [-50.0, 50.0],
            [50.0, 50.0],
            [150.0, 50.0],
            [300.0, 50.0],
            [300.0, 300.0],
            [150.0, 150.0],
            [50.0, 50.0],
        ];
        let runs = clip_polyline(&line, RECT);
        assert_eq!(
            runs,
            vec![
                vec![[-50.0, 50.0], [50.0, 50.0], [150.0, 50.0]],
                vec![[150.0, 150.0], [50.0, 50.0]],
            ]
        );
        assert!(clip_polyline(&[[200.0, 0.0], [300.0, 0.0]], RECT).is_empty());
        let along = clip_polyline_along(&line, RECT);
        // The second run starts after 200 + 150 + 250 + 150·√2 of line.
        let expected = 200.0 + 150.0 + 250.0 + 150.0 * std::f32::consts::SQRT_2;
        assert_eq!(along[0].start_length, 0.0);
        assert!((along[1].start_length - expected).abs() < 1e-2);
    }
}
