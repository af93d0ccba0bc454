//! Indicator trees: what a review can be about.
//!
//! An **indicator tree** (a [`Taxonomy`]) is a hierarchy of **indicators** such as
//! 产品 › 清洁能力 › 吸力. Each indicator lists the aspect **terms** that name it (吸力,
//! 吸尘力), the **cue** phrases that imply it without naming it (吸不干净), and polarity
//! **hints** for words whose sense depends on the indicator (大 is good for 吸力, bad for
//! 噪音). Trees are TOML files (see `taxonomies/` and the format notes in the `parse` module); the
//! tree `generic` is merged into every other tree, and a tree may `extends` others.
//!
//! This module owns the tree types and their lookup; the `parse` module reads and checks the files,
//! [`bundled`] lists the files compiled into the engine.

pub mod bundled;
pub(crate) mod parse;

use koubei_core::Polarity;

use crate::hash::FastMap;

/// One node of an indicator tree, after merging.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Unique within the merged tree, `[a-z0-9_]`.
    pub id: String,
    /// Display name (吸力).
    pub name: String,
    /// The parent's id; `None` for a root.
    pub parent: Option<String>,
    /// External code copied into results.
    pub code: Option<String>,
    /// Names from the root joined by `/` (产品/清洁能力/吸力).
    pub path: String,
    /// 0 for a root, 1 for its children, and so on.
    pub depth: usize,
    pub(crate) terms: Vec<String>,
    pub(crate) cues: Vec<Cue>,
    pub(crate) hints: Hints,
    /// Term or cue phrase (as written) → position in the merge order (`generic` is 0, the
    /// tree's own file is last) of the last tree that listed it for this indicator.
    pub(crate) origin: FastMap<String, usize>,
}

impl Indicator {
    /// The aspect terms that name this indicator, as written in the tree.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The cue phrases that imply this indicator.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// This indicator's own polarity hints (not those inherited from ancestors).
    pub fn hints(&self) -> &Hints {
        &self.hints
    }
}

/// A phrase that implies an indicator; the polarity is explicit or read from its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub phrase: String,
    pub polarity: Option<Polarity>,
}

/// What segmentation needs to know of a string, for one tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lookup {
    /// It begins a word the tree or the lexicon knows (or is one): a run of tokens that
    /// is no prefix cannot grow into a known word, so the segmenter stops there.
    pub prefix: bool,
    /// The tree (terms, cues, hints) or the lexicon knows it.
    pub known: bool,
    /// Only another tree knows it: jieba may have kept it whole for that tree.
    pub foreign: bool,
}

/// Words whose polarity depends on the indicator they describe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    pub positive: Vec<String>,
    pub negative: Vec<String>,
}

impl Hints {
    pub fn is_empty(&self) -> bool {
        self.positive.is_empty() && self.negative.is_empty()
    }

    /// +1.0, -1.0, or `None` when `word` is not a hint.
    pub(crate) fn sign_of(&self, word: &str) -> Option<f32> {
        if self.positive.iter().any(|w| w == word) {
            Some(1.0)
        } else if self.negative.iter().any(|w| w == word) {
            Some(-1.0)
        } else {
            None
        }
    }
}

/// What a normalised word means in a tree: it names, or implies, an indicator.
///
/// A word listed by several indicators has its meanings in order of preference: first
/// those listed by the tree's own file (then by the trees it extends, then `generic`),
/// then the deepest indicator. Hints break the remaining ties (see `analyze`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TreeWord {
    /// An aspect term of the indicator at this index, with the merge layer that listed it
    /// (`generic` is 0, the tree's own file highest).
    Term(usize, u8),
    /// A cue of the indicator at this index, with its signed value (0 for neutral).
    Cue(usize, f32),
}

/// A merged, checked indicator tree with its lookup tables.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Tree id, `[a-z0-9_]`.
    pub id: String,
    /// Display name (扫地机器人).
    pub name: String,
    /// Category names that select this tree.
    pub categories: Vec<String>,
    /// The trees merged into this one, in merge order (generic first).
    pub merged: Vec<String>,
    pub(crate) indicators: Vec<Indicator>,
    pub(crate) by_id: FastMap<String, usize>,
    /// Normalised term or cue → what it means; filled when the engine is built.
    pub(crate) words: FastMap<String, Vec<TreeWord>>,
    /// Normalised hint words of any indicator, for tokens that are only hints.
    pub(crate) hint_words: FastMap<String, ()>,
    /// What segmentation asks of a string for this tree, in one lookup (see [`Lookup`]);
    /// filled by [`Taxonomy::index_lookup`].
    pub(crate) lookup: FastMap<String, Lookup>,
    /// Hints per indicator, inherited from the nearest ancestor that has some.
    pub(crate) effective_hints: Vec<Hints>,
}

