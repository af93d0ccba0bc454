//! One review through the engine: normalise, flag, segment, analyse clauses, then build
//! the [`Analysis`] (mentions, score, polarity, aspect verdicts).
//!
//! The **review score** is `tanh` of the weighted sum of clause scores (a clause after a
//! contrast word weighs 1.5, a conceding clause 0.7). A review is **mixed** when it holds
//! a clear positive and a clear negative opinion (|value| ≥ [`CLEAR`]).

use koubei_core::{Analysis, AspectPolarity, AspectVerdict, Flag, Mention, Polarity};

use crate::analyze::{self, Base, ClauseResult, Opinion, polarity_of};
use crate::engine::{Engine, Input};
use crate::normalize::Normalized;
use crate::segment::{self, Unit};
use crate::taxonomy::{Taxonomy, TreeWord};

/// An opinion at least this strong (after weighting) counts as clear praise or complaint.
pub(crate) const CLEAR: f32 = 0.5;
/// Scale applied to the weighted sum before `tanh`.
const SCORE_SCALE: f32 = 0.8;
/// Review scores within this band of zero are neutral.
const NEUTRAL_BAND: f32 = 0.1;

/// Everything computed for one review, kept for [`Analysis`] and [`crate::Explanation`].
pub(crate) struct Run<'e, 't> {
    engine: &'e Engine,
    pub norm: Normalized<'t>,
    pub tree: &'e Taxonomy,
    pub units: Vec<Unit<'e>>,
    pub clauses: Vec<ClauseResult>,
    pub flags: Vec<Flag>,
}

impl<'e, 't> Run<'e, 't> {
    pub fn new(engine: &'e Engine, input: &Input<'t>) -> Self {
        let norm = engine.normalizer.text(input.text);
        let tree = engine.tree_for(input);
        let flags = crate::flags::detect(&norm.text);
        let skip = flags.contains(&Flag::Empty) || flags.contains(&Flag::DefaultReview);
        let (units, clauses) = if skip {
            (Vec::new(), Vec::new())
        } else {
            let words = segment::Words {
                tree,
                lexicon: &engine.lexicon,
                all_trees: &engine.tree_words,
            };
            let units = segment::units(&engine.jieba, &norm.text, &words);
            let clauses = segment::clauses(&units, &norm.text)
                .into_iter()
                .map(|c| analyze::clause(c, &units, &norm.text, tree))
                .collect();
            (units, clauses)
        };
        Run {
            engine,
            norm,
            tree,
            units,
            clauses,
            flags,
        }
    }

    pub fn analysis(&self, input: &Input<'_>) -> Analysis {
        let mentions = self.mentions();
        let (score, polarity) = if self.flags.contains(&Flag::NoExperience) {
            verdict(mentions.iter().map(|m| sign(m.polarity)))
        } else {
            verdict(self.clauses.iter().flat_map(|c| {
                c.opinions
                    .iter()
                    .filter_map(move |o| o.value.map(|v| v * c.weight))
            }))
        };
        let aspects = input
            .aspects
            .map(|asked| asked.iter().map(|a| self.judge_aspect(a)).collect());
        Analysis {
            polarity,
            score,
            mentions,
            aspects,
            flags: self.flags.clone(),
        }
    }

    /// Every mention, in text order.
    pub fn mentions(&self) -> Vec<Mention> {
        let mut out = Vec::new();
        for clause in &self.clauses {
            for (a, aspect) in clause.aspects.iter().enumerate() {
                let own: Vec<&Opinion> = clause
                    .opinions
                    .iter()
                    .filter(|o| o.aspect == Some(a) && o.value.is_some())
                    .filter(|o| self.cue_describes_aspect(o, aspect.chosen))
                    .collect();
                if let Some(m) = self.mention(aspect.chosen, Some(aspect.unit), &own) {
                    out.push(m);
                }
            }
            for o in &clause.opinions {
                let Base::Cue(ind, _) = o.base else { continue };
                let merged = o
                    .aspect
                    .is_some_and(|a| self.cue_describes_aspect(o, clause.aspects[a].chosen));
                if !merged && let Some(m) = self.mention(ind, None, &[o]) {
                    out.push(m);
                }
            }
        }
        out.sort_by_key(|m| (m.start, m.end));
        out
    }

    /// Whether an opinion counts for an aspect of `indicator`: always for plain opinions;
    /// for a cue, when it is the aspect's own cue or an opinion (a cue with a polarity).
    /// An explicit term beats a cue in its clause: in 「APP很好用」 the cue 很好用 (使用体验)
    /// judges the APP. A cue keeps its own indicator when it is neutral, or more specific
    /// than the term (扫地还行 of 扫地效果 after the product name 扫地机器人).
    fn cue_describes_aspect(&self, o: &Opinion, indicator: usize) -> bool {
        match o.base {
            Base::Cue(ind, value) => {
                ind == indicator || (value != 0.0 && !self.tree.is_below(ind, indicator))
            }
            _ => true,
        }
    }

