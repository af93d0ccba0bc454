//! Signing in and out: `POST /api/v1/login`, `POST /api/v1/logout`, `GET /api/v1/me`.
//!
//! A session is a random 256-bit secret in a cookie that is `HttpOnly` (scripts cannot read
//! it), `SameSite=Strict` (other sites cannot send it) and `Secure` behind TLS (as a proxy's
//! `X-Forwarded-Proto: https` says); the store keeps only its SHA-256. Each session has a
//! CSRF token, given to the page at sign-in, that every state-changing request made with
//! the cookie must echo in `X-CSRF-Token`. Five wrong passwords in a row lock the account
//! for fifteen minutes; an unknown name costs as much time as a wrong password, so the
//! answer does not tell which names exist. Every attempt is in the audit log.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::password::{hash_password, verify_password};
use crate::tokens::{random_secret, same_secret, token_digest};
use crate::{ApiError, AppState};

/// The cookie that carries the session secret.
pub const SESSION_COOKIE: &str = "koubei_session";
/// The header state-changing requests echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Wrong passwords in a row before the account locks.
pub const MAX_FAILURES: u32 = 5;
const LOCK_MINUTES: i64 = 15;
const SESSION_HOURS: i64 = 12;

#[derive(Debug, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// Who is signed in, and the CSRF token the page sends back.
#[derive(Debug, Serialize)]
pub struct Me {
    pub username: String,
    pub role: String,
    pub csrf: String,
}

fn random_token(bytes: usize) -> Result<String, ApiError> {
    random_secret(bytes).map_err(ApiError::Internal)
}

/// The session secret from the request's cookies.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

fn cookie(value: &str, max_age: i64, secure: bool) -> Result<HeaderValue, ApiError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| ApiError::Internal(format!("cookie: {e}")))
}

fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The signed-in user of this request, if its session is valid.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Me>, ApiError> {
    let Some(secret) = session_secret(headers) else {
        return Ok(None);
    };
    let Some(session) = state.store.find_session(&token_digest(&secret)).await? else {
        return Ok(None);
    };
    if session.workspace != state.workspace || session.expires_at <= Utc::now().naive_utc() {
        return Ok(None);
    }
    Ok(Some(Me {
        username: session.username,
        role: session.role,
        csrf: session.csrf,
    }))
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(login): Json<Login>,
) -> Result<Response, ApiError> {
    let wrong = ApiError::Unauthorized("wrong username or password");
    let user = state
        .store
        .find_user(&state.workspace, &login.username)
        .await?;
    let now = Utc::now().naive_utc();
    if let Some(user) = &user
        && user.locked_until.is_some_and(|t| t > now)
    {
        return Err(ApiError::TooManyAttempts(format!(
            "too many wrong passwords; the account is locked for up to {LOCK_MINUTES} minutes"
        )));
    }
    // An unknown name is checked against a throw-away hash, so that it takes as long.
    let stored = match &user {
        Some(user) => user.password_hash.clone(),
        None => DUMMY_HASH
            .get_or_init(|| hash_password("-").unwrap_or_default())
            .clone(),
    };
    let password = login.password.clone();
    let matches = tokio::task::spawn_blocking(move || verify_password(&stored, &password))
        .await
        .map_err(|e| ApiError::Internal(format!("password check stopped: {e}")))?;
    let Some(user) = user else {
        return Err(wrong);
    };
    if !matches {
        let failures = user.failed_logins + 1;
        let lock = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
        state
            .store
            .record_login(&state.workspace, user.id, false, lock)
            .await?;
        return Err(wrong);
    }
    state
        .store
        .record_login(&state.workspace, user.id, true, None)
        .await?;
    let secret = random_token(32)?;
    let csrf = random_token(24)?;
    state
        .store
        .create_session(
            &state.workspace,
            user.id,
            &token_digest(&secret),
            &csrf,
            now + Duration::hours(SESSION_HOURS),
        )
        .await?;
    let me = Me {
        username: user.username,
        role: user.role,
        csrf,
    };
    let set = cookie(&secret, SESSION_HOURS * 3600, behind_tls(&headers))?;
    Ok(([(SET_COOKIE, set)], Json(me)).into_response())
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub async fn me(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Me>, ApiError> {
    current(&state, &headers)
        .await?
        .map(Json)
        .ok_or(ApiError::Unauthorized("not signed in"))
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = current(&state, &headers)
        .await?
        .ok_or(ApiError::Unauthorized("not signed in"))?;
    check_csrf(&headers, &me)?;
    if let Some(secret) = session_secret(&headers) {
        state.store.delete_session(&token_digest(&secret)).await?;
    }
    let set = cookie("", 0, behind_tls(&headers))?;
    Ok((
        [(SET_COOKIE, set)],
        Json(serde_json::json!({"signed_out": true})),
    )
        .into_response())
}

/// A state-changing request made with the session cookie must echo its CSRF token.
pub fn check_csrf(headers: &HeaderMap, me: &Me) -> Result<(), ApiError> {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let same = sent.is_some_and(|s| same_secret(s.as_bytes(), me.csrf.as_bytes()));
    if same {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the X-CSRF-Token header is missing or wrong",
        ))
    }
}
