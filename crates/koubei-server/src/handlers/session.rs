//! Signing in and out: `POST /api/v1/login`, `POST /api/v1/logout`, `GET /api/v1/me`.
//!
//! A session is a random 256-bit secret in a cookie that is `HttpOnly` (scripts cannot read
//! it), `SameSite=Strict` (other sites cannot send it) and `Secure` behind TLS (as a proxy's
//! `X-Forwarded-Proto: https` says); the store keeps only its SHA-256. Each session has a
//! CSRF token, given to the page at sign-in, that every state-changing request made with
//! the cookie must echo in `X-CSRF-Token`. Five wrong passwords in a row lock the account
//! for fifteen minutes; an unknown name costs as much time as a wrong password, so the
//! answer does not tell which names exist. Every attempt is in the audit log.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::access::ClientAddress;
use crate::params::JsonBody;
use crate::password::{
    MAX_PASSWORD_CHARS, check_new_password, check_username, hash_password, verify_password,
};
use crate::tokens::{random_secret, same_secret, token_digest};
use crate::{ApiError, AppState};

/// The cookie that carries the session secret.
pub const SESSION_COOKIE: &str = "koubei_session";
/// The header state-changing requests echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Why a cookie-carried state change was refused.
pub const CSRF_REFUSED: &str = "the X-CSRF-Token header is missing or wrong";
/// Wrong passwords in a row before the account locks.
pub const MAX_FAILURES: u32 = 5;
const LOCK_MINUTES: i64 = 15;
const SESSION_HOURS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_held_back_after_its_allowance_and_others_are_not() {
        let limiter = LoginLimiter::default();
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let now = Utc::now();
        for _ in 0..MAX_FAILURES_PER_ADDRESS {
            assert!(limiter.allows(a, now));
            limiter.failed(a, now);
        }
        assert!(!limiter.allows(a, now));
        assert!(limiter.allows(b, now), "another address is not affected");
        let later = now + Duration::minutes(ADDRESS_WINDOW_MINUTES);
        assert!(limiter.allows(a, later), "the window passes");
        limiter.failed(a, later);
        assert!(limiter.allows(a, later), "and the count starts again");
    }
}

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

/// Failed sign-ins per client address: past [`MAX_FAILURES_PER_ADDRESS`] within
/// [`ADDRESS_WINDOW_MINUTES`], an address is answered 429 without its password being
/// checked, whichever names it tries. Password checks also run at most
/// [`CONCURRENT_HASHES`] at a time, so that a flood of attempts cannot take every core
/// and 19 MiB of memory per attempt.
#[derive(Debug)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<IpAddr, (u32, DateTime<Utc>)>>,
    hashing: tokio::sync::Semaphore,
}

/// Failed sign-ins one address may make per window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// How long failed sign-ins from one address count.
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// Password checks that may run at the same time.
pub const CONCURRENT_HASHES: usize = 4;
/// Addresses remembered before expired ones are dropped.
const REMEMBERED_ADDRESSES: usize = 10_000;

impl Default for LoginLimiter {
    fn default() -> LoginLimiter {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            hashing: tokio::sync::Semaphore::new(CONCURRENT_HASHES),
        }
    }
}

impl LoginLimiter {
    /// Whether `address` may try now.
    pub fn allows(&self, address: IpAddr, now: DateTime<Utc>) -> bool {
        let Ok(failures) = self.failures.lock() else {
            return true;
        };
        match failures.get(&address) {
            Some((count, since)) => {
                *count < MAX_FAILURES_PER_ADDRESS
                    || now - *since >= Duration::minutes(ADDRESS_WINDOW_MINUTES)
            }
            None => true,
        }
    }

