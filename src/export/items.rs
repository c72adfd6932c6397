//! The items that pass the user's layers and filters, written as GeoJSON (everything the
//! dataset holds, loadable again) or CSV (one row per item, for spreadsheets).

use std::path::Path;

use crate::data::query::Filter;
use crate::data::{Item, ItemGeometry, LayerFormat, items_to_geojson};
use crate::scene::Layers;

use super::{ExportError, write_atomic};

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "name",
    "kind",
    "sector",
    "corridor_kind",
    "status",
    "status_on_map_date",
    "countries",
    "lon",
    "lat",
    "value",
    "value_unit",
    "precision",
    "sources",
];

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The items as CSV. A point gives its lon/lat; a corridor gives its first point, since a row
/// has room for one (the GeoJSON export keeps whole lines). Sources are their URLs, " | "
/// between them.
pub fn items_to_csv(items: &[&Item], filter: &Filter) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for item in items {
        let p = &item.properties;
        let at = match &item.geometry {
            Some(ItemGeometry::Point(point)) => Some((point.x(), point.y())),
            Some(ItemGeometry::Lines(lines)) => lines
                .0
                .first()
                .and_then(|line| line.0.first())
                .map(|c| (c.x, c.y)),
            None => None,
        };
        let label = |debug: String| debug.to_lowercase();
        let fields = [
            p.id.clone(),
            p.name.clone(),
            label(format!("{:?}", p.kind)),
            p.sector.label().to_owned(),
            p.corridor_kind
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
            p.status.label().to_owned(),
            filter
                .status_of(item)
                .map(|s| s.label().to_owned())
                .unwrap_or_default(),
            item.countries().join(" "),
            at.map(|(lon, _)| lon.to_string()).unwrap_or_default(),
            at.map(|(_, lat)| lat.to_string()).unwrap_or_default(),
            p.value
                .as_ref()
                .map(|v| v.value.to_string())
                .unwrap_or_default(),
            p.value.as_ref().map(|v| v.unit.clone()).unwrap_or_default(),
            p.precision.class.label().to_owned(),
            p.sources
                .iter()
                .map(|s| s.url.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Writes the items that `layers` (switches and filters) show to `path`, in the format its
/// extension names, atomically: a failed write leaves any previous file as it was. Returns
/// how many items were written.
pub fn export_items(items: &[Item], layers: &Layers, path: &Path) -> Result<usize, ExportError> {
    let format = LayerFormat::of(path).ok_or_else(|| {
        ExportError::Unsupported(format!(
            "{}: give a file ending in .geojson, .json or .csv",
            path.display()
        ))
    })?;
    let chosen: Vec<&Item> = items.iter().filter(|i| layers.shows_item(i)).collect();
    let text = match format {
        LayerFormat::Csv => items_to_csv(&chosen, &layers.filter),
        LayerFormat::GeoJson => {
            let owned: Vec<Item> = chosen.iter().map(|i| (*i).clone()).collect();
            items_to_geojson(&owned).map_err(|e| ExportError::Unsupported(e.to_string()))?
        }
    };
    write_atomic(path, text.as_bytes())?;
    Ok(chosen.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Status, bundled, parse_items};

    /// A directory of its own for each test, emptied first.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sinokaz-items-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    }

    fn operating_hidden() -> Layers {
        let mut layers = Layers::default();
        layers.filter.hidden_statuses.insert(Status::Operating);
        layers
    }

    #[test]
    fn csv_fields_with_commas_quotes_or_breaks_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn the_export_holds_exactly_the_items_the_filters_pass_and_loads_again() {
        let atlas = bundled::load().expect("the bundled data loads");
        let layers = operating_hidden();
        let dir = scratch("filtered");
        let expected: Vec<&str> = (atlas.items.iter())
            .filter(|i| layers.shows_item(i))
            .map(Item::id)
            .collect();
        assert!(!expected.is_empty() && expected.len() < atlas.items.len());

        let geojson = dir.join("items.geojson");
        let written = export_items(&atlas.items, &layers, &geojson).expect("written");
        assert_eq!(written, expected.len());
        let text = std::fs::read_to_string(&geojson).expect("readable");
        let again = parse_items("items.geojson", &text).expect("the export loads again");
        let ids: Vec<&str> = again.iter().map(Item::id).collect();
        assert_eq!(ids, expected);

        let csv = dir.join("items.csv");
        export_items(&atlas.items, &layers, &csv).expect("written");
        let text = std::fs::read_to_string(&csv).expect("readable");
        let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
        assert_eq!(rows[0], CSV_COLUMNS.join(","));
        assert_eq!(rows.len(), expected.len() + 1);
        for (row, id) in rows[1..].iter().zip(&expected) {
            assert!(row.starts_with(&format!("{id},")), "{row}");
        }
    }

    #[test]
    fn an_unknown_extension_is_refused_and_writes_nothing() {
        let atlas = bundled::load().expect("the bundled data loads");
        let dir = scratch("unknown");
        let path = dir.join("items.xlsx");
        let error = export_items(&atlas.items, &Layers::default(), &path).expect_err("refused");
        assert!(error.to_string().contains(".csv"), "{error}");
        assert!(!path.exists());
    }
}
