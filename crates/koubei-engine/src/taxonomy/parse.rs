//! Reading, merging and checking indicator-tree files.
//!
//! A file is read into a [`RawTree`] key by key, so that an error names the file, the
//! indicator id and the key at fault. [`resolve`] then merges each tree with `generic`
//! and the trees it `extends`, and checks parents, cycles and names.

use std::collections::HashSet;

use koubei_core::Polarity;
use toml::{Table, Value};

use super::{Cue, Hints, Indicator, Taxonomy};
use crate::EngineError;
use crate::hash::FastMap;

/// The id of the tree merged into every other tree.
pub const GENERIC: &str = "generic";

const TREE_KEYS: [&str; 5] = ["id", "name", "categories", "extends", "indicator"];
const INDICATOR_KEYS: [&str; 7] = ["id", "name", "parent", "code", "terms", "cues", "hints"];

/// A tree file as written, before merging.
#[derive(Debug, Clone)]
pub(crate) struct RawTree {
    pub file: String,
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    pub extends: Vec<String>,
    pub indicators: Vec<RawIndicator>,
}

/// One `[[indicator]]` table as written; `None` fields are left to earlier trees.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawIndicator {
    pub id: String,
    pub name: Option<String>,
    pub parent: Option<String>,
    pub code: Option<String>,
    pub terms: Vec<String>,
    pub cues: Vec<Cue>,
    pub hints: Hints,
    /// Term or cue phrase (as written) → position in the merge order of the last tree that
    /// listed it; filled by [`resolve`].
    pub origin: FastMap<String, usize>,
}

/// Reads one tree file's text; `file` names it in errors.
pub(crate) fn parse_tree(text: &str, file: &str) -> Result<RawTree, EngineError> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| EngineError::Syntax {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    let tree_err = |key: &str, message: String| EngineError::Tree {
        file: file.to_string(),
        key: key.to_string(),
        message,
    };
    if let Some(key) = table.keys().find(|k| !TREE_KEYS.contains(&k.as_str())) {
        return Err(tree_err(key, "unknown key".into()));
    }
    let id = string(&table, "id").map_err(|m| tree_err("id", m))?;
    let id = id.ok_or_else(|| tree_err("id", "missing".into()))?;
    check_id(&id).map_err(|m| tree_err("id", m))?;
    let name = string(&table, "name").map_err(|m| tree_err("name", m))?;
    let categories = strings(&table, "categories").map_err(|m| tree_err("categories", m))?;
    let extends = strings(&table, "extends").map_err(|m| tree_err("extends", m))?;
    let indicators = match table.get("indicator") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(n, item)| parse_indicator(item, n, file))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(tree_err("indicator", "must be an array of tables".into())),
    };
    Ok(RawTree {
        file: file.to_string(),
        name: name.unwrap_or_else(|| id.clone()),
        id,
        categories,
        extends,
        indicators,
    })
}

fn parse_indicator(item: &Value, n: usize, file: &str) -> Result<RawIndicator, EngineError> {
    let label = item
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{}", n + 1), str::to_string);
    let err = |key: &str, message: String| EngineError::Indicator {
        file: file.to_string(),
        indicator: label.clone(),
        key: key.to_string(),
        message,
    };
    let Some(table) = item.as_table() else {
        return Err(err("indicator", "must be a table".into()));
    };
    if let Some(key) = table.keys().find(|k| !INDICATOR_KEYS.contains(&k.as_str())) {
        return Err(err(key, "unknown key".into()));
    }
    let id = string(table, "id").map_err(|m| err("id", m))?;
    let id = id.ok_or_else(|| err("id", "missing".into()))?;
    check_id(&id).map_err(|m| err("id", m))?;
    let name = string(table, "name").map_err(|m| err("name", m))?;
    if let Some(name) = &name
        && (name.contains('/') || name.trim().is_empty())
    {
        return Err(err(
            "name",
            "must be non-empty and must not contain \"/\"".into(),
        ));
    }
    Ok(RawIndicator {
        name,
        parent: string(table, "parent").map_err(|m| err("parent", m))?,
        code: string(table, "code").map_err(|m| err("code", m))?,
        terms: strings(table, "terms").map_err(|m| err("terms", m))?,
        cues: cues(table).map_err(|m| err("cues", m))?,
        hints: hints(table).map_err(|m| err("hints", m))?,
        origin: FastMap::default(),
        id,
    })
}

fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("{id:?} is not [a-z0-9_]+"))
    }
}

fn string(table: &Table, key: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("must be a string, found {}", other.type_str())),
    }
}

fn strings(table: &Table, key: &str) -> Result<Vec<String>, String> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("items must be strings, found {}", other.type_str())),
            })
            .collect(),
        Some(other) => Err(format!(
            "must be an array of strings, found {}",
            other.type_str()
        )),
    }
}

fn cues(table: &Table) -> Result<Vec<Cue>, String> {
    let Some(value) = table.get("cues") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err(format!("must be an array, found {}", value.type_str()));
    };
    items.iter().map(cue).collect()
}

fn cue(value: &Value) -> Result<Cue, String> {
    match value {
        Value::String(phrase) => Ok(Cue {
            phrase: phrase.clone(),
            polarity: None,
        }),
        Value::Table(t) => {
            if let Some(key) = t.keys().find(|k| *k != "phrase" && *k != "polarity") {
                return Err(format!("unknown key {key:?} in a cue table"));
            }
            let phrase = string(t, "phrase")?.ok_or("a cue table needs a phrase")?;
            let polarity = match string(t, "polarity")?.as_deref() {
                None => None,
                Some("positive") => Some(Polarity::Positive),
                Some("negative") => Some(Polarity::Negative),
                Some("neutral") => Some(Polarity::Neutral),
                Some(other) => {
                    return Err(format!(
                        "cue polarity {other:?} is not positive, negative or neutral"
                    ));
                }
            };
            Ok(Cue { phrase, polarity })
        }
        other => Err(format!(
            "items must be strings or tables, found {}",
            other.type_str()
        )),
    }
}

fn hints(table: &Table) -> Result<Hints, String> {
    let Some(value) = table.get("hints") else {
        return Ok(Hints::default());
    };
    let Value::Table(t) = value else {
        return Err(format!("must be a table, found {}", value.type_str()));
    };
    if let Some(key) = t.keys().find(|k| *k != "positive" && *k != "negative") {
        return Err(format!(
            "unknown key {key:?} (expected positive or negative)"
        ));
    }
    Ok(Hints {
        positive: strings(t, "positive")?,
        negative: strings(t, "negative")?,
    })
}

/// Merges every tree with `generic` and its `extends`, and checks the result.
pub(crate) fn resolve(raws: &[RawTree]) -> Result<Vec<Taxonomy>, EngineError> {
    let by_id: FastMap<&str, &RawTree> = raws.iter().map(|t| (t.id.as_str(), t)).collect();
    raws.iter().map(|tree| resolve_one(tree, &by_id)).collect()
}

