//! Credentials the server hands out and checks: API tokens (stored as SHA-256 digests,
//! presented as `Authorization: Bearer …`), the random secrets behind them and behind
//! session cookies, and comparison of secrets in constant time.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// The lower-case hex SHA-256 of a token's secret, as the store keeps it.
pub fn token_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` random bytes from the system, as URL-safe Base64 without padding.
pub fn random_secret(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness from the system: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A fresh token: `kb_` and 43 characters of URL-safe Base64 (256 random bits).
pub fn new_token_secret() -> Result<String, String> {
    Ok(format!("kb_{}", random_secret(32)?))
}

/// Whether two secrets are equal, comparing every byte whatever the first difference, so
/// that the time taken does not tell how much of a guess was right.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Checks the request's bearer token: known, valid now, for this workspace, of one of
/// `roles`. Returns the token, whose name stands for the caller in the audit log.
pub(crate) async fn authorise(
    state: &AppState,
    headers: &HeaderMap,
    roles: &[&str],
) -> Result<koubei_store::TokenRecord, ApiError> {
    let header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthorized(
            "an `Authorization: Bearer <token>` header is required",
        ))?;
    let secret = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ))?;
    let token = state
        .store
        .find_token(&token_digest(secret))
        .await?
        .ok_or(ApiError::Unauthorized("unknown token"))?;
    if !token.is_valid_at(Utc::now().naive_utc()) {
        return Err(ApiError::Unauthorized(
            "the token has expired or was revoked",
        ));
    }
    if token.workspace != state.workspace || !roles.contains(&token.role.as_str()) {
        return Err(ApiError::Forbidden(
            "this token's role may not do this here",
        ));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_digested() {
        let a = new_token_secret().expect("token");
        let b = new_token_secret().expect("token");
        assert_ne!(a, b);
        assert!(a.starts_with("kb_") && a.len() == 46, "{a}");
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
