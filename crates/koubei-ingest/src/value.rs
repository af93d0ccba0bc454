//! Cells and what they mean: ratings, dates and exact ids read from one cell.
//!
//! A **cell** is one value of one record as the file format gave it: CSV gives text only,
//! JSON adds numbers (kept as the digits written), Excel adds spreadsheet numbers, dates
//! and times. Each parser here turns a cell into the value one field needs, or into a
//! message saying why it cannot.
//!
//! Decisions worth knowing:
//! - A time-of-day cell (Excel `hh:mm`, serial below 1) is not a date; used as a date it is
//!   reported, not given a made-up day.
//! - A plain spreadsheet number used as a date is read as a serial date in the workbook's
//!   own epoch (1900 or 1904). Outside a workbook the epoch is unknown, so a CSV or JSON
//!   number is read only as a Unix timestamp (10 digits: seconds, 13 digits:
//!   milliseconds), taken as UTC and given in China time (UTC+8), the time zone every
//!   channel koubei knows reports in.
//! - A date-time with an offset (`2024-01-05T10:20:00+08:00`) keeps its local time as
//!   written; the offset is dropped.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// One value of one record, as the file format typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number with its digits exactly as written (JSON numbers, spreadsheet integers).
    Digits(String),
    /// A spreadsheet number (an `f64` in the file format).
    Float(f64),
    DateTime(NaiveDateTime),
    /// A spreadsheet time of day without a date.
    TimeOfDay(NaiveTime),
    /// A spreadsheet duration (`[h]:mm` formats), in days.
    Duration(f64),
    /// A value no field can use: a spreadsheet error, a nested JSON object.
    Invalid(String),
}

/// Integers from here up cannot all be held exactly by an `f64`.
const EXACT_F64_LIMIT: f64 = 9_007_199_254_740_992.0;

/// The spreadsheet's date system, needed to read a plain number as a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Epoch {
    /// Not a workbook: plain numbers are not serial dates.
    None,
    Excel1900,
    Excel1904,
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, exact for ids and long digit strings.
    pub fn to_text(&self) -> Result<String, String> {
        match self {
            Cell::Empty => Ok(String::new()),
            Cell::Text(s) | Cell::Digits(s) => Ok(s.clone()),
            Cell::Float(f) => float_text(*f),
            Cell::DateTime(t) => Ok(t.format("%Y-%m-%d %H:%M:%S").to_string()),
            Cell::TimeOfDay(t) => Ok(t.format("%H:%M:%S").to_string()),
            Cell::Duration(d) => Ok(d.to_string()),
            Cell::Invalid(what) => Err(format!("cell holds {what}, not text")),
        }
    }
}

/// A spreadsheet number as text: integers without `.0`, and no integer beyond what an
/// `f64` holds exactly (such a cell may already have lost digits).
fn float_text(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!("cell holds the number {f}"));
    }
    if f.fract() != 0.0 {
        return Ok(f.to_string());
    }
    if f.abs() >= EXACT_F64_LIMIT {
        return Err(format!(
            "the number {f:.0} is too long to be exact in a spreadsheet number cell; \
             store the column as text"
        ));
    }
    Ok(format!("{f:.0}"))
}

/// A star rating from 1 to 5: `5`, `5.0`, `5星`, `5分`, `★★★★★`, `五星`.
pub fn parse_rating(cell: &Cell) -> Result<Option<u8>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Float(f) => return rating_from_number(*f, &f.to_string()).map(Some),
        Cell::Text(s) | Cell::Digits(s) => s.trim(),
        other => return Err(format!("{other:?} is not a rating")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    rating_from_text(text).map(Some)
}

fn rating_from_text(text: &str) -> Result<u8, String> {
    if !text.is_empty() && text.chars().all(|c| matches!(c, '★' | '☆')) {
        let stars = text.chars().filter(|&c| c == '★').count();
        return rating_from_number(stars as f64, text);
    }
    let core = text
        .trim_end_matches(['星', '分', '颗', ' '])
        .trim_end_matches("颗")
        .trim();
    if let Some(n) = chinese_digit(core) {
        return Ok(n);
    }
    match core.parse::<f64>() {
        Ok(n) => rating_from_number(n, text),
        Err(_) => Err(format!(
            "rating {text:?} is not a number of stars from 1 to 5"
        )),
    }
}

fn chinese_digit(s: &str) -> Option<u8> {
    let n = match s {
        "一" => 1,
        "二" | "两" => 2,
        "三" => 3,
        "四" => 4,
        "五" => 5,
        _ => return None,
    };
    Some(n)
}

