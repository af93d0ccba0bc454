//! One test per file of the project's shared import hard cases (`tests/data/`), plus the
//! file-level behaviours those cases stand for: malformed rows named, encodings told
//! apart, delimiters forced.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use koubei_core::{Channel, NewReview};
use koubei_ingest::{Field, FileReader, Format, ImportOptions, IngestError, RowError, open};

/// The three reviews the CSV-like fixtures hold, in the UTF-8 files' spelling.
const TEXTS: [&str; 3] = [
    "吸力很强，噪音小",
    "续航太短，半小时就没电",
    "物流很快，客服态度好",
];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn open_default(name: &str) -> FileReader {
    open(&data(name), &ImportOptions::default()).expect("fixture opens")
}

fn read_all(reader: FileReader) -> (Vec<NewReview>, Vec<RowError>) {
    let mut reviews = Vec::new();
    let mut errors = Vec::new();
    for record in reader {
        match record {
            Ok(review) => reviews.push(review),
            Err(err) => errors.push(err),
        }
    }
    (reviews, errors)
}

fn read_ok(name: &str) -> Vec<NewReview> {
    let (reviews, errors) = read_all(open_default(name));
    assert!(errors.is_empty(), "{name}: {errors:?}");
    reviews
}

fn texts(reviews: &[NewReview]) -> Vec<&str> {
    reviews.iter().map(|r| r.text.as_str()).collect()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, 0))
        .expect("valid test date")
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("temp file written");
    path
}

/// The fields the CSV-like fixtures share: text, rating, created_at, author.
type Summary = (String, Option<u8>, Option<NaiveDateTime>, Option<String>);

/// The shared fields of each review, for comparing files with each other.
fn summary(reviews: &[NewReview]) -> Vec<Summary> {
    reviews
        .iter()
        .map(|r| (r.text.clone(), r.rating, r.created_at, r.author.clone()))
        .collect()
}

#[test]
fn imp01_gbk_is_detected_and_reads_like_the_utf8_file() {
    let reader = open_default("imp01_gbk.csv");
    assert_eq!(reader.encoding(), "GB18030");
    assert_eq!(reader.format(), Format::Csv { delimiter: b',' });
    assert_eq!(
        reader.columns()[0],
        ("评论内容".to_string(), Some(Field::Text))
    );

    let (gbk, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&gbk), TEXTS);
    assert_eq!(summary(&gbk), summary(&read_ok("imp02_utf8_bom.csv")));
}

#[test]
fn imp02_utf8_bom_header_has_no_bom() {
    let reader = open_default("imp02_utf8_bom.csv");
    assert_eq!(reader.encoding(), "UTF-8 (BOM)");
    assert_eq!(reader.columns()[0].0, "评论内容");
    let columns: Vec<Option<Field>> = reader.columns().iter().map(|(_, f)| *f).collect();
    assert_eq!(
        columns,
        [
            Some(Field::Text),
            Some(Field::Rating),
            Some(Field::CreatedAt),
            Some(Field::Author)
        ]
    );

    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&reviews), TEXTS);
    let first = &reviews[0];
    assert_eq!(first.rating, Some(5));
    assert_eq!(first.created_at, Some(at(2024, 1, 5, 10, 20)));
    assert_eq!(first.author.as_deref(), Some("小***鱼"));
    assert_eq!(first.source_row, Some(1));
    assert_eq!(
        first.source_file.as_deref(),
        Some(data("imp02_utf8_bom.csv").to_str().unwrap_or(""))
    );
    assert_eq!(first.channel, Channel::Other);
    assert_eq!(reviews[2].author.as_deref(), Some("匿名用户"));
}

#[test]
fn imp04_quoted_line_breaks_stay_in_their_review() {
    let reviews = read_ok("imp04_quoted_newline.csv");
    assert_eq!(reviews.len(), 3);
    assert_eq!(
        reviews[0].text,
        "第一天：吸力很强。\n第三天：开始有异响了。\n第七天：直接罢工。"
    );
    assert_eq!(reviews[0].rating, Some(1));
    assert_eq!(reviews[0].followup_text, None);
    // A text that only is a follow-up keeps its content as the text.
    assert_eq!(reviews[1].text, "追评：\n客服换了新机，这台正常。");
    assert_eq!(reviews[1].followup_text, None);
    assert_eq!(reviews[1].rating, Some(4));
    assert_eq!(reviews[2].text, "包装完好");
    let rows: Vec<Option<u64>> = reviews.iter().map(|r| r.source_row).collect();
    assert_eq!(rows, [Some(1), Some(2), Some(3)]);
}

