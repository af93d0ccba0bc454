//! The `[alerts]` part of the configuration file: where alerts go (channels) and what
//! raises them (rules).
//!
//! ```toml
//! [alerts]
//! public_url = "http://dashboard.example.com:8080"   # for the links in messages
//!
//! [[alerts.channels]]
//! name = "ops-wecom"
//! kind = "wecom"
//! url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
//!
//! [[alerts.channels]]
//! name = "ops-dingtalk"
//! kind = "dingtalk"
//! url = "https://oapi.dingtalk.com/robot/send?access_token=…"
//! secret = "SEC…"
//!
//! [[alerts.rules]]
//! name = "safety"
//! kind = "risk_words"           # the default safety words unless `words` lists others
//! channels = ["ops-wecom", "ops-dingtalk"]
//! cooldown_minutes = 30
//! scope = { brand = "岚庭" }
//! ```
//!
//! Secrets (webhook keys inside URLs, robot secrets, SMTP passwords, gateway headers) are
//! held in [`Secret`], whose `Debug` and `Display` never show them.

use std::collections::BTreeMap;
use std::fmt;

use koubei_alert::{RiskWord, TemplateEscape};
use serde::{Deserialize, Serialize};

/// A value that must never reach a log or a screen whole. In the configuration file it is
/// written as itself (`password = "…"`) or, to keep it out of the file, as the environment
/// variable that holds it (`password = { env = "KOUBEI_SMTP_PASSWORD" }`), read at start.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(try_from = "SecretSource")]
pub struct Secret(String);

/// How a secret is written in the configuration file.
#[derive(Deserialize)]
#[serde(untagged)]
enum SecretSource {
    Text(String),
    Env { env: String },
}

impl TryFrom<SecretSource> for Secret {
    type Error = String;

    fn try_from(source: SecretSource) -> Result<Secret, String> {
        match source {
            SecretSource::Text(text) => Ok(Secret(text)),
            SecretSource::Env { env } => match std::env::var(&env) {
                Ok(value) if !value.is_empty() => Ok(Secret(value)),
                Ok(_) => Err(format!("environment variable {env} is empty")),
                Err(_) => Err(format!("environment variable {env} is not set")),
            },
        }
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A webhook URL, shown without its query string (which holds the robot's key) and
/// without a user and password before the host (`https://user:pass@host/…`).
pub fn shown_url(url: &str) -> String {
    let (base, hidden_query) = match url.split_once('?') {
        Some((base, _)) => (base, "?***"),
        None => (url, ""),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    format!("{base}{hidden_query}")
}

/// The whole `[alerts]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// The dashboard's address as recipients reach it, for the links in messages.
    #[serde(default = "default_public_url")]
    pub public_url: String,
    #[serde(default)]
    pub channels: Vec<ChannelConfig>,
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
}

fn default_public_url() -> String {
    "http://127.0.0.1:8080".to_string()
}

/// How an e-mail connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// TLS from the first byte (port 465: QQ, 163, Aliyun, Exmail).
    #[default]
    Implicit,
    /// Plain, then STARTTLS (port 587).
    Starttls,
    /// No encryption (a relay on the local network, or tests).
    None,
}

/// One place alerts go.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ChannelConfig {
    /// WeCom group robot; the URL carries the key.
    Wecom { name: String, url: Secret },
    /// DingTalk custom robot; with `secret`, messages are signed.
    Dingtalk {
        name: String,
        url: Secret,
        #[serde(default)]
        secret: Option<Secret>,
        /// Mobile numbers to @-mention.
        #[serde(default)]
        at_mobiles: Vec<String>,
    },
    /// Feishu custom bot; with `secret`, messages are signed.
    Feishu {
        name: String,
        url: Secret,
        #[serde(default)]
        secret: Option<Secret>,
    },
    /// E-mail over SMTP.
    Email {
        name: String,
        host: String,
        #[serde(default)]
        port: Option<u16>,
        #[serde(default)]
        tls: SmtpTls,
        #[serde(default)]
        username: Option<String>,
        #[serde(default)]
        password: Option<Secret>,
        from: String,
        to: Vec<String>,
    },
    /// Any SMS gateway that takes an HTTP request: URL, method, headers and a body
    /// template with `{{text}}`, `{{title}}`, `{{link}}` … placeholders.
    Sms {
        name: String,
        url: Secret,
        #[serde(default = "default_method")]
        method: String,
        #[serde(default)]
        headers: BTreeMap<String, Secret>,
        body: String,
        /// How values are written into the body: json (default), form or raw.
        #[serde(default)]
        escape: TemplateEscape,
        /// When set, a 2xx answer counts only if its body contains this text.
        #[serde(default)]
        success_contains: Option<String>,
    },
}

fn default_method() -> String {
    "POST".to_string()
}

impl ChannelConfig {
    pub fn name(&self) -> &str {
        match self {
            ChannelConfig::Wecom { name, .. }
            | ChannelConfig::Dingtalk { name, .. }
            | ChannelConfig::Feishu { name, .. }
            | ChannelConfig::Email { name, .. }
            | ChannelConfig::Sms { name, .. } => name,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Wecom { .. } => "wecom",
            ChannelConfig::Dingtalk { .. } => "dingtalk",
            ChannelConfig::Feishu { .. } => "feishu",
            ChannelConfig::Email { .. } => "email",
            ChannelConfig::Sms { .. } => "sms",
        }
    }
}

/// Which reviews a rule looks at; absent fields match everything.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub brand: Option<String>,
    pub model: Option<String>,
    pub category: Option<String>,
    /// A channel as `koubei import --channel` takes it (jd, 京东, tmall …).
    pub channel: Option<String>,
}

