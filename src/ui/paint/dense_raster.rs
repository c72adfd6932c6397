//! The rasteriser of dense user layers, on the CPU: square dots, round markers shaded by
//! coverage and anti-aliased lines about a pixel wide, into an image of premultiplied pixels.
//! Each mark depends on the layer alone, not on the window it falls on, so tiles join.
//!
//! Drawn by hand rather than with vello_cpu, which draws the slides (`export::raster`), because
//! this is four to five times as fast. A vello_cpu `draw_image` (per layer, its lines stroked a
//! pixel wide as one path and its dots filled as one path of squares at whole pixels or of circles,
//! rendered with `RenderMode::OptimizeSpeed`) made the same squares to the pixel, round markers
//! with 4 % less ink than this one and lines with 12 % more. Drawing every tile of the opening view
//! (1280×800) from the frame benchmark's layer of 100,000 points and 10,000 lines, one tile after
//! another, took 29–34 ms this way against 138–152 ms with vello_cpu (criterion, three runs in one
//! sitting on a busy two-core machine); about 8 ms of that is choosing the marks, common to both,
//! so the drawing itself is five to seven times faster here. vello_cpu flattens every dot and
//! stroke into segments and sorts them into sparse strips before it fills a pixel, a fixed cost per
//! path element that thousands of marks of a few pixels each never earn back; here a dot is a few
//! slice fills and a line a step per pixel into a coverage mask, blended into the image once per
//! colour.

use egui::Color32;

use super::color32;
use crate::scene::{Dots, PixelWindow, Polylines, UserLayerMarks};

/// The image of the marks of `layers` that fall on `window`, or None when none does.
pub(super) fn draw_image(
    window: &PixelWindow,
    layers: &[&UserLayerMarks],
) -> Option<egui::ColorImage> {
    let canvas = draw_marks(window, layers);
    if !canvas.marked {
        return None;
    }
    Some(egui::ColorImage::new(canvas.size, canvas.pixels))
}

/// Draws the marks of `layers` that fall on `window`, each layer over the one before.
fn draw_marks(window: &PixelWindow, layers: &[&UserLayerMarks]) -> DenseCanvas {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "windows are a few thousand pixels wide"
    )]
    let mut canvas = DenseCanvas::new(window.size_px.map(|v| v as usize));
    for layer in layers {
        let (lines, dots) = layer.marks(window);
        canvas.use_color(color32(layer.color));
        canvas.polylines(&lines);
        canvas.dots(&dots);
    }
    canvas.flush();
    canvas
}

/// The part of the segment from `a` to `b` within a pixel of the rectangle from the origin to
/// `max` (Liang–Barsky), or `None` when none of it is, or it is not finite.
fn clip_segment(a: [f32; 2], b: [f32; 2], max: [f32; 2]) -> Option<([f32; 2], [f32; 2])> {
    if !a.iter().chain(&b).all(|v| v.is_finite()) {
        return None;
    }
    // In f64: the ends of a segment millions of pixels long are far apart in f32 steps.
    let [a, b, max] = [a, b, max].map(|p| p.map(f64::from));
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-d[0], a[0] + 1.0),
        (d[0], max[0] + 1.0 - a[0]),
        (-d[1], a[1] + 1.0),
        (d[1], max[1] + 1.0 - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
            continue;
        }
        let r = q / p;
        if p < 0.0 {
            enter = enter.max(r);
        } else {
            leave = leave.min(r);
        }
        if enter > leave {
            return None;
        }
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the ends lie on the canvas"
    )]
    let at = |t: f64| [(a[0] + t * d[0]) as f32, (a[1] + t * d[1]) as f32];
    Some((at(enter), at(leave)))
}

/// Pixels of dense layers being drawn. Marks of one colour collect in a coverage mask, which
/// is laid onto the premultiplied pixels when the colour changes and at the end: a mark costs
/// a saturating add, not a blend.
struct DenseCanvas {
    size: [usize; 2],
    pixels: Vec<Color32>,
    mask: Vec<u8>,
    mask_color: Option<Color32>,
    /// Whether any pixel has been marked.
    marked: bool,
}

