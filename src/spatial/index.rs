//! An R-tree over the projected items, so hover and click find what is under the pointer
//! without scanning every item.

use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};

type PointEntry = GeomWithData<[f64; 2], usize>;
type SegmentEntry = GeomWithData<Line<[f64; 2]>, usize>;

/// Points and line segments in map-plane km, each tagged with the index of its item.
#[derive(Default)]
pub struct PickIndex {
    points: RTree<PointEntry>,
    segments: RTree<SegmentEntry>,
}

impl PickIndex {
    pub fn build(points: Vec<([f64; 2], usize)>, lines: Vec<(Vec<[f64; 2]>, usize)>) -> Self {
        let points = points
            .into_iter()
            .map(|(p, i)| PointEntry::new(p, i))
            .collect();
        let segments = lines
            .into_iter()
            .flat_map(|(line, item)| {
                line.windows(2)
                    .map(|w| SegmentEntry::new(Line::new(w[0], w[1]), item))
                    .collect::<Vec<_>>()
            })
            .collect();
        Self {
            points: RTree::bulk_load(points),
            segments: RTree::bulk_load(segments),
        }
    }

    /// The item nearest to `at` within `radius_km`, for which `visible` holds. Markers win over
    /// corridors: a site drawn on top of a pipeline is what the pointer means.
    pub fn pick(
        &self,
        at: [f64; 2],
        radius_km: f64,
        visible: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let r2 = radius_km * radius_km;
        let point = self
            .points
            .nearest_neighbor_iter_with_distance_2(&at)
            .take_while(|(_, d2)| *d2 <= r2)
            .find(|(e, _)| visible(e.data))
            .map(|(e, _)| e.data);
        point.or_else(|| {
            self.segments
                .nearest_neighbor_iter_with_distance_2(&at)
                .take_while(|(_, d2)| *d2 <= r2)
                .find(|(e, _)| visible(e.data))
                .map(|(e, _)| e.data)
        })
    }

    /// Items with a point or segment inside the box, sorted and without repeats.
    pub fn in_box(&self, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        let envelope = AABB::from_corners(min, max);
        let mut out: Vec<usize> = self
            .points
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data)
            .chain(
                self.segments
                    .locate_in_envelope_intersecting(&envelope)
                    .map(|e| e.data),
            )
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_visible_item_within_the_radius_is_picked() {
        let index = PickIndex::build(
            vec![([0.0, 0.0], 0), ([10.0, 0.0], 1)],
            vec![(vec![[0.0, 5.0], [20.0, 5.0]], 2)],
        );
        assert_eq!(index.pick([1.0, 0.0], 3.0, |_| true), Some(0));
        assert_eq!(index.pick([1.0, 0.0], 3.0, |i| i != 0), None);
        assert_eq!(index.pick([15.0, 4.0], 3.0, |_| true), Some(2));
        assert_eq!(index.pick([50.0, 50.0], 3.0, |_| true), None);
    }

    #[test]
    fn a_box_finds_items_whose_segments_cross_it() {
        let index = PickIndex::build(
            vec![([100.0, 100.0], 0)],
            vec![(vec![[-10.0, 0.0], [10.0, 0.0]], 1)],
        );
        assert_eq!(index.in_box([-1.0, -1.0], [1.0, 1.0]), vec![1]);
        assert_eq!(index.in_box([90.0, 90.0], [110.0, 110.0]), vec![0]);
    }
}
