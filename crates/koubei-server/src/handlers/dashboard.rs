//! The dashboard's views: `GET /api/v1/options`, `/overview`, `/indicators/tree`,
//! `/indicators/detail`, `/compare` and `/service` (docs/dashboard-api.md maps each page to
//! its routes). Every answer is computed from the in-memory [`FactIndex`], refreshed from
//! the store before each request, on a blocking thread so that a long scan never stalls
//! the server's other requests.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate};
use koubei_core::Polarity;
use koubei_report::tree_order;
use koubei_store::facts::{self, BreakdownRow, Dimension, FactIndex, Options, Trend};
use koubei_store::stats::{two_proportion_p, wilson_interval};
use koubei_store::{Filter, IndicatorStat, Summary, TypicalOpinion};
use serde::Serialize;

use crate::access::Caller;
use crate::alerting::{AlertRuleError, RuleConfig};
use crate::params::{CompareParams, FilterParams, Params, ViewParams};
use crate::{ApiError, AppState};

/// How many rows the overview's lists hold.
const TOP: usize = 10;
/// How many typical complaints the service view lists.
const COMPLAINTS: u32 = 15;
/// The comparison period when no dates are chosen: this many days up to the newest review.
const DEFAULT_PERIOD_DAYS: i64 = 30;
/// Fewer mentions than this on either side and a difference is never called significant.
const MIN_MENTIONS_FOR_TEST: u64 = 5;
const SIGNIFICANCE: f64 = 0.05;

/// Indicator names that make an indicator a service one (besides everything under a root
/// called 服务).
pub const SERVICE_NAMES: &[&str] = &[
    "服务",
    "客服",
    "售后",
    "物流",
    "快递",
    "快递员",
    "配送",
    "安装",
    "包装",
    "商家",
];

/// Refreshes the index from the store, then runs `query` on it on a blocking thread.
pub(crate) async fn with_index<T, F>(state: &AppState, query: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&FactIndex) -> T + Send + 'static,
{
    state.index.refresh(state.store.as_ref()).await?;
    let current = state.index.current();
    tokio::task::spawn_blocking(move || query(&facts::read(&current)))
        .await
        .map_err(|e| ApiError::Internal(format!("dashboard query stopped: {e}")))
}

/// Runs `a` on a second thread and `b` on this one, and returns both answers: the
/// dashboard's scans are independent and the machine has more than one core.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    std::thread::scope(|scope| {
        let first = scope.spawn(a);
        let second = b();
        let first = first
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

/// An indicator with its counts and ratios.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    /// Path of names from the root, joined by `/`.
    pub indicator: String,
    /// The last name of the path.
    pub name: String,
    pub parent: Option<String>,
    pub depth: usize,
    pub mentions: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

impl From<&IndicatorStat> for IndicatorRow {
    fn from(s: &IndicatorStat) -> Self {
        let (parent, name) = match s.indicator.rsplit_once('/') {
            Some((parent, name)) => (Some(parent.to_string()), name.to_string()),
            None => (None, s.indicator.clone()),
        };
        IndicatorRow {
            indicator: s.indicator.clone(),
            name,
            parent,
            depth: s.depth,
            mentions: s.mentions,
            positive: s.positive,
            neutral: s.neutral,
            negative: s.negative,
            satisfaction: s.satisfaction(),
            net_sentiment: s.net_sentiment(),
        }
    }
}

/// `GET /api/v1/options`: what the filter bar offers.
pub async fn options(State(state): State<Arc<AppState>>) -> Result<Json<Options>, ApiError> {
    Ok(Json(with_index(&state, |index| index.options()).await?))
}

