//! JSON exports: a top-level array of objects, or JSON Lines (one object per line).
//!
//! The layout is told by content: text whose first character is `[` is an array, `{` is
//! JSON Lines. Keys play the part of column headers; the columns are every key in the
//! order first seen. Values are read raw, so numbers keep the digits written (a review
//! id of 20 digits stays exact) and `\uXXXX` escapes, surrogate pairs included, decode to
//! their characters. A key that is absent or `null` is absent from the record.
//!
//! A broken array stops the file (its extent is unknown); a broken line of JSON Lines is
//! reported with its row and the reading goes on.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::record::{Mapper, RawRow, RowFault};
use crate::value::Cell;

/// Whether the text is a JSON array, JSON Lines, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Array,
    Lines,
}

/// The JSON layout the text's first characters announce, if any.
pub fn detect_layout(text: &str) -> Option<Layout> {
    let mut rest = text.trim_start().chars().filter(|c| !c.is_whitespace());
    match rest.next()? {
        '{' => Some(Layout::Lines),
        '[' => matches!(rest.next(), Some('{' | ']') | None).then_some(Layout::Array),
        _ => None,
    }
}

/// One record's place in the text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    line: u64,
}

/// Reads records from a JSON text.
pub struct JsonSource {
    text: String,
    spans: Vec<Span>,
    next: usize,
    layout: Layout,
    column_of: HashMap<String, usize>,
}

/// A JSON text opened and its keys collected.
pub struct Opened {
    pub source: JsonSource,
    pub headers: Vec<String>,
    pub len_hint: u64,
}

impl JsonSource {
    /// Splits the text into records; an error message when an array does not parse.
    pub fn open(text: String, layout: Layout) -> Result<Opened, String> {
        let spans = match layout {
            Layout::Array => array_spans(&text)?,
            Layout::Lines => line_spans(&text),
        };
        let headers = collect_keys(&text, &spans);
        let column_of = headers
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let len_hint = spans.len() as u64;
        let source = JsonSource {
            text,
            spans,
            next: 0,
            layout,
            column_of,
        };
        Ok(Opened {
            source,
            headers,
            len_hint,
        })
    }

    /// The next record, `None` after the last.
    pub fn next_row(&mut self, mapper: &Mapper) -> Option<Result<RawRow, RowFault>> {
        loop {
            let span = *self.spans.get(self.next)?;
            self.next += 1;
            let row = self.next as u64;
            let location = (self.layout == Layout::Array || span.line != row)
                .then(|| format!("line {}", span.line));
            let object = match serde_json::from_str::<Object<'_>>(&self.text[span.start..span.end])
            {
                Ok(object) => object,
                Err(err) => {
                    let at = location.unwrap_or_else(|| format!("line {}", span.line));
                    let message = format!("not a JSON object: {err} ({at})");
                    return Some(Err(RowFault { row, message }));
                }
            };
            let cells: Vec<(usize, Cell)> = object
                .0
                .into_iter()
                .filter_map(|(key, raw)| Some((*self.column_of.get(&key)?, json_cell(raw)?)))
                .collect();
            if cells.iter().all(|(_, c)| c.is_blank()) {
                continue;
            }
            let cells = cells
                .into_iter()
                .filter(|(i, _)| mapper.field_of(*i).is_some())
                .collect();
            return Some(Ok(RawRow {
                row,
                location,
                cells,
            }));
        }
    }
}

fn array_spans(text: &str) -> Result<Vec<Span>, String> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let base = text.as_ptr() as usize;
    let mut spans = Vec::with_capacity(items.len());
    let mut line = 1;
    let mut counted_to = 0;
    for item in items {
        let start = item.get().as_ptr() as usize - base;
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = start;
        spans.push(Span {
            start,
            end: start + item.get().len(),
            line,
        });
    }
    Ok(spans)
}

fn line_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (index, line) in text.split('\n').enumerate() {
        let end = start + line.len();
        if !line.trim().is_empty() {
            spans.push(Span {
                start,
                end,
                line: index as u64 + 1,
            });
        }
        start = end + 1;
    }
    spans
}

/// Every key of every object, in the order first seen.
fn collect_keys(text: &str, spans: &[Span]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for span in spans {
        if let Ok(KeysOnly(found)) = serde_json::from_str(&text[span.start..span.end]) {
            for key in found {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

/// A JSON value as a cell; `None` for `null`.
fn json_cell(raw: &RawValue) -> Option<Cell> {
    let json = raw.get().trim();
    let cell = match json.as_bytes().first()? {
        b'"' => match serde_json::from_str::<String>(json) {
            Ok(s) => Cell::Text(s),
            Err(e) => Cell::Invalid(format!("a broken JSON string ({e})")),
        },
        b'n' => return None,
        b't' | b'f' => Cell::Text(json.to_string()),
        b'{' | b'[' => Cell::Invalid("a nested JSON object or array".to_string()),
        _ => Cell::Digits(json.to_string()),
    };
    Some(cell)
}

/// A JSON object's members in file order, values left raw.
struct Object<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

struct ObjectVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ObjectVisitor<'a> {
    type Value = Object<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Object<'a>, M::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            members.push((key, value));
        }
        Ok(Object(members))
    }
}

/// Only the keys of a JSON object.
struct KeysOnly(Vec<String>);

impl<'de> Deserialize<'de> for KeysOnly {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KeysVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = KeysOnly;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<KeysOnly, M::Error> {
        let mut keys = Vec::new();
        while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
            keys.push(key);
        }
        Ok(KeysOnly(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_layout_by_content() {
        let cases = [
            ("[{\"a\":1}]", Some(Layout::Array)),
            ("  [\n {", Some(Layout::Array)),
            ("[]", Some(Layout::Array)),
            ("{\"a\":1}\n{\"a\":2}", Some(Layout::Lines)),
            ("[追评]很好,5", None),
            ("评论内容,评分", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect_layout(text), want, "{text}");
        }
    }

    #[test]
    fn numbers_keep_their_digits_and_escapes_decode() {
        let raw: Box<RawValue> = serde_json::from_str("123456789012345678901234").expect("json");
        assert_eq!(
            json_cell(&raw),
            Some(Cell::Digits("123456789012345678901234".into()))
        );
        let raw: Box<RawValue> = serde_json::from_str(r#""\u566a\ud83d\ude21""#).expect("json");
        assert_eq!(json_cell(&raw), Some(Cell::Text("噪😡".into())));
        let raw: Box<RawValue> = serde_json::from_str("null").expect("json");
        assert_eq!(json_cell(&raw), None);
    }

    #[test]
    fn spans_carry_line_numbers() {
        let text = "[\n {\"a\": 1},\n\n {\"a\": 2}\n]";
        let spans = array_spans(text).expect("valid array");
        let lines: Vec<u64> = spans.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 4]);
        let lines: Vec<u64> = line_spans("{}\n\n{}\n").iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 3]);
    }
}
