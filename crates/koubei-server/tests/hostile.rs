//! Hostile input (issue 6): SQL through every filter of every GET route and through the
//! store calls behind `koubei report` and `koubei delete`; path traversal through the
//! assets, the export's file name, the inbox folder and the source file of a push; markup,
//! scripts and spreadsheet formulas in review text. None of it gets through, nothing stored
//! is lost, and the server keeps answering.
//!
//! Access control has its own tests (tests/access.rs): here every request is let in as an
//! admin, so that what is tested is what a route does with the values it is given.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use common::{WS, mention};
use koubei_alert::sign::percent_encode;
use koubei_core::{Analysis, Channel, Flag, NewReview, Polarity};
use koubei_engine::Engine;
use koubei_report::Report;
use koubei_server::{AppState, CONTENT_SECURITY_POLICY_VALUE, assets, router};
use koubei_store::{
    AnalysedReview, DeleteSelector, Filter, ReviewQuery, Revision, SqliteStore, Store, Summary,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const SUCTION: &str = "产品/清洁能力/吸力";
const SERVICE: &str = "服务/客服";
/// The files the sample reviews were imported from; the last holds a LIKE wildcard.
const FILES: [&str; 3] = ["a.csv", "b.csv", "100%.csv"];
/// How many reviews [`sample`] holds.
const SAMPLE: u64 = 24;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Query parameters that select by equality or substring: a hostile value matches no
/// review, so every count in the answer must be zero.
const MATCHING: &[&str] = &[
    "brand",
    "category",
    "series",
    "model",
    "keyword",
    "q",
    "indicator",
    "typical",
    "values",
];

/// Query parameters with a closed set of values: a hostile value is refused with a 400.
const CLOSED: &[&str] = &[
    "from",
    "to",
    "channel",
    "polarity",
    "mention_polarity",
    "include_flagged",
    "page",
    "page_size",
    "granularity",
    "dimension",
    "limit",
];

/// Keys whose numbers count reviews or mentions in the API's answers (an array under
/// such a key counts its items).
const COUNTED: &[&str] = &[
    "reviews", "total", "mentions", "positive", "negative", "neutral", "mixed", "excluded", "count",
];

/// Filter values no honest review carries: classic SQL injections, LIKE wildcards, NUL,
/// line breaks, look-alike Unicode and very long strings.
fn payloads() -> Vec<String> {
    let mut list: Vec<String> = [
        "' OR 1=1 --",
        "x' OR '1'='1",
        "\" OR \"\"=\"",
        "\"; DROP TABLE reviews; --",
        "'); DELETE FROM reviews; --",
        "%' UNION SELECT id, text, 1, 2, 3 FROM reviews --",
        "' UNION SELECT name FROM sqlite_master --",
        "1; ATTACH DATABASE 'evil.db' AS evil; --",
        "'; UPDATE workspaces SET epoch = epoch + 1; --",
        "%",
        "_",
        "%%",
        "*",
        "\\",
        "\\' OR 1=1 --",
        "\0",
        "x\0' OR 1=1 --",
        "-1 OR 1=1",
        "1) OR (1=1",
        "18446744073709551616",
        "2026-05-01' OR '1'='1",
        "true' OR '1'='1",
        "positive' OR '1'='1",
        "{\"$gt\": \"\"}",
        "a\r\nX-Evil: 1",
        "＇ ＯＲ １＝１ －－",
        "ﾟ∀ﾟ 😀 \u{202e}lave \u{feff}",
    ]
    .map(String::from)
    .to_vec();
    // As long as a URI may be once percent-encoded (http's limit is 64 KiB).
    list.push(format!("{}' OR '1'='1", "长".repeat(2_000)));
    list.push("x' OR 1=1 -- ".repeat(1_000));
    list
}

/// Texts that would run as markup, script or formula if any output took them for code.
const HOSTILE_TEXTS: &[&str] = &[
    "<script>alert(1)</script>吸力很大",
    "<img src=x onerror=alert(1)>噪音太大了",
    "javascript:alert(document.cookie) 客服回复很慢",
    "=HYPERLINK(\"http://evil.example/\",\"点我\") 续航很短",
    "+cmd|' /C calc'!A0 吸力一般",
    "-2+3+cmd|' /C calc'!A0 噪音很小",
    "@SUM(1+1)*cmd|' /C calc'!A0 物流很快",
    "</textarea></script>\"'><svg onload=alert(1)> 包装很好",
];

const HOSTILE_BRAND: &str = "<b>乙</b>";
const HOSTILE_MODEL: &str = "=1+1";

// ---------------------------------------------------------------------------------------
// Fixtures

/// 24 reviews of two brands on two channels, from three files, one flagged.
fn sample() -> Vec<AnalysedReview> {
    (0..SAMPLE as u32)
        .map(|i| {
            let negative = i % 3 == 0;
            let (text, typical, polarity) = if negative {
                (format!("吸力太小，第{i}台"), "吸力小", Polarity::Negative)
            } else {
                (format!("吸力很大，第{i}台"), "吸力大", Polarity::Positive)
            };
            let mut review = NewReview::with_text(text);
            review.channel = if i % 2 == 0 {
                Channel::Jd
            } else {
                Channel::Tmall
            };
            review.brand = Some(if i % 2 == 0 { "甲" } else { "乙" }.into());
            review.category = Some("扫地机器人".into());
            review.series = Some("S".into());
            review.model = Some(format!("X{}", i % 3));
            review.author = Some(if i % 4 == 0 { "张*" } else { "李*" }.into());
            review.source_file = Some(FILES[(i % 3) as usize].into());
            review.source_row = Some(u64::from(i) + 1);
            review.created_at =
                NaiveDate::from_ymd_opt(2026, 5, 1 + i % 20).and_then(|d| d.and_hms_opt(10, 0, 0));
            let mut mentions = vec![mention(SUCTION, typical, polarity, 0, 2)];
            if i % 5 == 0 {
                mentions.push(mention(SERVICE, "回复慢", Polarity::Negative, 5, 6));
            }
            let flags = if i == 23 {
                vec![Flag::DefaultReview]
            } else {
                vec![]
            };
            AnalysedReview {
                review,
                analysis: Analysis {
                    polarity,
                    score: 0.0,
                    mentions,
                    aspects: None,
                    flags,
                },
                followup: None,
            }
        })
        .collect()
}

/// The engine, built once for the whole test binary.
fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(Engine::new().expect("engine")))
        .clone()
}