    fn mention(
        &self,
        indicator: usize,
        aspect_unit: Option<usize>,
        ops: &[&Opinion],
    ) -> Option<Mention> {
        let first = ops.iter().map(|o| o.start).min()?;
        let last = ops.iter().map(|o| o.end).max()?;
        let value: f32 = ops.iter().filter_map(|o| o.value).sum();
        let strongest = ops
            .iter()
            .max_by(|a, b| abs(a.value).total_cmp(&abs(b.value)))?;
        let ind = self.tree.indicator_at(indicator);
        let text = &self.norm.text;
        let aspect_text = aspect_unit.map(|u| {
            let unit = &self.units[u];
            self.norm.original_slice(unit.start, unit.end).to_string()
        });
        let head = match aspect_unit {
            Some(u) => self.units[u].text(text),
            None => "",
        };
        let typical = format!(
            "{head}{}{}",
            strongest.negation.unwrap_or(""),
            self.units[strongest.unit].text(text)
        );
        Some(Mention {
            indicator: ind.path.clone(),
            indicator_id: ind.id.clone(),
            code: ind.code.clone(),
            aspect: aspect_text,
            opinion: self.norm.original_slice(first, last).to_string(),
            typical,
            polarity: polarity_of(value),
            start: first,
            end: last,
        })
    }

    /// The verdict on one aspect term the caller asked about.
    fn judge_aspect(&self, asked: &str) -> AspectVerdict {
        let not_mentioned = AspectVerdict {
            aspect: asked.to_string(),
            polarity: AspectPolarity::NotMentioned,
            opinion: None,
        };
        let wanted: String = asked.trim().chars().map(|c| self.norm_char(c)).collect();
        if wanted.is_empty() {
            return not_mentioned;
        }
        let Some(byte) = self.norm.text.find(&wanted) else {
            return not_mentioned;
        };
        let at = self.norm.text[..byte].chars().count();
        let Some(clause) = self.clauses.iter().find(|c| {
            let (from, to) = c.clause.units;
            from < to && self.units[from].start <= at && at < self.units[to - 1].end
        }) else {
            return AspectVerdict {
                polarity: AspectPolarity::Neutral,
                ..not_mentioned
            };
        };
        let indicator = self.tree.words.get(&wanted).and_then(|w| {
            w.iter().find_map(|x| {
                if let TreeWord::Term(i, _) = x {
                    Some(*i)
                } else {
                    None
                }
            })
        });
        let chosen = self.opinions_for(clause, at, indicator);
        let value: Option<f32> = chosen.iter().map(|(_, v)| *v).reduce(|a, b| a + b);
        match value {
            None => AspectVerdict {
                polarity: AspectPolarity::Neutral,
                ..not_mentioned
            },
            Some(v) => AspectVerdict {
                aspect: asked.to_string(),
                polarity: polarity_of(v).into(),
                opinion: Some(self.evidence(&chosen)),
            },
        }
    }

    /// The opinions of `clause` that describe an aspect at char `at`, with their values.
    fn opinions_for<'c>(
        &self,
        clause: &'c ClauseResult,
        at: usize,
        indicator: Option<usize>,
    ) -> Vec<(&'c Opinion, f32)> {
        let next_aspect = clause
            .aspects
            .iter()
            .map(|a| self.units[a.unit].start)
            .find(|&s| s > at)
            .unwrap_or(usize::MAX);
        let mood = if clause.clause.inverted { -1.0 } else { 1.0 };
        let valued = |o: &'c Opinion| -> Option<(&'c Opinion, f32)> {
            let word = self.units[o.unit].text(&self.norm.text);
            let hint = indicator.and_then(|i| self.tree.hints_at(i).sign_of(word));
            match (o.base, hint) {
                (Base::Hint | Base::Fixed(_), Some(sign)) => Some((o, sign * o.factor * mood)),
                _ => o.value.map(|v| (o, v)),
            }
        };
        let after: Vec<_> = clause
            .opinions
            .iter()
            .filter(|o| o.start >= at && o.start < next_aspect)
            .filter_map(valued)
            .collect();
        if !after.is_empty() {
            return after;
        }
        clause
            .opinions
            .iter()
            .filter(|o| o.start < at)
            .filter_map(valued)
            .collect()
    }

    fn evidence(&self, chosen: &[(&Opinion, f32)]) -> String {
        let start = chosen.iter().map(|(o, _)| o.start).min().unwrap_or(0);
        let end = chosen.iter().map(|(o, _)| o.end).max().unwrap_or(0);
        self.norm.original_slice(start, end).to_string()
    }

    fn norm_char(&self, c: char) -> char {
        self.engine.normalizer.char(c)
    }
}

fn abs(v: Option<f32>) -> f32 {
    v.map_or(0.0, f32::abs)
}

fn sign(p: Polarity) -> f32 {
    match p {
        Polarity::Positive => 1.0,
        Polarity::Negative => -1.0,
        Polarity::Neutral | Polarity::Mixed => 0.0,
    }
}

/// The review score and polarity from weighted opinion values.
fn verdict(values: impl Iterator<Item = f32>) -> (f32, Polarity) {
    let (mut sum, mut clear_pos, mut clear_neg) = (0.0_f32, false, false);
    for v in values {
        sum += v;
        clear_pos |= v >= CLEAR;
        clear_neg |= v <= -CLEAR;
    }
    let score = (sum * SCORE_SCALE).tanh();
    let polarity = if clear_pos && clear_neg {
        Polarity::Mixed
    } else {
        Polarity::from_score(score, NEUTRAL_BAND)
    };
    (score, polarity)
}
