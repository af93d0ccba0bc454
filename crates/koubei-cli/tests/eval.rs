//! `koubei eval` end to end on tiny labelled files written by the test, and on the
//! project's hard cases (bundled with the engine's tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn koubei() -> Command {
    Command::new(env!("CARGO_BIN_EXE_koubei"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run koubei");
    if !out.status.success() {
        eprintln!("stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

#[test]
fn a_polarity_file_prints_accuracy_and_a_confusion_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(
        dir.path(),
        "tiny.tsv",
        "label\tcategory\ttext\n1\t手机\t手机很好用，很满意\n0\t手机\t太差了，用了一周就坏了\n",
    );
    let out = run(koubei().arg("eval").arg(&file).args(["--threads", "1"]));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("polarity format, 2 rows"), "{text}");
    assert!(text.contains("accuracy"), "{text}");
    assert!(text.contains("confusion"), "{text}");
}

#[test]
fn cosmetics_json_names_its_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = r#"{"id": "1", "text": "物流很快，很好闻", "labels": [{"Categories": "物流", "Polarities": "正面"}, {"Categories": "气味", "Polarities": "正面"}]}"#;
    let file = write(dir.path(), "zhejianglab_tiny.jsonl", line);
    let out = run(koubei().arg("eval").arg(&file).arg("--json"));
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["format"], "cosmetics");
    let names: Vec<&str> = report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"pair_f1"), "{names:?}");
}

#[test]
fn the_hard_cases_report_their_failures() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../koubei-engine/tests/data/review_cases.jsonl");
    let total = std::fs::read_to_string(&cases)
        .expect("the cases file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let out = run(koubei().arg("eval").arg(&cases).arg("--json"));
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["format"], "cases");
    assert_eq!(report["rows"], total);
    let fully = report["figures"][0]["value"].as_f64().expect("fully_right");
    let failures = report["failures"].as_array().map_or(0, Vec::len);
    assert_eq!(fully as usize + failures, total);
}

#[test]
fn an_unknown_file_asks_for_a_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "notes.txt", "hello\n");
    let out = koubei()
        .arg("eval")
        .arg(&file)
        .output()
        .expect("run koubei");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format"), "{err}");
}