/// A database file holding `reviews`, and the server over it.
struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    state: AppState,
    app: Router,
}

async fn fixture(reviews: &[AnalysedReview], with_engine: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hostile.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    if !reviews.is_empty() {
        store
            .insert_batch(WS, reviews, "test")
            .await
            .expect("insert");
    }
    let store = Arc::new(store);
    let mut state = AppState::new(store.clone(), WS).without_sign_in();
    if with_engine {
        state = state.with_engine(engine());
    }
    Fixture {
        _dir: dir,
        store,
        app: router(state.clone()),
        state,
    }
}

/// What the database holds, read through every table the store keeps: a dropped or
/// emptied table fails the read or changes the count.
#[derive(Debug, PartialEq)]
struct Census {
    summary: Summary,
    ids: Vec<i64>,
    mentions: u64,
    revision: Revision,
    users: usize,
    tokens: usize,
    rules: usize,
    alerts: usize,
}

async fn census(store: &SqliteStore) -> Census {
    let all = Filter {
        include_flagged: true,
        ..Filter::default()
    };
    let summary = store.summary(WS, &all).await.expect("reviews table");
    let stats = store
        .indicator_stats(WS, &all)
        .await
        .expect("mentions table");
    let rows = store.fact_rows(WS, 0, 1_000_000).await.expect("reviews");
    store.audit_log(WS, 10).await.expect("audit_log table");
    store
        .find_session(&"0".repeat(64))
        .await
        .expect("sessions table");
    Census {
        summary,
        ids: rows.iter().map(|r| r.id).collect(),
        mentions: stats
            .iter()
            .filter(|s| s.depth == 0)
            .map(|s| s.mentions)
            .sum(),
        revision: store.revision(WS).await.expect("workspaces table"),
        users: store.users(WS).await.expect("users table").len(),
        tokens: store.tokens(WS).await.expect("tokens table").len(),
        rules: store
            .alert_rules(WS)
            .await
            .expect("alert_rules table")
            .len(),
        alerts: store
            .recent_alerts(WS, 100)
            .await
            .expect("alerts and deliveries tables")
            .len(),
    }
}

// ---------------------------------------------------------------------------------------
// Requests

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(600).collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn workbook(&self) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(self.body.clone())).expect("an xlsx workbook")
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    send(app, request).await
}

async fn push(app: &Router, body: &Value) -> Reply {
    let request = Request::post("/api/v1/reviews")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    send(app, request).await
}

/// `name=value&…` with every value percent-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A value as a failure message shows it: its start, escaped.
fn shown(value: &str) -> String {
    let start: String = value.chars().take(30).collect();
    format!("{start:?}")
}

/// The security headers every answer carries.
fn assert_strict_headers(reply: &Reply, at: &str) {
    assert_eq!(
        reply.header("content-security-policy"),
        CONTENT_SECURITY_POLICY_VALUE,
        "{at}"
    );
    assert_eq!(reply.header("x-content-type-options"), "nosniff", "{at}");
}

