//! The embedded SQLite store: one database file in WAL mode, the default for a single
//! brand on one machine.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDateTime, Utc};
use koubei_core::{Analysis, Channel, Mention, NewReview, Polarity};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use crate::facts::{FactMention, FactRow, Revision};
use crate::model::*;
use crate::{Reanalysis, Result, ReviewText, Store, StoreError, migrate};

/// How stored date-times are written: sortable text, to the second.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A [`Store`] over one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up
    /// to date.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(path)
            .map_err(|source| StoreError::Open {
                path: path.to_string(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let created = !Path::new(path).exists();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_string(),
                source,
            })?;
        migrate::run_sqlite(&pool, path).await?;
        // A new file holds reviews and password hashes: readable by its owner only
        // (SQLite gives its -wal and -shm files the same permissions).
        #[cfg(unix)]
        if created && Path::new(path).is_file() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ensure_workspace(&self, workspace: &str) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO workspaces (id, name, created_at) VALUES (?, ?, ?)")
            .bind(workspace)
            .bind(workspace)
            .bind(Utc::now().to_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_batch(
        &self,
        workspace: &str,
        batch: &[AnalysedReview],
        engine_version: &str,
    ) -> Result<BatchOutcome> {
        let imported_at = Utc::now().naive_utc().format(TIME_FORMAT).to_string();
        let mut tx = self.pool.begin().await?;
        let mut outcome = BatchOutcome::default();
        for item in batch {
            let id = insert_review(&mut tx, workspace, item, engine_version, &imported_at).await?;
            outcome.stored.push(id);
            let Some(id) = id else {
                outcome.duplicates += 1;
                continue;
            };
            outcome.inserted += 1;
            if item.analysis.is_excluded_from_stats() {
                outcome.flagged += 1;
            }
            insert_mentions(
                &mut tx,
                workspace,
                id,
                &item.analysis,
                item.followup.as_ref(),
            )
            .await?;
        }
        if outcome.inserted > 0 {
            bump(&mut tx, workspace, "revision").await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn review_texts(
        &self,
        workspace: &str,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<ReviewText>> {
        let rows = sqlx::query(
            "SELECT id, category, text, followup_text FROM reviews
             WHERE +workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(workspace)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ReviewText {
                    id: row.try_get("id")?,
                    category: row.try_get("category")?,
                    text: row.try_get("text")?,
                    followup_text: row.try_get("followup_text")?,
                })
            })
            .collect()
    }

    async fn replace_analyses(
        &self,
        workspace: &str,
        items: &[Reanalysis],
        engine_version: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for item in items {
            sqlx::query("DELETE FROM mentions WHERE workspace_id = ? AND review_id = ?")
                .bind(workspace)
                .bind(item.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE reviews SET polarity = ?, score = ?, flags = ?, excluded = ?,
                 engine_version = ? WHERE workspace_id = ? AND id = ?",
            )
            .bind(item.analysis.polarity.as_str())
            .bind(item.analysis.score)
            .bind(flags_text(&item.analysis))
            .bind(item.analysis.is_excluded_from_stats())
            .bind(engine_version)
            .bind(workspace)
            .bind(item.id)
            .execute(&mut *tx)
            .await?;
            insert_mentions(
                &mut tx,
                workspace,
                item.id,
                &item.analysis,
                item.followup.as_ref(),
            )
            .await?;
            reapply_corrections(&mut tx, workspace, item.id).await?;
        }
        if !items.is_empty() {
            bump(&mut tx, workspace, "epoch").await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn summary(&self, workspace: &str, filter: &Filter) -> Result<Summary> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) AS reviews,
                COALESCE(SUM(r.polarity = 'positive'), 0) AS positive,
                COALESCE(SUM(r.polarity = 'neutral'), 0) AS neutral,
                COALESCE(SUM(r.polarity = 'negative'), 0) AS negative,
                COALESCE(SUM(r.polarity = 'mixed'), 0) AS mixed
             FROM reviews r WHERE ",
        );
        push_filter(&mut q, workspace, filter);
        let row = q.build().fetch_one(&self.pool).await?;
        let mut summary = summary_from_row(&row)?;

        if !filter.include_flagged {
            let mut excluded = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM reviews r WHERE ");
            let everything = Filter {
                include_flagged: true,
                ..filter.clone()
            };
            push_filter(&mut excluded, workspace, &everything);
            excluded.push(" AND r.excluded = 1");
            let n: i64 = excluded.build_query_scalar().fetch_one(&self.pool).await?;
            summary.excluded = n as u64;
        }

        let mut mentions = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*) FROM mentions m JOIN reviews r ON r.id = m.review_id WHERE ",
        );
        push_mention_filter(&mut mentions, workspace, filter);
        let n: i64 = mentions.build_query_scalar().fetch_one(&self.pool).await?;
        summary.mentions = n as u64;
        Ok(summary)
    }

    async fn indicator_stats(
        &self,
        workspace: &str,
        filter: &Filter,
    ) -> Result<Vec<IndicatorStat>> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT m.indicator_path AS path, MIN(m.indicator_id) AS indicator_id,
                MIN(m.code) AS code, m.polarity AS polarity, COUNT(*) AS n
             FROM mentions m JOIN reviews r ON r.id = m.review_id WHERE ",
        );
        push_mention_filter(&mut q, workspace, filter);
        q.push(" GROUP BY m.indicator_path, m.polarity");
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut by_path: HashMap<String, IndicatorStat> = HashMap::new();
        for row in &rows {
            let path: String = row.try_get("path")?;
            let polarity = parse_polarity(row.try_get("polarity")?)?;
            let n = row.try_get::<i64, _>("n")? as u64;
            let leaf_id: String = row.try_get("indicator_id")?;
            let leaf_code: Option<String> = row.try_get("code")?;
            for (depth, prefix) in path_prefixes(&path).enumerate() {
                let stat = by_path
                    .entry(prefix.to_string())
                    .or_insert_with(|| IndicatorStat {
                        indicator: prefix.to_string(),
                        depth,
                        ..IndicatorStat::default()
                    });
                if prefix.len() == path.len() {
                    stat.indicator_id = leaf_id.clone();
                    stat.code = leaf_code.clone();
                }
                add_count(stat, polarity, n);
            }
        }
        let mut stats: Vec<IndicatorStat> = by_path.into_values().collect();
        stats.sort_by(|a, b| {
            b.mentions
                .cmp(&a.mentions)
                .then(a.indicator.cmp(&b.indicator))
        });
        Ok(stats)
    }

    async fn typical_opinions(
        &self,
        workspace: &str,
        filter: &Filter,
        indicator: Option<&str>,
        polarity: Option<Polarity>,
        limit: u32,
    ) -> Result<Vec<TypicalOpinion>> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT m.indicator_path AS path, m.typical AS typical, m.polarity AS polarity,
                COUNT(*) AS n, MIN(m.review_id) AS first_id, MAX(m.review_id) AS last_id
             FROM mentions m JOIN reviews r ON r.id = m.review_id WHERE ",
        );
        push_mention_filter(&mut q, workspace, filter);
        if let Some(path) = indicator {
            q.push(" AND ");
            push_path_match(&mut q, path);
        }
        if let Some(p) = polarity {
            q.push(" AND m.polarity = ").push_bind(p.as_str());
        }
        q.push(" AND m.typical <> ''");
        q.push(" GROUP BY m.indicator_path, m.typical, m.polarity ORDER BY n DESC, typical LIMIT ");
        q.push_bind(i64::from(limit));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(typical_from_row).collect()
    }

    async fn reviews(&self, workspace: &str, query: &ReviewQuery) -> Result<ReviewPage> {
        let (page, page_size) = query.paging();
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM reviews r WHERE ");
        push_review_query(&mut count, workspace, query);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;

        let mut select = QueryBuilder::<Sqlite>::new("SELECT r.* FROM reviews r WHERE ");
        push_review_query(&mut select, workspace, query);
        select.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ");
        select.push_bind(i64::from(page_size));
        select.push(" OFFSET ");
        select.push_bind(i64::from(page - 1) * i64::from(page_size));
        let rows = select.build().fetch_all(&self.pool).await?;
        let mut reviews = rows
            .iter()
            .map(review_from_row)
            .collect::<Result<Vec<_>>>()?;
        attach_mentions(&self.pool, workspace, &mut reviews).await?;
        Ok(ReviewPage {
            total: total as u64,
            page,
            page_size,
            reviews,
        })
    }

    async fn revision(&self, workspace: &str) -> Result<Revision> {
        let row = sqlx::query("SELECT revision, epoch FROM workspaces WHERE id = ?")
            .bind(workspace)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(Revision::default());
        };
        Ok(Revision {
            revision: row.try_get("revision")?,
            epoch: row.try_get("epoch")?,
        })
    }

    // Here and in the other id-range reads, `+workspace_id` keeps SQLite from walking a
    // workspace-prefixed index (every row of the workspace, then a sort) when the rowid or
    // review_id range it is given is far narrower.
    async fn fact_rows(&self, workspace: &str, after_id: i64, limit: u32) -> Result<Vec<FactRow>> {
        let rows = sqlx::query(
            "SELECT id, created_at, channel, brand, category, series, model, polarity,
                excluded, text, followup_text
             FROM reviews WHERE +workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(workspace)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut facts = Vec::with_capacity(rows.len());
        for row in &rows {
            let polarity: Option<String> = row.try_get("polarity")?;
            facts.push(FactRow {
                id: row.try_get("id")?,
                created_at: parse_time(row.try_get("created_at")?),
                channel: row.try_get("channel")?,
                brand: row.try_get("brand")?,
                category: row.try_get("category")?,
                series: row.try_get("series")?,
                model: row.try_get("model")?,
                polarity: polarity.as_deref().map(parse_polarity).transpose()?,
                excluded: row.try_get("excluded")?,
                text: row.try_get("text")?,
                followup_text: row.try_get("followup_text")?,
                mentions: Vec::new(),
            });
        }
        let (Some(first), Some(last)) = (facts.first(), facts.last()) else {
            return Ok(facts);
        };
        let mentions = sqlx::query(
            "SELECT review_id, indicator_path, indicator_id, code, typical, polarity
             FROM mentions
             WHERE +workspace_id = ? AND review_id >= ? AND review_id <= ?
             ORDER BY review_id, part, start_char",
        )
        .bind(workspace)
        .bind(first.id)
        .bind(last.id)
        .fetch_all(&self.pool)
        .await?;
        let mut at = 0;
        for row in &mentions {
            let review_id: i64 = row.try_get("review_id")?;
            while at < facts.len() && facts[at].id < review_id {
                at += 1;
            }
            let Some(fact) = facts.get_mut(at).filter(|f| f.id == review_id) else {
                return Err(StoreError::Corrupt(format!(
                    "mention of review {review_id}, which is not in the workspace"
                )));
            };
            fact.mentions.push(FactMention {
                indicator: row.try_get("indicator_path")?,
                indicator_id: row.try_get("indicator_id")?,
                code: row.try_get("code")?,
                typical: row.try_get("typical")?,
                polarity: parse_polarity(row.try_get("polarity")?)?,
            });
        }
        Ok(facts)
    }

    async fn reviews_by_ids(&self, workspace: &str, ids: &[i64]) -> Result<Vec<StoredReview>> {
        let mut found: HashMap<i64, StoredReview> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM reviews WHERE +workspace_id = ");
            q.push_bind(workspace.to_string());
            q.push(" AND id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            for row in q.build().fetch_all(&self.pool).await? {
                let review = review_from_row(&row)?;
                found.insert(review.id, review);
            }
        }
        let mut reviews: Vec<StoredReview> = ids.iter().filter_map(|id| found.remove(id)).collect();
        for chunk in reviews.chunks_mut(500) {
            attach_mentions(&self.pool, workspace, chunk).await?;
        }
        Ok(reviews)
    }
    async fn create_token(&self, workspace: &str, token: &NewToken) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (workspace_id, name, secret_sha256, role, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(workspace)
        .bind(&token.name)
        .bind(&token.secret_sha256)
        .bind(&token.role)
        .bind(now_text())
        .bind(token.expires_at.map(format_time))
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    async fn find_token(&self, secret_sha256: &str) -> Result<Option<TokenRecord>> {
        let row = sqlx::query("SELECT * FROM tokens WHERE secret_sha256 = ?")
            .bind(secret_sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_record).transpose()
    }

    async fn tokens(&self, workspace: &str) -> Result<Vec<TokenRecord>> {
        let rows = sqlx::query("SELECT * FROM tokens WHERE workspace_id = ? ORDER BY id DESC")
            .bind(workspace)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_record).collect()
    }

    async fn revoke_token(&self, workspace: &str, id: i64, actor: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE tokens SET revoked_at = ?
             WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL RETURNING name",
        )
        .bind(now_text())
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(name) = name else { return Ok(false) };
        insert_audit(
            &mut tx,
            workspace,
            actor,
            "revoke_token",
            &format!("{id} ({name})"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn queue_alert(
        &self,
        workspace: &str,
        alert: &NewAlert,
        channels: &[String],
    ) -> Result<Option<i64>> {
        let now = now_text();
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO alerts (workspace_id, alert_key, rule, severity, title, message, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (workspace_id, alert_key) DO NOTHING RETURNING id",
        )
        .bind(workspace)
        .bind(&alert.key)
        .bind(&alert.rule)
        .bind(&alert.severity)
        .bind(&alert.title)
        .bind(alert.message.to_string())
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        for (position, review) in alert.quoted_reviews.iter().enumerate() {
            sqlx::query(
                "INSERT INTO alert_quotes (alert_id, position, review_id) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(review)
            .execute(&mut *tx)
            .await?;
        }
        for channel in channels {
            sqlx::query(
                "INSERT INTO deliveries (workspace_id, alert_id, channel, status, next_attempt_at)
                 VALUES (?, ?, ?, 'pending', ?)",
            )
            .bind(workspace)
            .bind(id)
            .bind(channel)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn last_alert_at(&self, workspace: &str, rule: &str) -> Result<Option<NaiveDateTime>> {
        let at: Option<String> = sqlx::query_scalar(
            "SELECT MAX(created_at) FROM alerts WHERE workspace_id = ? AND rule = ?",
        )
        .bind(workspace)
        .bind(rule)
        .fetch_one(&self.pool)
        .await?;
        Ok(parse_time(at))
    }

    async fn due_deliveries(
        &self,
        workspace: &str,
        now: NaiveDateTime,
        limit: u32,
    ) -> Result<Vec<DueDelivery>> {
        let rows = sqlx::query(
            "SELECT d.id, d.alert_id, d.channel, d.attempts, a.message
             FROM deliveries d JOIN alerts a ON a.id = d.alert_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.workspace_id = ?
             ORDER BY d.next_attempt_at, d.id LIMIT ?",
        )
        .bind(format_time(now))
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let message: String = row.try_get("message")?;
                Ok(DueDelivery {
                    id: row.try_get("id")?,
                    alert_id: row.try_get("alert_id")?,
                    channel: row.try_get("channel")?,
                    attempts: row.try_get::<i64, _>("attempts")? as u32,
                    message: serde_json::from_str(&message)
                        .map_err(|e| StoreError::Corrupt(format!("alert message: {e}")))?,
                })
            })
            .collect()
    }

    async fn record_delivery(&self, delivery: i64, result: &DeliveryResult) -> Result<()> {
        let now = now_text();
        let query = match result {
            DeliveryResult::Sent => sqlx::query(
                "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?,
                 last_error = NULL WHERE id = ? AND status = 'pending'",
            )
            .bind(now)
            .bind(delivery),
            DeliveryResult::RetryAt(at, error) => sqlx::query(
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?,
                 last_error = ? WHERE id = ? AND status = 'pending'",
            )
            .bind(format_time(*at))
            .bind(error)
            .bind(delivery),
            DeliveryResult::Failed(error) => sqlx::query(
                "UPDATE deliveries SET status = 'failed', attempts = attempts + 1,
                 last_error = ? WHERE id = ? AND status = 'pending'",
            )
            .bind(error)
            .bind(delivery),
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    async fn window_counts(&self, workspace: &str, query: &WindowQuery) -> Result<WindowCounts> {
        let filter = Filter {
            from: None,
            to: None,
            include_flagged: false,
            ..query.filter.clone()
        };
        let mut counts = WindowCounts::default();
        // Dated reviews by when they were written, undated ones by when they arrived: two
        // queries, each on its own index.
        for (column, dated) in [("r.created_at", true), ("r.imported_at", false)] {
            let shift = if dated {
                chrono::Duration::zero()
            } else {
                query.local_offset
            };
            let bound = |t: NaiveDateTime| format_time(t.checked_sub_signed(shift).unwrap_or(t));
            let (from, to) = (bound(query.from), bound(query.to));
            let mut reviews = QueryBuilder::<Sqlite>::new(format!(
                "SELECT COUNT(*) AS n, MAX({column}) AS newest FROM reviews r WHERE "
            ));
            push_filter(&mut reviews, workspace, &filter);
            push_window(&mut reviews, column, dated, &from, &to);
            if let Some(path) = &query.indicator {
                reviews.push(" AND EXISTS (SELECT 1 FROM mentions m WHERE m.review_id = r.id AND ");
                push_path_match(&mut reviews, path);
                reviews.push(")");
            }
            let row = reviews.build().fetch_one(&self.pool).await?;
            counts.reviews += row.try_get::<i64, _>("n")? as u64;
            let newest = parse_time(row.try_get("newest")?).map(|t| t + shift);
            counts.newest = counts.newest.max(newest);

            let mut mentions = QueryBuilder::<Sqlite>::new(
                "SELECT m.polarity AS polarity, COUNT(*) AS n
                 FROM reviews r JOIN mentions m ON m.review_id = r.id WHERE ",
            );
            push_filter(&mut mentions, workspace, &filter);
            push_window(&mut mentions, column, dated, &from, &to);
            if let Some(path) = &query.indicator {
                mentions.push(" AND ");
                push_path_match(&mut mentions, path);
            }
            mentions.push(" GROUP BY m.polarity");
            for row in mentions.build().fetch_all(&self.pool).await? {
                let n = row.try_get::<i64, _>("n")? as u64;
                counts.mentions += n;
                match parse_polarity(row.try_get("polarity")?)? {
                    Polarity::Positive => counts.positive += n,
                    Polarity::Negative => counts.negative += n,
                    Polarity::Neutral | Polarity::Mixed => counts.neutral += n,
                }
            }
        }
        Ok(counts)
    }

    async fn correct_mention(
        &self,
        workspace: &str,
        correction: &MentionCorrection,
        actor: &str,
    ) -> Result<Option<CorrectionOutcome>> {
        let part = i64::from(correction.part == "followup");
        let (start, end) = (
            i64::try_from(correction.start).unwrap_or(i64::MAX),
            i64::try_from(correction.end).unwrap_or(i64::MAX),
        );
        let mut tx = self.pool.begin().await?;
        // A write first (that changes nothing), so that the transaction holds the write
        // lock from its start and a parallel writer waits instead of failing.
        let found = sqlx::query(
            "UPDATE mentions SET polarity = polarity
             WHERE workspace_id = ? AND review_id = ? AND part = ? AND indicator_path = ?
               AND start_char = ? AND end_char = ?
             RETURNING id, polarity, engine_polarity",
        )
        .bind(workspace)
        .bind(correction.review)
        .bind(part)
        .bind(&correction.indicator)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await?;
        let Some(row) = found.first() else {
            return Ok(None);
        };
        let mention_id: i64 = row.try_get("id")?;
        let shown = parse_polarity(row.try_get("polarity")?)?;
        let engine = match row.try_get::<Option<String>, _>("engine_polarity")? {
            Some(p) => parse_polarity(&p)?,
            None => shown,
        };
        let new = correction.polarity;
        if new == shown {
            // Nothing changes: no write, no audit line.
            return Ok(Some(CorrectionOutcome {
                engine_polarity: engine,
                polarity: new,
            }));
        }
        let withdrawn = new == engine;
        sqlx::query("UPDATE mentions SET polarity = ?, engine_polarity = ? WHERE id = ?")
            .bind(new.as_str())
            .bind((!withdrawn).then_some(engine.as_str()))
            .bind(mention_id)
            .execute(&mut *tx)
            .await?;
        // An earlier correction of this mention (its evidence may have moved with a new tree
        // since) gives way to this one.
        sqlx::query(
            "DELETE FROM corrections AS c
             WHERE EXISTS (SELECT 1 FROM mentions m WHERE m.id = ?
                 AND c.workspace_id = m.workspace_id AND c.review_id = m.review_id
                 AND c.part = m.part AND c.indicator_id = m.indicator_id
                 AND c.start_char < m.end_char AND m.start_char < c.end_char)",
        )
        .bind(mention_id)
        .execute(&mut *tx)
        .await?;
        if !withdrawn {
            sqlx::query(
                "INSERT INTO corrections (workspace_id, review_id, part, indicator_id,
                     indicator_path, start_char, end_char, engine_polarity, polarity, actor, at)
                 SELECT workspace_id, review_id, part, indicator_id, indicator_path,
                     start_char, end_char, ?, ?, ?, ?
                 FROM mentions WHERE id = ?",
            )
            .bind(engine.as_str())
            .bind(new.as_str())
            .bind(actor)
            .bind(now_text())
            .bind(mention_id)
            .execute(&mut *tx)
            .await?;
        }
        bump(&mut tx, workspace, "epoch").await?;
        // The detail names the mention, never its words: the audit log outlives a deletion
        // of the review.
        let detail = format!(
            "#{} {} {}..{}: {} → {}{}",
            correction.review,
            correction.indicator,
            correction.start,
            correction.end,
            shown.as_str(),
            new.as_str(),
            if withdrawn { " (the engine's own)" } else { "" }
        );
        insert_audit(&mut tx, workspace, actor, "correct_mention", &detail).await?;
        tx.commit().await?;
        Ok(Some(CorrectionOutcome {
            engine_polarity: engine,
            polarity: new,
        }))
    }

    async fn corrections(&self, workspace: &str, limit: u32) -> Result<Vec<CorrectionRecord>> {
        let rows = sqlx::query(
            "SELECT c.review_id, c.part, c.indicator_path, c.start_char, c.end_char,
                    c.engine_polarity, c.polarity, c.actor, c.at,
                    CASE c.part WHEN 0 THEN r.text ELSE COALESCE(r.followup_text, '') END AS whole
             FROM corrections c JOIN reviews r ON r.id = c.review_id
             WHERE c.workspace_id = ?
             ORDER BY c.at DESC, c.id DESC LIMIT ?",
        )
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let start = row.try_get::<i64, _>("start_char")?.max(0) as usize;
                let end = row.try_get::<i64, _>("end_char")?.max(0) as usize;
                let text: String = row.try_get("whole")?;
                let evidence = text
                    .chars()
                    .skip(start)
                    .take(end.saturating_sub(start))
                    .collect();
                Ok(CorrectionRecord {
                    review: row.try_get("review_id")?,
                    part: if row.try_get::<i64, _>("part")? == 0 {
                        "text"
                    } else {
                        "followup"
                    },
                    indicator: row.try_get("indicator_path")?,
                    start,
                    end,
                    evidence,
                    text,
                    engine_polarity: parse_polarity(row.try_get("engine_polarity")?)?,
                    polarity: parse_polarity(row.try_get("polarity")?)?,
                    actor: row.try_get("actor")?,
                    at: parse_time(row.try_get("at")?)
                        .ok_or_else(|| StoreError::Corrupt("correction time".into()))?,
                })
            })
            .collect()
    }

    async fn count_selected(&self, workspace: &str, selector: &DeleteSelector) -> Result<u64> {
        if selector.is_empty() {
            return Ok(0);
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM reviews WHERE ");
        push_selector(&mut q, workspace, selector);
        let n: i64 = q.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn delete_reviews(
        &self,
        workspace: &str,
        selector: &DeleteSelector,
        actor: &str,
    ) -> Result<u64> {
        if selector.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        // Deleted reviews are overwritten with zeros, not left in free pages, for this
        // deletion only (re-analysis deletes and rewrites mentions and need not pay for it).
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut *tx)
            .await?;
        let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM reviews WHERE ");
        push_selector(&mut q, workspace, selector);
        q.push(" RETURNING id");
        let ids: Vec<i64> = q.build_query_scalar::<i64>().fetch_all(&mut *tx).await?;
        let deleted = ids.len() as u64;
        if deleted > 0 {
            bump(&mut tx, workspace, "epoch").await?;
            forget_quotes(&mut tx, &ids).await?;
        }
        let detail = format!(
            "deleted {deleted} reviews where{}{}{}{}{}",
            selector
                .review
                .map_or(String::new(), |id| format!(" review=#{id}")),
            selector
                .author
                .as_ref()
                .map_or(String::new(), |a| format!(" author={a}")),
            selector
                .channel
                .as_ref()
                .map_or(String::new(), |c| format!(" channel={c}")),
            selector
                .source_file
                .as_ref()
                .map_or(String::new(), |f| format!(" source_file={f}")),
            selector
                .before
                .map_or(String::new(), |b| format!(" before={}", format_time(b))),
        );
        insert_audit(&mut tx, workspace, actor, "delete_reviews", &detail).await?;
        sqlx::query("PRAGMA secure_delete = OFF")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if deleted > 0 {
            // The write-ahead log still holds the pages as they were before; copy them
            // into the file (zeroed, see secure_delete) and empty the log. Readers in
            // progress can keep it from finishing; the next checkpoint then does it.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await;
        }
        Ok(deleted)
    }

    async fn audit(&self, workspace: &str, actor: &str, action: &str, detail: &str) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, workspace, actor, action, detail).await
    }

    async fn audit_log(&self, workspace: &str, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, detail FROM audit_log WHERE workspace_id = ?
             ORDER BY id DESC LIMIT ?",
        )
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: parse_time(row.try_get("at")?)
                        .ok_or_else(|| StoreError::Corrupt("audit time".into()))?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    async fn alert_rules(&self, workspace: &str) -> Result<Vec<(String, serde_json::Value)>> {
        let rows =
            sqlx::query("SELECT name, rule FROM alert_rules WHERE workspace_id = ? ORDER BY name")
                .bind(workspace)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let rule: String = row.try_get("rule")?;
                Ok((
                    row.try_get("name")?,
                    serde_json::from_str(&rule)
                        .map_err(|e| StoreError::Corrupt(format!("alert rule: {e}")))?,
                ))
            })
            .collect()
    }

    async fn put_alert_rule(
        &self,
        workspace: &str,
        name: &str,
        rule: &serde_json::Value,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO alert_rules (workspace_id, name, rule, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (workspace_id, name) DO UPDATE SET rule = excluded.rule",
        )
        .bind(workspace)
        .bind(name)
        .bind(rule.to_string())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            workspace,
            actor,
            "put_alert_rule",
            &rule.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_alert_rule(&self, workspace: &str, name: &str, actor: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM alert_rules WHERE workspace_id = ? AND name = ?")
            .bind(workspace)
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if gone {
            insert_audit(&mut tx, workspace, actor, "delete_alert_rule", name).await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    async fn create_user(
        &self,
        workspace: &str,
        username: &str,
        password_hash: &str,
        role: &str,
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (workspace_id, username, password_hash, role, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(workspace)
        .bind(username)
        .bind(password_hash)
        .bind(role)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            workspace,
            actor,
            "create_user",
            &format!("{username} ({role})"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn find_user(&self, workspace: &str, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT * FROM users WHERE workspace_id = ? AND username = ?")
            .bind(workspace)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_record).transpose()
    }

    async fn users(&self, workspace: &str) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query("SELECT * FROM users WHERE workspace_id = ? ORDER BY username")
            .bind(workspace)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_record).collect()
    }

    async fn delete_user(&self, workspace: &str, username: &str, actor: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "DELETE FROM users WHERE workspace_id = ? AND username = ? RETURNING id",
        )
        .bind(workspace)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(false) };
        end_sessions(&mut tx, id).await?;
        insert_audit(&mut tx, workspace, actor, "delete_user", username).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_password(
        &self,
        workspace: &str,
        username: &str,
        password_hash: &str,
        actor: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL
             WHERE workspace_id = ? AND username = ? RETURNING id",
        )
        .bind(password_hash)
        .bind(workspace)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(false) };
        end_sessions(&mut tx, id).await?;
        insert_audit(&mut tx, workspace, actor, "set_password", username).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn record_login(
        &self,
        workspace: &str,
        user_id: i64,
        failures: Option<u32>,
        lock_until: Option<NaiveDateTime>,
        address: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // The write comes first, so that the transaction holds the write lock from its
        // start (a read upgraded to a write can fail at once with "database is locked").
        let username: String = sqlx::query_scalar(
            "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ? RETURNING username",
        )
        .bind(i64::from(failures.unwrap_or(0)))
        .bind(lock_until.map(format_time))
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let action = if failures.is_none() {
            "login"
        } else {
            "login_failed"
        };
        let detail = match lock_until {
            Some(until) => format!(
                "{username} from {address}; locked until {}",
                format_time(until)
            ),
            None => format!("{username} from {address}"),
        };
        insert_audit(
            &mut tx,
            workspace,
            &format!("user:{username}"),
            action,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        workspace: &str,
        user_id: i64,
        secret_sha256: &str,
        csrf: &str,
        expires_at: NaiveDateTime,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.pool.begin().await?;
        // Sessions that ran out are of no use to anyone; each sign-in sweeps them.
        sqlx::query("DELETE FROM sessions WHERE workspace_id = ? AND expires_at <= ?")
            .bind(workspace)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (workspace_id, user_id, secret_sha256, csrf, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(workspace)
        .bind(user_id)
        .bind(secret_sha256)
        .bind(csrf)
        .bind(&now)
        .bind(format_time(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn find_session(&self, secret_sha256: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT s.workspace_id, s.user_id, s.csrf, s.expires_at, u.username, u.role
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_sha256 = ?",
        )
        .bind(secret_sha256)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            workspace: row.try_get("workspace_id")?,
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            role: row.try_get("role")?,
            csrf: row.try_get("csrf")?,
            expires_at: parse_time(row.try_get("expires_at")?)
                .ok_or_else(|| StoreError::Corrupt("session expiry".into()))?,
        }))
    }

    async fn delete_session(&self, secret_sha256: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE secret_sha256 = ?")
            .bind(secret_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn recent_alerts(&self, workspace: &str, limit: u32) -> Result<Vec<AlertRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM alerts WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        // Every listed alert's deliveries in one query, rather than one query per alert.
        let mut by_alert: HashMap<i64, Vec<DeliveryRecord>> = HashMap::new();
        if !rows.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT alert_id, channel, status, attempts, last_error, sent_at FROM deliveries
                 WHERE alert_id IN (",
            );
            let mut ids = q.separated(", ");
            for row in &rows {
                ids.push_bind(row.try_get::<i64, _>("id")?);
            }
            q.push(") ORDER BY alert_id, channel");
            for d in q.build().fetch_all(&self.pool).await? {
                by_alert
                    .entry(d.try_get("alert_id")?)
                    .or_default()
                    .push(DeliveryRecord {
                        channel: d.try_get("channel")?,
                        status: d.try_get("status")?,
                        attempts: d.try_get::<i64, _>("attempts")? as u32,
                        last_error: d.try_get("last_error")?,
                        sent_at: parse_time(d.try_get("sent_at")?),
                    });
            }
        }
        let mut alerts = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let message: String = row.try_get("message")?;
            alerts.push(AlertRecord {
                id,
                rule: row.try_get("rule")?,
                severity: row.try_get("severity")?,
                title: row.try_get("title")?,
                message: serde_json::from_str(&message)
                    .map_err(|e| StoreError::Corrupt(format!("alert message: {e}")))?,
                created_at: parse_time(row.try_get("created_at")?)
                    .ok_or_else(|| StoreError::Corrupt("alert time".into()))?,
                deliveries: by_alert.remove(&id).unwrap_or_default(),
            });
        }
        Ok(alerts)
    }
}

