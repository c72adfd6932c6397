//! The label pass, last: names placed by priority (the selection, then sites, corridors,
//! region items, countries, cities by size), each where it covers nothing placed before it.
//! Cities are drawn only with their names, so their dots are placed here too.

use super::Builder;
use crate::scene::labels::{Placement, ScreenBox, label_size_px};
use crate::scene::{
    BasemapLayer, Disc, Group, Label, Path, Primitive, ProjectedShape, Radius, View, map_label,
};
use crate::style::{self, Color};

/// Where a name may sit around its point, in the order tried.
const AROUND: [Placement; 4] = [
    Placement::Right,
    Placement::Left,
    Placement::Above,
    Placement::Below,
];

impl Builder<'_> {
    /// Labels by priority: the selection, then sites, corridors, countries, cities by size;
    /// the grid's labels, placed first, are painted last.
    pub(super) fn labels(&mut self) {
        self.site_labels();
        self.corridor_and_region_labels();
        self.country_labels();
        self.cities();
        let graticule_labels = std::mem::take(&mut self.graticule_labels);
        self.groups
            .group(Group::Labels)
            .extend(graticule_labels.into_iter().map(Primitive::Label));
    }

    /// A label of `text` with its top-left corner at `top_left_px`, in the common halo.
    fn push_label(&mut self, text: &str, top_left_px: [f32; 2], size_px: f32, color: Color) {
        let halo = self.palette.label_halo;
        self.push(
            Group::Labels,
            Primitive::Label(Label {
                text: text.to_owned(),
                top_left_px,
                size_px,
                color,
                halo,
            }),
        );
    }

    fn site_labels(&mut self) {
        let (atlas, options, view) = (self.atlas, self.options, self.view);
        let mut site_order: Vec<(usize, [f64; 2])> = self.markers.clone();
        site_order.sort_by_key(|&(item, _)| {
            let rank = if options.selected == Some(item) {
                0
            } else if options.hovered == Some(item) {
                1
            } else {
                2
            };
            (rank, item)
        });
        for (item, at) in site_order {
            let text = map_label(&atlas.items[item].properties.name);
            let size = label_size_px(text, style::SITE_LABEL_PX);
            if let Some((_, placed)) = self.occupancy.place(
                view.to_px(at),
                size,
                &AROUND,
                style::MARKER_SIZE_PX * 0.7,
                view.size_px,
            ) {
                self.push_label(
                    text,
                    placed.min,
                    style::SITE_LABEL_PX,
                    self.palette.site_label,
                );
            }
        }
    }

    fn corridor_and_region_labels(&mut self) {
        let (atlas, model, options, view) = (self.atlas, self.model, self.options, self.view);
        let palette = self.palette;
        for projected in model.items.iter() {
            let item = &atlas.items[projected.item];
            match &projected.shape {
                ProjectedShape::Corridor(paths) if self.visible_items.contains(&projected.item) => {
                    let Some(anchor) = corridor_label_anchor(paths, &view) else {
                        continue;
                    };
                    let text = map_label(&item.properties.name);
                    let size = label_size_px(text, style::CITY_LABEL_PX);
                    if let Some((_, placed)) = self.occupancy.place(
                        view.to_px(anchor),
                        size,
                        &[Placement::Above, Placement::Below],
                        6.0,
                        view.size_px,
                    ) {
                        let color = item
                            .properties
                            .corridor_kind
                            .map_or(palette.site_label, |k| {
                                let s = style::corridor_style(k, options.theme);
                                s.casing.unwrap_or(s.color)
                            });
                        self.push_label(text, placed.min, style::CITY_LABEL_PX, color);
                    }
                }
                ProjectedShape::Marker(_)
                    if projected.area.is_some() && self.visible_items.contains(&projected.item) =>
                {
                    if let Some(area) = projected.area {
                        let text = map_label(&item.properties.name);
                        let size = label_size_px(text, style::SITE_LABEL_PX);
                        let at = view.to_px(model.regions[area].label_at());
                        if let Some((_, placed)) = self.occupancy.place(
                            at,
                            size,
                            &[Placement::Centered, Placement::Below],
                            2.0,
                            view.size_px,
                        ) {
                            self.push_label(
                                text,
                                placed.min,
                                style::SITE_LABEL_PX,
                                palette.site_label,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn country_labels(&mut self) {
        if !self.layers().shows_basemap(BasemapLayer::Countries) {
            return;
        }
        let (view, km_per_px) = (self.view, self.km_per_px);
        let mut by_size: Vec<_> = self
            .countries
            .iter()
            .filter(|c| view.intersects(c.bbox))
            .collect();
        by_size.sort_by(|a, b| b.area_km2.total_cmp(&a.area_km2));
        for c in by_size {
            if c.area_km2 / (km_per_px * km_per_px) < 4000.0 {
                continue;
            }
            let text = c.name.to_uppercase();
            let size = label_size_px(&text, style::COUNTRY_LABEL_PX);
            if let Some((_, placed)) = self.occupancy.place(
                view.to_px(c.label_at()),
                size,
                &[Placement::Centered],
                0.0,
                view.size_px,
            ) {
                self.push_label(
                    &text,
                    placed.min,
                    style::COUNTRY_LABEL_PX,
                    self.palette.country_label,
                );
            }
        }
    }

    /// A city is drawn only with its name: unnamed dots would be noise on a thematic map.
    fn cities(&mut self) {
        if !self.layers().shows_basemap(BasemapLayer::Cities) {
            return;
        }
        let (model, view, palette) = (self.model, self.view, self.palette);
        let min_population = city_population_threshold(self.km_per_px);
        for city in model
            .cities
            .iter()
            .filter(|c| c.population >= min_population)
        {
            if !view.intersects([city.at[0], city.at[1], city.at[0], city.at[1]]) {
                continue;
            }
            let dot_px = if city.population >= 1_000_000 {
                style::CAPITAL_DOT_PX
            } else {
                style::CITY_DOT_PX
            };
            let size = label_size_px(&city.name, style::CITY_LABEL_PX);
            let at = view.to_px(city.at);
            let dot_box = ScreenBox {
                min: [at[0] - dot_px, at[1] - dot_px],
                max: [at[0] + dot_px, at[1] + dot_px],
            };
            if !self.occupancy.is_free(dot_box) {
                continue;
            }
            if let Some((_, placed)) =
                self.occupancy
                    .place(at, size, &AROUND, dot_px + 2.0, view.size_px)
            {
                self.occupancy.reserve(dot_box);
                self.push(
                    Group::Cities,
                    Primitive::Disc(Disc {
                        center: city.at,
                        radius: Radius::Px(dot_px),
                        fill: palette.city_dot,
                        outline: Some((1.0, palette.label_halo)),
                    }),
                );
                self.push_label(
                    &city.name,
                    placed.min,
                    style::CITY_LABEL_PX,
                    palette.city_label,
                );
            }
        }
    }
}

/// The vertex of a corridor nearest the middle of its visible part, where its name goes.
fn corridor_label_anchor(paths: &[Path], view: &View) -> Option<[f64; 2]> {
    let inside: Vec<[f64; 2]> = paths
        .iter()
        .flat_map(|p| p.iter().copied())
        .filter(|p| view.intersects([p[0], p[1], p[0], p[1]]))
        .collect();
    inside.get(inside.len() / 2).copied()
}

/// Fewer, larger cities as the view widens, so labels never crowd the map.
fn city_population_threshold(km_per_px: f64) -> u64 {
    if km_per_px > 6.0 {
        2_000_000
    } else if km_per_px > 3.0 {
        800_000
    } else if km_per_px > 1.2 {
        400_000
    } else if km_per_px > 0.5 {
        200_000
    } else {
        100_000
    }
}