/// How many reviews and mentions an answer counts: the sum of every [`COUNTED`] number
/// in a JSON answer, or the review rows of a workbook.
fn amount(reply: &Reply) -> u64 {
    if reply.header("content-type") == XLSX {
        let sheet = reply
            .workbook()
            .worksheet_range("评论")
            .expect("sheet 评论");
        return sheet.height().saturating_sub(1) as u64;
    }
    counted(&reply.json())
}

fn counted(value: &Value) -> u64 {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(key, field)| {
                let own = match field {
                    _ if !COUNTED.contains(&key.as_str()) => 0,
                    Value::Number(n) => n.as_u64().unwrap_or(0),
                    Value::Array(items) => items.len() as u64,
                    _ => 0,
                };
                own + counted(field)
            })
            .sum(),
        Value::Array(items) => items.iter().map(counted).sum(),
        _ => 0,
    }
}

/// The query parameters of a GET route in the OpenAPI document, `$ref`s followed.
fn query_parameters<'a>(doc: &'a Value, operation: &'a Value) -> Vec<&'a Value> {
    let listed = operation["parameters"].as_array().into_iter().flatten();
    listed
        .map(|p| match p["$ref"].as_str() {
            Some(target) => {
                let name = target
                    .strip_prefix("#/components/parameters/")
                    .unwrap_or_else(|| panic!("unexpected $ref {target}"));
                &doc["components"]["parameters"][name]
            }
            None => p,
        })
        .filter(|p| p["in"] == "query")
        .collect()
}

/// The required parameters of a route with their example values.
fn required_examples(parameters: &[&Value]) -> Vec<(String, String)> {
    parameters
        .iter()
        .filter(|p| p["required"] == true)
        .map(|p| {
            let name = p["name"].as_str().expect("name").to_string();
            let example = p["example"].as_str().expect("an example").to_string();
            (name, example)
        })
        .collect()
}

fn route_uri(path: &str, required: &[(String, String)], extra: Option<(&str, &str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = required
        .iter()
        .filter(|(name, _)| extra.is_none_or(|(n, _)| n != name))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    pairs.extend(extra);
    format!("/api/v1{path}?{}", query(&pairs))
}

// ---------------------------------------------------------------------------------------
// 1. SQL injection

#[tokio::test]
async fn sql_through_every_filter_of_every_get_route_selects_nothing_and_changes_nothing() {
    let fx = fixture(&sample(), false).await;
    let before = census(&fx.store).await;
    let payloads = payloads();
    let texts: Vec<String> = sample()
        .iter()
        .map(|r| r.review.text.to_lowercase())
        .collect();
    for payload in &payloads {
        let needle = payload.trim().to_lowercase();
        assert!(
            !texts.iter().any(|t| t.contains(&needle)),
            "{} occurs in a review: the test needs values no review holds",
            shown(payload)
        );
    }

    let doc = get(&fx.app, "/api/v1/openapi.json").await.json();
    let mut routes = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let parameters = query_parameters(&doc, &item["get"]);
        if parameters.is_empty() {
            continue;
        }
        routes += 1;
        let required = required_examples(&parameters);
        let honest = get(&fx.app, &route_uri(path, &required, None)).await;
        assert_eq!(honest.status, StatusCode::OK, "{path}: {}", honest.text());
        let everything = amount(&honest);
        for parameter in &parameters {
            let name = parameter["name"].as_str().expect("name");
            let matching = MATCHING.contains(&name);
            assert!(
                matching || CLOSED.contains(&name),
                "{path}: say whether `{name}` is MATCHING or CLOSED"
            );
            if matching {
                assert!(everything > 0, "{path} counts nothing even unfiltered");
            }
            for payload in &payloads {
                let uri = route_uri(path, &required, Some((name, payload)));
                let reply = get(&fx.app, &uri).await;
                let at = format!("{path}?{name}={}", shown(payload));
                match reply.status {
                    StatusCode::OK if matching => {
                        assert_eq!(amount(&reply), 0, "{at} selected reviews");
                    }
                    // A closed parameter may read an odd spelling as one of its values
                    // (`channel=_` is the channel `other`), never as more than all.
                    StatusCode::OK => {
                        assert!(amount(&reply) <= everything, "{at} counted extra");
                    }
                    // An indicator that does not exist has no detail.
                    StatusCode::NOT_FOUND if name == "indicator" => {
                        assert!(reply.json()["error"].is_string(), "{at}");
                    }
                    StatusCode::BAD_REQUEST => {
                        let error = reply.json()["error"]
                            .as_str()
                            .expect("an error message")
                            .to_string();
                        assert!(
                            error.chars().count() < 300,
                            "{at}: the message repeats the whole value ({} chars)",
                            error.chars().count()
                        );
                    }
                    other => panic!("{at} answered {other}: {}", reply.text()),
                }
                assert_strict_headers(&reply, &at);
            }
        }
    }
    assert!(
        routes >= 9,
        "only {routes} GET routes take query parameters"
    );

    assert_eq!(census(&fx.store).await, before, "the database changed");
    let page = get(&fx.app, "/api/v1/reviews?include_flagged=1").await;
    assert_eq!(page.json()["total"], SAMPLE, "the server still answers");
}

