//! The graticule pass: meridians and parallels at a step that suits the scale, and their degree
//! labels, which take their place on screen before any other label is placed.

use super::Builder;
use crate::scene::labels::label_size_px;
use crate::scene::{BasemapLayer, Group, Label, LinePattern, MapModel, Primitive, Stroke, View};
use crate::style::{self, Palette};

impl Builder<'_> {
    pub(super) fn graticule(&mut self) {
        if !self.layers().shows_basemap(BasemapLayer::Graticule) {
            return;
        }
        let labels = push_graticule(
            self.groups.group(Group::Graticule),
            self.model,
            &self.view,
            &self.palette,
        );
        for label in &labels {
            self.reserve_label_box(label);
        }
        self.graticule_labels = labels;
    }
}

/// How far a graticule line may stray from its true curve, in pixels.
const GRATICULE_TOLERANCE_PX: f64 = 0.25;

/// Meridians and parallels at a step that suits the scale, and their degree labels along the
/// bottom and left edges.
fn push_graticule(
    out: &mut Vec<Primitive>,
    model: &MapModel,
    view: &View,
    palette: &Palette,
) -> Vec<Label> {
    let km_per_px = view.km_per_px();
    let step = if km_per_px > 5.0 {
        10.0
    } else if km_per_px > 1.5 {
        5.0
    } else if km_per_px > 0.4 {
        2.0
    } else {
        1.0
    };
    let p = &model.projection;
    let corners = [
        p.unproject(view.min[0], view.min[1]),
        p.unproject(view.max[0], view.min[1]),
        p.unproject(view.min[0], view.max[1]),
        p.unproject(view.max[0], view.max[1]),
        p.unproject((view.min[0] + view.max[0]) / 2.0, view.max[1]),
        p.unproject((view.min[0] + view.max[0]) / 2.0, view.min[1]),
    ];
    // The grid covers the view, but not past the basemap by more than a step: beyond it
    // there is only sea, and the conic projection runs the southern parallels out towards
    // infinity. With the pole in view, the corners say nothing of the northern latitudes or
    // the longitudes: all of them show.
    let world = model.world_lon_lat;
    let pole = p.project(0.0, 90.0);
    let pole_in_view = view.min[0] <= pole[0]
        && pole[0] <= view.max[0]
        && view.min[1] <= pole[1]
        && pole[1] <= view.max[1];
    let (corner_lon_min, corner_lon_max, corner_lat_max) = if pole_in_view {
        (f64::NEG_INFINITY, f64::INFINITY, f64::INFINITY)
    } else {
        (
            corners.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min),
            corners
                .iter()
                .map(|c| c[0])
                .fold(f64::NEG_INFINITY, f64::max),
            corners
                .iter()
                .map(|c| c[1])
                .fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let lon_min = ((corner_lon_min / step).floor() * step - step).max(world[0] - step);
    let lon_max = ((corner_lon_max / step).ceil() * step + step).min(world[2] + step);
    let lat_min =
        ((corners.iter().map(|c| c[1]).fold(f64::INFINITY, f64::min) / step).floor() * step - step)
            .max(world[1] - step)
            .max(-85.0);
    let lat_max = ((corner_lat_max / step).ceil() * step + step)
        .min(world[3] + step)
        .min(85.0);
    if lon_min > lon_max || lat_min > lat_max {
        return Vec::new();
    }
    let mut labels = Vec::new();
    // Meridians (fixed longitude) are labelled where they cross the bottom edge, parallels
    // (fixed latitude) where they cross the left edge.
    for meridians in [true, false] {
        let (fixed_range, along_range) = if meridians {
            ((lon_min, lon_max), (lat_min, lat_max))
        } else {
            ((lat_min, lat_max), (lon_min, lon_max))
        };
        let mut fixed = fixed_range.0;
        while fixed <= fixed_range.1 + 1e-9 {
            let path = graticule_line(
                p,
                step,
                fixed,
                along_range,
                meridians,
                GRATICULE_TOLERANCE_PX * km_per_px,
            );
            let label = if meridians {
                crossing(&path, 1, view.min[1] + 14.0 * km_per_px).and_then(|x| {
                    let text = degrees(fixed, 'E', 'W');
                    let px = view.to_px([x, view.min[1]]);
                    let size = label_size_px(&text, style::GRATICULE_LABEL_PX);
                    (px[0] > size[0] && px[0] < view.size_px[0] - size[0]).then(|| {
                        (
                            text,
                            [px[0] - size[0] / 2.0, view.size_px[1] - size[1] - 1.0],
                        )
                    })
                })
            } else {
                crossing(&path, 0, view.min[0] + 2.0 * km_per_px).and_then(|y| {
                    let text = degrees(fixed, 'N', 'S');
                    let px = view.to_px([view.min[0], y]);
                    let size = label_size_px(&text, style::GRATICULE_LABEL_PX);
                    (px[1] > size[1] * 2.0 && px[1] < view.size_px[1] - size[1] * 2.0)
                        .then(|| (text, [2.0, px[1] - size[1] / 2.0]))
                })
            };
            if let Some((text, top_left_px)) = label {
                labels.push(Label {
                    text,
                    top_left_px,
                    size_px: style::GRATICULE_LABEL_PX,
                    color: palette.graticule_label,
                    halo: palette.label_halo,
                });
            }
            out.push(Primitive::Stroke(Stroke {
                path: path.into(),
                width_px: style::GRATICULE_PX,
                color: palette.graticule,
                pattern: LinePattern::Solid,
                ticks: false,
                simplify: false,
            }));
            fixed += step;
        }
    }
    labels
}

/// A meridian (`fixed` longitude) or parallel (`fixed` latitude) over `along`, with as few
/// points as keep it within `tolerance_km` of the curve the projection bends it into: the
/// conic's meridians are straight and need a point per grid step, its parallels are arcs.
/// Every point drawn costs triangles in each frame, and a renderer's memory for them.
fn graticule_line(
    projection: &crate::spatial::Projection,
    step: f64,
    fixed: f64,
    along: (f64, f64),
    meridian: bool,
    tolerance_km: f64,
) -> Vec<[f64; 2]> {
    let at = |t: f64| {
        if meridian {
            projection.project(fixed, t)
        } else {
            projection.project(t, fixed)
        }
    };
    let pieces = ((along.1 - along.0) / step).ceil().max(1.0);
    let mut path = vec![at(along.0)];
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "pieces is a small positive count"
    )]
    for k in 0..pieces as usize {
        #[expect(clippy::cast_precision_loss, reason = "k is a small count")]
        let t = |k: usize| along.0 + (along.1 - along.0) * (k as f64) / pieces;
        let start = (t(k), path[path.len() - 1]);
        let end = (t(k + 1), at(t(k + 1)));
        refine_curve(
            &at,
            start,
            end,
            tolerance_km,
            GRATICULE_MAX_SPLITS,
            &mut path,
        );
    }
    path
}

