//! Excel output, written so that Excel and WPS show exactly what was stored.
//!
//! Review text is untrusted: a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return would run as a formula, so every text cell is written as a string
//! with Excel's quote prefix. Text is cut to Excel's 32,767-character cell limit, and
//! identifiers stay text so that long digit strings keep every digit.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::{Report, ReportError};

/// Excel's limit on the characters in one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Writes `text` as a plain string cell that Excel will never evaluate.
pub fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    let text = truncate_chars(text, MAX_CELL_CHARS);
    sheet.write_string_with_format(row, col, text, format)?;
    Ok(())
}

/// The format for untrusted text cells.
pub fn text_format() -> Format {
    Format::new().set_quote_prefix()
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Writes the report as a workbook with the sheets 指标 (indicators), 典型观点 (typical
/// opinions) and 负面原因 (negative reasons).
pub fn write_report(report: &Report, path: &str) -> Result<(), ReportError> {
    let wrap = |source| ReportError::Xlsx {
        path: path.to_string(),
        source,
    };
    let mut workbook = Workbook::new();
    indicator_sheet(workbook.add_worksheet(), report).map_err(wrap)?;
    opinion_sheet(
        workbook.add_worksheet(),
        "典型观点",
        &report.typical_opinions,
    )
    .map_err(wrap)?;
    opinion_sheet(
        workbook.add_worksheet(),
        "负面原因",
        &report.negative_reasons,
    )
    .map_err(wrap)?;
    workbook.save(path).map_err(wrap)
}

fn header(sheet: &mut Worksheet, titles: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (col, title) in (0u16..).zip(titles) {
        sheet.write_string_with_format(0, col, *title, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn indicator_sheet(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("指标")?;
    header(
        sheet,
        &[
            "指标路径",
            "层级",
            "编码",
            "提及",
            "正面",
            "中性",
            "负面",
            "满意度",
            "净情感",
        ],
    )?;
    let text = text_format();
    let share = Format::new().set_num_format("0.0%");
    let net = Format::new().set_num_format("+0.00;-0.00;0.00");
    for (row, item) in (1u32..).zip(&report.indicators) {
        let st = &item.stat;
        write_text(sheet, row, 0, &st.indicator, &text)?;
        sheet.write_number(row, 1, st.depth as f64)?;
        write_text(sheet, row, 2, st.code.as_deref().unwrap_or(""), &text)?;
        sheet.write_number(row, 3, st.mentions as f64)?;
        sheet.write_number(row, 4, st.positive as f64)?;
        sheet.write_number(row, 5, st.neutral as f64)?;
        sheet.write_number(row, 6, st.negative as f64)?;
        if let Some(v) = item.satisfaction {
            sheet.write_number_with_format(row, 7, v, &share)?;
        }
        if let Some(v) = item.net_sentiment {
            sheet.write_number_with_format(row, 8, v, &net)?;
        }
    }
    sheet.set_column_width(0, 36)?;
    Ok(())
}

fn opinion_sheet(
    sheet: &mut Worksheet,
    name: &str,
    opinions: &[koubei_store::TypicalOpinion],
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    header(
        sheet,
        &["典型观点", "极性", "次数", "指标路径", "示例评论ID"],
    )?;
    let text = text_format();
    for (row, o) in (1u32..).zip(opinions) {
        write_text(sheet, row, 0, &o.typical, &text)?;
        write_text(sheet, row, 1, o.polarity.as_str(), &text)?;
        sheet.write_number(row, 2, o.count as f64)?;
        write_text(sheet, row, 3, &o.indicator, &text)?;
        let ids: Vec<String> = o.examples.iter().map(i64::to_string).collect();
        write_text(sheet, row, 4, &ids.join(", "), &text)?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(3, 36)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate_chars("吸力很大", 2), "吸力");
        assert_eq!(truncate_chars("吸力", 5), "吸力");
    }
}
