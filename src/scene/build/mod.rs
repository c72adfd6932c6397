//! Scene building in passes over one builder: the basemap, the items (region tints, precision
//! halos, markers), the graticule, the corridors, the user layers, then the labels, which are
//! placed last around everything the other passes reserved on screen. Each pass pushes into
//! its own groups; the groups are joined in paint order at the end.

mod basemap;
mod corridors;
mod graticule;
mod items;
mod labels_pass;
#[cfg(test)]
mod tests;
mod user_layers;

use std::collections::HashMap;
use std::sync::Arc;

use crate::data::Atlas;
use crate::style::{self, Palette};

use super::labels::{self, Occupancy, label_size_px};
use super::model::{self, AreaLevel, ProjectedArea};
use super::{
    Group, Label, Layers, MapModel, Primitive, STROKE_TOLERANCE_PX, Scene, SceneOptions, View,
};

pub fn build_scene(
    atlas: &Atlas,
    model: &MapModel,
    view: View,
    options: &SceneOptions<'_>,
) -> Scene {
    let mut scene = Builder::new(atlas, model, view, options);
    scene.basemap();
    scene.region_items();
    scene.graticule();
    scene.corridors();
    scene.user_layers();
    scene.point_items();
    scene.labels();
    scene.finish()
}

/// What the passes read (the data, the view and the options, and what follows from them) and
/// what they make: the primitives of each group, the items drawn, the screen boxes taken.
struct Builder<'a> {
    atlas: &'a Atlas,
    model: &'a MapModel,
    view: View,
    options: &'a SceneOptions<'a>,
    palette: Palette,
    km_per_px: f64,
    /// The view grown so that markers and strokes at its edge are kept.
    culling: View,
    /// The scale that picks levels of detail: 0 selects the finest.
    lod_scale: f64,
    /// At full detail, the areas' full-detail levels, by the address of each area: made for
    /// this scene and let go with it.
    full_detail_levels: HashMap<usize, Arc<AreaLevel>>,
    /// The countries at the detail this view draws them.
    countries: &'a [ProjectedArea],
    groups: Groups,
    /// Items drawn in this view (markers, corridors, region tints), in the order drawn.
    visible_items: Vec<usize>,
    /// Screen boxes labels must keep clear of: reserved areas, grid labels, markers, and the
    /// labels placed so far.
    occupancy: Occupancy,
    /// The items drawn as markers and where, in drawing order: their labels are placed once
    /// every marker has taken its box.
    markers: Vec<(usize, [f64; 2])>,
    /// The grid's degree labels: placed by the graticule pass, painted above the other labels.
    graticule_labels: Vec<Label>,
}

impl<'a> Builder<'a> {
    /// `area` at this view's level of detail.
    fn level(&self, area: &ProjectedArea) -> Arc<AreaLevel> {
        match self
            .full_detail_levels
            .get(&(std::ptr::from_ref(area) as usize))
        {
            Some(level) => Arc::clone(level),
            None => Arc::clone(area.lod.for_scale(self.lod_scale)),
        }
    }

    fn new(
        atlas: &'a Atlas,
        model: &'a MapModel,
        view: View,
        options: &'a SceneOptions<'a>,
    ) -> Self {
        let km_per_px = view.km_per_px();
        let culling = view.grown(24.0);
        let lod_scale = if options.full_detail { 0.0 } else { km_per_px };
        let countries: &[ProjectedArea] =
            if options.full_detail || km_per_px < model::DETAILED_COUNTRIES_BELOW_KM_PER_PX {
                &model.countries_detailed
            } else {
                &model.countries_coarse
            };
        // The levels of detail every pass reads are made at once, on all cores.
        let areas = countries
            .iter()
            .chain(model.regions.iter())
            .chain(model.lakes.iter())
            .filter(|area| culling.intersects(area.bbox));
        let full_detail_levels = if options.full_detail {
            model::full_detail_levels(areas)
        } else {
            model::prepare_levels(areas, lod_scale);
            HashMap::new()
        };
        let mut occupancy = Occupancy::default();
        for reserved in options.reserved_px {
            occupancy.reserve(*reserved);
        }
        Self {
            atlas,
            model,
            view,
            options,
            palette: style::palette(options.theme),
            km_per_px,
            culling,
            lod_scale,
            full_detail_levels,
            countries,
            groups: Groups::default(),
            visible_items: Vec::new(),
            occupancy,
            markers: Vec::new(),
            graticule_labels: Vec::new(),
        }
    }

    fn layers(&self) -> &'a Layers {
        self.options.layers
    }

    fn push(&mut self, group: Group, primitive: Primitive) {
        self.groups.group(group).push(primitive);
    }

    /// Keeps labels placed later off the box `label` will be drawn in.
    fn reserve_label_box(&mut self, label: &Label) {
        let size = label_size_px(&label.text, label.size_px);
        self.occupancy.reserve(labels::ScreenBox {
            min: label.top_left_px,
            max: [
                label.top_left_px[0] + size[0],
                label.top_left_px[1] + size[1],
            ],
        });
    }

    fn finish(mut self) -> Scene {
        self.visible_items.sort_unstable();
        self.visible_items.dedup();
        let mut primitives = Vec::new();
        let mut groups = Vec::new();
        for (group, part) in Group::ALL.into_iter().zip(self.groups.parts) {
            let start = primitives.len();
            primitives.extend(part);
            groups.push((group, start..primitives.len()));
        }
        Scene {
            view: self.view,
            background: self.palette.sea,
            primitives,
            groups,
            visible_items: self.visible_items,
            stroke_tolerance_px: if self.options.full_detail {
                0.0
            } else {
                STROKE_TOLERANCE_PX
            },
            full_detail: self.options.full_detail,
        }
    }
}

/// The primitives of each group, in [`Group::ALL`]'s order.
#[derive(Default)]
struct Groups {
    parts: [Vec<Primitive>; Group::ALL.len()],
}

impl Groups {
    fn group(&mut self, group: Group) -> &mut Vec<Primitive> {
        &mut self.parts[group.index()]
    }
}
