//! Clause analysis: aspects, opinions, negation and degree, and the mentions they make.
//!
//! Within a clause, an **opinion** is a lexicon word, a cue phrase, or a hint word (大, 小)
//! whose polarity the described indicator decides. Negators flip the next opinion within
//! [`NEGATION_SCOPE`] units (two cancel: 不是不好用); degree adverbs scale it. Each opinion
//! goes to the nearest aspect term before it in the clause, else the first one after it;
//! an aspect with opinions makes a **mention**. A cue makes a mention of its own indicator
//! even without an aspect term. Opinions with no aspect still count for the review score.

use crate::segment::{Clause, Unit, UnitKind};
use crate::taxonomy::{Taxonomy, TreeWord};

/// How many units after a negator an opinion may be and still be negated.
pub(crate) const NEGATION_SCOPE: usize = 4;
/// How many units after a degree adverb an opinion may be and still be scaled.
const DEGREE_SCOPE: usize = 2;

/// What an opinion's value rests on before modifiers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Base {
    /// A lexicon word with a fixed signed value.
    Fixed(f32),
    /// A hint word: the sign comes from the described indicator's hints.
    Hint,
    /// A cue of this indicator, with its value (0 for neutral).
    Cue(usize, f32),
}

/// One opinion found in a clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Opinion {
    /// Unit index of the opinion word.
    pub unit: usize,
    /// Char span of the evidence (modifiers included) in the text.
    pub start: usize,
    pub end: usize,
    pub base: Base,
    /// Product of degree multipliers and negator strengths (negative when negated).
    pub factor: f32,
    /// The first negator's canonical form when the opinion is negated (不, 没, 不太).
    pub negation: Option<&'static str>,
    /// Index into [`ClauseResult::aspects`] of the aspect it describes.
    pub aspect: Option<usize>,
    /// The final signed value, `None` for a hint word no indicator explains.
    pub value: Option<f32>,
}

/// An aspect term found in a clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AspectHit {
    pub unit: usize,
    /// Candidate indicators with the merge layer that listed the term (more than one for
    /// an ambiguous term), in order of preference.
    pub indicators: Vec<(usize, u8)>,
    /// The indicator chosen once the opinions are known.
    pub chosen: usize,
}

/// What one clause holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClauseResult {
    pub clause: Clause,
    pub aspects: Vec<AspectHit>,
    pub opinions: Vec<Opinion>,
    /// Weight of the clause in the review score.
    pub weight: f32,
}

impl ClauseResult {
    /// Signed sum of opinion values, weighted.
    pub fn score(&self) -> f32 {
        self.opinions.iter().filter_map(|o| o.value).sum::<f32>() * self.weight
    }
}

/// Pending negation and degree while scanning a clause.
#[derive(Default)]
struct Modifiers {
    factor: f32,
    negation: Option<&'static str>,
    negators: usize,
    start: Option<usize>,
    since_negator: usize,
    degree: Option<(f32, usize)>,
}

impl Modifiers {
    fn new() -> Self {
        Modifiers {
            factor: 1.0,
            ..Modifiers::default()
        }
    }

    fn negate(&mut self, strength: f32, word: &str, start: usize) {
        self.factor *= -strength;
        self.negators += 1;
        self.since_negator = 0;
        if self.negation.is_none() {
            self.negation = Some(canonical_negator(word, strength));
        }
        self.start.get_or_insert(start);
    }

    fn intensify(&mut self, multiplier: f32, start: usize) {
        self.degree = Some((multiplier, 0));
        self.start.get_or_insert(start);
    }

    /// Moves past a plain word; modifiers fall out of scope.
    fn step(&mut self) {
        self.since_negator += 1;
        if self.since_negator > NEGATION_SCOPE {
            self.factor = 1.0;
            self.negation = None;
            self.negators = 0;
        }
        if let Some((m, d)) = self.degree {
            self.degree = (d < DEGREE_SCOPE).then_some((m, d + 1));
        }
        if self.negators == 0 && self.degree.is_none() {
            self.start = None;
        }
    }

    /// Takes the modifiers for an opinion starting at `start`, and resets.
    fn take(&mut self, start: usize) -> (f32, Option<&'static str>, usize) {
        let degree = self.degree.map_or(1.0, |(m, _)| m);
        let negation = if self.negators % 2 == 1 {
            self.negation
        } else {
            None
        };
        let out = (
            self.factor * degree,
            negation,
            self.start.unwrap_or(start).min(start),
        );
        *self = Modifiers::new();
        out
    }
}

fn canonical_negator(word: &str, strength: f32) -> &'static str {
    if strength < 1.0 {
        "不太"
    } else if word.contains('没') {
        "没"
    } else {
        "不"
    }
}