/// The overview's totals: the review summary plus the mention ratios.
#[derive(Debug, Serialize)]
pub struct OverviewSummary {
    #[serde(flatten)]
    pub summary: Summary,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

/// How many alerts the overview lists.
const RECENT_ALERTS: u32 = 5;

/// A recent alert as the overview lists it.
#[derive(Debug, Serialize)]
pub struct AlertItem {
    pub id: i64,
    /// When it was raised (UTC), `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub severity: String,
    pub title: String,
    /// The drill-down of the reviews behind it.
    pub link: String,
    /// What it said happened.
    pub what: String,
    /// Channels it reached, and those still pending or failed.
    pub sent: Vec<String>,
    pub not_sent: Vec<String>,
}

/// The newest alerts, as the overview and `/api/v1/alerts` list them.
pub(crate) async fn recent_alerts(
    state: &AppState,
    limit: u32,
) -> Result<Vec<AlertItem>, ApiError> {
    let records = state.store.recent_alerts(&state.workspace, limit).await?;
    Ok(records
        .into_iter()
        .map(|a| {
            let text = |key: &str| a.message[key].as_str().unwrap_or_default().to_string();
            let (sent, not_sent): (Vec<_>, Vec<_>) =
                a.deliveries.iter().partition(|d| d.status == "sent");
            AlertItem {
                id: a.id,
                at: a.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                severity: a.severity.clone(),
                title: a.title.clone(),
                link: relative_link(&text("link")),
                what: text("what"),
                sent: sent.into_iter().map(|d| d.channel.clone()).collect(),
                not_sent: not_sent
                    .into_iter()
                    .map(|d| format!("{} ({})", d.channel, d.status))
                    .collect(),
            }
        })
        .collect())
}

/// A message's absolute link made relative to this server (`/reviews?…`), so that the
/// dashboard links to itself whatever address the messages were written for.
fn relative_link(link: &str) -> String {
    match link.find("/reviews?") {
        Some(at) => link[at..].to_string(),
        None => "/reviews".to_string(),
    }
}

/// The alert history.
#[derive(Debug, Serialize)]
pub struct AlertHistory {
    pub alerts: Vec<AlertItem>,
}

/// How many alerts `/api/v1/alerts` lists.
const ALERT_HISTORY: u32 = 100;

/// The alert configuration as the API shows it.
#[derive(Debug, Serialize)]
pub struct AlertSetup {
    /// Whether this server runs alert rules at all.
    pub enabled: bool,
    pub channels: Vec<crate::alerting::config::ShownChannel>,
    pub rules: Vec<ShownRule>,
}

/// A rule and where it is defined.
#[derive(Debug, Serialize)]
pub struct ShownRule {
    #[serde(flatten)]
    pub rule: RuleConfig,
    /// `file` (the configuration file) or `api` (added over the API, stored).
    pub source: &'static str,
}

fn alert_setup(state: &AppState) -> AlertSetup {
    match &state.alerting {
        None => AlertSetup {
            enabled: false,
            channels: Vec::new(),
            rules: Vec::new(),
        },
        Some(alerting) => AlertSetup {
            enabled: true,
            channels: alerting.config().shown_channels(),
            rules: alerting
                .rules()
                .iter()
                .map(|r| ShownRule {
                    rule: r.config.clone(),
                    source: if r.from_api { "api" } else { "file" },
                })
                .collect(),
        },
    }
}

/// `GET /api/v1/alerts/rules`: the rules in force and the channels (secrets hidden).
pub async fn alert_rules(State(state): State<Arc<AppState>>) -> Json<AlertSetup> {
    Json(alert_setup(&state))
}

fn alerting_of(state: &AppState) -> Result<&crate::alerting::Alerting, ApiError> {
    state.alerting.as_deref().ok_or(ApiError::Unavailable(
        "this server runs without alerting; start it with a configuration file that defines [[alerts.channels]]",
    ))
}

fn rule_error(error: AlertRuleError) -> ApiError {
    match error {
        AlertRuleError::Invalid(reason) => ApiError::BadBody(reason),
        AlertRuleError::Store(e) => ApiError::Store(e),
    }
}

/// `POST /api/v1/alerts/rules` (analyst or admin): adds or replaces a rule, with the fields a
/// rule has in the configuration file, as JSON.
pub async fn put_alert_rule(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<AlertSetup>, ApiError> {
    let alerting = alerting_of(&state)?;
    let rule: RuleConfig =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadBody(format!("the rule: {e}")))?;
    alerting
        .put_api_rule(
            state.store.as_ref(),
            &state.workspace,
            &rule,
            &caller.actor(),
        )
        .await
        .map_err(rule_error)?;
    Ok(Json(alert_setup(&state)))
}

/// `DELETE /api/v1/alerts/rules/{name}` (analyst or admin): removes a rule added over the API.
pub async fn delete_alert_rule(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<AlertSetup>, ApiError> {
    let alerting = alerting_of(&state)?;
    let gone = alerting
        .delete_api_rule(
            state.store.as_ref(),
            &state.workspace,
            &name,
            &caller.actor(),
        )
        .await
        .map_err(rule_error)?;
    if !gone {
        return Err(ApiError::NotFound);
    }
    Ok(Json(alert_setup(&state)))
}

/// `GET /api/v1/alerts`: the newest alerts and where they went.
pub async fn alerts(State(state): State<Arc<AppState>>) -> Result<Json<AlertHistory>, ApiError> {
    Ok(Json(AlertHistory {
        alerts: recent_alerts(&state, ALERT_HISTORY).await?,
    }))
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub summary: OverviewSummary,
    pub trend: Trend,
    pub most_mentioned: Vec<IndicatorRow>,
    pub most_praised: Vec<IndicatorRow>,
    pub most_criticised: Vec<IndicatorRow>,
    pub typical_opinions: Vec<TypicalOpinion>,
    pub negative_reasons: Vec<TypicalOpinion>,
    pub alerts: Vec<AlertItem>,
}

/// `GET /api/v1/overview`.
pub async fn overview(
    State(state): State<Arc<AppState>>,
    Params(params): Params<ViewParams>,
) -> Result<Json<Overview>, ApiError> {
    let granularity = params.granularity()?;
    let filter = params.filter.into_filter()?;
    let alerts = recent_alerts(&state, RECENT_ALERTS).await?;
    let answer = with_index(&state, move |index| {
        // Two halves of the work on two threads: the scans are independent.
        let ((stats, summary), (trend, (typical_opinions, negative_reasons))) = join(
            || (index.indicator_stats(&filter), index.summary(&filter)),
            || {
                (
                    index.trend::<&str>(&filter, None, granularity),
                    (
                        index.typical_opinions(&filter, None, None, TOP as u32),
                        index.typical_opinions(&filter, None, Some(Polarity::Negative), TOP as u32),
                    ),
                )
            },
        );
        let roots: Vec<&IndicatorStat> = stats.iter().filter(|s| s.depth == 0).collect();
        let positive: u64 = roots.iter().map(|s| s.positive).sum();
        let negative: u64 = roots.iter().map(|s| s.negative).sum();
        let mentions: u64 = roots.iter().map(|s| s.mentions).sum();
        let deep = stats.iter().any(|s| s.depth > 0);
        let candidates: Vec<&IndicatorStat> =
            stats.iter().filter(|s| !deep || s.depth > 0).collect();
        let top_by = |key: fn(&IndicatorStat) -> u64| {
            let mut rows: Vec<&&IndicatorStat> = candidates.iter().filter(|s| key(s) > 0).collect();
            rows.sort_by(|a, b| {
                key(b)
                    .cmp(&key(a))
                    .then_with(|| a.indicator.cmp(&b.indicator))
            });
            rows.into_iter()
                .take(TOP)
                .map(|s| IndicatorRow::from(*s))
                .collect::<Vec<_>>()
        };
        Overview {
            summary: OverviewSummary {
                summary,
                satisfaction: (mentions > 0).then(|| positive as f64 / mentions as f64),
                net_sentiment: (mentions > 0)
                    .then(|| (positive as f64 - negative as f64) / mentions as f64),
            },
            trend,
            most_mentioned: top_by(|s| s.mentions),
            most_praised: top_by(|s| s.positive),
            most_criticised: top_by(|s| s.negative),
            typical_opinions,
            negative_reasons,
            alerts,
        }
    })
    .await?;
    Ok(Json(answer))
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The period a change column compares, and why it is that one.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ComparedPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `selected` (the filter's dates) or `latest_30_days` (no dates chosen).
    pub basis: &'static str,
}

/// An indicator's numbers in the previous period.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PeriodStats {
    pub mentions: u64,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

/// How an indicator moved: relative change of mentions, differences of the ratios.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Change {
    pub mentions: Option<f64>,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

/// An indicator row with its previous period and the change.
#[derive(Debug, Clone, Serialize)]
pub struct TreeRow {
    #[serde(flatten)]
    pub row: IndicatorRow,
    pub previous: PeriodStats,
    pub change: Change,
}

#[derive(Debug, Serialize)]
pub struct Tree {
    pub period: Option<ComparedPeriod>,
    pub previous: Option<Period>,
    pub indicators: Vec<TreeRow>,
}

/// The period the change column compares and the one of equal length before it, or `None`
/// when no review has a date.
fn compared_periods(index: &FactIndex, filter: &Filter) -> Option<(ComparedPeriod, Period)> {
    let (period, basis) = match (filter.from, filter.to) {
        (Some(from), Some(to)) => ((from, to), "selected"),
        (None, None) => {
            let (_, last) = index.day_span(filter)?;
            let from = last - Duration::days(DEFAULT_PERIOD_DAYS - 1);
            ((from, last), "latest_30_days")
        }
        (from, to) => {
            let (first, last) = index.day_span(filter)?;
            ((from.unwrap_or(first), to.unwrap_or(last)), "selected")
        }
    };
    let (from, to) = period;
    let days = (to - from).num_days() + 1;
    let previous = Period {
        from: from - Duration::days(days),
        to: from - Duration::days(1),
    };
    Some((ComparedPeriod { from, to, basis }, previous))
}

fn within(filter: &Filter, from: NaiveDate, to: NaiveDate) -> Filter {
    Filter {
        from: Some(from),
        to: Some(to),
        ..filter.clone()
    }
}

/// Every indicator of `stats` in tree order with its change between the two periods.
fn tree_rows(
    index: &FactIndex,
    filter: &Filter,
    stats: Vec<IndicatorStat>,
    periods: Option<(ComparedPeriod, Period)>,
) -> Vec<TreeRow> {
    let (now, before) = match periods {
        Some((p, q)) => join(
            || by_path(index.indicator_stats(&within(filter, p.from, p.to))),
            || by_path(index.indicator_stats(&within(filter, q.from, q.to))),
        ),
        None => (HashMap::new(), HashMap::new()),
    };
    tree_order(stats)
        .iter()
        .map(|s| {
            let cur = now.get(&s.indicator);
            let prev = before.get(&s.indicator);
            let previous = prev.map_or_else(PeriodStats::default, |p| PeriodStats {
                mentions: p.mentions,
                satisfaction: p.satisfaction(),
                net_sentiment: p.net_sentiment(),
            });
            let diff = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
            let change = Change {
                mentions: match (cur.map_or(0, |c| c.mentions), previous.mentions) {
                    (_, 0) => None,
                    (c, p) => Some((c as f64 - p as f64) / p as f64),
                },
                satisfaction: diff(cur.and_then(|c| c.satisfaction()), previous.satisfaction),
                net_sentiment: diff(cur.and_then(|c| c.net_sentiment()), previous.net_sentiment),
            };
            TreeRow {
                row: IndicatorRow::from(s),
                previous,
                change,
            }
        })
        .collect()
}

fn by_path(stats: Vec<IndicatorStat>) -> HashMap<String, IndicatorStat> {
    stats
        .into_iter()
        .map(|s| (s.indicator.clone(), s))
        .collect()
}

/// `GET /api/v1/indicators/tree`.
pub async fn tree(
    State(state): State<Arc<AppState>>,
    Params(params): Params<FilterParams>,
) -> Result<Json<Tree>, ApiError> {
    let filter = params.into_filter()?;
    // With a category chosen, the whole tree of that category: indicators nobody mentioned
    // are rows too (with zeros), since what buyers do not talk about is an answer as well.
    let tree_paths: Vec<(String, usize)> = match (&state.engine, &filter.category) {
        (Some(engine), Some(category)) => engine
            .taxonomy_for(Some(category))
            .indicators()
            .iter()
            .map(|i| (i.path.clone(), i.depth))
            .collect(),
        _ => Vec::new(),
    };
    let answer = with_index(&state, move |index| {
        let periods = compared_periods(index, &filter);
        let mut stats = index.indicator_stats(&filter);
        let seen: HashSet<String> = stats.iter().map(|s| s.indicator.clone()).collect();
        for (path, depth) in tree_paths {
            if !seen.contains(&path) {
                stats.push(IndicatorStat {
                    indicator: path,
                    depth,
                    ..IndicatorStat::default()
                });
            }
        }
        Tree {
            period: periods.map(|(p, _)| p),
            previous: periods.map(|(_, q)| q),
            indicators: tree_rows(index, &filter, stats, periods),
        }
    })
    .await?;
    Ok(Json(answer))
}

/// Why an indicator is criticised: a child indicator or a typical opinion, with its share
/// of the indicator's negative mentions.
#[derive(Debug, Serialize)]
pub struct NegativeReason {
    pub reason: String,
    pub indicator: String,
    pub typical: Option<String>,
    pub count: u64,
    pub share: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Detail {
    pub indicator: IndicatorRow,
    pub trend: Trend,
    pub children: Vec<IndicatorRow>,
    pub positive_opinions: Vec<TypicalOpinion>,
    pub negative_opinions: Vec<TypicalOpinion>,
    pub negative_reasons: Vec<NegativeReason>,
    pub by_channel: Vec<BreakdownRow>,
    pub by_model: Vec<BreakdownRow>,
}

/// `GET /api/v1/indicators/detail?indicator=…`.
pub async fn detail(
    State(state): State<Arc<AppState>>,
    Params(params): Params<ViewParams>,
) -> Result<Json<Detail>, ApiError> {
    let granularity = params.granularity()?;
    let path = params.indicator()?;
    let filter = params.filter.into_filter()?;
    let answer = with_index(&state, move |index| {
        if !index.has_indicator(&path) {
            return None;
        }
        let scope = [path.as_str()];
        let ((stats, (positive_opinions, negative_opinions)), (trend, (by_channel, by_model))) =
            join(
                || {
                    let typical =
                        |p| index.typical_opinions(&filter, Some(&path), Some(p), TOP as u32);
                    (
                        index.indicator_stats(&filter),
                        (typical(Polarity::Positive), typical(Polarity::Negative)),
                    )
                },
                || {
                    (
                        index.trend(&filter, Some(&scope), granularity),
                        (
                            index.breakdown(&filter, Dimension::Channel, Some(&path)),
                            index.breakdown(&filter, Dimension::Model, Some(&path)),
                        ),
                    )
                },
            );
        let own = stats
            .iter()
            .find(|s| s.indicator == path)
            .cloned()
            .unwrap_or_else(|| IndicatorStat {
                indicator: path.clone(),
                depth: path.matches('/').count(),
                ..IndicatorStat::default()
            });
        let prefix = format!("{path}/");
        let mut children: Vec<&IndicatorStat> = stats
            .iter()
            .filter(|s| s.depth == own.depth + 1 && s.indicator.starts_with(&prefix))
            .collect();
        children.sort_by_key(|c| std::cmp::Reverse(c.mentions));
        let share = |n: u64| (own.negative > 0).then(|| n as f64 / own.negative as f64);
        let mut reasons: Vec<NegativeReason> = children
            .iter()
            .filter(|c| c.negative > 0)
            .map(|c| NegativeReason {
                reason: IndicatorRow::from(*c).name,
                indicator: c.indicator.clone(),
                typical: None,
                count: c.negative,
                share: share(c.negative),
            })
            .collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.count));
        if reasons.is_empty() {
            reasons = negative_opinions
                .iter()
                .map(|o| NegativeReason {
                    reason: o.typical.clone(),
                    indicator: o.indicator.clone(),
                    typical: Some(o.typical.clone()),
                    count: o.count,
                    share: share(o.count),
                })
                .collect();
        }
        Some(Detail {
            indicator: IndicatorRow::from(&own),
            trend,
            children: children.into_iter().map(IndicatorRow::from).collect(),
            positive_opinions,
            negative_opinions,
            negative_reasons: reasons,
            by_channel,
            by_model,
        })
    })
    .await?;
    answer.map(Json).ok_or(ApiError::NotFound)
}

/// One compared value's totals.
#[derive(Debug, Serialize)]
pub struct ComparedValue {
    pub value: String,
    pub reviews: u64,
    pub mentions: u64,
}

/// One value's numbers for one indicator, tested against the first value's.
#[derive(Debug, Serialize)]
pub struct CompareCell {
    pub value: String,
    pub mentions: u64,
    pub positive: u64,
    pub negative: u64,
    pub satisfaction: Option<f64>,
    /// Wilson's 95 % interval of the satisfaction.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Satisfaction minus the reference's (the first value); `None` for the reference.
    pub diff: Option<f64>,
    /// Two-sided p-value of the two-proportion test against the reference.
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Serialize)]
pub struct CompareRow {
    pub indicator: String,
    pub name: String,
    pub depth: usize,
    pub cells: Vec<CompareCell>,
}

#[derive(Debug, Serialize)]
pub struct Comparison {
    pub dimension: Dimension,
    pub values: Vec<ComparedValue>,
    pub indicators: Vec<CompareRow>,
}

/// How many values a comparison shows when none are named.
const DEFAULT_COMPARED: usize = 3;

/// `GET /api/v1/compare?dimension=brand&values=甲,乙`.
pub async fn compare(
    State(state): State<Arc<AppState>>,
    Params(params): Params<CompareParams>,
) -> Result<Json<Comparison>, ApiError> {
    let (dimension, named) = params.dimension_and_values()?;
    let filter = params.filter.into_filter()?;
    let answer = with_index(&state, move |index| {
        let breakdown = index.breakdown(&filter, dimension, None);
        let values: Vec<String> = if named.is_empty() {
            breakdown
                .iter()
                .filter(|b| !b.value.is_empty())
                .take(DEFAULT_COMPARED)
                .map(|b| b.value.clone())
                .collect()
        } else {
            named
        };
        let per_value: Vec<HashMap<String, IndicatorStat>> = values
            .iter()
            .map(|v| by_path(index.indicator_stats(&dimension.narrow(&filter, v))))
            .collect();
        // Every indicator any value mentions, in the tree order of their combined counts.
        let mut union: HashMap<String, IndicatorStat> = HashMap::new();
        for stats in &per_value {
            for s in stats.values() {
                let entry = union.entry(s.indicator.clone()).or_insert(IndicatorStat {
                    indicator: s.indicator.clone(),
                    depth: s.depth,
                    ..IndicatorStat::default()
                });
                entry.mentions += s.mentions;
            }
        }
        let ordered = tree_order(union.into_values().collect());
        let indicators = ordered
            .iter()
            .map(|s| {
                let empty = IndicatorStat::default();
                let reference = per_value
                    .first()
                    .and_then(|m| m.get(&s.indicator))
                    .unwrap_or(&empty);
                let cells = values
                    .iter()
                    .zip(&per_value)
                    .enumerate()
                    .map(|(k, (value, stats))| {
                        let st = stats.get(&s.indicator).unwrap_or(&empty);
                        let interval = wilson_interval(st.positive, st.mentions);
                        let tested = k > 0;
                        let p_value = if tested {
                            two_proportion_p(
                                st.positive,
                                st.mentions,
                                reference.positive,
                                reference.mentions,
                            )
                        } else {
                            None
                        };
                        let diff = if tested {
                            st.satisfaction()
                                .zip(reference.satisfaction())
                                .map(|(a, b)| a - b)
                        } else {
                            None
                        };
                        CompareCell {
                            value: value.clone(),
                            mentions: st.mentions,
                            positive: st.positive,
                            negative: st.negative,
                            satisfaction: st.satisfaction(),
                            ci_low: interval.map(|i| i.0),
                            ci_high: interval.map(|i| i.1),
                            diff,
                            p_value,
                            significant: p_value.is_some_and(|p| p < SIGNIFICANCE)
                                && st.mentions >= MIN_MENTIONS_FOR_TEST
                                && reference.mentions >= MIN_MENTIONS_FOR_TEST,
                        }
                    })
                    .collect();
                CompareRow {
                    indicator: s.indicator.clone(),
                    name: IndicatorRow::from(s).name,
                    depth: s.depth,
                    cells,
                }
            })
            .collect();
        let totals: HashMap<&str, &BreakdownRow> =
            breakdown.iter().map(|b| (b.value.as_str(), b)).collect();
        Comparison {
            dimension,
            values: values
                .iter()
                .map(|v| ComparedValue {
                    value: v.clone(),
                    reviews: totals.get(v.as_str()).map_or(0, |b| b.reviews),
                    mentions: totals.get(v.as_str()).map_or(0, |b| b.mentions),
                })
                .collect(),
            indicators,
        }
    })
    .await?;
    Ok(Json(answer))
}

#[derive(Debug, Serialize)]
pub struct Service {
    pub period: Option<ComparedPeriod>,
    pub previous: Option<Period>,
    /// The service indicators found, as roots of the subtrees shown.
    pub roots: Vec<String>,
    pub indicators: Vec<TreeRow>,
    pub trend: Trend,
    pub complaints: Vec<TypicalOpinion>,
}

/// The smallest set of indicator paths whose subtrees hold every service indicator.
fn service_roots<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<&str> = paths
        .filter(|p| {
            let mut names = p.split('/');
            let root = names.next().unwrap_or_default();
            root == "服务" || p.split('/').any(|name| SERVICE_NAMES.contains(&name))
        })
        .collect();
    found.sort_by_key(|p| p.len());
    let mut roots: Vec<String> = Vec::new();
    for path in found {
        let covered = roots
            .iter()
            .any(|r| path == r || path.starts_with(&format!("{r}/")));
        if !covered {
            roots.push(path.to_string());
        }
    }
    roots.sort();
    roots
}

