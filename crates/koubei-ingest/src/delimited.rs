//! Delimited text (CSV, TSV, Excel "Unicode text"): delimiter sniffing and records.
//!
//! The file's decoded text is parsed by the `csv` crate in flexible mode, so a record
//! with the wrong number of fields is reported with its row instead of stopping the file.
//!
//! **Delimiter.** Unless forced, the delimiter is sniffed among `,` tab `;` `|` by parsing
//! the first records with each, quoting on and off (the better of the two counts, so that
//! one typed quote cannot hide the delimiter): a header of two or more fields whose
//! records mostly have the same number of fields wins, then the most consistent, then the
//! widest header; ties go to the earlier candidate. An Excel `sep=;` first line is
//! honoured.
//!
//! **Stray quotes.** Reviewers type quotes. Inside an unquoted cell (`他说"还行`) the `csv`
//! crate keeps them literally. Inside a quoted cell (`"说是"静音"，其实很吵"`) it would end
//! the cell at the second quote and silently drop quotes; such a record is re-read with
//! the rule "a quote closes the cell only before a delimiter or the end of the record", so
//! the inner quotes are kept as typed. A lone quote opening a cell would swallow the lines
//! after it: when the first line of such a record reads as a complete record on its own,
//! it is taken as one and reading resumes on the next line. Anything still inconsistent
//! is reported with its row and physical line.

use std::io::Cursor;

use crate::error::delimiter_name;
use crate::record::{Mapper, RawRow, RowFault};
use crate::value::Cell;

/// Delimiters the sniffer chooses among, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
/// Bytes of text the sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;
/// Records the sniffer parses per candidate.
const SNIFF_RECORDS: usize = 50;

/// The delimiter of a delimited text.
pub fn sniff_delimiter(text: &str) -> u8 {
    let (sample, truncated) = sniff_sample(text);
    let mut best = (b',', (false, 0, 0));
    for delimiter in CANDIDATES {
        // Without quoting too, so that one typed quote cannot hide the real delimiter.
        let key = score(sample, truncated, delimiter, true)
            .max(score(sample, truncated, delimiter, false));
        tracing::debug!(delimiter = %delimiter_name(delimiter), ?key, "delimiter candidate");
        if key > best.1 {
            best = (delimiter, key);
        }
    }
    best.0
}

fn sniff_sample(text: &str) -> (&str, bool) {
    if text.len() <= SNIFF_BYTES {
        return (text, false);
    }
    let mut end = SNIFF_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// (has a real header and consistent records, consistency in percent, header width).
fn score(sample: &str, truncated: bool, delimiter: u8, quoting: bool) -> (bool, u32, usize) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(quoting)
        .delimiter(delimiter)
        .from_reader(sample.as_bytes());
    let mut widths: Vec<usize> = reader
        .records()
        .take(SNIFF_RECORDS)
        .filter_map(Result::ok)
        .map(|r| r.len())
        .collect();
    if truncated && widths.len() > SNIFF_RECORDS.min(2) {
        widths.pop();
    }
    let Some((&header, rest)) = widths.split_first() else {
        return (false, 0, 0);
    };
    let consistency = if rest.is_empty() {
        100
    } else {
        let same = rest.iter().filter(|&&w| w == header).count();
        u32::try_from(same * 100 / rest.len()).unwrap_or(0)
    };
    (header >= 2 && consistency >= 50, consistency, header)
}

/// The `sep=X` hint Excel writes as a first line, if present.
fn excel_sep_hint(text: &str) -> Option<u8> {
    let first = text.lines().next()?.trim();
    let rest = first.strip_prefix("sep=")?;
    match rest.as_bytes() {
        [d] => Some(*d),
        _ => None,
    }
}

/// Reads records from a delimited text.
pub struct DelimitedSource {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::StringRecord,
    delimiter: u8,
    width: usize,
    header_line: u64,
    row: u64,
}

/// A delimited text opened and its header read.
pub struct Opened {
    pub source: DelimitedSource,
    pub headers: Vec<String>,
    pub delimiter: u8,
    pub len_hint: u64,
}

impl DelimitedSource {
    /// Parses the header of `text`; `None` when the text has no non-blank record.
    pub fn open(text: String, forced: Option<u8>) -> Option<Opened> {
        let hint = excel_sep_hint(&text);
        let delimiter = forced.or(hint).unwrap_or_else(|| sniff_delimiter(&text));
        let lines = count_newlines(text.as_bytes()) + u64::from(!text.ends_with('\n'));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(Cursor::new(text.into_bytes()));
        let mut record = csv::StringRecord::new();
        if hint.is_some() {
            reader.read_record(&mut record).ok()?;
        }
        let headers = read_header(&mut reader, &mut record)?;
        let header_line = record.position().map_or(1, csv::Position::line);
        let source = DelimitedSource {
            reader,
            record,
            delimiter,
            width: headers.len(),
            header_line,
            row: 0,
        };
        Some(Opened {
            source,
            len_hint: lines.saturating_sub(header_line),
            headers,
            delimiter,
        })
    }

