//! The opinion lexicon: which words praise, complain, negate, intensify or contrast.
//!
//! The lists live in `data/lexicon/*.txt` (written for koubei, see `SOURCE.md`) and are
//! compiled in. Each line is `WORD [WEIGHT]`; `#` starts a comment. Words are stored in
//! their normalised form (simplified, half-width, lower-case), since that is what the
//! engine looks up.

use crate::EngineError;
use crate::hash::FastMap;

const POSITIVE: &str = include_str!("../data/lexicon/positive.txt");
const NEGATIVE: &str = include_str!("../data/lexicon/negative.txt");
const NEGATORS: &str = include_str!("../data/lexicon/negators.txt");
const DEGREE: &str = include_str!("../data/lexicon/degree.txt");
const CONTRAST: &str = include_str!("../data/lexicon/contrast.txt");
const NEUTRAL: &str = include_str!("../data/lexicon/neutral.txt");
const EMOJI: &str = include_str!("../data/lexicon/emoji.txt");
const PRODUCTS: &str = include_str!("../data/lexicon/products.txt");
const ATTRIBUTES: &str = include_str!("../data/lexicon/attributes.txt");
const QUALITY: &str = include_str!("../data/lexicon/quality.txt");
const DIRECTIONS: &str = include_str!("../data/lexicon/directions.txt");

/// Every bundled list's text, for the engine's version fingerprint.
pub(crate) const SOURCES: [&str; 11] = [
    POSITIVE, NEGATIVE, NEGATORS, DEGREE, CONTRAST, NEUTRAL, EMOJI, PRODUCTS, ATTRIBUTES, QUALITY,
    DIRECTIONS,
];

/// Where a contrast word may start a new clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContrastAt {
    /// Anywhere in a clause (但是).
    Anywhere,
    /// Only at the start of a clause (就是 as "only that").
    ClauseStart,
}

/// Everything the lexicon says about one word; a word may play several roles (好).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LexEntry {
    /// Signed opinion value: positive praises, negative complains, 0.0 is a neutral verdict.
    pub opinion: Option<f32>,
    /// Strength of a negator (1.0 flips fully, 0.6 for 不太).
    pub negator: Option<f32>,
    /// Multiplier of a degree adverb.
    pub degree: Option<f32>,
    pub contrast: Option<ContrastAt>,
    /// A word that names the product bought (扫地机器人), never an aspect.
    pub product: bool,
    /// An aspect word naming a property any part has (做工, 质量), not a part.
    pub attribute: bool,
    /// A generic quality opinion (粗糙, 结实) that may describe the part named just before.
    pub quality: bool,
    /// The usual sense of a hint word (强 +, 慢 −) for an aspect whose indicator has no
    /// hint for it: 灵敏度高, 穿透力强.
    pub direction: Option<f32>,
}

/// The loaded lexicon.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lexicon {
    pub words: FastMap<String, LexEntry>,
    /// The longest word, in chars.
    pub max_chars: usize,
}

impl Lexicon {
    /// Loads the bundled lists, passing every word through `normalize`.
    pub fn bundled(normalize: &dyn Fn(&str) -> String) -> Result<Lexicon, EngineError> {
        let mut lex = Lexicon::default();
        lex.load("positive.txt", POSITIVE, normalize, |e, w| {
            e.opinion = Some(w.unwrap_or(1.0))
        })?;
        lex.load("negative.txt", NEGATIVE, normalize, |e, w| {
            e.opinion = Some(-w.unwrap_or(1.0));
        })?;
        lex.load("neutral.txt", NEUTRAL, normalize, |e, w| {
            e.opinion = Some(w.unwrap_or(0.0))
        })?;
        lex.load("emoji.txt", EMOJI, normalize, |e, w| {
            e.opinion = Some(w.unwrap_or(0.0))
        })?;
        lex.load("negators.txt", NEGATORS, normalize, |e, w| {
            e.negator = Some(w.unwrap_or(1.0));
        })?;
        lex.load("degree.txt", DEGREE, normalize, |e, w| {
            e.degree = Some(w.unwrap_or(1.0))
        })?;
        lex.load("products.txt", PRODUCTS, normalize, |e, _| e.product = true)?;
        lex.load("attributes.txt", ATTRIBUTES, normalize, |e, _| {
            e.attribute = true
        })?;
        lex.load("quality.txt", QUALITY, normalize, |e, w| {
            e.quality = true;
            e.opinion = e.opinion.or(w);
        })?;
        lex.load("directions.txt", DIRECTIONS, normalize, |e, w| {
            e.direction = w;
        })?;
        lex.load_contrast(normalize);
        Ok(lex)
    }

