//! Readers: one function per labelled format, from the file's text to rows.
//!
//! Readers take the whole text (the caller reads the file) so that tests run on tiny
//! inline samples. A malformed row is an error naming its line (counted from 1, header
//! included); blank lines are skipped.

use koubei_core::Polarity;
use serde::Deserialize;

use crate::EvalError;

/// A review with a two-class label (polarity TSV).
#[derive(Debug, Clone, PartialEq)]
pub struct PolarityRow {
    pub positive: bool,
    pub category: Option<String>,
    pub text: String,
}

/// A sentence, one aspect term in it and the gold polarity towards it (Peng TSV).
#[derive(Debug, Clone, PartialEq)]
pub struct AspectRow {
    pub text: String,
    pub aspect: String,
    pub polarity: Polarity,
}

/// A text with gold (category, polarity) opinions: SemEval-2016 sentences and ZhejiangLab
/// cosmetics reviews. `opinions` may repeat a pair; scorers dedupe.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    pub id: String,
    pub text: String,
    pub opinions: Vec<(String, Polarity)>,
}

/// One hard case: the review polarity and the polarity of each listed aspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub polarity: Polarity,
    pub aspects: Vec<CaseAspect>,
    /// The two-class reading of a `mixed` case, when the case gives one.
    pub binary_fallback: Option<Polarity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseAspect {
    pub aspect: String,
    pub polarity: Polarity,
    pub opinion: String,
}

/// Reads `label\ttext` or `label\tcategory\ttext` rows (a header naming the columns is
/// expected; without one, two or three columns are taken in that order).
pub fn polarity_tsv(text: &str) -> Result<Vec<PolarityRow>, EvalError> {
    let mut lines = numbered_lines(text).peekable();
    let first = lines.peek().map(|(_, l)| *l).unwrap_or_default();
    let named = first
        .split('\t')
        .any(|c| c.trim().eq_ignore_ascii_case("label"));
    let (label, category, text_col) = if named {
        let columns = header(first);
        lines.next();
        let need = |name| position(&columns, name);
        (
            need("label")?,
            position(&columns, "category").ok(),
            need("text")?,
        )
    } else if first.split('\t').count() >= 3 {
        (0, Some(1), 2)
    } else {
        (0, None, 1)
    };
    lines
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let positive = match field(&fields, label, n)?.trim() {
                "1" => true,
                "0" => false,
                other => return Err(row(n, format!("label {other:?} is neither 1 nor 0"))),
            };
            Ok(PolarityRow {
                positive,
                category: category
                    .and_then(|c| fields.get(c))
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
                text: field(&fields, text_col, n)?.to_string(),
            })
        })
        .collect()
}

/// Reads Peng-format rows: `text\taspect\tpolarity` with a header.
pub fn peng_tsv(text: &str) -> Result<Vec<AspectRow>, EvalError> {
    let mut lines = numbered_lines(text);
    let columns = header(lines.next().map(|(_, l)| l).unwrap_or_default());
    let (t, a, p) = (
        position(&columns, "text")?,
        position(&columns, "aspect")?,
        position(&columns, "polarity")?,
    );
    lines
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            Ok(AspectRow {
                text: field(&fields, t, n)?.to_string(),
                aspect: field(&fields, a, n)?.trim().to_string(),
                polarity: polarity(field(&fields, p, n)?, n)?,
            })
        })
        .collect()
}

/// Reads SemEval-2016 rows: `sentence_id\ttext\topinions`, opinions `CAT:polarity;…`.
pub fn semeval_tsv(text: &str) -> Result<Vec<CategoryRow>, EvalError> {
    let mut lines = numbered_lines(text);
    let columns = header(lines.next().map(|(_, l)| l).unwrap_or_default());
    let (i, t, o) = (
        position(&columns, "sentence_id")?,
        position(&columns, "text")?,
        position(&columns, "opinions")?,
    );
    lines
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let opinions = fields.get(o).copied().unwrap_or_default();
            Ok(CategoryRow {
                id: field(&fields, i, n)?.trim().to_string(),
                text: field(&fields, t, n)?.to_string(),
                opinions: semeval_opinions(opinions, n)?,
            })
        })
        .collect()
}

fn semeval_opinions(cell: &str, line: usize) -> Result<Vec<(String, Polarity)>, EvalError> {
    cell.split(';')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let (category, pol) = o
                .rsplit_once(':')
                .ok_or_else(|| row(line, format!("opinion {o:?} has no `:polarity`")))?;
            Ok((category.trim().to_string(), polarity(pol, line)?))
        })
        .collect()
}

#[derive(Deserialize)]
struct CosmeticsLine {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    labels: Vec<CosmeticsLabel>,
}

#[derive(Deserialize)]
struct CosmeticsLabel {
    #[serde(rename = "Categories")]
    category: String,
    #[serde(rename = "Polarities")]
    polarity: String,
}