/// The current UTC time as stored.
fn now_text() -> String {
    format_time(Utc::now().naive_utc())
}

/// Replaces the quotes that came from these (deleted) reviews in every alert message,
/// so that the alert history and unsent deliveries no longer carry a deleted buyer's words.
async fn forget_quotes(conn: &mut SqliteConnection, review_ids: &[i64]) -> Result<()> {
    for chunk in review_ids.chunks(500) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT q.alert_id, q.position, a.message FROM alert_quotes q
             JOIN alerts a ON a.id = q.alert_id WHERE q.review_id IN (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(") ORDER BY q.alert_id");
        let rows = q.build().fetch_all(&mut *conn).await?;
        let mut changed: HashMap<i64, serde_json::Value> = HashMap::new();
        for row in &rows {
            let alert: i64 = row.try_get("alert_id")?;
            let position: i64 = row.try_get("position")?;
            let message =
                match changed.entry(alert) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let text: String = row.try_get("message")?;
                        e.insert(serde_json::from_str(&text).map_err(|e| {
                            StoreError::Corrupt(format!("alert {alert} message: {e}"))
                        })?)
                    }
                };
            if let Some(quote) = message
                .get_mut("quotes")
                .and_then(|q| q.get_mut(position as usize))
            {
                *quote = serde_json::Value::String(DELETED_QUOTE.to_string());
            }
        }
        for (alert, message) in changed {
            sqlx::query("UPDATE alerts SET message = ? WHERE id = ?")
                .bind(message.to_string())
                .bind(alert)
                .execute(&mut *conn)
                .await?;
        }
        let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM alert_quotes WHERE review_id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Signs a user out everywhere.
