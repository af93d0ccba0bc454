//! The one error type of the server, and how each kind of failure reaches the client.
//!
//! A **client error** (a bad query parameter, an unknown path) is answered with a 4xx and a
//! message saying what was wrong; it is logged at debug level only, since nothing is
//! broken on our side. A **server error** (the store failed) is logged once, at error level,
//! inside the request's span, and the client gets a generic 500 message: database details
//! stay in our log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koubei_store::StoreError;
use serde::Serialize;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One query parameter has a value we cannot use.
    #[error("invalid query parameter `{name}`: {reason}")]
    BadParam { name: &'static str, reason: String },
    /// The query string as a whole could not be read (a parameter given twice, ...).
    #[error("invalid query string: {0}")]
    BadQuery(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] koubei_report::ReportError),
    /// A failure of our own that is neither the store's nor the client's.
    #[error("{0}")]
    Internal(String),
    /// No valid credentials came with the request.
    #[error("not authorised: {0}")]
    Unauthorized(&'static str),
    /// The credentials do not allow this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Too many failed attempts; try later.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The request asks for more than one answer may hold (the message says what).
    #[error("{0}")]
    TooBroad(String),
    /// The request body cannot be used (the message says why).
    #[error("invalid request body: {0}")]
    BadBody(String),
    /// This server was started without what the request needs.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
}

impl ApiError {
    /// A bad value for the query parameter `name`, with why it is bad.
    pub fn bad_param(name: &'static str, reason: impl Into<String>) -> ApiError {
        ApiError::BadParam {
            name,
            reason: reason.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParam { .. }
            | ApiError::BadQuery(_)
            | ApiError::BadBody(_)
            | ApiError::TooBroad(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Store(_) | ApiError::Report(_) | ApiError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "internal server error; the details are in the server log".to_string()
        } else {
            tracing::debug!(error = %self, "request rejected");
            self.to_string()
        };
        (status, Json(ErrorBody { error: message })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_the_status_its_cause_deserves() {
        let cases = [
            (ApiError::bad_param("from", "x"), StatusCode::BAD_REQUEST),
            (ApiError::BadQuery("x".into()), StatusCode::BAD_REQUEST),
            (ApiError::NotFound, StatusCode::NOT_FOUND),
            (ApiError::MethodNotAllowed, StatusCode::METHOD_NOT_ALLOWED),
            (
                ApiError::Store(StoreError::Corrupt("secret detail".into())),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error}");
        }
    }

    #[test]
    fn a_bad_parameter_message_names_the_parameter() {
        let message = ApiError::bad_param("from", "expected a date").to_string();
        assert_eq!(message, "invalid query parameter `from`: expected a date");
    }
}