impl DenseCanvas {
    fn new(size: [usize; 2]) -> Self {
        Self {
            size,
            pixels: vec![Color32::TRANSPARENT; size[0] * size[1]],
            mask: vec![0; size[0] * size[1]],
            mask_color: None,
            marked: false,
        }
    }

    /// Starts marks of `color`, laying down those of the previous colour first.
    fn use_color(&mut self, color: Color32) {
        if self.mask_color != Some(color) {
            self.flush();
            self.mask_color = Some(color);
        }
    }

    fn flush(&mut self) {
        let Some(color) = self.mask_color.take() else {
            return;
        };
        let source = color.to_array().map(u32::from);
        for (pixel, coverage) in self.pixels.iter_mut().zip(&mut self.mask) {
            if *coverage == 0 {
                continue;
            }
            let weight = u32::from(std::mem::take(coverage));
            let marked = source.map(|c| (c * weight + 127) / 255);
            let keep = 255 - marked[3];
            let before = pixel.to_array();
            let mixed: [u8; 4] = std::array::from_fn(|i| {
                u8::try_from(marked[i] + (u32::from(before[i]) * keep + 127) / 255)
                    .unwrap_or(u8::MAX)
            });
            *pixel = Color32::from_rgba_premultiplied(mixed[0], mixed[1], mixed[2], mixed[3]);
        }
    }

