//! Who may call what: every route of the server is declared once, in [`crate::routes`], with
//! the [`Access`] it needs, and [`guard`] enforces it before the handler runs.
//!
//! A caller is a signed-in user (session cookie), an API token (`Authorization: Bearer`) or
//! nobody. Roles are ordered for reading and analysing — viewer < analyst < admin — while
//! an `ingest` token may only push reviews. A state-changing request made with a session
//! cookie must carry the session's CSRF token in `X-CSRF-Token` (the cookie is also
//! `SameSite=Strict`); requests with a bearer token carry no ambient credential and need no
//! CSRF token. Anonymous callers of a page are sent to `/login`, of the API answered 401.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::handlers::session::{check_csrf, current};
use crate::tokens::authorise;
use crate::{ApiError, AppState};

/// What a route needs from its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, signed in or not: health, the API description, the sign-in and setup pages,
    /// static files.
    Public,
    /// Any signed-in user or valid token (who am I, sign out).
    SignedIn,
    /// Read the dashboards: viewer, analyst or admin.
    Read,
    /// Exports and alert rules: analyst or admin.
    Analyse,
    /// Accounts, tokens, the audit log: admin.
    Admin,
    /// Push reviews: an ingest token, or admin.
    Ingest,
}

impl Access {
    /// The roles this access admits (empty for [`Access::Public`] and
    /// [`Access::SignedIn`], which do not look at the role).
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Access::Public | Access::SignedIn => &[],
            Access::Read => &["viewer", "analyst", "admin"],
            Access::Analyse => &["analyst", "admin"],
            Access::Admin => &["admin"],
            Access::Ingest => &["ingest", "admin"],
        }
    }
}

/// Why the guard refused a caller without credentials.
pub const SIGN_IN_FIRST: &str = "sign in first";
/// Why the guard refused a caller whose role does not reach.
pub const ROLE_REFUSED: &str = "your role may not do this";

/// The roles an account may have.
pub const USER_ROLES: &[&str] = &["admin", "analyst", "viewer"];
/// The roles an API token may have.
pub const TOKEN_ROLES: &[&str] = &["ingest", "viewer", "analyst", "admin"];

/// Who made a request, as the guard found it; handlers read it from the request's
/// extensions to name the actor in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User {
        username: String,
        role: String,
    },
    Token {
        name: String,
        role: String,
    },
    /// A server started with [`AppState::without_sign_in`] (tests and benchmarks).
    Open,
    /// Nobody (public routes only).
    Anonymous,
}

impl Caller {
    /// How the audit log names this caller.
    pub fn actor(&self) -> String {
        match self {
            Caller::User { username, .. } => format!("user:{username}"),
            Caller::Token { name, .. } => format!("token:{name}"),
            Caller::Open => "open-access".to_string(),
            Caller::Anonymous => "anonymous".to_string(),
        }
    }

    fn role(&self) -> Option<&str> {
        match self {
            Caller::User { role, .. } | Caller::Token { role, .. } => Some(role),
            Caller::Open => Some("admin"),
            Caller::Anonymous => None,
        }
    }
}

/// The guard of one route: finds the caller, checks the role and, for cookie-carried
/// state changes, the CSRF token; then hands the request on with the [`Caller`] attached.
pub async fn guard(
    State((state, access)): State<(Arc<AppState>, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    request.extensions_mut().insert(ClientAddress(address));
    let method = request.method().clone();
    match admit(&state, access, &method, request.headers()).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => {
            let page = !request.uri().path().starts_with("/api/");
            if page && method == Method::GET {
                match error {
                    ApiError::Unauthorized(_) => return to_login(&request),
                    ApiError::Forbidden(_) => return forbidden_page(),
                    _ => {}
                }
            }
            error.into_response()
        }
    }
}

/// The address the request came from (the TCP peer; loopback when unknown, as in tests
/// that call the router directly). A proxy in front makes every request its own: run
/// koubei's sign-in limits on the proxy too, or accept that they count per proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

async fn admit(
    state: &AppState,
    access: Access,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    if access == Access::Public {
        return Ok(Caller::Anonymous);
    }
    let changes_state = !matches!(*method, Method::GET | Method::HEAD);
    let caller = if headers.contains_key(AUTHORIZATION) {
        let token = authorise(state, headers, TOKEN_ROLES).await?;
        Caller::Token {
            name: token.name,
            role: token.role,
        }
    } else if let Some(me) = current(state, headers).await? {
        if changes_state {
            check_csrf(headers, &me)?;
        }
        Caller::User {
            username: me.username,
            role: me.role,
        }
    } else if state.open_access {
        Caller::Open
    } else {
        return Err(ApiError::Unauthorized(SIGN_IN_FIRST));
    };
    let role = caller.role().unwrap_or_default();
    if access == Access::SignedIn || access.roles().contains(&role) {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden(ROLE_REFUSED))
    }
}

/// `303 See Other` to the sign-in page, which comes back here afterwards.
fn to_login(request: &Request) -> Response {
    let back = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let target = format!("/login?next={}", koubei_alert::sign::percent_encode(&back));
    match HeaderValue::from_str(&target) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(_) => ApiError::Unauthorized(SIGN_IN_FIRST).into_response(),
    }
}

/// A page the signed-in user's role may not see: a short page saying so, in both
/// languages, with the way back (rather than the API's JSON).
fn forbidden_page() -> Response {
    const PAGE: &str = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>口碑 · 没有权限</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
        <body><main class=\"narrow\"><h1>没有权限</h1>\
        <p>你的账号角色不能查看这个页面。请联系管理员。</p>\
        <p lang=\"en\">Your role may not see this page; ask an admin.</p>\
        <p><a href=\"/\">返回概览 · Back to the overview</a></p></main></body></html>\n";
    (
        StatusCode::FORBIDDEN,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        PAGE,
    )
        .into_response()
}
