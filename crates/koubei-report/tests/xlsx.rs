//! The Excel report opens with the same text that was stored, formulas defanged.

use calamine::{Data, Reader, Xlsx, open_workbook};
use koubei_core::Polarity;
use koubei_report::{IndicatorRow, Report, xlsx};
use koubei_store::{Filter, IndicatorStat, Summary, TypicalOpinion};

#[test]
fn hostile_text_stays_text_in_the_workbook() {
    let hostile = "=HYPERLINK(\"http://x\",\"点我\")";
    let report = Report {
        filter: Filter::default(),
        summary: Summary::default(),
        indicators: vec![IndicatorRow::from(IndicatorStat {
            indicator: "产品/噪音".into(),
            indicator_id: "noise".into(),
            depth: 1,
            mentions: 4,
            positive: 1,
            negative: 3,
            ..IndicatorStat::default()
        })],
        typical_opinions: vec![TypicalOpinion {
            indicator: "产品/噪音".into(),
            typical: hostile.into(),
            polarity: Polarity::Negative,
            count: 3,
            examples: vec![12345678901234567],
        }],
        negative_reasons: vec![],
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.xlsx");
    let path = path.to_str().expect("utf-8 path");
    xlsx::write_report(&report, path).expect("write");

    let mut book: Xlsx<_> = open_workbook(path).expect("open");
    let sheet = book.worksheet_range("典型观点").expect("sheet");
    assert_eq!(sheet.get_value((1, 0)), Some(&Data::String(hostile.into())));
    assert_eq!(
        sheet.get_value((1, 4)),
        Some(&Data::String("12345678901234567".into()))
    );
    let formulas = book.worksheet_formula("典型观点").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    let indicators = book.worksheet_range("指标").expect("sheet");
    assert_eq!(indicators.get_value((1, 7)), Some(&Data::Float(0.25)));
}