/// `GET /api/v1/service`: the service team's daily check.
pub async fn service(
    State(state): State<Arc<AppState>>,
    Params(params): Params<ViewParams>,
) -> Result<Json<Service>, ApiError> {
    let granularity = params.granularity()?;
    let filter = params.filter.into_filter()?;
    let answer = with_index(&state, move |index| {
        let roots = service_roots(index.indicator_paths());
        let in_scope: HashSet<&str> = roots.iter().map(String::as_str).collect();
        let is_service = |path: &str| {
            in_scope.contains(path)
                || in_scope
                    .iter()
                    .any(|r| path.starts_with(r) && path[r.len()..].starts_with('/'))
        };
        let periods = compared_periods(index, &filter);
        let stats: Vec<IndicatorStat> = index
            .indicator_stats(&filter)
            .into_iter()
            .filter(|s| is_service(&s.indicator))
            .collect();
        let indicators = tree_rows(index, &filter, stats, periods);
        Service {
            period: periods.map(|(p, _)| p),
            previous: periods.map(|(_, q)| q),
            trend: index.trend(&filter, Some(roots.as_slice()), granularity),
            complaints: if roots.is_empty() {
                Vec::new()
            } else {
                index.typical_opinions_under(&filter, &roots, Some(Polarity::Negative), COMPLAINTS)
            },
            roots,
            indicators,
        }
    })
    .await?;
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_roots_are_the_top_of_each_service_subtree() {
        let paths = [
            "服务",
            "服务/物流",
            "服务/物流/快递员",
            "产品/安装",
            "产品/吸力",
            "酒店/前台/客服",
        ];
        assert_eq!(
            service_roots(paths.into_iter()),
            ["产品/安装", "服务", "酒店/前台/客服"]
        );
    }
}
