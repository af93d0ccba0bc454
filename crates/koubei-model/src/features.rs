//! Featurisation: turning a [`Doc`] into hashed sparse features.
//!
//! A **feature** is one thing the model can put a weight on: a character n-gram, a word, a
//! pair of adjacent words, or a word inside a **negation scope** (the words after 不, 没有,
//! 并不 ... up to the end of the clause or a few words on). Each feature is hashed straight
//! into one of `2^hash_bits` **buckets** without building a string, so scoring allocates
//! nothing. Explanations need readable names; [`FeatureRef`] carries just enough to print
//! one, and is only printed when asked.
//!
//! Named **extra** features (rule and lexicon signals the caller computes) are not hashed:
//! the model keeps a small named weight table for them, see [`crate::Model`].

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::Doc;

/// The longest character n-gram the featuriser can emit.
pub const MAX_CHAR_NGRAM: usize = 5;

/// How text becomes features. Saved inside each model so scoring featurises exactly as
/// training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Featurizer {
    /// Number of buckets is `2^hash_bits`.
    pub hash_bits: u32,
    /// Character n-gram lengths, inclusive (`(1, 3)` is uni-, bi- and trigrams).
    pub char_ngrams: (usize, usize),
    /// Emit word unigrams.
    pub words: bool,
    /// Emit adjacent word pairs.
    pub word_bigrams: bool,
    /// Words that open a negation scope.
    pub negators: Vec<String>,
    /// How many words after a negator are marked (the clause end stops it sooner).
    pub negation_scope: usize,
    /// Scale hashed features by `1/√n` for a document with `n` distinct buckets, so long
    /// and short reviews are on one scale (otherwise each counts 1).
    pub normalize: bool,
    /// Words that open a contrast (但是, 不过): words after them get a marked copy too.
    pub contrast_words: Vec<String>,
}

impl Default for Featurizer {
    fn default() -> Self {
        let list = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect();
        Featurizer {
            hash_bits: 21,
            char_ngrams: (1, 4),
            words: true,
            word_bigrams: true,
            negators: list(&[
                "不",
                "没",
                "没有",
                "并不",
                "不太",
                "别",
                "无",
                "不是",
                "不会",
                "未",
                "不能",
                "毫无",
                "从不",
                "绝不",
                "并没有",
                "不够",
                "不怎么",
            ]),
            negation_scope: 3,
            normalize: true,
            contrast_words: Vec::new(),
        }
    }
}

/// One feature, described well enough to print its name (for explanations).
#[derive(Debug, Clone, Copy)]
pub enum FeatureRef<'a> {
    /// A character n-gram; only the first `len` chars are used.
    Chars {
        chars: [char; MAX_CHAR_NGRAM],
        len: usize,
    },
    /// A word.
    Word(&'a str),
    /// Two adjacent words.
    Bigram(&'a str, &'a str),
    /// A word inside a negation scope.
    Negated(&'a str),
    /// A word after a contrast word.
    AfterContrast(&'a str),
}

impl fmt::Display for FeatureRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeatureRef::Chars { chars, len } => {
                f.write_str("c:")?;
                chars[..*len].iter().try_for_each(|c| write!(f, "{c}"))
            }
            FeatureRef::Word(w) => write!(f, "w:{w}"),
            FeatureRef::Bigram(a, b) => write!(f, "b:{a}_{b}"),
            FeatureRef::Negated(w) => write!(f, "neg:{w}"),
            FeatureRef::AfterContrast(w) => write!(f, "but:{w}"),
        }
    }
}

/// Hash namespaces, so that the word 好 and the character 好 land in different buckets.
mod ns {
    pub const CHARS: u64 = 0x9e37_79b9_7f4a_7c15;
    pub const WORD: u64 = 0xc2b2_ae3d_27d4_eb4f;
    pub const BIGRAM: u64 = 0x1656_67b1_9e37_79f9;
    pub const NEGATED: u64 = 0x85eb_ca77_c2b2_ae63;
    pub const CONTRAST: u64 = 0x27d4_eb2f_1656_67c5;
}

