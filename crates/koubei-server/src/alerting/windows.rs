//! The rules about counts over time: spikes, thresholds and silence.
//!
//! They run after every push (spikes and thresholds, so that a burst alerts within seconds)
//! and once a minute from the sender (all three: silence cannot be noticed by an arrival).
//! Each alert's key names the rule and the window it is about, and each rule's cooldown
//! keeps it quiet for a while after it fired, so a burst alerts once, not once per push.

use chrono::{Duration, NaiveDateTime};
use koubei_alert::{AlertMessage, Severity};
use koubei_core::Polarity;
use koubei_store::stats::poisson_upper_tail;
use koubei_store::{Filter, NewAlert, Store, StoreError, WindowQuery};

use super::config::{RuleConfig, Scope};
use super::{Alerting, scope_text};

/// Which window rules to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// After a push: spikes and thresholds.
    Arrival,
    /// The periodic pass: everything, silence included.
    Periodic,
}

fn scope_filter(scope: &Scope) -> Filter {
    Filter {
        brand: scope.brand.clone(),
        model: scope.model.clone(),
        category: scope.category.clone(),
        channel: scope.channel.clone(),
        ..Filter::default()
    }
}

/// The window `[from, to)` of reviews in `scope`, of `indicator`'s subtree when given.
fn window(
    scope: &Scope,
    indicator: Option<&str>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> WindowQuery {
    WindowQuery {
        from,
        to,
        indicator: indicator.map(String::from),
        filter: scope_filter(scope),
        local_offset: local_offset(),
    }
}

/// The server's local time minus UTC: review times are the shops' local times.
fn local_offset() -> Duration {
    Duration::seconds(i64::from(chrono::Local::now().offset().local_minus_utc()))
}

/// The server's local time, in which review times are written.
pub fn local_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

fn minutes(n: u32) -> Duration {
    Duration::minutes(i64::from(n))
}

fn polarity_zh(p: Polarity) -> &'static str {
    match p {
        Polarity::Positive => "正面",
        Polarity::Negative => "负面",
        Polarity::Neutral => "中性",
        Polarity::Mixed => "混合",
    }
}

