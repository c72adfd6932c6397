//! The figures panel: the article's figures as bar charts, one chart per topic and unit, one bar
//! per claim. Where sources disagree every claim keeps its own bar, never an average, and each bar
//! names its source on hover; the sources are listed as links under each chart.

use egui::{Color32, RichText, Sense, Stroke, Ui};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, ItemId, Plot};

use crate::data::{Atlas, Claim, EntityKind, FigureBook, Source, involvement};
use crate::ui::details::format_number;
use crate::ui::entity_panel::sums_text;

#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum FiguresIntent {
    OpenUrl(String),
    /// Open the panel of a lender or company, by id.
    ShowEntity(String),
}

/// The claims of one topic stated in one unit, in file order. Units are never mixed on one axis:
/// a topic with figures in billion USD and in percent gets two charts.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartGroup<'a> {
    pub topic: &'a str,
    pub unit: &'a str,
    /// Every claim of the topic in this unit, with or without a value.
    pub claims: Vec<&'a Claim>,
}

/// One bar: one claim's own value, at its slot on the x axis.
#[derive(Clone, Debug, PartialEq)]
pub struct BarSpec<'a> {
    /// 1-based position of the claim within its group; claims without a value keep their slot
    /// empty, so the numbers on the axis match the numbered list under the chart.
    pub slot: usize,
    pub value: f64,
    pub claim: &'a Claim,
}

impl<'a> ChartGroup<'a> {
    /// One bar per claim that states a value; nothing is merged or averaged.
    pub fn bars(&self) -> Vec<BarSpec<'a>> {
        self.claims
            .iter()
            .enumerate()
            .filter_map(|(i, claim)| {
                stated_value(claim).map(|value| BarSpec {
                    slot: i + 1,
                    value,
                    claim,
                })
            })
            .collect()
    }
}

/// Groups the claims by topic, then by unit. Topics come in the order of their first claim in the
/// file, units in the order of their first claim within the topic, and claims in file order.
pub fn chart_groups(book: &FigureBook) -> Vec<ChartGroup<'_>> {
    let mut groups: Vec<ChartGroup<'_>> = Vec::new();
    for claim in &book.claims {
        match groups
            .iter_mut()
            .find(|g| g.topic == claim.topic && g.unit == claim.unit)
        {
            Some(group) => group.claims.push(claim),
            None => {
                let group = ChartGroup {
                    topic: &claim.topic,
                    unit: &claim.unit,
                    claims: vec![claim],
                };
                // A new unit of a known topic goes after that topic's other units, so a topic's
                // charts stay together under one heading even if the file interleaves topics.
                match groups.iter().rposition(|g| g.topic == claim.topic) {
                    Some(last) => groups.insert(last + 1, group),
                    None => groups.push(group),
                }
            }
        }
    }
    groups
}

/// The plain-language title written for a topic, if one is.
fn written_topic_title(topic: &str) -> Option<&'static str> {
    match topic {
        "trade_2023" => Some("Trade in 2023, as each side counts it"),
        "chinese_investment" => Some("Chinese investment in Kazakhstan in 2023"),
        "chinese_investment_cumulative" => Some("Chinese investment in Kazakhstan, all years"),
        "external_debt_to_china" => Some("Kazakhstan's debt to China, and against its GDP"),
        "oil_production_shares" => Some("Who produces Kazakhstan's petroleum"),
        "agreements_autumn_2023" => Some("Agreements signed in 2023"),
        "agreements_july_2024" => Some("Agreements signed in July 2024"),
        "agreements_nov_2024" => Some("Agreements signed in November 2024"),
        "joint_projects" => Some("Joint projects under way"),
        "trade_goal" => Some("Goals for bilateral trade"),
        "trade_2022" => Some("Trade in 2022, as each side counts it"),
        "agri_exports_to_china" => Some("Kazakhstan's agricultural exports to China, by year"),
        "chinese_lending" => Some("Chinese lending to Kazakhstan, as researchers count it"),
        _ => None,
    }
}