/// What raises an alert.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleConfig {
    /// Safety and fault phrases in new reviews (the default list unless `words` is given).
    RiskWords {
        name: String,
        #[serde(default)]
        words: Option<Vec<RiskWord>>,
        #[serde(default)]
        scope: Scope,
        /// After an alert for a phrase, the same phrase stays quiet this long.
        #[serde(default = "default_cooldown")]
        cooldown_minutes: u32,
        channels: Vec<String>,
    },
    /// Mentions of an indicator (negative by default) in the last `window_minutes`, tested
    /// against the indicator's own rate over the `baseline_days` before: at least
    /// `min_count` of them, and a Poisson tail probability below `p_value`.
    Spike {
        name: String,
        /// Indicator path (产品/续航); its descendants count too. Absent: every mention.
        #[serde(default)]
        indicator: Option<String>,
        #[serde(default = "default_polarity")]
        polarity: koubei_core::Polarity,
        #[serde(default = "default_window")]
        window_minutes: u32,
        #[serde(default = "default_baseline_days")]
        baseline_days: u32,
        #[serde(default = "default_min_count")]
        min_count: u64,
        #[serde(default = "default_p_value")]
        p_value: f64,
        #[serde(default)]
        scope: Scope,
        #[serde(default = "default_spike_cooldown")]
        cooldown_minutes: u32,
        channels: Vec<String>,
    },
    /// Satisfaction (positive share) of an indicator below `below` over the last
    /// `window_minutes`, once it has `min_mentions`.
    Threshold {
        name: String,
        #[serde(default)]
        indicator: Option<String>,
        below: f64,
        #[serde(default = "default_day")]
        window_minutes: u32,
        #[serde(default = "default_min_count")]
        min_mentions: u64,
        #[serde(default)]
        scope: Scope,
        #[serde(default = "default_day")]
        cooldown_minutes: u32,
        channels: Vec<String>,
    },
    /// No review in scope (a channel, say) for longer than `max_silence_minutes`.
    Silence {
        name: String,
        #[serde(default)]
        scope: Scope,
        max_silence_minutes: u32,
        channels: Vec<String>,
    },
}

fn default_cooldown() -> u32 {
    30
}

