//! The engine: built once per process from trees and lexicon, then shared by threads.
//!
//! Building does all the expensive work (the traditional → simplified table, jieba with
//! every tree word and lexicon word as a user dictionary, the word tables); analysing a
//! review only reads them.

use std::fs;
use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use koubei_core::{Analysis, NewReview};
use koubei_model::Model;

use crate::EngineError;
use crate::hash::FastMap;
use crate::lexicon::{self, Lexicon};
use crate::normalize::Normalizer;
use crate::taxonomy::parse::{self, GENERIC, RawTree};
use crate::taxonomy::{Hints, Taxonomy, bundled};

/// jieba frequency given to tree words, so they are cut as one token.
const TREE_WORD_FREQ: usize = 200_000;
/// jieba frequency given to lexicon words of two or more chars.
const LEXICON_WORD_FREQ: usize = 100_000;

/// One review to analyse.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub text: &'a str,
    /// Product category; selects the tree whose `categories` name it.
    pub category: Option<&'a str>,
    /// Tree id that overrides the category.
    pub taxonomy: Option<&'a str>,
    /// Aspect terms to judge; the verdicts land in `Analysis::aspects`.
    pub aspects: Option<&'a [String]>,
}

impl<'a> Input<'a> {
    /// An input with only a text (the generic tree, no aspects asked).
    pub fn text(text: &'a str) -> Self {
        Input {
            text,
            ..Input::default()
        }
    }
}

/// The analysis engine. `Send + Sync`: build it once and share it.
pub struct Engine {
    pub(crate) normalizer: Normalizer,
    pub(crate) lexicon: Lexicon,
    pub(crate) jieba: Jieba,
    pub(crate) trees: Vec<Taxonomy>,
    /// The review-level polarity model (see [`crate::model`]); `None` scores by rules only.
    pub(crate) model: Option<Model>,
    generic: usize,
    /// Lower-cased tree ids, names and categories → the first tree they select, so that
    /// choosing a review's tree is one lookup (see [`Engine::taxonomy_for`]).
    by_category: FastMap<String, usize>,
    version: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("version", &self.version)
            .field(
                "trees",
                &self.trees.iter().map(|t| &t.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Where a builder takes a tree from.
#[derive(Debug, Clone)]
enum TreeSource {
    File(PathBuf),
    Dir(PathBuf),
}

/// Where a builder takes the polarity model from.
#[derive(Debug, Clone, Default)]
enum ModelSource {
    /// The model bundled in the engine.
    #[default]
    Bundled,
    /// A model file written by `koubei train`.
    File(PathBuf),
    /// No model: the review score comes from the rules alone.
    None,
}

/// Configures an [`Engine`]: the bundled trees plus any the caller adds, and the bundled
/// polarity model or another one.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct EngineBuilder {
    sources: Vec<TreeSource>,
    model: ModelSource,
}

impl Engine {
    /// An engine with the bundled trees and lexicon.
    pub fn new() -> Result<Engine, EngineError> {
        Engine::builder().build()
    }

    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// Analyses one review. Never panics, whatever the text.
    pub fn analyze(&self, input: &Input<'_>) -> Analysis {
        crate::run::Run::new(self, input).analysis(input)
    }

    /// Analyses a stored-to-be review: its text and, when it has a non-blank one, its
    /// follow-up, both with the tree of the review's category.
    pub fn analyze_review(&self, review: &NewReview) -> (Analysis, Option<Analysis>) {
        let category = review.category.as_deref();
        let analysis = self.analyze(&Input {
            category,
            ..Input::text(&review.text)
        });
        let followup = review
            .followup_text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|text| {
                self.analyze(&Input {
                    category,
                    ..Input::text(text)
                })
            });
        (analysis, followup)
    }

    /// The engine's text normaliser, for other readers of review text (risk words) to
    /// read it the same way.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// The tree with this id.
    pub fn taxonomy(&self, id: &str) -> Option<&Taxonomy> {
        self.trees.iter().find(|t| t.id == id)
    }

    /// The tree a category selects, else the generic tree.
    pub fn taxonomy_for(&self, category: Option<&str>) -> &Taxonomy {
        let wanted = category.map(str::trim).filter(|c| !c.is_empty());
        let index = wanted.and_then(|c| {
            self.by_category
                .get(c)
                .or_else(|| self.by_category.get(&c.to_lowercase()))
        });
        debug_assert_eq!(
            index.copied(),
            wanted.and_then(|c| self.trees.iter().position(|t| t.matches_category(c)))
        );
        &self.trees[index.copied().unwrap_or(self.generic)]
    }

    /// The tree an input selects: its `taxonomy` id, else its category.
    pub(crate) fn tree_for(&self, input: &Input<'_>) -> &Taxonomy {
        input
            .taxonomy
            .and_then(|id| self.taxonomy(id.trim()))
            .unwrap_or_else(|| self.taxonomy_for(input.category))
    }

    pub fn taxonomies(&self) -> impl Iterator<Item = &Taxonomy> {
        self.trees.iter()
    }

    /// A short fingerprint of the trees and the lexicon, stored with every result.
    pub fn version(&self) -> &str {
        &self.version
    }
}

impl EngineBuilder {
    /// Adds a tree file, replacing a tree with the same id; `generic` is merged in.
    pub fn taxonomy_file(mut self, path: impl AsRef<Path>) -> Self {
        self.sources
            .push(TreeSource::File(path.as_ref().to_path_buf()));
        self
    }