async fn end_sessions(conn: &mut SqliteConnection, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn token_record(row: &SqliteRow) -> Result<TokenRecord> {
    let created: String = row.try_get("created_at")?;
    Ok(TokenRecord {
        id: row.try_get("id")?,
        workspace: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        created_at: parse_time(Some(created))
            .ok_or_else(|| StoreError::Corrupt("token creation time".into()))?,
        expires_at: parse_time(row.try_get("expires_at")?),
        revoked_at: parse_time(row.try_get("revoked_at")?),
    })
}

fn user_record(row: &SqliteRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        workspace: row.try_get("workspace_id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: row.try_get("role")?,
        failed_logins: row.try_get::<i64, _>("failed_logins")? as u32,
        locked_until: parse_time(row.try_get("locked_until")?),
    })
}

/// Applies the stored corrections of a review to its freshly written mentions: each to the
/// mention of the same indicator id and part whose evidence overlaps its own. What the engine
/// now says is kept in the mention (`engine_polarity`, empty when it agrees with the
/// correction) and in the correction, so that the list of corrections stays true.
async fn reapply_corrections(
    conn: &mut SqliteConnection,
    workspace: &str,
    review: i64,
) -> Result<()> {
    const MATCH: &str = "c.workspace_id = m.workspace_id AND c.review_id = m.review_id
        AND c.part = m.part AND c.indicator_id = m.indicator_id
        AND c.start_char < m.end_char AND m.start_char < c.end_char";
    // First what the engine says now goes into the corrections, then the corrections into
    // the mentions (in that order: the second overwrites the mentions' polarity).
    let statements = [
        "UPDATE corrections AS c SET engine_polarity = m.polarity
         FROM mentions m
         WHERE c.workspace_id = ? AND c.review_id = ? AND",
        "UPDATE mentions AS m
         SET engine_polarity = CASE WHEN c.polarity = m.polarity THEN NULL ELSE m.polarity END,
             polarity = c.polarity
         FROM corrections c
         WHERE m.workspace_id = ? AND m.review_id = ? AND",
    ];
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(format!("{statement} {MATCH}")))
            .bind(workspace)
            .bind(review)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The `WHERE` condition (without the word) of the reviews a deletion selector names.
