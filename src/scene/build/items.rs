//! The items pass: region items as area tints, and point items as markers over the precision
//! halos that say how far each may be off. Markers take their boxes on screen, so that no label
//! covers them.

use super::Builder;
use crate::data::{Precision, PrecisionClass};
use crate::scene::labels::ScreenBox;
use crate::scene::{Disc, Group, MapModel, Marker, Primitive, ProjectedShape, Radius};
use crate::style::{self, Color};

impl Builder<'_> {
    /// Region items stand for a whole region: an area tint, not a pin.
    pub(super) fn region_items(&mut self) {
        let (atlas, model, options) = (self.atlas, self.model, self.options);
        for projected in model.items.iter() {
            let item = &atlas.items[projected.item];
            let Some(area) = projected.area else { continue };
            if !options.layers.shows_item(item)
                || !self.culling.intersects(model.regions[area].bbox)
            {
                continue;
            }
            let highlighted = options.selected == Some(projected.item)
                || options.hovered == Some(projected.item)
                || options.highlighted.contains(&projected.item);
            let color = if highlighted {
                self.palette.area_tint.with_alpha(0xa0)
            } else {
                self.palette.area_tint
            };
            let fill = self.fill(&model.regions[area], color);
            self.push(Group::RegionAreas, fill);
            self.visible_items.push(projected.item);
        }
    }

    /// Point items: a halo where the site is known only so far, and its marker.
    pub(super) fn point_items(&mut self) {
        let (atlas, model, options) = (self.atlas, self.model, self.options);
        let km_per_px = self.km_per_px;
        for projected in model.items.iter() {
            let item = &atlas.items[projected.item];
            let ProjectedShape::Marker(at) = projected.shape else {
                continue;
            };
            if projected.area.is_some()
                || !options.layers.shows_item(item)
                || !self.culling.intersects([at[0], at[1], at[0], at[1]])
            {
                continue;
            }
            let precision = &item.properties.precision;
            if let Some(area_km) = area_radius_km(precision) {
                let color = style::sector_color(item.properties.sector, options.theme);
                let ground_km = area_km * model.projection.scale_factor(item_lat(model, at));
                #[expect(clippy::cast_possible_truncation, reason = "a radius in pixels")]
                let radius = if (ground_km / km_per_px) as f32 >= style::AREA_MIN_PX {
                    Radius::Km(ground_km)
                } else {
                    Radius::Px(style::AREA_MIN_PX)
                };
                self.push(
                    Group::PrecisionHalos,
                    Primitive::Disc(Disc {
                        center: at,
                        radius,
                        // A region-wide area is lighter than a town's: it may span hundreds of
                        // kilometres and lie under many other items.
                        fill: color.with_alpha(if precision.class == PrecisionClass::Region {
                            0x1c
                        } else {
                            0x38
                        }),
                        outline: Some((1.0, color.with_alpha(0x70))),
                    }),
                );
            }
            if precision.class == PrecisionClass::Near
                && let Some(radius_km) = precision.radius_km
            {
                let color = style::sector_color(item.properties.sector, options.theme);
                self.push(
                    Group::PrecisionHalos,
                    Primitive::Disc(Disc {
                        center: at,
                        radius: Radius::Km(
                            radius_km * model.projection.scale_factor(item_lat(model, at)),
                        ),
                        fill: color.with_alpha(0x30),
                        outline: Some((1.0, color.with_alpha(0x90))),
                    }),
                );
            }
            self.markers.push((projected.item, at));
            self.visible_items.push(projected.item);
        }

        let palette = self.palette;
        let markers = std::mem::take(&mut self.markers);
        for &(item, at) in &markers {
            let sector = atlas.items[item].properties.sector;
            let selected = options.selected == Some(item);
            let hovered = options.hovered == Some(item);
            let highlighted = options.highlighted.contains(&item);
            let base_px = if area_radius_km(&atlas.items[item].properties.precision).is_some() {
                style::MARKER_SIZE_PX * style::AREA_MARKER_SCALE
            } else {
                style::MARKER_SIZE_PX
            };
            let size_px = if selected || hovered || highlighted {
                base_px * 1.3
            } else {
                base_px
            };
            if selected || highlighted {
                self.push(
                    Group::Markers,
                    Primitive::Disc(Disc {
                        center: at,
                        radius: Radius::Px(size_px * 0.9),
                        fill: Color::rgba(0, 0, 0, 0),
                        outline: Some((
                            style::SELECTION_RING_PX,
                            if selected {
                                palette.selection
                            } else {
                                palette.hover
                            },
                        )),
                    }),
                );
            }
            self.push(
                Group::Markers,
                Primitive::Marker(Marker {
                    item,
                    center: at,
                    shape: style::sector_shape(sector),
                    size_px,
                    fill: style::sector_color(sector, options.theme).with_alpha(
                        style::status_fill_alpha(
                            options.layers.filter.status_of(&atlas.items[item]),
                        ),
                    ),
                    outline: if hovered {
                        palette.hover
                    } else {
                        palette.marker_outline
                    },
                    outline_px: if hovered {
                        2.0
                    } else {
                        style::MARKER_OUTLINE_PX
                    },
                }),
            );
            let c = self.view.to_px(at);
            self.occupancy.reserve(ScreenBox {
                min: [c[0] - size_px / 2.0, c[1] - size_px / 2.0],
                max: [c[0] + size_px / 2.0, c[1] + size_px / 2.0],
            });
        }
        self.markers = markers;
    }
}

/// The latitude of a map-plane point, for the local scale of the projection there.
fn item_lat(model: &MapModel, at: [f64; 2]) -> f64 {
    model.projection.unproject(at[0], at[1])[1]
}

/// The radius of the area a town- or region-level site is drawn as; `None` for the others.
fn area_radius_km(precision: &Precision) -> Option<f64> {
    match precision.class {
        PrecisionClass::Town => Some(precision.radius_km.unwrap_or(style::TOWN_AREA_KM)),
        PrecisionClass::Region => Some(precision.radius_km.unwrap_or(style::REGION_AREA_KM)),
        _ => None,
    }
}
