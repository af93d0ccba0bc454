//! The store: where reviews and their analyses live, behind one trait.
//!
//! [`Store`] is the only way the rest of koubei reads or writes data, so that the
//! embedded SQLite file ([`SqliteStore`], the default) and a PostgreSQL server for large
//! deployments are interchangeable. Every method takes the **workspace** id first (one
//! brand or client); every table's keys start with it.
//!
//! Writes are idempotent: a review whose dedup key ([`koubei_core::NewReview::dedup_key`])
//! is already stored is counted as a duplicate and skipped, and each batch commits in one
//! transaction. An import killed half-way and run again therefore ends with every review
//! stored exactly once.
//!
//! Migrations live in `migrations/<backend>/NNNN_name.sql`, are embedded in the binary and
//! are never edited once landed.

pub mod facts;
mod migrate;
pub mod model;
mod sqlite;
pub mod stats;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use koubei_core::{Analysis, Polarity};

pub use facts::{FactIndex, FactMention, FactRow, Revision, SharedIndex};
pub use model::{
    AlertRecord, AnalysedReview, BatchOutcome, DeliveryRecord, DeliveryResult, DueDelivery, Filter,
    IndicatorStat, NewAlert, NewToken, ReviewPage, ReviewQuery, StoredMention, StoredReview,
    Summary, TokenRecord, TypicalOpinion, WindowCounts, WindowQuery,
};
pub use model::{AuditEntry, DELETED_QUOTE, DeleteSelector, SessionRecord, UserRecord};
pub use model::{CorrectionOutcome, CorrectionRecord, MentionCorrection};
pub use sqlite::SqliteStore;

/// A failure of the store. Database errors keep their source for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("database {0} was written by a newer koubei (schema version {1}); upgrade koubei")]
    TooNew(String, i64),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stored review's texts, as re-analysis needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewText {
    pub id: i64,
    pub category: Option<String>,
    pub text: String,
    pub followup_text: Option<String>,
}

/// A fresh analysis of a stored review, replacing the old one.
#[derive(Debug, Clone)]
pub struct Reanalysis {
    pub id: i64,
    pub analysis: Analysis,
    pub followup: Option<Analysis>,
}

/// Everything koubei keeps. See the crate docs for the rules every implementation follows.
#[async_trait]
pub trait Store: Send + Sync {
    /// Creates the workspace if it does not exist yet.
    async fn ensure_workspace(&self, workspace: &str) -> Result<()>;

    /// Stores a batch in one transaction, skipping reviews already stored.
    async fn insert_batch(
        &self,
        workspace: &str,
        batch: &[AnalysedReview],
        engine_version: &str,
    ) -> Result<BatchOutcome>;

