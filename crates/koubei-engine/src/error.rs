//! The engine's error type: everything that can go wrong while building an engine.
//!
//! Analysis itself never fails; only loading trees and the lexicon can.

use std::path::PathBuf;

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A tree file the caller named could not be read.
    #[error("cannot read indicator tree {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A tree file is not valid TOML or does not have the tree's shape.
    #[error("indicator tree {file}: {message}")]
    Syntax { file: String, message: String },
    /// One indicator of a tree is wrong; names the file, the indicator id and the key.
    #[error("indicator tree {file}: indicator {indicator:?}, key `{key}`: {message}")]
    Indicator {
        file: String,
        indicator: String,
        key: String,
        message: String,
    },
    /// The tree as a whole is wrong (bad id, unknown `extends`, cycle between trees).
    #[error("indicator tree {file}: key `{key}`: {message}")]
    Tree {
        file: String,
        key: String,
        message: String,
    },
    /// A bundled lexicon line could not be read.
    #[error("lexicon {file}, line {line}: {message}")]
    Lexicon {
        file: &'static str,
        line: usize,
        message: String,
    },
    /// The traditional → simplified converter could not be loaded.
    #[error("cannot load the traditional-to-simplified table: {0}")]
    Opencc(String),
    /// A polarity model file could not be read.
    #[error("cannot read polarity model {path}: {source}")]
    ReadModel {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A polarity model file is damaged or not a model.
    #[error("polarity model {path} cannot be loaded: {source}")]
    Model {
        path: String,
        #[source]
        source: koubei_model::ModelError,
    },
}
