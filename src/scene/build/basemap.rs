//! The basemap pass: land, lakes, region and country borders and rivers, at the level of detail
//! of the view's scale.

use std::sync::Arc;

use super::Builder;
use crate::scene::model::ProjectedArea;
use crate::scene::{BasemapLayer, Fill, Group, LinePattern, Path, Primitive, Stroke};
use crate::style::{self, Color};

/// The two countries of the atlas, drawn in a stronger land colour and border.
pub(super) fn is_focus(code: &str) -> bool {
    code == "KZ" || code == "CN"
}

impl Builder<'_> {
    /// An area at this view's level of detail, filled with `color`.
    pub(super) fn fill(&self, area: &ProjectedArea, color: Color) -> Primitive {
        Primitive::Fill(Fill {
            area: self.level(area),
            color,
        })
    }

    pub(super) fn basemap(&mut self) {
        let layers = self.layers();
        let palette = self.palette;
        let culling = self.culling;
        let km_per_px = self.km_per_px;
        let countries = self.countries;
        let model = self.model;
        if layers.shows_basemap(BasemapLayer::Countries) {
            for c in countries.iter().filter(|c| culling.intersects(c.bbox)) {
                let color = if is_focus(&c.code) {
                    palette.land_focus
                } else {
                    palette.land
                };
                let fill = self.fill(c, color);
                self.push(Group::Land, fill);
            }
        }
        if layers.shows_basemap(BasemapLayer::Lakes) {
            for lake in model.lakes.iter().filter(|l| culling.intersects(l.bbox)) {
                // Lakes smaller than a few pixels would only add noise.
                if lake.area_km2 / (km_per_px * km_per_px) > 6.0 {
                    let fill = self.fill(lake, palette.lake);
                    self.push(Group::Lakes, fill);
                }
            }
        }
        if layers.shows_basemap(BasemapLayer::Regions) {
            let mut edges = OutlinedEdges::default();
            for r in model.regions.iter().filter(|r| culling.intersects(r.bbox)) {
                let level = self.level(r);
                push_outline(
                    self.groups.group(Group::RegionBorders),
                    &mut edges,
                    &level.rings,
                    style::REGION_BORDER_PX,
                    palette.region_border,
                    false,
                );
            }
        }
        if layers.shows_basemap(BasemapLayer::Rivers) {
            let mut edges = OutlinedEdges::default();
            for river in model.rivers.iter().filter(|r| culling.intersects(r.bbox)) {
                push_outline(
                    self.groups.group(Group::Rivers),
                    &mut edges,
                    &river.paths,
                    style::RIVER_PX,
                    palette.river,
                    true,
                );
            }
        }
        if layers.shows_basemap(BasemapLayer::Countries) {
            // The two countries of the atlas get the stronger border, drawn last so it stays on
            // top; their borders are taken first, so that a neighbour leaves them out.
            let mut edges = OutlinedEdges::default();
            let mut focus_borders = Vec::new();
            for c in countries
                .iter()
                .filter(|c| culling.intersects(c.bbox) && is_focus(&c.code))
            {
                push_outline(
                    &mut focus_borders,
                    &mut edges,
                    &self.level(c).rings,
                    style::FOCUS_BORDER_PX,
                    palette.focus_border,
                    false,
                );
            }
            for c in countries
                .iter()
                .filter(|c| culling.intersects(c.bbox) && !is_focus(&c.code))
            {
                let level = self.level(c);
                push_outline(
                    self.groups.group(Group::CountryBorders),
                    &mut edges,
                    &level.rings,
                    style::COUNTRY_BORDER_PX,
                    palette.country_border,
                    false,
                );
            }
            self.groups
                .group(Group::CountryBorders)
                .extend(focus_borders);
        }
    }
}