    /// The next record with a row number, `None` at the end of the text.
    pub fn next_row(&mut self, mapper: &Mapper) -> Option<Result<RawRow, RowFault>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(err) => {
                    self.row += 1;
                    return Some(Err(RowFault {
                        row: self.row,
                        message: format!("unreadable record: {err}"),
                    }));
                }
            }
            self.row += 1;
            if self.record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Some(self.current_row(mapper));
        }
    }

    fn current_row(&mut self, mapper: &Mapper) -> Result<RawRow, RowFault> {
        let start = self
            .record
            .position()
            .cloned()
            .unwrap_or_else(csv::Position::new);
        let end = self.reader.position().byte();
        let location = self.location(start.line());
        let repaired = match self.raw_if_quoted(start.byte(), end) {
            Some(raw) => self.repair(&start, &raw),
            None => None,
        };

        let fields: Vec<&str> = match &repaired {
            Some(fields) => fields.iter().map(String::as_str).collect(),
            None => self.record.iter().collect(),
        };
        self.check_width(&fields, location.as_deref(), start.line())?;
        let cells = fields
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mapper.field_of(*i).is_some())
            .map(|(i, f)| (i, Cell::Text(f.to_string())))
            .collect();
        Ok(RawRow {
            row: self.row,
            location,
            cells,
        })
    }

    /// The record's raw text when it has a quote in it (only then can it need repair).
    fn raw_if_quoted(&self, start: u64, end: u64) -> Option<String> {
        let bytes = self.reader.get_ref().get_ref();
        let range = usize::try_from(start).ok()?..usize::try_from(end).ok()?;
        let raw = bytes.get(range)?;
        raw.contains(&b'"')
            .then(|| String::from_utf8_lossy(raw).into_owned())
    }

    /// Fields re-read leniently when the `csv` crate would have dropped quotes, or `None`.
    fn repair(&mut self, start: &csv::Position, raw: &str) -> Option<Vec<String>> {
        if self.record.len() != self.width && raw.trim_end().contains('\n') {
            return self.split_swallowed_record(start, raw);
        }
        if !has_stray_quote(raw, self.delimiter) {
            return None;
        }
        let fields = lenient_fields(raw, self.delimiter);
        tracing::debug!(row = self.row, "re-read a quoted cell with stray quotes");
        (fields.len() == self.width).then_some(fields)
    }

    /// A lone opening quote swallowed the lines after it: take the first line alone if it
    /// is a complete record and resume reading on the next line.
    fn split_swallowed_record(&mut self, start: &csv::Position, raw: &str) -> Option<Vec<String>> {
        let line_len = raw.find('\n')? + 1;
        let line = &raw[..line_len];
        let mut fields = lenient_fields(line, self.delimiter);
        if fields.len() != self.width {
            // The quote opening a cell was typed, not a CSV quote: every quote is literal.
            fields = line
                .trim_end_matches(['\r', '\n'])
                .split(char::from(self.delimiter))
                .map(str::to_string)
                .collect();
        }
        if fields.len() != self.width {
            return None;
        }
        let mut resume = csv::Position::new();
        resume
            .set_byte(start.byte() + line_len as u64)
            .set_line(start.line() + 1)
            .set_record(start.record() + 1);
        self.reader.seek(resume).ok()?;
        tracing::debug!(
            row = self.row,
            "a lone quote opened a cell; record ends at its line"
        );
        Some(fields)
    }

    fn check_width(
        &self,
        fields: &[&str],
        location: Option<&str>,
        line: u64,
    ) -> Result<(), RowFault> {
        let extra_empty =
            fields.len() > self.width && fields[self.width..].iter().all(|f| f.trim().is_empty());
        if fields.len() == self.width || extra_empty {
            return Ok(());
        }
        let at = location.map_or_else(|| format!("line {line}"), str::to_string);
        let message = format!(
            "expected {} fields as in the header, found {} ({at}, split on {}); a cell may hold \
             an unquoted delimiter or an unbalanced quote",
            self.width,
            fields.len(),
            delimiter_name(self.delimiter)
        );
        Err(RowFault {
            row: self.row,
            message,
        })
    }

    /// `line N` when the record does not sit on the line its row number suggests.
    fn location(&self, line: u64) -> Option<String> {
        (line != self.header_line + self.row).then(|| format!("line {line}"))
    }
}