    pub fn get(&self, word: &str) -> Option<&LexEntry> {
        self.words.get(word)
    }

    /// Marks `word` as a product name (used for the trees' category names).
    pub fn add_product(&mut self, word: &str) {
        if !word.is_empty() {
            self.max_chars = self.max_chars.max(word.chars().count());
            self.words.entry(word.to_string()).or_default().product = true;
        }
    }

    fn load(
        &mut self,
        file: &'static str,
        text: &str,
        normalize: &dyn Fn(&str) -> String,
        set: impl Fn(&mut LexEntry, Option<f32>),
    ) -> Result<(), EngineError> {
        for (n, line) in text.lines().enumerate() {
            let Some((word, weight)) = split_line(line) else {
                continue;
            };
            let weight = match weight {
                None => None,
                Some(w) => Some(w.parse::<f32>().map_err(|_| EngineError::Lexicon {
                    file,
                    line: n + 1,
                    message: format!("weight {w:?} is not a number"),
                })?),
            };
            let word = normalize(word);
            self.max_chars = self.max_chars.max(word.chars().count());
            set(self.words.entry(word).or_default(), weight);
        }
        Ok(())
    }

    fn load_contrast(&mut self, normalize: &dyn Fn(&str) -> String) {
        for line in CONTRAST.lines() {
            let Some((word, marker)) = split_line(line) else {
                continue;
            };
            let at = match marker {
                Some("start") => ContrastAt::ClauseStart,
                _ => ContrastAt::Anywhere,
            };
            self.words.entry(normalize(word)).or_default().contrast = Some(at);
        }
    }
}

/// Splits `WORD [SECOND]`, skipping blanks and comments. The word may contain one space
/// when the line has three fields (`a bit 0.7`).
fn split_line(line: &str) -> Option<(&str, Option<&str>)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    match line.rsplit_once(char::is_whitespace) {
        Some((word, last)) if last.parse::<f32>().is_ok() || last == "start" => {
            Some((word.trim(), Some(last)))
        }
        _ => Some((line, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_words_weights_and_markers() {
        assert_eq!(split_line("好用"), Some(("好用", None)));
        assert_eq!(split_line("太 1.6"), Some(("太", Some("1.6"))));
        assert_eq!(split_line("a bit 0.7"), Some(("a bit", Some("0.7"))));
        assert_eq!(split_line("就是 start"), Some(("就是", Some("start"))));
        assert_eq!(split_line("# note"), None);
        assert_eq!(split_line("   "), None);
    }

    #[test]
    fn bundled_lists_load() {
        let lex = Lexicon::bundled(&|w| w.to_lowercase()).unwrap();
        assert!(lex.get("好用").unwrap().opinion.unwrap() > 0.0);
        assert!(lex.get("卡顿").unwrap().opinion.unwrap() < 0.0);
        assert_eq!(lex.get("一般").unwrap().opinion, Some(0.0));
        assert_eq!(lex.get("不太").unwrap().negator, Some(0.6));
        assert_eq!(
            lex.get("就是").unwrap().contrast,
            Some(ContrastAt::ClauseStart)
        );
        let hao = lex.get("好").unwrap();
        assert!(hao.opinion.is_some() && hao.degree.is_some());
        assert!(lex.get("[捂脸]").unwrap().opinion.unwrap() < 0.0);
        assert!(lex.get("扫地机器人").unwrap().product);
    }
}