    /// Adds every `*.toml` file in a folder, in name order.
    pub fn taxonomy_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.sources
            .push(TreeSource::Dir(dir.as_ref().to_path_buf()));
        self
    }

    /// Scores reviews with this model file (written by `koubei train`) instead of the
    /// bundled model.
    pub fn model_file(mut self, path: impl AsRef<Path>) -> Self {
        self.model = ModelSource::File(path.as_ref().to_path_buf());
        self
    }

    /// Scores reviews by the rules alone (used to train a model on the rule signals, and
    /// to compare).
    pub fn without_model(mut self) -> Self {
        self.model = ModelSource::None;
        self
    }

    fn load_model(&self) -> Result<Option<Model>, EngineError> {
        let (bytes, path) = match &self.model {
            ModelSource::None => return Ok(None),
            ModelSource::Bundled => (std::borrow::Cow::Borrowed(crate::model::BUNDLED), None),
            ModelSource::File(path) => {
                let bytes = fs::read(path).map_err(|source| EngineError::ReadModel {
                    path: path.clone(),
                    source,
                })?;
                (std::borrow::Cow::Owned(bytes), Some(path.clone()))
            }
        };
        let model = Model::load(&bytes).map_err(|source| EngineError::Model {
            path: path.map_or_else(|| "(bundled)".to_string(), |p| p.display().to_string()),
            source,
        })?;
        Ok(Some(model))
    }

    pub fn build(self) -> Result<Engine, EngineError> {
        let model = self.load_model()?;
        let normalizer = Normalizer::new()?;
        let norm = |w: &str| normalizer.word(w);
        let mut lexicon = Lexicon::bundled(&norm)?;

        let (raws, texts) = self.read_trees()?;
        let mut trees = parse::resolve(&raws)?;
        let cue_value = |phrase: &str, hints: &Hints| cue_value(&lexicon, phrase, hints);
        for tree in &mut trees {
            tree.index_words(&norm, &cue_value);
        }
        for category in trees.iter().flat_map(|t| t.categories.iter()) {
            lexicon.add_product(&normalizer.word(category));
        }
        let tree_words: FastMap<String, ()> = trees
            .iter()
            .flat_map(Taxonomy::dictionary_words)
            .map(|w| (w.to_string(), ()))
            .collect();
        for tree in &mut trees {
            let lexicon_words = lexicon.words.keys().map(String::as_str);
            tree.index_lookup(lexicon_words, tree_words.keys().map(String::as_str));
        }
        let jieba = build_jieba(&trees, &lexicon);
        let generic = trees.iter().position(|t| t.id == GENERIC).unwrap_or(0);
        let mut by_category: FastMap<String, usize> = FastMap::default();
        for (i, tree) in trees.iter().enumerate() {
            let names = [tree.id.as_str(), tree.name.as_str()];
            for name in names
                .into_iter()
                .chain(tree.categories.iter().map(String::as_str))
            {
                let key = name.trim().to_lowercase();
                if !key.is_empty() {
                    by_category.entry(key).or_insert(i);
                }
            }
        }

        let mut fingerprint_input = texts.join("\u{1e}");
        for source in lexicon::SOURCES {
            fingerprint_input.push('\u{1e}');
            fingerprint_input.push_str(source);
        }
        if let Some(m) = &model {
            let meta = m.meta();
            let tag = format!(
                "\u{1e}model {} {} {:?}",
                meta.trained_at,
                meta.rows,
                m.calibration()
            );
            fingerprint_input.push_str(&tag);
        }
        let version = koubei_core::text::fingerprint(&fingerprint_input)[..12].to_string();
        tracing::debug!(trees = trees.len(), version = %version, "engine built");
        Ok(Engine {
            normalizer,
            lexicon,
            jieba,
            trees,
            model,
            generic,
            by_category,
            version,
        })
    }

