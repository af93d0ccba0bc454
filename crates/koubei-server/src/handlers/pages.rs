//! The dashboard pages and their static files, all embedded (see [`crate::assets`]).
//!
//! `GET /` is the overview, `/indicators` the indicator tree, `/indicator` one indicator,
//! `/reviews` the drill-down, `/compare` the comparison and `/service` the customer-service
//! view. Each is the same bytes for every request; its script reads the filter from the
//! URL's query string.

use axum::extract::Path;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::assets::{self, HTML};

pub async fn dashboard() -> Response {
    embedded(HTML, assets::DASHBOARD_HTML)
}

pub async fn indicators() -> Response {
    embedded(HTML, assets::INDICATORS_HTML)
}

pub async fn indicator() -> Response {
    embedded(HTML, assets::INDICATOR_HTML)
}

pub async fn reviews() -> Response {
    embedded(HTML, assets::REVIEWS_HTML)
}

pub async fn compare() -> Response {
    embedded(HTML, assets::COMPARE_HTML)
}

pub async fn service() -> Response {
    embedded(HTML, assets::SERVICE_HTML)
}

pub async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    // A vendored file is reached only through `vendor_asset`, under its own prefix.
    if name.starts_with(assets::VENDOR_PREFIX) {
        return Err(ApiError::NotFound);
    }
    served(&name)
}

pub async fn vendor_asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    served(&format!("{}{name}", assets::VENDOR_PREFIX))
}

fn served(name: &str) -> Result<Response, ApiError> {
    let asset = assets::find(name).ok_or(ApiError::NotFound)?;
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
