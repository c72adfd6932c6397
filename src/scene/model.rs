//! The map model: the atlas projected, triangulated, simplified into levels of detail and
//! indexed, once when data loads, so that each frame only culls and picks a level.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use geo::{Area as _, Centroid, Contains, InteriorPoint};
use geo::{BoundingRect, MapCoords, Simplify, TriangulateEarcut};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::data::{Area, Atlas, ItemGeometry, ItemKind};
use crate::spatial::measure::CountryOutline;
use crate::spatial::{PickIndex, Projection};

/// The triangles of an area's level of detail, as indices into the level's ring points taken
/// in order ([`AreaLevel::points`]): the corners are the rings' own points, not a copy.
#[derive(Debug, Default)]
pub struct RingTriangles {
    pub indices: Vec<u32>,
}

pub type Path = Arc<[[f64; 2]]>;

/// One level of detail of an area: its rings for path painters, and its triangles for mesh
/// painters, made on first use (exports never need them).
#[derive(Debug)]
pub struct AreaLevel {
    /// Each polygon's exterior ring followed by its holes.
    pub rings: Arc<Vec<Path>>,
    /// How many of `rings` each polygon has, in order.
    polygon_rings: Vec<u32>,
    triangles: OnceLock<Arc<RingTriangles>>,
}

impl AreaLevel {
    fn new(shape: &geo::MultiPolygon<f64>) -> Self {
        let path = |r: &geo::LineString<f64>| r.coords().map(|c| [c.x, c.y]).collect::<Path>();
        let mut rings = Vec::new();
        let mut polygon_rings = Vec::new();
        // A polygon whose exterior has fewer than two points has nothing to draw, holes or not.
        for polygon in shape.0.iter().filter(|p| p.exterior().0.len() >= 2) {
            let first = rings.len();
            rings.push(path(polygon.exterior()));
            rings.extend(
                polygon
                    .interiors()
                    .iter()
                    .filter(|r| r.0.len() >= 2)
                    .map(path),
            );
            polygon_rings.push(u32::try_from(rings.len() - first).unwrap_or(u32::MAX));
        }
        Self {
            rings: Arc::new(rings),
            polygon_rings,
            triangles: OnceLock::new(),
        }
    }

    pub fn triangles(&self) -> &Arc<RingTriangles> {
        self.triangles
            .get_or_init(|| Arc::new(triangulate(&self.rings, &self.polygon_rings)))
    }

    /// The points of every ring, in order: the corners [`RingTriangles`] indexes.
    pub fn points(&self) -> impl Iterator<Item = [f64; 2]> + '_ {
        self.rings.iter().flat_map(|ring| ring.iter().copied())
    }
}

/// Versions of one area at decreasing detail, each simplified (Douglas–Peucker, tolerance in
/// km, see [`simplify_area`]) the first time a view needs it: start-up pays only for the
/// levels actually drawn.
#[derive(Debug)]
pub struct Lod {
    /// The full-detail shape, kept for the whole run, in f32: half the memory of f64, and
    /// still within a metre at the basemap's farthest corner, some 10,000 km from the origin.
    source: geo::MultiPolygon<f32>,
    levels: [(f64, OnceLock<Arc<AreaLevel>>); AREA_TOLERANCES_KM.len()],
}

impl Lod {
    fn new(source: &geo::MultiPolygon<f64>) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "map km are far inside f32's range; the precision lost is below a metre"
        )]
        let source = source.map_coords(|c| geo::coord! { x: c.x as f32, y: c.y as f32 });
        Self {
            source,
            levels: AREA_TOLERANCES_KM.map(|t| (t, OnceLock::new())),
        }
    }

    fn source_f64(&self) -> geo::MultiPolygon<f64> {
        self.source
            .map_coords(|c| geo::coord! { x: f64::from(c.x), y: f64::from(c.y) })
    }

    fn level_index(&self, km_per_px: f64) -> usize {
        self.levels
            .iter()
            .rposition(|(tolerance, _)| *tolerance <= km_per_px)
            .unwrap_or(0)
    }

    /// Whether the level for this scale is made already.
    pub fn is_ready(&self, km_per_px: f64) -> bool {
        self.levels[self.level_index(km_per_px)].1.get().is_some()
    }

    /// The full-detail level, kept only if the live map made it already (zoomed in close).
    /// Exports draw every vertex once: keeping them in f64 for the rest of the run would hold
    /// megabytes for nothing after the first export, and add them to the next one's peak.
    pub fn full_detail_unkept(&self) -> Arc<AreaLevel> {
        match self.levels[0].1.get() {
            Some(level) => Arc::clone(level),
            None => Arc::new(AreaLevel::new(&self.source_f64())),
        }
    }

    /// The coarsest level whose error stays within a pixel at this scale.
    pub fn for_scale(&self, km_per_px: f64) -> &Arc<AreaLevel> {
        let (tolerance, level) = &self.levels[self.level_index(km_per_px)];
        level.get_or_init(|| {
            let source = self.source_f64();
            let shape = if *tolerance == 0.0 {
                source
            } else {
                simplify_area(&source, *tolerance)
            };
            Arc::new(AreaLevel::new(&shape))
        })
    }
}

