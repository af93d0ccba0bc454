//! `koubei token create|list|revoke`: API tokens, each with a role and an optional expiry;
//! a new token's secret is printed once and only its SHA-256 is stored.

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use koubei_server::tokens::{new_token_secret, token_digest};
use koubei_store::NewToken;

use crate::cli::{TokenAction, TokenArgs};
use crate::commands::open_store;

pub async fn run(args: TokenArgs) -> Result<ExitCode> {
    match args.action {
        TokenAction::Create {
            name,
            role,
            expires_days,
            store,
        } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
                anyhow::bail!(
                    "--name must say what the token is for: 1 to 64 characters, no control characters"
                );
            }
            if expires_days == Some(0) {
                anyhow::bail!("--expires-days 0 would make a token that has already expired");
            }
            let db = open_store(&store).await?;
            let secret = new_token_secret().map_err(|e| anyhow!(e))?;
            let expires_at = expires_days.map(|days| {
                chrono::Utc::now().naive_utc() + chrono::Duration::days(i64::from(days))
            });
            let token = NewToken {
                name: name.clone(),
                secret_sha256: token_digest(&secret),
                role: role.clone(),
                expires_at,
            };
            let id = db.create_token(&store.workspace, &token).await?;
            db.audit(
                &store.workspace,
                "cli",
                "create_token",
                &format!("{id} ({name}, {role})"),
            )
            .await?;
            eprintln!(
                "token {id} \"{name}\" ({role}) for workspace {}{}; it is shown only now:",
                store.workspace,
                expires_at.map_or(String::new(), |e| format!(
                    ", expires {}",
                    e.format("%Y-%m-%d")
                ))
            );
            println!("{secret}");
            if role == "ingest" || role == "admin" {
                eprintln!(
                    "push with: curl -H 'Authorization: Bearer {secret}' -H 'Content-Type: application/json' --data @reviews.json http://HOST:PORT/api/v1/reviews"
                );
            } else {
                eprintln!(
                    "read with: curl -H 'Authorization: Bearer {secret}' http://HOST:PORT/api/v1/overview"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenAction::List { store } => {
            let db = open_store(&store).await?;
            let now = chrono::Utc::now().naive_utc();
            let tokens = db.tokens(&store.workspace).await?;
            if tokens.is_empty() {
                eprintln!("workspace {} has no token", store.workspace);
            }
            for token in tokens {
                let state = if token.revoked_at.is_some() {
                    "revoked".to_string()
                } else if !token.is_valid_at(now) {
                    "expired".to_string()
                } else {
                    token.expires_at.map_or("valid".to_string(), |e| {
                        format!("valid until {}", e.format("%Y-%m-%d"))
                    })
                };
                println!(
                    "{}	{}	{}	created {}	{state}",
                    token.id,
                    token.name,
                    token.role,
                    token.created_at.format("%Y-%m-%d")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenAction::Revoke { id, store } => {
            let db = open_store(&store).await?;
            if !db.revoke_token(&store.workspace, id, "cli").await? {
                anyhow::bail!("no valid token {id} in workspace {}", store.workspace);
            }
            eprintln!("token {id} revoked");
            Ok(ExitCode::SUCCESS)
        }
    }
}