    /// Reads the bundled trees, then the caller's, replacing by id; adds an empty generic
    /// tree when none was loaded.
    fn read_trees(&self) -> Result<(Vec<RawTree>, Vec<String>), EngineError> {
        let mut raws: Vec<RawTree> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        for (file, text) in bundled::BUNDLED {
            let tree = parse::parse_tree(text, file)?;
            add_tree(&mut raws, &mut texts, tree, (*text).to_string());
        }
        for path in self.files()? {
            let text = fs::read_to_string(&path).map_err(|source| EngineError::Read {
                path: path.clone(),
                source,
            })?;
            let tree = parse::parse_tree(&text, &path.display().to_string())?;
            add_tree(&mut raws, &mut texts, tree, text);
        }
        if !raws.iter().any(|t| t.id == GENERIC) {
            let text = "id = \"generic\"\nname = \"通用\"\n";
            let tree = parse::parse_tree(text, "(built-in empty generic)")?;
            add_tree(&mut raws, &mut texts, tree, text.to_string());
        }
        Ok((raws, texts))
    }

    fn files(&self) -> Result<Vec<PathBuf>, EngineError> {
        let mut out = Vec::new();
        for source in &self.sources {
            match source {
                TreeSource::File(path) => out.push(path.clone()),
                TreeSource::Dir(dir) => {
                    let entries = fs::read_dir(dir).map_err(|source| EngineError::Read {
                        path: dir.clone(),
                        source,
                    })?;
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                        .collect();
                    found.sort();
                    out.extend(found);
                }
            }
        }
        Ok(out)
    }
}

/// Adds a tree, replacing one with the same id.
fn add_tree(raws: &mut Vec<RawTree>, texts: &mut Vec<String>, tree: RawTree, text: String) {
    match raws.iter().position(|t| t.id == tree.id) {
        Some(i) => {
            raws[i] = tree;
            texts[i] = text;
        }
        None => {
            raws.push(tree);
            texts.push(text);
        }
    }
}

/// jieba with every tree word and every multi-char lexicon word in its user dictionary.
fn build_jieba(trees: &[Taxonomy], lexicon: &Lexicon) -> Jieba {
    let mut jieba = Jieba::new();
    for word in trees.iter().flat_map(Taxonomy::dictionary_words) {
        if word.chars().count() > 1 {
            jieba.add_word(word, Some(TREE_WORD_FREQ), None);
        }
    }
    for (word, entry) in &lexicon.words {
        let freq = if entry.product {
            TREE_WORD_FREQ
        } else {
            LEXICON_WORD_FREQ
        };
        if word.chars().count() > 1 && !jieba.has_word(word) {
            jieba.add_word(word, Some(freq), None);
        }
    }
    jieba
}

/// The signed value of a cue phrase, read from the lexicon and hint words inside it.
fn cue_value(lexicon: &Lexicon, phrase: &str, hints: &Hints) -> f32 {
    let bounds: Vec<usize> = phrase
        .char_indices()
        .map(|(b, _)| b)
        .chain([phrase.len()])
        .collect();
    let chars = bounds.len() - 1;
    let (mut i, mut factor, mut sum) = (0, 1.0_f32, 0.0_f32);
    while i < chars {
        let longest = lexicon.max_chars.max(4).min(chars - i);
        let found = (1..=longest).rev().find_map(|n| {
            let word = &phrase[bounds[i]..bounds[i + n]];
            if let Some(sign) = hints.sign_of(word) {
                return Some((n, Some(sign), None));
            }
            let entry = lexicon.get(word)?;
            match (entry.opinion, entry.negator) {
                (_, Some(strength)) if n < chars - i => Some((n, None, Some(strength))),
                (Some(v), _) => Some((n, Some(v), None)),
                _ => None,
            }
        });
        match found {
            Some((n, Some(v), _)) => {
                sum += v * factor;
                factor = 1.0;
                i += n;
            }
            Some((n, None, Some(strength))) => {
                factor *= -strength;
                i += n;
            }
            _ => i += 1,
        }
    }
    sum.clamp(-1.5, 1.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_values_come_from_their_words() {
        let lex = Lexicon::bundled(&|w| w.to_string()).unwrap();
        let hints = Hints {
            positive: vec!["足".into()],
            negative: vec![],
        };
        assert!(cue_value(&lex, "吸不干净", &hints) < 0.0);
        assert!(cue_value(&lex, "太吵", &hints) < 0.0);
        assert!(cue_value(&lex, "电量足", &hints) > 0.0);
        assert_eq!(cue_value(&lex, "还剩一半电", &hints), 0.0);
    }
}
