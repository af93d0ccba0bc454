//! `GET /api/v1/indicators/stats`: the indicator table of the dashboard.
//!
//! The answer holds the filtered reviews' summary, every indicator with its counts and
//! ratios, the most frequent typical opinions and the most frequent negative ones (the
//! **negative reasons**). Indicators come in **tree order**: each parent directly followed
//! by its descendants, siblings most mentioned first, so a client can render the table by
//! indenting rows by `depth` without sorting anything itself. It is the same [`Report`]
//! `koubei report` prints, computed from the dashboard's index instead of SQL.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use koubei_core::Polarity;
use koubei_report::{IndicatorRow, Report, TOP_OPINIONS, tree_order};

use crate::handlers::dashboard::with_index;
use crate::params::{FilterParams, Params};
use crate::{ApiError, AppState};

pub async fn stats(
    State(state): State<Arc<AppState>>,
    Params(params): Params<FilterParams>,
) -> Result<Json<Report>, ApiError> {
    let filter = params.into_filter()?;
    let report = with_index(&state, move |index| Report {
        summary: index.summary(&filter),
        indicators: tree_order(index.indicator_stats(&filter))
            .into_iter()
            .map(IndicatorRow::from)
            .collect(),
        typical_opinions: index.typical_opinions(&filter, None, None, TOP_OPINIONS),
        negative_reasons: index.typical_opinions(
            &filter,
            None,
            Some(Polarity::Negative),
            TOP_OPINIONS,
        ),
        filter,
    })
    .await?;
    Ok(Json(report))
}