/// Reads ZhejiangLab cosmetics JSON Lines: `{"id", "text", "labels": [{"Categories",
/// "Polarities", …}]}`.
pub fn cosmetics_jsonl(text: &str) -> Result<Vec<CategoryRow>, EvalError> {
    numbered_lines(text)
        .map(|(n, line)| {
            let parsed: CosmeticsLine =
                serde_json::from_str(line).map_err(|e| row(n, e.to_string()))?;
            let opinions = parsed
                .labels
                .iter()
                .map(|l| Ok((l.category.trim().to_string(), polarity(&l.polarity, n)?)))
                .collect::<Result<_, EvalError>>()?;
            Ok(CategoryRow {
                id: json_id(&parsed.id, n),
                text: parsed.text,
                opinions,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct CaseLine {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    category: String,
    text: String,
    polarity: String,
    #[serde(default)]
    aspects: Vec<CaseAspectLine>,
    #[serde(default)]
    expect: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct CaseAspectLine {
    aspect: String,
    polarity: String,
    #[serde(default)]
    opinion: String,
}

/// Reads the hard cases (`review_cases.jsonl`).
pub fn cases_jsonl(text: &str) -> Result<Vec<Case>, EvalError> {
    numbered_lines(text)
        .map(|(n, line)| {
            let parsed: CaseLine = serde_json::from_str(line).map_err(|e| row(n, e.to_string()))?;
            let aspects = parsed
                .aspects
                .into_iter()
                .map(|a| {
                    Ok(CaseAspect {
                        polarity: polarity(&a.polarity, n)?,
                        aspect: a.aspect,
                        opinion: a.opinion,
                    })
                })
                .collect::<Result<_, EvalError>>()?;
            let binary_fallback = parsed
                .expect
                .as_ref()
                .and_then(|e| e.get("binary_fallback"))
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok());
            Ok(Case {
                id: json_id(&parsed.id, n),
                kind: parsed.category,
                text: parsed.text,
                polarity: polarity(&parsed.polarity, n)?,
                aspects,
                binary_fallback,
            })
        })
        .collect()
}

/// Non-blank lines with their 1-based numbers, a leading byte-order mark removed.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

fn header(line: &str) -> Vec<String> {
    line.split('\t').map(|c| c.trim().to_lowercase()).collect()
}

fn position(columns: &[String], name: &str) -> Result<usize, EvalError> {
    columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| EvalError::Header(format!("no `{name}` column in {columns:?}")))
}

fn field<'a>(fields: &[&'a str], index: usize, line: usize) -> Result<&'a str, EvalError> {
    fields
        .get(index)
        .copied()
        .ok_or_else(|| row(line, format!("missing column {}", index + 1)))
}

fn polarity(value: &str, line: usize) -> Result<Polarity, EvalError> {
    value.parse().map_err(|e: String| row(line, e))
}

fn json_id(id: &serde_json::Value, line: usize) -> String {
    match id {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => format!("line {line}"),
        other => other.to_string(),
    }
}

fn row(line: usize, message: String) -> EvalError {
    EvalError::Row { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polarity_rows_with_and_without_category() {
        let rows =
            polarity_tsv("label\tcategory\ttext\n1\t手机\t很好用\n0\t酒店\t太吵了\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].positive);
        assert_eq!(rows[1].category.as_deref(), Some("酒店"));
        let rows = polarity_tsv("label\ttext\r\n0\t不好\r\n\r\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text, "不好");
        assert_eq!(rows[0].category, None);
    }

    #[test]
    fn a_bad_label_names_its_line() {
        let err = polarity_tsv("label\ttext\n1\t好\n2\t坏\n").unwrap_err();
        assert!(matches!(err, EvalError::Row { line: 3, .. }), "{err}");
    }

    #[test]
    fn peng_rows() {
        let rows = peng_tsv("text\taspect\tpolarity\n屏幕大小适中\t屏幕大小\tPositive\n").unwrap();
        assert_eq!(rows[0].aspect, "屏幕大小");
        assert_eq!(rows[0].polarity, Polarity::Positive);
        assert!(peng_tsv("text\tpolarity\nx\tPositive\n").is_err());
    }

    #[test]
    fn semeval_rows_split_their_opinions() {
        let text = "sentence_id\ttext\topinions\n1:0\t开头，\t\n\
                    1:1\t屏幕很清楚，电池不耐用\tDISPLAY#QUALITY:positive;BATTERY#OPERATION_PERFORMANCE:negative\n";
        let rows = semeval_tsv(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].opinions.is_empty());
        assert_eq!(
            rows[1].opinions[1],
            (
                "BATTERY#OPERATION_PERFORMANCE".to_string(),
                Polarity::Negative
            )
        );
    }

    #[test]
    fn cosmetics_rows_read_categories_and_chinese_polarities() {
        let line = r#"{"id": "1", "text": "很好，超值", "labels": [{"AspectTerms": "_", "OpinionTerms": "很好", "Categories": "整体", "Polarities": "正面"}, {"AspectTerms": "_", "OpinionTerms": "超值", "Categories": "价格", "Polarities": "中性"}]}"#;
        let rows = cosmetics_jsonl(line).unwrap();
        assert_eq!(rows[0].id, "1");
        assert_eq!(rows[0].opinions[1], ("价格".to_string(), Polarity::Neutral));
        assert!(cosmetics_jsonl("{not json").is_err());
    }

    #[test]
    fn cases_keep_aspects_and_the_binary_fallback() {
        let line = r#"{"id": "HC-14", "category": "CON", "text": "虽然很好用，但是太贵了", "polarity": "mixed", "aspects": [{"aspect": "价格", "polarity": "negative", "opinion": "太贵了"}], "expect": {"binary_fallback": "negative"}}"#;
        let cases = cases_jsonl(line).unwrap();
        assert_eq!(cases[0].polarity, Polarity::Mixed);
        assert_eq!(cases[0].aspects[0].aspect, "价格");
        assert_eq!(cases[0].binary_fallback, Some(Polarity::Negative));
    }
}