#[tokio::test]
async fn repeated_and_malformed_query_strings_are_refused_or_read_literally() {
    let fx = fixture(&sample(), false).await;
    let before = census(&fx.store).await;
    // (query, whether it must select nothing when answered)
    let cases = [
        (
            "/api/v1/reviews?brand=甲&brand=x%27%20OR%20%271%27%3D%271",
            true,
        ),
        ("/api/v1/reviews?page=1&page=2", false),
        ("/api/v1/reviews?brand=%FF%FE%00", true),
        ("/api/v1/reviews?brand=%", true),
        ("/api/v1/reviews?brand=%2", true),
        ("/api/v1/reviews?brand%00=x", false),
        ("/api/v1/reviews?=x&&&==&brand", false),
        ("/api/v1/overview?keyword=%25%27%29%3B--", true),
        ("/api/v1/compare?values=%2C%2C%2C%EF%BC%8C", false),
        ("/api/v1/compare?values=a,b,c,d,e,f,g,h,i,j", false),
        ("/api/v1/indicators/detail?indicator=%2F", true),
        ("/api/v1/indicators/detail?indicator=%25", true),
        ("/api/v1/reviews?indicator=%25&typical=%25", true),
        ("/api/v1/reviews?indicator=%E4%BA%A7%E5%93%81%25", true),
        ("/api/v1/reviews?indicator=%E4%BA%A7%E5%93%81%2F_", true),
    ];
    for (uri, selects_nothing) in cases {
        let reply = get(&fx.app, uri).await;
        match reply.status {
            StatusCode::OK if selects_nothing => {
                assert_eq!(amount(&reply), 0, "{uri} selected reviews");
            }
            StatusCode::OK | StatusCode::BAD_REQUEST => {}
            StatusCode::NOT_FOUND if uri.contains("/detail?") => {}
            other => panic!("{uri} answered {other}: {}", reply.text()),
        }
        assert_strict_headers(&reply, uri);
    }
    assert_eq!(census(&fx.store).await, before);
}

#[tokio::test]
async fn report_and_delete_selectors_take_hostile_values_literally() {
    let fx = fixture(&sample(), false).await;
    let store = fx.store.as_ref();
    let before = census(store).await;
    for payload in payloads() {
        let value = Some(payload.clone());
        let filters = [
            Filter {
                brand: value.clone(),
                ..Filter::default()
            },
            Filter {
                category: value.clone(),
                ..Filter::default()
            },
            Filter {
                series: value.clone(),
                ..Filter::default()
            },
            Filter {
                model: value.clone(),
                ..Filter::default()
            },
            Filter {
                keyword: value.clone(),
                ..Filter::default()
            },
            Filter {
                channel: value.clone(),
                ..Filter::default()
            },
        ];
        for filter in filters {
            let filter = Filter {
                include_flagged: true,
                ..filter.cleaned()
            };
            // What `koubei report` runs.
            let report = Report::build(store, WS, &filter).await.expect("report");
            assert_eq!(report.summary.reviews, 0, "{filter:?}");
            assert!(report.indicators.is_empty(), "{filter:?}");
            let query = ReviewQuery {
                filter,
                ..ReviewQuery::default()
            };
            assert_eq!(store.reviews(WS, &query).await.expect("reviews").total, 0);
        }
        let drill_downs = [
            ReviewQuery {
                indicator: value.clone(),
                ..ReviewQuery::default()
            },
            ReviewQuery {
                typical: value.clone(),
                ..ReviewQuery::default()
            },
        ];
        for query in drill_downs {
            assert_eq!(
                store.reviews(WS, &query).await.expect("reviews").total,
                0,
                "{query:?}"
            );
        }
        // What `koubei delete` runs.
        let selectors = [
            DeleteSelector {
                author: value.clone(),
                ..DeleteSelector::default()
            },
            DeleteSelector {
                source_file: value.clone(),
                ..DeleteSelector::default()
            },
            DeleteSelector {
                author: Some("张*".into()),
                channel: value.clone(),
                ..DeleteSelector::default()
            },
        ];
        for selector in selectors {
            let deleted = store
                .delete_reviews(WS, &selector, "hostile-test")
                .await
                .expect("delete");
            assert_eq!(deleted, 0, "{selector:?}");
        }
    }
    assert_eq!(census(store).await, before, "the database changed");

    // LIKE stops at a NUL: the path below must not read as the suction indicator itself.
    let cut_short = ReviewQuery {
        indicator: Some(format!("{SUCTION}\0/x")),
        ..ReviewQuery::default()
    };
    assert_eq!(
        store.reviews(WS, &cut_short).await.expect("reviews").total,
        0
    );

    // A name with a wildcard deletes exactly its own file's reviews.
    let by_file = |file: &str| DeleteSelector {
        source_file: Some(file.into()),
        ..DeleteSelector::default()
    };
    let per_file = SAMPLE / 3;
    let deleted = store.delete_reviews(WS, &by_file("100%.csv"), "t").await;
    assert_eq!(deleted.expect("delete"), per_file);
    let deleted = store.delete_reviews(WS, &by_file("a.csv"), "t").await;
    assert_eq!(deleted.expect("delete"), per_file);
    let left = store.fact_rows(WS, 0, 1_000).await.expect("rows");
    assert_eq!(left.len() as u64, per_file, "b.csv keeps every review");
}

