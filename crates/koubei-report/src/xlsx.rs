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

/// Most reviews one export holds. Excel's sheets stop at 1,048,576 rows; this keeps an
/// export quick to write and to open.
pub const MAX_EXPORT_REVIEWS: usize = 100_000;

/// The drill-down's selection as a workbook: sheet 评论 (one row per review with its
/// mentions spelled out) and sheet 筛选条件 (the filter that selected them, as
/// `(name, value)` pairs, and when). Returns the file's bytes.
pub fn reviews_workbook(
    reviews: &[koubei_store::StoredReview],
    selection: &[(String, String)],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    review_sheet(workbook.add_worksheet(), reviews)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("筛选条件")?;
    header(sheet, &["条件", "值"])?;
    let text = text_format();
    for (row, (name, value)) in (1u32..).zip(selection) {
        write_text(sheet, row, 0, name, &text)?;
        write_text(sheet, row, 1, value, &text)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 40)?;
    workbook.save_to_buffer()
}

fn review_sheet(
    sheet: &mut Worksheet,
    reviews: &[koubei_store::StoredReview],
) -> Result<(), XlsxError> {
    sheet.set_name("评论")?;
    header(
        sheet,
        &[
            "评论ID",
            "渠道",
            "店铺",
            "品牌",
            "品类",
            "系列",
            "型号",
            "评分",
            "评论时间",
            "评论内容",
            "追评",
            "追评时间",
            "情感",
            "标记",
            "指标观点",
            "作者",
            "来源文件",
            "来源行",
        ],
    )?;
    let text = text_format();
    let time = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    };
    for (row, r) in (1u32..).zip(reviews) {
        let v = &r.review;
        let mentions: Vec<String> = r
            .mentions
            .iter()
            .map(|m| {
                let part = if m.part == "followup" {
                    "（追评）"
                } else {
                    ""
                };
                format!(
                    "{}：{} {}{}",
                    m.mention.indicator,
                    m.mention.typical,
                    polarity_label(m.mention.polarity),
                    part
                )
            })
            .collect();
        let cells: [(u16, String); 16] = [
            (0, r.id.to_string()),
            (1, v.channel.label_zh().to_string()),
            (2, v.shop.clone().unwrap_or_default()),
            (3, v.brand.clone().unwrap_or_default()),
            (4, v.category.clone().unwrap_or_default()),
            (5, v.series.clone().unwrap_or_default()),
            (6, v.model.clone().unwrap_or_default()),
            (8, time(v.created_at)),
            (9, v.text.clone()),
            (10, v.followup_text.clone().unwrap_or_default()),
            (11, time(v.followup_at)),
            (
                12,
                r.polarity
                    .map(polarity_label)
                    .unwrap_or_default()
                    .to_string(),
            ),
            (13, r.flags.join(", ")),
            (14, mentions.join("；")),
            (15, v.author.clone().unwrap_or_default()),
            (16, v.source_file.clone().unwrap_or_default()),
        ];
        for (col, value) in &cells {
            write_text(sheet, row, *col, value, &text)?;
        }
        if let Some(rating) = v.rating {
            sheet.write_number(row, 7, f64::from(rating))?;
        }
        if let Some(source_row) = v.source_row {
            sheet.write_number(row, 17, source_row as f64)?;
        }
    }
    sheet.set_column_width(8, 19)?;
    sheet.set_column_width(9, 60)?;
    sheet.set_column_width(14, 48)?;
    sheet.autofilter(0, 0, reviews.len() as u32, 17)?;
    Ok(())
}

fn polarity_label(p: koubei_core::Polarity) -> &'static str {
    match p {
        koubei_core::Polarity::Positive => "正面",
        koubei_core::Polarity::Neutral => "中性",
        koubei_core::Polarity::Negative => "负面",
        koubei_core::Polarity::Mixed => "混合",
    }
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
