//! The configuration file (`koubei.toml`): today its `[alerts]` table, see
//! `koubei_server::alerting::config` for the fields and an example.

use std::path::Path;

use anyhow::{Context, Result};
use koubei_server::alerting::AlertConfig;
use koubei_server::jobs::JobConfig;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub alerts: AlertConfig,
    #[serde(default)]
    pub jobs: Vec<JobConfig>,
    #[serde(default)]
    pub retention: Retention,
}

/// `[retention]`: how long reviews are kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Reviews older than this many days are deleted, at start-up and every day.
    pub days: Option<u32>,
}

impl Config {
    /// Reads `path`; `None` when the file does not exist. Errors name the file and, for bad
    /// TOML, the line and key.
    pub fn read(path: &Path) -> Result<Option<Config>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let config: Config = toml::from_str(&text)
            .with_context(|| format!("configuration file {}", path.display()))?;
        let invalid = |e: String| anyhow::anyhow!("configuration file {}: {e}", path.display());
        config.alerts.validate().map_err(invalid)?;
        for job in &config.jobs {
            job.schedule().map_err(invalid)?;
            if let JobConfig::Digest { name, channels, .. } = job {
                for channel in channels {
                    if config.alerts.channel(channel).is_none() {
                        return Err(invalid(format!(
                            "job {name:?} sends to {channel:?}, which no [[alerts.channels]] defines"
                        )));
                    }
                }
            }
        }
        Ok(Some(config))
    }
}