#[tokio::test]
async fn sql_in_pushed_fields_is_stored_as_plain_text() {
    let fx = fixture(&sample(), true).await;
    let brand = "x'); DROP TABLE reviews; --";
    let body = json!([{
        "评论ID": "sql-1",
        "平台": "京东",
        "品牌": brand,
        "型号": "' OR '1'='1",
        "用户昵称": "Robert'); DROP TABLE users; --",
        "评论内容": "吸力很大'); DELETE FROM mentions; --",
    }]);
    let reply = push(&fx.app, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["stored"], 1, "{}", reply.text());

    let page = get(
        &fx.app,
        &format!("/api/v1/reviews?{}", query(&[("brand", brand)])),
    )
    .await
    .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["reviews"][0]["brand"], brand);
    assert_eq!(page["reviews"][0]["model"], "' OR '1'='1");
    let all = census(&fx.store).await;
    assert_eq!(
        all.summary.reviews,
        SAMPLE + 1,
        "every review is still there"
    );
    assert!(all.mentions > 0);
}

// ---------------------------------------------------------------------------------------
// 2. Path traversal

#[tokio::test]
async fn asset_paths_never_leave_the_embedded_files() {
    let fx = fixture(&[], false).await;
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
            .expect("the workspace manifest");
    let uris = [
        "/assets/..%2f..%2fCargo.toml",
        "/assets/..%2F..%2F..%2F..%2FCargo.toml",
        "/assets/vendor/..%2f..%2f..%2fCargo.toml",
        "/assets/vendor/../../Cargo.toml",
        "/assets/vendor/../../../../Cargo.toml",
        "/assets/../../Cargo.toml",
        "/assets/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/%252e%252e%252fCargo.toml",
        "/assets/..%5c..%5cCargo.toml",
        "/assets/....//....//Cargo.toml",
        "/assets/%2fetc%2fpasswd",
        "/assets/vendor/%2fetc%2fpasswd",
        "/assets//etc/passwd",
        "/assets/app.css%00.txt",
        "/assets/vendor/%2e%2e%2fapp.css",
        "/assets/vendor%2f..%2fapp.css",
        "/assets/vendor/LICENSE/..%2f..%2f..%2fCargo.toml",
        "/assets/C:%5cWindows%5cwin.ini",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/api/v1/../../Cargo.toml",
        "/api/v1/openapi.json/..%2f..%2f..%2fCargo.toml",
    ];
    for uri in uris {
        let reply = get(&fx.app, uri).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{uri}: {}",
            reply.text()
        );
        assert!(
            reply.header("content-type").starts_with("application/json"),
            "{uri}"
        );
        let body = String::from_utf8_lossy(&reply.body);
        assert!(!body.contains("[workspace"), "{uri} shows a file");
        assert!(!body.contains(&manifest[..40]), "{uri} shows a file");
        assert!(!body.contains("root:"), "{uri} shows a file");
        assert_strict_headers(&reply, uri);
    }
}