/// A projected country as an outline to measure against: lon/lat points are projected and
/// tested against its full-detail shape. Its rings are the 1:10m vertices, a few kilometres
/// apart, so a segment straight on the map and one straight in lon/lat part by metres.
pub struct ProjectedCountry<'a> {
    area: &'a ProjectedArea,
    projection: &'a Projection,
}

impl CountryOutline for ProjectedCountry<'_> {
    fn country_name(&self) -> &str {
        &self.area.name
    }

    fn holds(&self, lon_lat: geo::Point<f64>) -> bool {
        self.area.contains(self.projection.project_point(lon_lat))
    }
}

/// The full-detail levels of `areas`, made on all cores and kept by the caller alone (see
/// [`Lod::full_detail_unkept`]), by the address of each area.
pub fn full_detail_levels<'a>(
    areas: impl Iterator<Item = &'a ProjectedArea>,
) -> HashMap<usize, Arc<AreaLevel>> {
    let areas: Vec<&ProjectedArea> = areas.collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(areas.len())
        .max(1);
    let key = |area: &ProjectedArea| std::ptr::from_ref(area) as usize;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let areas = &areas;
                // Every n-th area, so that the large countries are spread over the threads.
                scope.spawn(move || {
                    (areas.iter().skip(first).step_by(threads))
                        .map(|area| (key(area), area.lod.full_detail_unkept()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(levels) => levels,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Makes the levels of detail `areas` need at this scale, spread over all cores: the first
/// view at a new scale would otherwise simplify them one by one.
pub fn prepare_levels<'a>(areas: impl Iterator<Item = &'a ProjectedArea>, km_per_px: f64) {
    let missing: Vec<&ProjectedArea> = areas.filter(|a| !a.lod.is_ready(km_per_px)).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(missing.len());
    if threads <= 1 {
        for area in missing {
            area.lod.for_scale(km_per_px);
        }
        return;
    }
    std::thread::scope(|scope| {
        for first in 0..threads {
            let missing = &missing;
            // Every n-th area, so that the large countries are spread over the threads.
            scope.spawn(move || {
                for area in missing.iter().skip(first).step_by(threads) {
                    area.lod.for_scale(km_per_px);
                }
            });
        }
    });
}

#[derive(Debug)]
pub struct ProjectedArea {
    pub name: String,
    pub code: String,
    /// [min_x, min_y, max_x, max_y] in map km.
    pub bbox: [f64; 4],
    pub lod: Lod,
    /// A point inside the largest polygon, where a label can go; found on first use, as only
    /// countries and regions are labelled, and a few odd shapes make it costly.
    label_at: OnceLock<[f64; 2]>,
    pub area_km2: f64,
}

impl ProjectedArea {
    /// Whether the area at full detail holds a map-plane point.
    pub fn contains(&self, at: [f64; 2]) -> bool {
        let [x_min, y_min, x_max, y_max] = self.bbox;
        (x_min..=x_max).contains(&at[0]) && (y_min..=y_max).contains(&at[1]) && {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a point inside the area's box is in f32's range"
            )]
            let point = geo::Point::new(at[0] as f32, at[1] as f32);
            self.lod.source.contains(&point)
        }
    }

    pub fn label_at(&self) -> [f64; 2] {
        *self.label_at.get_or_init(|| {
            let bbox = self.bbox;
            let largest = self
                .lod
                .source
                .0
                .iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()));
            // The centroid is cheap and inside most shapes; only crescents and the like need
            // the costlier interior point.
            largest
                .and_then(|polygon| {
                    polygon
                        .centroid()
                        .filter(|c| polygon.contains(c))
                        .or_else(|| polygon.interior_point())
                })
                .map_or(
                    [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0],
                    |p| [f64::from(p.x()), f64::from(p.y())],
                )
        })
    }
}

