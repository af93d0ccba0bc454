//! Excel workbooks (.xlsx, .xls) through `calamine`: the first worksheet, whose first
//! non-empty row is the header.
//!
//! Cells keep the type the workbook gives them. A date-time cell is a date; a cell that
//! holds only a time of day (serial below 1, such as 00:15) is kept as a time and is
//! reported if a date field is fed from it, since no day can be made up for it. A plain
//! number used as a date is read in the workbook's own epoch (1900 or 1904). Text cells
//! stay text, so order numbers and review ids typed as text keep every digit; a numeric
//! cell holding an integer beyond 2^53 cannot be exact and is reported when read as text
//! (see [`crate::value`]).

use std::path::Path;

use calamine::{Data, ExcelDateTime, Range, Reader, Xls, XlsError, Xlsx, XlsxError, open_workbook};
use chrono::NaiveTime;

use crate::error::IngestError;
use crate::record::{Mapper, RawRow};
use crate::value::{Cell, Epoch};

/// Which kind of workbook to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workbook {
    Xlsx,
    Xls,
}

/// The first worksheet of a workbook, read row by row.
pub struct ExcelSource {
    range: Range<Data>,
    header_index: usize,
    next_index: usize,
}

/// A workbook opened and its header read.
pub struct Opened {
    pub source: ExcelSource,
    pub headers: Vec<String>,
    pub epoch: Epoch,
    pub len_hint: u64,
}

impl ExcelSource {
    pub fn open(path: &Path, file: &str, kind: Workbook) -> Result<Opened, IngestError> {
        let excel_error = |message: String| IngestError::Excel {
            file: file.to_string(),
            message,
        };
        let (range, is_1904) = match kind {
            Workbook::Xlsx => {
                let mut book: Xlsx<_> =
                    open_workbook(path).map_err(|e: XlsxError| excel_error(e.to_string()))?;
                let is_1904 = book.has_1904_epoch();
                (first_sheet(&mut book).map_err(excel_error)?, is_1904)
            }
            Workbook::Xls => {
                let mut book: Xls<_> =
                    open_workbook(path).map_err(|e: XlsError| excel_error(e.to_string()))?;
                let is_1904 = book.has_1904_epoch();
                (first_sheet(&mut book).map_err(excel_error)?, is_1904)
            }
        };
        let epoch = if is_1904 {
            Epoch::Excel1904
        } else {
            Epoch::Excel1900
        };

        let header_index = (0..range.height())
            .find(|&r| !row_is_blank(&range, r))
            .ok_or_else(|| IngestError::NoHeader {
                file: file.to_string(),
            })?;
        let headers = (0..range.width())
            .map(|c| header_text(range.get((header_index, c))))
            .collect();
        let len_hint = (range.height() - header_index - 1) as u64;
        let source = ExcelSource {
            range,
            header_index,
            next_index: header_index + 1,
        };
        Ok(Opened {
            source,
            headers,
            epoch,
            len_hint,
        })
    }

    /// The next non-blank row, `None` after the last row.
    pub fn next_row(&mut self, mapper: &Mapper) -> Option<RawRow> {
        while self.next_index < self.range.height() {
            let index = self.next_index;
            self.next_index += 1;
            if row_is_blank(&self.range, index) {
                continue;
            }
            let cells = (0..self.range.width())
                .filter(|&c| mapper.field_of(c).is_some())
                .map(|c| (c, excel_cell(self.range.get((index, c)))))
                .collect();
            return Some(RawRow {
                row: (index - self.header_index) as u64,
                location: None,
                cells,
            });
        }
        None
    }
}

fn first_sheet<R>(book: &mut R) -> Result<Range<Data>, String>
where
    R: Reader<std::io::BufReader<std::fs::File>>,
    R::Error: std::fmt::Display,
{
    match book.worksheet_range_at(0) {
        Some(Ok(range)) => Ok(range),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the workbook has no worksheet".to_string()),
    }
}

fn row_is_blank(range: &Range<Data>, row: usize) -> bool {
    (0..range.width()).all(|c| match range.get((row, c)) {
        None | Some(Data::Empty) => true,
        Some(Data::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    })
}

fn header_text(data: Option<&Data>) -> String {
    excel_cell(data)
        .to_text()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A workbook cell as a [`Cell`], keeping its type.
fn excel_cell(data: Option<&Data>) -> Cell {
    let Some(data) = data else {
        return Cell::Empty;
    };
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Digits(i.to_string()),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => date_time_cell(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Invalid(format!("the spreadsheet error {e}")),
    }
}

fn date_time_cell(dt: &ExcelDateTime) -> Cell {
    if dt.is_duration() {
        return Cell::Duration(dt.as_f64());
    }
    let serial = dt.as_f64();
    if (0.0..1.0).contains(&serial) {
        let seconds = (serial * 86_400.0).round();
        // The range check bounds `seconds` to 0..=86400, so the cast is exact.
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds as u32 % 86_400, 0);
        return time.map_or(Cell::Invalid("an unreadable time".into()), Cell::TimeOfDay);
    }
    match dt.as_datetime() {
        Some(t) => Cell::DateTime(t),
        None => Cell::Invalid(format!("the date serial {serial}, out of range")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn time_only_cells_stay_times() {
        let quarter = ExcelDateTime::new(0.010416666666666667, ExcelDateTimeType::DateTime, false);
        let want = NaiveTime::from_hms_opt(0, 15, 0).expect("valid time");
        assert_eq!(date_time_cell(&quarter), Cell::TimeOfDay(want));

        let noon = ExcelDateTime::new(45292.5, ExcelDateTimeType::DateTime, false);
        let Cell::DateTime(t) = date_time_cell(&noon) else {
            panic!("a date-time cell must stay a date-time");
        };
        assert_eq!(t.to_string(), "2024-01-01 12:00:00");
    }

    #[test]
    fn integers_and_text_keep_their_digits() {
        let id = Data::String("202401051234567890123".into());
        assert_eq!(
            excel_cell(Some(&id)).to_text(),
            Ok("202401051234567890123".into())
        );
        assert_eq!(
            excel_cell(Some(&Data::Int(1234567890123456789))).to_text(),
            Ok("1234567890123456789".into())
        );
        assert_eq!(
            excel_cell(Some(&Data::Float(98765.0))).to_text(),
            Ok("98765".into())
        );
    }
}