const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn mix_byte(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

fn mix_str(h: u64, s: &str) -> u64 {
    s.bytes().fold(h, mix_byte)
}

/// The murmur3 finaliser: FNV's low bits are weak, the bucket takes the high bits of this.
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Whether a token ends a clause: punctuation or whitespace only.
fn is_clause_break(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punct(c))
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
        || matches!(c, '…' | '—' | '~' | '～' | '·' | '“' | '”' | '‘' | '’')
}

impl Featurizer {
    /// Number of buckets in the hashed weight table.
    pub fn buckets(&self) -> usize {
        1usize << self.hash_bits
    }

    fn bucket(&self, h: u64) -> u32 {
        // hash_bits is checked to be in 1..=30 wherever a featuriser is built or loaded.
        (finish(h) >> (64 - self.hash_bits)) as u32
    }

    /// The scale on hashed features for a document with `distinct` buckets.
    pub fn doc_norm(&self, distinct: usize) -> f32 {
        match (self.normalize, distinct) {
            (_, 0) => 0.0,
            (true, n) => 1.0 / (n as f32).sqrt(),
            (false, _) => 1.0,
        }
    }

    /// Calls `emit(bucket, feature)` for every feature of `doc`, duplicates included.
    pub fn for_each<'d>(&self, doc: &Doc<'d>, mut emit: impl FnMut(u32, FeatureRef<'d>)) {
        self.char_features(doc.text, &mut emit);
        self.word_features(doc.words, &mut emit);
    }

    /// Collects the buckets of `doc` into `out`, without duplicates, in the order first
    /// seen (the model's sums do not depend on the order).
    pub fn buckets_of(&self, doc: &Doc, out: &mut Vec<u32>) {
        out.clear();
        self.for_each(doc, |b, _| out.push(b));
        SEEN.with(|cell| dedup_unordered(out, &mut cell.borrow_mut()));
    }

    fn char_features<'d>(&self, text: &'d str, emit: &mut impl FnMut(u32, FeatureRef<'d>)) {
        let (lo, hi) = (
            self.char_ngrams.0.max(1),
            self.char_ngrams.1.min(MAX_CHAR_NGRAM),
        );
        if lo > hi {
            return;
        }
        // `window` holds the last `filled` characters, newest last.
        let mut window = [' '; MAX_CHAR_NGRAM];
        let mut filled = 0usize;
        for c in text.chars() {
            if c.is_whitespace() {
                filled = 0;
                continue;
            }
            window.rotate_left(1);
            window[MAX_CHAR_NGRAM - 1] = c;
            filled = (filled + 1).min(MAX_CHAR_NGRAM);
            for n in lo..=hi.min(filled) {
                let gram = &window[MAX_CHAR_NGRAM - n..];
                let h = gram.iter().fold(ns::CHARS ^ n as u64, |h, &c| {
                    (h ^ u64::from(u32::from(c))).wrapping_mul(FNV_PRIME)
                });
                let mut chars = [' '; MAX_CHAR_NGRAM];
                chars[..n].copy_from_slice(gram);
                emit(self.bucket(h), FeatureRef::Chars { chars, len: n });
            }
        }
    }