impl Alerting {
    /// Runs the window rules at `now`; returns how many alerts were queued.
    pub async fn evaluate_windows(
        &self,
        store: &dyn Store,
        workspace: &str,
        now: NaiveDateTime,
        pass: Pass,
    ) -> Result<usize, StoreError> {
        let mut queued = 0;
        let rules = self.rules();
        for rule in rules.iter().map(|r| &r.config) {
            let fired = match rule {
                RuleConfig::RiskWords { .. } => None,
                RuleConfig::Spike {
                    name,
                    indicator,
                    polarity,
                    window_minutes,
                    baseline_days,
                    min_count,
                    p_value,
                    scope,
                    cooldown_minutes,
                    ..
                } => {
                    if self
                        .cooling(store, workspace, name, *cooldown_minutes)
                        .await?
                    {
                        continue;
                    }
                    let span = minutes(*window_minutes);
                    let query = |from, to| window(scope, indicator.as_deref(), from, to);
                    let current = store
                        .window_counts(workspace, &query(now - span, now + Duration::seconds(1)))
                        .await?;
                    let baseline_span = Duration::days(i64::from(*baseline_days));
                    let before = store
                        .window_counts(workspace, &query(now - span - baseline_span, now - span))
                        .await?;
                    let pick = |c: &koubei_store::WindowCounts| match polarity {
                        Polarity::Positive => c.positive,
                        Polarity::Negative => c.negative,
                        Polarity::Neutral | Polarity::Mixed => c.neutral,
                    };
                    let (observed, history) = (pick(&current), pick(&before));
                    // One event added to the baseline, so that a quiet history does not
                    // make the expectation zero and every single review a spike.
                    let expected = (history as f64 + 1.0) * span.num_minutes() as f64
                        / baseline_span.num_minutes().max(1) as f64;
                    let p = poisson_upper_tail(observed, expected);
                    (observed >= *min_count && p < *p_value).then(|| {
                        let what_indicator = indicator.as_deref().unwrap_or("全部指标");
                        let short = what_indicator.rsplit('/').next().unwrap_or(what_indicator);
                        let message = AlertMessage {
                            title: format!("「{short}」{}提及激增", polarity_zh(*polarity)),
                            severity: Severity::High,
                            what: format!(
                                "最近 {window_minutes} 分钟 {observed} 条{}提及，过去 {baseline_days} 天平均每 {window_minutes} 分钟 {:.2} 条（p = {p:.1e}）",
                                polarity_zh(*polarity),
                                history as f64 * span.num_minutes() as f64
                                    / baseline_span.num_minutes().max(1) as f64,
                            ),
                            since: (now - span).format("%Y-%m-%d %H:%M").to_string(),
                            scope: scope_text(scope),
                            link: self.link(scope, indicator.as_deref(), Some(*polarity), now - span),
                            quotes: vec![],
                        };
                        (name, message, (now - span).format("%Y%m%d%H%M").to_string())
                    })
                }
                RuleConfig::Threshold {
                    name,
                    indicator,
                    below,
                    window_minutes,
                    min_mentions,
                    scope,
                    cooldown_minutes,
                    ..
                } => {
                    if self
                        .cooling(store, workspace, name, *cooldown_minutes)
                        .await?
                    {
                        continue;
                    }
                    let span = minutes(*window_minutes);
                    let counts = store
                        .window_counts(
                            workspace,
                            &window(
                                scope,
                                indicator.as_deref(),
                                now - span,
                                now + Duration::seconds(1),
                            ),
                        )
                        .await?;
                    let satisfaction = counts.positive as f64 / counts.mentions.max(1) as f64;
                    (counts.mentions >= *min_mentions && satisfaction < *below).then(|| {
                        let what_indicator = indicator.as_deref().unwrap_or("全部指标");
                        let message = AlertMessage {
                            title: format!("「{what_indicator}」满意度低于 {:.0}%", below * 100.0),
                            severity: Severity::Medium,
                            what: format!(
                                "最近 {window_minutes} 分钟 {} 次提及，满意度 {:.1}%",
                                counts.mentions,
                                satisfaction * 100.0
                            ),
                            since: (now - span).format("%Y-%m-%d %H:%M").to_string(),
                            scope: scope_text(scope),
                            link: self.link(scope, indicator.as_deref(), None, now - span),
                            quotes: vec![],
                        };
                        (name, message, (now - span).format("%Y%m%d%H%M").to_string())
                    })
                }
                RuleConfig::Silence {
                    name,
                    scope,
                    max_silence_minutes,
                    ..
                } => {
                    if pass == Pass::Arrival {
                        continue;
                    }
                    let span = minutes(*max_silence_minutes);
                    let recent = store
                        .window_counts(
                            workspace,
                            &window(scope, None, now - span, now + Duration::seconds(1)),
                        )
                        .await?;
                    if recent.reviews > 0 {
                        None
                    } else {
                        let ever = store
                            .window_counts(
                                workspace,
                                &window(scope, None, NaiveDateTime::MIN, now - span),
                            )
                            .await?;
                        // A scope that never had a review is new, not silent.
                        ever.newest.map(|last| {
                            let scope_shown = match scope_text(scope) {
                                s if s.is_empty() => "全部渠道".to_string(),
                                s => s,
                            };
                            let message = AlertMessage {
                                title: format!(
                                    "{scope_shown} 已 {max_silence_minutes} 分钟没有新评论"
                                ),
                                severity: Severity::Medium,
                                what: format!(
                                    "最后一条评论在 {}；请检查店铺后台导出或采集是否中断",
                                    last.format("%Y-%m-%d %H:%M")
                                ),
                                since: last.format("%Y-%m-%d %H:%M").to_string(),
                                scope: scope_text(scope),
                                link: self.link(scope, None, None, last - Duration::days(1)),
                                quotes: vec![],
                            };
                            // One alert per silence: keyed by the last review seen.
                            (name, message, last.format("%Y%m%d%H%M%S").to_string())
                        })
                    }
                }
            };
            let Some((name, message, window_key)) = fired else {
                continue;
            };
            let alert = NewAlert {
                key: format!("{name}:{window_key}"),
                rule: name.clone(),
                severity: message.severity.as_str().to_string(),
                title: message.title.clone(),
                message: serde_json::to_value(&message)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                quoted_reviews: Vec::new(),
            };
            if store
                .queue_alert(workspace, &alert, rule.channels())
                .await?
                .is_some()
            {
                tracing::warn!(rule = %name, title = %message.title, "alert queued");
                queued += 1;
            }
        }
        if queued > 0 {
            self.wake.notify_one();
        }
        Ok(queued)
    }

    /// Whether `rule` fired less than `cooldown_minutes` ago (alert times are UTC).
    async fn cooling(
        &self,
        store: &dyn Store,
        workspace: &str,
        rule: &str,
        cooldown_minutes: u32,
    ) -> Result<bool, StoreError> {
        let now = chrono::Utc::now().naive_utc();
        Ok(store
            .last_alert_at(workspace, rule)
            .await?
            .is_some_and(|last| now - last < minutes(cooldown_minutes)))
    }

    /// The drill-down for a window rule's alert.
    fn link(
        &self,
        scope: &Scope,
        indicator: Option<&str>,
        polarity: Option<Polarity>,
        from: NaiveDateTime,
    ) -> String {
        let mut query = vec![("from", from.format("%Y-%m-%d").to_string())];
        if let Some(i) = indicator {
            query.push(("indicator", i.to_string()));
        }
        if let Some(p) = polarity {
            query.push(("polarity", p.as_str().to_string()));
        }
        self.link_to(scope, query)
    }
}
