//! A [`Report`]: the figures of one evaluation, printed as a table or serialised as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::Format;
use crate::metrics::Confusion;

/// One named figure, such as `accuracy` 0.912.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
}

/// A row the engine got wrong: what the file says and what the engine said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub id: String,
    pub text: String,
    pub expected: String,
    pub got: String,
}

/// Everything `koubei eval` says about one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format: Format,
    /// The file evaluated.
    pub source: String,
    pub rows: usize,
    /// How the figures were obtained: `whole file`, or `5-fold` when a trained part of the
    /// engine was retrained on the other folds.
    pub scheme: String,
    pub figures: Vec<Figure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Confusion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    pub(crate) fn new(format: Format, rows: usize) -> Report {
        Report {
            format,
            source: String::new(),
            rows,
            scheme: "whole file".to_string(),
            figures: Vec::new(),
            confusion: None,
            failures: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn figure(&mut self, name: &str, value: f64) {
        self.figures.push(Figure {
            name: name.to_string(),
            value,
        });
    }

    /// The value of a named figure.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value)
    }

    /// A plain-text table for people.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} ({} format, {} rows, {})",
            self.source, self.format, self.rows, self.scheme
        );
        let width = self.figures.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &self.figures {
            let _ = writeln!(out, "  {:<width$}  {}", f.name, show(f.value));
        }
        if let Some(table) = &self.confusion {
            out.push_str(&confusion_table(table));
        }
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if !self.failures.is_empty() {
            let _ = writeln!(out, "  failures ({}):", self.failures.len());
            for f in &self.failures {
                let _ = writeln!(out, "    {} {:?}", f.id, f.text);
                let _ = writeln!(out, "      expected: {}", f.expected);
                let _ = writeln!(out, "      got:      {}", f.got);
            }
        }
        out
    }
}

/// Counts print as integers, shares with three decimals.
fn show(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() >= 1.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

fn confusion_table(table: &Confusion) -> String {
    let width = table
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    let mut out = format!(
        "  confusion (rows: gold, columns: predicted)\n  {:<width$}",
        ""
    );
    for label in &table.labels {
        let _ = write!(out, " {label:>width$}");
    }
    out.push('\n');
    for (g, label) in table.labels.iter().enumerate() {
        if g >= table.gold_classes && table.counts[g].iter().all(|&n| n == 0) {
            continue;
        }
        let _ = write!(out, "  {label:<width$}");
        for n in &table.counts[g] {
            let _ = write!(out, " {n:>width$}");
        }
        let score = (g < table.gold_classes).then(|| table.class_score(g));
        if let Some(s) = score {
            let _ = write!(
                out,
                "   p {:.3} r {:.3} f1 {:.3}",
                s.precision, s.recall, s.f1
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_figures_confusion_and_failures() {
        let mut report = Report::new(Format::Polarity, 2);
        report.source = "tiny.tsv".into();
        report.figure("accuracy", 0.5);
        let mut table = Confusion::new(&["positive", "negative"]);
        table.add("positive", "positive");
        table.add("negative", "positive");
        report.confusion = Some(table);
        report.failures.push(Failure {
            id: "2".into(),
            text: "不好".into(),
            expected: "negative".into(),
            got: "positive".into(),
        });
        let text = report.to_table();
        assert!(text.contains("accuracy"), "{text}");
        assert!(text.contains("0.500"), "{text}");
        assert!(text.contains("confusion"), "{text}");
        assert!(text.contains("expected: negative"), "{text}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["figures"][0]["name"], "accuracy");
        assert_eq!(json["format"], "polarity");
    }
}
