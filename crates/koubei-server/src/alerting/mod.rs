//! Alerts: rules checked as reviews arrive, an outbox in the store, and a sender that works
//! it off.
//!
//! 1. **Rules** ([`Alerting::check`]) run over the reviews an intake has just stored. An
//!    alert that fires is written to the store's outbox with one pending delivery per
//!    channel, in one transaction, under a key (rule, phrase, first review) that makes a
//!    re-sent batch or a second run queue nothing new. A rule's cooldown keeps the same
//!    phrase quiet for a while after an alert.
//! 2. **The sender** ([`Alerting::run_sender`]) wakes when something was queued, and every
//!    second anyway; it sends each due delivery, then records the result: sent, failed for
//!    good, or due again after a back-off (5 s doubling to 30 min, 12 tries). Because
//!    the outbox is in the database, a restart resumes whatever was not sent, and a
//!    delivery marked sent is never sent again.
//!
//! A crash between a channel's acceptance and the store's record would send that one
//! message again on restart; the robots offer no idempotency key, so the message carries
//! the alert's number (and e-mail a stable Message-ID) for people and mail clients to spot
//! the repeat.

pub mod config;
mod send;
mod windows;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use koubei_alert::{AlertMessage, Outcome, RiskMatcher, RiskWord, Severity};
use koubei_core::{Channel, NewReview};
use koubei_engine::normalize::Normalizer;
use koubei_store::{DeliveryResult, NewAlert, Store};
use tokio::sync::Notify;

pub use config::{AlertConfig, ChannelConfig, RuleConfig, Scope, Secret};
pub use send::install_tls_provider;
pub use windows::{Pass, local_now};

/// How many deliveries one pass of the sender takes.
const SEND_BATCH: u32 = 20;
/// The sender looks at the outbox at least this often.
const POLL: Duration = Duration::from_secs(1);
/// The time rules (spikes, thresholds, silence) are evaluated at least this often.
const PERIODIC: Duration = Duration::from_secs(60);
/// Tries before a delivery is given up.
const MAX_ATTEMPTS: u32 = 12;
/// Characters of context on each side of a quoted hit.
const QUOTE_CONTEXT: usize = 20;

/// A review that mentions a risk phrase: its id, a quote, and when it was written.
type Hit = (i64, String, Option<NaiveDateTime>);

/// A review an intake has just stored, as the rules see it.
#[derive(Debug, Clone)]
pub struct Arrived<'a> {
    pub id: i64,
    pub review: &'a NewReview,
}

/// A rule ready to run: as configured, its compiled risk words, and where it came from.
#[derive(Debug)]
pub struct ActiveRule {
    pub config: RuleConfig,
    matcher: Option<RiskMatcher>,
    /// Added over the API (and stored), rather than written in the configuration file.
    pub from_api: bool,
}

/// The alerting of one workspace: channels and file rules from the configuration, rules
/// added over the API, and the sender's bell.
pub struct Alerting {
    config: AlertConfig,
    normalizer: Normalizer,
    rules: std::sync::RwLock<Arc<Vec<ActiveRule>>>,
    wake: Notify,
    http: reqwest::Client,
}

impl std::fmt::Debug for Alerting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alerting")
            .field("channels", &self.config.channels.len())
            .field("rules", &self.rules().len())
            .finish()
    }
}

fn compile(rule: &RuleConfig, normalizer: &Normalizer, from_api: bool) -> ActiveRule {
    let matcher = match rule {
        RuleConfig::RiskWords { words, .. } => Some(match words {
            Some(words) => RiskMatcher::new(normalizer.clone(), words),
            None => RiskMatcher::with_defaults(normalizer.clone()),
        }),
        _ => None,
    };
    ActiveRule {
        config: rule.clone(),
        matcher,
        from_api,
    }
}

/// A rule the API could not take.
#[derive(Debug, thiserror::Error)]
pub enum AlertRuleError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] koubei_store::StoreError),
}

/// A failure to set alerting up.
#[derive(Debug, thiserror::Error)]
pub enum AlertSetupError {
    #[error("alert configuration: {0}")]
    Config(String),
    #[error("cannot build the HTTP client for alerts: {0}")]
    Http(#[from] reqwest::Error),
}

impl Alerting {
    /// Checks the configuration and compiles its rules.
    pub fn new(config: AlertConfig, normalizer: &Normalizer) -> Result<Alerting, AlertSetupError> {
        config.validate().map_err(AlertSetupError::Config)?;
        let rules = config
            .rules
            .iter()
            .map(|rule| compile(rule, normalizer, false))
            .collect();
        send::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("koubei/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Alerting {
            config,
            normalizer: normalizer.clone(),
            rules: std::sync::RwLock::new(Arc::new(rules)),
            wake: Notify::new(),
            http,
        })
    }

