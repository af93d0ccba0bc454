//! Analysts' corrections of the engine: `POST /api/v1/corrections` sets the polarity of one
//! mention (named by its review, part, indicator and evidence offsets, as the drill-down
//! lists them); `GET /api/v1/corrections` lists them with their evidence, for review and as
//! labelled data for training. A correction changes every indicator figure at once (the
//! review's overall polarity stays the engine's), survives re-analysis, and is recorded in
//! the audit log under the analyst.

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json};
use koubei_core::Polarity;
use koubei_store::{CorrectionOutcome, CorrectionRecord, MentionCorrection};
use serde::{Deserialize, Serialize};

use crate::access::Caller;
use crate::handlers::admin::AuditQuery;
use crate::params::{JsonBody, Params};
use crate::{ApiError, AppState};

/// The body of `POST /api/v1/corrections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// The review's number.
    pub review: i64,
    /// `text` (the default) or `followup`.
    #[serde(default)]
    pub part: Option<String>,
    /// The mention's indicator path, as the review lists it.
    pub indicator: String,
    /// The mention's evidence offsets, in characters.
    pub start: usize,
    pub end: usize,
    /// `positive`, `neutral` or `negative`.
    pub polarity: String,
}

/// `POST /api/v1/corrections`.
pub async fn correct(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<CorrectionBody>,
) -> Result<Json<CorrectionOutcome>, ApiError> {
    let part = match body.part.as_deref().unwrap_or("text") {
        "text" => "text",
        "followup" => "followup",
        other => {
            return Err(ApiError::BadBody(format!(
                "part: {other:?} is neither text nor followup"
            )));
        }
    };
    let polarity = match body.polarity.as_str() {
        "positive" => Polarity::Positive,
        "neutral" => Polarity::Neutral,
        "negative" => Polarity::Negative,
        other => {
            return Err(ApiError::BadBody(format!(
                "polarity: {other:?} is not positive, neutral or negative"
            )));
        }
    };
    let correction = MentionCorrection {
        review: body.review,
        part,
        indicator: body.indicator,
        start: body.start,
        end: body.end,
        polarity,
    };
    let Some(outcome) = state
        .store
        .correct_mention(&state.workspace, &correction, &caller.actor())
        .await?
    else {
        return Err(ApiError::BadBody(format!(
            "review #{} has no mention of {} at {}..{} in its {part}",
            correction.review, correction.indicator, correction.start, correction.end
        )));
    };
    state.index.catch_up(state.store.as_ref()).await?;
    Ok(Json(outcome))
}

#[derive(Debug, Serialize)]
pub struct Corrections {
    pub corrections: Vec<CorrectionRecord>,
}

/// Most corrections one answer holds.
pub const MAX_CORRECTIONS: u32 = 10_000;

/// `GET /api/v1/corrections?limit=N`: the newest corrections (default 200).
pub async fn list(
    State(state): State<Arc<AppState>>,
    Params(query): Params<AuditQuery>,
) -> Result<Json<Corrections>, ApiError> {
    let limit = crate::params::limit(query.limit, 200, MAX_CORRECTIONS)?;
    let corrections = state.store.corrections(&state.workspace, limit).await?;
    Ok(Json(Corrections { corrections }))
}
