//! Data + view + style + layers → styled primitives in map-plane coordinates, culled to the view
//! and simplified for its scale, with labels placed. Both the live map and exports paint this.
//! No egui here.

pub mod dense;
pub mod labels;
pub mod layers;
pub mod model;
pub mod symbols;

use std::sync::Arc;

pub use dense::{Dots, PixelWindow, Polylines, UserLayerMarks};
pub use layers::{BasemapLayer, Layers};
pub use model::{MapModel, Path, ProjectedShape, RingTriangles};

use crate::data::{Atlas, CorridorKind, ItemKind, PrecisionClass};
use crate::style::{self, Color, MarkerShape, Palette, Theme};
use labels::{Occupancy, Placement, estimate_size_px};

/// The part of the map plane on screen and its size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Lower-left corner in map km.
    pub min: [f64; 2],
    /// Upper-right corner in map km.
    pub max: [f64; 2],
    pub size_px: [f32; 2],
}

/// Whether two scales (km per pixel) are the same one: a view moved by panning computes its
/// scale from new corners, a rounding error away from before.
pub fn same_scale(km_per_px: f64, other: f64) -> bool {
    (km_per_px - other).abs() <= km_per_px * 1e-9
}

impl View {
    pub fn km_per_px(&self) -> f64 {
        (self.max[0] - self.min[0]) / f64::from(self.size_px[0].max(1.0))
    }

    /// Map km → pixels from the view's top-left corner (y down, as on screen).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "pixel positions fit in f32"
    )]
    pub fn to_px(&self, p: [f64; 2]) -> [f32; 2] {
        let k = self.km_per_px();
        [
            ((p[0] - self.min[0]) / k) as f32,
            ((self.max[1] - p[1]) / k) as f32,
        ]
    }

    pub fn intersects(&self, bbox: [f64; 4]) -> bool {
        bbox[0] <= self.max[0]
            && bbox[2] >= self.min[0]
            && bbox[1] <= self.max[1]
            && bbox[3] >= self.min[1]
    }

    /// The view grown by a margin in pixels, so that markers and strokes at the edge are kept.
    pub fn grown(&self, margin_px: f32) -> Self {
        let m = f64::from(margin_px) * self.km_per_px();
        Self {
            min: [self.min[0] - m, self.min[1] - m],
            max: [self.max[0] + m, self.max[1] + m],
            size_px: self.size_px,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LinePattern {
    Solid,
    Dashed { dash_px: f32, gap_px: f32 },
}

#[derive(Clone, Debug)]
pub struct Fill {
    /// The area at the detail of this view: rings for path painters (SVG, even-odd rule) and
    /// triangles for mesh painters (egui).
    pub area: Arc<model::AreaLevel>,
    pub color: Color,
}

#[derive(Clone, Debug)]
pub struct Stroke {
    pub path: Path,
    pub width_px: f32,
    pub color: Color,
    pub pattern: LinePattern,
    /// Railway ticks across the line every so many pixels.
    pub ticks: bool,
    /// The path is at source detail, and a painter may simplify it on screen within
    /// [`Scene::stroke_tolerance_px`]. Outlines taken from a level of detail are not: they are
    /// already as coarse as a pixel allows.
    pub simplify: bool,
}

/// A circle whose radius is in ground km (a precision halo) or in pixels (a dot).
#[derive(Clone, Copy, Debug)]
pub enum Radius {
    Px(f32),
    Km(f64),
}

#[derive(Clone, Copy, Debug)]
pub struct Disc {
    pub center: [f64; 2],
    pub radius: Radius,
    pub fill: Color,
    pub outline: Option<(f32, Color)>,
}

#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub item: usize,
    pub center: [f64; 2],
    pub shape: MarkerShape,
    pub size_px: f32,
    pub fill: Color,
    pub outline: Color,
    pub outline_px: f32,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub text: String,
    /// Top-left corner in pixels from the view's top-left corner.
    pub top_left_px: [f32; 2],
    pub size_px: f32,
    pub color: Color,
    pub halo: Color,
}

#[derive(Clone, Debug)]
pub enum Primitive {
    Fill(Fill),
    Stroke(Stroke),
    Disc(Disc),
    Marker(Marker),
    Label(Label),
    /// A user layer, drawn as dots and thin lines, as many as the pixels can show.
    UserLayer(UserLayerMarks),
}

/// Everything to paint for one view, in paint order.
#[derive(Clone, Debug)]
pub struct Scene {
    pub view: View,
    pub background: Color,
    pub primitives: Vec<Primitive>,
    /// Each group's name and its range in `primitives`, in paint order.
    pub groups: Vec<(&'static str, std::ops::Range<usize>)>,
    /// Items drawn in this view (markers, corridors, region tints), sorted.
    pub visible_items: Vec<usize>,
    /// How far, in pixels, a painter may simplify a stroke's on-screen path; 0 at full detail.
    pub stroke_tolerance_px: f32,
    /// Drawn the naive way (see [`SceneOptions::full_detail`]): painters leave every line to
    /// egui's own tessellator too.
    pub full_detail: bool,
}

/// Strokes are simplified on screen within this many pixels: corridors are densified every
/// 20 km to follow the projection, and rivers are drawn from their source points, so at a wide
/// view many of their points are a pixel or less apart. Each point costs triangles in every
/// frame, and a software renderer keeps about 300 bytes for each triangle it drew last.
pub const STROKE_TOLERANCE_PX: f32 = 0.25;

impl Scene {
    pub fn markers(&self) -> impl Iterator<Item = &Marker> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::Marker(m) => Some(m),
            _ => None,
        })
    }

    /// The user layers drawn in this scene, in paint order.
    pub fn user_layers(&self) -> impl Iterator<Item = &UserLayerMarks> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::UserLayer(l) => Some(l),
            _ => None,
        })
    }

    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        self.primitives.iter().filter_map(|p| match p {
            Primitive::Label(l) => Some(l),
            _ => None,
        })
    }
}

