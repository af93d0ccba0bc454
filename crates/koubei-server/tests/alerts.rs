//! Pushed reviews raise alerts that reach real receivers on loopback: an HTTP server that
//! checks each robot's payload and signature, an SMS gateway, and an SMTP server that takes
//! the e-mail. Also: negated risk words stay quiet, a resent batch adds nothing, and an
//! alert queued before a "crash" is delivered exactly once after the restart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::post;
use koubei_server::alerting::{AlertConfig, Alerting};
use koubei_server::tokens::token_digest;
use koubei_server::{AppState, serve_until};
use koubei_store::{NewToken, SqliteStore, Store};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const WS: &str = "default";

const TOKEN: &str = "kb_test-token-0123456789";
const DINGTALK_SECRET: &str = "SEC0123456789abcdef";
const FEISHU_SECRET: &str = "feishu-secret";

/// What the receivers got: (channel, payload or mail text).
type Inbox = Arc<Mutex<Vec<(String, String)>>>;

fn count(inbox: &Inbox, channel: &str) -> usize {
    inbox
        .lock()
        .expect("inbox")
        .iter()
        .filter(|(c, _)| c == channel)
        .count()
}

async fn wecom(State(inbox): State<Inbox>, Json(body): Json<Value>) -> Json<Value> {
    if body["msgtype"] != "markdown" || !body["markdown"]["content"].is_string() {
        return Json(json!({"errcode": 40008, "errmsg": "invalid message type"}));
    }
    inbox
        .lock()
        .expect("inbox")
        .push(("wecom".into(), body.to_string()));
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

async fn dingtalk(
    State(inbox): State<Inbox>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let timestamp: i64 = query
        .get("timestamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let fresh = (chrono::Utc::now().timestamp_millis() - timestamp).abs() < 3_600_000;
    let expected = koubei_alert::sign::dingtalk(DINGTALK_SECRET, timestamp);
    if !fresh || query.get("sign") != Some(&expected) {
        return Json(json!({"errcode": 310000, "errmsg": "sign not match"}));
    }
    if body["markdown"]["title"].as_str().is_none_or(str::is_empty) {
        return Json(json!({"errcode": 40035, "errmsg": "title missing"}));
    }
    inbox
        .lock()
        .expect("inbox")
        .push(("dingtalk".into(), body.to_string()));
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

async fn feishu(State(inbox): State<Inbox>, Json(body): Json<Value>) -> Json<Value> {
    let timestamp: i64 = body["timestamp"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let fresh = (chrono::Utc::now().timestamp() - timestamp).abs() < 3600;
    if !fresh || body["sign"] != koubei_alert::sign::feishu(FEISHU_SECRET, timestamp) {
        return Json(
            json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}),
        );
    }
    inbox
        .lock()
        .expect("inbox")
        .push(("feishu".into(), body.to_string()));
    Json(
        json!({"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}),
    )
}

async fn sms(State(inbox): State<Inbox>, Json(body): Json<Value>) -> Json<Value> {
    inbox
        .lock()
        .expect("inbox")
        .push(("sms".into(), body.to_string()));
    Json(json!({"result": "queued"}))
}

/// The robots and the SMS gateway on one loopback port.
async fn start_webhooks(inbox: Inbox) -> std::net::SocketAddr {
    let app = Router::new()
        .route("/wecom", post(wecom))
        .route("/dingtalk", post(dingtalk))
        .route("/feishu", post(feishu))
        .route("/sms", post(sms))
        .with_state(inbox);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A small SMTP server: greets, accepts every sender and recipient, keeps each message.
async fn start_smtp(inbox: Inbox) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 koubei-test ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(message) = data.as_mut() {
                        if line == "." {
                            let done = data.take().unwrap_or_default();
                            inbox.lock().expect("inbox").push(("email".into(), done));
                            let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-koubei-test\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    addr
}

fn config(hooks: std::net::SocketAddr, smtp: std::net::SocketAddr) -> AlertConfig {
    let text = format!(
        r#"
        public_url = "http://dashboard.example"

        [[channels]]
        name = "wecom"
        kind = "wecom"
        url = "http://{hooks}/wecom?key=K"

        [[channels]]
        name = "dingtalk"
        kind = "dingtalk"
        url = "http://{hooks}/dingtalk?access_token=T"
        secret = "{DINGTALK_SECRET}"

        [[channels]]
        name = "feishu"
        kind = "feishu"
        url = "http://{hooks}/feishu"
        secret = "{FEISHU_SECRET}"

        [[channels]]
        name = "sms"
        kind = "sms"
        url = "http://{hooks}/sms"
        headers = {{ "Content-Type" = "application/json", "X-Api-Key" = "k" }}
        body = '{{"phones": ["13800000000"], "text": "{{{{text}}}}"}}'
        success_contains = "queued"

        [[channels]]
        name = "email"
        kind = "email"
        host = "127.0.0.1"
        port = {smtp_port}
        tls = "none"
        from = "口碑预警 <alert@koubei.test>"
        to = ["ops@koubei.test"]

        [[rules]]
        name = "safety"
        kind = "risk_words"
        cooldown_minutes = 30
        channels = ["wecom", "dingtalk", "feishu", "sms", "email"]
        "#,
        smtp_port = smtp.port()
    );
    toml::from_str(&text).expect("alert config")
}

struct Running {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    sender: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(sender) = self.sender.take() {
            sender.abort();
        }
        let _ = self.server.await;
    }
}

/// Serves `store` with the engine and `alerting`; with `send`, runs the sender too.
async fn start(store: Arc<SqliteStore>, alerting: Arc<Alerting>, send: bool) -> Running {
    let engine = Arc::new(koubei_engine::Engine::new().expect("engine"));
    let state = AppState::new(store.clone(), WS)
        .with_engine(engine)
        .with_alerting(alerting.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(listener, state, async {
        let _ = stopped.await;
    }));
    let sender = send
        .then(|| tokio::spawn(alerting.run_sender(store, WS.to_string(), std::future::pending())));
    Running {
        base,
        stop: Some(stop),
        server,
        sender,
    }
}

async fn open_store(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    let path = dir.path().join("alerts.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("store");
    store.ensure_workspace(WS).await.expect("workspace");
    if store
        .find_token(&token_digest(TOKEN))
        .await
        .expect("find")
        .is_none()
    {
        for (name, secret, role) in [("test", TOKEN, "ingest"), ("reader", READER, "analyst")] {
            let token = NewToken {
                name: name.into(),
                secret_sha256: token_digest(secret),
                role: role.into(),
                expires_at: None,
            };
            store.create_token(WS, &token).await.expect("token");
        }
    }
    Arc::new(store)
}

/// An analyst's token, for reading what the tests check.
const READER: &str = "kb_reader-token-of-the-tests";

/// GETs JSON as the analyst token.
async fn read(url: String) -> Value {
    reqwest::Client::new()
        .get(url)
        .bearer_auth(READER)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

async fn push(base: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client.post(format!("{base}/api/v1/reviews")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("push");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn review(id: &str, text: &str) -> Value {
    json!({"评论ID": id, "平台": "京东", "品牌": "岚庭", "评论内容": text, "评分": 1,
           "评论时间": "2026-12-04 09:00:00", "用户昵称": "张三丰"})
}

async fn wait_for(inbox: &Inbox, channels: &[&str], within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if channels.iter().all(|c| count(inbox, c) >= 1) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

const CHANNELS: [&str; 5] = ["wecom", "dingtalk", "feishu", "sms", "email"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_smoking_robot_reaches_every_channel_once() {
    koubei_server::alerting::install_tls_provider();
    let inbox: Inbox = Arc::default();
    let hooks = start_webhooks(inbox.clone()).await;
    let smtp = start_smtp(inbox.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let alerting = Arc::new(
        Alerting::new(
            config(hooks, smtp),
            &koubei_engine::normalize::Normalizer::new().expect("n"),
        )
        .expect("alerting"),
    );
    let running = start(store.clone(), alerting, true).await;

    // Without a token, or with a wrong one: refused.
    let (status, _) = push(&running.base, None, json!([review("r0", "很好")])).await;
    assert_eq!(status, 401);
    let (status, _) = push(
        &running.base,
        Some("kb_wrong"),
        json!([review("r0", "很好")]),
    )
    .await;
    assert_eq!(status, 401);

    let batch = json!([
        review("r1", "扫地机器人充电时冒烟了，吓死人"),
        review("r2", "吸力很大，很好用"),
        {"评论ID": "r3", "评分": "abc", "评论内容": "评分写错了"},
    ]);
    let pushed_at = Instant::now();
    let (status, outcome) = push(&running.base, Some(TOKEN), batch.clone()).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["received"], 3);
    assert_eq!(outcome["stored"], 2, "{outcome}");
    assert_eq!(
        outcome["rejected"].as_array().expect("rejected").len(),
        1,
        "{outcome}"
    );
    assert!(
        outcome["rejected"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("评分")),
        "{outcome}"
    );
    assert_eq!(outcome["alerts"], 1);

    assert!(
        wait_for(&inbox, &CHANNELS, Duration::from_secs(5)).await,
        "every channel within 5 s: {:?}",
        inbox.lock().expect("inbox")
    );
    let took = pushed_at.elapsed();
    for channel in CHANNELS {
        assert_eq!(count(&inbox, channel), 1, "{channel}");
    }
    let mail = inbox
        .lock()
        .expect("inbox")
        .iter()
        .find(|(c, _)| c == "email")
        .map(|(_, m)| m.clone())
        .expect("mail");
    assert!(mail.contains("Message-ID: <koubei-alert-"), "{mail}");
    let wecom_text = inbox
        .lock()
        .expect("inbox")
        .iter()
        .find(|(c, _)| c == "wecom")
        .map(|(_, m)| m.clone())
        .expect("wecom");
    assert!(wecom_text.contains("冒烟"), "{wecom_text}");
    assert!(
        wecom_text.contains("http://dashboard.example/reviews?keyword="),
        "{wecom_text}"
    );

    // The same batch again: nothing new stored, nothing new sent.
    let (_, again) = push(&running.base, Some(TOKEN), batch).await;
    assert_eq!(
        (again["stored"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(again["alerts"], 0);
    // A review saying it did not smoke: no alert.
    let (_, quiet) = push(
        &running.base,
        Some(TOKEN),
        json!([review("r9", "用了三个月，没有冒烟，也没有漏电")]),
    )
    .await;
    assert_eq!(
        (quiet["stored"].as_u64(), quiet["alerts"].as_u64()),
        (Some(1), Some(0))
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for channel in CHANNELS {
        assert_eq!(count(&inbox, channel), 1, "{channel} got one message only");
    }
    // The pushed reviews are on the dashboard.
    let page: Value = read(format!("{}/api/v1/reviews?keyword=冒烟", running.base)).await;
    assert_eq!(page["total"], 2);
    let history: Value = read(format!("{}/api/v1/alerts", running.base)).await;
    let alerts = history["alerts"].as_array().expect("alerts");
    assert_eq!(alerts.len(), 1, "{history}");
    assert_eq!(
        alerts[0]["sent"].as_array().map(Vec::len),
        Some(5),
        "{history}"
    );
    assert!(
        alerts[0]["link"]
            .as_str()
            .is_some_and(|l| l.starts_with("/reviews?keyword=")),
        "{history}"
    );
    let setup: Value = read(format!("{}/api/v1/alerts/rules", running.base)).await;
    assert_eq!(setup["rules"][0]["kind"], "risk_words", "{setup}");
    let shown = setup.to_string();
    assert!(
        !shown.contains("key=K")
            && !shown.contains(DINGTALK_SECRET)
            && !shown.contains(FEISHU_SECRET),
        "no secret in {shown}"
    );
    eprintln!("all five channels received the alert {took:?} after the push");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_queued_before_a_crash_is_sent_once_after_the_restart() {
    koubei_server::alerting::install_tls_provider();
    let inbox: Inbox = Arc::default();
    let hooks = start_webhooks(inbox.clone()).await;
    let smtp = start_smtp(inbox.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let normalizer = koubei_engine::normalize::Normalizer::new().expect("n");

    // First life: the alert is queued, and the process dies before the sender runs.
    let store = open_store(&dir).await;
    let alerting = Arc::new(Alerting::new(config(hooks, smtp), &normalizer).expect("alerting"));
    let running = start(store.clone(), alerting, false).await;
    let (_, outcome) = push(
        &running.base,
        Some(TOKEN),
        json!([review("k1", "洗地机漏电，手被电了一下")]),
    )
    .await;
    assert_eq!(outcome["alerts"], 1, "{outcome}");
    running.stop().await;
    drop(store);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(inbox.lock().expect("inbox").is_empty(), "nothing sent yet");

    // Second life on the same database file: the sender finds the outbox and sends it.
    let store = open_store(&dir).await;
    let alerting = Arc::new(Alerting::new(config(hooks, smtp), &normalizer).expect("alerting"));
    let running = start(store.clone(), alerting.clone(), true).await;
    assert!(wait_for(&inbox, &CHANNELS, Duration::from_secs(5)).await);
    // More passes of the sender find nothing left to send.
    alerting.send_due(store.as_ref(), WS).await.expect("pass");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for channel in CHANNELS {
        assert_eq!(count(&inbox, channel), 1, "{channel} exactly once");
    }
    running.stop().await;
}

fn spike_config(hooks: std::net::SocketAddr) -> AlertConfig {
    let text = format!(
        r#"
        [[channels]]
        name = "wecom"
        kind = "wecom"
        url = "http://{hooks}/wecom?key=K"

        [[rules]]
        name = "battery"
        kind = "spike"
        indicator = "产品/续航"
        window_minutes = 60
        baseline_days = 7
        min_count = 10
        cooldown_minutes = 120
        channels = ["wecom"]
        "#
    );
    toml::from_str(&text).expect("spike config")
}

fn battery_review(id: String, at: chrono::NaiveDateTime) -> Value {
    json!({"评论ID": id, "平台": "天猫", "品类": "扫地机器人", "评分": 1,
           "评论内容": "续航太差了，用半小时就没电", "评论时间": at.format("%Y-%m-%d %H:%M:%S").to_string()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_battery_complaints_raises_one_spike_alert() {
    koubei_server::alerting::install_tls_provider();
    let inbox: Inbox = Arc::default();
    let hooks = start_webhooks(inbox.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let normalizer = koubei_engine::normalize::Normalizer::new().expect("n");
    let alerting = Arc::new(Alerting::new(spike_config(hooks), &normalizer).expect("alerting"));
    let running = start(store.clone(), alerting, true).await;
    let now = koubei_server::alerting::local_now();

    // A quiet baseline: two complaints three days ago.
    let baseline: Vec<Value> = (0..2)
        .map(|i| battery_review(format!("b{i}"), now - chrono::Duration::days(3)))
        .collect();
    let (_, outcome) = push(&running.base, Some(TOKEN), Value::Array(baseline)).await;
    assert_eq!(outcome["alerts"], 0, "{outcome}");

    // Thirty complaints within the hour, in three pushes: one alert.
    let mut alerts = 0;
    for batch in 0..3 {
        let reviews: Vec<Value> = (0..10)
            .map(|i| {
                let n = batch * 10 + i;
                battery_review(format!("s{n}"), now - chrono::Duration::minutes(40 - n))
            })
            .collect();
        let (_, outcome) = push(&running.base, Some(TOKEN), Value::Array(reviews)).await;
        assert_eq!(outcome["stored"], 10, "{outcome}");
        alerts += outcome["alerts"].as_u64().unwrap_or(0);
    }
    assert_eq!(alerts, 1, "one spike alert for the burst");
    assert!(wait_for(&inbox, &["wecom"], Duration::from_secs(5)).await);
    // More complaints within the cooldown: no second alert.
    let more: Vec<Value> = (0..10)
        .map(|i| battery_review(format!("m{i}"), now - chrono::Duration::minutes(5)))
        .collect();
    let (_, outcome) = push(&running.base, Some(TOKEN), Value::Array(more)).await;
    assert_eq!(outcome["alerts"], 0, "{outcome}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(count(&inbox, "wecom"), 1);
    let text = inbox.lock().expect("inbox")[0].1.clone();
    assert!(text.contains("续航") && text.contains("激增"), "{text}");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_dropped_in_the_inbox_are_imported_and_moved_with_a_report() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let engine = Arc::new(koubei_engine::Engine::new().expect("engine"));
    let state = AppState::new(store.clone(), WS).with_engine(engine);
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = {
        let (state, inbox) = (state.clone(), inbox.clone());
        tokio::spawn(async move {
            koubei_server::watch::watch_folder(&state, inbox, async {
                let _ = stopped.await;
            })
            .await;
        })
    };
    std::fs::write(
        inbox.join("京东导出.csv"),
        "评论ID,平台,评分,评论内容\nw1,京东,5,吸力很大\nw2,京东,abc,评分写错\nw3,京东,1,噪音太大\n",
    )
    .expect("csv");
    std::fs::write(inbox.join("报告.pdf"), b"%PDF-1.4 not reviews").expect("pdf");
    std::fs::write(inbox.join("still-copying.csv.part"), "评论内容\n半截").expect("part");

    let done = inbox.join("done").join("京东导出.csv.report.txt");
    let failed = inbox.join("failed").join("报告.pdf.report.txt");
    let started = Instant::now();
    while !(done.exists() && failed.exists()) && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = std::fs::read_to_string(&done).expect("done report");
    assert!(
        report.contains("stored 2") && report.contains("rejected 1"),
        "{report}"
    );
    assert!(
        report.contains("评分"),
        "the report names the bad field: {report}"
    );
    assert!(inbox.join("done").join("京东导出.csv").exists());
    let failure = std::fs::read_to_string(&failed).expect("failed report");
    assert!(failure.contains("PDF"), "{failure}");
    assert!(
        inbox.join("still-copying.csv.part").exists(),
        "partial files wait"
    );
    let page = store
        .reviews(WS, &koubei_store::ReviewQuery::default())
        .await
        .expect("reviews");
    assert_eq!(page.total, 2);
    let _ = stop.send(());
    watcher.await.expect("watcher");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_digest_is_sent_once_per_day() {
    koubei_server::alerting::install_tls_provider();
    let inbox: Inbox = Arc::default();
    let hooks = start_webhooks(inbox.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let normalizer = koubei_engine::normalize::Normalizer::new().expect("n");
    let alerting = Arc::new(Alerting::new(spike_config(hooks), &normalizer).expect("alerting"));
    let running = start(store.clone(), alerting.clone(), true).await;
    let yesterday = koubei_server::alerting::local_now() - chrono::Duration::days(1);
    let reviews: Vec<Value> = (0..4)
        .map(|i| battery_review(format!("d{i}"), yesterday))
        .chain([review("d9", "吸力很大，很满意")])
        .collect();
    push(&running.base, Some(TOKEN), Value::Array(reviews)).await;

    let engine = Arc::new(koubei_engine::Engine::new().expect("engine"));
    let state = AppState::new(store.clone(), WS)
        .with_engine(engine)
        .with_alerting(alerting);
    let job: koubei_server::jobs::JobConfig = toml::from_str(
        r#"
        name = "daily"
        kind = "digest"
        cron = "0 9 * * *"
        channels = ["wecom"]
        "#,
    )
    .expect("job");
    koubei_server::jobs::run_job(&state, &job)
        .await
        .expect("digest");
    koubei_server::jobs::run_job(&state, &job)
        .await
        .expect("again");
    assert!(wait_for(&inbox, &["wecom"], Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(count(&inbox, "wecom"), 1, "one digest per day");
    let text = inbox.lock().expect("inbox")[0].1.clone();
    assert!(text.contains("口碑日报"), "{text}");
    assert!(
        text.contains("续航差"),
        "the top complaint is quoted: {text}"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_can_be_added_and_removed_over_the_api_with_an_admin_token() {
    koubei_server::alerting::install_tls_provider();
    let inbox: Inbox = Arc::default();
    let hooks = start_webhooks(inbox.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let admin = "kb_admin-token-for-rules";
    store
        .create_token(
            WS,
            &NewToken {
                name: "ops".into(),
                secret_sha256: token_digest(admin),
                role: "admin".into(),
                expires_at: None,
            },
        )
        .await
        .expect("admin token");
    let normalizer = koubei_engine::normalize::Normalizer::new().expect("n");
    let alerting = Arc::new(Alerting::new(spike_config(hooks), &normalizer).expect("alerting"));
    let running = start(store.clone(), alerting.clone(), true).await;
    let client = reqwest::Client::new();
    let rule = json!({"kind": "risk_words", "name": "smell", "channels": ["wecom"],
                      "words": [{"phrase": "异味", "severity": "medium"}]});
    let url = format!("{}/api/v1/alerts/rules", running.base);

    // An ingest token may push reviews, not change rules.
    let refused = client
        .post(&url)
        .bearer_auth(TOKEN)
        .json(&rule)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    let bad = json!({"kind": "risk_words", "name": "x", "channels": ["nowhere"]});
    let refused = client
        .post(&url)
        .bearer_auth(admin)
        .json(&bad)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status().as_u16(), 400);
    let added = client
        .post(&url)
        .bearer_auth(admin)
        .json(&rule)
        .send()
        .await
        .expect("post");
    assert_eq!(added.status().as_u16(), 200);
    let setup: Value = added.json().await.expect("json");
    let sources: Vec<(&str, &str)> = setup["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or(""),
                r["source"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(sources, [("battery", "file"), ("smell", "api")]);

    let (_, outcome) = push(
        &running.base,
        Some(TOKEN),
        json!([review("x1", "拆开有股异味，很难闻")]),
    )
    .await;
    assert_eq!(outcome["alerts"], 1, "{outcome}");
    assert!(wait_for(&inbox, &["wecom"], Duration::from_secs(5)).await);

    // The rule survives a restart: it is stored.
    let reloaded = Alerting::new(spike_config(hooks), &normalizer).expect("alerting");
    reloaded
        .load_api_rules(store.as_ref(), WS)
        .await
        .expect("load");
    assert_eq!(reloaded.rules().len(), 2);

    let gone = client
        .delete(format!("{url}/smell"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status().as_u16(), 200);
    let again = client
        .delete(format!("{url}/smell"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(again.status().as_u16(), 404);
    let file_rule = client
        .delete(format!("{url}/battery"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(
        file_rule.status().as_u16(),
        400,
        "file rules change in the file"
    );
    let log = store.audit_log(WS, 10).await.expect("audit");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete_alert_rule", "put_alert_rule"]);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_phone_number_pushed_reaches_the_database_file() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open_store(&dir).await;
    let alerting = Arc::new(
        Alerting::new(
            AlertConfig::default(),
            &koubei_engine::normalize::Normalizer::new().expect("n"),
        )
        .expect("alerting"),
    );
    let running = start(store.clone(), alerting, false).await;
    let (_, outcome) = push(
        &running.base,
        Some(TOKEN),
        json!([review("p1", "快递员态度差，电话13912345678打不通，收件人张伟"),
               {"评论ID": "p2", "评论内容": "很好", "追评": "客服微信 wxid_abc123 加我退款"}]),
    )
    .await;
    assert_eq!(outcome["stored"], 2, "{outcome}");
    running.stop().await;
    drop(store);
    for name in ["alerts.db", "alerts.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.path().join(name)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["13912345678", "wxid_abc123", "张伟", "张三丰"] {
            assert!(!text.contains(secret), "{secret} reached {name}");
        }
    }
}
