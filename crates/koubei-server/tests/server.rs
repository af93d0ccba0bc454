//! The server end to end: handlers through `oneshot` on a real SQLite file, and the whole
//! flow over a real socket on port 0.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use common::{WS, mention};
use koubei_core::{Analysis, Flag, Mention, NewReview, Polarity};
use koubei_server::{AppState, CONTENT_SECURITY_POLICY_VALUE, assets, router};
use koubei_store::{
    AlertRecord, AnalysedReview, BatchOutcome, DeliveryResult, DueDelivery, FactRow, Filter,
    IndicatorStat, NewAlert, NewToken, Reanalysis, ReviewPage, ReviewQuery, ReviewText, Revision,
    SqliteStore, Store, StoreError, StoredReview, Summary, TokenRecord, TypicalOpinion,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

const HOSTILE_TEXT: &str = "吸力很强<script>alert(1)</script><img src=x onerror=alert(2)>";

fn analysed(text: &str, mentions: Vec<Mention>, flags: Vec<Flag>) -> AnalysedReview {
    let mut review = NewReview::with_text(text);
    review.brand = Some("甲".into());
    review.created_at =
        chrono::NaiveDate::from_ymd_opt(2024, 1, 5).and_then(|d| d.and_hms_opt(10, 0, 0));
    AnalysedReview {
        review,
        analysis: Analysis {
            polarity: Polarity::Mixed,
            score: 0.0,
            mentions,
            aspects: None,
            flags,
        },
        followup: None,
    }
}

fn with_followup(mut review: AnalysedReview, text: &str, mentions: Vec<Mention>) -> AnalysedReview {
    review.review.followup_text = Some(text.to_string());
    review.followup = Some(Analysis {
        polarity: Polarity::Negative,
        score: -0.5,
        mentions,
        aspects: None,
        flags: vec![],
    });
    review
}

fn sample() -> Vec<AnalysedReview> {
    vec![
        with_followup(
            analysed(
                "吸力大，噪音也大",
                vec![
                    mention("产品/清洁能力/吸力", "吸力大", Polarity::Positive, 2, 3),
                    mention("产品/噪音", "噪音大", Polarity::Negative, 7, 8),
                ],
                vec![],
            ),
            "用了一个月，续航太短",
            vec![mention("产品/续航", "续航短", Polarity::Negative, 8, 10)],
        ),
        analysed(
            HOSTILE_TEXT,
            vec![mention(
                "产品/清洁能力/吸力",
                "吸力强",
                Polarity::Positive,
                2,
                4,
            )],
            vec![],
        ),
        analysed("此用户没有填写评价。", vec![], vec![Flag::DefaultReview]),
    ]
}

/// A router over a fresh SQLite file holding [`sample`]; keep the dir alive with it.
async fn app() -> (tempfile::TempDir, Router) {
    let (dir, state) = filled_state().await;
    (dir, router(state))
}

async fn filled_state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("server.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    store
        .insert_batch(WS, &sample(), "test")
        .await
        .expect("insert");
    // Access control has its own tests (tests/access.rs); these look at what the routes
    // answer, as an admin would see it.
    let state = AppState::new(Arc::new(store), WS).without_sign_in();
    (dir, state)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

async fn send(app: &Router, method: Method, uri: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Method::GET, uri).await
}

#[tokio::test]
async fn health_reports_ok_and_the_version() {
    let (_dir, app) = app().await;
    let reply = get(&app, "/api/v1/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("application/json"));
    let json = reply.json();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn stats_lists_indicators_in_tree_order_with_their_ratios() {
    let (_dir, app) = app().await;
    let json = get(&app, "/api/v1/indicators/stats").await.json();

    assert_eq!(json["summary"]["reviews"], 2);
    assert_eq!(json["summary"]["excluded"], 1);
    let indicators = json["indicators"].as_array().expect("indicators");
    assert!(!indicators.is_empty());
    let paths: Vec<&str> = indicators
        .iter()
        .filter_map(|i| i["indicator"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "产品",
            "产品/清洁能力",
            "产品/清洁能力/吸力",
            "产品/噪音",
            "产品/续航"
        ]
    );
    let suction = &indicators[2];
    assert_eq!(suction["mentions"], 2);
    assert_eq!(suction["satisfaction"], 1.0);
    assert_eq!(suction["net_sentiment"], 1.0);
    assert_eq!(suction["depth"], 2);
    assert!(indicators.iter().all(|i| i["satisfaction"].is_number()));

    let typical = json["typical_opinions"].as_array().expect("typical");
    assert!(typical.iter().any(|t| t["typical"] == "吸力大"));
    let reasons = json["negative_reasons"].as_array().expect("reasons");
    assert!(!reasons.is_empty());
    assert!(reasons.iter().all(|r| r["polarity"] == "negative"));
}

#[tokio::test]
async fn stats_take_empty_form_fields_as_absent_and_apply_the_rest() {
    let (_dir, app) = app().await;
    let blank = "/api/v1/indicators/stats?from=&to=&channel=&brand=&model=&keyword=";
    let reply = get(&app, blank).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["summary"]["reviews"], 2);

    let flagged = get(&app, "/api/v1/indicators/stats?include_flagged=on")
        .await
        .json();
    assert_eq!(flagged["summary"]["reviews"], 3);

    let other_brand = get(&app, "/api/v1/indicators/stats?brand=%E4%B9%99")
        .await
        .json();
    assert_eq!(other_brand["summary"]["reviews"], 0);
    assert_eq!(other_brand["indicators"], Value::Array(vec![]));
}

#[tokio::test]
async fn bad_parameters_get_a_400_naming_them() {
    let (_dir, app) = app().await;
    let cases = [
        ("/api/v1/indicators/stats?from=2024-13-01", "from"),
        ("/api/v1/indicators/stats?to=yesterday", "to"),
        (
            "/api/v1/indicators/stats?include_flagged=maybe",
            "include_flagged",
        ),
        ("/api/v1/indicators/stats?channel=ebay", "channel"),
        ("/api/v1/reviews?from=01%2F02%2F2024", "from"),
        ("/api/v1/reviews?polarity=angry", "polarity"),
        ("/api/v1/reviews?page=0", "page"),
        ("/api/v1/reviews?page_size=lots", "page_size"),
        ("/api/v1/reviews?brand=a&brand=b", "brand"),
    ];
    for (uri, name) in cases {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            reply.content_type().starts_with("application/json"),
            "{uri}"
        );
        let message = reply.json()["error"]
            .as_str()
            .expect("error message")
            .to_string();
        assert!(message.contains(name), "{uri}: {message}");
    }
}

#[tokio::test]
async fn drill_down_returns_the_reviews_behind_an_indicator_and_polarity() {
    let (_dir, app) = app().await;
    let uri = "/api/v1/reviews?indicator=%E4%BA%A7%E5%93%81%2F%E6%B8%85%E6%B4%81%E8%83%BD%E5%8A%9B\
               &polarity=positive&brand=";
    let page = get(&app, uri).await.json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["page"], 1);
    assert_eq!(page["reviews"].as_array().map(Vec::len), Some(2));

    let noise =
        "/api/v1/reviews?indicator=%E4%BA%A7%E5%93%81%2F%E5%99%AA%E9%9F%B3&polarity=negative";
    let page = get(&app, noise).await.json();
    assert_eq!(page["total"], 1);
    let review = &page["reviews"][0];
    assert_eq!(review["followup_text"], "用了一个月，续航太短");
    let mentions = review["mentions"].as_array().expect("mentions");
    let noise = mentions
        .iter()
        .find(|m| m["indicator"] == "产品/噪音")
        .expect("noise mention");
    assert_eq!(
        (&noise["part"], &noise["start"], &noise["end"]),
        (&"text".into(), &7.into(), &8.into())
    );
    let battery = mentions
        .iter()
        .find(|m| m["indicator"] == "产品/续航")
        .expect("followup mention");
    assert_eq!(battery["part"], "followup");
}

