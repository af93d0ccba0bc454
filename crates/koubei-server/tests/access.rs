//! Who gets what: every route of the server walked by an anonymous caller, a viewer, an
//! analyst and an admin (signed in with the session cookie) and an ingest token, over a
//! real socket. The expected answers are written out below, route by route; a route the
//! server has and this matrix does not (or the other way round) fails the test.
//!
//! A caller "gets through" when the guard hands the request to the handler, whatever the
//! handler then answers (a 404 for an unknown rule name, a 503 for a server without
//! alerting); the guard's own refusals are told apart by their messages.

use std::collections::BTreeSet;
use std::sync::Arc;

use koubei_server::access::{ROLE_REFUSED, SIGN_IN_FIRST};
use koubei_server::handlers::session::CSRF_REFUSED;
use koubei_server::password::hash_password;
use koubei_server::tokens::token_digest;
use koubei_server::{AppState, serve_until};
use koubei_store::{NewToken, SqliteStore, Store};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const WS: &str = "default";
const PASSWORD: &str = "一个足够长的密码 2026";
const INGEST: &str = "kb_ingest-token-of-the-access-test";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Viewer,
    Analyst,
    Admin,
    Ingest,
}

const EVERYONE: [Who; 5] = [
    Who::Anonymous,
    Who::Viewer,
    Who::Analyst,
    Who::Admin,
    Who::Ingest,
];

/// The expected matrix: for each route, who gets through, in the order of [`EVERYONE`]
/// (anonymous, viewer, analyst, admin, ingest token).
const MATRIX: &[(&str, &str, [bool; 5])] = &[
    ("GET", "/api/v1/health", [true, true, true, true, true]),
    (
        "GET",
        "/api/v1/openapi.json",
        [true, true, true, true, true],
    ),
    ("POST", "/api/v1/login", [true, true, true, true, true]),
    ("POST", "/api/v1/setup", [true, true, true, true, true]),
    ("POST", "/api/v1/logout", [false, true, true, true, true]),
    ("GET", "/api/v1/me", [false, true, true, true, true]),
    ("GET", "/api/v1/options", [false, true, true, true, false]),
    ("GET", "/api/v1/overview", [false, true, true, true, false]),
    (
        "GET",
        "/api/v1/indicators/stats",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/indicators/tree",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/indicators/detail",
        [false, true, true, true, false],
    ),
    ("GET", "/api/v1/compare", [false, true, true, true, false]),
    ("GET", "/api/v1/service", [false, true, true, true, false]),
    ("GET", "/api/v1/reviews", [false, true, true, true, false]),
    ("POST", "/api/v1/reviews", [false, false, false, true, true]),
    (
        "GET",
        "/api/v1/reviews/export",
        [false, false, true, true, false],
    ),
    (
        "POST",
        "/api/v1/reviews/delete",
        [false, false, false, true, false],
    ),
    (
        "GET",
        "/api/v1/corrections",
        [false, false, true, true, false],
    ),
    (
        "POST",
        "/api/v1/corrections",
        [false, false, true, true, false],
    ),
    ("GET", "/api/v1/alerts", [false, true, true, true, false]),
    (
        "GET",
        "/api/v1/alerts/rules",
        [false, false, true, true, false],
    ),
    (
        "POST",
        "/api/v1/alerts/rules",
        [false, false, true, true, false],
    ),
    (
        "DELETE",
        "/api/v1/alerts/rules/{name}",
        [false, false, true, true, false],
    ),
    ("GET", "/api/v1/users", [false, false, false, true, false]),
    ("POST", "/api/v1/users", [false, false, false, true, false]),
    (
        "DELETE",
        "/api/v1/users/{name}",
        [false, false, false, true, false],
    ),
    ("GET", "/api/v1/tokens", [false, false, false, true, false]),
    ("POST", "/api/v1/tokens", [false, false, false, true, false]),
    (
        "DELETE",
        "/api/v1/tokens/{id}",
        [false, false, false, true, false],
    ),
    ("GET", "/api/v1/audit", [false, false, false, true, false]),
    ("GET", "/login", [true, true, true, true, true]),
    ("GET", "/setup", [true, true, true, true, true]),
    ("GET", "/", [false, true, true, true, false]),
    ("GET", "/indicators", [false, true, true, true, false]),
    ("GET", "/indicator", [false, true, true, true, false]),
    ("GET", "/reviews", [false, true, true, true, false]),
    ("GET", "/compare", [false, true, true, true, false]),
    ("GET", "/service", [false, true, true, true, false]),
    ("GET", "/admin", [false, false, false, true, false]),
    ("GET", "/assets/{file}", [true, true, true, true, true]),
    (
        "GET",
        "/assets/vendor/{file}",
        [true, true, true, true, true],
    ),
];