#[derive(Debug)]
pub struct ProjectedLines {
    pub bbox: [f64; 4],
    pub paths: Vec<Path>,
}

/// A user layer on the map plane, indexed so that a tile of the map finds its points and
/// lines without a scan of the whole layer.
#[derive(Debug)]
pub struct ProjectedUserLayer {
    pub name: String,
    /// The file the layer came from: the key of its style in `Layers::user_layers`.
    pub path: String,
    pub points: Vec<[f64; 2]>,
    pub lines: Vec<ProjectedLines>,
    /// For each of `points` and `lines`, its position in the source layer's points or lines:
    /// a line too short to draw, or a point that does not project, is left out.
    point_origin: Vec<usize>,
    line_origin: Vec<usize>,
    /// Each point with its position in `points`.
    point_index: RTree<GeomWithData<[f64; 2], usize>>,
    /// Each line's bounding box with its position in `lines`.
    line_index: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl ProjectedUserLayer {
    fn build(layer: &crate::data::UserLayer, projection: &Projection) -> Self {
        let (line_origin, lines): (Vec<usize>, Vec<ProjectedLines>) = layer
            .lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.len() >= 2)
            .map(|(origin, line)| {
                let path: Path = line
                    .iter()
                    .map(|&[lon, lat]| projection.project(lon, lat))
                    .collect();
                let projected = ProjectedLines {
                    bbox: bbox_of(path.iter()),
                    paths: vec![path],
                };
                (origin, projected)
            })
            .unzip();
        let (point_origin, points): (Vec<usize>, Vec<[f64; 2]>) = layer
            .points
            .iter()
            .map(|&[lon, lat]| projection.project(lon, lat))
            .enumerate()
            .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
            .unzip();
        let point_index = RTree::bulk_load(
            points
                .iter()
                .enumerate()
                .map(|(i, &p)| GeomWithData::new(p, i))
                .collect(),
        );
        let line_index = RTree::bulk_load(
            lines
                .iter()
                .enumerate()
                .filter(|(_, line)| line.bbox.iter().all(|v| v.is_finite()))
                .map(|(i, line)| {
                    let [x0, y0, x1, y1] = line.bbox;
                    GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), i)
                })
                .collect(),
        );
        Self {
            name: layer.name.clone(),
            path: layer.path.clone(),
            points,
            lines,
            point_origin,
            line_origin,
            point_index,
            line_index,
        }
    }

    /// The point or line nearest to `at` (map km) within `radius_km`, points first, as its
    /// position in the source layer.
    pub fn pick(&self, at: [f64; 2], radius_km: f64) -> Option<UserPick> {
        let bbox = [
            at[0] - radius_km,
            at[1] - radius_km,
            at[0] + radius_km,
            at[1] + radius_km,
        ];
        let distance = |p: [f64; 2]| (p[0] - at[0]).hypot(p[1] - at[1]);
        let nearest_point = self
            .points_in(bbox)
            .map(|(i, p)| (distance(p), i))
            .filter(|(d, _)| *d <= radius_km)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, i)) = nearest_point {
            return Some(UserPick::Point(self.point_origin[i]));
        }
        self.lines_in(bbox)
            .filter_map(|(i, line)| {
                let d = line
                    .paths
                    .iter()
                    .flat_map(|path| path.windows(2))
                    .map(|pair| distance_to_segment(at, pair[0], pair[1]))
                    .fold(f64::INFINITY, f64::min);
                (d <= radius_km).then_some((d, i))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| UserPick::Line(self.line_origin[i]))
    }

    /// The points inside the box `[min_x, min_y, max_x, max_y]` (map km), each with its
    /// position in `points`, in no particular order.
    pub fn points_in(&self, bbox: [f64; 4]) -> impl Iterator<Item = (usize, [f64; 2])> + '_ {
        let envelope = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
        self.point_index
            .locate_in_envelope(&envelope)
            .map(|p| (p.data, *p.geom()))
    }

    /// The lines whose bounding boxes meet the box, each with its position in `lines`.
    pub fn lines_in(&self, bbox: [f64; 4]) -> impl Iterator<Item = (usize, &ProjectedLines)> {
        let envelope = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
        self.line_index
            .locate_in_envelope_intersecting(&envelope)
            .map(|l| (l.data, &self.lines[l.data]))
    }
}

