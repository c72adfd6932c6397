//! Lenders, companies and agreement packages: the parties items link to, and the signed
//! packages whose stated totals the itemised agreements are set beside.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::{LoadError, Problem, deserialize_json};
use std::collections::BTreeMap;

use super::model::{Item, Loan, Source, money_in_millions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Lender,
    Fund,
    Company,
    Government,
}

impl EntityKind {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Lender => "lender",
            Self::Fund => "fund",
            Self::Company => "company",
            Self::Government => "government body",
        }
    }
}

/// A company, bank, fund or government body that items name as a partner or lender.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    /// ISO 3166 alpha-2 code of its home country.
    pub country: String,
    /// Other names items use for it ("CNPC", "China National Petroleum Corporation", "中国石油").
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: String,
    pub sources: Vec<Source>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Entity {
    /// Whether a partner entry ("CNPC (50% via CNODC)") or a borrower names this entity: its
    /// name without shares and roles equals the entity's name or an alias, ignoring case.
    pub fn is_named_by(&self, partner: &str) -> bool {
        let key = partner_key(partner);
        !key.is_empty()
            && std::iter::once(&self.name)
                .chain(&self.aliases)
                .any(|name| partner_key(name).to_lowercase() == key.to_lowercase())
    }
}

/// The name that identifies a partner across items: the text before any parenthesis, dash or
/// comma, where the data adds shares and roles ("CNPC (50% via PetroKazakhstan)" is "CNPC").
pub fn partner_key(partner: &str) -> &str {
    let end = [" (", " —", " –", ",", " /"]
        .iter()
        .filter_map(|sep| partner.find(sep))
        .min()
        .unwrap_or(partner.len());
    partner[..end].trim()
}

/// Whether `item` names `partner` (by its key) among its partners.
pub fn takes_part(item: &Item, partner: &str) -> bool {
    let key = partner_key(partner).to_lowercase();
    let p = &item.properties.partners;
    !key.is_empty()
        && p.cn
            .iter()
            .chain(&p.kz)
            .chain(&p.other)
            .any(|name| partner_key(name).to_lowercase() == key)
}

/// One way an item involves an entity.
#[derive(Clone, Debug, PartialEq)]
pub enum Role<'a> {
    /// Named among the item's partners, with the entry as the item writes it.
    Partner(&'a str),
    Lender(&'a Loan),
    Borrower(&'a Loan),
}

/// Everything an entity takes part in, with sums by currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Involvement<'a> {
    /// Item indices with the entity's roles in each, in item order.
    pub items: Vec<(usize, Vec<Role<'a>>)>,
    /// Loans it made, in millions by currency.
    pub lent_millions: BTreeMap<String, f64>,
    /// Loans it received, in millions by currency.
    pub borrowed_millions: BTreeMap<String, f64>,
    /// Stated values of the items it is a partner in, in millions by currency.
    pub partner_values_millions: BTreeMap<String, f64>,
}

impl Involvement<'_> {
    pub fn loan_count(&self) -> usize {
        self.items
            .iter()
            .flat_map(|(_, roles)| roles)
            .filter(|r| matches!(r, Role::Lender(_) | Role::Borrower(_)))
            .count()
    }
}

/// What `entity` takes part in: items naming it as a partner, and loans it made or received.
pub fn involvement<'a>(entity: &Entity, items: &'a [Item]) -> Involvement<'a> {
    let mut out = Involvement::default();
    for (index, item) in items.iter().enumerate() {
        let p = &item.properties;
        let mut roles = Vec::new();
        for partner in p
            .partners
            .cn
            .iter()
            .chain(&p.partners.kz)
            .chain(&p.partners.other)
        {
            if entity.is_named_by(partner) {
                roles.push(Role::Partner(partner.as_str()));
            }
        }
        if !roles.is_empty()
            && let Some(value) = &p.value
            && let Some((millions, currency)) = money_in_millions(value.value, &value.unit)
        {
            *out.partner_values_millions.entry(currency).or_default() += millions;
        }
        for loan in &p.loans {
            let millions = loan.millions();
            if loan.lender == entity.id {
                roles.push(Role::Lender(loan));
                if let Some(m) = millions {
                    *out.lent_millions.entry(loan.currency.clone()).or_default() += m;
                }
            } else if entity.id == loan.borrower || entity.is_named_by(&loan.borrower) {
                roles.push(Role::Borrower(loan));
                if let Some(m) = millions {
                    *out.borrowed_millions
                        .entry(loan.currency.clone())
                        .or_default() += m;
                }
            }
        }
        if !roles.is_empty() {
            out.items.push((index, roles));
        }
    }
    out
}

/// A stated total of a package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatedTotal {
    pub value: f64,
    /// "billion USD", "million USD", …
    pub unit: String,
    /// Index into the package's `sources`.
    pub source: usize,
}

/// A set of agreements signed together (at a state visit, a forum), with the count and total
/// that sources state for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub id: String,
    pub name: String,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<StatedTotal>,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_says: Option<String>,
    pub sources: Vec<Source>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How far the itemised agreements of a package account for what sources state of it.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageCoverage {
    /// Agreements the items list for this package.
    pub itemised: usize,
    /// Of those, agreements with a stated value in the package's currency.
    pub valued: usize,
    /// The sum of those values, in millions of the package total's currency.
    pub itemised_millions: f64,
    /// The stated total in millions and its currency, when a source states one.
    pub stated_millions: Option<(f64, String)>,
}

impl PackageCoverage {
    /// The itemised share of the stated total, 0–1 (more than 1 when the items exceed it).
    pub fn share(&self) -> Option<f64> {
        let (stated, _) = self.stated_millions.as_ref()?;
        (*stated > 0.0).then(|| self.itemised_millions / stated)
    }
}

