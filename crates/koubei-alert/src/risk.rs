//! Risk words: safety and fault phrases (起火, 冒烟, 漏电, 漏水, 烫伤 …) found in review text
//! however they are written, and not when the review says they did not happen.
//!
//! Matching runs on a **squeezed** form of the text: every character normalised as the
//! engine does (traditional → simplified, full width → half width, lower case) and every
//! space, punctuation mark and symbol dropped, so that 冒 烟, 冒、烟, 冒-烟 and 冒煙 all read
//! 冒烟. Each squeezed character keeps its offset in the original, so a hit can be quoted
//! as the buyer wrote it.
//!
//! A hit is **negated** when a negator ends right before it, possibly with a few bridging
//! words between (没有冒烟, 没有出现冒烟, 从未漏水, 不会漏电, 无漏水, 防漏电): a review that
//! says the fault did not happen must not raise an alarm. Only the squeezed text before
//! the hit is looked at, and only a short way back, so 没多久就冒烟了 (it smoked before
//! long) still fires: 没 is followed by 多久就, which is not a bridge.

use koubei_engine::normalize::Normalizer;
use serde::{Deserialize, Serialize};

/// How serious a risk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The word a Chinese message uses.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
            Severity::Critical => "紧急",
        }
    }
}

/// A phrase to watch for, with its severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskWord {
    pub phrase: String,
    pub severity: Severity,
}

/// The safety words every workspace starts with.
pub const DEFAULT_RISK_WORDS: &[(&str, Severity)] = &[
    ("起火", Severity::Critical),
    ("着火", Severity::Critical),
    ("爆炸", Severity::Critical),
    ("冒烟", Severity::Critical),
    ("漏电", Severity::Critical),
    ("触电", Severity::Critical),
    ("电到手", Severity::Critical),
    ("烧焦", Severity::High),
    ("烫伤", Severity::High),
    ("烧坏", Severity::High),
    ("短路", Severity::High),
    ("漏水", Severity::High),
    ("火花", Severity::High),
    ("焦味", Severity::High),
    ("糊味", Severity::Medium),
    ("鼓包", Severity::High),
];

/// Words that, ending right before a risk phrase, say it did not happen.
const NEGATORS: &[&str] = &[
    "没有",
    "没",
    "不",
    "无",
    "未",
    "并未",
    "从未",
    "从没",
    "绝无",
    "毫无",
    "防",
    "防止",
    "避免",
    "杜绝",
    "不会",
    "不用担心",
];

/// Words allowed between a negator and the phrase: 没有出现冒烟, 不会再漏水, 没有任何漏电.
const BRIDGES: &[&str] = &[
    "出现", "发生", "有", "会", "再", "过", "任何", "一点", "一丝", "丝毫", "什么", "发现", "听说",
    "担心",
];

/// At most this many bridging words between a negator and the phrase.
const MAX_BRIDGES: usize = 2;

/// One risk phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskHit {
    pub phrase: String,
    pub severity: Severity,
    /// Char offsets of the hit in the original text (end exclusive).
    pub start: usize,
    pub end: usize,
    /// The hit as the buyer wrote it (with any spaces or marks inside).
    pub evidence: String,
}

/// A compiled list of risk words.
#[derive(Debug, Clone)]
pub struct RiskMatcher {
    normalizer: Normalizer,
    /// Squeezed phrases with their severity and their spelling in the configuration.
    words: Vec<(Vec<char>, Severity, String)>,
    negators: Vec<Vec<char>>,
    bridges: Vec<Vec<char>>,
}

