//! Marker symbols as plain geometry in pixels, shared by every painter (egui, SVG) so that the
//! legend, the live map and the slides draw the same shapes.

use crate::style::MarkerShape;

/// One piece of a marker. Painters stroke every piece's outline first and fill the pieces after,
/// so that pieces that overlap (the two triangles of a star, the two bars of a cross) show one
/// outline around their union.
#[derive(Clone, Debug, PartialEq)]
pub enum SymbolPart {
    /// A convex polygon, corners in pixels.
    Convex(Vec<[f32; 2]>),
    Circle {
        center: [f32; 2],
        radius: f32,
    },
    /// A thick ring in the fill colour with a thin outline outside it.
    Ring {
        center: [f32; 2],
        radius: f32,
        width: f32,
    },
}

fn regular_polygon(center: [f32; 2], radius: f32, corners: usize, rotation: f32) -> Vec<[f32; 2]> {
    (0..corners)
        .map(|k| {
            #[expect(clippy::cast_precision_loss, reason = "corner counts are tiny")]
            let angle = rotation + std::f32::consts::TAU * k as f32 / corners as f32;
            [
                center[0] + angle.cos() * radius,
                center[1] + angle.sin() * radius,
            ]
        })
        .collect()
}

fn rect(center: [f32; 2], half_w: f32, half_h: f32) -> Vec<[f32; 2]> {
    let [x, y] = center;
    vec![
        [x - half_w, y - half_h],
        [x + half_w, y - half_h],
        [x + half_w, y + half_h],
        [x - half_w, y + half_h],
    ]
}

/// The pieces of a marker of `size_px` centred at `center` (pixels, y down).
pub fn marker_parts(shape: MarkerShape, center: [f32; 2], size_px: f32) -> Vec<SymbolPart> {
    let r = size_px / 2.0 + 1.0;
    let up = -std::f32::consts::FRAC_PI_2;
    let convex = |points| vec![SymbolPart::Convex(points)];
    match shape {
        MarkerShape::Circle => vec![SymbolPart::Circle { center, radius: r }],
        MarkerShape::Ring => vec![SymbolPart::Ring {
            center,
            radius: r,
            width: r * 0.8,
        }],
        MarkerShape::Square => convex(regular_polygon(
            center,
            r * 1.2,
            4,
            std::f32::consts::FRAC_PI_4,
        )),
        MarkerShape::Diamond => convex(regular_polygon(center, r * 1.3, 4, 0.0)),
        MarkerShape::TriangleUp => convex(regular_polygon(center, r * 1.35, 3, up)),
        MarkerShape::TriangleDown => convex(regular_polygon(center, r * 1.35, 3, -up)),
        MarkerShape::Hexagon => convex(regular_polygon(center, r * 1.15, 6, 0.0)),
        MarkerShape::Pentagon => convex(regular_polygon(center, r * 1.2, 5, up)),
        MarkerShape::Octagon => convex(regular_polygon(
            center,
            r * 1.1,
            8,
            std::f32::consts::PI / 8.0,
        )),
        MarkerShape::TriangleRight => convex(regular_polygon(center, r * 1.35, 3, 0.0)),
        MarkerShape::Star => vec![
            SymbolPart::Convex(regular_polygon(center, r * 1.4, 3, up)),
            SymbolPart::Convex(regular_polygon(center, r * 1.4, 3, -up)),
        ],
        MarkerShape::Cross => {
            let (arm, thick) = (r * 1.1, r * 0.45);
            vec![
                SymbolPart::Convex(rect(center, arm, thick)),
                SymbolPart::Convex(rect(center, thick, arm)),
            ]
        }
    }
}

/// Short strokes across a railway line every `spacing_px`, the usual railway symbol: pairs of
/// end points in pixels.
pub fn railway_ticks(
    points: &[[f32; 2]],
    spacing_px: f32,
    half_length_px: f32,
) -> Vec<[[f32; 2]; 2]> {
    railway_ticks_from(points, spacing_px, half_length_px, 0.0)
}

/// As [`railway_ticks`] for a piece of a line that starts `start_length_px` along the whole
/// line, so that the ticks of the pieces fall where those of the whole line would.
pub fn railway_ticks_from(
    points: &[[f32; 2]],
    spacing_px: f32,
    half_length_px: f32,
    start_length_px: f32,
) -> Vec<[[f32; 2]; 2]> {
    let mut ticks = Vec::new();
    let mut carried = (spacing_px / 2.0 - start_length_px).rem_euclid(spacing_px);
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let length = (b[0] - a[0]).hypot(b[1] - a[1]);
        if length <= f32::EPSILON {
            continue;
        }
        let dir = [(b[0] - a[0]) / length, (b[1] - a[1]) / length];
        let normal = [-dir[1] * half_length_px, dir[0] * half_length_px];
        let mut t = carried;
        while t < length {
            let p = [a[0] + dir[0] * t, a[1] + dir[1] * t];
            ticks.push([
                [p[0] - normal[0], p[1] - normal[1]],
                [p[0] + normal[0], p[1] + normal[1]],
            ]);
            t += spacing_px;
        }
        carried = t - length;
    }
    ticks
}

/// Spacing of railway ticks in pixels.
pub const RAILWAY_TICK_SPACING_PX: f32 = 14.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn railway_ticks_are_evenly_spaced_along_the_line() {
        let ticks = railway_ticks(&[[0.0, 0.0], [70.0, 0.0]], 14.0, 3.0);
        let xs: Vec<f32> = ticks.iter().map(|t| t[0][0]).collect();
        assert_eq!(xs, vec![7.0, 21.0, 35.0, 49.0, 63.0]);
        // The same line cut at x = 30 keeps its ticks in place.
        let rest = railway_ticks_from(&[[30.0, 0.0], [70.0, 0.0]], 14.0, 3.0, 30.0);
        let xs: Vec<f32> = rest.iter().map(|t| t[0][0]).collect();
        assert_eq!(xs, vec![35.0, 49.0, 63.0]);
        assert!(ticks.iter().all(|t| (t[0][1] - t[1][1]).abs() == 6.0));
    }

    #[test]
    fn every_marker_shape_has_geometry_centred_on_its_point() {
        for shape in [
            MarkerShape::Circle,
            MarkerShape::Square,
            MarkerShape::Diamond,
            MarkerShape::TriangleUp,
            MarkerShape::TriangleDown,
            MarkerShape::Hexagon,
            MarkerShape::Star,
            MarkerShape::Cross,
            MarkerShape::Pentagon,
            MarkerShape::Ring,
        ] {
            let parts = marker_parts(shape, [50.0, 50.0], 10.0);
            assert!(!parts.is_empty());
            for part in parts {
                if let SymbolPart::Convex(points) = part {
                    assert!(points.len() >= 3);
                    assert!(
                        points
                            .iter()
                            .all(|p| (p[0] - 50.0).abs() < 10.0 && (p[1] - 50.0).abs() < 10.0)
                    );
                }
            }
        }
    }
}
