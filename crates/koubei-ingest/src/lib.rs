//! Reading review exports into [`NewReview`] records: CSV/TSV, Excel and JSON files as
//! shop back-ends, crawler tools and Excel write them.
//!
//! This crate only reads, decodes and maps; it neither stores nor analyses. [`open`] looks
//! at the file, decides its [`Format`] and, for text, its encoding
//! ([`FileReader::encoding`]), reads the header and maps each column to a [`Field`]
//! ([`FileReader::columns`]). The [`FileReader`] then yields one `Result` per record:
//! a review, or a [`RowError`] naming the row and column that could not be read. A
//! problem with the whole file is an [`IngestError`] from [`open`].
//!
//! ```no_run
//! use std::path::Path;
//! use koubei_ingest::{ImportOptions, open};
//!
//! let reader = open(Path::new("reviews.csv"), &ImportOptions::default())?;
//! println!("{:?} in {}", reader.format(), reader.encoding());
//! for record in reader {
//!     match record {
//!         Ok(review) => println!("{}", review.text),
//!         Err(err) => eprintln!("{err}"),
//!     }
//! }
//! # Ok::<(), koubei_ingest::IngestError>(())
//! ```
//!
//! Per record: the review text is required (an empty text is still a review; the engine
//! flags it); ratings must be 1–5; dates, channels and field counts must be readable;
//! nicknames are masked ([`mask`]); a follow-up written inside the text is split off when
//! no follow-up column exists ([`followup`]); a row whose cells are all empty is skipped.

mod delimited;
mod encoding;
mod error;
mod excel;
mod field;
pub mod followup;
mod json;
pub mod mask;
pub mod pii;
mod record;
mod value;

use std::io::Read;
use std::path::Path;

use koubei_core::{Channel, NewReview};

pub use error::{IngestError, RowError};
pub use field::{Field, UnknownField};

use delimited::DelimitedSource;
use excel::{ExcelSource, Workbook};
use json::{JsonSource, Layout};
use record::Mapper;
use value::Epoch;

/// What the caller adds to what the file says.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The channel of rows without a channel column or value.
    pub channel: Option<Channel>,
    /// The brand of rows without one.
    pub brand: Option<String>,
    /// The category of rows without one.
    pub category: Option<String>,
    /// Column header as written → field; wins over the recognised header names.
    pub mappings: Vec<(String, Field)>,
    /// Forces the CSV delimiter instead of sniffing it.
    pub delimiter: Option<u8>,
}

/// The layout a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv { delimiter: u8 },
    Xlsx,
    Xls,
    Json,
    JsonLines,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::Csv { delimiter } => {
                write!(
                    f,
                    "delimited text (delimiter {})",
                    error::delimiter_name(*delimiter)
                )
            }
            Format::Xlsx => f.write_str("Excel workbook (.xlsx)"),
            Format::Xls => f.write_str("Excel 97-2003 workbook (.xls)"),
            Format::Json => f.write_str("JSON array"),
            Format::JsonLines => f.write_str("JSON Lines"),
        }
    }
}

/// An open review file: its format, encoding and columns, and an iterator of records.
pub struct FileReader {
    format: Format,
    encoding: &'static str,
    columns: Vec<(String, Option<Field>)>,
    len_hint: Option<u64>,
    mapper: Mapper,
    source: Source,
}

enum Source {
    Delimited(DelimitedSource),
    Excel(ExcelSource),
    Json(JsonSource),
}

impl FileReader {
    pub fn format(&self) -> Format {
        self.format
    }

    /// The text encoding the file was read with, or `n/a` for workbooks.
    pub fn encoding(&self) -> &str {
        self.encoding
    }

    /// Each header as written and the field it feeds (`None`: ignored).
    pub fn columns(&self) -> &[(String, Option<Field>)] {
        &self.columns
    }

    /// How many records the file probably holds, for a progress bar.
    pub fn len_hint(&self) -> Option<u64> {
        self.len_hint
    }
}

impl Iterator for FileReader {
    type Item = Result<NewReview, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = match &mut self.source {
            Source::Delimited(source) => source.next_row(&self.mapper)?,
            Source::Excel(source) => Ok(source.next_row(&self.mapper)?),
            Source::Json(source) => source.next_row(&self.mapper)?,
        };
        Some(match raw {
            Ok(raw) => self.mapper.build(raw),
            Err(fault) => Err(self.mapper.fault(fault)),
        })
    }
}

/// Opens a review file and reads its header; see the crate docs.
pub fn open(path: &Path, opts: &ImportOptions) -> Result<FileReader, IngestError> {
    let file = path.display().to_string();
    let io_error = |source| IngestError::Io {
        file: file.clone(),
        source,
    };
    let mut head = [0u8; 8];
    let head_len = read_head(path, &mut head).map_err(io_error)?;
    match workbook_kind(&head[..head_len]) {
        Some(kind) => open_workbook(path, &file, kind, opts),
        None => {
            let bytes = std::fs::read(path).map_err(io_error)?;
            open_text(bytes, &file, opts)
        }
    }
}

/// Reads reviews sent as bytes rather than a file (a JSON array, JSON lines or CSV pushed
/// over HTTP), exactly as [`open`] reads a text file; `name` stands for the file name in
/// errors and in each review's `source_file`.
pub fn open_bytes(
    bytes: Vec<u8>,
    name: &str,
    opts: &ImportOptions,
) -> Result<FileReader, IngestError> {
    if workbook_kind(&bytes[..bytes.len().min(8)]).is_some() {
        return Err(IngestError::UnknownFormat {
            file: name.to_string(),
            reason: "a workbook; push JSON or CSV, or import the file with `koubei import`".into(),
        });
    }
    open_text(bytes, name, opts)
}