pub struct SceneOptions<'a> {
    pub theme: Theme,
    pub layers: &'a Layers,
    pub selected: Option<usize>,
    pub hovered: Option<usize>,
    /// Items to pick out, such as everything one partner takes part in.
    pub highlighted: &'a [usize],
    /// Screen areas (pixels from the view's top-left) that labels must keep clear, such as a
    /// slide's legend box.
    pub reserved_px: &'a [labels::ScreenBox],
    /// Draw every area at its finest detail and the 1:10m countries at every scale: the naive
    /// way, kept as the baseline the benchmarks compare against.
    pub full_detail: bool,
}

/// The layers of a scene, in paint order; exports group their output by these names.
pub const GROUPS: [&str; 13] = [
    "land",
    "lakes",
    "region-areas",
    "region-borders",
    "rivers",
    "country-borders",
    "graticule",
    "corridors",
    // The tinted areas of sites known only to their town or region lie under the user's own
    // layers, which would otherwise be veiled wherever such an area reaches.
    "precision-halos",
    "user-layers",
    "cities",
    "markers",
    "labels",
];

#[derive(Default)]
struct Groups {
    parts: [Vec<Primitive>; GROUPS.len()],
}

impl Groups {
    fn push(&mut self, group: &str, primitive: Primitive) {
        let index = GROUPS
            .iter()
            .position(|g| *g == group)
            .unwrap_or(GROUPS.len() - 1);
        self.parts[index].push(primitive);
    }

    fn group(&mut self, group: &str) -> &mut Vec<Primitive> {
        let index = GROUPS
            .iter()
            .position(|g| *g == group)
            .unwrap_or(GROUPS.len() - 1);
        &mut self.parts[index]
    }
}