#[tokio::test]
async fn the_export_file_name_never_carries_filter_values() {
    let fx = fixture(&sample(), false).await;
    let cases = [
        ("brand", "../../etc/passwd\"\r\nX-Evil: 1"),
        ("q", "..\\..\\boot.ini"),
        ("model", "x\"; filename=\"../../evil.sh"),
        ("category", "/etc/shadow"),
        ("indicator", "产品/../../\r\n\r\n<html>"),
        ("typical", "%0d%0aSet-Cookie: a=b"),
    ];
    for (name, value) in cases {
        let uri = format!("/api/v1/reviews/export?{}", query(&[(name, value)]));
        let reply = get(&fx.app, &uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        assert_eq!(reply.header("content-type"), XLSX);
        assert!(reply.headers.get("x-evil").is_none(), "{uri}");
        assert!(reply.headers.get("set-cookie").is_none(), "{uri}");
        assert_safe_attachment(reply.header("content-disposition"));
        assert_strict_headers(&reply, &uri);
        // The value is shown in the workbook's filter sheet, as text.
        let mut book = reply.workbook();
        let sheet = book.worksheet_range("筛选条件").expect("sheet 筛选条件");
        let shown_as_text = sheet
            .used_cells()
            .any(|(_, _, cell)| *cell == Data::String(value.trim().to_string()));
        assert!(shown_as_text, "{uri}");
    }
}

/// `attachment; filename="koubei-reviews-YYYYMMDD-HHMMSS.xlsx"` and nothing else.
fn assert_safe_attachment(disposition: &str) {
    let name = disposition
        .strip_prefix("attachment; filename=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("unexpected Content-Disposition {disposition:?}"));
    assert!(
        name.starts_with("koubei-reviews-") && name.ends_with(".xlsx"),
        "{name:?}"
    );
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
        "{name:?}"
    );
    assert!(!name.contains(".."), "{name:?}");
}

#[tokio::test]
async fn a_pushed_batch_cannot_borrow_another_files_name() {
    let fx = fixture(&sample(), true).await;
    let batch = |id: &str, text: &str| {
        json!([{
            "评论ID": id,
            "平台": "京东",
            "评论内容": text,
            "source_file": "a.csv",
            "来源文件": "../b.csv",
        }])
    };
    for (id, text) in [("p1", "推送一号，吸力很大"), ("p2", "推送二号，噪音很大")]
    {
        let reply = push(&fx.app, &batch(id, text)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["stored"], 1, "{}", reply.text());
    }
    let source_of = |text: &'static str| {
        let app = fx.app.clone();
        async move {
            let uri = format!("/api/v1/reviews?{}", query(&[("q", text)]));
            let page = get(&app, &uri).await.json();
            assert_eq!(page["total"], 1, "{page}");
            page["reviews"][0]["source_file"]
                .as_str()
                .expect("a source file")
                .to_string()
        }
    };
    let first = source_of("推送一号").await;
    let second = source_of("推送二号").await;
    assert!(
        !FILES.contains(&first.as_str()) && first != "../b.csv",
        "{first}"
    );
    assert_ne!(first, second, "two pushes share one source file");

    // `koubei delete --source-file` with the first push's name takes that push only.
    let selector = DeleteSelector {
        source_file: Some(first.clone()),
        ..DeleteSelector::default()
    };
    let deleted = fx.store.delete_reviews(WS, &selector, "cli").await;
    assert_eq!(deleted.expect("delete"), 1, "{first}");
    assert_eq!(
        census(&fx.store).await.summary.reviews,
        SAMPLE + 1,
        "the second push and every file's reviews stay"
    );
}

/// Every file under `root`, as paths relative to it.
fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let entry = entry.expect("entry");
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                folders.push(entry.path());
            } else {
                let path = entry.path();
                found.insert(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    found
}

fn csv_review(id: &str, text: &str) -> String {
    format!("评论ID,平台,评论内容\n{id},京东,{text}\n")
}

#[tokio::test]
async fn inbox_files_with_strange_names_stay_inside_the_inbox() {
    let fx = fixture(&[], true).await;
    let root = tempfile::tempdir().expect("temp dir");
    let inbox = root.path().join("inbox");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(inbox.join("done")).expect("inbox");
    std::fs::create_dir_all(&outside).expect("outside");
    std::fs::write(outside.join("keep.txt"), "untouched").expect("outside file");

    let long_ascii = format!("{}.csv", "x".repeat(251));
    let mut names: Vec<OsString> = [
        "a..b.csv",
        "%2e%2e%2f..%2fescape.csv",
        "line\nbreak.csv",
        "cr\rand\n\nlf.csv",
        "quote\"'`$(touch pwned).csv",
        "<script>alert(1)<\\script>.csv",
        " spaces .csv",
        "evil.csv.report.txt",
    ]
    .map(OsString::from)
    .to_vec();
    names.push(format!("{}.csv", "长".repeat(82)).into());
    names.push(long_ascii.clone().into());
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        names.push(OsString::from_vec(b"bad\xff\xfe.csv".to_vec()));
    }
    for (i, name) in names.iter().enumerate() {
        let text = csv_review(&format!("inbox-{i}"), &format!("第{i}个文件，吸力很大"));
        std::fs::write(inbox.join(name), text).expect("inbox file");
    }
    let unreadable = format!("{}.pdf", "y".repeat(251));
    std::fs::write(inbox.join(&unreadable), b"%PDF-1.4 not reviews").expect("pdf");
    // Yesterday's file of the same (longest possible) name is already in done/.
    std::fs::write(inbox.join("done").join(&long_ascii), "yesterday").expect("old");
    // A hidden name (`..` is one) is left alone, like the files tools are still writing.
    std::fs::write(inbox.join("..%2f..%2fhidden.csv"), "评论内容\n藏起来").expect("hidden");
    let outside_before = files_under(&outside);

    koubei_server::watch::import_all(&fx.state, &inbox).await;

    let left: Vec<_> = std::fs::read_dir(&inbox)
        .expect("inbox")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != "done" && n != "failed")
        .collect();
    assert_eq!(
        left,
        ["..%2f..%2fhidden.csv"],
        "only the hidden file waits in the inbox"
    );
    assert_eq!(files_under(&outside), outside_before, "written outside");
    let handled: BTreeSet<PathBuf> = files_under(&inbox)
        .into_iter()
        .filter(|p| p.parent() != Some(Path::new("")))
        .collect();
    for path in &handled {
        let top = path.components().next().expect("a component");
        assert!(
            top.as_os_str() == "done" || top.as_os_str() == "failed",
            "{path:?} is outside done/ and failed/"
        );
    }
    let (reports, kept): (Vec<&PathBuf>, Vec<&PathBuf>) = handled
        .iter()
        .partition(|p| p.to_string_lossy().ends_with(".report.txt") && !kept_as_is(p));
    assert_eq!(
        kept.len(),
        names.len() + 2,
        "every dropped file and yesterday's: {kept:?}"
    );
    for file in &kept {
        let is_yesterdays = std::fs::read(inbox.join(file)).expect("kept") == b"yesterday";
        if is_yesterdays {
            continue;
        }
        let mut report = inbox.join(file).into_os_string();
        report.push(".report.txt");
        assert!(Path::new(&report).exists(), "{file:?} has no report");
    }
    let report_texts: Vec<String> = reports
        .iter()
        .map(|r| std::fs::read_to_string(inbox.join(r)).expect("report"))
        .collect();
    for name in names.iter().map(|n| n.to_string_lossy()) {
        assert!(
            report_texts
                .iter()
                .any(|t| t.starts_with(&format!("{name}: "))),
            "no report names {name:?}"
        );
    }
    assert_eq!(
        census(&fx.store).await.summary.reviews,
        names.len() as u64,
        "every readable file was imported"
    );

    // Nothing is left to do: a second pass changes nothing.
    let before_second = files_under(&inbox);
    koubei_server::watch::import_all(&fx.state, &inbox).await;
    assert_eq!(files_under(&inbox), before_second);
}