fn read_header(
    reader: &mut csv::Reader<Cursor<Vec<u8>>>,
    record: &mut csv::StringRecord,
) -> Option<Vec<String>> {
    loop {
        if !reader.read_record(record).ok()? {
            return None;
        }
        if record.iter().any(|f| !f.trim().is_empty()) {
            return Some(record.iter().map(|h| h.trim().to_string()).collect());
        }
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Whether a quoted cell in `raw` has a quote the `csv` crate would take as its end
/// although no delimiter or record end follows it.
fn has_stray_quote(raw: &str, delimiter: u8) -> bool {
    let bytes = raw.trim_end_matches(['\r', '\n']).as_bytes();
    let mut i = 0;
    let mut at_field_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if at_field_start && b == b'"' {
            match closing_quote(bytes, i + 1) {
                Some(close) if is_cell_end(bytes, close + 1, delimiter) => i = close + 1,
                _ => return true,
            }
            at_field_start = false;
            continue;
        }
        at_field_start = b == delimiter;
        i += 1;
    }
    false
}

/// Index of the quote that ends a quoted cell opened before `from` (`""` is an escape).
fn closing_quote(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            if bytes.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn is_cell_end(bytes: &[u8], at: usize, delimiter: u8) -> bool {
    match bytes.get(at) {
        None => true,
        Some(&b) => b == delimiter || b == b'\r' || b == b'\n',
    }
}

/// Splits one record, taking a quote inside a quoted cell literally unless it is doubled
/// or stands before a delimiter or the end of the record.
fn lenient_fields(raw: &str, delimiter: u8) -> Vec<String> {
    let raw = raw.trim_end_matches(['\r', '\n']);
    let bytes = raw.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let (field, next) = if bytes.get(i) == Some(&b'"') {
            lenient_quoted(raw, i + 1, delimiter)
        } else {
            let end = bytes[i..]
                .iter()
                .position(|&b| b == delimiter)
                .map_or(bytes.len(), |p| i + p);
            (raw[i..end].to_string(), end)
        };
        fields.push(field);
        if next >= bytes.len() {
            return fields;
        }
        // `next` is at a delimiter.
        i = next + 1;
        if i == bytes.len() {
            fields.push(String::new());
            return fields;
        }
    }
}

/// A quoted cell starting at `from` (after its opening quote): its text and where it ends.
fn lenient_quoted(raw: &str, from: usize, delimiter: u8) -> (String, usize) {
    let bytes = raw.as_bytes();
    let mut field = String::new();
    let mut segment = from;
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'"') {
            field.push_str(&raw[segment..=i]);
            i += 2;
            segment = i;
        } else if i + 1 == bytes.len() || bytes[i + 1] == delimiter {
            field.push_str(&raw[segment..i]);
            return (field, i + 1);
        } else {
            i += 1;
        }
    }
    field.push_str(&raw[segment..]);
    (field, bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_delimiter() {
        let cases = [
            ("评论内容,评分\n好,5\n差,1\n", b','),
            ("label\tcategory\ttext\n1\t书籍\t好书, 推荐; 值得\n", b'\t'),
            ("评论内容;评分\n吸力很强, 噪音小;5\n续航短;2\n", b';'),
            ("a|b|c\n1|2|3\n", b'|'),
            ("评论\n好, 很好\n一般\n", b'\t'),
            ("评论\n好\n", b','),
        ];
        for (text, want) in cases {
            assert_eq!(sniff_delimiter(text), want, "{text:?}");
        }
    }

    #[test]
    fn honours_excel_sep_hint() {
        assert_eq!(excel_sep_hint("sep=;\na;b\n"), Some(b';'));
        assert_eq!(excel_sep_hint("a;b\n"), None);
    }

    #[test]
    fn finds_stray_quotes_only_in_quoted_cells() {
        let cases = [
            ("\"说是\"静音\"，其实很吵\",1\n", true),
            ("这就是所谓的\"静音\"模式,1\n", false),
            ("他说\"还行,3\n", false),
            ("\"包装完好\",5\r\n", false),
            ("\"a \"\"b\"\" c\",5\n", false),
            ("\"未闭合,5\n", true),
        ];
        for (raw, want) in cases {
            assert_eq!(has_stray_quote(raw, b','), want, "{raw}");
        }
    }

    #[test]
    fn lenient_split_keeps_typed_quotes() {
        let cases: [(&str, &[&str]); 4] = [
            (
                "\"说是\"静音\"，其实很吵\",1,x\n",
                &["说是\"静音\"，其实很吵", "1", "x"],
            ),
            ("\"a \"\"b\"\"\",2\r\n", &["a \"b\"", "2"]),
            ("他说\"还行,3,\n", &["他说\"还行", "3", ""]),
            ("\"他说还行,3\n", &["他说还行,3"]),
        ];
        for (raw, want) in cases {
            assert_eq!(lenient_fields(raw, b','), want, "{raw}");
        }
    }
}
