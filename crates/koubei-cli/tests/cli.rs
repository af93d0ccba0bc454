//! The `koubei` binary end to end: real files in, a real database file, real output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn koubei() -> Command {
    Command::new(env!("CARGO_BIN_EXE_koubei"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../koubei-ingest/tests/data")
        .join(name)
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run koubei");
    if !out.status.success() {
        eprintln!("stdout: {}", String::from_utf8_lossy(&out.stdout));
        eprintln!("stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn importing_the_same_files_twice_adds_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let files = [
        "imp02_utf8_bom.csv",
        "imp09_escaped.json",
        "imp13_utf16le_tab.txt",
    ];
    let import = |db: &Path| {
        let mut cmd = koubei();
        cmd.arg("import").arg("--db").arg(db);
        for f in files {
            cmd.arg(fixture(f));
        }
        run(&mut cmd)
    };
    let first = import(&db);
    assert!(first.status.success());
    assert!(
        stdout(&first).contains("read 8, imported 5, duplicates 3, rejected 0"),
        "{}",
        stdout(&first)
    );
    let second = import(&db);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("imported 0, duplicates 8"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn a_file_with_nothing_usable_exits_non_zero_and_names_the_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "评论内容,评分\n吸力很强,九十九\n").expect("write");
    let out = run(koubei()
        .arg("import")
        .arg("--db")
        .arg(dir.path().join("k.db"))
        .arg(&bad));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 1"), "{err}");
    assert!(err.contains("bad.csv"), "{err}");
}

#[test]
fn forcing_the_wrong_delimiter_is_reported_not_imported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(koubei()
        .args(["import", "--delimiter", ","])
        .arg("--db")
        .arg(dir.path().join("k.db"))
        .arg(fixture("imp11_semicolon.csv")));
    assert!(!out.status.success());
    assert!(stdout(&out).contains("imported 0"), "{}", stdout(&out));
}

#[test]
fn analyze_writes_one_line_per_input_line_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    let mut lines = String::new();
    for i in 0..300 {
        let text = if i % 2 == 0 {
            "物流很快，客服态度好"
        } else {
            "用了一周就坏了，太失望"
        };
        lines.push_str(&format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n"));
    }
    lines
        .push_str("{\"id\": \"a\", \"text\": \"噪音有点大\", \"aspects\": [\"噪音\", \"续航\"]}\n");
    std::fs::write(&input, lines).expect("write");
    let out = run(koubei()
        .args(["analyze", "--threads", "2", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output));
    assert!(out.status.success());
    let text = std::fs::read_to_string(&output).expect("read");
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 301);
    for (i, row) in rows.iter().take(300).enumerate() {
        assert_eq!(row["id"], i);
        for key in ["polarity", "score", "mentions", "flags"] {
            assert!(row.get(key).is_some(), "missing {key} in {row}");
        }
    }
    let aspects = rows[300]["aspects"].as_array().expect("aspects");
    assert_eq!(aspects.len(), 2);
    assert_eq!(aspects[1]["polarity"], "not_mentioned");
}

#[test]
fn report_shows_indicator_statistics_after_import() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let out = run(koubei()
        .arg("import")
        .arg("--db")
        .arg(&db)
        .arg(fixture("imp02_utf8_bom.csv")));
    assert!(out.status.success());
    let out = run(koubei()
        .args(["report", "--format", "json", "--db"])
        .arg(&db));
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let indicators = report["indicators"].as_array().expect("indicators");
    assert!(!indicators.is_empty(), "{report}");
    let xlsx = dir.path().join("r.xlsx");
    let out = run(koubei()
        .args(["report", "--format", "xlsx", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&xlsx));
    assert!(out.status.success());
    assert!(xlsx.metadata().expect("xlsx written").len() > 1000);
}

/// Counts stored reviews with the sqlite3-free route: the report's JSON summary.
fn stored_reviews(db: &Path) -> u64 {
    let out = run(koubei()
        .args(["report", "--format", "json", "--include-flagged", "--db"])
        .arg(db));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    report["summary"]["reviews"].as_u64().unwrap_or(0)
}

#[test]
fn an_import_killed_half_way_and_run_again_stores_each_review_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let csv = dir.path().join("big.csv");
    let mut body = String::from("评论内容,评论时间,用户昵称\n");
    for i in 0..12_000 {
        body.push_str(&format!(
            "第{i}条：吸力很强，噪音小，物流很快,2024-01-05 10:00:00,用户{i}\n"
        ));
        if i % 1000 == 0 {
            // Exact repeats, which must be stored once.
            body.push_str(&format!(
                "第{i}条：吸力很强，噪音小，物流很快,2024-01-05 10:00:00,用户{i}\n"
            ));
        }
    }
    std::fs::write(&csv, body).expect("write");

    let mut child = koubei()
        .args(["import", "--batch", "300", "--db"])
        .arg(&db)
        .arg(&csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if db.exists() && stored_reviews(&db) > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let out = run(koubei().arg("import").arg("--db").arg(&db).arg(&csv));
    assert!(out.status.success());
    assert_eq!(stored_reviews(&db), 12_000);
}

#[test]
fn no_phone_number_reaches_the_database_or_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let file = dir.path().join("phones.csv");
    // In the text, the follow-up, the nickname, and a cell in the wrong column (a rating
    // that is a phone number, which the error message would quote).
    std::fs::write(
        &file,
        "评论内容,追评,评分,用户昵称,评论时间,店铺\n\
         有问题打我电话13812345678，吸力很大,用了一个月，加微信15912345678,5,13912345678,2026-11-01,王大锤13600001111的小店\n\
         不错,,13712345678,王小二,2026-11-02,\n\
         联系 +86 136-1234-5678 退货,,1,匿名13500001111,2026-11-03,\n",
    )
    .expect("write");
    let out = koubei()
        .arg("import")
        .arg("--db")
        .arg(&db)
        .arg(&file)
        .env("RUST_LOG", "debug")
        .output()
        .expect("run");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("row 2"), "the bad row is named: {printed}");
    let report = run(koubei().arg("report").arg("--db").arg(&db));
    let mut seen = printed + &stdout(&report);
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(bytes) = std::fs::read(&path) {
            seen.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for phone in [
        "13812345678",
        "15912345678",
        "13912345678",
        "13712345678",
        "1234-5678",
        "13600001111",
        "13500001111",
    ] {
        assert!(!seen.contains(phone), "{phone} leaked");
    }
    assert_eq!(stored_reviews(&db), 2, "the two good rows are stored");
}

