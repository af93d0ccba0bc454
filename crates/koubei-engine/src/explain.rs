//! Explanations: why the engine said what it said about one review.
//!
//! An [`Explanation`] lists the normalised text, the units (tokens after joining) with
//! the roles the tree and lexicon gave them, each clause with its aspects, opinions and
//! score, and the final analysis. Its `Display` form is what `koubei explain` prints.

use std::fmt;

use koubei_core::Analysis;

use crate::analyze::Base;
use crate::model::ModelContribution;
use crate::run::Run;
use crate::segment::UnitKind;
use crate::taxonomy::TreeWord;

/// How many model features an explanation lists.
const MODEL_TOP: usize = 8;

/// One unit and the roles it played.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedUnit {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Such as `term:suction`, `cue:quality(-1.00)`, `opinion(+1.00)`, `negator(1.0)`.
    pub roles: Vec<String>,
}

/// One clause, what was found in it and how much it weighed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedClause {
    pub text: String,
    pub contrast: bool,
    pub concessive: bool,
    /// A rhetorical question or a wish: its opinion values are negated.
    pub inverted: bool,
    pub weight: f32,
    pub score: f32,
    /// `term → indicator id`.
    pub aspects: Vec<String>,
    /// `evidence = value (why) → aspect`.
    pub opinions: Vec<String>,
}

/// Why the engine analysed a review the way it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub taxonomy: String,
    pub normalized: String,
    pub units: Vec<ExplainedUnit>,
    pub clauses: Vec<ExplainedClause>,
    /// The polarity model's part in the score, when a model is loaded.
    pub model: Option<ModelContribution>,
    pub analysis: Analysis,
}

impl Explanation {
    pub(crate) fn from_run(run: &Run<'_, '_>, analysis: Analysis) -> Explanation {
        Explanation {
            taxonomy: run.tree.id.clone(),
            normalized: run.norm.text.clone(),
            units: run.units.iter().map(|u| unit(run, u)).collect(),
            clauses: run.clauses.iter().map(|c| clause(run, c)).collect(),
            model: run.model_contribution(MODEL_TOP),
            analysis,
        }
    }
}

fn unit(run: &Run<'_, '_>, u: &crate::segment::Unit<'_>) -> ExplainedUnit {
    let mut roles = Vec::new();
    match u.kind {
        UnitKind::Break => roles.push("break".to_string()),
        UnitKind::Space { splits } => roles.push(if splits { "split" } else { "space" }.into()),
        UnitKind::Word { tree, lex, hint } => {
            let is_term = tree
                .unwrap_or(&[])
                .iter()
                .any(|w| matches!(w, TreeWord::Term(..)));
            for w in tree.unwrap_or(&[]) {
                roles.push(match *w {
                    TreeWord::Term(i, _) => format!("term:{}", run.tree.indicator_at(i).id),
                    TreeWord::Cue(i, v) => format!("cue:{}({v:+.2})", run.tree.indicator_at(i).id),
                });
            }
            if let Some(l) = lex {
                // A term never counts as an opinion, so none is shown for it.
                if let Some(v) = l.opinion
                    && !is_term
                {
                    roles.push(format!("opinion({v:+.2})"));
                }
                if let Some(s) = l.negator {
                    roles.push(format!("negator({s})"));
                }
                if let Some(m) = l.degree {
                    roles.push(format!("degree({m})"));
                }
                if l.contrast.is_some() {
                    roles.push("contrast".into());
                }
                if l.product {
                    roles.push("product".into());
                }
            }
            if hint {
                roles.push("hint".into());
            }
        }
    }
    ExplainedUnit {
        text: u.text(&run.norm.text).to_string(),
        start: u.start,
        end: u.end,
        roles,
    }
}

fn clause(run: &Run<'_, '_>, c: &crate::analyze::ClauseResult) -> ExplainedClause {
    let (from, to) = c.clause.units;
    let text = match (
        run.units.get(from),
        to.checked_sub(1).and_then(|t| run.units.get(t)),
    ) {
        (Some(a), Some(b)) => run.norm.original_slice(a.start, b.end).to_string(),
        _ => String::new(),
    };
    let word = |i: usize| run.units[i].text(&run.norm.text).to_string();
    let aspects = c
        .aspects
        .iter()
        .map(|a| format!("{} → {}", word(a.unit), run.tree.indicator_at(a.chosen).id))
        .collect();
    let opinions = c
        .opinions
        .iter()
        .map(|o| {
            let why = match o.base {
                Base::Fixed(v) => format!("lexicon {v:+.2}"),
                Base::Hint => "hint".to_string(),
                Base::Cue(i, v) => format!("cue {} {v:+.2}", run.tree.indicator_at(i).id),
            };
            let value = o
                .value
                .map_or("unresolved".to_string(), |v| format!("{v:+.2}"));
            let aspect = o
                .aspect
                .map_or("-".to_string(), |a| word(c.aspects[a].unit));
            format!(
                "{} = {value} ({why}, factor {:+.2}) → {aspect}",
                run.norm.original_slice(o.start, o.end),
                o.factor
            )
        })
        .collect();
    ExplainedClause {
        text,
        contrast: c.clause.contrast,
        concessive: c.clause.concessive,
        inverted: c.clause.inverted,
        weight: c.weight,
        score: c.score(),
        aspects,
        opinions,
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tree: {}", self.taxonomy)?;
        writeln!(f, "normalised: {}", self.normalized)?;
        let units: Vec<String> = self
            .units
            .iter()
            .filter(|u| !u.roles.iter().any(|r| r == "space"))
            .map(|u| {
                if u.roles.is_empty() {
                    u.text.clone()
                } else {
                    format!("{}[{}]", u.text, u.roles.join(","))
                }
            })
            .collect();
        writeln!(f, "units: {}", units.join(" | "))?;
        for (n, c) in self.clauses.iter().enumerate() {
            let mut marks = String::new();
            if c.contrast {
                marks.push_str(" contrast");
            }
            if c.concessive {
                marks.push_str(" concessive");
            }
            if c.inverted {
                marks.push_str(" inverted");
            }
            writeln!(
                f,
                "clause {}: {} (weight {:.1}, score {:+.2}{marks})",
                n + 1,
                c.text,
                c.weight,
                c.score
            )?;
            for a in &c.aspects {
                writeln!(f, "  aspect {a}")?;
            }
            for o in &c.opinions {
                writeln!(f, "  opinion {o}")?;
            }
        }
        if let Some(m) = &self.model {
            writeln!(
                f,
                "model: score {:+.2} (rules alone {:+.2})",
                m.model_score, m.rule_score
            )?;
            let top: Vec<String> = m.top.iter().map(|(n, w)| format!("{n} {w:+.2}")).collect();
            writeln!(f, "  top features: {}", top.join(", "))?;
            if m.rules_decide {
                writeln!(
                    f,
                    "  not used: one clause, every opinion turned round by a rule, so the rules decide"
                )?;
            }
        }
        let a = &self.analysis;
        writeln!(f, "review: {} (score {:+.2})", a.polarity, a.score)?;
        for m in &a.mentions {
            writeln!(
                f,
                "  mention {} [{}] {} «{}» {}..{} typical {}",
                m.indicator,
                m.aspect.as_deref().unwrap_or("-"),
                m.polarity,
                m.opinion,
                m.start,
                m.end,
                m.typical
            )?;
        }
        if !a.flags.is_empty() {
            let flags: Vec<&str> = a.flags.iter().map(|f| f.as_str()).collect();
            writeln!(f, "flags: {}", flags.join(", "))?;
        }
        Ok(())
    }
}
