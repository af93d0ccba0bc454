//! The koubei HTTP server: a JSON API over the [`Store`] and a dashboard served by the
//! binary itself.
//!
//! The **API** lives under `/api/v1` and answers in JSON, errors included
//! (`{"error": "..."}`, see [`ApiError`]); `/api/v1/openapi.json` describes it. The
//! **dashboard** is six static HTML shells (`/`, `/indicators`, `/indicator`, `/reviews`,
//! `/compare`, `/service`) plus CSS, vanilla JS and the vendored ECharts embedded in the
//! binary (see [`assets`]); the scripts fetch the API and build the page with DOM calls
//! only, so the HTML itself never carries review text. Because nothing is rendered from
//! data on the server, every response can carry a strict Content-Security-Policy. Answers
//! are gzip-compressed when the client accepts it.
//!
//! Handlers live in one module per resource under [`handlers`] and stay thin: parse the
//! query (see `params`), ask the index or the store, wrap the answer in JSON. Review
//! intake and alerting live in [`handlers::intake`], [`alerting`], [`watch`] and [`jobs`].

pub mod access;
pub mod alerting;
pub mod assets;
mod error;
pub mod handlers;
pub mod jobs;
mod params;
pub mod password;
pub mod tokens;
pub mod watch;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::Method;
use axum::http::header::{CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use koubei_store::{SharedIndex, Store};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

pub use access::Access;
pub use error::ApiError;
use handlers::{
    admin, corrections, dashboard, health, indicators, intake, openapi, pages, reviews, session,
};

/// The policy sent with every response: our own scripts, styles and images only (plus
/// `data:` images), no inline script or style at all, forms posted only here, and no page
/// framed by another site (so the sign-in page cannot be overlaid by a clickjacker).
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The largest body `POST /api/v1/reviews` takes.
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;

/// What every handler shares: the store, the workspace this server shows and the
/// in-memory index the dashboard's aggregates are computed from. Cloning shares them.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub workspace: String,
    pub index: Arc<SharedIndex>,
    /// The engine that analyses pushed reviews; without it, pushes are refused.
    pub engine: Option<Arc<koubei_engine::Engine>>,
    /// Recorded with every review the server stores.
    pub engine_version: String,
    /// Alert rules and channels; without them, nothing alerts.
    pub alerting: Option<Arc<alerting::Alerting>>,
    /// Every caller is let in as an admin, without signing in (see
    /// [`AppState::without_sign_in`]).
    pub open_access: bool,
    /// The one-time setup secret (its SHA-256) while the workspace has no account.
    pub setup: Arc<std::sync::Mutex<Option<String>>>,
    /// Failed sign-ins per client address.
    pub logins: Arc<session::LoginLimiter>,
}

impl AppState {
    /// The state for showing `workspace` of `store`, with an empty index that fills on the
    /// first request (or on [`AppState::warm_up`]).
    pub fn new(store: Arc<dyn Store>, workspace: impl Into<String>) -> AppState {
        let workspace = workspace.into();
        AppState {
            index: Arc::new(SharedIndex::new(&workspace)),
            store,
            workspace,
            engine: None,
            engine_version: String::new(),
            alerting: None,
            open_access: false,
            setup: Arc::default(),
            logins: Arc::default(),
        }
    }

    /// Lets every request in as an admin without signing in. For tests and benchmarks of
    /// other parts only: `koubei serve` never uses it.
    pub fn without_sign_in(mut self) -> AppState {
        self.open_access = true;
        self
    }

    /// Offers the first account through `/setup` to whoever holds `secret` (printed by
    /// `koubei serve` when the workspace has no account yet).
    pub fn with_setup_secret(self, secret: &str) -> AppState {
        if let Ok(mut slot) = self.setup.lock() {
            *slot = Some(tokens::token_digest(secret));
        }
        self
    }

    /// Lets the server take pushed reviews, analysed by `engine`.
    pub fn with_engine(mut self, engine: Arc<koubei_engine::Engine>) -> AppState {
        self.engine_version = engine.version().to_string();
        self.engine = Some(engine);
        self
    }

    /// Runs these alert rules over pushed reviews.
    pub fn with_alerting(mut self, alerting: Arc<alerting::Alerting>) -> AppState {
        self.alerting = Some(alerting);
        self
    }

    /// Loads the index now, so that the first visitor does not wait for it.
    pub async fn warm_up(&self) -> Result<(), koubei_store::StoreError> {
        self.index.refresh(self.store.as_ref()).await
    }
}

/// One route: its method and path, what it needs from the caller, and its handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<Arc<AppState>>,
}

fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<Arc<AppState>>,
) -> Route {
    Route {
        method,
        path,
        access,
        handler,
    }
}