pub fn build_scene(
    atlas: &Atlas,
    model: &MapModel,
    view: View,
    options: &SceneOptions<'_>,
) -> Scene {
    let palette = style::palette(options.theme);
    let km_per_px = view.km_per_px();
    let culling = view.grown(24.0);
    let layers = options.layers;
    let mut out = Groups::default();
    let mut visible_items = Vec::new();

    // The scale that picks levels of detail: 0 selects the finest.
    let lod_scale = if options.full_detail { 0.0 } else { km_per_px };
    let countries = if options.full_detail || km_per_px < model::DETAILED_COUNTRIES_BELOW_KM_PER_PX
    {
        &model.countries_detailed
    } else {
        &model.countries_coarse
    };
    model::prepare_levels(
        countries
            .iter()
            .chain(model.regions.iter())
            .chain(model.lakes.iter())
            .filter(|area| culling.intersects(area.bbox)),
        lod_scale,
    );
    let is_focus = |code: &str| code == "KZ" || code == "CN";
    let fill = |area: &model::ProjectedArea, color: Color| {
        Primitive::Fill(Fill {
            area: Arc::clone(area.lod.for_scale(lod_scale)),
            color,
        })
    };
    if layers.shows_basemap(BasemapLayer::Countries) {
        for c in countries.iter().filter(|c| culling.intersects(c.bbox)) {
            let color = if is_focus(&c.code) {
                palette.land_focus
            } else {
                palette.land
            };
            out.push("land", fill(c, color));
        }
    }
    if layers.shows_basemap(BasemapLayer::Lakes) {
        for lake in model.lakes.iter().filter(|l| culling.intersects(l.bbox)) {
            // Lakes smaller than a few pixels would only add noise.
            if lake.area_km2 / (km_per_px * km_per_px) > 6.0 {
                out.push("lakes", fill(lake, palette.lake));
            }
        }
    }
    // Region items stand for a whole region: an area tint, not a pin.
    for projected in model.items.iter() {
        let item = &atlas.items[projected.item];
        let Some(area) = projected.area else { continue };
        if !layers.shows_item(item) || !culling.intersects(model.regions[area].bbox) {
            continue;
        }
        let highlighted = options.selected == Some(projected.item)
            || options.hovered == Some(projected.item)
            || options.highlighted.contains(&projected.item);
        let color = if highlighted {
            palette.area_tint.with_alpha(0xa0)
        } else {
            palette.area_tint
        };
        out.push("region-areas", fill(&model.regions[area], color));
        visible_items.push(projected.item);
    }
    if layers.shows_basemap(BasemapLayer::Regions) {
        let mut edges = OutlinedEdges::default();
        for r in model.regions.iter().filter(|r| culling.intersects(r.bbox)) {
            push_outline(
                out.group("region-borders"),
                &mut edges,
                &r.lod.for_scale(lod_scale).rings,
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
                out.group("rivers"),
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
                &c.lod.for_scale(lod_scale).rings,
                style::FOCUS_BORDER_PX,
                palette.focus_border,
                false,
            );
        }
        for c in countries
            .iter()
            .filter(|c| culling.intersects(c.bbox) && !is_focus(&c.code))
        {
            push_outline(
                out.group("country-borders"),
                &mut edges,
                &c.lod.for_scale(lod_scale).rings,
                style::COUNTRY_BORDER_PX,
                palette.country_border,
                false,
            );
        }
        out.group("country-borders").extend(focus_borders);
    }
    let mut graticule_labels = Vec::new();
    if layers.shows_basemap(BasemapLayer::Graticule) {
        graticule_labels = push_graticule(out.group("graticule"), model, &view, &palette);
    }

    push_corridors(
        out.group("corridors"),
        &mut visible_items,
        atlas,
        model,
        &culling,
        options,
        &palette,
    );

    push_user_layers(out.group("user-layers"), model, layers);

    let mut occupancy = Occupancy::default();
    for reserved in options.reserved_px {
        occupancy.reserve(*reserved);
    }
    for label in &graticule_labels {
        let size = estimate_size_px(&label.text, label.size_px);
        occupancy.reserve(labels::ScreenBox {
            min: label.top_left_px,
            max: [
                label.top_left_px[0] + size[0],
                label.top_left_px[1] + size[1],
            ],
        });
    }

    let mut markers = Vec::new();
    for projected in model.items.iter() {
        let item = &atlas.items[projected.item];
        let ProjectedShape::Marker(at) = projected.shape else {
            continue;
        };
        if projected.area.is_some()
            || !layers.shows_item(item)
            || !culling.intersects([at[0], at[1], at[0], at[1]])
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
            out.push(
                "precision-halos",
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
            out.push(
                "precision-halos",
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
        markers.push((projected.item, at));
        visible_items.push(projected.item);
    }

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
            out.push(
                "markers",
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
        out.push(
            "markers",
            Primitive::Marker(Marker {
                item,
                center: at,
                shape: style::sector_shape(sector),
                size_px,
                fill: style::sector_color(sector, options.theme).with_alpha(
                    style::status_fill_alpha(layers.filter.status_of(&atlas.items[item])),
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
        let c = view.to_px(at);
        occupancy.reserve(labels::ScreenBox {
            min: [c[0] - size_px / 2.0, c[1] - size_px / 2.0],
            max: [c[0] + size_px / 2.0, c[1] + size_px / 2.0],
        });
    }

    // Labels by priority: the selection, then sites, corridors, countries, cities by size.
    let around = [
        Placement::Right,
        Placement::Left,
        Placement::Above,
        Placement::Below,
    ];
    let mut site_order: Vec<(usize, [f64; 2])> = markers.clone();
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
        let size = estimate_size_px(text, style::SITE_LABEL_PX);
        if let Some((_, placed)) = occupancy.place(
            view.to_px(at),
            size,
            &around,
            style::MARKER_SIZE_PX * 0.7,
            view.size_px,
        ) {
            out.push(
                "labels",
                label(
                    text,
                    placed.min,
                    style::SITE_LABEL_PX,
                    palette.site_label,
                    palette.label_halo,
                ),
            );
        }
    }
    for projected in model.items.iter() {
        let item = &atlas.items[projected.item];
        match &projected.shape {
            ProjectedShape::Corridor(paths) if visible_items.contains(&projected.item) => {
                let Some(anchor) = corridor_label_anchor(paths, &view) else {
                    continue;
                };
                let text = map_label(&item.properties.name);
                let size = estimate_size_px(text, style::CITY_LABEL_PX);
                if let Some((_, placed)) = occupancy.place(
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
                    out.push(
                        "labels",
                        label(
                            text,
                            placed.min,
                            style::CITY_LABEL_PX,
                            color,
                            palette.label_halo,
                        ),
                    );
                }
            }
            ProjectedShape::Marker(_)
                if projected.area.is_some() && visible_items.contains(&projected.item) =>
            {
                if let Some(area) = projected.area {
                    let text = map_label(&item.properties.name);
                    let size = estimate_size_px(text, style::SITE_LABEL_PX);
                    let at = view.to_px(model.regions[area].label_at());
                    if let Some((_, placed)) = occupancy.place(
                        at,
                        size,
                        &[Placement::Centered, Placement::Below],
                        2.0,
                        view.size_px,
                    ) {
                        out.push(
                            "labels",
                            label(
                                text,
                                placed.min,
                                style::SITE_LABEL_PX,
                                palette.site_label,
                                palette.label_halo,
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if layers.shows_basemap(BasemapLayer::Countries) {
        let mut by_size: Vec<_> = countries
            .iter()
            .filter(|c| view.intersects(c.bbox))
            .collect();
        by_size.sort_by(|a, b| b.area_km2.total_cmp(&a.area_km2));
        for c in by_size {
            if c.area_km2 / (km_per_px * km_per_px) < 4000.0 {
                continue;
            }
            let text = c.name.to_uppercase();
            let size = estimate_size_px(&text, style::COUNTRY_LABEL_PX);
            if let Some((_, placed)) = occupancy.place(
                view.to_px(c.label_at()),
                size,
                &[Placement::Centered],
                0.0,
                view.size_px,
            ) {
                out.push(
                    "labels",
                    label(
                        &text,
                        placed.min,
                        style::COUNTRY_LABEL_PX,
                        palette.country_label,
                        palette.label_halo,
                    ),
                );
            }
        }
    }
    // A city is drawn only with its name: unnamed dots would be noise on a thematic map.
    if layers.shows_basemap(BasemapLayer::Cities) {
        let min_population = city_population_threshold(km_per_px);
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
            let size = estimate_size_px(&city.name, style::CITY_LABEL_PX);
            let at = view.to_px(city.at);
            let dot_box = labels::ScreenBox {
                min: [at[0] - dot_px, at[1] - dot_px],
                max: [at[0] + dot_px, at[1] + dot_px],
            };
            if !occupancy.is_free(dot_box) {
                continue;
            }
            if let Some((_, placed)) =
                occupancy.place(at, size, &around, dot_px + 2.0, view.size_px)
            {
                occupancy.reserve(dot_box);
                out.push(
                    "cities",
                    Primitive::Disc(Disc {
                        center: city.at,
                        radius: Radius::Px(dot_px),
                        fill: palette.city_dot,
                        outline: Some((1.0, palette.label_halo)),
                    }),
                );
                out.push(
                    "labels",
                    label(
                        &city.name,
                        placed.min,
                        style::CITY_LABEL_PX,
                        palette.city_label,
                        palette.label_halo,
                    ),
                );
            }
        }
    }
    out.group("labels")
        .extend(graticule_labels.into_iter().map(Primitive::Label));

    visible_items.sort_unstable();
    visible_items.dedup();
    let mut primitives = Vec::new();
    let mut groups = Vec::new();
    for (name, part) in GROUPS.iter().zip(out.parts) {
        let start = primitives.len();
        primitives.extend(part);
        groups.push((*name, start..primitives.len()));
    }
    Scene {
        view,
        background: palette.sea,
        primitives,
        groups,
        visible_items,
        stroke_tolerance_px: if options.full_detail {
            0.0
        } else {
            STROKE_TOLERANCE_PX
        },
        full_detail: options.full_detail,
    }
}

/// The latitude of a map-plane point, for the local scale of the projection there.
fn item_lat(model: &MapModel, at: [f64; 2]) -> f64 {
    model.projection.unproject(at[0], at[1])[1]
}

/// The radius of the area a town- or region-level site is drawn as; `None` for the others.
fn area_radius_km(precision: &crate::data::Precision) -> Option<f64> {
    match precision.class {
        PrecisionClass::Town => Some(precision.radius_km.unwrap_or(style::TOWN_AREA_KM)),
        PrecisionClass::Region => Some(precision.radius_km.unwrap_or(style::REGION_AREA_KM)),
        _ => None,
    }
}

/// The name as the map shows it: without the parenthesised detail that the details panel gives
/// in full, so labels stay short enough to place.
pub fn map_label(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name).trim()
}

fn label(text: &str, top_left_px: [f32; 2], size_px: f32, color: Color, halo: Color) -> Primitive {
    Primitive::Label(Label {
        text: text.to_owned(),
        top_left_px,
        size_px,
        color,
        halo,
    })
}

/// The user's layers: lines reduced to the points a pixel apart, and points as dots, one per
/// cell of a small pixel grid.
fn push_user_layers(out: &mut Vec<Primitive>, model: &MapModel, layers: &Layers) {
    for (index, layer) in model.user_layers.iter().enumerate() {
        let style = layers.user_layer_style(&layer.path, index);
        if style.hidden {
            continue;
        }
        let [r, g, b] = style.color;
        let color = Color::rgb(r, g, b);
        out.push(Primitive::UserLayer(UserLayerMarks {
            layer: Arc::clone(layer),
            color,
        }));
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
                    let size = estimate_size_px(&text, style::GRATICULE_LABEL_PX);
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
                    let size = estimate_size_px(&text, style::GRATICULE_LABEL_PX);
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

/// A grid label: 190° of longitude, past the antimeridian, is 170°W.
fn degrees(value: f64, positive: char, negative: char) -> String {
    let value = if value > 180.0 { value - 360.0 } else { value };
    let hemisphere = if value < 0.0 { negative } else { positive };
    format!("{}°{hemisphere}", value.abs().round())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Atlas, Sector, parse_items};
    use crate::spatial::Projection;

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

    const TWO_SITES_AND_A_PIPELINE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","geometry":{"type":"Point","coordinates":[69.6,42.3]},
       "properties":{"id":"refinery","name":"Refinery (detail)","kind":"site","sector":"oil_gas","status":"operating",
        "country":"KZ","description":"d","precision":{"class":"site","how":"from source 0"},
        "sources":[{"title":"t","url":"https://example.org/a"}]}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[70.0,43.6]},
       "properties":{"id":"wind","name":"Wind","kind":"site","sector":"energy","status":"operating",
        "country":"KZ","description":"d","precision":{"class":"near","radius_km":5,"how":"9 km SW of town"},
        "sources":[{"title":"t","url":"https://example.org/b"}]}},
      {"type":"Feature","geometry":{"type":"LineString","coordinates":[[51.9,47.1],[61.7,46.8]]},
       "properties":{"id":"pipe","name":"Pipe","kind":"corridor","corridor_kind":"oil_pipeline","sector":"oil_gas",
        "status":"operating","country":"KZ","description":"d","precision":{"class":"approximate","how":"through stations"},
        "sources":[{"title":"t","url":"https://example.org/c"}]}}]}"#;

    fn fixture() -> (Atlas, MapModel) {
        let items = match parse_items("fixture", TWO_SITES_AND_A_PIPELINE) {
            Ok(items) => items,
            Err(e) => panic!("{e}"),
        };
        let atlas = Atlas {
            items,
            ..Atlas::default()
        };
        let model = MapModel::build(&atlas, Projection::default());
        (atlas, model)
    }

    fn light_scene(atlas: &Atlas, model: &MapModel, view: View, layers: &Layers) -> Scene {
        let options = SceneOptions {
            theme: Theme::Light,
            layers,
            selected: None,
            hovered: None,
            highlighted: &[],
            reserved_px: &[],
            full_detail: false,
        };
        build_scene(atlas, model, view, &options)
    }

    fn whole_view(model: &MapModel) -> View {
        let b = model.bbox_of_lon_lat(45.0, 38.0, 80.0, 50.0);
        View {
            min: [b[0], b[1]],
            max: [b[2], b[3]],
            size_px: [1000.0, 600.0],
        }
    }

    /// A dense user layer costs what the screen holds, not what the data holds: 2,000 points
    /// in one small patch become at most one dot per 3-pixel cell, and a line's points closer
    /// than 2 pixels to the last one kept are dropped.
    #[test]
    fn dense_user_layers_are_drawn_one_dot_per_cell() {
        let (atlas, model) = with_user_layer(fixture().0);
        let view = whole_view(&model);
        let scene = light_scene(&atlas, &model, view, &Layers::default());
        let layers: Vec<&UserLayerMarks> = scene
            .primitives
            .iter()
            .filter_map(|p| match p {
                Primitive::UserLayer(l) => Some(l),
                _ => None,
            })
            .collect();
        assert_eq!(layers.len(), 1);
        let window = PixelWindow::of_view(&view);
        let (lines, dots) = layers[0].marks(&window);
        // The patch is about 0.04° (3 km) across, a few pixels at this scale. Cells are
        // counted on the map plane's pixel grid, where the dots are placed.
        let cells: std::collections::HashSet<[i64; 2]> = dots
            .centers_px
            .iter()
            .map(|c| {
                [0, 1].map(|axis| {
                    ((f64::from(c[axis]) + window.origin_px[axis]) / 3.0).floor() as i64
                })
            })
            .collect();
        assert!(!dots.centers_px.is_empty());
        assert_eq!(cells.len(), dots.centers_px.len(), "one dot per cell");
        assert!(dots.centers_px.len() <= 9, "{} dots", dots.centers_px.len());
        // The one-point line is not a line; the 500-point line (0.5°, about 40 km, 13 px
        // here) keeps a point every 2 pixels or so.
        assert_eq!(lines.paths_px.len(), 1);
        let kept = lines.paths_px[0].len();
        assert!((4..=12).contains(&kept), "{kept} points kept");
    }

    /// Zoomed out far past the basemap, the grid of parallels and meridians stops a step
    /// beyond the basemap's own longitudes and latitudes.
    #[test]
    fn grid_labels_past_the_antimeridian_are_western() {
        assert_eq!(degrees(190.0, 'E', 'W'), "170°W");
        assert_eq!(degrees(180.0, 'E', 'W'), "180°E");
        assert_eq!(degrees(-25.0, 'E', 'W'), "25°W");
        assert_eq!(degrees(45.0, 'N', 'S'), "45°N");
    }

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
            .find(|(name, _)| *name == "graticule")
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

    fn with_user_layer(mut atlas: Atlas) -> (Atlas, MapModel) {
        let patch: Vec<[f64; 2]> = (0..2000)
            .map(|i| {
                [
                    60.0 + f64::from(i % 40) * 0.001,
                    45.0 + f64::from(i / 40) * 0.001,
                ]
            })
            .collect();
        let wiggle: Vec<[f64; 2]> = (0..500)
            .map(|i| [55.0 + f64::from(i) * 0.001, 44.0])
            .collect();
        atlas.user_layers.push(crate::data::UserLayer {
            name: "mine".into(),
            points: patch,
            lines: vec![wiggle, vec![[70.0, 40.0]]],
            ..Default::default()
        });
        let model = MapModel::build(&atlas, Projection::default());
        (atlas, model)
    }

    #[test]
    fn a_hidden_sector_draws_no_markers_and_a_hidden_corridor_kind_no_lines() {
        let (atlas, model) = fixture();
        let view = whole_view(&model);
        let mut layers = Layers::default();
        let options = |layers: &Layers| light_scene(&atlas, &model, view, layers);
        assert_eq!(options(&layers).visible_items, vec![0, 1, 2]);
        Layers::set(&mut layers.hidden_sectors, Sector::Energy, false);
        let scene = options(&layers);
        assert_eq!(scene.visible_items, vec![0, 2]);
        assert!(scene.markers().all(|m| m.item != 1));
        Layers::set(
            &mut layers.hidden_corridors,
            CorridorKind::OilPipeline,
            false,
        );
        assert_eq!(options(&layers).visible_items, vec![0]);
    }

    #[test]
    fn items_outside_the_view_are_culled() {
        let (atlas, model) = fixture();
        let b = model.bbox_of_lon_lat(68.0, 41.0, 71.0, 44.0);
        let view = View {
            min: [b[0], b[1]],
            max: [b[2], b[3]],
            size_px: [800.0, 800.0],
        };
        let scene = light_scene(&atlas, &model, view, &Layers::default());
        assert_eq!(
            scene.visible_items,
            vec![0, 1],
            "the pipeline far to the west is not drawn"
        );
    }

    #[test]
    fn a_near_site_gets_a_halo_of_its_radius_and_an_approximate_corridor_is_dashed() {
        let (atlas, model) = fixture();
        let scene = light_scene(&atlas, &model, whole_view(&model), &Layers::default());
        let halos: Vec<_> = scene
            .primitives
            .iter()
            .filter_map(|p| match p {
                Primitive::Disc(Disc {
                    radius: Radius::Km(km),
                    ..
                }) => Some(*km),
                _ => None,
            })
            .collect();
        assert_eq!(halos.len(), 1);
        // 5 km on the ground, in map km: the conic shrinks distances by under 2 % here.
        assert!((halos[0] - 5.0).abs() < 0.1, "{halos:?}");
        assert!(scene.primitives.iter().any(
            |p| matches!(p, Primitive::Stroke(s) if matches!(s.pattern, LinePattern::Dashed { .. }))
        ));
    }

    #[test]
    fn a_town_level_site_is_an_area_with_a_smaller_marker() {
        let (mut atlas, _) = fixture();
        let wind = atlas.item_index("wind").expect("the fixture has it");
        let precision = &mut atlas.items[wind].properties.precision;
        precision.class = PrecisionClass::Town;
        precision.radius_km = None;
        let model = MapModel::build(&atlas, Projection::default());
        let areas = |scene: &Scene| -> Vec<Radius> {
            scene
                .primitives
                .iter()
                .filter_map(|p| match p {
                    Primitive::Disc(d) => Some(d.radius),
                    _ => None,
                })
                .collect()
        };
        // Wide: ten kilometres are under a pixel, so the area keeps its least size on screen.
        let wide = light_scene(&atlas, &model, whole_view(&model), &Layers::default());
        match areas(&wide).as_slice() {
            [Radius::Px(px)] => assert!((px - style::AREA_MIN_PX).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
        let marker = wide.markers().find(|m| m.item == wind).expect("drawn");
        let size = style::MARKER_SIZE_PX * style::AREA_MARKER_SCALE;
        assert!((marker.size_px - size).abs() < 1e-6, "{}", marker.size_px);
        // Close: the area is the town's 10 km, in map km.
        let at = match model
            .items
            .iter()
            .find(|p| p.item == wind)
            .map(|p| &p.shape)
        {
            Some(ProjectedShape::Marker(at)) => *at,
            _ => panic!("the wind farm is a point"),
        };
        let close = View {
            min: [at[0] - 50.0, at[1] - 30.0],
            max: [at[0] + 50.0, at[1] + 30.0],
            size_px: [1000.0, 600.0],
        };
        let near = light_scene(&atlas, &model, close, &Layers::default());
        match areas(&near).as_slice() {
            [Radius::Km(km)] => assert!((km - 10.0).abs() < 0.2, "{km}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn map_labels_drop_the_parenthesised_detail() {
        assert_eq!(
            map_label("Shymkent Oil Refinery (PetroKazakhstan Oil Products)"),
            "Shymkent Oil Refinery"
        );
        assert_eq!(map_label("Astana"), "Astana");
        let (atlas, model) = fixture();
        let scene = light_scene(&atlas, &model, whole_view(&model), &Layers::default());
        assert!(scene.labels().any(|l| l.text == "Refinery"));
    }

    #[test]
    fn the_view_maps_its_corners_to_the_pixel_corners() {
        let view = View {
            min: [0.0, 0.0],
            max: [100.0, 50.0],
            size_px: [200.0, 100.0],
        };
        assert!((view.km_per_px() - 0.5).abs() < 1e-12);
        assert_eq!(view.to_px([0.0, 50.0]), [0.0, 0.0]);
        assert_eq!(view.to_px([100.0, 0.0]), [200.0, 100.0]);
    }
}