/// The dropped file literally named `evil.csv.report.txt` is a file, not a report, once
/// it sits in done/ beside its own report.
fn kept_as_is(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy() == "evil.csv.report.txt")
}

#[cfg(unix)]
#[tokio::test]
async fn an_inbox_whose_done_or_failed_folder_leads_elsewhere_writes_nothing_there() {
    for folder in ["done", "failed"] {
        let fx = fixture(&[], true).await;
        let root = tempfile::tempdir().expect("temp dir");
        let inbox = root.path().join("inbox");
        let outside = root.path().join("outside");
        std::fs::create_dir_all(&inbox).expect("inbox");
        std::fs::create_dir_all(&outside).expect("outside");
        std::os::unix::fs::symlink(&outside, inbox.join(folder)).expect("link");
        std::fs::write(inbox.join("good.csv"), csv_review("l1", "吸力很大")).expect("csv");
        std::fs::write(inbox.join("bad.pdf"), b"%PDF-1.4").expect("pdf");

        koubei_server::watch::import_all(&fx.state, &inbox).await;

        assert!(
            files_under(&outside).is_empty(),
            "{folder}/ led files out of the inbox: {:?}",
            files_under(&outside)
        );
        for name in ["good.csv", "bad.pdf"] {
            let kept = inbox.join(name).exists()
                || (folder != "done" && inbox.join("done").join(name).exists())
                || (folder != "failed" && inbox.join("failed").join(name).exists());
            assert!(kept, "{name} was lost with {folder}/ a link");
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn links_in_the_inbox_are_neither_read_nor_moved() {
    let fx = fixture(&[], true).await;
    let root = tempfile::tempdir().expect("temp dir");
    let inbox = root.path().join("inbox");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&inbox).expect("inbox");
    std::fs::create_dir_all(&outside).expect("outside");
    let secret = outside.join("secret.csv");
    std::fs::write(&secret, csv_review("s1", "别处的评论")).expect("secret");
    std::os::unix::fs::symlink(&secret, inbox.join("secret.csv")).expect("link");

    koubei_server::watch::import_all(&fx.state, &inbox).await;

    assert_eq!(
        census(&fx.store).await.summary.reviews,
        0,
        "the link was read"
    );
    assert!(secret.exists(), "the linked file was moved");
    assert!(!inbox.join("done").join("secret.csv").exists());
}

// ---------------------------------------------------------------------------------------
// 3. XSS and formulas through review text

fn hostile_batch() -> Value {
    let reviews: Vec<Value> = HOSTILE_TEXTS
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({
                "评论ID": format!("xss-{i}"),
                "平台": "天猫",
                "品牌": HOSTILE_BRAND,
                "型号": HOSTILE_MODEL,
                "评论时间": "2026-05-03 10:00:00",
                "评论内容": text,
            })
        })
        .collect();
    Value::Array(reviews)
}

