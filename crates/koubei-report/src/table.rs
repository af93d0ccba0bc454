//! The report as a plain-text table for the terminal.

use std::fmt::Write;

use crate::{IndicatorRow, Report};

/// Renders the report as aligned text: totals, the indicator table, typical opinions and
/// negative reasons.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "评论 reviews: {}  正面 positive: {}  中性 neutral: {}  负面 negative: {}  混合 mixed: {}  \
         排除 excluded (flagged): {}  提及 mentions: {}",
        s.reviews, s.positive, s.neutral, s.negative, s.mixed, s.excluded, s.mentions
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<32} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "指标 indicator", "提及", "正面", "中性", "负面", "满意度", "净情感"
    );
    for row in &report.indicators {
        let _ = writeln!(out, "{}", indicator_line(row));
    }
    write_opinions(
        &mut out,
        "典型观点 typical opinions",
        &report.typical_opinions,
    );
    write_opinions(
        &mut out,
        "负面原因 negative reasons",
        &report.negative_reasons,
    );
    out
}

fn indicator_line(row: &IndicatorRow) -> String {
    let st = &row.stat;
    let name = st.indicator.rsplit('/').next().unwrap_or(&st.indicator);
    let label = format!("{}{}", "  ".repeat(st.depth), name);
    format!(
        "{} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        pad(&label, 32),
        st.mentions,
        st.positive,
        st.neutral,
        st.negative,
        percent(row.satisfaction),
        signed(row.net_sentiment)
    )
}

fn write_opinions(out: &mut String, title: &str, opinions: &[koubei_store::TypicalOpinion]) {
    let _ = writeln!(out, "\n{title}");
    if opinions.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for o in opinions {
        let _ = writeln!(
            out,
            "  {:>6}  {}  [{}]  {}",
            o.count, o.typical, o.polarity, o.indicator
        );
    }
}

/// Pads to a display width, counting CJK characters as two columns.
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn signed(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:+.2}"))
}
