//! Request handlers, one module per resource, each named for what it does
//! (`indicators::stats`, `reviews::index`). Handlers only parse, call the store and wrap
//! the answer; query parsing lives in `crate::params`, error mapping in [`crate::ApiError`].

pub mod admin;
pub mod corrections;
pub mod dashboard;
pub mod health;
pub mod indicators;
pub mod intake;
pub mod openapi;
pub mod pages;
pub mod reviews;
pub mod session;

use crate::ApiError;

/// Any path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known path asked for with a method it does not serve.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