/// A plain-language title for a topic; unknown topics fall back to their key made readable.
pub fn topic_title(topic: &str) -> String {
    if let Some(title) = written_topic_title(topic) {
        return title.to_owned();
    }
    let words = topic.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Who counted a figure, as far as the bar colour tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    China,
    Kazakhstan,
    Both,
    /// Analysts, researchers, or sources the atlas could not verify.
    Other,
}

impl Counter {
    /// Reads the party from the start of `counted_by`, where the data names it ("China (General
    /// Administration of Customs)", "Kazakhstan (President Tokayev)", "Kazakhstan and China …").
    pub fn of(counted_by: &str) -> Self {
        let text = counted_by.trim_start().to_lowercase();
        if text.starts_with("kazakhstan and china") || text.starts_with("china and kazakhstan") {
            Self::Both
        } else if text.starts_with("china") {
            Self::China
        } else if text.starts_with("kazakhstan") {
            Self::Kazakhstan
        } else {
            Self::Other
        }
    }

    const ALL: [Self; 4] = [Self::China, Self::Kazakhstan, Self::Both, Self::Other];

    fn label(self) -> &'static str {
        match self {
            Self::China => "China",
            Self::Kazakhstan => "Kazakhstan",
            Self::Both => "both",
            Self::Other => "others or unverified",
        }
    }

    /// Okabe–Ito colours (as in `crate::style`), distinct under colour-vision deficiencies and
    /// readable on the light and the dark theme alike.
    fn color(self) -> Color32 {
        match self {
            Self::China => Color32::from_rgb(0xd5, 0x5e, 0x00),
            Self::Kazakhstan => Color32::from_rgb(0x56, 0xb4, 0xe9),
            Self::Both => Color32::from_rgb(0xcc, 0x79, 0xa7),
            Self::Other => Color32::from_rgb(0x99, 0x99, 0x99),
        }
    }
}

/// The value a claim states, if it states a usable one.
fn stated_value(claim: &Claim) -> Option<f64> {
    claim.value.filter(|v| v.is_finite())
}

/// A number as the source gives it: `41`, `41.02`, `3.5`, without padding zeros.
pub fn format_value(value: f64) -> String {
    format!("{value}")
}

fn value_with_unit(value: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_value(value)
    } else {
        format!("{} {unit}", format_value(value))
    }
}

fn source_text(source: &Source) -> String {
    let date = source.date_label();
    match (source.publisher.is_empty(), date.is_empty()) {
        (true, true) => source.title.clone(),
        (true, false) => format!("{} ({date})", source.title),
        (false, true) => format!("{} — {}", source.title, source.publisher),
        (false, false) => format!("{} — {} ({date})", source.title, source.publisher),
    }
}

const PLOT_HEIGHT: f32 = 160.0;
/// Room above the tallest bar for the value egui_plot writes next to the hovered bar.
const HEADROOM: f64 = 1.2;
const BAR_WIDTH: f64 = 0.7;

pub fn figures_ui(ui: &mut Ui, atlas: &Atlas) -> Option<FiguresIntent> {
    let book = &atlas.figures;
    if book.claims.is_empty() {
        ui.weak("No figures loaded.");
        return None;
    }
    ui.label(
        RichText::new(
            "Each bar is one figure as one source states it. Where sources disagree, every \
             figure keeps its own bar; none is averaged. Hover a bar for its source.",
        )
        .small()
        .weak(),
    );
    counter_key_ui(ui);

    let mut intent = None;
    let mut topic = None;
    for group in chart_groups(book) {
        if topic != Some(group.topic) {
            ui.separator();
            ui.label(RichText::new(topic_title(group.topic)).strong());
            topic = Some(group.topic);
        }
        // Every group is drawn even after a click, so the panel does not flicker.
        if let Some(clicked) = group_ui(ui, &group) {
            intent = Some(clicked);
        }
        if group.topic == "external_debt_to_china"
            && group.unit.contains("USD")
            && let Some(clicked) = itemised_loans_ui(ui, atlas)
        {
            intent = Some(clicked);
        }
    }
    packages_ui(ui, atlas);
    intent
}

