//! The statistical half of the review score: the bundled polarity model and the rule
//! **signals** it reads.
//!
//! The rules find opinions clause by clause; the model ([`koubei_model::Model`]) reads the
//! review as a whole: its character n-grams, its words (the engine's units, punctuation
//! included) and the rule signals as named extra features (`rule`, `pos`, `neg`, …; see
//! [`SIGNALS`]). Training (`koubei train`) and scoring featurise through the same code
//! ([`Engine::model_input`]), so what the model learnt from is what it sees.
//!
//! The model's calibrated score is the review score: the rule score is one of its inputs,
//! so the two are combined by weights fitted on labelled reviews, not by hand.
//!
//! Where the rules turned an opinion round (a negator, a rhetorical question, a wish), the
//! model does not see the words of that opinion: its **view** of the text puts one mark
//! in their place, [`TURNED_POSITIVE`] or [`TURNED_NEGATIVE`], the verdict the rules gave.
//! Character n-grams cannot read scope, so without this 「吸力并不差」 shows the model 差
//! and 「没有异响」 shows it 异响; with it, the model learns from the labelled reviews how
//! much a resolved negation is worth instead of relearning negation from n-grams.
//!
//! Scoring allocates nothing per review: the word list handed to the model lives in a
//! per-thread buffer that is emptied and reused.

use std::cell::RefCell;

use koubei_core::{Flag, Polarity};
use koubei_model::{Doc, Model};

use crate::analyze::ClauseResult;
use crate::engine::{Engine, Input};
use crate::run::{NEUTRAL_BAND, Run, verdict};

/// The model shipped inside the engine (see `models/SOURCE.md`).
pub(crate) const BUNDLED: &[u8] = include_bytes!("../models/review-polarity.kpm");

/// How many rule signals there are.
pub const SIGNAL_COUNT: usize = 15;

/// The names of the rule signals, in the order the engine computes them.
///
/// - `rule`: the rule score (`tanh` of the weighted opinion sum);
/// - `pos`, `neg`: `tanh` of the weighted positive and negative opinion sums (`neg` ≥ 0);
/// - `negated_pos`, `negated_neg`: the same for opinions a negator flipped;
/// - `contrast`, `concessive`, `inverted`, `rhetorical`: `tanh` of the opinion sum in
///   clauses after a contrast word, conceding clauses, wishes and comparisons won by
///   another product, and rhetorical questions;
/// - `last`: `tanh` of the last clause with an opinion;
/// - `silent`: 1 when the rules found no opinion;
/// - `no_experience`, `low_information`, `incentivized`: 1 when that flag is set.
pub const SIGNALS: [&str; SIGNAL_COUNT] = [
    "rule",
    "pos",
    "neg",
    "negated_pos",
    "negated_neg",
    "contrast",
    "concessive",
    "inverted",
    "rhetorical",
    "last",
    "silent",
    "no_experience",
    "low_information",
    "incentivized",
    "opinions",
];