/// A feature of a user layer under the pointer: the position of its point or line in the
/// layer's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserPick {
    Point(usize),
    Line(usize),
}

fn distance_to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1]];
    let length_squared = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if length_squared > 0.0 {
        (((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let closest = [a[0] + t * ab[0], a[1] + t * ab[1]];
    (p[0] - closest[0]).hypot(p[1] - closest[1])
}

#[derive(Debug)]
pub struct ProjectedCity {
    pub name: String,
    pub country: String,
    pub population: u64,
    pub at: [f64; 2],
}

#[derive(Debug)]
pub enum ProjectedShape {
    Marker([f64; 2]),
    Corridor(Vec<Path>),
}

#[derive(Debug)]
pub struct ProjectedItem {
    /// Index into `Atlas::items`.
    pub item: usize,
    pub shape: ProjectedShape,
    pub bbox: [f64; 4],
    /// For region items: the index of their basemap region polygon, drawn as an area tint.
    pub area: Option<usize>,
}

/// The projected basemap and items are shared between models: a model with other user layers
/// is made from this one without copying them (see [`MapModel::with_user_layers`]).
pub struct MapModel {
    pub projection: Projection,
    pub countries_detailed: Arc<[ProjectedArea]>,
    pub countries_coarse: Arc<[ProjectedArea]>,
    pub regions: Arc<[ProjectedArea]>,
    pub lakes: Arc<[ProjectedArea]>,
    pub rivers: Arc<[ProjectedLines]>,
    pub cities: Arc<[ProjectedCity]>,
    pub items: Arc<[ProjectedItem]>,
    pub index: Arc<PickIndex>,
    pub user_layers: Vec<Arc<ProjectedUserLayer>>,
    /// Changes whenever `user_layers` does, so that a picture made before is not reused.
    pub user_layers_revision: u64,
    /// The projected bounds of the whole basemap.
    pub world_bbox: [f64; 4],
    /// The lon/lat box of the whole basemap: [west, south, east, north] in degrees, east past
    /// 180° where the basemap crosses the antimeridian.
    pub world_lon_lat: [f64; 4],
}

fn project_user_layers(
    layers: &[crate::data::UserLayer],
    projection: &Projection,
) -> Vec<Arc<ProjectedUserLayer>> {
    layers
        .iter()
        .map(|layer| Arc::new(ProjectedUserLayer::build(layer, projection)))
        .collect()
}

/// Revisions are unique across models, so two models' layers never pass for each other.
fn next_user_layers_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Tolerances of the detail levels in km; level 0 is the source geometry.
const AREA_TOLERANCES_KM: [f64; 8] = [0.0, 0.3, 0.6, 1.2, 2.5, 5.0, 10.0, 20.0];
/// Below this scale (km per pixel) the 1:10m countries are drawn, above it the 1:50m ones.
pub const DETAILED_COUNTRIES_BELOW_KM_PER_PX: f64 = 2.0;

impl MapModel {
    pub fn build(atlas: &Atlas, projection: Projection) -> Self {
        let project_areas = |areas: &[Area]| -> Vec<ProjectedArea> {
            areas.iter().map(|a| project_area(a, &projection)).collect()
        };
        // The largest layer, about half of the points, is projected on a second thread
        // meanwhile.
        let (countries_detailed, regions, countries_coarse, lakes) = std::thread::scope(|scope| {
            let large = scope.spawn(|| project_areas(&atlas.basemap.countries_detailed));
            let regions = project_areas(&atlas.basemap.regions);
            let coarse = project_areas(&atlas.basemap.countries_coarse);
            let lakes = project_areas(&atlas.basemap.lakes);
            let detailed = large
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (detailed, regions, coarse, lakes)
        });
        let rivers: Vec<ProjectedLines> = atlas
            .basemap
            .rivers
            .iter()
            .map(|r| {
                let paths: Vec<Path> =
                    r.0.iter()
                        .map(|l| l.coords().map(|c| projection.project(c.x, c.y)).collect())
                        .collect();
                ProjectedLines {
                    bbox: bbox_of(paths.iter().flat_map(|p| p.iter())),
                    paths,
                }
            })
            .collect();
        let cities: Vec<ProjectedCity> = atlas
            .basemap
            .cities
            .iter()
            .map(|c| ProjectedCity {
                name: c.name.clone(),
                country: c.country.clone(),
                population: c.population,
                at: projection.project_point(c.lon_lat),
            })
            .collect();

        let mut items = Vec::new();
        let mut index_points = Vec::new();
        let mut index_lines = Vec::new();
        for (i, item) in atlas.items.iter().enumerate() {
            let Some(geometry) = &item.geometry else {
                continue;
            };
            let area = (item.properties.kind == ItemKind::Region)
                .then_some(item.properties.area_ref.as_deref())
                .flatten()
                .and_then(|name| atlas.basemap.regions.iter().position(|r| r.name == name));
            let (shape, bbox) = match geometry {
                ItemGeometry::Point(p) => {
                    let at = projection.project_point(*p);
                    index_points.push((at, i));
                    (ProjectedShape::Marker(at), [at[0], at[1], at[0], at[1]])
                }
                ItemGeometry::Lines(lines) => {
                    let paths: Vec<Path> = lines
                        .0
                        .iter()
                        .map(|l| {
                            densify(l, 20.0)
                                .into_iter()
                                .map(|[x, y]| projection.project(x, y))
                                .collect()
                        })
                        .collect();
                    for path in &paths {
                        index_lines.push((path.to_vec(), i));
                    }
                    let bbox = bbox_of(paths.iter().flat_map(|p| p.iter()));
                    (ProjectedShape::Corridor(paths), bbox)
                }
            };
            items.push(ProjectedItem {
                item: i,
                shape,
                bbox,
                area,
            });
        }
        let world_bbox = countries_coarse
            .iter()
            .map(|c| c.bbox)
            .reduce(union)
            .unwrap_or([-1.0, -1.0, 1.0, 1.0]);
        let world_lon_lat = atlas
            .basemap
            .countries_coarse
            .iter()
            .filter_map(|c| c.shape.bounding_rect())
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .reduce(union)
            .unwrap_or([-180.0, -90.0, 180.0, 90.0]);
        Self {
            projection,
            countries_detailed: countries_detailed.into(),
            countries_coarse: countries_coarse.into(),
            regions: regions.into(),
            lakes: lakes.into(),
            rivers: rivers.into(),
            cities: cities.into(),
            items: items.into(),
            index: Arc::new(PickIndex::build(index_points, index_lines)),
            world_bbox,
            world_lon_lat,
            user_layers: project_user_layers(&atlas.user_layers, &projection),
            user_layers_revision: next_user_layers_revision(),
        }
    }

    /// This map with other user layers. The basemap and items are shared, not projected again:
    /// a model can be made while another holds this one (an export in the background), and
    /// without the lon/lat basemap, which the app lets go of once projected.
    pub fn with_user_layers(&self, layers: &[crate::data::UserLayer]) -> Self {
        Self {
            projection: self.projection,
            countries_detailed: Arc::clone(&self.countries_detailed),
            countries_coarse: Arc::clone(&self.countries_coarse),
            regions: Arc::clone(&self.regions),
            lakes: Arc::clone(&self.lakes),
            rivers: Arc::clone(&self.rivers),
            cities: Arc::clone(&self.cities),
            items: Arc::clone(&self.items),
            index: Arc::clone(&self.index),
            world_bbox: self.world_bbox,
            world_lon_lat: self.world_lon_lat,
            user_layers: project_user_layers(layers, &self.projection),
            user_layers_revision: next_user_layers_revision(),
        }
    }

    /// The 1:10m countries, to measure lon/lat lines against.
    pub fn detailed_country_outlines(&self) -> Vec<ProjectedCountry<'_>> {
        self.countries_detailed
            .iter()
            .map(|area| ProjectedCountry {
                area,
                projection: &self.projection,
            })
            .collect()
    }

    /// Replaces the user layers, projecting only them: opening a file doesn't rebuild the
    /// basemap.
    pub fn set_user_layers(&mut self, layers: &[crate::data::UserLayer]) {
        self.user_layers = project_user_layers(layers, &self.projection);
        self.user_layers_revision = next_user_layers_revision();
    }

    /// The projected box of the given lon/lat box, following its curved edges.
    pub fn bbox_of_lon_lat(
        &self,
        lon_min: f64,
        lat_min: f64,
        lon_max: f64,
        lat_max: f64,
    ) -> [f64; 4] {
        let steps = 16;
        let mut points = Vec::new();
        for k in 0..=steps {
            let t = f64::from(k) / f64::from(steps);
            let lon = lon_min + (lon_max - lon_min) * t;
            let lat = lat_min + (lat_max - lat_min) * t;
            points.push(self.projection.project(lon, lat_min));
            points.push(self.projection.project(lon, lat_max));
            points.push(self.projection.project(lon_min, lat));
            points.push(self.projection.project(lon_max, lat));
        }
        bbox_of(points.iter())
    }

    /// The box of every mapped item.
    pub fn items_bbox(&self) -> Option<[f64; 4]> {
        self.items.iter().map(|i| i.bbox).reduce(union)
    }
}

/// Inserts points along long segments (in lon/lat) so that a projected line follows the curve
/// a straight lon/lat segment makes on a conic map, and picking works along its whole length.
fn densify(line: &geo::LineString<f64>, max_step_km: f64) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for segment in line.lines() {
        let (a, b) = (segment.start, segment.end);
        let km = crate::spatial::measure::geodesic_distance_km(a.into(), b.into());
        let pieces = (km / max_step_km).ceil().max(1.0);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "pieces is a small positive count"
        )]
        let n = pieces as usize;
        for k in 0..n {
            #[expect(clippy::cast_precision_loss, reason = "k is a small count")]
            let t = k as f64 / pieces;
            out.push([a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t]);
        }
    }
    if let Some(last) = line.0.last() {
        out.push([last.x, last.y]);
    }
    out
}

