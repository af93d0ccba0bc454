//! Metrics: a confusion table with accuracy and macro-F1, and set-overlap counts with
//! micro precision, recall and F1.
//!
//! A **confusion table** counts (gold label, predicted label) pairs. Its labels are the
//! gold classes given when it is made, then any label only the predictions use (such as
//! `not_mentioned`): those count as errors but get no F1 of their own, so macro-F1 is the
//! mean over the gold classes.

use serde::Serialize;

/// Counts of (gold, predicted) label pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Row and column labels; the first `gold_classes` are the classes scored by macro-F1.
    pub labels: Vec<String>,
    pub gold_classes: usize,
    /// `counts[gold][predicted]`.
    pub counts: Vec<Vec<usize>>,
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Gold rows of this class.
    pub support: usize,
}

impl Confusion {
    /// An empty table over these gold classes.
    pub fn new(classes: &[&str]) -> Confusion {
        Confusion {
            labels: classes.iter().map(|c| (*c).to_string()).collect(),
            gold_classes: classes.len(),
            counts: vec![vec![0; classes.len()]; classes.len()],
        }
    }

    /// Counts one row; an unknown label gets a new row and column.
    pub fn add(&mut self, gold: &str, predicted: &str) {
        let g = self.index(gold);
        let p = self.index(predicted);
        self.counts[g][p] += 1;
    }

    fn index(&mut self, label: &str) -> usize {
        if let Some(i) = self.labels.iter().position(|l| l == label) {
            return i;
        }
        self.labels.push(label.to_string());
        for row in &mut self.counts {
            row.push(0);
        }
        self.counts.push(vec![0; self.labels.len()]);
        self.labels.len() - 1
    }

    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    pub fn correct(&self) -> usize {
        (0..self.labels.len()).map(|i| self.counts[i][i]).sum()
    }

    /// Share of rows whose prediction equals the gold label (0 when empty).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// Precision, recall and F1 of the class at `index`.
    pub fn class_score(&self, index: usize) -> ClassScore {
        let tp = self.counts[index][index];
        let predicted: usize = self.counts.iter().map(|row| row[index]).sum();
        let support: usize = self.counts[index].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        ClassScore {
            precision,
            recall,
            f1: f1(precision, recall),
            support,
        }
    }

    /// Mean F1 over the gold classes.
    pub fn macro_f1(&self) -> f64 {
        if self.gold_classes == 0 {
            return 0.0;
        }
        let sum: f64 = (0..self.gold_classes).map(|i| self.class_score(i).f1).sum();
        sum / self.gold_classes as f64
    }

    /// Adds another table's counts to this one (folds into a whole).
    pub fn merge(&mut self, other: &Confusion) {
        for (g, gold) in other.labels.iter().enumerate() {
            for (p, predicted) in other.labels.iter().enumerate() {
                let n = other.counts[g][p];
                if n > 0 {
                    let (gi, pi) = (self.index(gold), self.index(predicted));
                    self.counts[gi][pi] += n;
                }
            }
        }
    }
}

/// True positives, false positives and false negatives of predicted sets against gold sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SetCounts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl SetCounts {
    /// Compares one predicted set with its gold set; both must be free of repeats.
    pub fn add<T: PartialEq>(&mut self, gold: &[T], predicted: &[T]) {
        let hits = predicted.iter().filter(|p| gold.contains(p)).count();
        self.true_positives += hits;
        self.false_positives += predicted.len() - hits;
        self.false_negatives += gold.len() - hits;
    }

    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_and_macro_f1_of_a_two_class_table() {
        let mut table = Confusion::new(&["positive", "negative"]);
        for (gold, predicted) in [
            ("positive", "positive"),
            ("positive", "positive"),
            ("positive", "negative"),
            ("negative", "negative"),
        ] {
            table.add(gold, predicted);
        }
        assert_eq!(table.total(), 4);
        assert!((table.accuracy() - 0.75).abs() < 1e-9);
        // positive: p 1, r 2/3, f1 0.8; negative: p 1/2, r 1, f1 2/3.
        assert!((table.macro_f1() - (0.8 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_label_only_predicted_is_an_error_but_not_a_class() {
        let mut table = Confusion::new(&["positive", "negative"]);
        table.add("positive", "not_mentioned");
        table.add("negative", "negative");
        assert_eq!(table.labels.len(), 3);
        assert!((table.accuracy() - 0.5).abs() < 1e-9);
        assert_eq!(table.gold_classes, 2);
    }

    #[test]
    fn merging_tables_adds_counts() {
        let mut a = Confusion::new(&["positive", "negative"]);
        a.add("positive", "positive");
        let mut b = Confusion::new(&["positive", "negative"]);
        b.add("negative", "not_mentioned");
        a.merge(&b);
        assert_eq!(a.total(), 2);
        assert_eq!(a.labels.len(), 3);
    }

    #[test]
    fn set_counts_give_micro_scores() {
        let mut counts = SetCounts::default();
        counts.add(&["价格", "物流"], &["价格", "包装"]);
        counts.add(&["整体"], &[]);
        assert_eq!(counts.true_positives, 1);
        assert_eq!(counts.false_positives, 1);
        assert_eq!(counts.false_negatives, 2);
        assert!((counts.precision() - 0.5).abs() < 1e-9);
        assert!((counts.recall() - 1.0 / 3.0).abs() < 1e-9);
        assert!((counts.f1() - 0.4).abs() < 1e-9);
    }

    #[test]
    fn empty_inputs_score_zero_not_nan() {
        assert_eq!(Confusion::new(&[]).macro_f1(), 0.0);
        assert_eq!(SetCounts::default().f1(), 0.0);
    }
}
