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
    MAX_PASSWORD_CHARS, check_new_password, check_username, hash_password, typed_username,
    verify_password,
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
            assert_eq!(limiter.reserve(a, now), Reserved::Go);
        }
        assert_eq!(limiter.reserve(a, now), Reserved::HeldNow, "told once");
        assert_eq!(limiter.reserve(a, now), Reserved::Held);
        assert_eq!(limiter.reserve(b, now), Reserved::Go, "another address");
        // A success gives its place back.
        limiter.give_back(a);
        assert_eq!(limiter.reserve(a, now), Reserved::Go);
        let later = now + Duration::minutes(ADDRESS_WINDOW_MINUTES);
        assert_eq!(limiter.reserve(a, later), Reserved::Go, "the window passes");
    }

    #[test]
    fn unknown_names_lock_like_accounts() {
        let limiter = LoginLimiter::default();
        let now = Utc::now();
        for _ in 0..MAX_FAILURES {
            assert!(!limiter.unknown_locked("nobody", now));
            limiter.unknown_failed("nobody", now);
        }
        assert!(limiter.unknown_locked("nobody", now));
        assert!(!limiter.unknown_locked("somebody", now));
        let later = now + Duration::minutes(LOCK_MINUTES);
        assert!(!limiter.unknown_locked("nobody", later));
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

/// Whether the client reached us over TLS, as the proxy in front says: the first value of
/// `X-Forwarded-Proto` (proxies in a chain append theirs, `https, http`).
fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
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

/// What holds sign-in attempts back.
///
/// - **Per address**: each attempt takes one of [`MAX_FAILURES_PER_ADDRESS`] places per
///   [`ADDRESS_WINDOW_MINUTES`] *before* its password is checked, and a successful sign-in
///   gives its place back, so a burst of parallel attempts counts in full; past the
///   allowance an address is answered 429 without a check, whichever names it tries.
/// - **Per account**: attempts on one account are checked one after another, so that the
///   lock after [`MAX_FAILURES`] wrong passwords cannot be outrun by parallel requests.
///   Names that are no account are counted the same way (in memory) and answered the same,
///   so the lock does not tell which accounts exist.
/// - Password checks run at most [`CONCURRENT_HASHES`] at a time, so that a flood of
///   attempts cannot take every core and 19 MiB of memory per attempt.
#[derive(Debug)]
pub struct LoginLimiter {
    addresses: Mutex<HashMap<IpAddr, AddressCount>>,
    unknown_names: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
    accounts: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    hashing: tokio::sync::Semaphore,
}

#[derive(Debug, Clone, Copy)]
struct AddressCount {
    attempts: u32,
    since: DateTime<Utc>,
    /// Whether the audit log was told this address is held back (once per window).
    reported: bool,
}

/// Failed sign-ins one address may make per window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// How long failed sign-ins from one address count.
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// Password checks that may run at the same time.
pub const CONCURRENT_HASHES: usize = 4;
/// Addresses (or unknown names) remembered before expired ones are dropped.
const REMEMBERED: usize = 10_000;

impl Default for LoginLimiter {
    fn default() -> LoginLimiter {
        LoginLimiter {
            addresses: Mutex::new(HashMap::new()),
            unknown_names: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
            hashing: tokio::sync::Semaphore::new(CONCURRENT_HASHES),
        }
    }
}

/// What [`LoginLimiter::reserve`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    /// The attempt may go ahead; it counts until [`LoginLimiter::give_back`].
    Go,
    /// Held back, and this is the first refusal of the window (worth an audit line).
    HeldNow,
    /// Held back.
    Held,
}

impl LoginLimiter {
    /// Takes one place of `address`'s allowance for an attempt, if one is left.
    pub fn reserve(&self, address: IpAddr, now: DateTime<Utc>) -> Reserved {
        let Ok(mut counts) = self.addresses.lock() else {
            return Reserved::Held;
        };
        let window = Duration::minutes(ADDRESS_WINDOW_MINUTES);
        if counts.len() >= REMEMBERED {
            counts.retain(|_, c| now - c.since < window);
        }
        let fresh = AddressCount {
            attempts: 0,
            since: now,
            reported: false,
        };
        let count = counts.entry(address).or_insert(fresh);
        if now - count.since >= window {
            *count = fresh;
        }
        if count.attempts < MAX_FAILURES_PER_ADDRESS {
            count.attempts += 1;
            Reserved::Go
        } else if !count.reported {
            count.reported = true;
            Reserved::HeldNow
        } else {
            Reserved::Held
        }
    }

    /// Gives back the place a successful attempt took.
    pub fn give_back(&self, address: IpAddr) {
        if let Ok(mut counts) = self.addresses.lock()
            && let Some(count) = counts.get_mut(&address)
        {
            count.attempts = count.attempts.saturating_sub(1);
        }
    }

    /// Whether a name that is no account is "locked" as an account would be by now.
    fn unknown_locked(&self, name: &str, now: DateTime<Utc>) -> bool {
        let window = Duration::minutes(LOCK_MINUTES);
        self.unknown_names.lock().is_ok_and(|names| {
            names
                .get(name)
                .is_some_and(|(n, since)| *n >= MAX_FAILURES && now - *since < window)
        })
    }