fn default_polarity() -> koubei_core::Polarity {
    koubei_core::Polarity::Negative
}

fn default_window() -> u32 {
    60
}

fn default_baseline_days() -> u32 {
    7
}

fn default_min_count() -> u64 {
    10
}

fn default_p_value() -> f64 {
    0.01
}

fn default_spike_cooldown() -> u32 {
    120
}

fn default_day() -> u32 {
    24 * 60
}

impl RuleConfig {
    pub fn name(&self) -> &str {
        match self {
            RuleConfig::RiskWords { name, .. }
            | RuleConfig::Spike { name, .. }
            | RuleConfig::Threshold { name, .. }
            | RuleConfig::Silence { name, .. } => name,
        }
    }

    pub fn channels(&self) -> &[String] {
        match self {
            RuleConfig::RiskWords { channels, .. }
            | RuleConfig::Spike { channels, .. }
            | RuleConfig::Threshold { channels, .. }
            | RuleConfig::Silence { channels, .. } => channels,
        }
    }
}

impl AlertConfig {
    /// Checks what serde cannot: names unique, every rule's channels defined, URLs that
    /// look like URLs. Errors name the channel or rule.
    pub fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::HashSet::new();
        for channel in &self.channels {
            if !names.insert(channel.name()) {
                return Err(format!(
                    "alert channel {:?} is defined twice",
                    channel.name()
                ));
            }
            let url = match channel {
                ChannelConfig::Wecom { url, .. }
                | ChannelConfig::Dingtalk { url, .. }
                | ChannelConfig::Feishu { url, .. }
                | ChannelConfig::Sms { url, .. } => Some(url.expose()),
                ChannelConfig::Email { .. } => None,
            };
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(format!(
                    "alert channel {:?}: url must start with https:// (got {})",
                    channel.name(),
                    shown_url(url)
                ));
            }
            if let ChannelConfig::Email { to, .. } = channel
                && to.is_empty()
            {
                return Err(format!(
                    "alert channel {:?}: `to` lists nobody",
                    channel.name()
                ));
            }
        }
        let mut rules = std::collections::HashSet::new();
        for rule in &self.rules {
            check_rule(rule)?;
            if !rules.insert(rule.name()) {
                return Err(format!("alert rule {:?} is defined twice", rule.name()));
            }
            for channel in rule.channels() {
                if !names.contains(channel.as_str()) {
                    return Err(format!(
                        "alert rule {:?} sends to {channel:?}, which no [[alerts.channels]] defines",
                        rule.name()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks a rule added over the API: a name of its own, channels the file defines,
    /// numbers in range.
    pub fn check_api_rule(&self, rule: &RuleConfig) -> Result<(), String> {
        check_rule(rule)?;
        let name = rule.name();
        if self.rules.iter().any(|r| r.name() == name) {
            return Err(format!(
                "rule {name:?} is written in the configuration file; choose another name"
            ));
        }
        if rule.channels().is_empty() {
            return Err(format!("rule {name:?} sends to no channel"));
        }
        for channel in rule.channels() {
            if self.channel(channel).is_none() {
                return Err(format!(
                    "rule {name:?} sends to {channel:?}, which the configuration file does not define"
                ));
            }
        }
        match rule {
            RuleConfig::Spike {
                p_value, min_count, ..
            } if !(*p_value > 0.0 && *p_value < 1.0) || *min_count == 0 => Err(format!(
                "rule {name:?}: p_value must lie between 0 and 1 and min_count be at least 1"
            )),
            RuleConfig::Threshold { below, .. } if !(0.0..=1.0).contains(below) => {
                Err(format!("rule {name:?}: `below` is a share from 0 to 1"))
            }
            _ => Ok(()),
        }
    }

    pub fn channel(&self, name: &str) -> Option<&ChannelConfig> {
        self.channels.iter().find(|c| c.name() == name)
    }

    /// The channels as they may be shown: name, kind and where, secrets hidden.
    pub fn shown_channels(&self) -> Vec<ShownChannel> {
        self.channels
            .iter()
            .map(|c| ShownChannel {
                name: c.name().to_string(),
                kind: c.kind(),
                target: match c {
                    ChannelConfig::Wecom { url, .. }
                    | ChannelConfig::Dingtalk { url, .. }
                    | ChannelConfig::Feishu { url, .. }
                    | ChannelConfig::Sms { url, .. } => shown_url(url.expose()),
                    ChannelConfig::Email { host, to, .. } => {
                        format!("{} via {host}", to.join(", "))
                    }
                },
            })
            .collect()
    }
}

/// A channel as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownChannel {
    pub name: String,
    pub kind: &'static str,
    /// The webhook without its key, or the e-mail recipients and server.
    pub target: String,
}

/// What every rule must satisfy wherever it is defined: a plain name, and risk words that
/// are words.
fn check_rule(rule: &RuleConfig) -> Result<(), String> {
    let name = rule.name();
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if name.is_empty() || name.chars().count() > 64 || !plain {
        return Err(format!(
            "rule name {name:?}: 1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.`"
        ));
    }
    if let RuleConfig::RiskWords {
        words: Some(words), ..
    } = rule
    {
        if words.is_empty() {
            return Err(format!(
                "rule {name:?}: `words` is empty (leave it out for the default list)"
            ));
        }
        if let Some(w) = words
            .iter()
            .find(|w| w.phrase.chars().filter(|c| c.is_alphanumeric()).count() < 2)
        {
            return Err(format!(
                "rule {name:?}: risk phrase {:?} needs at least two letters or characters",
                w.phrase
            ));
        }
    }
    if let RuleConfig::Spike {
        indicator: Some(i), ..
    }
    | RuleConfig::Threshold {
        indicator: Some(i), ..
    } = rule
        && (i.trim().is_empty() || i.starts_with('/') || i.ends_with('/') || i.contains("//"))
    {
        return Err(format!(
            "rule {name:?}: indicator {i:?} is not a path like 产品/续航"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_can_come_from_the_environment() {
        #[derive(Deserialize)]
        struct Holder {
            secret: Secret,
        }
        // PATH is set wherever tests run; a variable nobody sets is an error naming it.
        let held: Holder = toml::from_str("secret = { env = \"PATH\" }").expect("env secret");
        assert_eq!(held.secret.expose(), std::env::var("PATH").expect("PATH"));
        let written: Holder = toml::from_str("secret = \"SECabc\"").expect("text secret");
        assert_eq!(written.secret.expose(), "SECabc");
        let missing = toml::from_str::<Holder>("secret = { env = \"KOUBEI_NOBODY_SETS_THIS\" }")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            missing.contains("KOUBEI_NOBODY_SETS_THIS is not set"),
            "{missing}"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let channel = ChannelConfig::Dingtalk {
            name: "d".into(),
            url: Secret::new("https://oapi.dingtalk.com/robot/send?access_token=TOPSECRET"),
            secret: Some(Secret::new("SECxyz")),
            at_mobiles: vec![],
        };
        let shown = format!("{channel:?}");
        assert!(
            !shown.contains("TOPSECRET") && !shown.contains("SECxyz"),
            "{shown}"
        );
        assert_eq!(
            shown_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?***"
        );
        assert_eq!(
            shown_url("http://robot:BASICPASS@hooks.example/send?access_token=T"),
            "http://***@hooks.example/send?***"
        );
        assert_eq!(
            shown_url("https://hooks.example/a@b"),
            "https://hooks.example/a@b"
        );
    }

    #[test]
    fn rules_must_name_defined_channels() {
        let config: AlertConfig = toml::from_str(
            r#"
            [[channels]]
            name = "w"
            kind = "wecom"
            url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"

            [[rules]]
            name = "safety"
            kind = "risk_words"
            channels = ["w", "nope"]
            "#,
        )
        .expect("parses");
        let error = config.validate().expect_err("unknown channel");
        assert!(error.contains("\"nope\""), "{error}");
    }
}