fn rating_from_number(n: f64, shown: &str) -> Result<u8, String> {
    if n.fract() == 0.0 && (1.0..=5.0).contains(&n) {
        // The range check above makes the cast exact.
        return Ok(n as u8);
    }
    Err(format!(
        "rating {shown:?} is not a whole number of stars from 1 to 5"
    ))
}

/// A date-time cell read as a creation or follow-up time.
pub fn parse_datetime(cell: &Cell, epoch: Epoch) -> Result<Option<NaiveDateTime>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(t) => Ok(Some(*t)),
        Cell::TimeOfDay(t) => Err(format!(
            "the cell holds only a time of day ({}), not a date",
            t.format("%H:%M")
        )),
        Cell::Duration(_) => Err("the cell holds a duration, not a date".into()),
        Cell::Float(f) => serial_date(*f, epoch).map(Some),
        Cell::Digits(s) => timestamp_date(s).map(Some),
        Cell::Text(s) if s.trim().is_empty() => Ok(None),
        Cell::Text(s) => parse_date_text(s.trim()).map(Some),
        Cell::Invalid(what) => Err(format!("cell holds {what}, not a date")),
    }
}

/// A plain spreadsheet number read as a serial date in the workbook's epoch.
fn serial_date(serial: f64, epoch: Epoch) -> Result<NaiveDateTime, String> {
    let is_1904 = match epoch {
        Epoch::None => return Err(format!("the number {serial} is not a date")),
        Epoch::Excel1900 => false,
        Epoch::Excel1904 => true,
    };
    if !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!(
            "the number {serial} is not a date the spreadsheet can hold"
        ));
    }
    let date_time =
        calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, is_1904);
    date_time
        .as_datetime()
        .ok_or_else(|| format!("the number {serial} is not a date"))
}

/// Digits read as a Unix timestamp: 10 digits are seconds, 13 digits milliseconds.
fn timestamp_date(digits: &str) -> Result<NaiveDateTime, String> {
    let digits = digits.trim();
    let value: i64 = digits
        .parse()
        .map_err(|_| format!("the number {digits} is not a date"))?;
    let utc = match digits.len() {
        10 => DateTime::from_timestamp(value, 0),
        13 => DateTime::from_timestamp_millis(value),
        _ => None,
    };
    let china = chrono::TimeDelta::hours(8);
    utc.map(|t| t.naive_utc() + china).ok_or_else(|| {
        format!(
            "the number {digits} is not a date (a Unix timestamp has 10 or 13 digits; \
             outside a workbook a spreadsheet serial date cannot be read)"
        )
    })
}

/// A date written as text: `2024-01-05 10:20:00`, `2024/1/5`, `2024.01.05`,
/// `2024年1月5日 10:20`, `2024-01-05T10:20:00.000+08:00`, or a Unix timestamp.
pub fn parse_date_text(text: &str) -> Result<NaiveDateTime, String> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return timestamp_date(text);
    }
    let normal = normalize_date(text);
    let (date_part, time_part) = match normal.split_once(' ') {
        Some((d, t)) => (d, t.trim()),
        None => (normal.as_str(), ""),
    };
    let bad = || format!("date {text:?} is not a date this importer reads (e.g. 2024-01-05 10:20)");
    let date = parse_ymd(date_part).ok_or_else(bad)?;
    let time = if time_part.is_empty() {
        NaiveTime::MIN
    } else {
        parse_hms(time_part).ok_or_else(bad)?
    };
    Ok(date.and_time(time))
}

/// Brings the date spellings to `Y-M-D H:M:S`, dropping any UTC offset.
fn normalize_date(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_time = false;
    for c in text.trim().chars() {
        match c {
            '.' if in_time => out.push('.'),
            '/' | '.' | '年' | '月' => out.push('-'),
            '日' | '号' | 'T' | 't' | ' ' => {
                in_time = true;
                out.push(' ');
            }
            '时' | '点' | '分' => out.push(':'),
            '秒' => {}
            _ => out.push(c),
        }
    }
    let trimmed = strip_offset(out.trim());
    let mut collapsed = String::with_capacity(trimmed.len());
    for part in trimmed.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(part);
    }
    // 10时20分 leaves a trailing ':'.
    collapsed.trim_end_matches(':').to_string()
}

/// The date-time without a trailing `Z`, `+08:00` or `+0800`.
fn strip_offset(s: &str) -> &str {
    let s = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    let Some(time_start) = s.find(' ') else {
        return s;
    };
    match s[time_start..].rfind(['+', '-']) {
        Some(at) => s[..time_start + at].trim_end(),
        None => s,
    }
}

fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim_end_matches('-').split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1900..=2200).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