#[tokio::test]
async fn drill_down_pages_through_the_results() {
    let (_dir, app) = app().await;
    let first = get(&app, "/api/v1/reviews?page_size=1").await.json();
    let second = get(&app, "/api/v1/reviews?page_size=1&page=2").await.json();
    assert_eq!(
        (&first["total"], &first["page_size"]),
        (&2.into(), &1.into())
    );
    assert_eq!(second["page"], 2);
    assert_ne!(first["reviews"][0]["id"], second["reviews"][0]["id"]);
}

#[tokio::test]
async fn hostile_review_text_is_json_data_and_never_in_the_pages() {
    let (_dir, app) = app().await;
    let page = get(&app, "/api/v1/reviews?q=%3Cscript%3E").await;
    assert!(page.content_type().starts_with("application/json"));
    let json = page.json();
    assert_eq!(json["total"], 1);
    assert_eq!(json["reviews"][0]["text"], HOSTILE_TEXT);

    let pages = assets::PAGES.iter().map(|(path, _)| path.to_string());
    let queried = ["/?keyword=%3Cscript%3E", "/reviews?q=%3Cscript%3E"];
    for uri in pages.chain(queried.map(String::from)) {
        let reply = get(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.content_type().starts_with("text/html"), "{uri}");
        assert!(reply.body.contains(r#"<html lang="zh-CN">"#), "{uri}");
        for review in sample() {
            assert!(
                !reply.body.contains(&review.review.text),
                "{uri} shows review text"
            );
        }
        assert!(!reply.body.contains("alert("), "{uri}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (_dir, app) = app().await;
    let uris = [
        "/",
        "/reviews",
        "/assets/app.css",
        "/assets/common.js",
        "/api/v1/health",
        "/api/v1/indicators/stats",
        "/api/v1/indicators/stats?from=bad",
        "/no/such/page",
    ];
    for uri in uris {
        let reply = get(&app, uri).await;
        let csp = reply.header("content-security-policy");
        assert_eq!(csp, Some(CONTENT_SECURITY_POLICY_VALUE), "{uri}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn assets_are_served_with_their_content_types() {
    let (_dir, app) = app().await;
    for asset in assets::FILES {
        let reply = get(&app, &format!("/assets/{}", asset.name)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", asset.name);
        assert_eq!(reply.content_type(), asset.content_type, "{}", asset.name);
        assert_eq!(reply.body, asset.body);
    }
    assert_eq!(
        get(&app, "/assets/app.css").await.content_type(),
        "text/css; charset=utf-8"
    );
    let script = get(&app, "/assets/reviews.js").await;
    assert_eq!(script.content_type(), "text/javascript; charset=utf-8");
    let charts = get(&app, "/assets/vendor/echarts.min.js").await;
    assert_eq!(charts.status, StatusCode::OK);
    assert!(charts.body.contains("Apache License"));
    // The browser keeps the chart library until its content changes.
    let tag = charts.header("etag").expect("an ETag").to_string();
    let request = Request::get("/assets/vendor/echarts.min.js")
        .header("if-none-match", &tag)
        .body(Body::empty())
        .expect("request");
    let again = app.clone().oneshot(request).await.expect("response");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_ne!(
        get(&app, "/assets/app.css").await.header("etag"),
        Some(tag.as_str())
    );
    // Vendored files live under their own prefix only.
    let escaped = get(&app, "/assets/vendor%2Fecharts.min.js").await;
    assert_eq!(escaped.status, StatusCode::NOT_FOUND);
}

#[test]
fn scripts_never_write_html_strings() {
    let scripts: Vec<_> = assets::scripts().collect();
    assert!(scripts.len() >= 3);
    for script in scripts {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!script.body.contains(sink), "{} uses {sink}", script.name);
        }
    }
}

#[test]
fn pages_have_no_inline_script_or_style_and_no_outside_urls() {
    for &(name, page) in assets::PAGES {
        for tag in page.split("<script").skip(1) {
            assert!(
                tag.trim_start()
                    .starts_with("type=\"module\" src=\"/assets/"),
                "{name}"
            );
        }
        assert!(!page.contains("style="), "{name} has an inline style");
        assert!(!page.contains("<style"), "{name} has a style element");
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let (_dir, app) = app().await;
    let cases = [
        (Method::GET, "/api/v1/nothing", StatusCode::NOT_FOUND),
        (Method::GET, "/assets/missing.js", StatusCode::NOT_FOUND),
        (
            Method::POST,
            "/api/v1/health",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for (method, uri, status) in cases {
        let reply = send(&app, method, uri).await;
        assert_eq!(reply.status, status, "{uri}");
        assert!(reply.json()["error"].is_string(), "{uri}");
    }
}

/// A store whose every read fails with a message that must not reach the client.
struct BrokenStore;

const SECRET: &str = "disk /var/lib/koubei full";

#[async_trait]
impl Store for BrokenStore {
    async fn ensure_workspace(&self, _: &str) -> koubei_store::Result<()> {
        Ok(())
    }
    async fn insert_batch(
        &self,
        _: &str,
        _: &[AnalysedReview],
        _: &str,
    ) -> koubei_store::Result<BatchOutcome> {
        Ok(BatchOutcome::default())
    }
    async fn review_texts(&self, _: &str, _: i64, _: u32) -> koubei_store::Result<Vec<ReviewText>> {
        Ok(vec![])
    }
    async fn replace_analyses(
        &self,
        _: &str,
        _: &[Reanalysis],
        _: &str,
    ) -> koubei_store::Result<()> {
        Ok(())
    }
    async fn summary(&self, _: &str, _: &Filter) -> koubei_store::Result<Summary> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn indicator_stats(
        &self,
        _: &str,
        _: &Filter,
    ) -> koubei_store::Result<Vec<IndicatorStat>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn typical_opinions(
        &self,
        _: &str,
        _: &Filter,
        _: Option<&str>,
        _: Option<Polarity>,
        _: u32,
    ) -> koubei_store::Result<Vec<TypicalOpinion>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn reviews(&self, _: &str, _: &ReviewQuery) -> koubei_store::Result<ReviewPage> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn revision(&self, _: &str) -> koubei_store::Result<Revision> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn fact_rows(&self, _: &str, _: i64, _: u32) -> koubei_store::Result<Vec<FactRow>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn reviews_by_ids(&self, _: &str, _: &[i64]) -> koubei_store::Result<Vec<StoredReview>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn create_token(&self, _: &str, _: &NewToken) -> koubei_store::Result<i64> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn find_token(&self, _: &str) -> koubei_store::Result<Option<TokenRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn queue_alert(
        &self,
        _: &str,
        _: &NewAlert,
        _: &[String],
    ) -> koubei_store::Result<Option<i64>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn last_alert_at(
        &self,
        _: &str,
        _: &str,
    ) -> koubei_store::Result<Option<chrono::NaiveDateTime>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn due_deliveries(
        &self,
        _: &str,
        _: chrono::NaiveDateTime,
        _: u32,
    ) -> koubei_store::Result<Vec<DueDelivery>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn record_delivery(&self, _: i64, _: &DeliveryResult) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn recent_alerts(&self, _: &str, _: u32) -> koubei_store::Result<Vec<AlertRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn correct_mention(
        &self,
        _: &str,
        _: &koubei_store::MentionCorrection,
        _: &str,
    ) -> koubei_store::Result<Option<koubei_store::CorrectionOutcome>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn corrections(
        &self,
        _: &str,
        _: u32,
    ) -> koubei_store::Result<Vec<koubei_store::CorrectionRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn count_selected(
        &self,
        _: &str,
        _: &koubei_store::DeleteSelector,
    ) -> koubei_store::Result<u64> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn delete_reviews(
        &self,
        _: &str,
        _: &koubei_store::DeleteSelector,
        _: &str,
    ) -> koubei_store::Result<u64> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn audit(&self, _: &str, _: &str, _: &str, _: &str) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn audit_log(
        &self,
        _: &str,
        _: u32,
    ) -> koubei_store::Result<Vec<koubei_store::AuditEntry>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn alert_rules(&self, _: &str) -> koubei_store::Result<Vec<(String, serde_json::Value)>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn put_alert_rule(
        &self,
        _: &str,
        _: &str,
        _: &serde_json::Value,
        _: &str,
    ) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn delete_alert_rule(&self, _: &str, _: &str, _: &str) -> koubei_store::Result<bool> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn create_user(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> koubei_store::Result<i64> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn users(&self, _: &str) -> koubei_store::Result<Vec<koubei_store::UserRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn delete_user(&self, _: &str, _: &str, _: &str) -> koubei_store::Result<bool> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn set_password(&self, _: &str, _: &str, _: &str, _: &str) -> koubei_store::Result<bool> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn tokens(&self, _: &str) -> koubei_store::Result<Vec<koubei_store::TokenRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn revoke_token(&self, _: &str, _: i64, _: &str) -> koubei_store::Result<bool> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn find_user(
        &self,
        _: &str,
        _: &str,
    ) -> koubei_store::Result<Option<koubei_store::UserRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn record_login(
        &self,
        _: &str,
        _: i64,
        _: Option<u32>,
        _: Option<chrono::NaiveDateTime>,
        _: &str,
    ) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn create_session(
        &self,
        _: &str,
        _: i64,
        _: &str,
        _: &str,
        _: chrono::NaiveDateTime,
    ) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn find_session(
        &self,
        _: &str,
    ) -> koubei_store::Result<Option<koubei_store::SessionRecord>> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn delete_session(&self, _: &str) -> koubei_store::Result<()> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
    async fn window_counts(
        &self,
        _: &str,
        _: &koubei_store::WindowQuery,
    ) -> koubei_store::Result<koubei_store::WindowCounts> {
        Err(StoreError::Corrupt(SECRET.into()))
    }
}

#[tokio::test]
async fn store_failures_are_a_generic_500() {
    let app = router(AppState::new(Arc::new(BrokenStore), WS).without_sign_in());
    for uri in [
        "/api/v1/indicators/stats",
        "/api/v1/reviews",
        "/api/v1/overview",
        "/api/v1/reviews/export",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert!(reply.json()["error"].is_string(), "{uri}");
        assert!(!reply.body.contains("disk"), "{uri} leaks {}", reply.body);
    }
}

/// Sends one raw HTTP/1.1 GET and returns the whole response as text.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    String::from_utf8(response).expect("utf-8 response")
}

#[tokio::test]
async fn whole_flow_over_a_real_socket() {
    let (_dir, state) = filled_state().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(koubei_server::serve(listener, state));

    let response = raw_get(addr, "/api/v1/health").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let lower = response.to_ascii_lowercase();
    assert!(
        lower.contains("content-security-policy: default-src 'self'"),
        "{response}"
    );
    assert!(response.contains(r#""status":"ok""#), "{response}");

    let stats = raw_get(
        addr,
        "/api/v1/indicators/stats?from=2024-01-01&to=2024-01-31",
    )
    .await;
    assert!(stats.starts_with("HTTP/1.1 200 OK\r\n"), "{stats}");

    server.abort();
}

#[tokio::test]
async fn serve_until_stops_when_told_to() {
    let (_dir, state) = filled_state().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(koubei_server::serve_until(listener, state, async {
        let _ = stopped.await;
    }));
    stop.send(()).expect("server still waiting");
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

/// Follows `$ref`s and merges `allOf`s: the properties an object schema describes, and
/// the schema of its array items.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {target}"));
        let found = &doc["components"]["schemas"][name];
        assert!(!found.is_null(), "no schema {name}");
        return resolve(doc, found);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        return parts.iter().flat_map(|p| resolve(doc, p)).collect();
    }
    vec![schema]
}

/// Every field of `value`, at every depth, must be described by `schema`; `at` says where
/// a failure is.
fn assert_matches(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let parts = resolve(doc, schema);
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                let property = parts
                    .iter()
                    .find_map(|p| p["properties"].get(key))
                    .unwrap_or_else(|| panic!("{at}.{key} is not described"));
                assert_matches(doc, property, field, &format!("{at}.{key}"));
            }
        }
        Value::Array(items) => {
            let item_schema = parts
                .iter()
                .find_map(|p| p.get("items"))
                .unwrap_or_else(|| panic!("{at} is an array without described items"));
            for (i, item) in items.iter().enumerate() {
                assert_matches(doc, item_schema, item, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_describes_what_the_api_answers() {
    let (_dir, app) = app().await;
    let reply = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("application/json"));
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");

    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 25, "a new route is added to the document");
    for (path, item) in paths {
        let operation = &item["get"];
        // `/me` needs a real session (tests/session.rs); the rest answer the open-access
        // admin of this fixture.
        if operation.is_null() || path == "/me" {
            continue;
        }
        // Required parameters are asked with their example value.
        let mut query = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["required"] == true {
                let name = parameter["name"].as_str().expect("name");
                let example = parameter["example"].as_str().expect("an example");
                query.push(format!(
                    "{name}={}",
                    koubei_alert::sign::percent_encode(example)
                ));
            }
        }
        let uri = format!("/api/v1{path}?{}", query.join("&"));
        let reply = get(&app, &uri).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{uri} answers: {}",
            reply.body
        );
        let content = &operation["responses"]["200"]["content"];
        if let Some(schema) = content["application/json"].get("schema")
            && path != "/openapi.json"
        {
            assert!(
                reply.content_type().starts_with("application/json"),
                "{uri}"
            );
            assert_matches(&doc, schema, &reply.json(), path);
        } else {
            let declared = content.as_object().expect("content").keys().next();
            assert!(
                declared.is_some_and(|t| reply.content_type().starts_with(t.as_str())),
                "{uri} answers {}",
                reply.content_type()
            );
        }
    }
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_ask() {
    let (_dir, app) = app().await;
    let request = Request::builder()
        .uri("/assets/vendor/echarts.min.js")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let compressed = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let plain = get(&app, "/assets/vendor/echarts.min.js").await;
    assert!(
        compressed.len() * 2 < plain.body.len(),
        "{} compressed bytes for {} plain",
        compressed.len(),
        plain.body.len()
    );
}