/// Rule signals of one review, named as in [`SIGNALS`].
pub type Signals = [(&'static str, f32); SIGNAL_COUNT];

/// Computes the rule signals from the analysed clauses and flags.
pub(crate) fn signals(clauses: &[ClauseResult], flags: &[Flag], rule_score: f32) -> Signals {
    let mut sums = [0.0_f32; 8];
    let mut count = 0usize;
    let mut last = 0.0_f32;
    for c in clauses {
        let mut clause_sum = 0.0;
        for o in &c.opinions {
            let Some(v) = o.value else { continue };
            let v = v * c.weight;
            count += 1;
            clause_sum += v;
            sums[usize::from(v < 0.0)] += v.abs();
            if o.factor < 0.0 {
                sums[2 + usize::from(v < 0.0)] += v.abs();
            }
        }
        if c.opinions.iter().any(|o| o.value.is_some()) {
            last = clause_sum;
        }
        sums[4] += if c.clause.contrast { clause_sum } else { 0.0 };
        sums[5] += if c.clause.concessive { clause_sum } else { 0.0 };
        let rhetorical = c.clause.rhetorical && c.clause.inverted;
        sums[6] += if c.clause.inverted && !rhetorical {
            clause_sum
        } else {
            0.0
        };
        sums[7] += if rhetorical { clause_sum } else { 0.0 };
    }
    let flag = |f: Flag| if flags.contains(&f) { 1.0 } else { 0.0 };
    let values = [
        rule_score,
        sums[0].tanh(),
        sums[1].tanh(),
        sums[2].tanh(),
        sums[3].tanh(),
        sums[4].tanh(),
        sums[5].tanh(),
        sums[6].tanh(),
        sums[7].tanh(),
        last.tanh(),
        if count == 0 { 1.0 } else { 0.0 },
        flag(Flag::NoExperience),
        flag(Flag::LowInformation),
        flag(Flag::Incentivized),
        (count as f32 / 4.0).min(1.0),
    ];
    let mut out = [("", 0.0); SIGNAL_COUNT];
    for (slot, (name, value)) in out.iter_mut().zip(SIGNALS.iter().zip(values)) {
        *slot = (*name, value);
    }
    out
}

/// Stands, in the model's view, for an opinion the rules turned round to positive.
pub const TURNED_POSITIVE: &str = "\u{e000}";
/// Stands, in the model's view, for an opinion the rules turned round to negative.
pub const TURNED_NEGATIVE: &str = "\u{e001}";

/// The char spans of the opinions the rules turned round, with the mark for each, in text
/// order: opinions with a negator in their evidence or in an inverted clause (a
/// rhetorical question, a wish), that have a value.
fn turned_spans(clauses: &[ClauseResult]) -> Vec<(usize, usize, &'static str)> {
    let mut spans: Vec<(usize, usize, &'static str)> = clauses
        .iter()
        .flat_map(|c| {
            c.opinions
                .iter()
                .filter(move |o| o.negation.is_some() || c.clause.inverted)
                .filter_map(|o| {
                    let v = o.value?;
                    let mark = if v >= 0.0 {
                        TURNED_POSITIVE
                    } else {
                        TURNED_NEGATIVE
                    };
                    Some((o.start, o.end, mark))
                })
        })
        .collect();
    spans.sort_unstable();
    spans
}

thread_local! {
    /// The per-thread word list handed to the model; always empty between calls.
    static WORDS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Empties a borrowed word list so it can be kept for the next review: the collect reuses
/// the allocation, as it maps an empty vector to one of the same element size.
fn recycle(mut words: Vec<&str>) -> Vec<&'static str> {
    words.clear();
    words.into_iter().map(|_| "").collect()
}

/// A model score this far from zero makes a review positive or negative even when the
/// rules found nothing clear (otherwise it stays neutral).
const MODEL_NEUTRAL: f32 = 0.5;

/// How the model moved one review's score (shown by `koubei explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelContribution {
    /// The rules alone, in -1..1.
    pub rule_score: f32,
    /// The model (which reads the rule signals too), in -1..1: the review score, unless
    /// `rules_decide`.
    pub model_score: f32,
    /// The review is one clause whose opinions a rule turned round, all one way: the
    /// rules' score is the review score (see `Run::review_verdict`).
    pub rules_decide: bool,
    /// The features that moved the model most, with their share of its margin.
    pub top: Vec<(String, f32)>,
}

impl Run<'_, '_> {
    /// The weighted opinion values the rule score sums.
    fn rule_values(&self) -> impl Iterator<Item = f32> + '_ {
        self.clauses.iter().flat_map(|c| {
            c.opinions
                .iter()
                .filter_map(move |o| o.value.map(|v| v * c.weight))
        })
    }

    /// The rules' review score in -1..1.
    pub(crate) fn rule_score(&self) -> f32 {
        verdict(self.rule_values()).0
    }

    /// The review score and polarity: the model's calibrated score when a model is loaded
    /// and the review has words, else the rules'. Mixed stays the rules' call (a clear
    /// positive and a clear negative opinion); a review the rules find neutral stays
    /// neutral unless the model is sure, and always when its only opinions are neutral
    /// verdicts (一般); a clear rule verdict stands when the model leans either way by
    /// less than the neutral band.
    ///
    /// One kind of review is the rules' alone: a single clause whose every opinion a rule
    /// turned round, all one way (没有异响, 吸力并不差, 难道这吸力还不够强吗,
    /// 另一款噪音比这台小多了). The model sees nothing there but the rules' own signals and
    /// the n-grams of words whose sense the rules reversed; such reviews are rare in the
    /// labelled sets (22 of the 4,939 held-out os10 reviews), so it cannot learn them.
    pub(crate) fn review_verdict(&self) -> (f32, Polarity) {
        let (rule, polarity) = verdict(self.rule_values());
        let Some(model) = self.engine.model().filter(|_| !self.units.is_empty()) else {
            return (rule, polarity);
        };
        if self.rules_decide(polarity) {
            return (rule, polarity);
        }
        let signals = signals(&self.clauses, &self.flags, rule);
        let score = self.with_doc(&signals, |doc| model.score(doc));
        let polarity = match polarity {
            Polarity::Mixed => Polarity::Mixed,
            Polarity::Neutral if score.abs() < MODEL_NEUTRAL || self.only_neutral() => {
                Polarity::Neutral
            }
            // The model barely leans either way: a clear rule verdict stands (吸力并不差,
            // 没有异响); the score stays the model's.
            rules if score.abs() < NEUTRAL_BAND => rules,
            _ => Polarity::from_score(score, NEUTRAL_BAND),
        };
        (score, polarity)
    }

    /// The model's score of one clause read alone, with the rule signals of that clause:
    /// the tone `Run::judge_aspect` falls back on.
    pub(crate) fn clause_model_score(&self, model: &Model, clause: &ClauseResult) -> f32 {
        let one = std::slice::from_ref(clause);
        let values = clause.opinions.iter().filter_map(|o| o.value);
        let rule = verdict(values.map(|v| v * clause.weight)).0;
        let signals = signals(one, &self.flags, rule);
        let (from, to) = clause.clause.units;
        self.view_of(from..to, &turned_spans(one), signals)
            .with_doc(|doc| model.score(doc))
    }

    /// Whether the rules alone decide this review, whose rule verdict is `rule_polarity`:
    /// one clause, turned round ([`Run::is_turned_round`]), judged positive or negative.
    fn rules_decide(&self, rule_polarity: Polarity) -> bool {
        matches!(rule_polarity, Polarity::Positive | Polarity::Negative) && self.is_turned_round()
    }

    /// Whether the review is one clause, and every opinion in it was turned round by a
    /// rule (a negator, a rhetorical question, a wish, a comparison won by another product).
    fn is_turned_round(&self) -> bool {
        let [clause] = self.clauses.as_slice() else {
            return false;
        };
        let mut values = clause.opinions.iter().filter_map(|o| o.value);
        let turned = clause
            .opinions
            .iter()
            .filter(|o| o.value.is_some())
            .all(|o| o.negation.is_some() || clause.clause.inverted);
        let one_way = values.clone().all(|v| v > 0.0) || values.all(|v| v < 0.0);
        turned && one_way
    }

    /// Whether the rules found opinions and every one is a neutral verdict (清洁效果一般般):
    /// the review says "so-so", which a two-class model can only read as a complaint.
    fn only_neutral(&self) -> bool {
        let mut values = self.rule_values().peekable();
        values.peek().is_some() && values.all(|v| v == 0.0)
    }

    /// The model's part in this review's score, for explanations.
    pub(crate) fn model_contribution(&self, top: usize) -> Option<ModelContribution> {
        let model = self.engine.model().filter(|_| !self.units.is_empty())?;
        let rule_score = self.rule_score();
        let signals = signals(&self.clauses, &self.flags, rule_score);
        let (model_score, top) =
            self.with_doc(&signals, |doc| (model.score(doc), model.explain(doc, top)));
        Some(ModelContribution {
            rule_score,
            model_score,
            rules_decide: self.rules_decide(verdict(self.rule_values()).1),
            top,
        })
    }

    /// Calls `f` with the model's view of this review (normalised text, unit words, rule
    /// signals), reusing the thread's word buffer. A review with turned opinions is
    /// rewritten into an owned view (see the module docs); the others are borrowed as
    /// they are.
    pub(crate) fn with_doc<R>(&self, signals: &Signals, f: impl FnOnce(&Doc<'_>) -> R) -> R {
        let spans = turned_spans(&self.clauses);
        if !spans.is_empty() {
            let view = self.view(&spans, *signals);
            return view.with_doc(f);
        }
        let text = self.norm.text.as_str();
        let mut words: Vec<&str> = WORDS.with(|cell| cell.take());
        words.extend(self.units.iter().map(|u| u.text(text)));
        let out = f(&Doc {
            text,
            words: &words,
            extra: signals,
        });
        let kept = recycle(words);
        WORDS.with(|cell| cell.replace(kept));
        out
    }

    /// The model's view of this review: the normalised text with each turned span (char
    /// offsets, sorted) replaced by its mark, and the byte spans of its words.
    fn view(&self, turned: &[(usize, usize, &'static str)], signals: Signals) -> ModelInput {
        self.view_of(0..self.units.len(), turned, signals)
    }

    /// [`Run::view`] of the units in `range` only.
    fn view_of(
        &self,
        range: std::ops::Range<usize>,
        turned: &[(usize, usize, &'static str)],
        signals: Signals,
    ) -> ModelInput {
        let source = self.norm.text.as_str();
        let mut text = String::with_capacity(source.len());
        let mut spans = Vec::with_capacity(range.len());
        let mut next = turned.iter().peekable();
        let mut covered = 0usize;
        for u in &self.units[range] {
            while next.peek().is_some_and(|&&(_, end, _)| end <= u.start) {
                next.next();
            }
            let inside = next
                .peek()
                .filter(|&&&(start, end, _)| u.start >= start && u.end <= end);
            let piece = match inside {
                Some(&&(start, _, _)) if covered > start => continue,
                Some(&&(_, end, mark)) => {
                    covered = end;
                    mark
                }
                None => u.text(source),
            };
            let at = text.len() as u32;
            text.push_str(piece);
            spans.push((at, text.len() as u32));
        }
        ModelInput {
            text,
            spans,
            signals,
        }
    }
}

/// What the model sees of one review, owned (for training and explanations).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInput {
    /// The normalised text.
    pub text: String,
    /// Byte spans of the engine's units in `text`, in order, punctuation and spaces
    /// included.
    pub spans: Vec<(u32, u32)>,
    /// The rule signals.
    pub signals: Signals,
}

impl ModelInput {
    /// The unit words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .map(|&(a, b)| self.text.get(a as usize..b as usize).unwrap_or(""))
    }

    /// Calls `f` with this input as a model [`Doc`].
    pub fn with_doc<R>(&self, f: impl FnOnce(&Doc<'_>) -> R) -> R {
        let words: Vec<&str> = self.words().collect();
        f(&Doc {
            text: &self.text,
            words: &words,
            extra: &self.signals,
        })
    }
}

impl Engine {
    /// The polarity model in use, if any.
    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// What the polarity model sees of `input`: the same featurisation scoring uses, so
    /// `koubei train` trains on exactly this.
    pub fn model_input(&self, input: &Input<'_>) -> ModelInput {
        let run = Run::new(self, input);
        let signals = signals(&run.clauses, &run.flags, run.rule_score());
        run.view(&turned_spans(&run.clauses), signals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycle_keeps_the_allocation() {
        let text = String::from("好评");
        let mut words: Vec<&str> = Vec::with_capacity(16);
        words.push(&text);
        let before = words.capacity();
        let kept = recycle(words);
        assert!(kept.is_empty());
        assert_eq!(kept.capacity(), before);
    }

    #[test]
    fn signal_names_are_unique() {
        let mut names = SIGNALS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SIGNAL_COUNT);
    }
}