fn read_head(path: &Path, head: &mut [u8]) -> std::io::Result<usize> {
    let mut handle = std::fs::File::open(path)?;
    let mut filled = 0;
    while filled < head.len() {
        match handle.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Workbooks are told by their magic bytes, not their name: shop back-ends often save
/// tab-separated text or HTML as `.xls`.
fn workbook_kind(head: &[u8]) -> Option<Workbook> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if head.starts_with(ZIP) {
        Some(Workbook::Xlsx)
    } else if head.starts_with(OLE) {
        Some(Workbook::Xls)
    } else {
        None
    }
}

fn open_workbook(
    path: &Path,
    file: &str,
    kind: Workbook,
    opts: &ImportOptions,
) -> Result<FileReader, IngestError> {
    let opened = ExcelSource::open(path, file, kind)?;
    let columns = resolve(file, opened.headers, opts, None)?;
    let format = match kind {
        Workbook::Xlsx => Format::Xlsx,
        Workbook::Xls => Format::Xls,
    };
    Ok(FileReader {
        format,
        encoding: "n/a",
        mapper: Mapper::new(file, &columns, opened.epoch, opts),
        columns,
        len_hint: Some(opened.len_hint),
        source: Source::Excel(opened.source),
    })
}

fn open_text(bytes: Vec<u8>, file: &str, opts: &ImportOptions) -> Result<FileReader, IngestError> {
    if let Some(reason) = binary_reason(&bytes) {
        return Err(IngestError::UnknownFormat {
            file: file.to_string(),
            reason: reason.to_string(),
        });
    }
    let decoded = encoding::decode(bytes);
    if decoded.had_errors {
        tracing::warn!(
            file,
            encoding = decoded.encoding.label(),
            "some bytes did not decode"
        );
    }
    let encoding = decoded.encoding.label();
    if decoded.text.trim_start().starts_with('<') {
        return Err(IngestError::UnknownFormat {
            file: file.to_string(),
            reason: "an HTML or XML page, not a table; save it from Excel as .xlsx or CSV".into(),
        });
    }
    match json::detect_layout(&decoded.text) {
        Some(layout) => open_json(decoded.text, layout, encoding, file, opts),
        None => open_delimited(decoded.text, encoding, file, opts),
    }
}

/// Why the bytes are not text, when they are not.
fn binary_reason(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(8192)];
    let has_utf16_bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if head.starts_with(b"%PDF") {
        return Some("a PDF document; export the reviews as CSV, Excel or JSON");
    }
    (!has_utf16_bom && head.contains(&0)).then_some("binary data, not text, Excel or JSON")
}

fn open_delimited(
    text: String,
    encoding: &'static str,
    file: &str,
    opts: &ImportOptions,
) -> Result<FileReader, IngestError> {
    let opened =
        DelimitedSource::open(text, opts.delimiter).ok_or_else(|| IngestError::NoHeader {
            file: file.to_string(),
        })?;
    let columns = resolve(file, opened.headers, opts, Some(opened.delimiter))?;
    Ok(FileReader {
        format: Format::Csv {
            delimiter: opened.delimiter,
        },
        encoding,
        mapper: Mapper::new(file, &columns, Epoch::None, opts),
        columns,
        len_hint: Some(opened.len_hint),
        source: Source::Delimited(opened.source),
    })
}

fn open_json(
    text: String,
    layout: Layout,
    encoding: &'static str,
    file: &str,
    opts: &ImportOptions,
) -> Result<FileReader, IngestError> {
    let opened = JsonSource::open(text, layout).map_err(|message| IngestError::Json {
        file: file.to_string(),
        message,
    })?;
    let no_records = opened.len_hint == 0;
    let columns = if no_records {
        Vec::new()
    } else {
        resolve(file, opened.headers, opts, None)?
    };
    let format = match layout {
        Layout::Array => Format::Json,
        Layout::Lines => Format::JsonLines,
    };
    Ok(FileReader {
        format,
        encoding,
        mapper: Mapper::new(file, &columns, Epoch::None, opts),
        columns,
        len_hint: Some(opened.len_hint),
        source: Source::Json(opened.source),
    })
}

/// Maps the headers to fields, checking the explicit mappings and the text column.
fn resolve(
    file: &str,
    headers: Vec<String>,
    opts: &ImportOptions,
    delimiter: Option<u8>,
) -> Result<Vec<(String, Option<Field>)>, IngestError> {
    let lowered: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    if let Some((column, _)) = opts
        .mappings
        .iter()
        .find(|(column, _)| !lowered.contains(&column.trim().to_lowercase()))
    {
        return Err(IngestError::UnknownMappedColumn {
            file: file.to_string(),
            column: column.clone(),
            headers,
        });
    }
    let fields = field::resolve_columns(&headers, &opts.mappings);
    if !fields.contains(&Some(Field::Text)) {
        return Err(IngestError::NoTextColumn {
            file: file.to_string(),
            headers,
            delimiter,
        });
    }
    tracing::debug!(file, ?fields, "mapped columns");
    Ok(headers.into_iter().zip(fields).collect())
}