#[test]
fn imp06_typed_quotes_are_kept_literally_and_the_last_row_is_read() {
    let reviews = read_ok("imp06_stray_quotes.csv");
    assert_eq!(
        texts(&reviews),
        [
            "这就是所谓的\"静音\"模式？吵死了",
            "说是\"静音\"，其实很吵",
            "他说\"还行",
            "最后一行，必须被读到",
        ]
    );
    let ratings: Vec<Option<u8>> = reviews.iter().map(|r| r.rating).collect();
    assert_eq!(ratings, [Some(1), Some(1), Some(3), Some(5)]);
    assert_eq!(reviews[3].author.as_deref(), Some("h***8"));
}

#[test]
fn imp07_excel_dates_by_cell_type() {
    let reader = open_default("imp07_dates.xlsx");
    assert_eq!(reader.format(), Format::Xlsx);
    assert_eq!(reader.encoding(), "n/a");
    let columns: Vec<Option<Field>> = reader.columns().iter().map(|(_, f)| *f).collect();
    // 追评间隔 is an interval, not a field; the later 评论时间 columns lose to the first.
    assert_eq!(
        columns,
        [Some(Field::Text), Some(Field::CreatedAt), None, None, None]
    );
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&reviews), ["吸力很强"]);
    assert_eq!(reviews[0].created_at, Some(at(2024, 1, 1, 12, 0)));

    let created_from = |column: &str| -> Result<Option<NaiveDateTime>, RowError> {
        let opts = ImportOptions {
            mappings: vec![
                ("评论时间".into(), Field::Ignore),
                (column.into(), Field::CreatedAt),
            ],
            ..ImportOptions::default()
        };
        let reader = open(&data("imp07_dates.xlsx"), &opts).expect("workbook opens");
        let mut records: Vec<_> = reader.collect();
        assert_eq!(records.len(), 1);
        records.remove(0).map(|r| r.created_at)
    };
    // A date typed as text.
    assert_eq!(
        created_from("评论时间(文本)"),
        Ok(Some(at(2024, 1, 5, 0, 0)))
    );
    // A plain number, read in the workbook's 1900 epoch.
    assert_eq!(
        created_from("评论时间(常规数字)"),
        Ok(Some(at(2024, 1, 1, 12, 0)))
    );
    // A time-of-day cell (00:15) has no date: it is reported, not given a made-up day.
    let err = created_from("追评间隔").expect_err("a time of day is not a date");
    assert_eq!((err.row, err.field.as_deref()), (1, Some("追评间隔")));
    assert!(err.message.contains("00:15"), "{err}");
}

#[test]
fn imp09_escaped_json_decodes_escapes_and_surrogate_pairs() {
    let reader = open_default("imp09_escaped.json");
    assert_eq!(reader.format(), Format::Json);
    assert_eq!(reader.len_hint(), Some(2));
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&reviews), ["吸力很强", "噪音太大了😡"]);
    let ratings: Vec<Option<u8>> = reviews.iter().map(|r| r.rating).collect();
    assert_eq!(ratings, [Some(5), Some(1)]);
    assert_eq!(reviews[1].created_at, Some(at(2024, 1, 6, 8, 0)));
}

#[test]
fn imp11_semicolon_is_sniffed_and_a_forced_comma_is_refused() {
    let reader = open_default("imp11_semicolon.csv");
    assert_eq!(reader.format(), Format::Csv { delimiter: b';' });
    assert_eq!(reader.columns().len(), 4);
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&reviews), ["吸力很强, 噪音小", TEXTS[1], TEXTS[2]]);
    assert!(
        reviews
            .iter()
            .all(|r| r.rating.is_some() && r.created_at.is_some() && r.author.is_some())
    );

    let forced = ImportOptions {
        delimiter: Some(b','),
        ..ImportOptions::default()
    };
    match open(&data("imp11_semicolon.csv"), &forced) {
        Err(err @ IngestError::NoTextColumn { .. }) => {
            let message = err.to_string();
            assert!(message.contains("imp11_semicolon.csv"), "{message}");
            assert!(
                message.contains("评论内容;评分;评论时间;用户昵称"),
                "{message}"
            );
            assert!(message.contains("','"), "{message}");
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a forced ',' must not import a ';' file"),
    }
}