    fn mark(&mut self, x: i64, y: i64, coverage: f32) {
        let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
            return;
        };
        if x >= self.size[0] || y >= self.size[1] {
            return;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "coverage is clamped to 0..=1"
        )]
        let add = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
        let cell = &mut self.mask[y * self.size[0] + x];
        *cell = cell.saturating_add(add);
        self.marked |= add > 0;
    }

    fn dots(&mut self, dots: &Dots) {
        if dots.round {
            self.discs(dots);
            return;
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "pixel positions and sizes fit in i64"
        )]
        let side = dots.size_px.round().max(1.0) as i64;
        let [width, height] = self.size.map(|n| i64::try_from(n).unwrap_or(0));
        for &[x, y] in &dots.centers_px {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions fit in i64"
            )]
            let (left, top) = (
                (x - side as f32 / 2.0).round() as i64,
                (y - side as f32 / 2.0).round() as i64,
            );
            let (Ok(start), Ok(end)) = (
                usize::try_from(left.max(0)),
                usize::try_from((left + side).min(width)),
            ) else {
                continue;
            };
            for row in top.max(0)..(top + side).min(height) {
                let Ok(row) = usize::try_from(row) else {
                    continue;
                };
                if start < end {
                    let line = row * self.size[0];
                    self.mask[line + start..line + end].fill(255);
                    self.marked = true;
                }
            }
        }
    }

    /// Round markers with edges shaded by how much of each pixel they cover (sampled 4×4),
    /// so that they look round at 7 px. Coverage depends on the centre alone, so tiles join.
    fn discs(&mut self, dots: &Dots) {
        let radius = dots.size_px / 2.0;
        let [width, height] = self.size.map(|n| i64::try_from(n).unwrap_or(0));
        for &[cx, cy] in &dots.centers_px {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions fit in i64"
            )]
            let (left, top, right, bottom) = (
                (cx - radius).floor() as i64,
                (cy - radius).floor() as i64,
                (cx + radius).ceil() as i64,
                (cy + radius).ceil() as i64,
            );
            for y in top.max(0)..bottom.min(height) {
                for x in left.max(0)..right.min(width) {
                    let mut inside = 0_u8;
                    for sy in 0..4_u8 {
                        for sx in 0..4_u8 {
                            #[expect(clippy::cast_precision_loss, reason = "small pixel numbers")]
                            let (px, py) = (
                                x as f32 + (f32::from(sx) + 0.5) / 4.0,
                                y as f32 + (f32::from(sy) + 0.5) / 4.0,
                            );
                            if (px - cx).powi(2) + (py - cy).powi(2) <= radius * radius {
                                inside += 1;
                            }
                        }
                    }
                    if inside > 0 {
                        self.mark(x, y, f32::from(inside) / 16.0);
                    }
                }
            }
        }
    }

    /// Anti-aliased lines about a pixel wide: at each pixel centre along the longer axis the
    /// line's coverage is shared between the two pixels it passes between (Wu's method).
    /// Marks depend on the line alone, not on where it was cut, so tiles of one picture join.
    fn polylines(&mut self, lines: &Polylines) {
        for path in &lines.paths_px {
            for pair in path.windows(2) {
                // Only the part on the canvas is stepped along: zoomed far in, a segment can be
                // millions of pixels long.
                #[expect(clippy::cast_precision_loss, reason = "canvas sizes are small")]
                let Some((a, b)) =
                    clip_segment(pair[0], pair[1], [self.size[0] as f32, self.size[1] as f32])
                else {
                    continue;
                };
                let steep = (b[1] - a[1]).abs() > (b[0] - a[0]).abs();
                let along = |p: [f32; 2]| if steep { [p[1], p[0]] } else { p };
                let (mut a, mut b) = (along(a), along(b));
                if a[0] > b[0] {
                    std::mem::swap(&mut a, &mut b);
                }
                let slope = (b[1] - a[1]) / (b[0] - a[0]).max(f32::EPSILON);
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "clipped ends lie within a pixel of the canvas"
                )]
                let (first, last) = ((a[0] - 0.5).ceil() as i64, (b[0] - 0.5).floor() as i64);
                for major in first..=last {
                    #[expect(clippy::cast_precision_loss, reason = "pixel positions")]
                    let minor = a[1] + (major as f32 + 0.5 - a[0]) * slope;
                    let floor = (minor - 0.5).floor();
                    let fraction = minor - 0.5 - floor;
                    #[expect(clippy::cast_possible_truncation, reason = "pixel positions")]
                    let floor = floor as i64;
                    for (offset, coverage) in [(0, 1.0 - fraction), (1, fraction)] {
                        let (px, py) = if steep {
                            (floor + offset, major)
                        } else {
                            (major, floor + offset)
                        };
                        self.mark(px, py, coverage);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::style::Color;
    use crate::ui::paint::dense_tiles::TILE_PX;

    #[test]
    fn segments_are_cut_to_the_canvas() {
        let canvas = [100.0, 50.0];
        // From far left to far right through the middle: cut to a pixel beyond each side.
        let (a, b) = clip_segment([-1e9, 25.0], [1e9, 25.0], canvas).expect("crosses");
        assert!(
            (a[0] + 1.0).abs() < 1e-3 && (b[0] - 101.0).abs() < 1e-3,
            "{a:?} {b:?}"
        );
        // Wholly inside: unchanged.
        assert_eq!(
            clip_segment([10.0, 10.0], [20.0, 30.0], canvas),
            Some(([10.0, 10.0], [20.0, 30.0]))
        );
        // Wholly outside, or not finite: nothing.
        assert_eq!(clip_segment([200.0, 10.0], [300.0, 10.0], canvas), None);
        assert_eq!(clip_segment([f32::NAN, 10.0], [30.0, 10.0], canvas), None);
    }

    /// A layer drawn tile by tile must look as it does drawn in one piece: dots to the
    /// pixel, lines within a little anti-aliasing.
    #[test]
    fn tiles_join_into_the_picture_drawn_whole() {
        use crate::data::{Atlas, UserLayer};
        use crate::scene::MapModel;
        use crate::spatial::Projection;

        // A fixed pseudo-random scatter of points and short lines over about a degree.
        let mut state = 7_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            #[expect(clippy::cast_precision_loss, reason = "test randomness")]
            let unit = (state >> 11) as f64 / (1_u64 << 53) as f64;
            unit
        };
        // Few enough points to be round markers, and enough to be small square dots.
        let points: Vec<[f64; 2]> = (0..3000).map(|_| [70.0 + next(), 45.0 + next()]).collect();
        let dense_points: Vec<[f64; 2]> = (0..crate::scene::dense::MARKER_LAYER_MAX_POINTS + 3000)
            .map(|_| [70.0 + next(), 45.0 + next()])
            .collect();
        let lines: Vec<Vec<[f64; 2]>> = (0..60)
            .map(|_| {
                let start = [70.0 + next(), 45.0 + next()];
                vec![
                    start,
                    [start[0] + 0.2 * next(), start[1] + 0.2 * next() - 0.1],
                ]
            })
            .collect();
        let drawn = |layer: UserLayer| {
            let atlas = Atlas {
                user_layers: vec![layer],
                ..Atlas::default()
            };
            let model = MapModel::build(&atlas, Projection::default());
            let marks = UserLayerMarks {
                layer: Arc::clone(&model.user_layers[0]),
                color: Color::rgb(200, 0, 160),
            };
            let centre = model.projection.project(70.5, 45.5);
            let km_per_px = 0.12;
            let tile = TILE_PX as f64;
            // The whole window starts on a tile corner, so tile pixels are window pixels.
            let origin = [centre[0] / km_per_px, -centre[1] / km_per_px]
                .map(|v| (v / tile).floor() * tile - tile);
            let whole = PixelWindow {
                km_per_px,
                origin_px: origin,
                size_px: [3.0 * tile, 2.0 * tile],
                px_per_point: 1.25,
            };
            let one_piece = draw_marks(&whole, &[&marks]).pixels;
            let mut tiled = vec![Color32::TRANSPARENT; one_piece.len()];
            for (tx, ty) in [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)] {
                let window = PixelWindow {
                    origin_px: [origin[0] + tx as f64 * tile, origin[1] + ty as f64 * tile],
                    size_px: [tile, tile],
                    ..whole
                };
                let pixels = draw_marks(&window, &[&marks]).pixels;
                for row in 0..TILE_PX {
                    let at = (ty * TILE_PX + row) * 3 * TILE_PX + tx * TILE_PX;
                    tiled[at..at + TILE_PX]
                        .copy_from_slice(&pixels[row * TILE_PX..(row + 1) * TILE_PX]);
                }
            }
            (one_piece, tiled)
        };
        let difference = |(a, b): (Vec<Color32>, Vec<Color32>)| {
            let marked = a.iter().filter(|p| p.a() > 0).count();
            let worst = a
                .iter()
                .zip(&b)
                .map(|(p, q)| p.a().abs_diff(q.a()))
                .max()
                .unwrap_or(0);
            (marked, worst)
        };
        let (marked, worst) = difference(drawn(UserLayer {
            name: "points".into(),
            points,
            lines: Vec::new(),
            ..Default::default()
        }));
        assert!(marked > 2000, "{marked} pixels of markers");
        assert_eq!(worst, 0, "markers differ where tiles join");
        let (marked, worst) = difference(drawn(UserLayer {
            name: "dense points".into(),
            points: dense_points,
            ..Default::default()
        }));
        assert!(marked > 2000, "{marked} pixels of dots");
        assert_eq!(worst, 0, "dots differ where tiles join");
        let (marked, worst) = difference(drawn(UserLayer {
            name: "lines".into(),
            points: Vec::new(),
            lines,
            ..Default::default()
        }));
        assert!(marked > 1000, "{marked} pixels of lines");
        assert!(worst <= 24, "lines differ by {worst} where tiles join");
    }

    /// A line millions of pixels long (zoomed far in) is drawn in the time of its visible part,
    /// and only on the canvas.
    #[test]
    fn a_huge_line_marks_only_the_canvas() {
        let mut canvas = DenseCanvas::new([64, 32]);
        canvas.polylines(&Polylines {
            paths_px: vec![vec![[-3e9, 16.0], [3e9, 16.0]]],
            width_px: 1.0,
            color: Color::rgb(0, 0, 0),
        });
        let marked = canvas.mask.iter().filter(|&&m| m > 0).count();
        assert!((64..=130).contains(&marked), "{marked} pixels marked");
    }
}
