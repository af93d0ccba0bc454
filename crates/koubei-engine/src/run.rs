//! One review through the engine: normalise, flag, segment, analyse clauses, then build
//! the [`Analysis`] (mentions, score, polarity, aspect verdicts).
//!
//! The **review score** is `tanh` of the weighted sum of clause scores (a clause after a
//! contrast word weighs 1.5, a conceding clause 0.7). A review is **mixed** when it holds
//! a clear positive and a clear negative opinion (|value| ≥ [`CLEAR`]).

use koubei_core::{Analysis, AspectPolarity, AspectVerdict, Flag, Mention, Polarity};

use crate::analyze::{self, AspectHit, Base, ClauseResult, Opinion, polarity_of};
use crate::engine::{Engine, Input};
use crate::lexicon::Lexicon;
use crate::normalize::Normalized;
use crate::segment::{self, Unit};
use crate::taxonomy::{Indicator, Taxonomy, TreeWord};

/// An opinion at least this strong (after weighting) counts as clear praise or complaint.
pub(crate) const CLEAR: f32 = 0.5;
/// Scale applied to the weighted sum before `tanh`.
const SCORE_SCALE: f32 = 0.8;
/// Review scores within this band of zero are neutral.
pub(crate) const NEUTRAL_BAND: f32 = 0.1;
/// A clause's tone must be this far from zero to judge an aspect it names without an
/// opinion the rules could tie to it (see `Run::judge_aspect`).
const TONE_BAND: f32 = 0.2;
/// Words that say the buyer has not tried something yet (APP还没下载): a clause holding
/// one has no tone to lend an aspect.
const NOT_YET: [&str; 4] = ["还没", "还未", "尚未", "没来得及"];