#[test]
fn delete_masks_the_author_and_refuses_blank_selectors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("k.db");
    let file = dir.path().join("buyers.csv");
    std::fs::write(
        &file,
        "评论内容,用户昵称,平台\n\
         吸力很大,张伟,京东\n\
         噪音有点大,张伟,天猫\n\
         续航不错,李娜,京东\n\
         物流很快,王五,京东\n",
    )
    .expect("write");
    assert!(
        run(koubei().arg("import").arg("--db").arg(&db).arg(&file))
            .status
            .success()
    );
    let delete = |extra: &[&str]| {
        let mut cmd = koubei();
        cmd.arg("delete")
            .arg("--db")
            .arg(&db)
            .args(extra)
            .arg("--yes");
        cmd.output().expect("run")
    };
    // A blank author must not turn into "the whole channel" or "the whole file".
    for extra in [
        &["--author", "", "--channel", "jd"][..],
        &[
            "--author",
            " ",
            "--source-file",
            file.to_str().expect("utf-8"),
        ][..],
        &["--channel", "jd"][..],
    ] {
        let out = delete(extra);
        assert!(!out.status.success(), "{extra:?} is refused");
    }
    // The full name is masked as the import stored it; the channel narrows it.
    let out = delete(&["--author", "张伟", "--channel", "jd"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("deleted 1 reviews by 张*"),
        "{}",
        stdout(&out)
    );
    // Only the 京东 one went: the 天猫 review of 张* is still there, and 李* and 王* are not 张*.
    let out = delete(&["--author", "张*"]);
    assert!(
        stdout(&out).contains("deleted 1 reviews by 张*"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_demo_raises_the_alerts_its_reviews_call_for() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("koubei-demo.db");
    let mut child = koubei()
        .arg("demo")
        .arg("--db")
        .arg(&db)
        .arg("--addr")
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut printed = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("koubei dashboard:") {
            break;
        }
    }
    let alerts = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let store = koubei_store::SqliteStore::open(db.to_str().expect("utf-8"))
                .await
                .expect("open");
            koubei_store::Store::recent_alerts(&store, koubei_core::DEFAULT_WORKSPACE, 50)
                .await
                .expect("alerts")
        });
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed.contains("sign in as demo"), "{printed}");
    assert!(printed.contains("risk-word alerts raised"), "{printed}");
    let titles: Vec<&str> = alerts.iter().map(|a| a.title.as_str()).collect();
    assert!(
        titles.iter().any(|t| t.contains("漏水")),
        "the demo's leaking rooms raise an alert: {titles:?}"
    );
}