/// Analyses one clause.
pub(crate) fn clause(
    clause: Clause,
    units: &[Unit<'_>],
    text: &str,
    tree: &Taxonomy,
) -> ClauseResult {
    let mut aspects = Vec::new();
    let mut opinions = Vec::new();
    let mut mods = Modifiers::new();
    let (from, to) = clause.units;
    for i in from..to {
        let UnitKind::Word {
            tree: tw,
            lex,
            hint,
        } = units[i].kind
        else {
            continue;
        };
        let unit = &units[i];
        let terms: Vec<(usize, u8)> = tw
            .unwrap_or(&[])
            .iter()
            .filter_map(|w| match *w {
                TreeWord::Term(ix, layer) => Some((ix, layer)),
                TreeWord::Cue(..) => None,
            })
            .collect();
        // The first cue is the preferred one (the tree's own, then the deepest).
        let cue = tw.unwrap_or(&[]).iter().find_map(|w| match w {
            TreeWord::Cue(ix, v) => Some(Base::Cue(*ix, *v)),
            TreeWord::Term(..) => None,
        });
        if let Some(strength) = lex.and_then(|l| l.negator)
            && cue.is_none()
            && terms.is_empty()
        {
            mods.negate(strength, unit.text(text), unit.start);
            continue;
        }
        if let Some(m) = lex.and_then(|l| l.degree)
            && terms.is_empty()
            && cue.is_none()
            && (lex.and_then(|l| l.opinion).is_none() || next_is_opinion(units, i + 1, to))
        {
            mods.intensify(m, unit.start);
            continue;
        }
        if !terms.is_empty() {
            aspects.push(AspectHit {
                unit: i,
                chosen: terms[0].0,
                indicators: terms,
            });
            continue;
        }
        let base = cue
            .or_else(|| lex.and_then(|l| l.opinion).map(Base::Fixed))
            .or(hint.then_some(Base::Hint));
        let Some(base) = base else {
            mods.step();
            continue;
        };
        let (factor, negation, start) = mods.take(unit.start);
        opinions.push(Opinion {
            unit: i,
            start,
            end: unit.end,
            base,
            factor,
            negation,
            aspect: None,
            value: None,
        });
    }
    let weight = clause_weight(&clause);
    let mut result = ClauseResult {
        clause,
        aspects,
        opinions,
        weight,
    };
    resolve(&mut result, units, text, tree);
    result
}

/// Whether the next word unit in the clause is an opinion (so 好 in 好大 is a degree).
fn next_is_opinion(units: &[Unit<'_>], from: usize, to: usize) -> bool {
    units[from.min(to)..to]
        .iter()
        .find(|u| matches!(u.kind, UnitKind::Word { .. }))
        .is_some_and(|u| match u.kind {
            UnitKind::Word {
                tree: tw,
                lex,
                hint,
            } => {
                let words = tw.unwrap_or(&[]);
                // A term is never an opinion, whatever the lexicon says about it.
                let is_term = words.iter().any(|x| matches!(x, TreeWord::Term(..)));
                let is_cue = words.iter().any(|x| matches!(x, TreeWord::Cue(..)));
                !is_term && (hint || is_cue || lex.is_some_and(|l| l.opinion.is_some()))
            }
            _ => false,
        })
}

fn clause_weight(clause: &Clause) -> f32 {
    if clause.contrast {
        1.5
    } else if clause.concessive {
        0.7
    } else {
        1.0
    }
}

/// Attaches opinions to aspects, picks indicators for ambiguous terms, and computes values.
fn resolve(result: &mut ClauseResult, units: &[Unit<'_>], text: &str, tree: &Taxonomy) {
    for o in &mut result.opinions {
        let before = result.aspects.iter().rposition(|a| a.unit < o.unit);
        let after = result.aspects.iter().position(|a| a.unit > o.unit);
        o.aspect = before.or(after);
        let word = units[o.unit].text(text);
        if let Some(a) = o.aspect {
            let aspect = &mut result.aspects[a];
            if let Some(best) = best_indicator(&aspect.indicators, word, tree) {
                aspect.chosen = best;
            }
        }
        let hints = o.aspect.map(|a| tree.hints_at(result.aspects[a].chosen));
        let hint_sign = hints.and_then(|h| h.sign_of(word));
        let value = match (o.base, hint_sign) {
            (Base::Cue(_, v), _) => Some(v * o.factor),
            (Base::Fixed(v), Some(sign)) => Some(sign * v.abs().max(1.0) * o.factor),
            (Base::Fixed(v), None) => Some(v * o.factor),
            (Base::Hint, Some(sign)) => Some(sign * o.factor),
            (Base::Hint, None) => None,
        };
        let mood = if result.clause.inverted { -1.0 } else { 1.0 };
        o.value = value.map(|v| v * mood);
    }
}

/// The indicator an ambiguous term means: the candidates listed by the tree's own file
/// (over those of the trees it extends and `generic`), then the deepest of them, then the
/// first whose hints know the opinion `word`. `None` when the term is not ambiguous.
fn best_indicator(candidates: &[(usize, u8)], word: &str, tree: &Taxonomy) -> Option<usize> {
    if candidates.len() < 2 {
        return None;
    }
    let rank = |&(c, layer): &(usize, u8)| (layer, tree.indicator_at(c).depth);
    let top = candidates.iter().map(rank).max()?;
    let mut tied = candidates
        .iter()
        .filter(|c| rank(c) == top)
        .map(|&(c, _)| c);
    let first = tied.clone().next()?;
    Some(
        tied.find(|&c| tree.hints_at(c).sign_of(word).is_some())
            .unwrap_or(first),
    )
}

/// Judges `value` by a dead band: the sign as a polarity.
pub(crate) fn polarity_of(value: f32) -> koubei_core::Polarity {
    koubei_core::Polarity::from_score(value, 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negators_have_canonical_forms() {
        assert_eq!(canonical_negator("没有", 1.0), "没");
        assert_eq!(canonical_negator("并不", 1.0), "不");
        assert_eq!(canonical_negator("不太", 0.6), "不太");
    }

    #[test]
    fn modifiers_fall_out_of_scope() {
        let mut m = Modifiers::new();
        m.negate(1.0, "不", 0);
        for _ in 0..=NEGATION_SCOPE {
            m.step();
        }
        assert_eq!(m.take(9), (1.0, None, 9));
        let mut m = Modifiers::new();
        m.negate(1.0, "不", 0);
        m.negate(1.0, "不", 2);
        let (factor, negation, start) = m.take(3);
        assert_eq!((factor, negation, start), (1.0, None, 0));
    }
}
