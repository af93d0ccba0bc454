//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the API, written by hand in
//! `assets/openapi.json` and embedded. The server tests hold it to the real answers: every
//! field a response carries must be described there, and every path must answer.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../../assets/openapi.json");

pub async fn show() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}