impl RiskMatcher {
    /// A matcher for `words`, normalising with `normalizer` (the engine's, so that both
    /// read text the same way).
    pub fn new(normalizer: Normalizer, words: &[RiskWord]) -> RiskMatcher {
        let squeeze = |s: &str| -> Vec<char> { squeezed(&normalizer, s).0 };
        let mut compiled: Vec<(Vec<char>, Severity, String)> = words
            .iter()
            .map(|w| (squeeze(&w.phrase), w.severity, w.phrase.clone()))
            .filter(|(chars, _, _)| !chars.is_empty())
            .collect();
        // Longer phrases first, so that 电到手 wins over a shorter phrase inside it.
        compiled.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(b.1.cmp(&a.1)));
        let negators = NEGATORS.iter().map(|n| squeeze(n)).collect();
        let bridges = BRIDGES.iter().map(|b| squeeze(b)).collect();
        RiskMatcher {
            words: compiled,
            negators,
            bridges,
            normalizer,
        }
    }

    /// The default safety words.
    pub fn with_defaults(normalizer: Normalizer) -> RiskMatcher {
        let words: Vec<RiskWord> = DEFAULT_RISK_WORDS
            .iter()
            .map(|&(phrase, severity)| RiskWord {
                phrase: phrase.to_string(),
                severity,
            })
            .collect();
        RiskMatcher::new(normalizer, &words)
    }

    /// Every risk phrase `text` reports as having happened, in text order; overlapping
    /// phrases are reported once (the longest).
    pub fn find(&self, text: &str) -> Vec<RiskHit> {
        let (chars, offsets) = squeezed(&self.normalizer, text);
        let original: Vec<char> = text.chars().collect();
        let mut hits = Vec::new();
        let mut taken = vec![false; chars.len()];
        for (phrase, severity, spelling) in &self.words {
            let n = phrase.len();
            if n > chars.len() {
                continue;
            }
            for at in 0..=chars.len() - n {
                if chars[at..at + n] != phrase[..] || taken[at..at + n].iter().any(|&t| t) {
                    continue;
                }
                taken[at..at + n].iter_mut().for_each(|t| *t = true);
                if self.negated(&chars[..at]) {
                    continue;
                }
                let (start, end) = (offsets[at], offsets[at + n - 1] + 1);
                hits.push(RiskHit {
                    phrase: spelling.clone(),
                    severity: *severity,
                    start,
                    end,
                    evidence: original[start..end].iter().collect(),
                });
            }
        }
        hits.sort_by_key(|h| h.start);
        hits
    }

    /// Whether the squeezed text `before` a hit ends with a negator, then at most
    /// [`MAX_BRIDGES`] bridging words.
    fn negated(&self, before: &[char]) -> bool {
        self.negated_within(before, MAX_BRIDGES)
    }

    fn negated_within(&self, before: &[char], bridges_left: usize) -> bool {
        if self.negators.iter().any(|n| before.ends_with(n)) {
            return true;
        }
        bridges_left > 0
            && self.bridges.iter().any(|b| {
                before.ends_with(b)
                    && self.negated_within(&before[..before.len() - b.len()], bridges_left - 1)
            })
    }
}

/// The normalised chars of `text` without spaces, punctuation and symbols, each with its
/// char offset in `text`.
fn squeezed(normalizer: &Normalizer, text: &str) -> (Vec<char>, Vec<usize>) {
    let mut chars = Vec::with_capacity(text.len() / 3 + 1);
    let mut offsets = Vec::with_capacity(text.len() / 3 + 1);
    for (i, c) in text.chars().enumerate() {
        let c = normalizer.char(c);
        if c.is_alphanumeric() {
            chars.push(c);
            offsets.push(i);
        }
    }
    (chars, offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> RiskMatcher {
        RiskMatcher::with_defaults(Normalizer::new().expect("normalizer"))
    }

    fn phrases(text: &str) -> Vec<String> {
        matcher().find(text).into_iter().map(|h| h.phrase).collect()
    }

    #[test]
    fn finds_the_phrase_however_it_is_written() {
        for text in [
            "扫地机器人充电时冒烟了",
            "充电的时候冒 烟了",
            "充电的时候冒、烟了！",
            "充電的時候冒煙了",
            "充电时 冒 - 烟",
        ] {
            assert_eq!(phrases(text), ["冒烟"], "{text}");
        }
    }

    #[test]
    fn quotes_the_hit_as_written() {
        let hits = matcher().find("昨天 冒、烟 了");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence, "冒、烟");
        assert_eq!((hits[0].start, hits[0].end), (3, 6));
        assert_eq!(hits[0].severity, Severity::Critical);
    }

    #[test]
    fn negated_uses_do_not_fire() {
        for text in [
            "没有冒烟",
            "用了半年没有出现漏水",
            "从未漏电，很放心",
            "不会漏水",
            "没有任何漏电的情况",
            "无漏水现象",
            "防漏电设计",
            "会不会漏电？",
        ] {
            assert!(phrases(text).is_empty(), "{text}: {:?}", phrases(text));
        }
    }

    #[test]
    fn a_negator_further_back_does_not_hide_a_fault() {
        assert_eq!(phrases("没多久就冒烟了"), ["冒烟"]);
        assert_eq!(phrases("没有冒烟，但是漏电了"), ["漏电"]);
        assert_eq!(phrases("不知道为什么起火了"), ["起火"]);
    }

    #[test]
    fn each_hit_is_counted_once_and_in_order() {
        let hits = matcher().find("先漏水，后来又短路，还漏水");
        let found: Vec<&str> = hits.iter().map(|h| h.phrase.as_str()).collect();
        assert_eq!(found, ["漏水", "短路", "漏水"]);
    }
}