impl Package {
    pub fn coverage(&self, items: &[Item]) -> PackageCoverage {
        let stated_millions = self
            .total
            .as_ref()
            .and_then(|t| money_in_millions(t.value, &t.unit));
        let currency = stated_millions.as_ref().map(|(_, c)| c.clone());
        let mut coverage = PackageCoverage {
            itemised: 0,
            valued: 0,
            itemised_millions: 0.0,
            stated_millions,
        };
        let agreements = items
            .iter()
            .flat_map(|i| &i.properties.agreements)
            .filter(|a| a.package == self.id);
        for agreement in agreements {
            coverage.itemised += 1;
            let Some(value) = agreement.value else {
                continue;
            };
            if let Some((millions, unit_currency)) = money_in_millions(value, &agreement.unit)
                && currency.as_deref().is_none_or(|c| c == unit_currency)
            {
                coverage.valued += 1;
                coverage.itemised_millions += millions;
            }
        }
        coverage
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityBook {
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub packages: Vec<Package>,
}

impl EntityBook {
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }

    /// The entity a partner entry names, if any.
    pub fn named_by(&self, partner: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.is_named_by(partner))
    }
}

/// Parses `entities.json`; ids must be unique and every entity and package sourced.
pub fn parse_entities(file: &str, text: &str) -> Result<EntityBook, LoadError> {
    let book: EntityBook = deserialize_json(file, text)?;
    let mut problems = Vec::new();
    let mut problem = |id: &str, field: String, message: &str| {
        problems.push(Problem {
            line_column: None,
            feature_index: None,
            id: Some(id.to_owned()),
            field,
            message: message.to_owned(),
        });
    };
    let mut seen = std::collections::HashSet::new();
    for (i, entity) in book.entities.iter().enumerate() {
        if !seen.insert(entity.id.as_str()) {
            problem(&entity.id, format!("entities[{i}].id"), "duplicate id");
        }
        if entity.sources.is_empty() {
            problem(
                &entity.id,
                format!("entities[{i}].sources"),
                "needs a source",
            );
        }
    }
    for (i, package) in book.packages.iter().enumerate() {
        if !seen.insert(package.id.as_str()) {
            problem(&package.id, format!("packages[{i}].id"), "duplicate id");
        }
        if package.sources.is_empty() {
            problem(
                &package.id,
                format!("packages[{i}].sources"),
                "needs a source",
            );
        }
        if package
            .total
            .as_ref()
            .is_some_and(|t| t.source >= package.sources.len())
        {
            problem(
                &package.id,
                format!("packages[{i}].total.source"),
                "refers to a source the package does not list",
            );
        }
    }
    if problems.is_empty() {
        Ok(book)
    } else {
        Err(LoadError::Invalid {
            file: file.to_owned(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_with_partners(cn: &[&str]) -> Item {
        let partners = serde_json::json!(cn);
        let text = serde_json::json!({
            "type": "FeatureCollection",
            "features": [{ "type": "Feature", "geometry": null, "properties": {
                "id": "x", "name": "x", "kind": "site", "sector": "energy", "status": "unknown",
                "country": "KZ", "description": "d", "partners": { "cn": partners },
                "precision": { "class": "unmapped", "how": "no site given" },
                "sources": [{ "title": "t", "url": "https://example.org/x", "date": "2024" }] } }]
        })
        .to_string();
        let mut items = crate::data::parse_items("test", &text).expect("a valid item");
        items.remove(0)
    }

    #[test]
    fn a_partner_is_known_by_its_name_without_shares_or_roles() {
        assert_eq!(partner_key("CNPC (50% via PetroKazakhstan)"), "CNPC");
        assert_eq!(
            partner_key("CNPC — Trans-Asia Gas Pipeline Co. Ltd"),
            "CNPC"
        );
        assert_eq!(partner_key("CNPC / CNODC"), "CNPC");
        assert_eq!(partner_key("Zijin Mining Group"), "Zijin Mining Group");
    }

    #[test]
    fn an_item_takes_part_when_a_partner_entry_names_the_partner_and_not_otherwise() {
        for entry in [
            "CNPC",
            "CNPC (85.42%)",
            "cnpc — operator",
            "CNPC / CNODC",
            "CNPC, via CNODC",
        ] {
            assert!(
                takes_part(&item_with_partners(&[entry]), "CNPC (50%)"),
                "{entry}"
            );
        }
        for entry in [
            "CNPC International Ltd",
            "PetroChina (CNPC subsidiary)",
            "Sinopec",
        ] {
            assert!(
                !takes_part(&item_with_partners(&[entry]), "CNPC"),
                "{entry}"
            );
        }
        assert!(!takes_part(&item_with_partners(&["CNPC"]), " (50%)"));
    }

    #[test]
    fn an_entity_is_named_by_its_aliases_and_finds_its_items_and_loans() {
        let entity = Entity {
            id: "cdb".into(),
            name: "China Development Bank".into(),
            kind: EntityKind::Lender,
            country: "CN".into(),
            aliases: vec!["CDB".into()],
            description: String::new(),
            sources: Vec::new(),
            extra: Map::new(),
        };
        assert!(entity.is_named_by("CDB (loan, 2017)"));
        assert!(entity.is_named_by("china development bank"));
        assert!(!entity.is_named_by("CDB Aviation Lease"));
        let items = [
            item_with_partners(&["CDB (lender)"]),
            item_with_partners(&["Sinopec"]),
        ];
        let found = involvement(&entity, &items);
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].0, 0);
    }
}
