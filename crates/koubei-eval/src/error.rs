//! What can go wrong while reading a labelled file.

/// A labelled file that cannot be read as the format it claims to be.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The header row does not have the columns the format needs.
    #[error("header: {0}")]
    Header(String),
    /// One row is malformed; `line` counts from 1 and includes the header.
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
    /// The file name and header match no known format.
    #[error("cannot tell the format of {0}; pass --format")]
    UnknownFormat(String),
    /// The file holds no row to evaluate.
    #[error("no labelled rows")]
    Empty,
}