#[test]
fn imp13_utf16le_tab_text_reads_like_the_utf8_file() {
    let reader = open_default("imp13_utf16le_tab.txt");
    assert_eq!(reader.encoding(), "UTF-16LE (BOM)");
    assert_eq!(reader.format(), Format::Csv { delimiter: b'\t' });
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(summary(&reviews), summary(&read_ok("imp02_utf8_bom.csv")));
}

#[test]
fn a_malformed_row_is_named_and_the_rest_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "评论内容,评分,评论时间\n好用,5,2024-01-01\n太吵,6,2024-01-02\n多了,5,2024-01-03,x\n\
               \"跨行\n的评论\",5,昨天\n最后,1,2024-01-05\n\n";
    let path = write_temp(&dir, "bad.csv", csv.as_bytes());
    let (reviews, errors) = read_all(open(&path, &ImportOptions::default()).expect("opens"));
    assert_eq!(texts(&reviews), ["好用", "最后"]);
    assert_eq!(reviews[1].source_row, Some(5));

    let described: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{described:?}");
    assert_eq!(
        (errors[0].row, errors[0].field.as_deref()),
        (2, Some("评分"))
    );
    assert!(described[0].starts_with(&format!("{}: row 2, field 评分: ", path.display())));
    assert_eq!((errors[1].row, errors[1].field.as_deref()), (3, None));
    assert!(
        described[1].contains("expected 3 fields"),
        "{}",
        described[1]
    );
    // Row 4 starts on line 5, as the row number suggests; it ends on line 6.
    assert_eq!(
        (errors[2].row, errors[2].field.as_deref()),
        (4, Some("评论时间"))
    );
    assert!(described[2].contains("昨天"), "{}", described[2]);
}

#[test]
fn csv_errors_name_the_physical_line_when_it_differs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "评论内容,评分\n\"一\n二\n三\",5\n好,9\n";
    let path = write_temp(&dir, "lines.csv", csv.as_bytes());
    let errors: Vec<RowError> = open(&path, &ImportOptions::default())
        .expect("opens")
        .filter_map(Result::err)
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 2);
    assert!(errors[0].message.ends_with("(line 5)"), "{}", errors[0]);
}

#[test]
fn bomless_utf8_chinese_is_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = format!("评论内容,评分\n{},5\n{},2\n", TEXTS[0], TEXTS[1]);
    let path = write_temp(&dir, "plain.csv", csv.as_bytes());
    let reader = open(&path, &ImportOptions::default()).expect("opens");
    assert_eq!(reader.encoding(), "UTF-8");
    let (reviews, _) = read_all(reader);
    assert_eq!(texts(&reviews), &TEXTS[..2]);
}

#[test]
fn gbk_and_big5_files_are_told_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            encoding_rs::GBK,
            "评论内容,评分\n这台扫地机器人吸力很强，噪音也小,5\n",
            "GB18030",
        ),
        (
            encoding_rs::BIG5,
            "評論內容,評分\n這台掃地機器人吸力很強，噪音也小,5\n",
            "Big5",
        ),
    ];
    for (encoding, text, label) in cases {
        let (bytes, _, had_errors) = encoding.encode(text);
        assert!(!had_errors);
        let path = write_temp(&dir, &format!("{label}.csv"), &bytes);
        let reader = open(&path, &ImportOptions::default()).expect("opens");
        assert_eq!(reader.encoding(), label);
        let (reviews, errors) = read_all(reader);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            reviews[0].text,
            text.lines()
                .nth(1)
                .and_then(|l| l.split(',').next())
                .unwrap_or("")
        );
    }
}

#[test]
fn research_tsv_maps_category_and_text_and_ignores_label() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tsv = "label\tcategory\ttext\n1\t书籍\t\"翠花说:就叫我\"\"副处吧\"\"\"\n0\t平板\t客服很垃圾, 赠品没有\n";
    let path = write_temp(&dir, "os10.tsv", tsv.as_bytes());
    let reader = open(&path, &ImportOptions::default()).expect("opens");
    let columns: Vec<Option<Field>> = reader.columns().iter().map(|(_, f)| *f).collect();
    assert_eq!(columns, [None, Some(Field::Category), Some(Field::Text)]);
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        texts(&reviews),
        ["翠花说:就叫我\"副处吧\"", "客服很垃圾, 赠品没有"]
    );
    assert_eq!(reviews[0].category.as_deref(), Some("书籍"));
}