fn resolve_one(tree: &RawTree, by_id: &FastMap<&str, &RawTree>) -> Result<Taxonomy, EngineError> {
    let mut order: Vec<&RawTree> = Vec::new();
    if tree.id != GENERIC
        && let Some(generic) = by_id.get(GENERIC)
    {
        order.push(generic);
    }
    let mut visiting = HashSet::new();
    collect_extends(tree, by_id, &mut visiting, &mut order)?;

    let mut merged: Vec<RawIndicator> = Vec::new();
    let mut index: FastMap<String, usize> = FastMap::default();
    for (layer, source) in order.iter().enumerate() {
        for ind in &source.indicators {
            let i = match index.get(&ind.id) {
                Some(&i) => {
                    merge_into(&mut merged[i], ind);
                    i
                }
                None => {
                    index.insert(ind.id.clone(), merged.len());
                    merged.push(ind.clone());
                    merged.len() - 1
                }
            };
            let phrases = ind.cues.iter().map(|c| &c.phrase);
            for word in ind.terms.iter().chain(phrases) {
                merged[i].origin.insert(word.clone(), layer);
            }
        }
    }
    let indicators = link(&merged, &index, &tree.file)?;
    Ok(Taxonomy {
        id: tree.id.clone(),
        name: tree.name.clone(),
        categories: tree.categories.clone(),
        merged: order.iter().map(|t| t.id.clone()).collect(),
        indicators,
        by_id: index,
        words: FastMap::default(),
        hint_words: FastMap::default(),
        lookup: FastMap::default(),
        effective_hints: Vec::new(),
    })
}

/// Pushes `tree` after the trees it extends (depth first), refusing cycles.
fn collect_extends<'a>(
    tree: &'a RawTree,
    by_id: &FastMap<&str, &'a RawTree>,
    visiting: &mut HashSet<String>,
    order: &mut Vec<&'a RawTree>,
) -> Result<(), EngineError> {
    if order.iter().any(|t| t.id == tree.id) {
        return Ok(());
    }
    if !visiting.insert(tree.id.clone()) {
        return Err(EngineError::Tree {
            file: tree.file.clone(),
            key: "extends".into(),
            message: format!("trees extend each other in a cycle through {:?}", tree.id),
        });
    }
    for parent in &tree.extends {
        let Some(parent_tree) = by_id.get(parent.as_str()) else {
            return Err(EngineError::Tree {
                file: tree.file.clone(),
                key: "extends".into(),
                message: format!("no tree with id {parent:?} is loaded"),
            });
        };
        collect_extends(parent_tree, by_id, visiting, order)?;
    }
    order.push(tree);
    Ok(())
}

fn merge_into(base: &mut RawIndicator, over: &RawIndicator) {
    if over.name.is_some() {
        base.name.clone_from(&over.name);
    }
    if over.parent.is_some() {
        base.parent.clone_from(&over.parent);
    }
    if over.code.is_some() {
        base.code.clone_from(&over.code);
    }
    union(&mut base.terms, &over.terms);
    union(&mut base.hints.positive, &over.hints.positive);
    union(&mut base.hints.negative, &over.hints.negative);
    for cue in &over.cues {
        if !base.cues.iter().any(|c| c.phrase == cue.phrase) {
            base.cues.push(cue.clone());
        }
    }
}

fn union(base: &mut Vec<String>, more: &[String]) {
    for word in more {
        if !base.contains(word) {
            base.push(word.clone());
        }
    }
}

