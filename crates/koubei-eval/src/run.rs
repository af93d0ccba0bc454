//! Scorers: run the engine over the rows of one format and turn its answers into a
//! [`Report`].
//!
//! Rows are analysed in parallel on the current rayon pool (the caller sizes it). Each
//! scorer says in its notes how it reads the engine's output:
//! - polarity: two classes, `score >= 0` is positive;
//! - aspects (Peng): the verdict on the asked aspect (`Input::aspects`); `not_mentioned`
//!   counts as wrong, and a second figure falls back to the review score instead;
//! - categories (SemEval, cosmetics): the codes of the mentions, one polarity per code (the
//!   sign of the sum of its mentions);
//! - cases: the review polarity and, for every listed aspect, a mention of that indicator
//!   (or one below it) with the expected polarity.

use koubei_core::{Analysis, AspectPolarity, Polarity};
use koubei_engine::{Engine, Input, Taxonomy};
use rayon::prelude::*;

use crate::Format;
use crate::metrics::{Confusion, SetCounts};
use crate::read::{AspectRow, Case, CategoryRow, PolarityRow};
use crate::report::{Failure, Report};

/// Analyses every row in parallel, keeping the order.
fn analyse_all<'a, T: Sync>(
    engine: &Engine,
    rows: &'a [T],
    input: impl Fn(&'a T) -> Input<'a> + Sync,
) -> Vec<Analysis> {
    rows.par_iter()
        .map(|row| engine.analyze(&input(row)))
        .collect()
}

fn two_class(positive: bool) -> &'static str {
    if positive { "positive" } else { "negative" }
}

/// The two-class confusion of a polarity set.
pub fn polarity_confusion(
    engine: &Engine,
    rows: &[PolarityRow],
    taxonomy: Option<&str>,
) -> Confusion {
    let analyses = analyse_all(engine, rows, |r| Input {
        category: r.category.as_deref(),
        taxonomy,
        ..Input::text(&r.text)
    });
    let mut table = Confusion::new(&["positive", "negative"]);
    for (row, analysis) in rows.iter().zip(&analyses) {
        table.add(two_class(row.positive), two_class(analysis.score >= 0.0));
    }
    table
}

/// Review-level polarity on the whole file.
/// The tree is the one `taxonomy` names, else the one the row's category selects.
pub fn polarity(engine: &Engine, rows: &[PolarityRow], taxonomy: Option<&str>) -> Report {
    polarity_report(polarity_confusion(engine, rows, taxonomy), "whole file")
}

/// The report of a (possibly merged) two-class confusion table.
pub fn polarity_report(table: Confusion, scheme: &str) -> Report {
    let mut report = Report::new(Format::Polarity, table.total());
    report.scheme = scheme.to_string();
    report.figure("accuracy", table.accuracy());
    report.figure("macro_f1", table.macro_f1());
    report
        .notes
        .push("two classes: score >= 0 is positive".to_string());
    report.confusion = Some(table);
    report
}

/// The fold (0..k) of row `index`: rows are dealt round-robin, so every fold draws from
/// the whole file even when the file is sorted by category.
pub fn fold_of(index: usize, k: usize) -> usize {
    index % k.max(1)
}

/// k-fold review polarity: `build` gets the fold number and the indices of its training
/// rows (the other folds) and returns the engine to test that fold with; the fold tables
/// are summed.
pub fn polarity_folds<E>(
    rows: &[PolarityRow],
    k: usize,
    taxonomy: Option<&str>,
    mut build: impl FnMut(usize, &[usize]) -> Result<Engine, E>,
) -> Result<Report, E> {
    let k = k.max(2);
    let mut total = Confusion::new(&["positive", "negative"]);
    for fold in 0..k {
        let (test, train): (Vec<usize>, Vec<usize>) =
            (0..rows.len()).partition(|&i| fold_of(i, k) == fold);
        let engine = build(fold, &train)?;
        let test: Vec<PolarityRow> = test.iter().map(|&i| rows[i].clone()).collect();
        total.merge(&polarity_confusion(&engine, &test, taxonomy));
    }
    Ok(polarity_report(total, &format!("{k}-fold")))
}

/// The label of an aspect verdict.
fn verdict_label(p: AspectPolarity) -> &'static str {
    match p {
        AspectPolarity::Positive => "positive",
        AspectPolarity::Negative => "negative",
        AspectPolarity::Neutral => "neutral",
        AspectPolarity::NotMentioned => "not_mentioned",
    }
}

