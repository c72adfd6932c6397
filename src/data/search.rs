//! Finding items by name or alias in English, Russian, Kazakh or Chinese, tolerant of the
//! many ways these names are spelt (Aktobe, Aqtöbe, Актобе; Alashankou, Alataw Pass).

use super::model::Item;

/// One search result: the item and the name or alias that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub item: usize,
    pub matched: String,
    /// Lower is better: 0 for the whole name, 1 for a name with a word starting with the query.
    pub cost: u32,
}

/// Folds a name to the letters that carry its identity: lower case, no diacritics, Kazakh
/// letters to their Russian neighbours, and the transliteration variants of Kazakh place
/// names (q/k, gh/g, dzh/zh) to one spelling. Spaces and punctuation go.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'á' | 'à' | 'â' | 'ä' | 'ā' | 'ә' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ё' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'ō' | 'ө' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
            'q' => 'k',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            'й' => 'и',
            'ы' => 'и',
            'ъ' | 'ь' => continue,
            c if c.is_alphanumeric() => c,
            _ => continue,
        };
        out.push(folded);
    }
    // Latin transliterations of the same sounds.
    out.replace("gh", "g").replace("dzh", "zh")
}

/// Edit distance with adjacent transpositions (optimal string alignment), on chars.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// How far `query` (folded) is from matching `name`: 0 when it is the whole name, 1 when a
/// word starts with it, 2 when it is inside the name, else 2 and the fewest edits that turn it
/// into the start of a word (or a run of words, folded together), allowing one edit per four
/// letters. `None` when too far.
fn match_cost(query: &[char], name: &str) -> Option<u32> {
    let words: Vec<Vec<char>> = name
        .split(|c: char| c.is_whitespace() || "-–—/(),«»\"'·".contains(c))
        .map(|w| fold(w).chars().collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
        .collect();
    // Chinese names have no spaces: match anywhere in them.
    let whole: Vec<char> = fold(name).chars().collect();
    if whole.windows(query.len().max(1)).any(|w| w == query) {
        let starts = whole.starts_with(query) || words.iter().any(|w| w.starts_with(query));
        return Some(if whole == query {
            0
        } else if starts {
            1
        } else {
            2
        });
    }
    let allowed = query.len() / 4;
    if allowed == 0 {
        return None;
    }
    let mut best: Option<usize> = None;
    for start in 0..words.len() {
        let mut joined: Vec<char> = Vec::new();
        for word in &words[start..] {
            joined.extend_from_slice(word);
            // Compare with the prefix of the joined words as long as the query, give or take.
            for len in query.len().saturating_sub(allowed)..=(query.len() + allowed) {
                if len == 0 || len > joined.len() {
                    continue;
                }
                let d = edit_distance(query, &joined[..len]);
                best = Some(best.map_or(d, |b| b.min(d)));
            }
            if joined.len() > query.len() + allowed {
                break;
            }
        }
    }
    best.filter(|&d| d <= allowed).map(|d| 2 + d as u32)
}

/// The items whose name or any alias matches `query`, best first (then in data order). An
/// empty query finds nothing.
pub fn search(items: &[Item], query: &str) -> Vec<Hit> {
    let folded: Vec<char> = fold(query).chars().collect();
    if folded.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Hit> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let names = std::iter::once(item.name()).chain(
            item.properties
                .aliases
                .values()
                .flat_map(|a| a.as_slice().iter().map(String::as_str)),
        );
        let best = names
            .filter_map(|name| Some((match_cost(&folded, name)?, name)))
            .min_by_key(|&(cost, _)| cost);
        if let Some((cost, name)) = best {
            hits.push(Hit {
                item: index,
                matched: name.to_owned(),
                cost,
            });
        }
    }
    hits.sort_by_key(|h| (h.cost, h.item));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::bundled;

    fn first_id(query: &str) -> Option<String> {
        let atlas = bundled::load().expect("the bundled data loads");
        search(&atlas.items, query)
            .first()
            .map(|h| atlas.items[h.item].id().to_owned())
    }

    #[test]
    fn folding_makes_transliterations_meet() {
        assert_eq!(fold("Aqtöbe"), fold("Aktobe"));
        assert_eq!(fold("Shyghys"), "shygys");
        assert_eq!(fold("Қорғас"), fold("Коргас"));
        assert_eq!(fold("Alma-Ata"), "almaata");
    }

    #[test]
    fn names_and_aliases_are_found_in_every_language() {
        assert_eq!(
            first_id("Достык").as_deref(),
            Some("dostyk-alashankou-crossing")
        );
        assert_eq!(
            first_id("阿拉山口").as_deref(),
            Some("dostyk-alashankou-crossing")
        );
        assert_eq!(
            first_id("Alataw").as_deref(),
            Some("dostyk-alashankou-crossing")
        );
        assert_eq!(
            first_id("Қорғас").as_deref(),
            Some("khorgos-border-crossing")
        );
        assert_eq!(
            first_id("Zhanatas wind").as_deref(),
            Some("zhanatas-wind-farm")
        );
    }

    #[test]
    fn a_whole_name_ranks_first_and_a_typed_prefix_already_finds() {
        assert_eq!(first_id("Astana").as_deref(), Some("astana"));
        assert_eq!(
            first_id("Alata").as_deref(),
            Some("dostyk-alashankou-crossing")
        );
        assert_eq!(first_id("Kho").as_deref(), Some("khorgos-gateway"));
    }

    #[test]
    fn misspellings_within_an_edit_per_four_letters_are_forgiven() {
        assert_eq!(first_id("Aqtöbe").as_deref(), first_id("Aktobe").as_deref());
        assert!(first_id("Aktobe").is_some());
        // Two items name Alashankou (the crossing, and the pipeline's Atasu–Alashankou alias).
        let atlas = bundled::load().expect("the bundled data loads");
        let ids: Vec<&str> = search(&atlas.items, "Alashnkou")
            .iter()
            .map(|h| atlas.items[h.item].id())
            .collect();
        assert!(ids.contains(&"dostyk-alashankou-crossing"), "{ids:?}");
        assert!(ids.contains(&"kazakhstan-china-oil-pipeline"), "{ids:?}");
        assert_eq!(first_id("Turgusn").as_deref(), Some("turgusun-1-hpp"));
        assert_eq!(first_id("xqzvw"), None);
        assert_eq!(first_id(""), None);
        assert_eq!(first_id("  -- "), None);
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("aktobe"), &chars("aktboe")), 1);
        assert_eq!(edit_distance(&chars("abc"), &chars("")), 3);
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
    }
}
