//! The review-level polarity model of koubei: how positive a whole review reads, as a
//! calibrated score in -1..1.
//!
//! The analysis engine combines clause-level rules (lexicon, negation, contrast) with this
//! statistical view of the review as a whole. The model is a linear classifier over hashed
//! features ([`Featurizer`]): character 1–4-grams, jieba words and word pairs, words inside
//! a negation scope, and named **extra** features the caller computes (rule and lexicon
//! signals such as `("lex_pos", 2.0)`). It is trained as an NBSVM-style logistic regression
//! and calibrated with Platt scaling ([`train`]).
//!
//! A [`Doc`] is what the caller hands over: the normalised text (simplified, half-width,
//! lower-case), its segmentation, and the extras. The crate does no I/O beyond turning a
//! model into bytes and back; the caller reads and writes files.
//!
//! ```
//! use koubei_model::{Doc, ModelMeta, TrainConfig, train};
//!
//! let texts = [("质量很好", true), ("质量很差", false), ("很好用", true), ("太差了", false)];
//! let words: Vec<Vec<&str>> = texts.iter().map(|(t, _)| vec![*t]).collect();
//! let docs: Vec<Doc> = texts.iter().zip(&words)
//!     .map(|((t, _), w)| Doc { text: t, words: w, extra: &[] })
//!     .collect();
//! let labels: Vec<bool> = texts.iter().map(|(_, l)| *l).collect();
//! let config = TrainConfig { calibration_fraction: 0.0, epochs: 20, ..TrainConfig::default() };
//! let model = train(&docs, &labels, &config, ModelMeta::default());
//! let doc = Doc { text: "做工很好", words: &["做工", "很", "好"], extra: &[] };
//! assert!(model.score(&doc) > 0.0);
//! ```

mod error;
mod features;
mod model;
mod train;

pub use error::ModelError;
pub use features::{FeatureRef, Featurizer, MAX_CHAR_NGRAM};
pub use model::{Calibration, Figure, Model, ModelMeta, Source};
pub use train::{FoldResult, TrainConfig, cross_validate, train};

/// One review as the model sees it.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    /// The normalised text: simplified, half-width, lower-case.
    pub text: &'a str,
    /// The segmentation of `text` (jieba tokens), in order.
    pub words: &'a [&'a str],
    /// Named features from the rules, such as `("lex_pos", 2.0)`. Names the model was not
    /// trained with are ignored.
    pub extra: &'a [(&'a str, f32)],
}

#[cfg(test)]
mod tests;
