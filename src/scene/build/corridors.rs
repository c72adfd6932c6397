//! The corridors pass: pipelines, roads and railways as strokes, dashed as far as their course
//! is approximate or schematic, with a halo when selected or hovered.

use std::sync::Arc;

use super::Builder;
use crate::data::{Atlas, CorridorKind, ItemKind, PrecisionClass};
use crate::scene::{
    Group, LinePattern, MapModel, Primitive, ProjectedShape, SceneOptions, Stroke, View,
};
use crate::style::{self, Palette};

impl Builder<'_> {
    pub(super) fn corridors(&mut self) {
        push_corridors(
            self.groups.group(Group::Corridors),
            &mut self.visible_items,
            self.atlas,
            self.model,
            &self.culling,
            self.options,
            &self.palette,
        );
    }
}

fn push_corridors(
    out: &mut Vec<Primitive>,
    visible_items: &mut Vec<usize>,
    atlas: &Atlas,
    model: &MapModel,
    culling: &View,
    options: &SceneOptions<'_>,
    palette: &Palette,
) {
    // Pipelines under roads under railways, as they sit on printed maps.
    let order = |k: Option<CorridorKind>| {
        k.map_or(9, |k| {
            CorridorKind::ALL.iter().position(|&x| x == k).unwrap_or(9)
        })
    };
    let mut corridors: Vec<_> = model
        .items
        .iter()
        .filter(|p| matches!(p.shape, ProjectedShape::Corridor(_)))
        .filter(|p| atlas.items[p.item].properties.kind == ItemKind::Corridor)
        .filter(|p| options.layers.shows_item(&atlas.items[p.item]) && culling.intersects(p.bbox))
        .collect();
    corridors.sort_by_key(|p| (order(atlas.items[p.item].properties.corridor_kind), p.item));
    for projected in corridors {
        let ProjectedShape::Corridor(paths) = &projected.shape else {
            continue;
        };
        let item = &atlas.items[projected.item];
        let Some(kind) = item.properties.corridor_kind else {
            continue;
        };
        let look = style::corridor_style(kind, options.theme);
        let pattern = match item.properties.precision.class {
            PrecisionClass::Approximate => LinePattern::Dashed {
                dash_px: style::APPROXIMATE_DASH_PX.0,
                gap_px: style::APPROXIMATE_DASH_PX.1,
            },
            PrecisionClass::Schematic => LinePattern::Dashed {
                dash_px: style::SCHEMATIC_DASH_PX.0,
                gap_px: style::SCHEMATIC_DASH_PX.1,
            },
            _ => LinePattern::Solid,
        };
        let selected = options.selected == Some(projected.item);
        let hovered = options.hovered == Some(projected.item)
            || options.highlighted.contains(&projected.item);
        for path in paths {
            if selected || hovered {
                out.push(Primitive::Stroke(Stroke {
                    path: Arc::clone(path),
                    width_px: look.width_px + 7.0,
                    color: if selected {
                        palette.selection.with_alpha(0xb0)
                    } else {
                        palette.hover.with_alpha(0x50)
                    },
                    pattern: LinePattern::Solid,
                    ticks: false,
                    simplify: true,
                }));
            }
            if let Some(casing) = look.casing {
                out.push(Primitive::Stroke(Stroke {
                    path: Arc::clone(path),
                    width_px: look.width_px + 2.0,
                    color: casing,
                    pattern,
                    ticks: false,
                    simplify: true,
                }));
            }
            out.push(Primitive::Stroke(Stroke {
                path: Arc::clone(path),
                width_px: look.width_px,
                color: look.color,
                pattern,
                ticks: look.ticks,
                simplify: true,
            }));
        }
        visible_items.push(projected.item);
    }
}