fn push_selector(q: &mut QueryBuilder<Sqlite>, workspace: &str, selector: &DeleteSelector) {
    q.push("workspace_id = ").push_bind(workspace.to_string());
    if let Some(author) = &selector.author {
        q.push(" AND author = ").push_bind(author.clone());
    }
    if let Some(channel) = &selector.channel {
        let channel = Channel::from_str(channel)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| channel.clone());
        q.push(" AND channel = ").push_bind(channel);
    }
    if let Some(file) = &selector.source_file {
        q.push(" AND source_file = ").push_bind(file.clone());
    }
    if let Some(id) = selector.review {
        q.push(" AND id = ").push_bind(id);
    }
    if let Some(before) = selector.before {
        let before = format_time(before);
        q.push(" AND (created_at < ")
            .push_bind(before.clone())
            .push(" OR (created_at IS NULL AND imported_at < ")
            .push_bind(before)
            .push("))");
    }
}

async fn insert_audit(
    conn: &mut SqliteConnection,
    workspace: &str,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (workspace_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(workspace)
    .bind(now_text())
    .bind(actor)
    .bind(action)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds one to a workspace's change counter (`revision` or `epoch`).
async fn bump(conn: &mut SqliteConnection, workspace: &str, counter: &'static str) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE workspaces SET {counter} = {counter} + 1 WHERE id = ?"
    )))
    .bind(workspace)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_review(
    conn: &mut SqliteConnection,
    workspace: &str,
    item: &AnalysedReview,
    engine_version: &str,
    imported_at: &str,
) -> Result<Option<i64>> {
    let r = &item.review;
    let a = &item.analysis;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO reviews (workspace_id, dedup_key, channel, channel_review_id, shop, brand,
            category, series, model, product, rating, text, followup_text, followup_at,
            created_at, author, source_file, source_row, imported_at, polarity, score, flags,
            excluded, engine_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, dedup_key) DO NOTHING RETURNING id",
    )
    .bind(workspace)
    .bind(r.dedup_key())
    .bind(r.channel.as_str())
    .bind(&r.channel_review_id)
    .bind(&r.shop)
    .bind(&r.brand)
    .bind(&r.category)
    .bind(&r.series)
    .bind(&r.model)
    .bind(&r.product)
    .bind(r.rating.map(i64::from))
    .bind(&r.text)
    .bind(&r.followup_text)
    .bind(r.followup_at.map(format_time))
    .bind(r.created_at.map(format_time))
    .bind(&r.author)
    .bind(&r.source_file)
    .bind(r.source_row.map(|n| n as i64))
    .bind(imported_at)
    .bind(a.polarity.as_str())
    .bind(a.score)
    .bind(flags_text(a))
    .bind(a.is_excluded_from_stats())
    .bind(engine_version)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

