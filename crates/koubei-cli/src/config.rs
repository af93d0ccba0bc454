//! The configuration file (`koubei.toml`): today its `[alerts]` table, see
//! `koubei_server::alerting::config` for the fields and an example.

use std::path::Path;

use anyhow::{Context, Result};
use koubei_server::alerting::AlertConfig;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub alerts: AlertConfig,
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
        config
            .alerts
            .validate()
            .map_err(|e| anyhow::anyhow!("configuration file {}: {e}", path.display()))?;
        Ok(Some(config))
    }
}