    /// Counts a wrong password for a name that is no account.
    fn unknown_failed(&self, name: &str, now: DateTime<Utc>) {
        let Ok(mut names) = self.unknown_names.lock() else {
            return;
        };
        let window = Duration::minutes(LOCK_MINUTES);
        if names.len() >= REMEMBERED {
            names.retain(|_, (_, since)| now - *since < window);
        }
        let entry = names.entry(name.to_string()).or_insert((0, now));
        if now - entry.1 >= window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// The lock that makes attempts on one account wait for each other.
    fn account(&self, user_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        self.accounts
            .lock()
            .map(|mut accounts| accounts.entry(user_id).or_default().clone())
            .unwrap_or_default()
    }
}

fn address_held() -> ApiError {
    ApiError::TooManyAttempts(format!(
        "too many failed attempts from this address; try again in {ADDRESS_WINDOW_MINUTES} minutes"
    ))
}

fn account_locked() -> ApiError {
    ApiError::TooManyAttempts(format!(
        "too many wrong passwords; the account is locked for up to {LOCK_MINUTES} minutes"
    ))
}

/// Takes a place of the address's allowance, or answers 429 (auditing the first refusal).
async fn reserve(state: &AppState, address: IpAddr) -> Result<(), ApiError> {
    match state.logins.reserve(address, Utc::now()) {
        Reserved::Go => Ok(()),
        Reserved::HeldNow => {
            state
                .store
                .audit(
                    &state.workspace,
                    "anonymous",
                    "address_held_back",
                    &format!(
                        "{address}: {MAX_FAILURES_PER_ADDRESS} failed attempts within {ADDRESS_WINDOW_MINUTES} minutes"
                    ),
                )
                .await?;
            tracing::warn!(%address, "sign-in attempts from this address held back");
            Err(address_held())
        }
        Reserved::Held => Err(address_held()),
    }
}

/// Checks a password against a stored hash, at most [`CONCURRENT_HASHES`] at a time.
async fn check_password(
    state: &AppState,
    stored: String,
    password: String,
) -> Result<bool, ApiError> {
    let _permit = state
        .logins
        .hashing
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("password checks stopped: {e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&stored, &password))
        .await
        .map_err(|e| ApiError::Internal(format!("password check stopped: {e}")))
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    Extension(ClientAddress(address)): Extension<ClientAddress>,
    headers: HeaderMap,
    JsonBody(login): JsonBody<Login>,
) -> Result<Response, ApiError> {
    let wrong = || ApiError::Unauthorized("wrong username or password");
    reserve(&state, address).await?;
    if login.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(wrong());
    }
    let username = typed_username(&login.username);
    let found = state.store.find_user(&state.workspace, &username).await?;
    let Some(found) = found else {
        // A name that is no account: the same cost and the same answers, lock included.
        if state.logins.unknown_locked(&username, Utc::now()) {
            return Err(account_locked());
        }
        let dummy = DUMMY_HASH
            .get_or_init(|| hash_password("-").unwrap_or_default())
            .clone();
        check_password(&state, dummy, login.password).await?;
        state.logins.unknown_failed(&username, Utc::now());
        state
            .store
            .audit(
                &state.workspace,
                "anonymous",
                "login_failed",
                &format!("no such account; from {address}"),
            )
            .await?;
        return Err(wrong());
    };
    // One attempt at a time per account, reading its lock after waiting.
    let account = state.logins.account(found.id);
    let _turn = account.lock().await;
    let user = state
        .store
        .find_user(&state.workspace, &found.username)
        .await?
        .ok_or_else(wrong)?;
    let now = Utc::now().naive_utc();
    if user.locked_until.is_some_and(|t| t > now) {
        return Err(account_locked());
    }
    let matches = check_password(&state, user.password_hash.clone(), login.password).await?;
    if !matches {
        // A lock that has run out starts the count again.
        let failures = if user.locked_until.is_some() {
            1
        } else {
            user.failed_logins + 1
        };
        let lock = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
        state
            .store
            .record_login(
                &state.workspace,
                user.id,
                Some(failures),
                lock,
                &address.to_string(),
            )
            .await?;
        return Err(wrong());
    }
    state.logins.give_back(address);
    state
        .store
        .record_login(&state.workspace, user.id, None, None, &address.to_string())
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
    reserve(&state, address).await?;
    let username = check_username(&setup.username).map_err(ApiError::BadBody)?;
    check_new_password(&setup.password).map_err(ApiError::BadBody)?;
    // The secret is taken, not just compared, so that of two requests at once only one
    // can use it; it is put back if the account cannot be made.
    let given = token_digest(&setup.secret);
    let taken = state.setup.lock().ok().and_then(|mut slot| {
        let valid = slot
            .as_ref()
            .is_some_and(|e| same_secret(e.as_bytes(), given.as_bytes()));
        if valid { slot.take() } else { None }
    });
    let Some(secret) = taken else {
        return Err(ApiError::Forbidden(
            "this setup link is not valid (it works once, until the first account exists)",
        ));
    };
    let made = first_admin(&state, username, setup.password).await;
    if made.is_err()
        && let Ok(mut slot) = state.setup.lock()
    {
        *slot = Some(secret);
    }
    let (id, username) = made?;
    state.logins.give_back(address);
    start_session(&state, &headers, id, username, "admin".to_string()).await
}

/// Makes the first admin account, unless the workspace has one already.
async fn first_admin(
    state: &AppState,
    username: String,
    password: String,
) -> Result<(i64, String), ApiError> {
    if !state.store.users(&state.workspace).await?.is_empty() {
        return Err(ApiError::Forbidden("the first account exists already"));
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing stopped: {e}")))?
        .map_err(ApiError::Internal)?;
    let id = state
        .store
        .create_user(&state.workspace, &username, &hash, "admin", "setup")
        .await?;
    Ok((id, username))
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
