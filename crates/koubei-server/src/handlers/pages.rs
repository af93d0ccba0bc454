//! The dashboard pages and their static files, all embedded (see [`crate::assets`]).
//!
//! `GET /` is the overview, `/indicators` the indicator tree, `/indicator` one indicator,
//! `/reviews` the drill-down, `/compare` the comparison, `/service` the customer-service
//! view, `/admin` the accounts and tokens; `/login` and `/setup` let people in. Each is the same bytes for every request; its script reads the filter from the
//! URL's query string.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::assets::{self, Asset, HTML};

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

pub async fn login() -> Response {
    embedded(HTML, assets::LOGIN_HTML)
}

pub async fn setup() -> Response {
    embedded(HTML, assets::SETUP_HTML)
}

pub async fn admin() -> Response {
    embedded(HTML, assets::ADMIN_HTML)
}

pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    // A vendored file is reached only through `vendor_asset`, under its own prefix.
    if name.starts_with(assets::VENDOR_PREFIX) {
        return Err(ApiError::NotFound);
    }
    served(&name, &headers)
}

pub async fn vendor_asset(
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    served(&format!("{}{name}", assets::VENDOR_PREFIX), &headers)
}

/// An asset with an `ETag` of its content, or `304 Not Modified` when the browser already
/// holds that version: with `no-cache` a browser asks again on every page, and the
/// vendored chart library is a megabyte it should not download each time.
fn served(name: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let asset = assets::find(name).ok_or(ApiError::NotFound)?;
    let tag = etag(asset);
    let known = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if known {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, tag.to_string())]).into_response());
    }
    let mut response = embedded(asset.content_type, asset.body);
    if let Ok(value) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(ETAG, value);
    }
    Ok(response)
}

/// The quoted FNV-1a hash of an asset's bytes, computed once per asset.
fn etag(asset: &'static Asset) -> &'static str {
    static TAGS: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        assets::FILES
            .iter()
            .map(|a| (a.name, format!("\"{:016x}\"", fnv1a(a.body.as_bytes()))))
            .collect()
    });
    tags.get(asset.name).map_or("\"\"", String::as_str)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
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
