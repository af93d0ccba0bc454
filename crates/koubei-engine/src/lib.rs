//! The koubei analysis engine: from a review's text to mentions, polarity and flags.
//!
//! The engine is pure: besides reading tree files the caller names, it does no I/O. It is
//! built once ([`Engine::new`] or [`Engine::builder`]) and shared by threads; analysing a
//! review ([`Engine::analyze`]) only reads the tables built then.
//!
//! A review goes through these stages, one module each:
//! 1. [`normalize`]: full-width → half-width, traditional → simplified, lower case, one
//!    char for one char so offsets stay valid against the original text;
//! 2. [`flags`]: default reviews, padding, cash-back, contact spam, empty and long texts;
//! 3. segmentation (jieba with every tree and lexicon word as a user dictionary) into
//!    units and clauses;
//! 4. clause analysis: aspect terms and cue phrases from the indicator tree
//!    ([`taxonomy`]), opinions from the lexicon with negation and degree;
//! 5. the review score, polarity and mentions.
//!
//! ```
//! use koubei_core::Polarity;
//! use koubei_engine::{Engine, Input};
//!
//! let engine = Engine::new().unwrap();
//! let analysis = engine.analyze(&Input::text("虽然很好用，但是太贵了"));
//! assert_eq!(analysis.polarity, Polarity::Mixed);
//! let typical: Vec<&str> = analysis.mentions.iter().map(|m| m.typical.as_str()).collect();
//! assert_eq!(typical, ["好用", "贵"]);
//! ```

mod analyze;
mod engine;
mod error;
mod explain;
pub mod flags;
mod hash;
mod lexicon;
pub mod model;
pub mod normalize;
mod run;
mod segment;
pub mod taxonomy;

pub use engine::{Engine, EngineBuilder, Input};
pub use error::EngineError;
pub use explain::{ExplainedClause, ExplainedUnit, Explanation};
pub use koubei_model;
pub use model::{ModelContribution, ModelInput};
pub use taxonomy::{Cue, Hints, Indicator, Taxonomy};

impl Engine {
    /// Analyses a review and says why: normalised text, units and their roles, clauses
    /// with their aspects and opinions, and the resulting analysis.
    pub fn explain(&self, input: &Input<'_>) -> Explanation {
        let run = run::Run::new(self, input);
        let analysis = run.analysis(input);
        Explanation::from_run(&run, analysis)
    }
}