struct Server {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    base: String,
    client: reqwest::Client,
}

async fn start() -> Server {
    serve(false).await
}

/// With `engine`, pushed reviews are analysed and stored (without, a push answers 503).
async fn serve(engine: bool) -> Server {
    koubei_server::alerting::install_tls_provider();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("access.db");
    let store = Arc::new(
        SqliteStore::open(path.to_str().expect("utf-8"))
            .await
            .expect("store"),
    );
    store.ensure_workspace(WS).await.expect("workspace");
    let hash = hash_password(PASSWORD).expect("hash");
    for role in ["viewer", "analyst", "admin"] {
        store
            .create_user(WS, role, &hash, role, "test")
            .await
            .expect("user");
    }
    store
        .create_token(
            WS,
            &NewToken {
                name: "shop".into(),
                secret_sha256: token_digest(INGEST),
                role: "ingest".into(),
                expires_at: None,
            },
        )
        .await
        .expect("token");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let mut state = AppState::new(store.clone(), WS);
    if engine {
        state = state.with_engine(Arc::new(koubei_engine::Engine::new().expect("engine")));
    }
    tokio::spawn(serve_until(listener, state, std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Server {
        _dir: dir,
        store,
        base,
        client,
    }
}

/// What a GET of `path` answers `session`, as JSON.
async fn get_json(server: &Server, session: &Session, path: &str) -> Value {
    server
        .client
        .get(format!("{}{path}", server.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// A POST of `path` as `session`, with its CSRF token.
fn post_as(server: &Server, session: &Session, path: &str) -> reqwest::RequestBuilder {
    server
        .client
        .post(format!("{}{path}", server.base))
        .header(COOKIE, &session.cookie)
        .header("X-CSRF-Token", &session.csrf)
}

/// A signed-in session: its cookie and CSRF token.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(server: &Server, username: &str) -> Session {
    let response = server
        .client
        .post(format!("{}/api/v1/login", server.base))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK, "{username} signs in");
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let body: Value = response.json().await.expect("json");
    Session {
        cookie,
        csrf: body["csrf"].as_str().expect("csrf").to_string(),
    }
}

/// A concrete path for a route's pattern.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{name}", "nobody-by-this-name")
        .replace("{id}", "999999")
        .replace("/vendor/{file}", "/vendor/LICENSE")
        .replace("{file}", "app.css")
}

/// A body the route can read, so that what is tested is the guard, not the parser.
fn body_for(path: &str) -> Option<Value> {
    Some(match path {
        "/api/v1/login" => json!({"username": "viewer", "password": PASSWORD}),
        "/api/v1/setup" => json!({"secret": "guess", "username": "x", "password": "0123456789"}),
        "/api/v1/reviews" => json!([{"content": "吸力很大", "id": "access-1"}]),
        "/api/v1/alerts/rules" => json!({"kind": "silence", "name": "quiet", "channels": []}),
        "/api/v1/users" => {
            json!({"username": "made-by-matrix", "role": "viewer", "password": PASSWORD})
        }
        "/api/v1/tokens" => json!({"name": "made-by-matrix", "role": "viewer"}),
        // Only counts: nothing is deleted without "confirm".
        "/api/v1/reviews/delete" => json!({"review": 999999}),
        // No such review: answered 400 by the handler, past the guard.
        "/api/v1/corrections" => json!({
            "review": 999999, "indicator": "产品", "start": 0, "end": 1, "polarity": "negative"
        }),
        _ => return None,
    })
}

/// What one call answered.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn call(
    server: &Server,
    method: &str,
    path: &str,
    who: Who,
    session: Option<&Session>,
    send_csrf: bool,
) -> Answer {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = server
        .client
        .request(method.clone(), format!("{}{path}", server.base));
    if let Some(body) = body_for(path).filter(|_| method != Method::GET) {
        request = request.json(&body);
    }
    if who == Who::Ingest {
        request = request.bearer_auth(INGEST);
    }
    if let Some(session) = session {
        request = request.header(COOKIE, &session.cookie);
        if send_csrf {
            request = request.header("X-CSRF-Token", &session.csrf);
        }
    }
    let response = request.send().await.expect("send");
    Answer {
        status: response.status(),
        location: response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: response.text().await.unwrap_or_default(),
    }
}

/// Whether the guard stopped the call (rather than the handler answering it).
fn stopped_by_guard(answer: &Answer, path: &str) -> bool {
    // The guard's JSON refusals, or the page it shows a role that may not see a page.
    let guard_message = [
        SIGN_IN_FIRST,
        ROLE_REFUSED,
        CSRF_REFUSED,
        "Your role may not see this page",
    ]
    .iter()
    .any(|m| answer.body.contains(m));
    let to_login = answer.status == StatusCode::SEE_OTHER
        && answer
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login?next="));
    match answer.status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => guard_message,
        StatusCode::SEE_OTHER => {
            assert!(
                !path.starts_with("/api/"),
                "{path}: the API answers 401, it does not redirect"
            );
            to_login
        }
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_gives_each_role_exactly_what_it_may_have() {
    // The matrix and the server's routes are the same set.
    let served: BTreeSet<(String, String)> = koubei_server::routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        served.difference(&listed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes the access matrix does not list: add each with who may call it"
    );
    assert_eq!(
        listed.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "matrix rows without a route"
    );

    let server = start().await;
    let mut wrong = Vec::new();
    for (i, who) in EVERYONE.into_iter().enumerate() {
        let session = match who {
            Who::Viewer => Some(sign_in(&server, "viewer").await),
            Who::Analyst => Some(sign_in(&server, "analyst").await),
            Who::Admin => Some(sign_in(&server, "admin").await),
            Who::Anonymous | Who::Ingest => None,
        };
        // Signing out ends the session, so it goes last.
        let mut rows: Vec<_> = MATRIX.iter().collect();
        rows.sort_by_key(|(_, path, _)| *path == "/api/v1/logout");
        for (method, pattern, allowed) in rows {
            let path = concrete(pattern);
            let answer = call(&server, method, &path, who, session.as_ref(), true).await;
            let through = !stopped_by_guard(&answer, &path);
            if through != allowed[i] {
                wrong.push(format!(
                    "{who:?} {method} {path}: expected {}, got {} {}",
                    if allowed[i] { "through" } else { "refused" },
                    answer.status,
                    answer.body.chars().take(120).collect::<String>()
                ));
            }
            // 503 is a handler saying this server runs without alerting or an engine.
            if answer.status.is_server_error() && answer.status != StatusCode::SERVICE_UNAVAILABLE {
                wrong.push(format!("{who:?} {method} {path}: {}", answer.status));
            }
            // A page the caller may see is the page itself.
            if through && *method == "GET" && !path.starts_with("/api/") {
                assert_eq!(answer.status, StatusCode::OK, "{who:?} {path}");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Anonymous callers of a page are sent to sign in and come back afterwards.
    let answer = call(
        &server,
        "GET",
        "/reviews?brand=甲",
        Who::Anonymous,
        None,
        false,
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.location.as_deref(),
        Some("/login?next=%2Freviews%3Fbrand%3D%25E7%2594%25B2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_change_with_the_cookie_but_without_the_csrf_token_is_refused() {
    let server = start().await;
    let admin = sign_in(&server, "admin").await;
    let audit_before = server.store.audit_log(WS, 1000).await.expect("audit").len();
    for (method, pattern, _) in MATRIX.iter().filter(|(m, _, _)| *m != "GET") {
        let path = concrete(pattern);
        if matches!(path.as_str(), "/api/v1/login" | "/api/v1/setup") {
            continue; // no session yet when these are called
        }
        let answer = call(&server, method, &path, Who::Admin, Some(&admin), false).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(answer.body.contains(CSRF_REFUSED), "{method} {path}");
        // A wrong token is no better than none.
        let forged = Session {
            cookie: admin.cookie.clone(),
            csrf: "forged".into(),
        };
        let answer = call(&server, method, &path, Who::Admin, Some(&forged), true).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Nothing was done: no account, no token, no sign-out.
    let users = server.store.users(WS).await.expect("users");
    assert_eq!(users.len(), 3);
    assert!(server.store.tokens(WS).await.expect("tokens").len() == 1);
    let answer = call(
        &server,
        "GET",
        "/api/v1/me",
        Who::Admin,
        Some(&admin),
        false,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "still signed in");
    let audit_after = server.store.audit_log(WS, 1000).await.expect("audit").len();
    assert_eq!(audit_before, audit_after, "no change was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_accounts_and_tokens_and_reads_the_audit_log() {
    let server = start().await;
    let admin = sign_in(&server, "admin").await;
    let post = |path: &str, body: Value| post_as(&server, &admin, path).json(&body).send();
    // A new viewer can sign in; a short password is refused with a reason.
    let short = post(
        "/api/v1/users",
        json!({"username": "li", "role": "viewer", "password": "short"}),
    )
    .await
    .expect("post");
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let added = post(
        "/api/v1/users",
        json!({"username": "小李", "role": "viewer", "password": PASSWORD}),
    )
    .await
    .expect("post");
    assert_eq!(added.status(), StatusCode::OK);
    let listed: Value = added.json().await.expect("json");
    assert!(listed["users"].as_array().expect("users").len() == 4);
    assert!(
        !listed.to_string().contains("argon2"),
        "no password hash is shown"
    );
    sign_in(&server, "小李").await;

    // A token's secret is shown once and works; revoked, it does not.
    let created: Value = post(
        "/api/v1/tokens",
        json!({"name": "bi-tool", "role": "viewer", "expires_days": 30}),
    )
    .await
    .expect("post")
    .json()
    .await
    .expect("json");
    let secret = created["secret"].as_str().expect("secret").to_string();
    let read = |secret: String| {
        server
            .client
            .get(format!("{}/api/v1/overview", server.base))
            .bearer_auth(secret)
            .send()
    };
    assert_eq!(
        read(secret.clone()).await.expect("get").status(),
        StatusCode::OK
    );
    let tokens: Value = get_json(&server, &admin, "/api/v1/tokens").await;
    assert!(
        !tokens.to_string().contains(&secret),
        "the list never shows a secret"
    );
    let id = created["id"].as_i64().expect("id");
    let revoked = server
        .client
        .delete(format!("{}/api/v1/tokens/{id}", server.base))
        .header(COOKIE, &admin.cookie)
        .header("X-CSRF-Token", &admin.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        read(secret).await.expect("get").status(),
        StatusCode::UNAUTHORIZED
    );

    // Removing an account ends its sessions; the last admin stays.
    let viewer = sign_in(&server, "viewer").await;
    let removed = server
        .client
        .delete(format!("{}/api/v1/users/viewer", server.base))
        .header(COOKIE, &admin.cookie)
        .header("X-CSRF-Token", &admin.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(removed.status(), StatusCode::OK);
    let after = call(
        &server,
        "GET",
        "/api/v1/me",
        Who::Viewer,
        Some(&viewer),
        false,
    )
    .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let last = server
        .client
        .delete(format!("{}/api/v1/users/admin", server.base))
        .header(COOKIE, &admin.cookie)
        .header("X-CSRF-Token", &admin.csrf)
        .send()
        .await
        .expect("delete");
    assert_eq!(last.status(), StatusCode::BAD_REQUEST);

    // Every change is in the audit log under the admin's name.
    let audit: Value = get_json(&server, &admin, "/api/v1/audit").await;
    let lines: Vec<String> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| format!("{} {} {}", e["actor"], e["action"], e["detail"]))
        .collect();
    for expected in ["create_user", "create_token", "revoke_token", "delete_user"] {
        assert!(
            lines
                .iter()
                .any(|l| l.contains("user:admin") && l.contains(expected)),
            "{expected} in {lines:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_makes_the_first_admin_once() {
    koubei_server::alerting::install_tls_provider();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("setup.db");
    let store = Arc::new(
        SqliteStore::open(path.to_str().expect("utf-8"))
            .await
            .expect("store"),
    );
    store.ensure_workspace(WS).await.expect("workspace");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(store.clone(), WS).with_setup_secret("the-printed-secret");
    tokio::spawn(serve_until(listener, state, std::future::pending()));
    let client = reqwest::Client::new();
    let setup = |secret: &str, username: &str| {
        client
            .post(format!("{base}/api/v1/setup"))
            .json(&json!({"secret": secret, "username": username, "password": PASSWORD}))
            .send()
    };
    assert_eq!(
        setup("a-guess", "mallory").await.expect("post").status(),
        StatusCode::FORBIDDEN
    );
    // Four at once with the right secret: one account, whichever came first.
    let racers: Vec<_> = ["racer1", "racer2", "racer3", "racer4"]
        .into_iter()
        .map(|name| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{base}/api/v1/setup"))
                    .json(&json!({"secret": "the-printed-secret", "username": name,
                                  "password": PASSWORD}))
                    .send()
                    .await
                    .expect("post")
                    .status()
            })
        })
        .collect();
    let mut made = 0;
    for racer in racers {
        if racer.await.expect("task") == StatusCode::OK {
            made += 1;
        }
    }
    assert_eq!(made, 1, "the link makes one account");
    assert_eq!(store.users(WS).await.expect("users").len(), 1);
    store
        .delete_user(
            WS,
            &store.users(WS).await.expect("users")[0].username,
            "test",
        )
        .await
        .expect("remove the racer");
    // An account could be made again only with a new link.
    let state_again = AppState::new(store.clone(), WS).with_setup_secret("the-printed-secret");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(serve_until(listener, state_again, std::future::pending()));
    let setup = |secret: &str, username: &str| {
        client
            .post(format!("{base}/api/v1/setup"))
            .json(&json!({"secret": secret, "username": username, "password": PASSWORD}))
            .send()
    };
    let first = setup("the-printed-secret", "owner").await.expect("post");
    assert_eq!(first.status(), StatusCode::OK);
    assert!(
        first.headers().get(SET_COOKIE).is_some(),
        "signed in at once"
    );
    let me: Value = first.json().await.expect("json");
    assert_eq!(me["role"], "admin");
    assert_eq!(
        setup("the-printed-secret", "second")
            .await
            .expect("post")
            .status(),
        StatusCode::FORBIDDEN,
        "the link works once"
    );
    let users = store.users(WS).await.expect("users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].username, "owner");
}

#[tokio::test]
async fn an_admin_counts_then_deletes_a_buyers_reviews() {
    let server = serve(true).await;
    let pushed = server
        .client
        .post(format!("{}/api/v1/reviews", server.base))
        .bearer_auth(INGEST)
        .json(&json!([
            {"id": "d1", "content": "吸力很大", "nickname": "张伟", "channel": "京东"},
            {"id": "d2", "content": "噪音有点大", "nickname": "张伟", "channel": "天猫"},
            {"id": "d3", "content": "续航不错", "nickname": "李娜", "channel": "京东"},
        ]))
        .send()
        .await
        .expect("push");
    assert_eq!(pushed.status(), StatusCode::OK);
    let admin = sign_in(&server, "admin").await;
    let delete = |body: Value| {
        post_as(&server, &admin, "/api/v1/reviews/delete")
            .json(&body)
            .send()
    };
    let total = || get_json(&server, &admin, "/api/v1/reviews");
    assert_eq!(total().await["total"], 3);

    // Selections that name nothing, or cannot be read, are refused with the reason.
    for (body, reason) in [
        (json!({}), "say which reviews"),
        (json!({"author": "  "}), "say which reviews"),
        (json!({"channel": "jd"}), "say which reviews"),
        (
            json!({"channel": "jd", "source_file": "a.csv"}),
            "channel narrows author",
        ),
        (json!({"before": "2026-13-01"}), "before"),
        (json!({"review": -1}), "review"),
        (json!({"author": "张伟", "everything": true}), "everything"),
    ] {
        let answer = delete(body.clone()).await.expect("post");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{body}");
        let text = answer.text().await.expect("text");
        assert!(text.contains(reason), "{body}: {text}");
    }

    // Counting deletes nothing and shows the nickname as it is stored.
    let counted: Value = delete(json!({"author": "张伟"}))
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (&counted["author"], &counted["matched"], &counted["deleted"]),
        (&json!("张*"), &json!(2), &json!(0)),
        "{counted}"
    );
    assert_eq!(total().await["total"], 3);

    // Narrowed to one channel, then confirmed: that review goes, at once on the dashboard.
    let done: Value = delete(json!({"author": "张*", "channel": "jd", "confirm": true}))
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!((&done["matched"], &done["deleted"]), (&json!(1), &json!(1)));
    let left = total().await;
    assert_eq!(left["total"], 2);

    // One review by its number.
    let id = left["reviews"][0]["id"].as_i64().expect("id");
    let one: Value = delete(json!({"review": id, "confirm": true}))
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(one["deleted"], 1);
    assert_eq!(total().await["total"], 1);

    // Both deletions are in the audit log under the admin's name; the count is not.
    let audit: Value = get_json(&server, &admin, "/api/v1/audit").await;
    let deletions: Vec<&Value> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "delete_reviews")
        .collect();
    assert_eq!(deletions.len(), 2, "{audit}");
    assert!(
        deletions.iter().all(|e| e["actor"] == "user:admin"),
        "{audit}"
    );
    assert!(
        deletions.iter().any(|e| e["detail"]
            .as_str()
            .is_some_and(|d| d.contains("author=张*"))),
        "{audit}"
    );
    assert!(
        !audit.to_string().contains("张伟"),
        "the full name never reaches the log"
    );
}

#[tokio::test]
async fn an_analyst_corrects_a_mention_and_every_number_follows() {
    let server = serve(true).await;
    let pushed = server
        .client
        .post(format!("{}/api/v1/reviews", server.base))
        .bearer_auth(INGEST)
        .json(&json!([{"id": "c1", "content": "吸力很大，用着顺手", "category": "扫地机器人"}]))
        .send()
        .await
        .expect("push");
    assert_eq!(pushed.status(), StatusCode::OK);
    let analyst = sign_in(&server, "analyst").await;
    let page = get_json(&server, &analyst, "/api/v1/reviews").await;
    let review = &page["reviews"][0];
    let mention = review["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .find(|m| m["indicator"].as_str().is_some_and(|i| i.ends_with("吸力")))
        .expect("a suction mention")
        .clone();
    assert_eq!(mention["polarity"], "positive");
    let path = mention["indicator"].as_str().expect("path").to_string();
    let negatives = || async {
        let stats = get_json(&server, &analyst, "/api/v1/indicators/stats").await;
        stats["indicators"]
            .as_array()
            .expect("indicators")
            .iter()
            .find(|s| s["indicator"] == path.as_str())
            .map_or(0, |s| s["negative"].as_u64().unwrap_or(0))
    };
    assert_eq!(negatives().await, 0);
    let correct = |polarity: &str| {
        post_as(&server, &analyst, "/api/v1/corrections")
            .json(&json!({
                "review": review["id"],
                "part": mention["part"],
                "indicator": mention["indicator"],
                "start": mention["start"],
                "end": mention["end"],
                "polarity": polarity,
            }))
            .send()
    };

    let bad = correct("mixed").await.expect("post");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let answer: Value = correct("negative")
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer,
        json!({"engine_polarity": "positive", "polarity": "negative"})
    );
    // The statistics and the drill-down follow at once; the review says what the engine said.
    assert_eq!(negatives().await, 1);
    let page = get_json(&server, &analyst, "/api/v1/reviews").await;
    let shown = page["reviews"][0]["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .find(|m| m["indicator"] == mention["indicator"])
        .expect("mention")
        .clone();
    assert_eq!(
        (&shown["polarity"], &shown["engine_polarity"]),
        (&json!("negative"), &json!("positive"))
    );
    // Listed with the evidence, as labelled data; in the audit log under the analyst.
    let listed = get_json(&server, &analyst, "/api/v1/corrections").await;
    let first = &listed["corrections"][0];
    assert_eq!(first["polarity"], "negative");
    assert!(
        first["text"]
            .as_str()
            .is_some_and(|t| t.contains("吸力很大")),
        "{listed}"
    );
    assert!(
        first["evidence"]
            .as_str()
            .is_some_and(|e| !e.is_empty() && "吸力很大，用着顺手".contains(e)),
        "{listed}"
    );
    let admin = sign_in(&server, "admin").await;
    let audit = get_json(&server, &admin, "/api/v1/audit").await;
    assert!(
        audit["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "correct_mention" && e["actor"] == "user:analyst"),
        "{audit}"
    );

    // Set back to what the engine said, the correction is withdrawn.
    correct("positive").await.expect("post");
    assert_eq!(negatives().await, 0);
    let listed = get_json(&server, &analyst, "/api/v1/corrections").await;
    assert_eq!(listed["corrections"], json!([]));
}