/// Every route the server has, with the access it needs. The router is built from this
/// list only, so a route cannot exist without an access rule.
pub fn routes() -> Vec<Route> {
    use Access::{Admin, Analyse, Ingest, Public, Read, SignedIn};
    use axum::routing::{delete, post};
    let (get_, post_, delete_) = (Method::GET, Method::POST, Method::DELETE);
    vec![
        route(get_.clone(), "/api/v1/health", Public, get(health::show)),
        route(
            get_.clone(),
            "/api/v1/openapi.json",
            Public,
            get(openapi::show),
        ),
        route(post_.clone(), "/api/v1/login", Public, post(session::login)),
        route(post_.clone(), "/api/v1/setup", Public, post(session::setup)),
        route(
            post_.clone(),
            "/api/v1/logout",
            SignedIn,
            post(session::logout),
        ),
        route(get_.clone(), "/api/v1/me", SignedIn, get(session::me)),
        route(
            get_.clone(),
            "/api/v1/options",
            Read,
            get(dashboard::options),
        ),
        route(
            get_.clone(),
            "/api/v1/overview",
            Read,
            get(dashboard::overview),
        ),
        route(
            get_.clone(),
            "/api/v1/indicators/stats",
            Read,
            get(indicators::stats),
        ),
        route(
            get_.clone(),
            "/api/v1/indicators/tree",
            Read,
            get(dashboard::tree),
        ),
        route(
            get_.clone(),
            "/api/v1/indicators/detail",
            Read,
            get(dashboard::detail),
        ),
        route(
            get_.clone(),
            "/api/v1/compare",
            Read,
            get(dashboard::compare),
        ),
        route(
            get_.clone(),
            "/api/v1/service",
            Read,
            get(dashboard::service),
        ),
        route(get_.clone(), "/api/v1/reviews", Read, get(reviews::index)),
        route(
            post_.clone(),
            "/api/v1/reviews",
            Ingest,
            post(intake::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        ),
        route(
            get_.clone(),
            "/api/v1/reviews/export",
            Analyse,
            get(reviews::export),
        ),
        route(
            post_.clone(),
            "/api/v1/reviews/delete",
            Admin,
            post(admin::delete_reviews),
        ),
        route(
            get_.clone(),
            "/api/v1/corrections",
            Analyse,
            get(corrections::list),
        ),
        route(
            post_.clone(),
            "/api/v1/corrections",
            Analyse,
            post(corrections::correct),
        ),
        route(get_.clone(), "/api/v1/alerts", Read, get(dashboard::alerts)),
        route(
            get_.clone(),
            "/api/v1/alerts/rules",
            Analyse,
            get(dashboard::alert_rules),
        ),
        route(
            post_.clone(),
            "/api/v1/alerts/rules",
            Analyse,
            post(dashboard::put_alert_rule),
        ),
        route(
            delete_.clone(),
            "/api/v1/alerts/rules/{name}",
            Analyse,
            delete(dashboard::delete_alert_rule),
        ),
        route(get_.clone(), "/api/v1/users", Admin, get(admin::users)),
        route(post_.clone(), "/api/v1/users", Admin, post(admin::add_user)),
        route(
            delete_.clone(),
            "/api/v1/users/{name}",
            Admin,
            delete(admin::remove_user),
        ),
        route(get_.clone(), "/api/v1/tokens", Admin, get(admin::tokens)),
        route(
            post_.clone(),
            "/api/v1/tokens",
            Admin,
            post(admin::add_token),
        ),
        route(
            delete_.clone(),
            "/api/v1/tokens/{id}",
            Admin,
            delete(admin::revoke_token),
        ),
        route(get_.clone(), "/api/v1/audit", Admin, get(admin::audit)),
        route(get_.clone(), "/login", Public, get(pages::login)),
        route(get_.clone(), "/setup", Public, get(pages::setup)),
        route(get_.clone(), "/", Read, get(pages::dashboard)),
        route(get_.clone(), "/indicators", Read, get(pages::indicators)),
        route(get_.clone(), "/indicator", Read, get(pages::indicator)),
        route(get_.clone(), "/reviews", Read, get(pages::reviews)),
        route(get_.clone(), "/compare", Read, get(pages::compare)),
        route(get_.clone(), "/service", Read, get(pages::service)),
        route(get_.clone(), "/admin", Admin, get(pages::admin)),
        route(get_.clone(), "/assets/{file}", Public, get(pages::asset)),
        route(
            get_,
            "/assets/vendor/{file}",
            Public,
            get(pages::vendor_asset),
        ),
    ]
}

/// The whole application: API, dashboard pages and assets, each route behind its
/// [`access::guard`], with request tracing and security headers on every response.
pub fn router(state: AppState) -> Router {
    let state = Arc::new(state);
    let mut app = Router::new();
    for route in routes() {
        let guard = from_fn_with_state((state.clone(), route.access), access::guard);
        app = app.route(route.path, route.handler.route_layer(guard));
    }
    app.fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(map_response(security_headers))
        .layer(CompressionLayer::new())
        // Our own failures are logged once as errors by `ApiError`; the trace layer only
        // notes them at debug level so that one failure is not reported twice.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(Level::DEBUG)))
        .with_state(state)
}

/// Serves the application on `listener` until Ctrl-C (or SIGTERM on Unix), then lets the
/// requests in flight finish.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, shutdown_signal()).await
}

/// Serves the application until `shutdown` completes, then shuts down gracefully.
pub async fn serve_until<F>(
    listener: TcpListener,
    state: AppState,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "koubei server listening");
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("koubei server stopped");
    Ok(())
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Completes on Ctrl-C or, on Unix, SIGTERM. If a handler cannot be installed, that
/// signal is simply not awaited (the server still stops on the other one).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received, finishing requests in flight");
}
