//! Reports: the per-indicator numbers of a filtered set of reviews, ready to read.
//!
//! A [`Report`] gathers, for one [`Filter`], the totals, every indicator's mentions,
//! positive / neutral / negative counts, satisfaction (positive share) and net sentiment
//! ((positive − negative) / mentions), the top typical opinions and the top reasons for
//! negative feeling (the most frequent negative typical opinions). It renders as a
//! terminal table, JSON, or an Excel workbook ([`xlsx`]).

mod table;
pub mod xlsx;

use std::collections::{HashMap, HashSet};

use koubei_core::Polarity;
use koubei_store::{Filter, IndicatorStat, Store, StoreError, Summary, TypicalOpinion};
use serde::Serialize;

pub use table::render_table;

/// How many typical opinions and reasons a report lists.
pub const TOP_OPINIONS: u32 = 20;

/// A failure while building or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {source}")]
    Xlsx {
        path: String,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
}

/// One indicator's row in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    #[serde(flatten)]
    pub stat: IndicatorStat,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

impl From<IndicatorStat> for IndicatorRow {
    fn from(stat: IndicatorStat) -> Self {
        IndicatorRow {
            satisfaction: stat.satisfaction(),
            net_sentiment: stat.net_sentiment(),
            stat,
        }
    }
}

/// Everything a report shows, for one filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub filter: Filter,
    pub summary: Summary,
    pub indicators: Vec<IndicatorRow>,
    pub typical_opinions: Vec<TypicalOpinion>,
    pub negative_reasons: Vec<TypicalOpinion>,
}

impl Report {
    /// Reads the numbers for `filter` from the store.
    pub async fn build(
        store: &dyn Store,
        workspace: &str,
        filter: &Filter,
    ) -> Result<Report, ReportError> {
        let summary = store.summary(workspace, filter).await?;
        let stats = store.indicator_stats(workspace, filter).await?;
        let typical_opinions = store
            .typical_opinions(workspace, filter, None, None, TOP_OPINIONS)
            .await?;
        let negative_reasons = store
            .typical_opinions(
                workspace,
                filter,
                None,
                Some(Polarity::Negative),
                TOP_OPINIONS,
            )
            .await?;
        Ok(Report {
            filter: filter.clone(),
            summary,
            indicators: tree_order(stats)
                .into_iter()
                .map(IndicatorRow::from)
                .collect(),
            typical_opinions,
            negative_reasons,
        })
    }
}

/// Orders indicators depth-first: every parent before its children, siblings by
/// mentions (most first), then by path. An indicator whose parent is not in the list is
/// treated as a root.
pub fn tree_order(stats: Vec<IndicatorStat>) -> Vec<IndicatorStat> {
    let paths: HashSet<String> = stats.iter().map(|s| s.indicator.clone()).collect();
    let mut children: HashMap<Option<String>, Vec<IndicatorStat>> = HashMap::new();
    for stat in stats {
        let parent = parent_path(&stat.indicator)
            .filter(|p| paths.contains(*p))
            .map(str::to_string);
        children.entry(parent).or_default().push(stat);
    }
    for siblings in children.values_mut() {
        // Reversed, because the walk below pops from the end.
        siblings.sort_by(|a, b| {
            a.mentions
                .cmp(&b.mentions)
                .then_with(|| b.indicator.cmp(&a.indicator))
        });
    }

    let mut ordered = Vec::with_capacity(paths.len());
    let mut stack = children.remove(&None).unwrap_or_default();
    while let Some(stat) = stack.pop() {
        if let Some(kids) = children.remove(&Some(stat.indicator.clone())) {
            stack.extend(kids);
        }
        ordered.push(stat);
    }
    ordered
}

fn parent_path(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(parent, _)| parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(path: &str, mentions: u64) -> IndicatorStat {
        IndicatorStat {
            indicator: path.to_string(),
            depth: path.matches('/').count(),
            mentions,
            ..IndicatorStat::default()
        }
    }

    fn order(input: &[(&str, u64)]) -> Vec<String> {
        let stats = input.iter().map(|(p, m)| stat(p, *m)).collect();
        tree_order(stats).into_iter().map(|s| s.indicator).collect()
    }

    #[test]
    fn children_follow_their_parent_and_siblings_go_by_mentions() {
        let got = order(&[
            ("产品/噪音", 1),
            ("服务", 4),
            ("产品", 5),
            ("产品/清洁能力/吸力", 3),
            ("产品/清洁能力", 3),
            ("服务/物流", 4),
            ("产品/外观", 1),
        ]);
        // 噪音 and 外观 tie on mentions, so they go by path (噪 U+566A before 外 U+5916).
        let want = [
            "产品",
            "产品/清洁能力",
            "产品/清洁能力/吸力",
            "产品/噪音",
            "产品/外观",
            "服务",
            "服务/物流",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn an_orphan_counts_as_a_root() {
        assert_eq!(order(&[("甲/乙", 2), ("丙", 1)]), ["甲/乙", "丙"]);
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(order(&[]).is_empty());
    }

    #[test]
    fn ratios_are_worked_out_for_each_row() {
        let mut s = stat("产品", 4);
        (s.positive, s.negative, s.neutral) = (3, 1, 0);
        let row = IndicatorRow::from(s);
        assert_eq!(row.satisfaction, Some(0.75));
        assert_eq!(row.net_sentiment, Some(0.5));
        assert_eq!(IndicatorRow::from(stat("空", 0)).satisfaction, None);
    }
}
