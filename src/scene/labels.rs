//! Label placement: candidates in priority order, each tried at a few positions around its
//! anchor, kept only where it collides with nothing already placed.

/// A label's box on screen, in pixels relative to the view's top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScreenBox {
    pub min: [f32; 2],
    pub max: [f32; 2],
}

impl ScreenBox {
    fn overlaps(&self, other: &Self) -> bool {
        self.min[0] < other.max[0]
            && other.min[0] < self.max[0]
            && self.min[1] < other.max[1]
            && other.min[1] < self.max[1]
    }
}

/// Where the text sits relative to its anchor point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Right,
    Left,
    Above,
    Below,
    Centered,
}

/// The box a label takes: its text measured from the glyphs of the faces both backends draw
/// it with (`crate::fonts`), and a pixel each side for its halo.
pub fn label_size_px(text: &str, font_px: f32) -> [f32; 2] {
    let [width, height] = crate::fonts::text_size_px(text, font_px);
    [width + 2.0, height]
}

pub fn box_for(
    anchor_px: [f32; 2],
    size: [f32; 2],
    placement: Placement,
    gap_px: f32,
) -> ScreenBox {
    let [w, h] = size;
    let [x, y] = anchor_px;
    let min = match placement {
        Placement::Right => [x + gap_px, y - h / 2.0],
        Placement::Left => [x - gap_px - w, y - h / 2.0],
        Placement::Above => [x - w / 2.0, y - gap_px - h],
        Placement::Below => [x - w / 2.0, y + gap_px],
        Placement::Centered => [x - w / 2.0, y - h / 2.0],
    };
    ScreenBox {
        min,
        max: [min[0] + w, min[1] + h],
    }
}

/// Boxes already taken on screen: labels and markers.
#[derive(Default)]
pub struct Occupancy {
    taken: Vec<ScreenBox>,
}

impl Occupancy {
    pub fn reserve(&mut self, b: ScreenBox) {
        self.taken.push(b);
    }

    pub fn is_free(&self, b: ScreenBox) -> bool {
        !self.taken.iter().any(|t| t.overlaps(&b))
    }

    /// Tries the placements in order and takes the first free one.
    pub fn place(
        &mut self,
        anchor_px: [f32; 2],
        size: [f32; 2],
        placements: &[Placement],
        gap_px: f32,
        view_px: [f32; 2],
    ) -> Option<(Placement, ScreenBox)> {
        for &placement in placements {
            let candidate = box_for(anchor_px, size, placement, gap_px);
            let inside = candidate.min[0] >= 0.0
                && candidate.min[1] >= 0.0
                && candidate.max[0] <= view_px[0]
                && candidate.max[1] <= view_px[1];
            if inside && !self.taken.iter().any(|t| t.overlaps(&candidate)) {
                self.taken.push(candidate);
                return Some((placement, candidate));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_label_at_the_same_place_moves_to_a_free_side_or_is_dropped() {
        let mut occupancy = Occupancy::default();
        let all = [
            Placement::Right,
            Placement::Left,
            Placement::Above,
            Placement::Below,
        ];
        let size = label_size_px("Almaty", 12.0);
        let first = occupancy.place([100.0, 100.0], size, &all, 4.0, [400.0, 400.0]);
        let second = occupancy.place([100.0, 100.0], size, &all, 4.0, [400.0, 400.0]);
        assert_eq!(first.map(|p| p.0), Some(Placement::Right));
        assert_eq!(second.map(|p| p.0), Some(Placement::Left));
        let only_right = occupancy.place(
            [100.0, 100.0],
            size,
            &[Placement::Right],
            4.0,
            [400.0, 400.0],
        );
        assert!(only_right.is_none());
    }

    #[test]
    fn labels_that_would_leave_the_view_are_not_placed() {
        let mut occupancy = Occupancy::default();
        let size = label_size_px("Xi'an", 12.0);
        assert!(
            occupancy
                .place(
                    [395.0, 100.0],
                    size,
                    &[Placement::Right],
                    4.0,
                    [400.0, 400.0]
                )
                .is_none()
        );
    }
}