fn parse_hms(s: &str) -> Option<NaiveTime> {
    let mut parts = s.split(':');
    let hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    let (second, milli) = match parts.next() {
        None => (0, 0),
        Some(sec) => parse_seconds(sec.trim())?,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_milli_opt(hour, minute, second, milli)
}

fn parse_seconds(s: &str) -> Option<(u32, u32)> {
    let (whole, fraction) = s.split_once([',', '.']).unwrap_or((s, ""));
    let second = whole.parse().ok()?;
    if fraction.is_empty() {
        return Some((second, 0));
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let milli_digits: String = fraction.chars().chain("000".chars()).take(3).collect();
    Some((second, milli_digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, s))
            .expect("valid test date")
    }

    #[test]
    fn reads_the_rating_spellings() {
        let cases = [
            (text("5"), Ok(Some(5))),
            (text(" 5.0 "), Ok(Some(5))),
            (text("5星"), Ok(Some(5))),
            (text("4分"), Ok(Some(4))),
            (text("★★★★★"), Ok(Some(5))),
            (text("★★★☆☆"), Ok(Some(3))),
            (text("五星"), Ok(Some(5))),
            (text("三颗星"), Ok(Some(3))),
            (Cell::Digits("1".into()), Ok(Some(1))),
            (Cell::Float(2.0), Ok(Some(2))),
            (text(""), Ok(None)),
            (Cell::Empty, Ok(None)),
        ];
        for (cell, want) in cases {
            assert_eq!(parse_rating(&cell), want, "{cell:?}");
        }
    }

    #[test]
    fn rejects_ratings_outside_one_to_five() {
        for cell in [
            text("6"),
            text("0"),
            text("4.5"),
            text("好评"),
            text("☆☆☆☆☆"),
            Cell::Float(10.0),
        ] {
            assert!(parse_rating(&cell).is_err(), "{cell:?}");
        }
    }

    #[test]
    fn reads_date_spellings() {
        let cases = [
            ("2024-01-05 10:20:00", at(2024, 1, 5, 10, 20, 0)),
            ("2024-01-05 10:20", at(2024, 1, 5, 10, 20, 0)),
            ("2024-01-05", at(2024, 1, 5, 0, 0, 0)),
            ("2024/1/5", at(2024, 1, 5, 0, 0, 0)),
            ("2024.01.05 8:05:09", at(2024, 1, 5, 8, 5, 9)),
            ("2024年1月5日 10:20", at(2024, 1, 5, 10, 20, 0)),
            ("2024年1月5日10时20分", at(2024, 1, 5, 10, 20, 0)),
            ("2024-01-05T10:20:00Z", at(2024, 1, 5, 10, 20, 0)),
            ("2024-01-05T10:20:00.500+08:00", at(2024, 1, 5, 10, 20, 0)),
            ("2024-01-05 10:20:00 +0800", at(2024, 1, 5, 10, 20, 0)),
            ("1704421200", at(2024, 1, 5, 10, 20, 0)),
            ("1704421200000", at(2024, 1, 5, 10, 20, 0)),
        ];
        for (raw, want) in cases {
            let got = parse_date_text(raw).map(|t| t.with_nanosecond_zero());
            assert_eq!(got, Ok(want), "{raw}");
        }
    }

    trait NoNanos {
        fn with_nanosecond_zero(self) -> Self;
    }

    impl NoNanos for NaiveDateTime {
        fn with_nanosecond_zero(self) -> Self {
            use chrono::Timelike;
            self.with_nanosecond(0).unwrap_or(self)
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for raw in [
            "昨天",
            "2024-13-01",
            "2024-02-30",
            "05/01",
            "12345",
            "2024-01-05 25:00",
        ] {
            assert!(parse_date_text(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn reads_spreadsheet_cells_as_dates() {
        let noon = at(2024, 1, 1, 12, 0, 0);
        assert_eq!(
            parse_datetime(&Cell::Float(45292.5), Epoch::Excel1900),
            Ok(Some(noon))
        );
        let in_1904 = parse_datetime(&Cell::Float(45292.5 - 1462.0), Epoch::Excel1904);
        assert_eq!(in_1904, Ok(Some(noon)));
        assert!(parse_datetime(&Cell::Float(45292.5), Epoch::None).is_err());
        let quarter_past = NaiveTime::from_hms_opt(0, 15, 0).expect("valid time");
        assert!(parse_datetime(&Cell::TimeOfDay(quarter_past), Epoch::Excel1900).is_err());
    }

    #[test]
    fn keeps_ids_exact() {
        assert_eq!(Cell::Float(12345.0).to_text(), Ok("12345".into()));
        assert!(Cell::Float(1.2345678901234567e19).to_text().is_err());
        let digits = Cell::Digits("123456789012345678901".into());
        assert_eq!(digits.to_text(), Ok("123456789012345678901".into()));
    }
}