async fn insert_mentions(
    conn: &mut SqliteConnection,
    workspace: &str,
    review_id: i64,
    analysis: &Analysis,
    followup: Option<&Analysis>,
) -> Result<()> {
    let parts = [(0_i64, Some(analysis)), (1, followup)];
    for (part, analysis) in parts {
        let Some(analysis) = analysis else { continue };
        for m in &analysis.mentions {
            sqlx::query(
                "INSERT INTO mentions (workspace_id, review_id, part, indicator_id,
                    indicator_path, code, aspect, opinion, typical, polarity, start_char, end_char)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(workspace)
            .bind(review_id)
            .bind(part)
            .bind(&m.indicator_id)
            .bind(&m.indicator)
            .bind(&m.code)
            .bind(&m.aspect)
            .bind(&m.opinion)
            .bind(&m.typical)
            .bind(m.polarity.as_str())
            .bind(m.start as i64)
            .bind(m.end as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Appends `workspace = ? AND <filter>` on the reviews table aliased `r`.
fn push_filter(q: &mut QueryBuilder<Sqlite>, workspace: &str, filter: &Filter) {
    q.push("r.workspace_id = ").push_bind(workspace.to_string());
    if let Some(from) = filter.from {
        q.push(" AND r.created_at >= ")
            .push_bind(from.format("%Y-%m-%d").to_string());
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        q.push(" AND r.created_at < ")
            .push_bind(to.format("%Y-%m-%d").to_string());
    }
    if let Some(channel) = &filter.channel {
        let channel = Channel::from_str(channel)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| channel.clone());
        q.push(" AND r.channel = ").push_bind(channel);
    }
    let exact = [
        ("r.brand", &filter.brand),
        ("r.category", &filter.category),
        ("r.series", &filter.series),
        ("r.model", &filter.model),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            q.push(format!(" AND {column} = ")).push_bind(value.clone());
        }
    }
    match filter.keyword.as_deref() {
        // SQLite's LIKE ends a pattern at its first NUL, so `%\0%` would match every
        // review: a keyword the index does not search matches nothing here either.
        Some(keyword) if !crate::facts::is_searchable(keyword) => {
            q.push(" AND 0");
        }
        Some(keyword) => {
            let pattern = format!("%{}%", escape_like(keyword));
            q.push(" AND (r.text LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR r.followup_text LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        None => {}
    }
    if let Some(p) = filter.polarity {
        q.push(" AND r.polarity = ").push_bind(p.as_str());
    }
    if !filter.include_flagged {
        q.push(" AND r.excluded = 0");
    }
}

/// Appends `m.workspace_id = ? AND <filter>` for a query over mentions `m` joined to
/// their reviews `r`, so that the planner walks the workspace's mentions and looks each
/// review up by its key.
fn push_mention_filter(q: &mut QueryBuilder<Sqlite>, workspace: &str, filter: &Filter) {
    q.push("m.workspace_id = ")
        .push_bind(workspace.to_string())
        .push(" AND ");
    push_filter(q, workspace, filter);
}

/// Appends the filter plus the drill-down conditions of a review query.
fn push_review_query(q: &mut QueryBuilder<Sqlite>, workspace: &str, query: &ReviewQuery) {
    push_filter(q, workspace, &query.filter);
    let by_mention =
        query.indicator.is_some() || query.typical.is_some() || query.mention_polarity.is_some();
    if by_mention {
        q.push(" AND EXISTS (SELECT 1 FROM mentions m WHERE m.review_id = r.id");
        if let Some(path) = &query.indicator {
            q.push(" AND ");
            push_path_match(q, path);
        }
        if let Some(typical) = &query.typical {
            q.push(" AND m.typical = ").push_bind(typical.clone());
        }
        if let Some(p) = query.mention_polarity {
            q.push(" AND m.polarity = ").push_bind(p.as_str());
        }
        q.push(")");
    }
}

/// Appends the time window `[from, to)` on `column`; for the arrival time, only reviews
/// without a written time.
fn push_window(q: &mut QueryBuilder<Sqlite>, column: &str, dated: bool, from: &str, to: &str) {
    if !dated {
        q.push(" AND r.created_at IS NULL");
    }
    q.push(format!(" AND {column} >= "))
        .push_bind(from.to_string())
        .push(format!(" AND {column} < "))
        .push_bind(to.to_string());
}

/// Matches mentions of the indicator at `path` or any of its descendants.
fn push_path_match(q: &mut QueryBuilder<Sqlite>, path: &str) {
    q.push("(m.indicator_path = ").push_bind(path.to_string());
    // LIKE would end the pattern at a NUL (`产品\0` would match `产品` itself); no stored
    // path holds one, so the equality alone answers.
    if path.contains('\0') {
        q.push(")");
        return;
    }
    q.push(" OR m.indicator_path LIKE ")
        .push_bind(format!("{}/%", escape_like(path)))
        .push(" ESCAPE '\\')");
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `产品/清洁能力/吸力` → `产品`, `产品/清洁能力`, `产品/清洁能力/吸力`.
fn path_prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
}

fn add_count(stat: &mut IndicatorStat, polarity: Polarity, n: u64) {
    stat.mentions += n;
    match polarity {
        Polarity::Positive => stat.positive += n,
        Polarity::Negative => stat.negative += n,
        Polarity::Neutral | Polarity::Mixed => stat.neutral += n,
    }
}

fn parse_polarity(s: &str) -> Result<Polarity> {
    s.parse()
        .map_err(|e: String| StoreError::Corrupt(format!("polarity: {e}")))
}

fn format_time(t: NaiveDateTime) -> String {
    t.format(TIME_FORMAT).to_string()
}

fn parse_time(s: Option<String>) -> Option<NaiveDateTime> {
    s.and_then(|s| NaiveDateTime::parse_from_str(&s, TIME_FORMAT).ok())
}

fn flags_text(analysis: &Analysis) -> String {
    let names: Vec<&str> = analysis.flags.iter().map(|f| f.as_str()).collect();
    names.join(",")
}

fn summary_from_row(row: &SqliteRow) -> Result<Summary> {
    let get = |name: &str| -> Result<u64> { Ok(row.try_get::<i64, _>(name)? as u64) };
    Ok(Summary {
        reviews: get("reviews")?,
        positive: get("positive")?,
        neutral: get("neutral")?,
        negative: get("negative")?,
        mixed: get("mixed")?,
        excluded: 0,
        mentions: 0,
    })
}

fn typical_from_row(row: &SqliteRow) -> Result<TypicalOpinion> {
    let first: i64 = row.try_get("first_id")?;
    let last: i64 = row.try_get("last_id")?;
    let mut examples = vec![last];
    if first != last {
        examples.push(first);
    }
    Ok(TypicalOpinion {
        indicator: row.try_get("path")?,
        typical: row.try_get("typical")?,
        polarity: parse_polarity(row.try_get("polarity")?)?,
        count: row.try_get::<i64, _>("n")? as u64,
        examples,
    })
}

fn review_from_row(row: &SqliteRow) -> Result<StoredReview> {
    let channel: String = row.try_get("channel")?;
    let polarity: Option<String> = row.try_get("polarity")?;
    let flags: String = row.try_get("flags")?;
    let review = NewReview {
        channel: channel.parse().unwrap_or_default(),
        channel_review_id: row.try_get("channel_review_id")?,
        shop: row.try_get("shop")?,
        brand: row.try_get("brand")?,
        category: row.try_get("category")?,
        series: row.try_get("series")?,
        model: row.try_get("model")?,
        product: row.try_get("product")?,
        rating: row
            .try_get::<Option<i64>, _>("rating")?
            .and_then(|r| u8::try_from(r).ok()),
        text: row.try_get("text")?,
        followup_text: row.try_get("followup_text")?,
        followup_at: parse_time(row.try_get("followup_at")?),
        created_at: parse_time(row.try_get("created_at")?),
        author: row.try_get("author")?,
        source_file: row.try_get("source_file")?,
        source_row: row
            .try_get::<Option<i64>, _>("source_row")?
            .map(|n| n as u64),
    };
    Ok(StoredReview {
        id: row.try_get("id")?,
        review,
        polarity: polarity.as_deref().map(parse_polarity).transpose()?,
        score: row.try_get("score")?,
        flags: flags
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        mentions: Vec::new(),
    })
}

async fn attach_mentions(
    pool: &SqlitePool,
    workspace: &str,
    reviews: &mut [StoredReview],
) -> Result<()> {
    if reviews.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM mentions WHERE +workspace_id = ");
    q.push_bind(workspace.to_string());
    q.push(" AND review_id IN (");
    let mut ids = q.separated(", ");
    for review in reviews.iter() {
        ids.push_bind(review.id);
    }
    q.push(") ORDER BY review_id, part, start_char");
    let rows = q.build().fetch_all(pool).await?;
    let mut by_review: HashMap<i64, Vec<StoredMention>> = HashMap::new();
    for row in &rows {
        let review_id: i64 = row.try_get("review_id")?;
        by_review
            .entry(review_id)
            .or_default()
            .push(mention_from_row(row)?);
    }
    for review in reviews {
        review.mentions = by_review.remove(&review.id).unwrap_or_default();
    }
    Ok(())
}

fn mention_from_row(row: &SqliteRow) -> Result<StoredMention> {
    let part: i64 = row.try_get("part")?;
    Ok(StoredMention {
        part: if part == 0 { "text" } else { "followup" },
        mention: Mention {
            indicator: row.try_get("indicator_path")?,
            indicator_id: row.try_get("indicator_id")?,
            code: row.try_get("code")?,
            aspect: row.try_get("aspect")?,
            opinion: row.try_get("opinion")?,
            typical: row.try_get("typical")?,
            polarity: parse_polarity(row.try_get("polarity")?)?,
            start: row.try_get::<i64, _>("start_char")? as usize,
            end: row.try_get::<i64, _>("end_char")? as usize,
        },
        engine_polarity: row
            .try_get::<Option<String>, _>("engine_polarity")?
            .as_deref()
            .map(parse_polarity)
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_walk_from_the_root() {
        let got: Vec<&str> = path_prefixes("产品/清洁能力/吸力").collect();
        assert_eq!(got, ["产品", "产品/清洁能力", "产品/清洁能力/吸力"]);
        assert_eq!(path_prefixes("物流").collect::<Vec<_>>(), ["物流"]);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(escape_like("100%_好"), "100\\%\\_好");
    }
}