    pub fn config(&self) -> &AlertConfig {
        &self.config
    }

    /// The rules in force: the file's, then those added over the API.
    pub fn rules(&self) -> Arc<Vec<ActiveRule>> {
        self.rules
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Reads the rules added over the API from the store and puts them in force beside the
    /// file's. A stored rule that no longer fits the file (a channel removed, a name now
    /// used by the file) is left out and logged.
    pub async fn load_api_rules(
        &self,
        store: &dyn Store,
        workspace: &str,
    ) -> Result<(), koubei_store::StoreError> {
        let mut active: Vec<ActiveRule> = self
            .config
            .rules
            .iter()
            .map(|rule| compile(rule, &self.normalizer, false))
            .collect();
        for (name, json) in store.alert_rules(workspace).await? {
            match serde_json::from_value::<RuleConfig>(json) {
                Ok(rule) => match self.config.check_api_rule(&rule) {
                    Ok(()) => active.push(compile(&rule, &self.normalizer, true)),
                    Err(error) => {
                        tracing::error!(rule = %name, %error, "stored alert rule left out")
                    }
                },
                Err(error) => tracing::error!(rule = %name, %error, "stored alert rule unreadable"),
            }
        }
        *self
            .rules
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(active);
        Ok(())
    }

    /// Adds (or replaces) a rule over the API: checked against the file, stored, in force.
    pub async fn put_api_rule(
        &self,
        store: &dyn Store,
        workspace: &str,
        rule: &RuleConfig,
        actor: &str,
    ) -> Result<(), AlertRuleError> {
        self.config
            .check_api_rule(rule)
            .map_err(AlertRuleError::Invalid)?;
        let json =
            serde_json::to_value(rule).map_err(|e| AlertRuleError::Invalid(e.to_string()))?;
        store
            .put_alert_rule(workspace, rule.name(), &json, actor)
            .await?;
        self.load_api_rules(store, workspace).await?;
        Ok(())
    }

    /// Removes a rule added over the API; whether there was one.
    pub async fn delete_api_rule(
        &self,
        store: &dyn Store,
        workspace: &str,
        name: &str,
        actor: &str,
    ) -> Result<bool, AlertRuleError> {
        if self.config.rules.iter().any(|r| r.name() == name) {
            return Err(AlertRuleError::Invalid(format!(
                "rule {name:?} is written in the configuration file; change it there"
            )));
        }
        let gone = store.delete_alert_rule(workspace, name, actor).await?;
        self.load_api_rules(store, workspace).await?;
        Ok(gone)
    }

    /// Runs every rule over reviews just stored and queues the alerts that fire; returns
    /// how many were queued. Wakes the sender when there are any.
    pub async fn check(
        &self,
        store: &dyn Store,
        workspace: &str,
        arrived: &[Arrived<'_>],
    ) -> Result<usize, koubei_store::StoreError> {
        let mut queued = 0;
        let rules = self.rules();
        for active in rules.iter() {
            let (
                RuleConfig::RiskWords {
                    name,
                    scope,
                    cooldown_minutes,
                    channels,
                    ..
                },
                Some(matcher),
            ) = (&active.config, &active.matcher)
            else {
                continue;
            };
            // Phrase → (severity, reviews that mention it with their quotes).
            let mut by_phrase: BTreeMap<String, (Severity, Vec<Hit>)> = BTreeMap::new();
            for a in arrived.iter().filter(|a| in_scope(scope, a.review)) {
                let texts = std::iter::once(a.review.text.as_str())
                    .chain(a.review.followup_text.as_deref());
                for text in texts {
                    for hit in matcher.find(text) {
                        let entry = by_phrase
                            .entry(hit.phrase.clone())
                            .or_insert((hit.severity, Vec::new()));
                        if !entry.1.iter().any(|(id, _, _)| *id == a.id) {
                            entry.1.push((
                                a.id,
                                quote(text, hit.start, hit.end),
                                a.review.created_at,
                            ));
                        }
                    }
                }
            }
            for (phrase, (severity, hits)) in by_phrase {
                let cooldown_rule = format!("{name}:{phrase}");
                let now = Utc::now().naive_utc();
                if let Some(last) = store.last_alert_at(workspace, &cooldown_rule).await?
                    && now - last < chrono::Duration::minutes(i64::from(*cooldown_minutes))
                {
                    tracing::info!(rule = %name, %phrase, "risk phrase seen again within the cooldown; no new alert");
                    continue;
                }
                let first = hits.iter().map(|h| h.0).min().unwrap_or_default();
                let since = hits.iter().filter_map(|h| h.2).min().unwrap_or(now);
                let message = AlertMessage {
                    title: format!("安全风险「{phrase}」"),
                    severity,
                    what: format!("{} 条新评论提到「{phrase}」", hits.len()),
                    since: since.format("%Y-%m-%d %H:%M").to_string(),
                    scope: scope_text(scope),
                    link: self.reviews_link(scope, &phrase),
                    quotes: hits.iter().map(|h| h.1.clone()).collect(),
                };
                let alert = NewAlert {
                    key: format!("{cooldown_rule}:{first}"),
                    rule: cooldown_rule,
                    severity: severity.as_str().to_string(),
                    title: message.title.clone(),
                    message: serde_json::to_value(&message)
                        .map_err(|e| koubei_store::StoreError::Corrupt(e.to_string()))?,
                    quoted_reviews: hits.iter().map(|h| h.0).collect(),
                };
                if store
                    .queue_alert(workspace, &alert, channels)
                    .await?
                    .is_some()
                {
                    tracing::warn!(rule = %name, %phrase, reviews = hits.len(), "alert queued");
                    queued += 1;
                }
            }
        }
        if queued > 0 {
            self.wake.notify_one();
        }
        Ok(queued)
    }

    /// Queues an alert made elsewhere (a digest) and wakes the sender.
    pub async fn queue(
        &self,
        store: &dyn Store,
        workspace: &str,
        alert: &NewAlert,
        channels: &[String],
    ) -> Result<bool, koubei_store::StoreError> {
        let queued = store
            .queue_alert(workspace, alert, channels)
            .await?
            .is_some();
        if queued {
            self.wake.notify_one();
        }
        Ok(queued)
    }

    /// The drill-down of the reviews behind an alert.
    fn reviews_link(&self, scope: &Scope, keyword: &str) -> String {
        self.link_to(scope, vec![("keyword", keyword.to_string())])
    }

    /// `/reviews?…` on the dashboard's public address: `query`, then the rule's scope.
    fn link_to(&self, scope: &Scope, mut query: Vec<(&str, String)>) -> String {
        for (key, value) in [
            ("brand", &scope.brand),
            ("model", &scope.model),
            ("category", &scope.category),
            ("channel", &scope.channel),
        ] {
            if let Some(v) = value {
                query.push((key, v.clone()));
            }
        }
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", koubei_alert::sign::percent_encode(v)))
            .collect();
        format!(
            "{}/reviews?{}",
            self.config.public_url.trim_end_matches('/'),
            query.join("&")
        )
    }

    /// Sends due deliveries until `shutdown` completes.
    pub async fn run_sender(
        self: Arc<Self>,
        store: Arc<dyn Store>,
        workspace: String,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut last_periodic: Option<std::time::Instant> = None;
        loop {
            if last_periodic.is_none_or(|t| t.elapsed() >= PERIODIC) {
                last_periodic = Some(std::time::Instant::now());
                let now = windows::local_now();
                if let Err(error) = self
                    .evaluate_windows(store.as_ref(), &workspace, now, Pass::Periodic)
                    .await
                {
                    tracing::error!(%error, "alert rules could not be evaluated");
                }
            }
            if let Err(error) = self.send_due(store.as_ref(), &workspace).await {
                tracing::error!(%error, "alert sender cannot read the outbox");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// One pass: sends every delivery that is due now. Returns how many were tried.
    pub async fn send_due(
        &self,
        store: &dyn Store,
        workspace: &str,
    ) -> Result<usize, koubei_store::StoreError> {
        let mut tried = 0;
        loop {
            let due = store
                .due_deliveries(workspace, Utc::now().naive_utc(), SEND_BATCH)
                .await?;
            if due.is_empty() {
                return Ok(tried);
            }
            let n = due.len();
            for delivery in due {
                tried += 1;
                let outcome = match self.config.channel(&delivery.channel) {
                    None => Outcome::Failed(format!(
                        "channel {:?} is no longer configured",
                        delivery.channel
                    )),
                    Some(channel) => match serde_json::from_value::<AlertMessage>(delivery.message)
                    {
                        Ok(message) => {
                            send::send(&self.http, channel, &message, delivery.alert_id).await
                        }
                        Err(e) => Outcome::Failed(format!("unreadable alert message: {e}")),
                    },
                };
                let result = match outcome {
                    Outcome::Delivered => {
                        tracing::info!(channel = %delivery.channel, alert = delivery.alert_id, "alert delivered");
                        DeliveryResult::Sent
                    }
                    Outcome::Retry(reason) if delivery.attempts + 1 < MAX_ATTEMPTS => {
                        let wait = backoff(delivery.attempts);
                        tracing::warn!(channel = %delivery.channel, alert = delivery.alert_id, %reason, seconds = wait.num_seconds(), "alert delivery will be retried");
                        DeliveryResult::RetryAt(Utc::now().naive_utc() + wait, reason)
                    }
                    Outcome::Retry(reason) | Outcome::Failed(reason) => {
                        tracing::error!(channel = %delivery.channel, alert = delivery.alert_id, %reason, "alert delivery failed");
                        DeliveryResult::Failed(reason)
                    }
                };
                store.record_delivery(delivery.id, &result).await?;
            }
            if n < SEND_BATCH as usize {
                return Ok(tried);
            }
        }
    }

    /// Sends a test message to one channel now, outside the outbox.
    pub async fn send_test(&self, channel: &str) -> Result<(), String> {
        let channel = self
            .config
            .channel(channel)
            .ok_or_else(|| format!("no alert channel is called {channel:?}"))?;
        let message = AlertMessage {
            title: "口碑预警测试".to_string(),
            severity: Severity::Low,
            what: format!(
                "这是一条测试消息，确认渠道「{}」可以收到预警。",
                channel.name()
            ),
            since: Utc::now().format("%Y-%m-%d %H:%M").to_string(),
            scope: String::new(),
            link: format!("{}/", self.config.public_url.trim_end_matches('/')),
            quotes: vec![],
        };
        match send::send(&self.http, channel, &message, 0).await {
            Outcome::Delivered => Ok(()),
            Outcome::Retry(reason) | Outcome::Failed(reason) => Err(reason),
        }
    }
}

/// 5 s, 10 s, 20 s … up to 30 minutes.
fn backoff(attempts: u32) -> chrono::Duration {
    let seconds = 5_i64.saturating_mul(1_i64 << attempts.min(20));
    chrono::Duration::seconds(seconds.min(30 * 60))
}

fn in_scope(scope: &Scope, review: &NewReview) -> bool {
    let same = |want: &Option<String>, have: &Option<String>| {
        want.as_ref()
            .is_none_or(|w| have.as_deref().is_some_and(|h| h == w))
    };
    let channel_ok = scope.channel.as_ref().is_none_or(|c| {
        c.parse::<Channel>()
            .is_ok_and(|wanted| wanted == review.channel)
    });
    channel_ok
        && same(&scope.brand, &review.brand)
        && same(&scope.model, &review.model)
        && same(&scope.category, &review.category)
}

fn scope_text(scope: &Scope) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &scope.brand {
        parts.push(format!("品牌 {b}"));
    }
    if let Some(m) = &scope.model {
        parts.push(format!("型号 {m}"));
    }
    if let Some(c) = &scope.category {
        parts.push(format!("品类 {c}"));
    }
    if let Some(c) = &scope.channel {
        let label = c
            .parse::<Channel>()
            .map_or(c.clone(), |ch| ch.label_zh().to_string());
        parts.push(format!("渠道 {label}"));
    }
    parts.join(" · ")
}

/// The hit with some context on each side (char offsets).
fn quote(text: &str, start: usize, end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let from = start.saturating_sub(QUOTE_CONTEXT);
    let to = (end + QUOTE_CONTEXT).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push('…');
    }
    out
}

/// The default risk words, as the configuration would list them.
pub fn default_risk_words() -> Vec<RiskWord> {
    koubei_alert::risk::DEFAULT_RISK_WORDS
        .iter()
        .map(|&(phrase, severity)| RiskWord {
            phrase: phrase.to_string(),
            severity,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_half_an_hour() {
        assert_eq!(backoff(0).num_seconds(), 5);
        assert_eq!(backoff(3).num_seconds(), 40);
        assert_eq!(backoff(11).num_seconds(), 1800);
        assert_eq!(backoff(40).num_seconds(), 1800);
    }

    #[test]
    fn quotes_keep_some_context() {
        let text = "这台扫地机器人用了三个月，今天晚上充电的时候突然冒烟了，吓死人";
        let start = text.chars().position(|c| c == '冒').expect("冒");
        let q = quote(text, start, start + 2);
        assert!(q.contains("冒烟") && q.starts_with('…'), "{q}");
    }

    #[test]
    fn scope_matches_channel_spellings() {
        let mut review = NewReview::with_text("x");
        review.channel = Channel::Jd;
        review.brand = Some("甲".into());
        let scope = Scope {
            brand: Some("甲".into()),
            channel: Some("京东".into()),
            ..Scope::default()
        };
        assert!(in_scope(&scope, &review));
        review.brand = None;
        assert!(!in_scope(&scope, &review));
    }
}
