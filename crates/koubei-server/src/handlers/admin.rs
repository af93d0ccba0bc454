//! The admin's routes: accounts (`/api/v1/users`), API tokens (`/api/v1/tokens`) and the
//! audit log (`/api/v1/audit`). Every change is recorded in the audit log under the
//! admin who made it. Password hashes and token secrets are never sent back; a new
//! token's secret is shown once, in the answer that creates it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::{Duration, NaiveDateTime, Utc};
use koubei_store::NewToken;
use serde::{Deserialize, Serialize};

use crate::access::{Caller, TOKEN_ROLES, USER_ROLES};
use crate::params::{JsonBody, Params};
use crate::password::{check_new_password, check_username, hash_password, username_key};
use crate::tokens::{new_token_secret, token_digest};
use crate::{ApiError, AppState};

/// An account as the admin sees it.
#[derive(Debug, Serialize)]
pub struct UserView {
    pub username: String,
    pub role: String,
    /// Wrong passwords since the last good one.
    pub failed_logins: u32,
    /// Until when the account is locked, if it is.
    pub locked_until: Option<NaiveDateTime>,
}

#[derive(Debug, Serialize)]
pub struct Users {
    pub users: Vec<UserView>,
}

/// `GET /api/v1/users`.
pub async fn users(State(state): State<Arc<AppState>>) -> Result<Json<Users>, ApiError> {
    let now = Utc::now().naive_utc();
    let users = state
        .store
        .users(&state.workspace)
        .await?
        .into_iter()
        .map(|u| UserView {
            username: u.username,
            role: u.role,
            failed_logins: u.failed_logins,
            locked_until: u.locked_until.filter(|t| *t > now),
        })
        .collect();
    Ok(Json(Users { users }))
}

/// The body of `POST /api/v1/users`.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub password: String,
}

/// `POST /api/v1/users`: adds an account.
pub async fn add_user(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(user): JsonBody<NewUser>,
) -> Result<Json<Users>, ApiError> {
    let username = check_username(&user.username).map_err(ApiError::BadBody)?;
    if !USER_ROLES.contains(&user.role.as_str()) {
        return Err(ApiError::BadBody(format!(
            "role must be one of {}",
            USER_ROLES.join(", ")
        )));
    }
    check_new_password(&user.password).map_err(ApiError::BadBody)?;
    let key = username_key(&username);
    if let Some(taken) = state
        .store
        .users(&state.workspace)
        .await?
        .into_iter()
        .find(|u| username_key(&u.username) == key)
    {
        return Err(ApiError::BadBody(format!(
            "there is already an account called {:?}",
            taken.username
        )));
    }
    let password = user.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing stopped: {e}")))?
        .map_err(ApiError::Internal)?;
    state
        .store
        .create_user(
            &state.workspace,
            &username,
            &hash,
            &user.role,
            &caller.actor(),
        )
        .await?;
    users(State(state)).await
}

/// `DELETE /api/v1/users/{name}`: removes an account and ends its sessions. The last
/// admin cannot be removed, nor can an admin remove themselves.
pub async fn remove_user(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Users>, ApiError> {
    if let Caller::User { username, .. } = &caller
        && *username == name
    {
        return Err(ApiError::BadBody(
            "you cannot remove your own account".into(),
        ));
    }
    let all = state.store.users(&state.workspace).await?;
    let Some(target) = all.iter().find(|u| u.username == name) else {
        return Err(ApiError::NotFound);
    };
    let admins = all.iter().filter(|u| u.role == "admin").count();
    if target.role == "admin" && admins <= 1 {
        return Err(ApiError::BadBody("the last admin cannot be removed".into()));
    }
    state
        .store
        .delete_user(&state.workspace, &name, &caller.actor())
        .await?;
    users(State(state)).await
}

/// A token as the admin sees it (never its secret).
#[derive(Debug, Serialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// Whether it may be used now.
    pub valid: bool,
}

#[derive(Debug, Serialize)]
pub struct Tokens {
    pub tokens: Vec<TokenView>,
}

/// `GET /api/v1/tokens`.
pub async fn tokens(State(state): State<Arc<AppState>>) -> Result<Json<Tokens>, ApiError> {
    let now = Utc::now().naive_utc();
    let tokens = state
        .store
        .tokens(&state.workspace)
        .await?
        .into_iter()
        .map(|t| TokenView {
            valid: t.is_valid_at(now),
            id: t.id,
            name: t.name,
            role: t.role,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        })
        .collect();
    Ok(Json(Tokens { tokens }))
}

/// The body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    pub name: String,
    pub role: String,
    /// Days until it expires; none for a token that does not.
    pub expires_days: Option<u32>,
}

/// The answer to `POST /api/v1/tokens`: the secret, shown this once.
#[derive(Debug, Serialize)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub expires_at: Option<NaiveDateTime>,
    pub secret: String,
}

/// `POST /api/v1/tokens`: creates a token.
pub async fn add_token(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Json<CreatedToken>, ApiError> {
    let name = request.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::BadBody(
            "a token name must be 1 to 64 characters without control characters".into(),
        ));
    }
    if !TOKEN_ROLES.contains(&request.role.as_str()) {
        return Err(ApiError::BadBody(format!(
            "role must be one of {}",
            TOKEN_ROLES.join(", ")
        )));
    }
    let expires_at = match request.expires_days {
        Some(0) | Some(3651..) => {
            return Err(ApiError::BadBody(
                "expires_days must be 1 to 3650".to_string(),
            ));
        }
        Some(days) => Some(Utc::now().naive_utc() + Duration::days(i64::from(days))),
        None => None,
    };
    let secret = new_token_secret().map_err(ApiError::Internal)?;
    let token = NewToken {
        name: name.clone(),
        secret_sha256: token_digest(&secret),
        role: request.role.clone(),
        expires_at,
    };
    let id = state.store.create_token(&state.workspace, &token).await?;
    state
        .store
        .audit(
            &state.workspace,
            &caller.actor(),
            "create_token",
            &format!("{id} ({name}, {})", request.role),
        )
        .await?;
    Ok(Json(CreatedToken {
        id,
        name,
        role: request.role,
        expires_at,
        secret,
    }))
}

/// `DELETE /api/v1/tokens/{id}`: revokes a token from now on.
pub async fn revoke_token(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Tokens>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    if !state
        .store
        .revoke_token(&state.workspace, id, &caller.actor())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    tokens(State(state)).await
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct AuditLine {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct Audit {
    pub entries: Vec<AuditLine>,
}

/// Most audit lines one answer holds.
pub const MAX_AUDIT_LINES: u32 = 1_000;

/// `GET /api/v1/audit?limit=N`: the newest lines of the audit log (default 200).
pub async fn audit(
    State(state): State<Arc<AppState>>,
    Params(query): Params<AuditQuery>,
) -> Result<Json<Audit>, ApiError> {
    let limit = query.limit.unwrap_or(200);
    if limit == 0 || limit > MAX_AUDIT_LINES {
        return Err(ApiError::bad_param(
            "limit",
            format!("must be 1 to {MAX_AUDIT_LINES}"),
        ));
    }
    let entries = state
        .store
        .audit_log(&state.workspace, limit)
        .await?
        .into_iter()
        .map(|e| AuditLine {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        })
        .collect();
    Ok(Json(Audit { entries }))
}