/// Polarity given the aspect (Peng format), through `Input::aspects`.
pub fn aspects(engine: &Engine, rows: &[AspectRow], taxonomy: Option<&str>) -> Report {
    let asked: Vec<[String; 1]> = rows.iter().map(|r| [r.aspect.clone()]).collect();
    let analyses: Vec<Analysis> = rows
        .par_iter()
        .zip(&asked)
        .map(|(r, a)| {
            engine.analyze(&Input {
                aspects: Some(a),
                taxonomy,
                ..Input::text(&r.text)
            })
        })
        .collect();
    let classes = gold_classes(rows.iter().map(|r| r.polarity));
    let two_classes = classes.len() == 2;
    let mut strict = Confusion::new(&classes);
    let mut fallback = Confusion::new(&classes);
    for (row, analysis) in rows.iter().zip(&analyses) {
        let verdict = analysis
            .aspects
            .as_ref()
            .and_then(|v| v.first())
            .map_or(AspectPolarity::NotMentioned, |v| v.polarity);
        let gold = row.polarity.as_str();
        strict.add(gold, verdict_label(verdict));
        let read = match verdict {
            AspectPolarity::NotMentioned => two_class(analysis.score >= 0.0),
            AspectPolarity::Neutral if two_classes => two_class(analysis.score >= 0.0),
            other => verdict_label(other),
        };
        fallback.add(gold, read);
    }
    let mut report = Report::new(Format::Peng, rows.len());
    report.figure("accuracy", strict.accuracy());
    report.figure("macro_f1", strict.macro_f1());
    report.figure("accuracy_review_fallback", fallback.accuracy());
    report.figure("macro_f1_review_fallback", fallback.macro_f1());
    report.notes.push(
        "accuracy: the engine's verdict on the asked aspect, not_mentioned counted wrong; \
         *_review_fallback: not_mentioned (and neutral, in a file without neutral gold) read \
         as the sentence score's sign"
            .to_string(),
    );
    report.confusion = Some(strict);
    report
}

/// Gold classes in a fixed order: positive, negative, then neutral when the file has it.
fn gold_classes(gold: impl Iterator<Item = Polarity>) -> Vec<&'static str> {
    let mut classes = vec!["positive", "negative"];
    let mut gold = gold;
    if gold.any(|p| p == Polarity::Neutral) {
        classes.push("neutral");
    }
    classes
}