impl Taxonomy {
    /// Every indicator, parents before children in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The indicator with this id.
    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.by_id.get(id).map(|&i| &self.indicators[i])
    }

    /// Whether the indicator `id`, or one of its ancestors, is named `aspect` or has it as
    /// a term, ignoring case: a mention of 产品/噪音/异响 is about 噪音, as it rolls up in a
    /// report.
    pub fn is_about(&self, id: &str, aspect: &str) -> bool {
        let aspect = aspect.to_lowercase();
        let mut current = self.get(id);
        for _ in 0..self.indicators.len() {
            let Some(ind) = current else {
                return false;
            };
            let named = ind.name.to_lowercase() == aspect
                || ind.terms.iter().any(|t| t.to_lowercase() == aspect);
            if named {
                return true;
            }
            current = ind.parent.as_deref().and_then(|p| self.get(p));
        }
        false
    }

    /// Whether `category` selects this tree (case-insensitive, trimmed; id and name count).
    pub fn matches_category(&self, category: &str) -> bool {
        let wanted = category.trim();
        if wanted.is_empty() {
            return false;
        }
        // Compared char by char, without allocating: this runs for every review.
        eq_ignore_case(wanted, &self.id)
            || eq_ignore_case(wanted, &self.name)
            || self
                .categories
                .iter()
                .any(|c| eq_ignore_case(wanted, c.trim()))
    }

    pub(crate) fn indicator_at(&self, index: usize) -> &Indicator {
        &self.indicators[index]
    }

    /// Whether the indicator at `index` sits below the one at `ancestor` (not itself).
    pub(crate) fn is_below(&self, index: usize, ancestor: usize) -> bool {
        let mut current = &self.indicators[index];
        for _ in 0..self.indicators.len() {
            match current.parent.as_deref().and_then(|p| self.by_id.get(p)) {
                Some(&p) if p == ancestor => return true,
                Some(&p) => current = &self.indicators[p],
                None => return false,
            }
        }
        false
    }

    pub(crate) fn hints_at(&self, index: usize) -> &Hints {
        &self.effective_hints[index]
    }

    /// Fills the lookup tables: `normalize` maps a tree word to the form reviews take
    /// after normalisation, `cue_value` reads a cue's polarity from its words.
    pub(crate) fn index_words(
        &mut self,
        normalize: &dyn Fn(&str) -> String,
        cue_value: &dyn Fn(&str, &Hints) -> f32,
    ) {
        self.effective_hints = (0..self.indicators.len())
            .map(|i| self.inherited_hints(i, normalize))
            .collect();
        let mut ranked: FastMap<String, Vec<(TreeWord, Rank)>> = FastMap::default();
        for (i, ind) in self.indicators.iter().enumerate() {
            let rank = |word: &str| (ind.origin.get(word).copied().unwrap_or(0), ind.depth);
            for term in &ind.terms {
                let layer = u8::try_from(rank(term).0).unwrap_or(u8::MAX);
                let word = TreeWord::Term(i, layer);
                push_word(&mut ranked, normalize(term), (word, rank(term)));
            }
            for cue in &ind.cues {
                let phrase = normalize(&cue.phrase);
                let value = match cue.polarity {
                    Some(Polarity::Positive) => 1.0,
                    Some(Polarity::Negative) => -1.0,
                    Some(_) => 0.0,
                    None => cue_value(&phrase, &self.effective_hints[i]),
                };
                let word = TreeWord::Cue(i, value);
                push_word(&mut ranked, phrase, (word, rank(&cue.phrase)));
            }
        }
        let words = ranked
            .into_iter()
            .map(|(key, mut meanings)| {
                // Stable: indicators of equal rank keep their file order.
                meanings.sort_by_key(|&(_, rank)| std::cmp::Reverse(rank));
                (key, meanings.into_iter().map(|(w, _)| w).collect())
            })
            .collect();
        self.hint_words = self
            .effective_hints
            .iter()
            .flat_map(|h| h.positive.iter().chain(&h.negative))
            .map(|w| (w.clone(), ()))
            .collect();
        self.words = words;
    }

    /// The hints in force for an indicator: its own, then those of each ancestor for
    /// words nearer indicators do not already judge (吸力 lists 大; 清洁能力 above it may
    /// add 强 without overruling 吸力).
    fn inherited_hints(&self, mut index: usize, normalize: &dyn Fn(&str) -> String) -> Hints {
        let mut out = Hints::default();
        for _ in 0..self.indicators.len() {
            let ind = &self.indicators[index];
            let mut add = |list: &[String], positive: bool| {
                for w in list.iter().map(|w| normalize(w)) {
                    if out.sign_of(&w).is_none() {
                        if positive {
                            out.positive.push(w);
                        } else {
                            out.negative.push(w);
                        }
                    }
                }
            };
            add(&ind.hints.positive, true);
            add(&ind.hints.negative, false);
            match ind.parent.as_deref().and_then(|p| self.by_id.get(p)) {
                Some(&parent) => index = parent,
                None => break,
            }
        }
        out
    }

    /// Fills [`Taxonomy::lookup`] from the tree's words, `lexicon_words`, and the words
    /// of every loaded tree (`all_trees`).
    pub(crate) fn index_lookup<'w>(
        &mut self,
        lexicon_words: impl Iterator<Item = &'w str>,
        all_trees: impl Iterator<Item = &'w str>,
    ) {
        let mut lookup: FastMap<String, Lookup> = FastMap::default();
        let mut add = |word: &str| {
            for (end, c) in word.char_indices() {
                let prefix = &word[..end + c.len_utf8()];
                lookup.entry(prefix.to_string()).or_default().prefix = true;
            }
            lookup.entry(word.to_string()).or_default().known = true;
        };
        self.dictionary_words().for_each(&mut add);
        lexicon_words.for_each(&mut add);
        for word in all_trees {
            let entry = lookup.entry(word.to_string()).or_default();
            entry.foreign = !entry.known;
        }
        self.lookup = lookup;
    }

    /// Every normalised word the tree knows, for the segmenter's user dictionary.
    pub(crate) fn dictionary_words(&self) -> impl Iterator<Item = &str> {
        self.words
            .keys()
            .chain(self.hint_words.keys())
            .map(String::as_str)
    }
}

/// Whether two texts are equal ignoring case.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    a == b
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// How strongly a tree prefers a meaning of a word: (merge layer that listed it, depth).
type Rank = (usize, usize);

fn push_word<R>(words: &mut FastMap<String, Vec<(TreeWord, R)>>, key: String, word: (TreeWord, R)) {
    if key.is_empty() {
        return;
    }
    let entry = words.entry(key).or_default();
    if !entry.iter().any(|(w, _)| *w == word.0) {
        entry.push(word);
    }
}
