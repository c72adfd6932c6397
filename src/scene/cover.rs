//! The pixels of a view that a set of lines covers: a thinner line lying under a wider one
//! need not be drawn, and each line drawn costs the renderer triangles and memory.

use super::View;

/// One bit per pixel of a view: set where a covering line passes.
pub struct CoverMask {
    view: View,
    width: usize,
    height: usize,
    bits: Vec<u64>,
}

/// Lines are followed in steps of this many pixels, so no pixel they cross is skipped.
const STEP_PX: f32 = 0.5;

impl CoverMask {
    /// Marks every pixel within one pixel of `paths` (map km) as drawn in `view`.
    pub fn of_paths<'a>(view: &View, paths: impl Iterator<Item = &'a [[f64; 2]]>) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a view's size in pixels is small and positive"
        )]
        let (width, height) = (
            view.size_px[0].ceil().max(1.0) as usize,
            view.size_px[1].ceil().max(1.0) as usize,
        );
        let mut mask = Self {
            view: *view,
            width,
            height,
            bits: vec![0; (width * height).div_ceil(64)],
        };
        for path in paths {
            for pair in path.windows(2) {
                // Most of a zoomed-in country's ring is far off screen: skip it unwalked.
                let (a, b) = (view.to_px(pair[0]), view.to_px(pair[1]));
                #[expect(clippy::cast_precision_loss, reason = "a view's size in pixels")]
                let (w, h) = (width as f32, height as f32);
                if a[0].max(b[0]) < -1.0
                    || a[0].min(b[0]) > w + 1.0
                    || a[1].max(b[1]) < -1.0
                    || a[1].min(b[1]) > h + 1.0
                {
                    continue;
                }
                for (x, y) in pixels_along(view, width, height, pair[0], pair[1]).flatten() {
                    for ny in y.saturating_sub(1)..=(y + 1).min(height - 1) {
                        for nx in x.saturating_sub(1)..=(x + 1).min(width - 1) {
                            let bit = ny * width + nx;
                            mask.bits[bit / 64] |= 1 << (bit % 64);
                        }
                    }
                }
            }
        }
        mask
    }

    /// Whether every pixel the segment a–b (map km) crosses is marked. A segment that leaves
    /// the view is not covered.
    pub fn covers(&self, a: [f64; 2], b: [f64; 2]) -> bool {
        pixels_along(&self.view, self.width, self.height, a, b).all(|pixel| {
            pixel.is_some_and(|(x, y)| {
                let bit = y * self.width + x;
                self.bits[bit / 64] & (1 << (bit % 64)) != 0
            })
        })
    }
}

/// The pixels along a–b (map km) every [`STEP_PX`], ends included, in a view of
/// `width` × `height` pixels; `None` for a point outside.
fn pixels_along(
    view: &View,
    width: usize,
    height: usize,
    a: [f64; 2],
    b: [f64; 2],
) -> impl Iterator<Item = Option<(usize, usize)>> {
    let (pa, pb) = (view.to_px(a), view.to_px(b));
    let length = (pb[0] - pa[0]).hypot(pb[1] - pa[1]);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a segment's length in steps; a huge one is cut short by the view anyway"
    )]
    let steps = (length / STEP_PX).ceil().clamp(1.0, 1e6) as usize;
    (0..=steps).map(move |k| {
        #[expect(clippy::cast_precision_loss, reason = "k is at most a million")]
        let t = k as f32 / steps as f32;
        let (x, y) = (pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked to lie inside the view first"
        )]
        let inside = (x >= 0.0 && y >= 0.0).then(|| (x.floor() as usize, y.floor() as usize));
        inside.filter(|&(x, y)| x < width && y < height)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        // 100 × 50 pixels, a kilometre each, y up in km and down in pixels.
        View {
            min: [0.0, 0.0],
            max: [100.0, 50.0],
            size_px: [100.0, 50.0],
        }
    }

    #[test]
    fn a_segment_along_a_covering_line_is_covered_and_one_beside_it_is_not() {
        let border: Vec<[f64; 2]> = vec![[10.0, 25.0], [90.0, 25.0]];
        let mask = CoverMask::of_paths(&view(), std::iter::once(border.as_slice()));
        // On it, and within a pixel of it.
        assert!(mask.covers([20.0, 25.0], [80.0, 25.0]));
        assert!(mask.covers([20.0, 25.6], [80.0, 24.6]));
        // Three pixels off, past its end, or leaving the view: drawn.
        assert!(!mask.covers([20.0, 28.0], [80.0, 28.0]));
        assert!(!mask.covers([80.0, 25.0], [95.0, 25.0]));
        assert!(!mask.covers([50.0, 25.0], [150.0, 25.0]));
    }
}
