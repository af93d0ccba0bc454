//! Signing in and out over a real socket: the cookie's attributes, the CSRF token, the
//! lock after five wrong passwords, and the audit log of it all.

use std::sync::Arc;

use koubei_server::password::hash_password;
use koubei_server::{AppState, serve_until};
use koubei_store::{SqliteStore, Store};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const WS: &str = "default";

async fn start() -> (tempfile::TempDir, Arc<SqliteStore>, String) {
    koubei_server::alerting::install_tls_provider();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("session.db");
    let store = Arc::new(
        SqliteStore::open(path.to_str().expect("utf-8"))
            .await
            .expect("store"),
    );
    store.ensure_workspace(WS).await.expect("workspace");
    let hash = hash_password("正确的密码 9").expect("hash");
    store
        .create_user(WS, "analyst1", &hash, "analyst", "test")
        .await
        .expect("user");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(store.clone(), WS);
    tokio::spawn(serve_until(listener, state, std::future::pending()));
    (dir, store, base)
}

async fn login(client: &reqwest::Client, base: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": "analyst1", "password": password}))
        .send()
        .await
        .expect("login")
}

#[tokio::test]
async fn a_session_cookie_is_http_only_and_logout_needs_the_csrf_token() {
    let (_dir, store, base) = start().await;
    let client = reqwest::Client::new();
    let response = login(&client, &base, "正确的密码 9").await;
    assert_eq!(response.status().as_u16(), 200);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["role"], "analyst");
    let csrf = me["csrf"].as_str().expect("csrf").to_string();
    let session = set_cookie.split(';').next().expect("pair").to_string();

    let me = client
        .get(format!("{base}/api/v1/me"))
        .header("cookie", &session)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status().as_u16(), 200);
    let anonymous = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .expect("me");
    assert_eq!(anonymous.status().as_u16(), 401);

    // A cross-site form cannot sign the user out: no token, no effect.
    let forged = client
        .post(format!("{base}/api/v1/logout"))
        .header("cookie", &session)
        .send()
        .await
        .expect("logout");
    assert_eq!(forged.status().as_u16(), 403);
    let out = client
        .post(format!("{base}/api/v1/logout"))
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status().as_u16(), 200);
    let after = client
        .get(format!("{base}/api/v1/me"))
        .header("cookie", &session)
        .send()
        .await
        .expect("me");
    assert_eq!(after.status().as_u16(), 401, "the session is gone");
    let log = store.audit_log(WS, 10).await.expect("audit");
    assert!(
        log.iter()
            .any(|e| e.action == "login" && e.actor == "user:analyst1")
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_and_the_server_keeps_serving() {
    let (_dir, store, base) = start().await;
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let r = login(&client, &base, "猜的").await;
        assert_eq!(r.status().as_u16(), 401);
    }
    // Locked now, even with the right password.
    let r = login(&client, &base, "正确的密码 9").await;
    assert_eq!(r.status().as_u16(), 429);
    // Unknown names get the same answer as wrong passwords.
    let r = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": "nobody", "password": "x"}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 401);
    let health = client
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);
    let log = store.audit_log(WS, 20).await.expect("audit");
    let failed = log
        .iter()
        .filter(|e| e.action == "login_failed" && e.actor == "user:analyst1")
        .count();
    assert_eq!(failed, 5);
    assert!(
        log.iter()
            .any(|e| e.action == "login_failed" && e.detail.starts_with("no such account")),
        "attempts on unknown names are in the log too"
    );
    assert!(log.iter().any(|e| e.detail.contains("locked until")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_wrong_passwords_get_nowhere_and_readers_are_still_served() {
    let (_dir, store, base) = start().await;
    let client = reqwest::Client::new();
    // A signed-in reader, before the attack.
    let reader = login(&client, &base, "正确的密码 9").await;
    assert_eq!(reader.status().as_u16(), 200);
    let cookie = reader
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_string();

    let mut answers = std::collections::BTreeMap::new();
    for i in 0..1000 {
        // Half against the real account, half against names that do not exist.
        let username = if i % 2 == 0 {
            "analyst1".to_string()
        } else {
            format!("guess{i}")
        };
        let r = client
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"username": username, "password": format!("guess {i}")}))
            .send()
            .await
            .expect("login");
        *answers.entry(r.status().as_u16()).or_insert(0) += 1;
        assert!(
            r.headers().get("set-cookie").is_none(),
            "no session for a wrong password"
        );
        if i % 100 == 0 {
            // The signed-in reader and the health check are served throughout.
            let health = client
                .get(format!("{base}/api/v1/health"))
                .send()
                .await
                .expect("health");
            assert_eq!(health.status().as_u16(), 200);
            let page = client
                .get(format!("{base}/api/v1/overview"))
                .header("cookie", &cookie)
                .send()
                .await
                .expect("overview");
            assert_eq!(page.status().as_u16(), 200, "attempt {i}");
        }
    }
    // Only 401 (wrong) and 429 (this address, or the account, is locked out).
    assert_eq!(
        answers.keys().copied().collect::<Vec<_>>(),
        vec![401, 429],
        "{answers:?}"
    );
    let allowance = koubei_server::handlers::session::MAX_FAILURES_PER_ADDRESS;
    assert!(
        answers[&401] <= allowance && answers[&429] >= 1000 - allowance,
        "the address is held back after its allowance: {answers:?}"
    );
    // The right password from this address waits out the lock too.
    let r = login(&client, &base, "正确的密码 9").await;
    assert_eq!(r.status().as_u16(), 429);
    let user = store
        .find_user(WS, "analyst1")
        .await
        .expect("find")
        .expect("user");
    assert!(user.locked_until.is_some(), "the account is locked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_outrun_the_lock_or_the_address_allowance() {
    let (_dir, store, base) = start().await;
    let client = reqwest::Client::new();
    let attempts: Vec<_> = (0..60)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{base}/api/v1/login"))
                    .json(&json!({"username": "analyst1", "password": format!("guess {i}")}))
                    .send()
                    .await
                    .expect("login")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for attempt in attempts {
        *answers.entry(attempt.await.expect("task")).or_insert(0u32) += 1;
    }
    // Five wrong passwords were checked against the account, then it was locked; the
    // address's allowance held back the rest.
    assert_eq!(answers.get(&401), Some(&5), "{answers:?}");
    assert_eq!(answers.get(&429), Some(&55), "{answers:?}");
    let checked = store
        .audit_log(WS, 1000)
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "login_failed")
        .count();
    assert_eq!(checked, 5, "no more than five passwords were tried");
    let user = store
        .find_user(WS, "analyst1")
        .await
        .expect("find")
        .expect("user");
    assert!(user.locked_until.is_some());
}

#[tokio::test]
async fn an_unknown_name_is_answered_like_an_account_after_five_wrong_passwords() {
    let (_dir, _store, base) = start().await;
    let client = reqwest::Client::new();
    let attempt = |username: &'static str| {
        client
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"username": username, "password": "wrong guess"}))
            .send()
    };
    let mut real = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        real.push(attempt("analyst1").await.expect("login").status().as_u16());
        unknown.push(
            attempt("nobody-here")
                .await
                .expect("login")
                .status()
                .as_u16(),
        );
    }
    assert_eq!(real, vec![401, 401, 401, 401, 401, 429, 429]);
    assert_eq!(unknown, real, "the answers do not tell which names exist");
}