    /// Counts a failed attempt from `address`.
    pub fn failed(&self, address: IpAddr, now: DateTime<Utc>) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let window = Duration::minutes(ADDRESS_WINDOW_MINUTES);
        if failures.len() >= REMEMBERED_ADDRESSES {
            failures.retain(|_, (_, since)| now - *since < window);
        }
        let entry = failures.entry(address).or_insert((0, now));
        if now - entry.1 >= window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    Extension(ClientAddress(address)): Extension<ClientAddress>,
    headers: HeaderMap,
    JsonBody(login): JsonBody<Login>,
) -> Result<Response, ApiError> {
    let wrong = ApiError::Unauthorized("wrong username or password");
    if !state.logins.allows(address, Utc::now()) {
        return Err(ApiError::TooManyAttempts(format!(
            "too many failed sign-ins from this address; try again in {ADDRESS_WINDOW_MINUTES} minutes"
        )));
    }
    if login.password.chars().count() > MAX_PASSWORD_CHARS {
        state.logins.failed(address, Utc::now());
        return Err(wrong);
    }
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
    let permit = state
        .logins
        .hashing
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("password checks stopped: {e}")))?;
    let matches = tokio::task::spawn_blocking(move || verify_password(&stored, &password))
        .await
        .map_err(|e| ApiError::Internal(format!("password check stopped: {e}")))?;
    drop(permit);
    if !matches {
        state.logins.failed(address, Utc::now());
    }
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
    start_session(&state, &headers, user.id, user.username, user.role).await
}

/// A new session for a user whose credentials were just checked: the cookie, and who
/// they are with the CSRF token.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    username: String,
    role: String,
) -> Result<Response, ApiError> {
    let now = Utc::now().naive_utc();
    let secret = random_token(32)?;
    let csrf = random_token(24)?;
    state
        .store
        .create_session(
            &state.workspace,
            user_id,
            &token_digest(&secret),
            &csrf,
            now + Duration::hours(SESSION_HOURS),
        )
        .await?;
    let me = Me {
        username,
        role,
        csrf,
    };
    let set = cookie(&secret, SESSION_HOURS * 3600, behind_tls(headers))?;
    Ok(([(SET_COOKIE, set)], Json(me)).into_response())
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The body of `POST /api/v1/setup`.
#[derive(Debug, Deserialize)]
pub struct Setup {
    /// The one-time secret `koubei serve` printed in the setup link.
    pub secret: String,
    pub username: String,
    pub password: String,
}

/// `POST /api/v1/setup`: creates the first admin account with the one-time secret that
/// `koubei serve` printed, and signs it in. Refused once the workspace has an account.
pub async fn setup(
    State(state): State<Arc<AppState>>,
    Extension(ClientAddress(address)): Extension<ClientAddress>,
    headers: HeaderMap,
    JsonBody(setup): JsonBody<Setup>,
) -> Result<Response, ApiError> {
    if !state.logins.allows(address, Utc::now()) {
        return Err(ApiError::TooManyAttempts(format!(
            "too many failed attempts from this address; try again in {ADDRESS_WINDOW_MINUTES} minutes"
        )));
    }
    let expected = state.setup.lock().ok().and_then(|slot| slot.clone());
    let given = token_digest(&setup.secret);
    let valid = expected.is_some_and(|e| same_secret(e.as_bytes(), given.as_bytes()));
    if !valid {
        state.logins.failed(address, Utc::now());
        return Err(ApiError::Forbidden(
            "this setup link is not valid (it works once, until the first account exists)",
        ));
    }
    if !state.store.users(&state.workspace).await?.is_empty() {
        return Err(ApiError::Forbidden("the first account exists already"));
    }
    let username = check_username(&setup.username).map_err(ApiError::BadBody)?;
    check_new_password(&setup.password).map_err(ApiError::BadBody)?;
    let password = setup.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing stopped: {e}")))?
        .map_err(ApiError::Internal)?;
    let id = state
        .store
        .create_user(&state.workspace, &username, &hash, "admin", "setup")
        .await?;
    if let Ok(mut slot) = state.setup.lock() {
        *slot = None;
    }
    start_session(&state, &headers, id, username, "admin".to_string()).await
}

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
        Err(ApiError::Forbidden(CSRF_REFUSED))
    }
}
