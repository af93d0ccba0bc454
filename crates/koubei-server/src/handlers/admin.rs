//! The admin's routes: accounts (`/api/v1/users`), API tokens (`/api/v1/tokens`), the
//! deletion of reviews (`/api/v1/reviews/delete`) and the audit log (`/api/v1/audit`).
//! Every change is recorded in the audit log under the admin who made it. Password hashes and token secrets are never sent back; a new
//! token's secret is shown once, in the answer that creates it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use koubei_store::{DeleteSelector, NewToken};
use serde::{Deserialize, Serialize};

use crate::access::{Caller, TOKEN_ROLES, USER_ROLES};
use crate::params::{JsonBody, Params, parse_date, present};
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
    let limit = crate::params::limit(query.limit, 200, MAX_AUDIT_LINES)?;
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

/// The body of `POST /api/v1/reviews/delete`: which reviews, and whether to delete them
/// (`confirm`) or only count them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// The buyer's nickname, masked as imports store it (张三 and 张* both mean 张*).
    #[serde(default)]
    pub author: Option<String>,
    /// Narrows `author` to one channel.
    #[serde(default)]
    pub channel: Option<String>,
    /// Every review imported from this file, as the reviews show it.
    #[serde(default)]
    pub source_file: Option<String>,
    /// Reviews written (undated: imported) before this day, `YYYY-MM-DD`.
    #[serde(default)]
    pub before: Option<String>,
    /// One review, by its number (#123 on the reviews page).
    #[serde(default)]
    pub review: Option<i64>,
    /// Delete; without it the answer only says how many reviews would go.
    #[serde(default)]
    pub confirm: bool,
}

/// What a deletion selected and did.
#[derive(Debug, Serialize)]
pub struct DeleteAnswer {
    /// The author as the store holds it (masked), when one was given.
    pub author: Option<String>,
    pub channel: Option<String>,
    pub source_file: Option<String>,
    pub before: Option<NaiveDate>,
    pub review: Option<i64>,
    /// Reviews the selection names.
    pub matched: u64,
    /// Reviews deleted (0 unless `confirm` was given).
    pub deleted: u64,
}

/// `POST /api/v1/reviews/delete`: counts, or with `confirm` deletes, the reviews of an
/// author, a source file, a period or one review. A deletion is recorded in the audit log
/// under the admin who made it, and the dashboard forgets the reviews at once.
pub async fn delete_reviews(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(request): JsonBody<DeleteRequest>,
) -> Result<Json<DeleteAnswer>, ApiError> {
    // The filters' own date reading, its complaint worded for a body field.
    let before = parse_date("before", request.before).map_err(|e| match e {
        ApiError::BadParam { name, reason } => ApiError::BadBody(format!("{name}: {reason}")),
        other => other,
    })?;
    if request.review.is_some_and(|id| id <= 0) {
        return Err(ApiError::BadBody(
            "review: a review number is a positive whole number".into(),
        ));
    }
    let selector = DeleteSelector {
        author: present(request.author)
            .as_deref()
            .and_then(koubei_ingest::mask::mask_author),
        channel: present(request.channel),
        source_file: present(request.source_file),
        before: before.and_then(|d| d.and_hms_opt(0, 0, 0)),
        review: request.review,
    };
    if selector.is_empty() {
        return Err(ApiError::BadBody(
            "say which reviews: author, source_file, before or review".into(),
        ));
    }
    if selector.channel.is_some() && selector.author.is_none() {
        return Err(ApiError::BadBody(
            "channel narrows author; give author too".into(),
        ));
    }
    let matched = state
        .store
        .count_selected(&state.workspace, &selector)
        .await?;
    let deleted = if request.confirm && matched > 0 {
        let deleted = state
            .store
            .delete_reviews(&state.workspace, &selector, &caller.actor())
            .await?;
        state.index.catch_up(state.store.as_ref()).await?;
        deleted
    } else {
        0
    };
    Ok(Json(DeleteAnswer {
        author: selector.author,
        channel: selector.channel,
        source_file: selector.source_file,
        before,
        review: selector.review,
        matched,
        deleted,
    }))
}