/// Everything computed for one review, kept for [`Analysis`] and [`crate::Explanation`].
pub(crate) struct Run<'e, 't> {
    pub(crate) engine: &'e Engine,
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
            };
            let units = segment::units(&engine.jieba, &norm.text, &words);
            let mut clauses: Vec<ClauseResult> = segment::clauses(&units, &norm.text)
                .into_iter()
                .map(|c| analyze::clause(c, &units, &norm.text, tree))
                .collect();
            analyze::across_clauses(&mut clauses, &units, &norm.text, tree);
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
            self.review_verdict()
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
            if let Some(m) = self.carried_mention(clause) {
                out.push(m);
            }
        }
        out.sort_by_key(|m| (m.start, m.end));
        out
    }

    /// The mention of the part a clause's opinions are carried to (基站 in
    /// 「基站很大气，但是做工有点粗糙」), besides the clause's own mentions.
    fn carried_mention(&self, clause: &ClauseResult) -> Option<Mention> {
        let carried = clause.carried?;
        let ops: Vec<&Opinion> = clause
            .opinions
            .iter()
            .filter(|o| o.value.is_some())
            .filter(|o| {
                if carried.via_attribute {
                    o.aspect.is_some()
                } else {
                    o.aspect.is_none() && analyze::is_quality(o, &self.units)
                }
            })
            .collect();
        let mut mention = self.mention(carried.indicator, None, &ops)?;
        let strongest = ops
            .iter()
            .max_by(|a, b| abs(a.value).total_cmp(&abs(b.value)))?;
        let part = self.tree.indicator_at(carried.indicator);
        mention.typical = self.typical(part, Some(carried.indicator), strongest);
        Some(mention)
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
        let aspect_text = aspect_unit.map(|u| {
            let unit = &self.units[u];
            self.norm.original_slice(unit.start, unit.end).to_string()
        });
        let typical = self.typical(ind, aspect_unit, strongest);
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

    /// The typical phrase of a mention: the indicator's name (so 吸力 and 吸尘力 group),
    /// the negation, then the opinion word without degree adverbs or trailing particles
    /// (吸力很大 / 吸力超大 → 吸力大, 噪音不大 stays). A cue without a term is its own
    /// phrase, degree adverbs removed: 基站很大气 → 基站大气.
    fn typical(&self, ind: &Indicator, aspect_unit: Option<usize>, o: &Opinion) -> String {
        let text = &self.norm.text;
        let word = self.units[o.unit].text(text);
        let core = canonical_opinion(&self.engine.lexicon, word);
        let negation = o.negation.unwrap_or("");
        if aspect_unit.is_none() && matches!(o.base, Base::Cue(..)) {
            format!("{negation}{core}")
        } else {
            format!("{}{negation}{core}", ind.name)
        }
    }

    /// The verdict on one aspect term the caller asked about, in three steps:
    /// 1. the opinions the engine itself attached to a tree term inside the asked phrase
    ///    (软件**反应**有点慢 asked as 软件反应);
    /// 2. else the opinions of its clause that follow the phrase up to the next aspect
    ///    term, or precede it;
    /// 3. else the tone of its clause as a whole (the model's score of the clause, or the
    ///    rules' without a model), neutral when that is weak: 图标很靓哦 names 图标 and
    ///    praises it with a word no lexicon lists.
    ///
    /// A phrase that is not in the text is `not_mentioned`.
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
        let end = at + wanted.chars().count();
        let neutral = AspectVerdict {
            polarity: AspectPolarity::Neutral,
            ..not_mentioned.clone()
        };
        let Some(clause) = self.clauses.iter().find(|c| {
            let (from, to) = c.clause.units;
            from < to && self.units[from].start <= at && at < self.units[to - 1].end
        }) else {
            return neutral;
        };
        let inside = |a: &AspectHit| {
            let u = &self.units[a.unit];
            u.start >= at && u.end <= end
        };
        let linked: Vec<(&Opinion, f32)> = clause
            .opinions
            .iter()
            .filter(|o| o.aspect.is_some_and(|a| inside(&clause.aspects[a])))
            .filter_map(|o| o.value.map(|v| (o, v)))
            .collect();
        let chosen = if linked.is_empty() {
            let indicator = self.asked_indicator(&wanted, clause, &inside);
            self.opinions_for(clause, at, end, indicator)
        } else {
            linked
        };
        let value: Option<f32> = chosen.iter().map(|(_, v)| *v).reduce(|a, b| a + b);
        match value {
            Some(v) => AspectVerdict {
                aspect: asked.to_string(),
                polarity: polarity_of(v).into(),
                opinion: Some(self.evidence(&chosen)),
            },
            None => match self.clause_tone(clause) {
                Some(p) => AspectVerdict {
                    polarity: p.into(),
                    ..not_mentioned
                },
                None => neutral,
            },
        }
    }

    /// The indicator an asked phrase names: the phrase itself as a tree term, else the
    /// last tree term inside it (待机时间 in 电池待机时间), whose hints then read 长 and 短.
    fn asked_indicator(
        &self,
        wanted: &str,
        clause: &ClauseResult,
        inside: &dyn Fn(&AspectHit) -> bool,
    ) -> Option<usize> {
        let own = self.tree.words.get(wanted).and_then(|w| {
            w.iter().find_map(|x| match x {
                TreeWord::Term(i, _) => Some(*i),
                _ => None,
            })
        });
        own.or_else(|| {
            clause
                .aspects
                .iter()
                .rev()
                .find(|a| inside(a))
                .map(|a| a.chosen)
        })
    }

    /// The tone of a clause with no opinion the rules could tie to an asked aspect: the
    /// model's score of the clause alone (the rules' clause score without a model), as a
    /// polarity when it is clear of [`TONE_BAND`]; `None` when it is weak or the clause
    /// says the buyer has not tried it yet.
    fn clause_tone(&self, clause: &ClauseResult) -> Option<Polarity> {
        let (from, to) = clause.clause.units;
        let last = self.units.get(to.checked_sub(1)?)?;
        let text = self
            .norm
            .text
            .get(self.units.get(from)?.byte_start..last.byte_end)?;
        if NOT_YET.iter().any(|w| text.contains(w)) {
            return None;
        }
        let score = match self.engine.model() {
            Some(model) => self.clause_model_score(model, clause),
            None => (clause.score() * SCORE_SCALE).tanh(),
        };
        (score.abs() >= TONE_BAND).then(|| polarity_of(score))
    }

    /// The opinions of `clause` that describe an aspect spanning chars `at..end`, with
    /// their values.
    fn opinions_for<'c>(
        &self,
        clause: &'c ClauseResult,
        at: usize,
        end: usize,
        indicator: Option<usize>,
    ) -> Vec<(&'c Opinion, f32)> {
        let next_aspect = clause
            .aspects
            .iter()
            .map(|a| self.units[a.unit].start)
            .find(|&s| s >= end)
            .unwrap_or(usize::MAX);
        let mood = if clause.clause.inverted { -1.0 } else { 1.0 };
        let valued = |o: &'c Opinion| -> Option<(&'c Opinion, f32)> {
            let word = self.units[o.unit].text(&self.norm.text);
            let hint = indicator.and_then(|i| self.tree.hints_at(i).sign_of(word));
            let direction = self.units[o.unit].lex().and_then(|l| l.direction);
            let own = |sign: f32| analyze::excess(sign * o.factor, o.excess, o.factor) * mood;
            match (o.base, hint, o.value) {
                (Base::Hint | Base::Fixed(_), Some(sign), _) => Some((o, own(sign))),
                (_, _, Some(v)) => Some((o, v)),
                (Base::Hint, None, None) if o.start >= end => direction.map(|d| (o, own(d))),
                _ => None,
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

/// Particles that end an opinion phrase without changing it.
const PARTICLES: [char; 10] = ['了', '的', '啊', '呢', '呀', '哦', '啦', '吧', '哈', '嘛'];

/// An opinion word without degree adverbs inside it (很大气 → 大气) or particles after it.
/// A word that is itself an opinion (好 in 好用) is never taken for a degree adverb.
pub(crate) fn canonical_opinion(lexicon: &Lexicon, word: &str) -> String {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = chars.len() - i - 1;
        let degree = (1..=rest.min(3)).rev().find(|&n| {
            let end = chars.get(i + n).map_or(word.len(), |c| c.0);
            lexicon
                .get(&word[chars[i].0..end])
                .is_some_and(|l| l.degree.is_some() && l.opinion.is_none())
        });
        match degree {
            Some(n) => i += n,
            None => {
                out.push(chars[i].1);
                i += 1;
            }
        }
    }
    while out.chars().count() > 1 && out.ends_with(PARTICLES) {
        out.pop();
    }
    out
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
pub(crate) fn verdict(values: impl Iterator<Item = f32>) -> (f32, Polarity) {
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
