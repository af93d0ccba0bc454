//! Clause analysis: aspects, opinions, negation and degree, and the mentions they make.
//!
//! Within a clause, an **opinion** is a lexicon word, a cue phrase, or a hint word (大, 小)
//! whose polarity the described indicator decides. Negators flip the next opinion within
//! [`NEGATION_SCOPE`] units (two cancel: 不是不好用); degree adverbs scale it. Each opinion
//! goes to the nearest aspect term before it in the clause, else the first one after it;
//! an aspect with opinions makes a **mention**. A cue makes a mention of its own indicator
//! even without an aspect term. Opinions with no aspect still count for the review score.

use crate::segment::{Clause, Irony, Unit, UnitKind, irony_of};
use crate::taxonomy::{Taxonomy, TreeWord};

/// How many units after a negator an opinion may be and still be negated.
pub(crate) const NEGATION_SCOPE: usize = 4;
/// Words a negation reaches across: copulas and modals (不是很好, 不会卡, 不能说差),
/// verbs of finding and feeling (没出现过卡死, 没发现异味, 不觉得吵), what the product is
/// measured against (没想象中的好, 不如预期), and fillers. Any other
/// plain word ends the negation, so 不送太差劲 and 没有耳机不好 keep their complaint: the
/// negator there belongs to the verb or noun after it, not to the opinion.
const NEGATION_BRIDGES: [&str; 47] = [
    "是",
    "会",
    "能",
    "算",
    "够",
    "再",
    "还",
    "也",
    "都",
    "就",
    "又",
    "的",
    "得",
    "过",
    "到",
    "了",
    "着",
    "那么",
    "这么",
    "怎么",
    "什么",
    "啥",
    "多少",
    "出现",
    "出现过",
    "发现",
    "遇到",
    "碰到",
    "感觉",
    "感到",
    "觉得",
    "见",
    "看到",
    "听到",
    "有",
    "容易",
    "太",
    "一点",
    // What a product is measured against: 没想象中的好, 不如预期, 没有宣传的那么好.
    "想象",
    "想象中",
    "中",
    "预期",
    "期望",
    "期待",
    "宣传",
    "描述",
    "说的",
];

/// Degree words of a comparison that take back a negation a plain word ended (see
/// `Modifiers::held`).
const COMPARED: [&str; 4] = ["那么", "这么", "那样", "这样"];

/// Degree adverbs of excess: what they intensify is too much of it, so a quality word
/// after them complains (过于简单, 音量调节过大, 太过花哨). 过 alone counts only right
/// before the opinion word (过小), not in 用过最好的.
const EXCESS: [&str; 4] = ["过于", "太过", "过分", "过"];
/// Dimension words (大, 多, 长 …): their sense depends on the indicator, but 太 before
/// one says "too much of it" whatever the indicator (屏幕太大, 褶子太多, 太短了).
const DIMENSIONS: [&str; 22] = [
    "大", "小", "多", "少", "长", "短", "重", "轻", "厚", "薄", "硬", "软", "高", "低", "宽", "窄",
    "深", "浅", "粗", "细", "紧", "松",
];
/// The multiplier of 过 as a degree adverb of excess.
const EXCESS_GUO: f32 = 1.3;

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
    /// A degree adverb of excess (过于, 过) scales it: praise of a quality turns into a
    /// complaint of too much of it.
    pub excess: bool,
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
    /// Ironic praise turned round by the failure that follows it (see [`across_clauses`]).
    pub sarcastic: bool,
    /// The part named in the previous clause that this clause's opinions also describe.
    pub carried: Option<Carried>,
}

/// How a clause's opinions reach the part named in the clause before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Carried {
    /// Indicator of the part.
    pub indicator: usize,
    /// Whether the opinions are those of an attribute term (做工有点粗糙), else the bare
    /// quality words of a clause without a term (就是不太结实).
    pub via_attribute: bool,
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
    /// A negation ended by a plain word, kept in case 那么 or 这么 follows: in
    /// 「没有想象中那么好」 the negation reaches across what the opinion is compared with.
    held: Option<Held>,
    /// The degree adverb in scope says "too much" (过于, 太过, 过): see [`EXCESS`].
    excess: bool,
    /// The degree adverb in scope is 太, which says "too much" of a dimension word.
    too: bool,
}

