//! Scheduled jobs from the configuration file's `[[jobs]]`, each with a cron expression in
//! the server's local time (five fields, or six with seconds first):
//!
//! ```toml
//! [[jobs]]
//! name = "daily-digest"
//! cron = "0 9 * * *"          # 09:00 every day
//! kind = "digest"
//! period = "day"              # yesterday's reviews; "week": the 7 days up to yesterday
//! channels = ["ops-wecom", "mail"]
//!
//! [[jobs]]
//! name = "nightly-import"
//! cron = "30 2 * * *"
//! kind = "import"
//! folder = "/data/exports"    # every file there, as the inbox takes them
//! ```
//!
//! A digest goes through the alert outbox under a key naming the job and its period, so a
//! restart or a second scheduler firing for the same day sends it once.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{Duration, Local, NaiveDate};
use croner::Cron;
use koubei_alert::{AlertMessage, Severity};
use koubei_core::Polarity;
use koubei_store::{Filter, NewAlert, facts};
use serde::Deserialize;

use crate::AppState;

/// A digest's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DigestPeriod {
    #[default]
    Day,
    Week,
}

/// One scheduled job.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum JobConfig {
    /// A summary of the period's reviews to alert channels.
    Digest {
        name: String,
        cron: String,
        #[serde(default)]
        period: DigestPeriod,
        channels: Vec<String>,
    },
    /// Imports every file in a folder, moving each to done/ or failed/ with a report.
    Import {
        name: String,
        cron: String,
        folder: PathBuf,
    },
}

impl JobConfig {
    pub fn name(&self) -> &str {
        match self {
            JobConfig::Digest { name, .. } | JobConfig::Import { name, .. } => name,
        }
    }

    fn cron(&self) -> &str {
        match self {
            JobConfig::Digest { cron, .. } | JobConfig::Import { cron, .. } => cron,
        }
    }

    /// The parsed schedule; the error names the job.
    pub fn schedule(&self) -> Result<Cron, String> {
        Cron::from_str(self.cron())
            .map_err(|e| format!("job {:?}: cron {:?}: {e}", self.name(), self.cron()))
    }
}

/// Runs `jobs` on their schedules until `shutdown` completes.
pub async fn run_jobs(
    state: AppState,
    jobs: Vec<JobConfig>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let schedules: Vec<(JobConfig, Cron)> = jobs
        .into_iter()
        .filter_map(|job| match job.schedule() {
            Ok(cron) => Some((job, cron)),
            Err(error) => {
                tracing::error!(%error, "job not scheduled");
                None
            }
        })
        .collect();
    if schedules.is_empty() {
        return;
    }
    loop {
        let now = Local::now();
        let next: Vec<(usize, chrono::DateTime<Local>)> = schedules
            .iter()
            .enumerate()
            .filter_map(|(i, (_, cron))| {
                cron.find_next_occurrence(&now, false).ok().map(|t| (i, t))
            })
            .collect();
        let Some(soonest) = next.iter().map(|(_, t)| *t).min() else {
            return;
        };
        let wait = (soonest - now).to_std().unwrap_or_default();
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(wait) => {}
        }
        for (i, at) in &next {
            if *at == soonest {
                let job = &schedules[*i].0;
                tracing::info!(job = job.name(), "scheduled job starts");
                if let Err(error) = run_job(&state, job).await {
                    tracing::error!(job = job.name(), %error, "scheduled job failed");
                }
            }
        }
    }
}

/// Runs one job now.
pub async fn run_job(state: &AppState, job: &JobConfig) -> Result<(), String> {
    match job {
        JobConfig::Import { folder, .. } => {
            crate::watch::import_all(state, folder).await;
            Ok(())
        }
        JobConfig::Digest {
            name,
            period,
            channels,
            ..
        } => {
            let alerting = state
                .alerting
                .as_ref()
                .ok_or("a digest needs [alerts] channels")?;
            let today = Local::now().date_naive();
            let message = digest(state, *period, today).await?;
            let alert = NewAlert {
                key: format!("digest:{name}:{today}"),
                rule: format!("digest:{name}"),
                severity: Severity::Low.as_str().to_string(),
                title: message.title.clone(),
                message: serde_json::to_value(&message).map_err(|e| e.to_string())?,
                quoted_reviews: Vec::new(),
            };
            alerting
                .queue(state.store.as_ref(), &state.workspace, &alert, channels)
                .await
                .map_err(|e| e.to_string())?;
            Ok(())
        }
    }
}

/// The digest for the period before `today`.
pub async fn digest(
    state: &AppState,
    period: DigestPeriod,
    today: NaiveDate,
) -> Result<AlertMessage, String> {
    let to = today - Duration::days(1);
    let from = match period {
        DigestPeriod::Day => to,
        DigestPeriod::Week => to - Duration::days(6),
    };
    // A digest waits for a rebuild under way rather than count from the index as it was.
    state
        .index
        .catch_up(state.store.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let current = state.index.current();
    let filter = Filter {
        from: Some(from),
        to: Some(to),
        ..Filter::default()
    };
    let (summary, complaints, stats) = tokio::task::spawn_blocking(move || {
        let index = facts::read(&current);
        (
            index.summary(&filter),
            index.typical_opinions(&filter, None, Some(Polarity::Negative), 3),
            index.indicator_stats(&filter),
        )
    })
    .await
    .map_err(|e| e.to_string())?;
    let label = match period {
        DigestPeriod::Day => format!("口碑日报 {to}"),
        DigestPeriod::Week => format!("口碑周报 {from} 至 {to}"),
    };
    let negative_share = if summary.reviews > 0 {
        summary.negative as f64 / summary.reviews as f64 * 100.0
    } else {
        0.0
    };
    let worst = stats
        .iter()
        .filter(|s| s.depth > 0 && s.negative > 0)
        .max_by_key(|s| s.negative)
        .map(|s| format!("，差评最多的指标是「{}」（{} 次）", s.indicator, s.negative))
        .unwrap_or_default();
    Ok(AlertMessage {
        title: label,
        severity: Severity::Low,
        what: format!(
            "{} 条评论，负面 {} 条（{negative_share:.1}%）{worst}",
            summary.reviews, summary.negative
        ),
        since: from.to_string(),
        scope: String::new(),
        link: format!(
            "{}/?from={from}&to={to}",
            state
                .alerting
                .as_ref()
                .map_or("", |a| a.config().public_url.trim_end_matches('/'))
        ),
        quotes: complaints
            .iter()
            .map(|o| format!("{}（{} 次）", o.typical, o.count))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_and_bad_ones_name_their_job() {
        let job = JobConfig::Import {
            name: "nightly".into(),
            cron: "30 2 * * *".into(),
            folder: "/tmp".into(),
        };
        assert!(job.schedule().is_ok());
        let bad = JobConfig::Import {
            name: "broken".into(),
            cron: "every day".into(),
            folder: "/tmp".into(),
        };
        assert!(bad.schedule().expect_err("bad cron").contains("\"broken\""));
    }
}
