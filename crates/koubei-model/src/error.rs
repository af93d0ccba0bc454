//! Why a model file could not be read.

use thiserror::Error;

/// A model file that cannot be loaded.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("not a koubei polarity model (bad magic bytes)")]
    BadMagic,
    #[error("model file version {0} is not supported")]
    Version(u32),
    #[error("model file is truncated")]
    Truncated,
    #[error("model header is not valid JSON: {0}")]
    Header(#[from] serde_json::Error),
    #[error("model header is invalid: {0}")]
    Invalid(String),
    #[error("model file holds {found} weights, its header says {expected}")]
    WeightCount { expected: usize, found: usize },
}
