//! The dashboard pages and their static files, all embedded (see [`crate::assets`]).
//!
//! `GET /` is the indicator table, `GET /reviews` the drill-down; both are the same bytes
//! for every request, and their scripts read the filter from the URL's query string.

use axum::extract::Path;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::assets::{self, HTML};

pub async fn dashboard() -> Response {
    embedded(HTML, assets::DASHBOARD_HTML)
}

pub async fn reviews() -> Response {
    embedded(HTML, assets::REVIEWS_HTML)
}

pub async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    let asset = assets::find(&name).ok_or(ApiError::NotFound)?;
    Ok(embedded(asset.content_type, asset.body))
}

/// A static body with its type. `no-cache` makes browsers revalidate, so an upgraded
/// binary is never paired with yesterday's scripts.
fn embedded(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}
