//! `GET /api/v1/reviews`: the drill-down, one page of the reviews behind a number, each
//! with its mentions (`part` says whether offsets point into the text or the follow-up).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use koubei_store::ReviewPage;

use crate::params::{Params, ReviewParams};
use crate::{ApiError, AppState};

pub async fn index(
    State(state): State<Arc<AppState>>,
    Params(params): Params<ReviewParams>,
) -> Result<Json<ReviewPage>, ApiError> {
    let query = params.into_query()?;
    let page = state.store.reviews(&state.workspace, &query).await?;
    Ok(Json(page))
}
