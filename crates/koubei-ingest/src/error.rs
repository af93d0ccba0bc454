//! Errors: a file that cannot be read at all, and a record that cannot be imported.
//!
//! An [`IngestError`] stops the whole file; every message names the file. A [`RowError`]
//! concerns one record: the reader reports it and goes on with the next record.

use std::fmt;

/// A problem with the whole file: nothing is imported from it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{file}: unknown file format: {reason}")]
    UnknownFormat { file: String, reason: String },

    #[error("{file}: the file has no header row (it is empty or blank)")]
    NoHeader { file: String },

    #[error(
        "{file}: no column holds the review text; columns seen{}: {}; name the text column with \
         --map COLUMN=text",
        delimiter_note(*.delimiter),
        quoted_list(.headers)
    )]
    NoTextColumn {
        file: String,
        headers: Vec<String>,
        /// The CSV delimiter used to split the header, when the file is CSV.
        delimiter: Option<u8>,
    },

    #[error(
        "{file}: --map names the column {column:?}, which the file does not have; \
         columns seen: {}",
        quoted_list(.headers)
    )]
    UnknownMappedColumn {
        file: String,
        column: String,
        headers: Vec<String>,
    },

    #[error("{file}: not valid JSON: {message}")]
    Json { file: String, message: String },

    #[error("{file}: cannot read the workbook: {message}")]
    Excel { file: String, message: String },
}

/// The delimiter as people name it in a message: `','`, `tab`.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        other => format!("'{}'", char::from(other)),
    }
}

fn delimiter_note(delimiter: Option<u8>) -> String {
    delimiter
        .map(|d| format!(" (split on {})", delimiter_name(d)))
        .unwrap_or_default()
}

fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One record that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The path as given to [`crate::open`].
    pub file: String,
    /// 1-based record number; the header is not counted.
    pub row: u64,
    /// The column the problem is in, as its header is written.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(
                f,
                "{}: row {}, field {}: {}",
                self.file, self.row, field, self.message
            ),
            None => write!(f, "{}: row {}: {}", self.file, self.row, self.message),
        }
    }
}

impl std::error::Error for RowError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_read_as_one_line() {
        let mut err = RowError {
            file: "a.csv".into(),
            row: 3,
            field: Some("评分".into()),
            message: "rating \"6\" is not a whole number of stars from 1 to 5".into(),
        };
        assert_eq!(
            err.to_string(),
            "a.csv: row 3, field 评分: rating \"6\" is not a whole number of stars from 1 to 5"
        );
        err.field = None;
        assert!(err.to_string().starts_with("a.csv: row 3: "));
    }

    #[test]
    fn missing_text_column_lists_headers_and_delimiter() {
        let err = IngestError::NoTextColumn {
            file: "x.csv".into(),
            headers: vec!["评论内容;评分".into()],
            delimiter: Some(b','),
        };
        let message = err.to_string();
        assert!(message.starts_with("x.csv: "), "{message}");
        assert!(message.contains("\"评论内容;评分\""), "{message}");
        assert!(message.contains("split on ','"), "{message}");
    }
}