    /// Up to `limit` reviews with an id greater than `after_id`, in id order.
    async fn review_texts(
        &self,
        workspace: &str,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<ReviewText>>;

    /// Replaces the analyses of the given reviews in one transaction.
    async fn replace_analyses(
        &self,
        workspace: &str,
        items: &[Reanalysis],
        engine_version: &str,
    ) -> Result<()>;

    /// Totals over the filtered reviews.
    async fn summary(&self, workspace: &str, filter: &Filter) -> Result<Summary>;

    /// Per-indicator statistics, parents including their descendants, most mentioned first.
    async fn indicator_stats(&self, workspace: &str, filter: &Filter)
    -> Result<Vec<IndicatorStat>>;

    /// The most frequent typical opinions, optionally of one indicator (and its
    /// descendants) and one polarity.
    async fn typical_opinions(
        &self,
        workspace: &str,
        filter: &Filter,
        indicator: Option<&str>,
        polarity: Option<Polarity>,
        limit: u32,
    ) -> Result<Vec<TypicalOpinion>>;

    /// One page of the reviews behind a number.
    async fn reviews(&self, workspace: &str, query: &ReviewQuery) -> Result<ReviewPage>;

    /// The workspace's change counters (zero for a workspace that does not exist).
    async fn revision(&self, workspace: &str) -> Result<Revision>;

    /// Up to `limit` reviews with an id greater than `after_id`, in id order, in the compact
    /// form a [`FactIndex`] keeps.
    async fn fact_rows(&self, workspace: &str, after_id: i64, limit: u32) -> Result<Vec<FactRow>>;

    /// The stored reviews with these ids, with their mentions, in the order of `ids`
    /// (ids that are not stored are left out).
    async fn reviews_by_ids(&self, workspace: &str, ids: &[i64]) -> Result<Vec<StoredReview>>;

    /// Stores an API token; returns its id.
    async fn create_token(&self, workspace: &str, token: &NewToken) -> Result<i64>;

    /// The token whose secret has this SHA-256 digest, in any workspace.
    async fn find_token(&self, secret_sha256: &str) -> Result<Option<TokenRecord>>;

    /// Every token of the workspace, newest first (revoked and expired ones too).
    async fn tokens(&self, workspace: &str) -> Result<Vec<TokenRecord>>;

    /// Revokes a token from now on; whether it existed and was not yet revoked. Audited.
    async fn revoke_token(&self, workspace: &str, id: i64, actor: &str) -> Result<bool>;

    /// Queues an alert with one pending delivery per channel, in one transaction; `None`
    /// when an alert with the same key exists (nothing is queued twice).
    async fn queue_alert(
        &self,
        workspace: &str,
        alert: &NewAlert,
        channels: &[String],
    ) -> Result<Option<i64>>;

    /// When the rule last raised an alert in the workspace.
    async fn last_alert_at(&self, workspace: &str, rule: &str) -> Result<Option<NaiveDateTime>>;

    /// Pending deliveries whose time has come, oldest first.
    async fn due_deliveries(
        &self,
        workspace: &str,
        now: NaiveDateTime,
        limit: u32,
    ) -> Result<Vec<DueDelivery>>;

    /// Records an attempt's result.
    async fn record_delivery(&self, delivery: i64, result: &DeliveryResult) -> Result<()>;

    /// Reviews and mentions in a time window, for the alert rules.
    async fn window_counts(&self, workspace: &str, query: &WindowQuery) -> Result<WindowCounts>;

    /// Sets one mention's polarity as an analyst judged it, recorded in the audit log as
    /// `actor`; the correction outlives re-analysis. Setting it back to the engine's
    /// polarity withdraws the correction. `None` when the review has no such mention.
    async fn correct_mention(
        &self,
        workspace: &str,
        correction: &MentionCorrection,
        actor: &str,
    ) -> Result<Option<CorrectionOutcome>>;

    /// The newest corrections, with their evidence and text.
    async fn corrections(&self, workspace: &str, limit: u32) -> Result<Vec<CorrectionRecord>>;

    /// How many reviews the selector names (what [`Store::delete_reviews`] would delete).
    async fn count_selected(&self, workspace: &str, selector: &DeleteSelector) -> Result<u64>;

    /// Deletes the reviews the selector names (with their mentions) and records it in the
    /// audit log as `actor`; returns how many were deleted. An empty selector deletes
    /// nothing.
    async fn delete_reviews(
        &self,
        workspace: &str,
        selector: &DeleteSelector,
        actor: &str,
    ) -> Result<u64>;

    /// Adds a line to the audit log.
    async fn audit(&self, workspace: &str, actor: &str, action: &str, detail: &str) -> Result<()>;

    /// The newest lines of the audit log.
    async fn audit_log(&self, workspace: &str, limit: u32) -> Result<Vec<AuditEntry>>;

    /// The alert rules added over the API, as `(name, rule as JSON)`, by name.
    async fn alert_rules(&self, workspace: &str) -> Result<Vec<(String, serde_json::Value)>>;

    /// Adds or replaces an API alert rule, recorded in the audit log as `actor`.
    async fn put_alert_rule(
        &self,
        workspace: &str,
        name: &str,
        rule: &serde_json::Value,
        actor: &str,
    ) -> Result<()>;

    /// Removes an API alert rule; whether there was one. Recorded in the audit log.
    async fn delete_alert_rule(&self, workspace: &str, name: &str, actor: &str) -> Result<bool>;

    /// Adds an account, recorded in the audit log as `actor`; returns its id. A taken
    /// username is an error.
    async fn create_user(
        &self,
        workspace: &str,
        username: &str,
        password_hash: &str,
        role: &str,
        actor: &str,
    ) -> Result<i64>;

    /// Every account of the workspace, by name.
    async fn users(&self, workspace: &str) -> Result<Vec<UserRecord>>;

    /// Removes an account and ends its sessions; whether there was one. Audited.
    async fn delete_user(&self, workspace: &str, username: &str, actor: &str) -> Result<bool>;

    /// Replaces an account's password, clears its lock and ends its sessions; whether the
    /// account exists. Audited.
    async fn set_password(
        &self,
        workspace: &str,
        username: &str,
        password_hash: &str,
        actor: &str,
    ) -> Result<bool>;

    /// The account of that name.
    async fn find_user(&self, workspace: &str, username: &str) -> Result<Option<UserRecord>>;

    /// Records a sign-in attempt from `address`: a success (`failures` none) clears the
    /// failures and any lock; a failure sets the count of wrong passwords in a row and may
    /// lock the account until `lock_until`. Audited either way.
    async fn record_login(
        &self,
        workspace: &str,
        user_id: i64,
        failures: Option<u32>,
        lock_until: Option<NaiveDateTime>,
        address: &str,
    ) -> Result<()>;

    /// Starts a session for a user.
    async fn create_session(
        &self,
        workspace: &str,
        user_id: i64,
        secret_sha256: &str,
        csrf: &str,
        expires_at: NaiveDateTime,
    ) -> Result<()>;

    /// The session whose cookie secret has this digest, with its user.
    async fn find_session(&self, secret_sha256: &str) -> Result<Option<SessionRecord>>;

    /// Ends a session.
    async fn delete_session(&self, secret_sha256: &str) -> Result<()>;

    /// The newest alerts with their deliveries.
    async fn recent_alerts(&self, workspace: &str, limit: u32) -> Result<Vec<AlertRecord>>;
}