    fn word_features<'d>(&self, words: &[&'d str], emit: &mut impl FnMut(u32, FeatureRef<'d>)) {
        let mut negated_left = 0usize;
        let mut after_contrast = false;
        let mut prev: Option<&'d str> = None;
        for &w in words {
            if w.trim().is_empty() {
                negated_left = 0;
                prev = None;
                continue;
            }
            if self.words {
                emit(self.bucket(mix_str(ns::WORD, w)), FeatureRef::Word(w));
            }
            if let (true, Some(p)) = (self.word_bigrams, prev) {
                let h = mix_str(mix_byte(mix_str(ns::BIGRAM, p), 0xff), w);
                emit(self.bucket(h), FeatureRef::Bigram(p, w));
            }
            prev = Some(w);
            if is_clause_break(w) {
                negated_left = 0;
            } else if self.negators.iter().any(|n| n == w) {
                negated_left = self.negation_scope;
            } else if negated_left > 0 {
                negated_left -= 1;
                emit(self.bucket(mix_str(ns::NEGATED, w)), FeatureRef::Negated(w));
            }
            if after_contrast && !is_clause_break(w) {
                emit(
                    self.bucket(mix_str(ns::CONTRAST, w)),
                    FeatureRef::AfterContrast(w),
                );
            }
            after_contrast |= self.contrast_words.iter().any(|c| c == w);
        }
    }
}

thread_local! {
    /// The per-thread table [`dedup_unordered`] marks buckets in; reused across docs.
    static SEEN: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty slot of the [`SEEN`] table (no bucket reaches it: at most 2^26 buckets).
const EMPTY: u32 = u32::MAX;

/// Drops repeated buckets from `out`, keeping the first of each, with an open-addressing
/// table at most half full: linear in the doc's features, where sorting them was the
/// largest cost of scoring a short review.
fn dedup_unordered(out: &mut Vec<u32>, table: &mut Vec<u32>) {
    let size = (out.len() * 2).next_power_of_two().max(16);
    table.clear();
    table.resize(size, EMPTY);
    let mask = size - 1;
    let mut kept = 0;
    for i in 0..out.len() {
        let bucket = out[i];
        let mut slot = (bucket.wrapping_mul(0x9E37_79B9) >> 7) as usize & mask;
        loop {
            match table[slot] {
                EMPTY => {
                    table[slot] = bucket;
                    out[kept] = bucket;
                    kept += 1;
                    break;
                }
                seen if seen == bucket => break,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &Featurizer, text: &str, words: &[&str]) -> Vec<String> {
        let doc = Doc {
            text,
            words,
            extra: &[],
        };
        let mut out = Vec::new();
        f.for_each(&doc, |_, r| out.push(r.to_string()));
        out
    }

    #[test]
    fn emits_char_ngrams_words_and_bigrams() {
        let f = Featurizer {
            negators: Vec::new(),
            ..Featurizer::default()
        };
        let got = names(&f, "很好", &["很", "好"]);
        assert_eq!(got, ["c:很", "c:好", "c:很好", "w:很", "w:好", "b:很_好"]);
    }

    #[test]
    fn negation_scope_stops_at_clause_end() {
        let f = Featurizer {
            char_ngrams: (1, 0),
            word_bigrams: false,
            ..Featurizer::default()
        };
        let got = names(&f, "", &["不", "好看", "，", "好"]);
        assert_eq!(got, ["w:不", "w:好看", "neg:好看", "w:，", "w:好"]);
    }

    #[test]
    fn negation_scope_is_limited_in_length() {
        let f = Featurizer {
            char_ngrams: (1, 0),
            words: false,
            word_bigrams: false,
            negation_scope: 2,
            ..Featurizer::default()
        };
        assert_eq!(names(&f, "", &["没有", "a", "b", "c"]), ["neg:a", "neg:b"]);
    }

    #[test]
    fn whitespace_breaks_char_ngrams() {
        let f = Featurizer {
            char_ngrams: (2, 2),
            words: false,
            ..Featurizer::default()
        };
        assert_eq!(names(&f, "ab cd", &[]), ["c:ab", "c:cd"]);
    }

    #[test]
    fn buckets_are_sorted_unique_and_in_range() {
        let f = Featurizer {
            hash_bits: 4,
            ..Featurizer::default()
        };
        let doc = Doc {
            text: "好好好好",
            words: &["好", "好", "好"],
            extra: &[],
        };
        let mut out = Vec::new();
        f.buckets_of(&doc, &mut out);
        let mut sorted = out.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), out.len(), "no bucket twice");
        assert!(out.iter().all(|&b| b < 16));
    }
}
