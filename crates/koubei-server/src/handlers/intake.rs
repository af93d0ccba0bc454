//! `POST /api/v1/reviews`: reviews pushed by a shop system or a crawler while the server
//! runs, authenticated with a bearer token from `koubei token create`.
//!
//! The body is read as `koubei import` reads a file: a JSON array of objects or JSON lines
//! (or CSV), with the same column names in Chinese or English, the same checks, the same
//! masking of nicknames. Each review is analysed, the batch is stored in one transaction
//! (a review stored before is skipped, so a resent batch adds nothing), the alert rules run
//! over the new ones, and the dashboard's index picks them up on its next request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::Utc;
use koubei_ingest::{FileReader, ImportOptions, open_bytes};
use koubei_store::AnalysedReview;
use serde::Serialize;

use crate::alerting::{Arrived, Pass, local_now};
use crate::{ApiError, AppState};

/// Most reviews one request may carry.
pub const MAX_BATCH: usize = 5_000;

/// A review the push did not store, and why.
#[derive(Debug, Serialize)]
pub struct Rejected {
    /// 1-based record number in the body.
    pub row: u64,
    pub error: String,
}

/// What a push did.
#[derive(Debug, Serialize)]
pub struct PushOutcome {
    pub received: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
    /// Stored reviews flagged out of the statistics (default reviews, spam …).
    pub flagged: u64,
    /// Alerts the new reviews raised.
    pub alerts: usize,
}

pub async fn push(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<PushOutcome>, ApiError> {
    let name = push_name();
    let reader = open_bytes(body.to_vec(), &name, &ImportOptions::default())
        .map_err(|e| ApiError::BadBody(e.to_string()))?;
    if reader.len_hint().is_some_and(|n| n as usize > MAX_BATCH) {
        return Err(ApiError::BadBody(format!(
            "one push takes at most {MAX_BATCH} reviews; split the batch"
        )));
    }
    let outcome = ingest(&state, reader).await?;
    tracing::info!(
        received = outcome.received,
        stored = outcome.stored,
        duplicates = outcome.duplicates,
        rejected = outcome.rejected.len(),
        alerts = outcome.alerts,
        "reviews pushed"
    );
    Ok(Json(outcome))
}

/// Pushes this process has taken, numbering each so that two pushes never share a name.
static PUSHES: AtomicU64 = AtomicU64::new(0);

/// The name a push's reviews keep as their `source_file` (and its row errors quote):
/// `push`, the time to the microsecond and the push's number. It is one push's own, so
/// `koubei delete --source-file` with it takes that push and never another's reviews.
fn push_name() -> String {
    let number = PUSHES.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "push {} #{number}",
        Utc::now().format("%Y-%m-%d %H:%M:%S%.6f")
    )
}

/// Reviews per transaction when ingesting.
pub const INGEST_BATCH: usize = 2_000;

/// One batch read and analysed, on its way to the store.
struct ReadBatch {
    reviews: Vec<AnalysedReview>,
    rejected: Vec<Rejected>,
    received: u64,
}

/// Reads, analyses and stores everything `reader` yields, [`INGEST_BATCH`] reviews per
/// transaction, running the alert rules over each batch's new reviews. Reading and
/// analysis run on a blocking thread, one batch ahead of the store.
pub async fn ingest(state: &AppState, reader: FileReader) -> Result<PushOutcome, ApiError> {
    let engine = state.engine.clone().ok_or(ApiError::Unavailable(
        "this server was started without the analysis engine",
    ))?;
    let (sender, mut batches) = tokio::sync::mpsc::channel::<ReadBatch>(1);
    let producer = tokio::task::spawn_blocking(move || {
        let mut current = ReadBatch {
            reviews: Vec::with_capacity(INGEST_BATCH),
            rejected: Vec::new(),
            received: 0,
        };
        for (row, record) in (1u64..).zip(reader) {
            current.received += 1;
            match record {
                Ok(review) => current.reviews.push(analyse(&engine, review)),
                Err(error) => current.rejected.push(Rejected {
                    row,
                    error: error.to_string(),
                }),
            }
            if current.reviews.len() >= INGEST_BATCH {
                let full = std::mem::replace(
                    &mut current,
                    ReadBatch {
                        reviews: Vec::with_capacity(INGEST_BATCH),
                        rejected: Vec::new(),
                        received: 0,
                    },
                );
                if sender.blocking_send(full).is_err() {
                    return;
                }
            }
        }
        let _ = sender.blocking_send(current);
    });
    let mut outcome = PushOutcome {
        received: 0,
        stored: 0,
        duplicates: 0,
        rejected: Vec::new(),
        flagged: 0,
        alerts: 0,
    };
    while let Some(batch) = batches.recv().await {
        outcome.received += batch.received;
        outcome.rejected.extend(batch.rejected);
        if batch.reviews.is_empty() {
            continue;
        }
        let stored = state
            .store
            .insert_batch(&state.workspace, &batch.reviews, &state.engine_version)
            .await?;
        outcome.stored += stored.inserted;
        outcome.duplicates += stored.duplicates;
        outcome.flagged += stored.flagged;
        if let Some(alerting) = &state.alerting {
            let arrived: Vec<Arrived> = batch
                .reviews
                .iter()
                .zip(&stored.stored)
                .filter_map(|(item, id)| {
                    id.map(|id| Arrived {
                        id,
                        review: &item.review,
                    })
                })
                .collect();
            if arrived.is_empty() {
                continue;
            }
            outcome.alerts += alerting
                .check(state.store.as_ref(), &state.workspace, &arrived)
                .await?;
            outcome.alerts += alerting
                .evaluate_windows(
                    state.store.as_ref(),
                    &state.workspace,
                    local_now(),
                    Pass::Arrival,
                )
                .await?;
        }
    }
    producer
        .await
        .map_err(|e| ApiError::Internal(format!("reading stopped: {e}")))?;
    Ok(outcome)
}

/// Runs the engine over a review's text and follow-up.
fn analyse(engine: &koubei_engine::Engine, review: koubei_core::NewReview) -> AnalysedReview {
    let (analysis, followup) = engine.analyze_review(&review);
    AnalysedReview {
        review,
        analysis,
        followup,
    }
}
