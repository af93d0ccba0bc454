//! `koubei alert test CHANNEL`: one test message through a configured channel, now.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use koubei_server::alerting::Alerting;

use crate::cli::{AlertAction, AlertArgs};
use crate::config::Config;

pub async fn run(args: AlertArgs) -> Result<ExitCode> {
    match args.action {
        AlertAction::Test { channel, config } => {
            let config = Config::read(&config)?
                .with_context(|| format!("no configuration file {}", config.display()))?;
            let normalizer = koubei_engine::normalize::Normalizer::new()?;
            let alerting = Alerting::new(config.alerts, &normalizer)?;
            match alerting.send_test(&channel).await {
                Ok(()) => {
                    println!("test message delivered to {channel}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(reason) => Err(anyhow!("test message to {channel} failed: {reason}")),
            }
        }
    }
}