/// The loans of Chinese lenders the items state, by lender and currency, to set beside the
/// debt figures sources give for the whole.
fn itemised_loans_ui(ui: &mut Ui, atlas: &Atlas) -> Option<FiguresIntent> {
    let mut intent = None;
    ui.label(RichText::new("Loans itemised in the atlas, by lender").strong());
    ui.label(
        RichText::new(
            "What the items' loans add up to, as each source states them, by currency and \
             without conversion: loans to companies and joint ventures as well as to the \
             state, over many years, so they are not the same measure as the debt above.",
        )
        .small()
        .weak(),
    );
    let mut lenders: Vec<_> = atlas
        .entities
        .entities
        .iter()
        .filter(|e| matches!(e.kind, EntityKind::Lender | EntityKind::Fund))
        .map(|e| (e, involvement(e, &atlas.items)))
        .filter(|(_, inv)| !inv.lent_millions.is_empty())
        .collect();
    lenders.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    egui::Grid::new("itemised_loans")
        .striped(true)
        .show(ui, |ui| {
            for (entity, involved) in &lenders {
                if ui.link(&entity.name).clicked() {
                    intent = Some(FiguresIntent::ShowEntity(entity.id.clone()));
                }
                ui.label(sums_text(&involved.lent_millions));
                ui.end_row();
            }
        });
    intent
}

/// Each agreement package: what sources state of it, and how much of that the itemised
/// agreements account for.
fn packages_ui(ui: &mut Ui, atlas: &Atlas) {
    if atlas.entities.packages.is_empty() {
        return;
    }
    ui.separator();
    ui.label(RichText::new("Agreement packages: itemised against what sources state").strong());
    for package in &atlas.entities.packages {
        let coverage = package.coverage(&atlas.items);
        ui.add_space(4.0);
        ui.label(RichText::new(format!("{} ({})", package.name, package.date)).strong());
        let stated_count = package
            .count
            .map_or_else(|| "no count stated".to_owned(), |c| format!("{c} stated"));
        ui.label(format!(
            "Agreements: {} itemised of {stated_count}",
            coverage.itemised
        ));
        match (&package.total, &coverage.stated_millions, coverage.share()) {
            (Some(total), Some(_), Some(_)) if coverage.valued == 0 => {
                ui.label(format!(
                    "Value: {} {} stated; no itemised agreement states its own value",
                    format_number(total.value),
                    total.unit
                ));
            }
            (Some(total), Some((_, currency)), Some(share)) => {
                let source = package
                    .sources
                    .get(total.source)
                    .map(|s| s.publisher.as_str())
                    .unwrap_or_default();
                let itemised = format_number(coverage.itemised_millions.round());
                ui.label(format!(
                    "Value: {itemised} million {currency} of {} {} stated ({source}) — {:.0} %, \
                     from {} agreements with a stated value",
                    format_number(total.value),
                    total.unit,
                    share * 100.0,
                    coverage.valued
                ));
                ui.add(egui::ProgressBar::new(share.clamp(0.0, 1.0) as f32).desired_height(6.0));
            }
            _ => {
                ui.label(format!(
                    "Value: no total stated; the itemised agreements state {} million in all",
                    format_number(coverage.itemised_millions.round())
                ));
            }
        }
    }
}

fn counter_key_ui(ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Counted by:").small().weak());
        for counter in Counter::ALL {
            swatch(ui, counter.color());
            ui.label(RichText::new(counter.label()).small());
        }
    });
}

/// A painted square rather than a "■" glyph, which not every font the atlas may fall back to has.
fn swatch(ui: &mut Ui, color: Color32) -> egui::Response {
    let size = egui::Vec2::splat(ui.text_style_height(&egui::TextStyle::Small));
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    ui.painter().rect_filled(rect, 1.0, color);
    response
}

fn group_ui(ui: &mut Ui, group: &ChartGroup<'_>) -> Option<FiguresIntent> {
    ui.add_space(4.0);
    ui.label(RichText::new(group.unit).small().weak());
    let bars = group.bars();
    if !bars.is_empty() {
        bar_plot_ui(ui, group, &bars);
    }
    claim_list_ui(ui, group);
    let intent = sources_ui(ui, group);
    notes_ui(ui, group);
    intent
}