/// A negation set aside by [`Modifiers::step`]: factor, canonical negator, negator count
/// and the char where its evidence starts.
type Held = (f32, Option<&'static str>, usize, Option<usize>);

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

    fn intensify(&mut self, multiplier: f32, word: &str, start: usize) {
        self.take_back(word);
        self.degree = Some((multiplier, 0));
        self.excess = EXCESS.contains(&word);
        self.too = word == "太";
        self.start.get_or_insert(start);
    }

    /// Restores a held negation when `word` is the degree word of a comparison.
    fn take_back(&mut self, word: &str) {
        if COMPARED.contains(&word)
            && let Some((factor, negation, negators, start)) = self.held.take()
        {
            (self.factor, self.negation, self.negators) = (factor, negation, negators);
            self.start = match (start, self.start) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// Moves past a plain word; modifiers fall out of scope. A negation ends early at a
    /// word it does not reach across (see [`NEGATION_BRIDGES`]).
    fn step(&mut self, word: &str) {
        self.take_back(word);
        self.since_negator += 1;
        if self.since_negator > NEGATION_SCOPE {
            self.held = None;
        } else if self.negators > 0 && !NEGATION_BRIDGES.contains(&word) {
            self.held = Some((self.factor, self.negation, self.negators, self.start));
        }
        if self.since_negator > NEGATION_SCOPE || !NEGATION_BRIDGES.contains(&word) {
            self.factor = 1.0;
            self.negation = None;
            self.negators = 0;
        }
        if let Some((m, d)) = self.degree {
            self.degree = (d < DEGREE_SCOPE).then_some((m, d + 1));
        }
        self.excess &= self.degree.is_some();
        self.too &= self.degree.is_some();
        if self.negators == 0 && self.degree.is_none() {
            self.start = None;
        }
    }

    /// Takes the modifiers for an opinion starting at `start`, and resets: the factor,
    /// the negation, where the evidence starts, and whether the degree adverb said "too
    /// much".
    fn take_all(&mut self, start: usize) -> (f32, Option<&'static str>, usize, bool) {
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
            self.excess,
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
            mods.intensify(m, unit.text(text), unit.start);
            continue;
        }
        if unit.text(text) == "过"
            && i + 1 < to
            && units[i + 1].start == unit.end
            && next_is_opinion(units, i + 1, i + 2)
        {
            mods.intensify(EXCESS_GUO, "过", unit.start);
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
            .or((hint || lex.is_some_and(|l| l.direction.is_some())).then_some(Base::Hint));
        // An opinion word before 性 names a property (流畅性, 稳定性), it judges nothing.
        let noun = i + 1 < to && units[i + 1].start == unit.end && units[i + 1].text(text) == "性";
        let Some(base) = base.filter(|_| !noun) else {
            mods.step(unit.text(text));
            continue;
        };
        let too = mods.too && matches!(base, Base::Hint) && DIMENSIONS.contains(&unit.text(text));
        let (factor, negation, start, excess) = mods.take_all(unit.start);
        let excess = excess || too;
        opinions.push(Opinion {
            unit: i,
            start,
            end: unit.end,
            base,
            factor,
            negation,
            excess,
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
        sarcastic: false,
        carried: None,
    };
    resolve(&mut result, units, text, tree);
    if result.clause.question {
        for o in &mut result.opinions {
            o.value = None;
        }
    }
    if result.clause.regret {
        regret(&mut result, units);
    }
    result
}

/// A regret about the purchase (早知道就买带自清洁的版本了) is one complaint with no
/// aspect: the aspects it names belong to a product not bought. Regret that praises
/// (早知道这么好用早就买了) is left as it is.
fn regret(result: &mut ClauseResult, units: &[Unit<'_>]) {
    if result
        .opinions
        .iter()
        .any(|o| o.value.is_some_and(|v| v > 0.0))
    {
        return;
    }
    let (from, to) = result.clause.units;
    let Some(first) = (from..to).find(|&i| matches!(units[i].kind, UnitKind::Word { .. })) else {
        return;
    };
    result.aspects.clear();
    result.opinions = vec![Opinion {
        unit: first,
        start: units[first].start,
        end: units[first].end,
        base: Base::Fixed(REGRET_VALUE),
        factor: 1.0,
        negation: None,
        excess: false,
        aspect: None,
        value: Some(REGRET_VALUE),
    }];
}

/// The value of a regret about the purchase.
const REGRET_VALUE: f32 = -1.0;

/// Rules that look across clauses, in text order: sarcasm (praise with an irony marker
/// followed by a failure is turned round), then parts carried into the next clause.
pub(crate) fn across_clauses(
    clauses: &mut [ClauseResult],
    units: &[Unit<'_>],
    text: &str,
    tree: &Taxonomy,
) {
    for i in 1..clauses.len() {
        let (before, after) = clauses.split_at_mut(i);
        let (prev, next) = (&mut before[i - 1], &mut after[0]);
        if is_sarcastic(prev, next, units, text, tree) {
            prev.sarcastic = true;
            prev.clause.inverted = !prev.clause.inverted;
            for o in &mut prev.opinions {
                o.value = o.value.map(|v| -v);
            }
        }
        next.carried = carried(prev, next, units, text, tree);
    }
}

/// Praise with an irony marker, followed without a contrast word by a failure: of any
/// kind after a strong marker (呵呵, 🙂), of the same indicator family after a weak one
/// (简直是光速，三天后才回).
fn is_sarcastic(
    prev: &ClauseResult,
    next: &ClauseResult,
    units: &[Unit<'_>],
    text: &str,
    tree: &Taxonomy,
) -> bool {
    if prev.score() <= 0.0 || next.score() >= 0.0 || next.clause.contrast {
        return false;
    }
    let (from, to) = prev.clause.units;
    let span = match (
        units.get(from),
        to.checked_sub(1).and_then(|l| units.get(l)),
    ) {
        (Some(a), Some(b)) => text.get(a.byte_start..b.byte_end).unwrap_or(""),
        _ => "",
    };
    let irony = irony_of(span);
    irony == Irony::Strong
        || irony == Irony::Weak
            && indicators(prev).any(|a| {
                indicators(next).any(|b| a == b || tree.is_below(a, b) || tree.is_below(b, a))
            })
}

/// The indicators a clause judges: its aspect terms' and its valued cues'.
fn indicators(c: &ClauseResult) -> impl Iterator<Item = usize> + '_ {
    let cues = c.opinions.iter().filter_map(|o| match o.base {
        Base::Cue(ind, v) if v != 0.0 => Some(ind),
        _ => None,
    });
    c.aspects.iter().map(|a| a.chosen).chain(cues)
}

/// The part of `prev` that `next` also describes, when `next` follows it after a comma or
/// a contrast word and either names only attributes (做工, 质量) or no aspect at all but
/// generic quality words (结实, 粗糙).
fn carried(
    prev: &ClauseResult,
    next: &ClauseResult,
    units: &[Unit<'_>],
    text: &str,
    tree: &Taxonomy,
) -> Option<Carried> {
    let start = next.clause.units.0;
    let after_comma = start > 0 && units[start - 1].text(text) == ",";
    if !(next.clause.contrast || after_comma) {
        return None;
    }
    let is_attribute = |u: usize| units[u].lex().is_some_and(|l| l.attribute);
    let via_attribute =
        !next.aspects.is_empty() && next.aspects.iter().all(|a| is_attribute(a.unit));
    let bare_quality =
        next.aspects.is_empty() && next.opinions.iter().any(|o| is_quality(o, units));
    if !(via_attribute || bare_quality) {
        return None;
    }
    let indicator = part_named(prev, units, text, tree)?;
    Some(Carried {
        indicator,
        via_attribute,
    })
}

/// Whether an opinion is a generic quality word from the lexicon.
pub(crate) fn is_quality(o: &Opinion, units: &[Unit<'_>]) -> bool {
    matches!(o.base, Base::Fixed(_)) && units[o.unit].lex().is_some_and(|l| l.quality)
}

/// The part a clause names last: an aspect term that is not an attribute, else a valued
/// cue that holds one of its indicator's terms (基站很大气).
fn part_named(c: &ClauseResult, units: &[Unit<'_>], text: &str, tree: &Taxonomy) -> Option<usize> {
    if let Some(a) = c.aspects.last() {
        let attribute = units[a.unit].lex().is_some_and(|l| l.attribute);
        return (!attribute).then_some(a.chosen);
    }
    c.opinions.iter().rev().find_map(|o| match o.base {
        Base::Cue(ind, v) if v != 0.0 => {
            let phrase = units[o.unit].text(text);
            let named = tree
                .indicator_at(ind)
                .terms()
                .iter()
                .any(|t| phrase.contains(t.as_str()));
            named.then_some(ind)
        }
        _ => None,
    })
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
                let lexical = lex.is_some_and(|l| l.opinion.is_some() || l.direction.is_some());
                !is_term && (hint || is_cue || lexical)
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
        // A usual sense only for a predicate after its aspect (灵敏度高), not for a word
        // before a noun (多加两百买带自清洁的).
        let direction = before
            .and(o.aspect)
            .and(units[o.unit].lex().and_then(|l| l.direction));
        let value = match (o.base, hint_sign) {
            (Base::Cue(_, v), _) => Some(v * o.factor),
            (Base::Fixed(v), Some(sign)) => Some(sign * v.abs().max(1.0) * o.factor),
            (Base::Fixed(v), None) => Some(v * o.factor),
            (Base::Hint, Some(sign)) => Some(sign * o.factor),
            (Base::Hint, None) => direction.map(|d| d * o.factor),
        };
        let mood = if result.clause.inverted { -1.0 } else { 1.0 };
        o.value = value.map(|v| excess(v, o.excess, o.factor) * mood);
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

/// The value of an opinion under a degree adverb of excess: too much of a good thing is
/// a complaint (过于简单); too much of a bad one stays one. `factor` < 0 (negated: 不过于)
/// leaves the value as it is.
pub(crate) fn excess(value: f32, excess: bool, factor: f32) -> f32 {
    if excess && factor > 0.0 {
        -value.abs()
    } else {
        value
    }
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

    fn take(m: &mut Modifiers, start: usize) -> (f32, Option<&'static str>, usize) {
        let (factor, negation, start, _) = m.take_all(start);
        (factor, negation, start)
    }

    #[test]
    fn excess_turns_praise_into_a_complaint() {
        let mut m = Modifiers::new();
        m.intensify(1.5, "过于", 0);
        assert!(m.take_all(2).3);
        assert_eq!(excess(1.0, true, 1.5), -1.0);
        assert_eq!(excess(-1.0, true, 1.5), -1.0);
        assert_eq!(excess(1.0, true, -1.0), 1.0, "不过于 leaves it");
    }

    #[test]
    fn modifiers_fall_out_of_scope() {
        let mut m = Modifiers::new();
        m.negate(1.0, "不", 0);
        for _ in 0..=NEGATION_SCOPE {
            m.step("是");
        }
        assert_eq!(take(&mut m, 9), (1.0, None, 9));
        let mut m = Modifiers::new();
        m.negate(1.0, "没", 0);
        m.step("出现过");
        assert_eq!(
            take(&mut m, 4),
            (-1.0, Some("没"), 0),
            "a bridge word keeps the negation"
        );
        let mut m = Modifiers::new();
        m.negate(1.0, "不", 0);
        m.step("送");
        assert_eq!(take(&mut m, 2), (1.0, None, 2), "a plain word ends it");
        let mut m = Modifiers::new();
        m.negate(1.0, "没有", 0);
        m.step("想象中");
        m.intensify(1.2, "那么", 5);
        let (factor, negation, _) = take(&mut m, 7);
        assert!(
            factor < 0.0 && negation == Some("没"),
            "那么 takes the negation back"
        );
        let mut m = Modifiers::new();
        m.negate(1.0, "不", 0);
        m.negate(1.0, "不", 2);
        let (factor, negation, start) = take(&mut m, 3);
        assert_eq!((factor, negation, start), (1.0, None, 0));
    }
}
