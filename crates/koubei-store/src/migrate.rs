//! Embedded, append-only schema migrations.
//!
//! Each backend has an ordered list of `(version, name, sql)`. The applied versions are
//! kept in `schema_migrations`; a database with a version this binary does not know is
//! refused rather than guessed at.

use sqlx::SqlitePool;
use sqlx::sqlite::SqliteConnection;

use crate::{Result, StoreError};

/// One migration: its version, a short name and the SQL it runs.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The SQLite migrations, oldest first.
pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "revisions",
        sql: include_str!("../migrations/sqlite/0002_revisions.sql"),
    },
    Migration {
        version: 3,
        name: "intake_alerts",
        sql: include_str!("../migrations/sqlite/0003_intake_alerts.sql"),
    },
    Migration {
        version: 4,
        name: "audit",
        sql: include_str!("../migrations/sqlite/0004_audit.sql"),
    },
    Migration {
        version: 5,
        name: "alert_rules",
        sql: include_str!("../migrations/sqlite/0005_alert_rules.sql"),
    },
    Migration {
        version: 6,
        name: "accounts",
        sql: include_str!("../migrations/sqlite/0006_accounts.sql"),
    },
    Migration {
        version: 7,
        name: "alert_quotes",
        sql: include_str!("../migrations/sqlite/0007_alert_quotes.sql"),
    },
    Migration {
        version: 8,
        name: "corrections",
        sql: include_str!("../migrations/sqlite/0008_corrections.sql"),
    },
];

/// Applies every migration that `pool`'s database lacks, each in its own transaction.
pub(crate) async fn run_sqlite(pool: &SqlitePool, db: &str) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(pool)
        .await?;
    let applied = applied.unwrap_or(0);
    let newest = SQLITE.last().map_or(0, |m| m.version);
    if applied > newest {
        return Err(StoreError::TooNew(db.to_string(), applied));
    }
    for migration in SQLITE.iter().filter(|m| m.version > applied) {
        let mut tx = pool.begin().await?;
        apply(&mut tx, migration)
            .await
            .map_err(|source| StoreError::Migration {
                version: migration.version,
                name: migration.name,
                source,
            })?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migration applied"
        );
    }
    Ok(())
}

async fn apply(conn: &mut SqliteConnection, migration: &Migration) -> sqlx::Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(migration.sql))
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .bind(migration.version)
        .bind(migration.name)
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