/// How many times a graticule piece may be halved: 2^12 points per grid step is far past a
/// pixel at any scale the map allows.
const GRATICULE_MAX_SPLITS: u32 = 12;

/// Appends the points that keep the curve `at` between `a` and `b` (parameter and point)
/// within `tolerance` of the polyline, ending with `b`. A curve that bends one way between
/// its ends (a parallel's arc) is farthest from its chord near the middle.
fn refine_curve(
    at: &impl Fn(f64) -> [f64; 2],
    a: (f64, [f64; 2]),
    b: (f64, [f64; 2]),
    tolerance: f64,
    splits_left: u32,
    out: &mut Vec<[f64; 2]>,
) {
    let mid_t = (a.0 + b.0) / 2.0;
    let mid = at(mid_t);
    if splits_left > 0 && distance_to_segment(mid, a.1, b.1) > tolerance {
        refine_curve(at, a, (mid_t, mid), tolerance, splits_left - 1, out);
        refine_curve(at, (mid_t, mid), b, tolerance, splits_left - 1, out);
    } else {
        out.push(b.1);
    }
}

fn distance_to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length_squared = dx * dx + dy * dy;
    let t = if length_squared > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// Where a path crosses the line `coordinate[axis] == value`: the other coordinate there.
fn crossing(path: &[[f64; 2]], axis: usize, value: f64) -> Option<f64> {
    let other = 1 - axis;
    path.windows(2).find_map(|w| {
        let (a, b) = (w[0], w[1]);
        if (a[axis] - value) * (b[axis] - value) <= 0.0 && (a[axis] - b[axis]).abs() > 1e-12 {
            let t = (value - a[axis]) / (b[axis] - a[axis]);
            Some(a[other] + (b[other] - a[other]) * t)
        } else {
            None
        }
    })
}

/// A grid label in whole degrees: 190° of longitude, past the antimeridian, is 170°W.
fn degrees(value: f64, positive: char, negative: char) -> String {
    crate::format::format_degrees(value, 0, positive, negative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::build::tests::light_scene;
    use crate::scene::{Layers, Primitive};
    use crate::spatial::Projection;

    #[test]
    fn grid_labels_past_the_antimeridian_are_western() {
        assert_eq!(degrees(190.0, 'E', 'W'), "170°W");
        assert_eq!(degrees(180.0, 'E', 'W'), "180°E");
        assert_eq!(degrees(-25.0, 'E', 'W'), "25°W");
        assert_eq!(degrees(45.0, 'N', 'S'), "45°N");
    }

    /// Zoomed out far past the basemap, the grid of parallels and meridians stops a step
    /// beyond the basemap's own longitudes and latitudes.
    #[test]
    fn the_graticule_stops_a_step_past_the_basemap() {
        let atlas = crate::data::bundled::load().expect("bundled data");
        let model = MapModel::build(&atlas, Projection::default());
        let w = model.world_bbox;
        let (cx, cy, half) = (
            (w[0] + w[2]) / 2.0,
            (w[1] + w[3]) / 2.0,
            3.0 * (w[2] - w[0]).max(w[3] - w[1]),
        );
        let view = View {
            min: [cx - half, cy - half * 0.6],
            max: [cx + half, cy + half * 0.6],
            size_px: [1000.0, 600.0],
        };
        let scene = light_scene(&atlas, &model, view, &Layers::default());
        let (_, range) = scene
            .groups
            .iter()
            .find(|(group, _)| *group == Group::Graticule)
            .expect("a graticule group");
        let [west, south, east, north] = model.world_lon_lat;
        eprintln!("world {:?}", model.world_lon_lat);
        let step = 10.0 + 1e-6;
        let mut points = 0;
        for primitive in &scene.primitives[range.clone()] {
            let Primitive::Stroke(stroke) = primitive else {
                continue;
            };
            let ll: Vec<_> = stroke
                .path
                .iter()
                .take(3)
                .map(|p| model.projection.unproject(p[0], p[1]))
                .collect();
            eprintln!("stroke {:?} .. {} pts", ll, stroke.path.len());
            for p in stroke.path.iter() {
                let [lon, lat] = model.projection.unproject(p[0], p[1]);
                // Longitudes past 180° come back from the projection as western ones.
                let lon = if lon < west - step { lon + 360.0 } else { lon };
                assert!(
                    (west - step..=east + step).contains(&lon)
                        && (south - step..=north + step).contains(&lat),
                    "grid point at {lon:.1}°, {lat:.1}° is beyond the basemap"
                );
                points += 1;
            }
        }
        assert!(points > 100, "{points} grid points drawn");
    }
}
