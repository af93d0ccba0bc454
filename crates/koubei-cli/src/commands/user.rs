//! `koubei user add|list|remove|password`: dashboard accounts, their passwords stored as
//! Argon2id hashes; and `koubei audit`, the audit log.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use koubei_server::password::{check_new_password, check_username, hash_password, username_key};

use crate::cli::{AuditArgs, UserAction, UserArgs};
use crate::commands::open_store;

/// How the audit log names changes made on the command line.
const CLI_ACTOR: &str = "cli";

/// The password from standard input, or a made-up one (then `true`).
fn new_password(from_stdin: bool) -> Result<(String, bool)> {
    let (password, made_up) = if from_stdin {
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
    check_new_password(&password).map_err(|e| anyhow!(e))?;
    Ok((password, made_up))
}

fn show_made_up(password: &str) {
    eprintln!("its password, shown only now:");
    println!("{password}");
}

pub async fn run(args: UserArgs) -> Result<ExitCode> {
    match args.action {
        UserAction::Add {
            name,
            role,
            password_stdin,
            store,
        } => {
            let name = check_username(&name).map_err(|e| anyhow!("--name: {e}"))?;
            let (password, made_up) = new_password(password_stdin)?;
            let hash = hash_password(&password).map_err(|e| anyhow!(e))?;
            let db = open_store(&store).await?;
            let key = username_key(&name);
            if let Some(taken) = db
                .users(&store.workspace)
                .await?
                .into_iter()
                .find(|u| username_key(&u.username) == key)
            {
                bail!("there is already an account called {:?}", taken.username);
            }
            db.create_user(&store.workspace, &name, &hash, &role, CLI_ACTOR)
                .await?;
            eprintln!(
                "account {name:?} ({role}) added to workspace {}",
                store.workspace
            );
            if made_up {
                show_made_up(&password);
            }
        }
        UserAction::List { store } => {
            let db = open_store(&store).await?;
            let users = db.users(&store.workspace).await?;
            if users.is_empty() {
                eprintln!("workspace {} has no account yet", store.workspace);
            }
            let now = chrono::Utc::now().naive_utc();
            for user in users {
                let lock = user
                    .locked_until
                    .filter(|t| *t > now)
                    .map_or(String::new(), |t| {
                        format!("\tlocked until {}", t.format("%Y-%m-%d %H:%M"))
                    });
                println!("{}\t{}{lock}", user.username, user.role);
            }
        }
        UserAction::Remove { name, store } => {
            let db = open_store(&store).await?;
            let users = db.users(&store.workspace).await?;
            let Some(user) = users.iter().find(|u| u.username == name) else {
                bail!("there is no account called {name:?}");
            };
            let admins = users.iter().filter(|u| u.role == "admin").count();
            if user.role == "admin" && admins == 1 {
                bail!("{name:?} is the last admin; add another admin first");
            }
            db.delete_user(&store.workspace, &name, CLI_ACTOR).await?;
            eprintln!("account {name:?} removed and signed out");
        }
        UserAction::Password {
            name,
            password_stdin,
            store,
        } => {
            let (password, made_up) = new_password(password_stdin)?;
            let hash = hash_password(&password).map_err(|e| anyhow!(e))?;
            let db = open_store(&store).await?;
            if !db
                .set_password(&store.workspace, &name, &hash, CLI_ACTOR)
                .await?
            {
                bail!("there is no account called {name:?}");
            }
            eprintln!("password of {name:?} replaced; its sessions are ended and any lock lifted");
            if made_up {
                show_made_up(&password);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `koubei audit`: the newest lines of the audit log, tab-separated.
pub async fn audit(args: AuditArgs) -> Result<ExitCode> {
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let db = open_store(&args.store).await?;
    for entry in db.audit_log(&args.store.workspace, args.limit).await? {
        println!(
            "{}\t{}\t{}\t{}",
            entry.at.format("%Y-%m-%d %H:%M:%S"),
            entry.actor,
            entry.action,
            entry.detail
        );
    }
    Ok(ExitCode::SUCCESS)
}
