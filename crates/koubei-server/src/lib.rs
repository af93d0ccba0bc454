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
use axum::http::header::{CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::middleware::map_response;
use axum::response::Response;
use axum::routing::get;
use koubei_store::{SharedIndex, Store};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Level;

pub use error::ApiError;
use handlers::{dashboard, health, indicators, intake, openapi, pages, reviews, session};

/// The policy sent with every response: our own scripts, styles and images only (plus
/// `data:` images), and no inline script or style at all.
pub const CONTENT_SECURITY_POLICY_VALUE: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self'";

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
        }
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

/// The whole application: API, dashboard pages and assets, with request tracing and
/// security headers on every response.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health::show))
        .route("/openapi.json", get(openapi::show))
        .route("/login", axum::routing::post(session::login))
        .route("/logout", axum::routing::post(session::logout))
        .route("/me", get(session::me))
        .route("/options", get(dashboard::options))
        .route("/alerts", get(dashboard::alerts))
        .route(
            "/alerts/rules",
            get(dashboard::alert_rules).post(dashboard::put_alert_rule),
        )
        .route(
            "/alerts/rules/{name}",
            axum::routing::delete(dashboard::delete_alert_rule),
        )
        .route("/overview", get(dashboard::overview))
        .route("/indicators/stats", get(indicators::stats))
        .route("/indicators/tree", get(dashboard::tree))
        .route("/indicators/detail", get(dashboard::detail))
        .route("/compare", get(dashboard::compare))
        .route("/service", get(dashboard::service))
        .route(
            "/reviews",
            get(reviews::index)
                .post(intake::push)
                .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .route("/reviews/export", get(reviews::export));

    Router::new()
        .nest("/api/v1", api)
        .route("/", get(pages::dashboard))
        .route("/indicators", get(pages::indicators))
        .route("/indicator", get(pages::indicator))
        .route("/reviews", get(pages::reviews))
        .route("/compare", get(pages::compare))
        .route("/service", get(pages::service))
        .route("/assets/{file}", get(pages::asset))
        .route("/assets/vendor/{file}", get(pages::vendor_asset))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(map_response(security_headers))
        .layer(CompressionLayer::new())
        // Our own failures are logged once as errors by `ApiError`; the trace layer only
        // notes them at debug level so that one failure is not reported twice.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(Level::DEBUG)))
        .with_state(Arc::new(state))
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
    axum::serve(listener, router(state))
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