#[test]
fn json_lines_keep_long_ids_exact_and_report_broken_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = "{\"commentId\": 123456789012345678901, \"content\": \"好\", \"nickname\": \"张伟\"}\n\
                 {\"content\": \"坏\"\n\
                 \n\
                 {\"commentId\": \"0042\", \"content\": \"还行\", \"platform\": \"京东\"}\n";
    let path = write_temp(&dir, "x.jsonl", jsonl.as_bytes());
    let opts = ImportOptions {
        channel: Some(Channel::Tmall),
        ..ImportOptions::default()
    };
    let reader = open(&path, &opts).expect("opens");
    assert_eq!(reader.format(), Format::JsonLines);
    let records: Vec<_> = reader.collect();
    assert_eq!(records.len(), 3);
    let first = records[0].as_ref().expect("first line is valid");
    assert_eq!(
        first.channel_review_id.as_deref(),
        Some("123456789012345678901")
    );
    assert_eq!(first.author.as_deref(), Some("张*"));
    assert_eq!(first.channel, Channel::Tmall);
    assert_eq!(records[1].as_ref().err().map(|e| e.row), Some(2));
    let last = records[2].as_ref().expect("last line is valid");
    assert_eq!(
        (last.channel_review_id.as_deref(), last.channel),
        (Some("0042"), Channel::Jd)
    );
}

#[test]
fn files_without_a_text_column_or_content_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "no_text.csv", "订单号,金额\n1,2\n".as_bytes());
    let err = open(&path, &ImportOptions::default())
        .err()
        .map(|e| e.to_string());
    let message = err.unwrap_or_default();
    assert!(
        message.contains("no_text.csv") && message.contains("\"订单号\""),
        "{message}"
    );

    let path = write_temp(&dir, "empty.csv", b"\n\n");
    assert!(matches!(
        open(&path, &ImportOptions::default()),
        Err(IngestError::NoHeader { .. })
    ));

    let path = write_temp(&dir, "binary.csv", &[0x00, 0x01, 0x02, 0x03]);
    assert!(matches!(
        open(&path, &ImportOptions::default()),
        Err(IngestError::UnknownFormat { .. })
    ));

    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        open(&missing, &ImportOptions::default()),
        Err(IngestError::Io { .. })
    ));

    let path = write_temp(&dir, "bad.json", b"[{\"content\": \"a\"},");
    let err = open(&path, &ImportOptions::default())
        .err()
        .map(|e| e.to_string());
    assert!(err.unwrap_or_default().contains("bad.json"));
}

#[test]
fn explicit_mappings_win_and_unknown_mapped_columns_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_temp(&dir, "m.csv", "备注,评论\n真正的评论,不是评论\n".as_bytes());
    let opts = ImportOptions {
        mappings: vec![("备注".into(), Field::Text)],
        ..ImportOptions::default()
    };
    let (reviews, _) = read_all(open(&path, &opts).expect("opens"));
    assert_eq!(texts(&reviews), ["真正的评论"]);

    let opts = ImportOptions {
        mappings: vec![("不存在".into(), Field::Text)],
        ..ImportOptions::default()
    };
    assert!(matches!(
        open(&path, &opts),
        Err(IngestError::UnknownMappedColumn { .. })
    ));
}

/// The 49k-row research TSV reads whole and fast; skipped where the shared data is absent.
#[test]
fn research_corpus_reads_every_row() {
    let path = Path::new("/work/shared/data/polarity/os10_train.tsv");
    if !path.exists() {
        return;
    }
    let started = std::time::Instant::now();
    let reader = open(path, &ImportOptions::default()).expect("corpus opens");
    assert_eq!(reader.encoding(), "UTF-8");
    let hint = reader.len_hint();
    let (reviews, errors) = read_all(reader);
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
    assert_eq!(reviews.len(), 49_391);
    assert_eq!(hint, Some(49_391));
    assert!(reviews.iter().all(|r| r.category.is_some()));
    // Generous for a debug build on a loaded machine; release takes about 0.1 s.
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn a_lone_quote_opening_a_cell_does_not_swallow_the_rows_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "评论内容,评分\n\"他说还行,3\n中间一行,4\n最后一行,5\n";
    let path = write_temp(&dir, "lone.csv", csv.as_bytes());
    let reviews = {
        let (reviews, errors) = read_all(open(&path, &ImportOptions::default()).expect("opens"));
        assert!(errors.is_empty(), "{errors:?}");
        reviews
    };
    assert_eq!(texts(&reviews), ["\"他说还行", "中间一行", "最后一行"]);
    let rows: Vec<Option<u64>> = reviews.iter().map(|r| r.source_row).collect();
    assert_eq!(rows, [Some(1), Some(2), Some(3)]);
}