/// The (code, polarity) pairs an analysis gives, one polarity per code: the sign of the
/// sum of its mentions' polarities (neutral when they cancel or are all neutral).
pub fn predicted_pairs(
    analysis: &Analysis,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<(String, Polarity)> {
    let mut sums: Vec<(String, i32)> = Vec::new();
    for m in &analysis.mentions {
        let Some(code) = m.code.as_deref().filter(|c| keep(c)) else {
            continue;
        };
        let sign = match m.polarity {
            Polarity::Positive => 1,
            Polarity::Negative => -1,
            Polarity::Neutral | Polarity::Mixed => 0,
        };
        match sums.iter_mut().find(|(c, _)| c == code) {
            Some((_, sum)) => *sum += sign,
            None => sums.push((code.to_string(), sign)),
        }
    }
    sums.into_iter()
        .map(|(code, sum)| (code, Polarity::from_score(sum as f32, 0.0)))
        .collect()
}

/// Removes repeated pairs, keeping the first.
fn dedupe<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

/// Category detection and polarity (SemEval-2016 sentences, cosmetics reviews): every row
/// analysed with the tree `taxonomy`; only mention codes that `keep` accepts count.
pub fn categories(
    engine: &Engine,
    format: Format,
    rows: &[CategoryRow],
    taxonomy: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Report {
    let analyses = analyse_all(engine, rows, |r| Input {
        taxonomy: Some(taxonomy),
        ..Input::text(&r.text)
    });
    let mut found = SetCounts::default();
    let mut pairs = SetCounts::default();
    let classes = gold_classes(rows.iter().flat_map(|r| r.opinions.iter().map(|o| o.1)));
    let mut polarity = Confusion::new(&classes);
    for (row, analysis) in rows.iter().zip(&analyses) {
        let gold = dedupe(&row.opinions);
        let predicted = predicted_pairs(analysis, keep);
        let gold_codes = dedupe(&gold.iter().map(|g| g.0.clone()).collect::<Vec<_>>());
        let codes: Vec<String> = predicted.iter().map(|p| p.0.clone()).collect();
        found.add(&gold_codes, &codes);
        pairs.add(&gold, &predicted);
        for (code, want) in &gold {
            if let Some((_, got)) = predicted.iter().find(|(c, _)| c == code) {
                polarity.add(want.as_str(), got.as_str());
            }
        }
    }
    let mut report = Report::new(format, rows.len());
    report.figure("category_precision", found.precision());
    report.figure("category_recall", found.recall());
    report.figure("category_f1", found.f1());
    report.figure("polarity_accuracy_on_found", polarity.accuracy());
    report.figure("pair_precision", pairs.precision());
    report.figure("pair_recall", pairs.recall());
    report.figure("pair_f1", pairs.f1());
    report.figure(
        "gold_categories",
        (found.true_positives + found.false_negatives) as f64,
    );
    report.notes.push(format!(
        "tree {taxonomy}; categories are the codes of the mentions; one polarity per code \
         (sign of the sum of its mentions); polarity accuracy counts gold opinions whose \
         category was found"
    ));
    report.confusion = Some(polarity);
    report
}

/// The hard cases: review polarity plus every listed aspect, with the failing cases named.
pub fn cases(engine: &Engine, rows: &[Case], tree: &Taxonomy) -> Report {
    let analyses = analyse_all(engine, rows, |c| Input {
        taxonomy: Some(&tree.id),
        ..Input::text(&c.text)
    });
    let mut report = Report::new(Format::Cases, rows.len());
    let (mut review_right, mut aspects_total, mut aspects_right, mut fully) = (0, 0, 0, 0);
    let mut table = Confusion::new(&["positive", "negative", "neutral", "mixed"]);
    for (case, analysis) in rows.iter().zip(&analyses) {
        table.add(case.polarity.as_str(), analysis.polarity.as_str());
        let review_ok = analysis.polarity == case.polarity;
        let misses: Vec<&crate::read::CaseAspect> = case
            .aspects
            .iter()
            .filter(|a| !aspect_right(tree, analysis, a))
            .collect();
        review_right += usize::from(review_ok);
        aspects_total += case.aspects.len();
        aspects_right += case.aspects.len() - misses.len();
        if review_ok && misses.is_empty() {
            fully += 1;
        } else {
            report
                .failures
                .push(case_failure(case, analysis, review_ok, &misses));
        }
    }
    report.figure("fully_right", fully as f64);
    report.figure(
        "fully_right_share",
        crate::metrics::ratio(fully, rows.len()),
    );
    report.figure(
        "review_polarity_accuracy",
        crate::metrics::ratio(review_right, rows.len()),
    );
    report.figure(
        "aspect_accuracy",
        crate::metrics::ratio(aspects_right, aspects_total),
    );
    report.notes.push(format!(
        "tree {}; an aspect is right when a mention of that indicator (or one below it) has \
         the expected polarity; review polarity must match exactly (mixed included)",
        tree.id
    ));
    report.confusion = Some(table);
    report
}

fn aspect_right(tree: &Taxonomy, analysis: &Analysis, aspect: &crate::read::CaseAspect) -> bool {
    analysis
        .mentions
        .iter()
        .any(|m| m.polarity == aspect.polarity && tree.is_about(&m.indicator_id, &aspect.aspect))
}

fn case_failure(
    case: &Case,
    analysis: &Analysis,
    review_ok: bool,
    misses: &[&crate::read::CaseAspect],
) -> Failure {
    let mut expected = vec![format!("review {}", case.polarity)];
    expected.extend(
        misses
            .iter()
            .map(|a| format!("{} {} ({})", a.aspect, a.polarity, a.opinion)),
    );
    let mut got = vec![format!(
        "review {}{} (score {:.2})",
        analysis.polarity,
        if review_ok { " ok" } else { "" },
        analysis.score
    )];
    got.extend(
        analysis
            .mentions
            .iter()
            .map(|m| format!("{} {} ({})", m.indicator, m.polarity, m.opinion)),
    );
    if !analysis.flags.is_empty() {
        let flags: Vec<&str> = analysis.flags.iter().map(|f| f.as_str()).collect();
        got.push(format!("flags {}", flags.join(",")));
    }
    Failure {
        id: case.id.clone(),
        text: case.text.clone(),
        expected: expected.join("; "),
        got: got.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use koubei_core::Mention;

    use super::*;
    use crate::read;

    fn engine() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| Engine::new().expect("bundled engine"))
    }

    fn mention(code: Option<&str>, polarity: Polarity) -> Mention {
        Mention {
            indicator: "产品/价格".into(),
            indicator_id: "price".into(),
            code: code.map(str::to_string),
            aspect: None,
            opinion: "便宜".into(),
            typical: String::new(),
            polarity,
            start: 0,
            end: 2,
        }
    }

    #[test]
    fn one_polarity_per_code_from_the_sum_of_its_mentions() {
        let analysis = Analysis {
            polarity: Polarity::Mixed,
            score: 0.0,
            mentions: vec![
                mention(Some("价格"), Polarity::Positive),
                mention(Some("价格"), Polarity::Positive),
                mention(Some("价格"), Polarity::Negative),
                mention(Some("物流"), Polarity::Negative),
                mention(Some("物流"), Polarity::Positive),
                mention(None, Polarity::Negative),
                mention(Some("OTHER"), Polarity::Negative),
            ],
            aspects: None,
            flags: vec![],
        };
        let pairs = predicted_pairs(&analysis, &crate::is_cosmetics_code);
        assert_eq!(
            pairs,
            vec![
                ("价格".to_string(), Polarity::Positive),
                ("物流".to_string(), Polarity::Neutral)
            ]
        );
    }

    #[test]
    fn folds_deal_rows_round_robin() {
        let folds: Vec<usize> = (0..7).map(|i| fold_of(i, 3)).collect();
        assert_eq!(folds, [0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(fold_of(5, 0), 0, "zero folds never divides by zero");
    }

    #[test]
    fn polarity_on_a_tiny_set() {
        let rows =
            read::polarity_tsv("label\ttext\n1\t质量很好，很满意\n0\t太差了，再也不买\n").unwrap();
        let report = polarity(engine(), &rows, None);
        assert_eq!(report.rows, 2);
        assert_eq!(report.get("accuracy"), Some(1.0));
    }

    #[test]
    fn polarity_folds_sum_every_fold() {
        let rows = read::polarity_tsv("label\ttext\n1\t很好\n0\t很差\n1\t不错\n0\t难用\n1\t喜欢\n")
            .unwrap();
        let mut seen = Vec::new();
        let report = polarity_folds(&rows, 2, None, |fold, train| {
            seen.push((fold, train.to_vec()));
            Engine::new()
        })
        .unwrap();
        assert_eq!(report.rows, 5, "every row is tested once");
        assert_eq!(report.scheme, "2-fold");
        assert_eq!(seen[0], (0, vec![1, 3]));
        assert_eq!(seen[1], (1, vec![0, 2, 4]));
    }

    #[test]
    fn aspect_verdicts_on_a_tiny_set() {
        let text =
            "text\taspect\tpolarity\n屏幕很清晰\t屏幕\tPositive\n电池不耐用\t电池\tNegative\n";
        let report = aspects(engine(), &read::peng_tsv(text).unwrap(), Some("phone"));
        assert_eq!(report.rows, 2);
        assert!(report.get("accuracy_review_fallback").is_some());
        let table = report.confusion.as_ref().unwrap();
        assert_eq!(table.total(), 2);
    }

    #[test]
    fn cosmetics_categories_from_cues() {
        let line = r#"{"id": "1", "text": "物流很快，味道很好闻", "labels": [{"Categories": "物流", "Polarities": "正面"}, {"Categories": "气味", "Polarities": "正面"}]}"#;
        let rows = read::cosmetics_jsonl(line).unwrap();
        let report = categories(
            engine(),
            Format::Cosmetics,
            &rows,
            "cosmetics",
            &crate::is_cosmetics_code,
        );
        assert_eq!(report.get("pair_f1"), Some(1.0), "{}", report.to_table());
    }

    #[test]
    fn semeval_codes_come_from_the_phone_tree() {
        let text = "sentence_id\ttext\topinions\n1:0\t屏幕很清晰\tDISPLAY#QUALITY:positive\n";
        let rows = read::semeval_tsv(text).unwrap();
        let report = categories(
            engine(),
            Format::Semeval,
            &rows,
            "phone",
            &crate::is_semeval_code,
        );
        assert_eq!(
            report.get("category_f1"),
            Some(1.0),
            "{}",
            report.to_table()
        );
    }

    #[test]
    fn failing_cases_are_named_with_what_was_expected() {
        let lines = concat!(
            r#"{"id": "A", "text": "吸力大，噪音小", "polarity": "positive", "aspects": [{"aspect": "吸力", "polarity": "positive", "opinion": "吸力大"}]}"#,
            "\n",
            r#"{"id": "B", "text": "吸力大", "polarity": "negative", "aspects": [{"aspect": "吸力", "polarity": "negative", "opinion": "吸力大"}]}"#,
        );
        let cases = read::cases_jsonl(lines).unwrap();
        let tree = engine().taxonomy("robot_vacuum").unwrap();
        let report = self::cases(engine(), &cases, tree);
        assert_eq!(
            report.get("fully_right"),
            Some(1.0),
            "{}",
            report.to_table()
        );
        assert_eq!(report.failures.len(), 1);
        assert_eq!(report.failures[0].id, "B");
        assert!(report.failures[0].expected.contains("吸力 negative"));
    }
}