fn bar_plot_ui(ui: &mut Ui, group: &ChartGroup<'_>, bars: &[BarSpec<'_>]) {
    let slots = group.claims.len();
    let (low, high) = bars.iter().fold((0.0_f64, 0.0_f64), |(lo, hi), b| {
        (lo.min(b.value), hi.max(b.value))
    });

    // Slot numbers are narrow; the default spacing, made for wide labels, would hide them once a
    // chart has more than a few bars.
    let x_axis = AxisHints::new_x()
        .formatter(move |mark, _| slot_label(mark.value, slots))
        .label_spacing(12.0..=20.0);
    // Topic and unit name each chart, so no two charts of the panel share an id.
    let plot = Plot::new(("figures_panel", group.topic, group.unit))
        .height(PLOT_HEIGHT)
        // The panel scrolls; a chart that panned or zoomed would swallow the wheel and the drag.
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .allow_axis_zoom_drag(false)
        .sense(Sense::hover())
        // Hover still finds the bar; the x position itself means nothing to show.
        .show_x(false)
        .show_grid([false, true])
        .include_x(0.5)
        .include_x(slots as f64 + 0.5)
        .include_y(low * HEADROOM)
        .include_y(high * HEADROOM)
        .x_grid_spacer(move |_| {
            (1..=slots)
                .map(|slot| GridMark {
                    value: slot as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_x_axes(vec![x_axis]);

    let response = plot.show(ui, |plot_ui| {
        for bar in bars {
            let color = Counter::of(&bar.claim.counted_by).color();
            let element = Bar::new(bar.slot as f64, bar.value)
                .name(&bar.claim.label)
                .width(BAR_WIDTH)
                .fill(color.gamma_multiply(0.6))
                .stroke(Stroke::new(1.0, color));
            let chart = BarChart::new(bar.claim.id.clone(), vec![element])
                .id(bar.slot)
                .color(color)
                // The full story goes in the tooltip below; next to the bar only the number.
                .element_formatter(Box::new(|bar, _| format_value(bar.value)));
            plot_ui.bar_chart(chart);
        }
    });

    let hovered = response
        .hovered_plot_item
        .and_then(|id| bars.iter().find(|b| ItemId::new(b.slot) == id));
    if let Some(bar) = hovered {
        response
            .response
            .on_hover_ui_at_pointer(|ui| bar_tooltip_ui(ui, bar, group.unit));
    }
}

/// The x-axis label of a slot: its number, matching the list under the chart. Long claim labels
/// would not fit under a bar, and egui_plot drops labels that do not fit.
fn slot_label(value: f64, slots: usize) -> String {
    let slot = value.round();
    if (value - slot).abs() < 1e-6 && slot >= 1.0 && slot <= slots as f64 {
        format!("{slot}")
    } else {
        String::new()
    }
}

fn bar_tooltip_ui(ui: &mut Ui, bar: &BarSpec<'_>, unit: &str) {
    let claim = bar.claim;
    ui.set_max_width(360.0);
    ui.label(RichText::new(format!("{}. {}", bar.slot, claim.label)).strong());
    ui.label(value_with_unit(bar.value, unit));
    if !claim.scope.is_empty() {
        ui.label(format!("Scope: {}", claim.scope));
    }
    if !claim.as_of.is_empty() {
        ui.label(format!("As of: {}", claim.as_of));
    }
    if !claim.counted_by.is_empty() {
        ui.label(format!("Counted by: {}", claim.counted_by));
    }
    ui.label(format!("Source: {}", source_text(&claim.source)));
}

fn claim_list_ui(ui: &mut Ui, group: &ChartGroup<'_>) {
    for (i, claim) in group.claims.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let color = Counter::of(&claim.counted_by).color();
            swatch(ui, color).on_hover_text(format!("Counted by: {}", claim.counted_by));
            ui.label(RichText::new(format!("{}.", i + 1)).strong());
            match stated_value(claim) {
                Some(value) => {
                    ui.label(format!(
                        "{}: {}",
                        claim.label,
                        value_with_unit(value, &claim.unit)
                    ));
                }
                None => {
                    ui.label(format!(
                        "{}: not stated ({})",
                        claim.label,
                        source_text(&claim.source)
                    ));
                }
            }
        });
    }
}

/// The group's sources, each once, with the numbers of the claims that cite it.
fn sources_ui(ui: &mut Ui, group: &ChartGroup<'_>) -> Option<FiguresIntent> {
    let mut sources: Vec<(&Source, Vec<usize>)> = Vec::new();
    for (i, claim) in group.claims.iter().enumerate() {
        match sources.iter_mut().find(|(s, _)| s.url == claim.source.url) {
            Some((_, slots)) => slots.push(i + 1),
            None => sources.push((&claim.source, vec![i + 1])),
        }
    }

    let mut intent = None;
    for (source, slots) in sources {
        ui.horizontal_wrapped(|ui| {
            let numbers: Vec<String> = slots.iter().map(ToString::to_string).collect();
            ui.label(RichText::new(format!("[{}]", numbers.join(", "))).small());
            let name = if source.publisher.is_empty() {
                &source.title
            } else {
                &source.publisher
            };
            let link = ui.link(RichText::new(name).small()).on_hover_text(format!(
                "{}\n{}",
                source_text(source),
                source.url
            ));
            if link.clicked() {
                intent = Some(FiguresIntent::OpenUrl(source.url.clone()));
            }
        });
    }
    intent
}

/// What the article says (often the same sentence for every claim of a topic, so shown once) and
/// the atlas's note on each claim.
fn notes_ui(ui: &mut Ui, group: &ChartGroup<'_>) {
    let mut said: Vec<&str> = Vec::new();
    let texts = group
        .claims
        .iter()
        .filter_map(|c| c.article_says.as_deref());
    for text in texts.filter(|t| !t.is_empty()) {
        if !said.contains(&text) {
            said.push(text);
        }
    }
    for text in said {
        ui.label(
            RichText::new(format!("The article says: “{text}”"))
                .small()
                .weak(),
        );
    }
    for (i, claim) in group.claims.iter().enumerate() {
        let note = claim.note.as_deref().unwrap_or_default();
        if !note.is_empty() {
            ui.label(RichText::new(format!("{}. {note}", i + 1)).small().weak());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled_book() -> FigureBook {
        crate::data::bundled::load()
            .expect("bundled data loads")
            .figures
    }

    fn claim(id: &str, topic: &str, unit: &str, value: Option<f64>) -> Claim {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "topic": topic,
            "label": id,
            "value": value,
            "unit": unit,
            "source": { "title": "t", "url": format!("https://example.org/{id}") },
        }))
        .expect("test claim deserializes")
    }

    #[test]
    fn trade_2023_has_one_bar_per_claim() {
        let book = bundled_book();
        let groups = chart_groups(&book);
        let trade: Vec<&ChartGroup<'_>> =
            groups.iter().filter(|g| g.topic == "trade_2023").collect();
        // A claim whose number no citable source states keeps its slot but has no bar.
        let claims: Vec<&Claim> = book
            .topic("trade_2023")
            .filter(|c| c.value.is_some())
            .collect();
        assert!(claims.len() > 1, "the test needs competing trade claims");
        let bars: Vec<BarSpec<'_>> = trade.iter().flat_map(|g| g.bars()).collect();
        assert_eq!(bars.len(), claims.len());
        for claim in claims {
            let bar = bars
                .iter()
                .find(|b| b.claim.id == claim.id)
                .expect("every trade claim has its own bar");
            assert_eq!(Some(bar.value), claim.value);
        }
    }

    #[test]
    fn no_group_averages() {
        let book = bundled_book();
        let groups = chart_groups(&book);
        let bars: usize = groups.iter().map(|g| g.bars().len()).sum();
        let with_value = book.claims.iter().filter(|c| c.value.is_some()).count();
        assert_eq!(bars, with_value);
        for group in &groups {
            for bar in group.bars() {
                assert_eq!(Some(bar.value), bar.claim.value, "{}", bar.claim.id);
            }
        }
    }

    #[test]
    fn bundled_groups_never_mix_units_and_keep_every_claim() {
        let book = bundled_book();
        let groups = chart_groups(&book);
        for group in &groups {
            for claim in &group.claims {
                assert_eq!((group.topic, group.unit), (&*claim.topic, &*claim.unit));
            }
        }
        let keys: Vec<(&str, &str)> = groups.iter().map(|g| (g.topic, g.unit)).collect();
        for (i, key) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(key), "topic and unit {key:?} twice");
        }
        let grouped: usize = groups.iter().map(|g| g.claims.len()).sum();
        assert_eq!(grouped, book.claims.len());
    }

    #[test]
    fn claims_without_value_keep_their_slot_but_get_no_bar() {
        let book = FigureBook {
            claims: vec![
                claim("a", "shares", "percent", Some(31.0)),
                claim("b", "shares", "percent", None),
                claim("c", "shares", "percent", Some(24.0)),
            ],
            events: Vec::new(),
        };
        let groups = chart_groups(&book);
        assert_eq!(groups.len(), 1);
        let slots: Vec<(usize, &str)> = groups[0]
            .bars()
            .iter()
            .map(|b| (b.slot, b.claim.id.as_str()))
            .collect();
        assert_eq!(slots, [(1, "a"), (3, "c")]);
    }

    #[test]
    fn groups_by_topic_then_unit_in_file_order() {
        let book = FigureBook {
            claims: vec![
                claim("t1", "trade", "billion USD", Some(41.0)),
                claim("t2", "trade", "percent", Some(21.3)),
                claim("d1", "debt", "billion USD", Some(9.2)),
                claim("t3", "trade", "billion USD", Some(31.5)),
                claim("t4", "trade", "times", Some(2.0)),
            ],
            events: Vec::new(),
        };
        let groups: Vec<(&str, &str, Vec<&str>)> = chart_groups(&book)
            .iter()
            .map(|g| {
                (
                    g.topic,
                    g.unit,
                    g.claims.iter().map(|c| c.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("trade", "billion USD", vec!["t1", "t3"]),
                ("trade", "percent", vec!["t2"]),
                ("trade", "times", vec!["t4"]),
                ("debt", "billion USD", vec!["d1"]),
            ]
        );
    }

    #[test]
    fn every_bundled_topic_has_a_written_title_and_others_a_readable_one() {
        let book = bundled_book();
        for group in chart_groups(&book) {
            // The fallback would pass a looser test: only a title written for it counts.
            assert!(
                written_topic_title(group.topic).is_some(),
                "no title written for the topic {:?}",
                group.topic
            );
        }
        assert_eq!(topic_title("new_topic"), "New topic");
    }

    #[test]
    fn counter_reads_the_party_that_counted() {
        assert_eq!(
            Counter::of("China (General Administration of Customs)"),
            Counter::China
        );
        assert_eq!(
            Counter::of("Kazakhstan (Ministry of Trade and Integration)"),
            Counter::Kazakhstan
        );
        assert_eq!(
            Counter::of("Kazakhstan and China (joint press briefing)"),
            Counter::Both
        );
        assert_eq!(Counter::of("unverified"), Counter::Other);
        assert_eq!(
            Counter::of("unnamed Kazakh business analyst"),
            Counter::Other
        );
    }

    #[test]
    fn values_and_slot_labels_read_as_given() {
        assert_eq!(format_value(41.0), "41");
        assert_eq!(format_value(41.02), "41.02");
        assert_eq!(value_with_unit(3.5, "percent of GDP"), "3.5 percent of GDP");
        assert_eq!(slot_label(2.0, 3), "2");
        assert_eq!(slot_label(0.0, 3), "");
        assert_eq!(slot_label(4.0, 3), "");
        assert_eq!(slot_label(1.5, 3), "");
    }
}