/// Whether `value` holds the string `wanted` anywhere.
fn holds_string(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(s) => s == wanted,
        Value::Array(items) => items.iter().any(|v| holds_string(v, wanted)),
        Value::Object(map) => map.values().any(|v| holds_string(v, wanted)),
        _ => false,
    }
}

#[tokio::test]
async fn hostile_review_text_never_reaches_a_page_and_stays_a_json_string() {
    let fx = fixture(&sample(), true).await;
    let reply = push(&fx.app, &hostile_batch()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.json()["stored"],
        HOSTILE_TEXTS.len(),
        "{}",
        reply.text()
    );

    // Every page is the same static bytes, whatever is stored and whatever is asked.
    let asked = query(&[
        ("brand", HOSTILE_BRAND),
        ("q", "<script>alert(1)</script>"),
        ("indicator", "\"><img src=x onerror=alert(1)>"),
    ]);
    for &(path, page) in assets::PAGES {
        for uri in [path.to_string(), format!("{path}?{asked}")] {
            let reply = get(&fx.app, &uri).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            assert_eq!(reply.header("content-type"), assets::HTML, "{uri}");
            assert!(
                reply.body == page.as_bytes(),
                "{uri} is not its static page"
            );
            assert_strict_headers(&reply, &uri);
        }
    }

    // Every JSON answer is JSON, says so, and carries the strict headers.
    let doc = get(&fx.app, "/api/v1/openapi.json").await.json();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let operation = &item["get"];
        if operation.is_null() || path == "/me" {
            continue;
        }
        let parameters = query_parameters(&doc, operation);
        let mut pairs = required_examples(&parameters);
        if parameters.iter().any(|p| p["name"] == "include_flagged") {
            pairs.push(("include_flagged".into(), "1".into()));
        }
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let uri = format!("/api/v1{path}?{}", query(&pairs));
        let reply = get(&fx.app, &uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
        assert_strict_headers(&reply, &uri);
        if reply.header("content-type") != XLSX {
            assert!(
                reply.header("content-type").starts_with("application/json"),
                "{uri} answers {}",
                reply.header("content-type")
            );
            reply.json();
        }
    }
    let page = get(&fx.app, "/api/v1/reviews?include_flagged=1&page_size=100").await;
    let page = page.json();
    for text in HOSTILE_TEXTS {
        assert!(
            holds_string(&page["reviews"], text),
            "{text} is not a JSON string"
        );
    }
    let options = get(&fx.app, "/api/v1/options").await.json();
    assert!(holds_string(&options, HOSTILE_BRAND), "{options}");

    // Errors that repeat a hostile value are JSON too.
    let errors = [
        format!(
            "/api/v1/reviews?{}",
            query(&[("polarity", "<script>alert(1)</script>")])
        ),
        format!(
            "/api/v1/overview?{}",
            query(&[("granularity", "<img src=x onerror=alert(1)>")])
        ),
        "/%3Cscript%3Ealert(1)%3C/script%3E".to_string(),
        "/api/v1/%3Cscript%3E".to_string(),
    ];
    for uri in errors {
        let reply = get(&fx.app, &uri).await;
        assert!(reply.status.is_client_error(), "{uri}");
        assert!(
            reply.header("content-type").starts_with("application/json"),
            "{uri}"
        );
        reply.json();
        assert_strict_headers(&reply, &uri);
    }
}

#[tokio::test]
async fn the_export_keeps_formula_like_text_as_plain_strings() {
    let fx = fixture(&[], true).await;
    let reply = push(&fx.app, &hostile_batch()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let uri = format!(
        "/api/v1/reviews/export?{}",
        query(&[("include_flagged", "1"), ("model", HOSTILE_MODEL)])
    );
    let reply = get(&fx.app, &uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("content-type"), XLSX);
    assert_strict_headers(&reply, &uri);
    let mut book = reply.workbook();
    for sheet in ["评论", "筛选条件"] {
        let formulas = book.worksheet_formula(sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "sheet {sheet} holds a formula"
        );
    }
    let reviews = book.worksheet_range("评论").expect("sheet 评论");
    assert_eq!(reviews.height(), HOSTILE_TEXTS.len() + 1);
    let cells: Vec<&Data> = reviews.used_cells().map(|(_, _, c)| c).collect();
    for text in HOSTILE_TEXTS.iter().chain([&HOSTILE_BRAND, &HOSTILE_MODEL]) {
        assert!(
            cells.contains(&&Data::String(text.to_string())),
            "{text} is not a plain string cell"
        );
    }
    let filter = book.worksheet_range("筛选条件").expect("sheet 筛选条件");
    assert!(
        filter
            .used_cells()
            .any(|(_, _, c)| *c == Data::String(HOSTILE_MODEL.into())),
        "the filter's value is a plain string"
    );
}