pub fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

pub fn bbox_of<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> [f64; 4] {
    points.fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

fn project_area(area: &Area, projection: &Projection) -> ProjectedArea {
    let projected: geo::MultiPolygon<f64> = geo::MultiPolygon::new(
        area.shape
            .0
            .iter()
            .map(|polygon| {
                let ring = |r: &geo::LineString<f64>| -> geo::LineString<f64> {
                    r.coords()
                        .map(|c| {
                            let [x, y] = projection.project(c.x, c.y);
                            geo::coord! { x: x, y: y }
                        })
                        .collect()
                };
                geo::Polygon::new(
                    ring(polygon.exterior()),
                    polygon.interiors().iter().map(ring).collect(),
                )
            })
            .collect(),
    );
    let bbox = projected
        .bounding_rect()
        .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    ProjectedArea {
        name: area.name.clone(),
        code: area.code.clone(),
        bbox,
        label_at: OnceLock::new(),
        area_km2: projected.unsigned_area(),
        lod: Lod::new(&projected),
    }
}

/// `shape` simplified within `tolerance` (Douglas–Peucker), ring by ring. geo's polygon
/// simplification keeps whole, at full detail, any ring that would fall below four points, so
/// at the world view every island and lake smaller than a pixel kept all its 1:10m vertices.
/// Here such a ring keeps its extreme points instead: a blob of a pixel or so, as it looks.
fn simplify_area(shape: &geo::MultiPolygon<f64>, tolerance: f64) -> geo::MultiPolygon<f64> {
    let ring = |ring: &geo::LineString<f64>| {
        let simplified = ring.simplify(tolerance);
        if simplified.0.len() >= 4 {
            simplified
        } else {
            extreme_points(ring)
        }
    };
    geo::MultiPolygon::new(
        shape
            .0
            .iter()
            .map(|polygon| {
                geo::Polygon::new(
                    ring(polygon.exterior()),
                    polygon.interiors().iter().map(ring).collect(),
                )
            })
            .collect(),
    )
}

/// The ring through the westmost, southmost, eastmost and northmost points of `ring`, in the
/// ring's order and each once, closed; the first of equal extremes is taken, so a rectangle
/// becomes a triangle. The ring lies within their box, and within the tolerance of them when
/// Douglas–Peucker collapsed it. Points that are not finite are passed over.
fn extreme_points(ring: &geo::LineString<f64>) -> geo::LineString<f64> {
    let coords = &ring.0;
    let finite = |c: &geo::Coord<f64>| c.x.is_finite() && c.y.is_finite();
    let Some(first) = coords.iter().position(finite) else {
        return geo::LineString::new(Vec::new());
    };
    let mut extremes = [first; 4];
    for (i, c) in coords.iter().enumerate().filter(|(_, c)| finite(c)) {
        let [west, south, east, north] = extremes.map(|e| coords[e]);
        if c.x < west.x {
            extremes[0] = i;
        }
        if c.y < south.y {
            extremes[1] = i;
        }
        if c.x > east.x {
            extremes[2] = i;
        }
        if c.y > north.y {
            extremes[3] = i;
        }
    }
    extremes.sort_unstable();
    let mut points: Vec<geo::Coord<f64>> = Vec::with_capacity(5);
    for i in extremes {
        if !points.contains(&coords[i]) {
            points.push(coords[i]);
        }
    }
    points.push(points[0]);
    geo::LineString::new(points)
}

/// Triangulates (earcut) each polygon of `rings`, `polygon_rings` rings at a time, into
/// indices of the rings' points.
fn triangulate(rings: &[Path], polygon_rings: &[u32]) -> RingTriangles {
    let mut first_point = Vec::with_capacity(rings.len());
    let mut count = 0_u32;
    for ring in rings {
        first_point.push(count);
        count = count.saturating_add(u32::try_from(ring.len()).unwrap_or(u32::MAX));
    }
    let line = |ring: &Path| -> geo::LineString<f64> {
        ring.iter()
            .map(|&[x, y]| geo::coord! { x: x, y: y })
            .collect()
    };
    let mut indices = Vec::new();
    let mut next_ring = 0_usize;
    for &n in polygon_rings {
        let start = next_ring;
        next_ring = (start + n as usize).min(rings.len());
        // Earcut needs four points a ring, and a closed ring of fewer (the only kind the
        // levels make) encloses nothing; without its exterior a polygon has nothing to fill.
        let kept: Vec<usize> = (start..next_ring)
            .filter(|&r| rings[r].len() >= 4)
            .collect();
        let Some((&exterior, holes)) = kept.split_first() else {
            continue;
        };
        if exterior != start {
            continue;
        }
        let shape = geo::Polygon::new(
            line(&rings[exterior]),
            holes.iter().map(|&r| line(&rings[r])).collect(),
        );
        // Earcut numbers the points of the polygon's rings in order, as geo holds them: closed,
        // so a ring that was not gains its first point again at the end.
        let mut point_of = Vec::new();
        let held = std::iter::once(shape.exterior()).chain(shape.interiors());
        for (&ring, held) in kept.iter().zip(held) {
            let own = rings[ring].len();
            point_of.extend((0..held.0.len()).map(|j| {
                let j = if j < own { j } else { 0 };
                first_point[ring] + u32::try_from(j).unwrap_or(0)
            }));
        }
        let raw = shape.earcut_triangles_raw();
        for triangle in raw.triangle_indices.chunks_exact(3) {
            let corners = [triangle[0], triangle[1], triangle[2]].map(|i| point_of.get(i));
            if let [Some(&a), Some(&b), Some(&c)] = corners {
                indices.extend([a, b, c]);
            }
        }
    }
    RingTriangles { indices }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::UserLayer;

    /// A closed ring of `n` points on an ellipse of radii `rx`, `ry` about `centre`.
    fn ellipse(centre: [f64; 2], rx: f64, ry: f64, n: u32) -> geo::LineString<f64> {
        let mut ring: Vec<geo::Coord<f64>> = (0..n)
            .map(|i| {
                let a = f64::from(i) / f64::from(n) * std::f64::consts::TAU;
                geo::coord! { x: centre[0] + rx * a.cos(), y: centre[1] + ry * a.sin() }
            })
            .collect();
        ring.push(ring[0]);
        geo::LineString::new(ring)
    }

    #[test]
    fn an_island_smaller_than_the_tolerance_keeps_only_its_extreme_points() {
        let island = ellipse([100.0, 50.0], 3.0, 1.0, 400);
        let coast = ellipse([0.0, 0.0], 500.0, 300.0, 400);
        let shape = geo::MultiPolygon::new(vec![
            geo::Polygon::new(coast.clone(), Vec::new()),
            geo::Polygon::new(island.clone(), Vec::new()),
        ]);
        // geo keeps such a ring whole, which is what this replaces.
        let geo_island = shape.simplify(10.0).0[1].exterior().0.len();
        assert_eq!(geo_island, 401);
        let simplified = simplify_area(&shape, 10.0);
        let small = simplified.0[1].exterior();
        assert!(small.0.len() <= 5, "{} points", small.0.len());
        assert_eq!(small.0.first(), small.0.last(), "closed");
        assert_eq!(small.bounding_rect(), island.bounding_rect(), "same extent");
        // A ring larger than the tolerance is simplified as Douglas–Peucker does.
        let large = simplified.0[0].exterior();
        assert_eq!(large, &coast.simplify(10.0));
        assert!(large.0.len() < 100);
    }

    #[test]
    fn extreme_points_of_odd_rings_are_a_closed_ring_or_nothing() {
        let ring = |points: &[(f64, f64)]| geo::LineString::from(points.to_vec());
        assert!(extreme_points(&ring(&[])).0.is_empty());
        assert!(
            extreme_points(&ring(&[(f64::NAN, 1.0), (f64::INFINITY, 0.0)]))
                .0
                .is_empty()
        );
        let same = extreme_points(&ring(&[(1.0, 2.0), (1.0, 2.0), (1.0, 2.0)]));
        assert_eq!(same, ring(&[(1.0, 2.0), (1.0, 2.0)]));
        let with_nan = extreme_points(&ring(&[
            (f64::NAN, f64::NAN),
            (0.0, 0.0),
            (2.0, 1.0),
            (1.0, 3.0),
            (f64::NAN, f64::NAN),
        ]));
        assert_eq!(
            with_nan,
            ring(&[(0.0, 0.0), (2.0, 1.0), (1.0, 3.0), (0.0, 0.0)])
        );
    }

    #[test]
    fn triangles_index_the_ring_points_and_leave_holes_empty() {
        let square = |min: f64, side: f64| -> geo::LineString<f64> {
            geo::LineString::from(vec![
                (min, min),
                (min + side, min),
                (min + side, min + side),
                (min, min + side),
                (min, min),
            ])
        };
        let shape = geo::MultiPolygon::new(vec![
            // A sliver of a ring, too short to fill: the next polygon's points must still be
            // found where they are.
            geo::Polygon::new(
                geo::LineString::from(vec![(50.0, 50.0), (51.0, 50.0)]),
                vec![],
            ),
            geo::Polygon::new(
                square(0.0, 10.0),
                vec![
                    square(2.0, 4.0),
                    geo::LineString::from(vec![(7.0, 7.0), (8.0, 8.0), (7.0, 7.0)]),
                ],
            ),
            geo::Polygon::new(square(20.0, 2.0), vec![]),
        ]);
        let level = AreaLevel::new(&shape);
        let points: Vec<[f64; 2]> = level.points().collect();
        let mesh = level.triangles();
        assert!(mesh.indices.iter().all(|&i| (i as usize) < points.len()));
        let area: f64 = mesh
            .indices
            .chunks_exact(3)
            .map(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| points[i as usize]);
                ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0
            })
            .sum();
        // 100 less the 16 of the hole, and the 4 of the small square.
        assert!((area - 88.0).abs() < 1e-9, "{area}");
    }

    #[test]
    fn a_user_feature_is_picked_by_its_position_in_the_layer_data() {
        let projection = Projection::default();
        let layer = UserLayer {
            points: vec![[70.0, 45.0], [71.0, 45.0]],
            // The first line is too short to draw and is left out of the projected lines;
            // a pick must still name the second line as the second.
            lines: vec![vec![[60.0, 40.0]], vec![[72.0, 44.0], [72.0, 46.0]]],
            ..UserLayer::default()
        };
        let projected = ProjectedUserLayer::build(&layer, &projection);
        let at = |lon, lat| projection.project(lon, lat);
        assert_eq!(
            projected.pick(at(71.0, 45.0), 5.0),
            Some(UserPick::Point(1))
        );
        // Half a degree east of the line is about 40 km from it.
        assert_eq!(
            projected.pick(at(72.5, 45.0), 50.0),
            Some(UserPick::Line(1))
        );
        assert_eq!(projected.pick(at(72.5, 45.0), 30.0), None);
        assert_eq!(projected.pick(at(65.0, 45.0), 50.0), None);
    }
}
