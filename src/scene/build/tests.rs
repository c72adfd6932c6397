//! Tests of whole scenes: what each pass draws, where, and into which group.

use std::collections::HashSet;
use std::sync::Arc;

use crate::data::{Atlas, CorridorKind, PrecisionClass, Sector, parse_items};
use crate::scene::{
    Disc, Group, Layers, LinePattern, MapModel, PixelWindow, Primitive, ProjectedShape, Radius,
    Scene, SceneOptions, UserLayerMarks, View, build_scene, map_label,
};
use crate::spatial::Projection;
use crate::style::{self, Theme};

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

pub(super) fn light_scene(atlas: &Atlas, model: &MapModel, view: View, layers: &Layers) -> Scene {
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
            [0, 1].map(|axis| ((f64::from(c[axis]) + window.origin_px[axis]) / 3.0).floor() as i64)
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

/// Each pass pushes into its own groups: in a scene of the bundled data with a user layer and
/// a selected site, every group holds something, and only what its pass draws there. Corridor
/// strokes are told from other strokes by their paths, the basemap's by their colours.
#[test]
fn each_group_holds_only_what_its_pass_draws() {
    let atlas = crate::data::bundled::load().expect("bundled data");
    let (atlas, model) = with_user_layer(atlas);
    let selected = model
        .items
        .iter()
        .find(|p| p.area.is_none() && matches!(p.shape, ProjectedShape::Marker(_)))
        .map(|p| p.item);
    let layers = Layers::default();
    let options = SceneOptions {
        theme: Theme::Light,
        layers: &layers,
        selected,
        hovered: None,
        highlighted: &[],
        reserved_px: &[],
        full_detail: false,
    };
    let scene = build_scene(&atlas, &model, whole_view(&model), &options);
    let palette = style::palette(Theme::Light);
    let corridor_paths: HashSet<*const [f64; 2]> = model
        .items
        .iter()
        .filter_map(|p| match &p.shape {
            ProjectedShape::Corridor(paths) => Some(paths),
            _ => None,
        })
        .flatten()
        .map(|path| Arc::as_ptr(path).cast())
        .collect();
    let is_corridor = |stroke: &crate::scene::Stroke| {
        corridor_paths.contains(&Arc::as_ptr(&stroke.path).cast::<[f64; 2]>())
    };
    let belongs = |group: Group, primitive: &Primitive| match (group, primitive) {
        (Group::Land, Primitive::Fill(f)) => [palette.land, palette.land_focus].contains(&f.color),
        (Group::Lakes, Primitive::Fill(f)) => f.color == palette.lake,
        (Group::RegionAreas, Primitive::Fill(f)) => {
            [palette.area_tint, palette.area_tint.with_alpha(0xa0)].contains(&f.color)
        }
        (Group::RegionBorders, Primitive::Stroke(s)) => {
            s.color == palette.region_border && !is_corridor(s)
        }
        (Group::Rivers, Primitive::Stroke(s)) => s.color == palette.river && !is_corridor(s),
        (Group::CountryBorders, Primitive::Stroke(s)) => {
            [palette.country_border, palette.focus_border].contains(&s.color) && !is_corridor(s)
        }
        (Group::Graticule, Primitive::Stroke(s)) => s.color == palette.graticule && !is_corridor(s),
        (Group::Corridors, Primitive::Stroke(s)) => is_corridor(s),
        // Halos are see-through tints; the selection ring among the markers has no fill.
        (Group::PrecisionHalos, Primitive::Disc(d)) => (1..=0x38).contains(&d.fill.a),
        (Group::Markers, Primitive::Disc(d)) => d.fill.a == 0,
        (Group::Cities, Primitive::Disc(d)) => d.fill == palette.city_dot,
        (Group::Markers, Primitive::Marker(_))
        | (Group::UserLayers, Primitive::UserLayer(_))
        | (Group::Labels, Primitive::Label(_)) => true,
        _ => false,
    };
    let order: Vec<Group> = scene.groups.iter().map(|(group, _)| *group).collect();
    assert_eq!(order, Group::ALL, "every group once, in paint order");
    let mut end = 0;
    for (group, range) in &scene.groups {
        assert_eq!(
            range.start, end,
            "{group} starts where the last group ended"
        );
        end = range.end;
        assert!(!range.is_empty(), "{group} is empty");
        for primitive in &scene.primitives[range.clone()] {
            assert!(
                belongs(*group, primitive),
                "{group} holds a {}",
                kind(primitive)
            );
        }
    }
    assert_eq!(end, scene.primitives.len());
    // Spelt out for the two groups most drawn into: corridors and labels.
    for (group, range) in &scene.groups {
        for primitive in &scene.primitives[range.clone()] {
            match primitive {
                Primitive::Stroke(s) if is_corridor(s) => assert_eq!(*group, Group::Corridors),
                Primitive::Label(_) => assert_eq!(*group, Group::Labels),
                _ => {}
            }
        }
    }
}

/// A primitive's kind, for messages: the primitives themselves can hold whole countries.
fn kind(primitive: &Primitive) -> &'static str {
    match primitive {
        Primitive::Fill(_) => "fill",
        Primitive::Stroke(_) => "stroke",
        Primitive::Disc(_) => "disc",
        Primitive::Marker(_) => "marker",
        Primitive::Label(_) => "label",
        Primitive::UserLayer(_) => "user layer",
    }
}

/// A scene at full detail (an export) draws the basemap's every vertex but keeps none of it
/// once the scene is gone; a scene of the live map keeps the levels it made for the next
/// frames.
#[test]
fn full_detail_levels_go_with_their_scene() {
    let atlas = crate::data::bundled::load().expect("bundled data");
    let model = MapModel::build(&atlas, Projection::default());
    let view = whole_view(&model);
    let layers = Layers::default();
    let kazakhstan = || {
        (model.countries_detailed.iter())
            .find(|c| c.code == "KZ")
            .expect("Kazakhstan in the basemap")
    };
    let options = SceneOptions {
        theme: Theme::Light,
        layers: &layers,
        selected: None,
        hovered: None,
        highlighted: &[],
        reserved_px: &[],
        full_detail: true,
    };
    let fill_vertices = |scene: &Scene| -> usize {
        (scene.primitives.iter())
            .filter_map(|p| match p {
                Primitive::Fill(fill) => Some(fill.area.points().count()),
                _ => None,
            })
            .sum()
    };
    let scene = build_scene(&atlas, &model, view, &options);
    let full_vertices = fill_vertices(&scene);
    drop(scene);
    assert!(
        !kazakhstan().lod.is_ready(0.0),
        "the full detail was let go"
    );

    // Astana at 0.2 km a pixel: closer than the finest simplified level.
    let [x, y] = model.projection.project(71.4, 51.1);
    let close = View {
        min: [x - 100.0, y - 60.0],
        max: [x + 100.0, y + 60.0],
        size_px: [1000.0, 600.0],
    };
    let live = light_scene(&atlas, &model, close, &layers);
    assert!(
        kazakhstan().lod.is_ready(0.0),
        "the live map keeps its level"
    );
    drop(live);
    // The export after it uses the level the live map made, the same vertices.
    let again = build_scene(&atlas, &model, view, &options);
    assert_eq!(fill_vertices(&again), full_vertices);
}