/// Checks parents and cycles, and computes each indicator's path and depth.
fn link(
    merged: &[RawIndicator],
    index: &FastMap<String, usize>,
    file: &str,
) -> Result<Vec<Indicator>, EngineError> {
    let err = |ind: &RawIndicator, key: &str, message: String| EngineError::Indicator {
        file: file.to_string(),
        indicator: ind.id.clone(),
        key: key.to_string(),
        message,
    };
    let mut out = Vec::with_capacity(merged.len());
    for ind in merged {
        let Some(name) = ind.name.clone() else {
            return Err(err(ind, "name", "missing".into()));
        };
        let mut names = vec![name.as_str()];
        let mut current = ind;
        while let Some(parent) = current.parent.as_deref() {
            let Some(&p) = index.get(parent) else {
                return Err(err(
                    ind,
                    "parent",
                    format!("no indicator with id {parent:?}"),
                ));
            };
            current = &merged[p];
            if current.id == ind.id || names.len() > merged.len() {
                return Err(err(ind, "parent", "the parent chain is a cycle".into()));
            }
            names.push(current.name.as_deref().unwrap_or(current.id.as_str()));
        }
        names.reverse();
        out.push(Indicator {
            id: ind.id.clone(),
            path: names.join("/"),
            depth: names.len() - 1,
            name,
            parent: ind.parent.clone(),
            code: ind.code.clone(),
            terms: ind.terms.clone(),
            cues: ind.cues.clone(),
            hints: ind.hints.clone(),
            origin: ind.origin.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERIC_TREE: &str = r#"
id = "generic"
name = "通用"
[[indicator]]
id = "product"
name = "产品"
[[indicator]]
id = "price"
name = "价格"
terms = ["价格"]
hints = { positive = ["低"], negative = ["高"] }
"#;

    const VACUUM_TREE: &str = r#"
id = "robot_vacuum"
name = "扫地机器人"
categories = ["扫地机"]
[[indicator]]
id = "suction"
name = "吸力"
parent = "product"
terms = ["吸力"]
cues = ["吸不干净", { phrase = "还剩一半电", polarity = "positive" }]
[[indicator]]
id = "price"
terms = ["售价"]
"#;

    fn trees(texts: &[(&str, &str)]) -> Result<Vec<Taxonomy>, EngineError> {
        let raws = texts
            .iter()
            .map(|(file, text)| parse_tree(text, file))
            .collect::<Result<Vec<_>, _>>()?;
        resolve(&raws)
    }

    #[test]
    fn merges_generic_and_unions_terms() {
        let trees = trees(&[("generic.toml", GENERIC_TREE), ("rv.toml", VACUUM_TREE)]).unwrap();
        let rv = &trees[1];
        assert_eq!(rv.merged, ["generic", "robot_vacuum"]);
        let suction = rv.get("suction").unwrap();
        assert_eq!((suction.path.as_str(), suction.depth), ("产品/吸力", 1));
        assert_eq!(suction.cues()[1].polarity, Some(Polarity::Positive));
        let price = rv.get("price").unwrap();
        assert_eq!(price.name, "价格");
        assert_eq!(price.terms(), ["价格", "售价"]);
        assert_eq!(price.hints().negative, ["高"]);
        assert_eq!(price.origin.get("价格"), Some(&0), "listed by generic");
        assert_eq!(
            price.origin.get("售价"),
            Some(&1),
            "listed by the tree itself"
        );
    }

    #[test]
    fn errors_name_file_indicator_and_key() {
        let cases: &[(&str, &str)] = &[
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A\"\nterm = [\"x\"]\n",
                "`term`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A\"\nterms = \"x\"\n",
                "`terms`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A/B\"\n",
                "`name`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A\"\nparent = \"zz\"\n",
                "`parent`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"A-1\"\nname = \"A\"\n",
                "`id`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A\"\ncues = [{ phrase = \"x\", polarity = \"good\" }]\n",
                "`cues`",
            ),
            (
                "id = \"t\"\n[[indicator]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\n[[indicator]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\n",
                "cycle",
            ),
        ];
        for (text, key) in cases {
            let err = trees(&[("bad.toml", text)]).unwrap_err().to_string();
            assert!(err.contains("bad.toml"), "{err}");
            assert!(err.contains(key), "{err}");
            if *key != "`id`" {
                assert!(err.contains("\"a\""), "{err}");
            }
        }
    }

    #[test]
    fn refuses_unknown_or_cyclic_extends() {
        let a = "id = \"a\"\nextends = [\"b\"]\n";
        let b = "id = \"b\"\nextends = [\"a\"]\n";
        let err = trees(&[("a.toml", a), ("b.toml", b)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("cycle"), "{err}");
        let err = trees(&[("a.toml", a)]).unwrap_err().to_string();
        assert!(err.contains("no tree with id \"b\""), "{err}");
        assert!(
            trees(&[("bad.toml", "id = ")])
                .unwrap_err()
                .to_string()
                .contains("bad.toml")
        );
    }
}