fn push_outline(
    out: &mut Vec<Primitive>,
    edges: &mut OutlinedEdges,
    paths: &[Path],
    width_px: f32,
    color: Color,
    simplify: bool,
) {
    for path in paths {
        for run in edges.new_runs(path) {
            out.push(Primitive::Stroke(Stroke {
                path: run,
                width_px,
                color,
                pattern: LinePattern::Solid,
                ticks: false,
                simplify,
            }));
        }
    }
}

/// The segments one layer's outlines have drawn so far. Neighbouring areas share their
/// border, and each one's rings hold it: drawn from both, a border costs its triangles twice,
/// and a software renderer keeps memory for each. Where the neighbours' levels of detail kept
/// the same points, the second ring leaves that stretch out.
#[derive(Default)]
struct OutlinedEdges(std::collections::HashSet<[u64; 4]>);

impl OutlinedEdges {
    fn key(a: [f64; 2], b: [f64; 2]) -> [u64; 4] {
        let (a, b) = (
            [a[0].to_bits(), a[1].to_bits()],
            [b[0].to_bits(), b[1].to_bits()],
        );
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        [first[0], first[1], second[0], second[1]]
    }

    /// The stretches of `path` whose segments no earlier path drew; the path itself when
    /// none were drawn.
    fn new_runs(&mut self, path: &Path) -> Vec<Path> {
        let fresh: Vec<bool> = path
            .windows(2)
            .map(|pair| self.0.insert(Self::key(pair[0], pair[1])))
            .collect();
        if fresh.iter().all(|&f| f) {
            return vec![Arc::clone(path)];
        }
        let closed = path.len() > 2 && path.first() == path.last();
        let count = fresh.len();
        // A closed ring's stretch may run across its first point: start after a drawn one.
        let start = if closed {
            fresh.iter().position(|&f| !f).map_or(0, |i| i + 1)
        } else {
            0
        };
        let mut runs = Vec::new();
        let mut run: Vec<[f64; 2]> = Vec::new();
        for step in 0..count {
            let i = (start + step) % count;
            if fresh[i] {
                if run.is_empty() {
                    run.push(path[i]);
                }
                run.push(path[i + 1]);
            } else if !run.is_empty() {
                runs.push(Path::from(std::mem::take(&mut run)));
            }
        }
        if !run.is_empty() {
            runs.push(Path::from(run));
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_border_two_areas_share_is_outlined_once() {
        // Two unit squares side by side share the edge x = 1; the right one starts its ring
        // on that edge, so its stretch left to draw runs across its first point.
        let left: Path = vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]].into();
        let right: Path = vec![
            [1.0, 0.5],
            [1.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 0.5],
        ]
        .into();
        let mut edges = OutlinedEdges::default();
        let first = edges.new_runs(&left);
        assert_eq!(first.len(), 1);
        assert!(
            Arc::ptr_eq(&first[0], &left),
            "a ring with no drawn edge is kept whole"
        );
        // The right square's ring splits x = 1 in two, so no segment of it matches the left
        // square's edge: all of it is drawn.
        assert_eq!(edges.new_runs(&right).len(), 1);
        // A ring with the very same points on x = 1 draws only the rest, as one stretch.
        let right: Path = vec![[1.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0]].into();
        let mut edges = OutlinedEdges::default();
        edges.new_runs(&left);
        let runs = edges.new_runs(&right);
        assert_eq!(runs.len(), 1);
        assert_eq!(
            &*runs[0],
            &[[1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0]][..]
        );
        // Drawn again, nothing is left.
        assert!(edges.new_runs(&left).is_empty());
        // The shared edge in the middle of the ring: the rest runs across the first point.
        let right: Path = vec![[2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 0.0], [2.0, 0.0]].into();
        let mut edges = OutlinedEdges::default();
        edges.new_runs(&left);
        let runs = edges.new_runs(&right);
        assert_eq!(runs.len(), 1);
        assert_eq!(
            &*runs[0],
            &[[1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0]][..]
        );
    }
}
