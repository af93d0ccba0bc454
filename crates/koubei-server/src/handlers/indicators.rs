//! `GET /api/v1/indicators/stats`: the indicator table of the dashboard.
//!
//! The answer holds the filtered reviews' summary, every indicator with its counts and
//! ratios, the most frequent typical opinions and the most frequent negative ones (the
//! **negative reasons**). Indicators come in **tree order**: each parent directly followed
//! by its descendants, siblings most mentioned first, so a client can render the table by
//! indenting rows by `depth` without sorting anything itself.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use koubei_report::Report;

use crate::params::{FilterParams, Params};
use crate::{ApiError, AppState};

pub async fn stats(
    State(state): State<Arc<AppState>>,
    Params(params): Params<FilterParams>,
) -> Result<Json<Report>, ApiError> {
    let filter = params.into_filter()?;
    let report = Report::build(state.store.as_ref(), &state.workspace, &filter).await?;
    Ok(Json(report))
}
