//! `koubei user add`: a dashboard account, its password stored as an Argon2id hash.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use koubei_server::password::hash_password;

use crate::cli::{UserAction, UserArgs};
use crate::commands::open_store;

/// Shortest password taken.
const MIN_PASSWORD_CHARS: usize = 10;

pub async fn run(args: UserArgs) -> Result<ExitCode> {
    match args.action {
        UserAction::Add {
            name,
            role,
            password_stdin,
            store,
        } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 64 {
                bail!("--name must be 1 to 64 characters");
            }
            let (password, made_up) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (
                    koubei_server::tokens::random_secret(15).map_err(|e| anyhow!(e))?,
                    true,
                )
            };
            if password.chars().count() < MIN_PASSWORD_CHARS {
                bail!("the password needs at least {MIN_PASSWORD_CHARS} characters");
            }
            let hash = hash_password(&password).map_err(|e| anyhow!(e))?;
            let db = open_store(&store).await?;
            if db.find_user(&store.workspace, &name).await?.is_some() {
                bail!("there is already an account called {name:?}");
            }
            db.create_user(&store.workspace, &name, &hash, &role)
                .await?;
            eprintln!(
                "account {name:?} ({role}) added to workspace {}",
                store.workspace
            );
            if made_up {
                eprintln!("its password, shown only now:");
                println!("{password}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
