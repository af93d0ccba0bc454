//! Normalisation that keeps char offsets: width folding, traditional → simplified, case.
//!
//! Every step maps one char to exactly one char, so the normalised text has as many chars
//! as the original and a char index means the same place in both. The traditional →
//! simplified step is a `char → char` table built once from OpenCC's `t2s` conversion,
//! keeping only the one-char-to-one-char changes; per review it is a table lookup.

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use crate::EngineError;
use crate::hash::FastMap;

/// The CJK ranges whose chars are run through OpenCC when the table is built.
const CJK_RANGES: [(u32, u32); 2] = [(0x4E00, 0x9FFF), (0xF900, 0xFAFF)];

/// Maps chars to their normalised form.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// Traditional → simplified, only for chars that change.
    t2s: FastMap<char, char>,
}

/// A review's text after normalisation, with the way back to the original.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    pub original: &'a str,
    /// Same char count as `original`.
    pub text: String,
    /// Byte offset in `original` of each char, plus one entry for the end.
    original_bytes: Vec<usize>,
}

impl Normalized<'_> {
    /// Number of chars (equal in both texts).
    pub fn char_len(&self) -> usize {
        self.original_bytes.len() - 1
    }

    /// The original text between two char offsets (end exclusive), clamped.
    pub fn original_slice(&self, start: usize, end: usize) -> &str {
        let last = self.char_len();
        let (start, end) = (start.min(last), end.min(last));
        if start >= end {
            return "";
        }
        &self.original[self.original_bytes[start]..self.original_bytes[end]]
    }
}

impl Normalizer {
    /// Builds the traditional → simplified table from OpenCC's built-in `t2s` config.
    pub fn new() -> Result<Normalizer, EngineError> {
        let opencc = OpenCC::from_config(BuiltinConfig::T2s)
            .map_err(|e| EngineError::Opencc(e.to_string()))?;
        let chars: Vec<char> = CJK_RANGES
            .iter()
            .flat_map(|&(lo, hi)| (lo..=hi).filter_map(char::from_u32))
            .collect();
        // One call over all chars, separated by newlines so no phrase spans two of them.
        let joined: String = chars.iter().flat_map(|&c| [c, '\n']).collect();
        let converted = opencc.convert(&joined);
        let mut t2s = FastMap::default();
        for (from, to) in chars.iter().zip(converted.split('\n')) {
            let mut it = to.chars();
            if let (Some(c), None) = (it.next(), it.next())
                && c != *from
            {
                t2s.insert(*from, c);
            }
        }
        Ok(Normalizer { t2s })
    }

    /// How many chars the traditional → simplified table changes.
    pub fn table_len(&self) -> usize {
        self.t2s.len()
    }

    /// The normalised form of one char.
    pub fn char(&self, c: char) -> char {
        // Fast path for the common CJK ideographs: no width, case or control to fold.
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            return self.t2s.get(&c).copied().unwrap_or(c);
        }
        let c = koubei_core::text::fold_width(c);
        if c.is_ascii() {
            return if c.is_ascii_control() && c != '\n' {
                ' '
            } else {
                c.to_ascii_lowercase()
            };
        }
        // CJK and general punctuation: nothing to convert or lower.
        if ('\u{3000}'..='\u{303F}').contains(&c) || ('\u{2000}'..='\u{206F}').contains(&c) {
            return c;
        }
        if let Some(&s) = self.t2s.get(&c) {
            return s;
        }
        if c.is_control() {
            return ' ';
        }
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    }

    /// The normalised form of a word from a tree or the lexicon.
    pub fn word(&self, word: &str) -> String {
        word.trim().chars().map(|c| self.char(c)).collect()
    }

    /// Normalises a review, keeping the offsets into the original.
    pub fn text<'a>(&self, original: &'a str) -> Normalized<'a> {
        let mut text = String::with_capacity(original.len());
        let mut original_bytes = Vec::with_capacity(original.len() / 2 + 1);
        for (i, c) in original.char_indices() {
            original_bytes.push(i);
            text.push(self.char(c));
        }
        original_bytes.push(original.len());
        Normalized {
            original,
            text,
            original_bytes,
        }
    }
}
