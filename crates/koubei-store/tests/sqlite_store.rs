//! The SQLite store against a real database file.

use koubei_core::{Analysis, Flag, Mention, NewReview, Polarity};
use koubei_store::{AnalysedReview, Filter, ReviewQuery, SqliteStore, Store};

const WS: &str = "default";

fn mention(path: &str, typical: &str, polarity: Polarity, start: usize, end: usize) -> Mention {
    Mention {
        indicator: path.to_string(),
        indicator_id: path.rsplit('/').next().unwrap_or(path).to_string(),
        code: None,
        aspect: None,
        opinion: typical.to_string(),
        typical: typical.to_string(),
        polarity,
        start,
        end,
    }
}

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

fn sample() -> Vec<AnalysedReview> {
    vec![
        analysed(
            "吸力大，噪音也大",
            vec![
                mention("产品/清洁能力/吸力", "吸力大", Polarity::Positive, 2, 3),
                mention("产品/噪音", "噪音大", Polarity::Negative, 7, 8),
            ],
            vec![],
        ),
        analysed(
            "吸力很强<script>alert(1)</script>",
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

async fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    (dir, store)
}

#[tokio::test]
async fn a_batch_stored_twice_adds_nothing_the_second_time() {
    let (_dir, store) = open().await;
    let first = store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    assert_eq!((first.inserted, first.duplicates, first.flagged), (3, 0, 1));
    let second = store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    assert_eq!((second.inserted, second.duplicates), (0, 3));
}

#[tokio::test]
async fn stats_roll_children_up_into_parents() {
    let (_dir, store) = open().await;
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    let stats = store
        .indicator_stats(WS, &Filter::default())
        .await
        .expect("stats");
    let get = |path: &str| stats.iter().find(|s| s.indicator == path).expect(path);
    assert_eq!(get("产品").mentions, 3);
    assert_eq!(get("产品").negative, 1);
    assert_eq!(get("产品/清洁能力/吸力").positive, 2);
    assert_eq!(get("产品/清洁能力/吸力").satisfaction(), Some(1.0));
    assert_eq!(get("产品/噪音").net_sentiment(), Some(-1.0));
}

#[tokio::test]
async fn flagged_reviews_are_left_out_unless_asked_for() {
    let (_dir, store) = open().await;
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    let summary = store
        .summary(WS, &Filter::default())
        .await
        .expect("summary");
    assert_eq!(
        (summary.reviews, summary.excluded, summary.mentions),
        (2, 1, 3)
    );
    let all = Filter {
        include_flagged: true,
        ..Filter::default()
    };
    assert_eq!(store.summary(WS, &all).await.expect("summary").reviews, 3);
}

#[tokio::test]
async fn drill_down_finds_the_reviews_behind_a_number() {
    let (_dir, store) = open().await;
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    let query = ReviewQuery {
        indicator: Some("产品/清洁能力".into()),
        mention_polarity: Some(Polarity::Positive),
        ..ReviewQuery::default()
    };
    let page = store.reviews(WS, &query).await.expect("reviews");
    assert_eq!(page.total, 2);
    assert!(page.reviews.iter().all(|r| !r.mentions.is_empty()));

    let typical = ReviewQuery {
        typical: Some("吸力强".into()),
        ..ReviewQuery::default()
    };
    assert_eq!(store.reviews(WS, &typical).await.expect("reviews").total, 1);

    let keyword = ReviewQuery {
        filter: Filter {
            keyword: Some("<script>".into()),
            ..Filter::default()
        },
        ..ReviewQuery::default()
    };
    let page = store.reviews(WS, &keyword).await.expect("reviews");
    assert_eq!(page.total, 1);
    assert!(page.reviews[0].review.text.contains("<script>"));
}

#[tokio::test]
async fn typical_opinions_count_per_indicator_and_polarity() {
    let (_dir, store) = open().await;
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    let top = store
        .typical_opinions(
            WS,
            &Filter::default(),
            Some("产品/噪音"),
            Some(Polarity::Negative),
            5,
        )
        .await
        .expect("typical");
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].typical, "噪音大");
    assert_eq!(top[0].count, 1);
}

#[tokio::test]
async fn hostile_filter_values_are_data_not_sql() {
    let (_dir, store) = open().await;
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    let filter = Filter {
        brand: Some("甲' OR '1'='1".into()),
        keyword: Some("%' --".into()),
        ..Filter::default()
    };
    assert_eq!(
        store.summary(WS, &filter).await.expect("summary").reviews,
        0
    );
}

#[tokio::test]
async fn tokens_are_found_by_their_digest_and_expire() {
    let (_dir, store) = open().await;
    let token = koubei_store::NewToken {
        name: "shop push".into(),
        secret_sha256: "ab".repeat(32),
        role: "ingest".into(),
        expires_at: chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    store.create_token(WS, &token).await.expect("create");
    let found = store
        .find_token(&"ab".repeat(32))
        .await
        .expect("find")
        .expect("the token");
    assert_eq!(
        (found.workspace.as_str(), found.role.as_str()),
        (WS, "ingest")
    );
    let before = chrono::NaiveDate::from_ymd_opt(2029, 12, 31).and_then(|d| d.and_hms_opt(0, 0, 0));
    let after = chrono::NaiveDate::from_ymd_opt(2030, 1, 2).and_then(|d| d.and_hms_opt(0, 0, 0));
    assert!(found.is_valid_at(before.expect("date")));
    assert!(!found.is_valid_at(after.expect("date")));
    assert!(
        store
            .find_token(&"cd".repeat(32))
            .await
            .expect("find")
            .is_none()
    );
}

#[tokio::test]
async fn an_alert_is_queued_once_per_key_and_delivered_once_per_channel() {
    let (_dir, store) = open().await;
    let alert = koubei_store::NewAlert {
        key: "risk:冒烟:review-1".into(),
        rule: "safety".into(),
        severity: "critical".into(),
        title: "安全风险「冒烟」".into(),
        message: serde_json::json!({"title": "安全风险「冒烟」"}),
        quoted_reviews: vec![],
    };
    let channels = vec!["wecom".to_string(), "email".to_string()];
    let id = store
        .queue_alert(WS, &alert, &channels)
        .await
        .expect("queue")
        .expect("a new alert");
    assert_eq!(
        store
            .queue_alert(WS, &alert, &channels)
            .await
            .expect("again"),
        None
    );

    let now = chrono::Utc::now().naive_utc() + chrono::Duration::seconds(1);
    let due = store.due_deliveries(WS, now, 10).await.expect("due");
    assert_eq!(due.len(), 2);
    assert!(due.iter().all(|d| d.alert_id == id));
    let later = now + chrono::Duration::seconds(30);
    store
        .record_delivery(due[0].id, &koubei_store::DeliveryResult::Sent)
        .await
        .expect("sent");
    store
        .record_delivery(
            due[1].id,
            &koubei_store::DeliveryResult::RetryAt(later, "HTTP 502".into()),
        )
        .await
        .expect("retry");
    assert!(
        store
            .due_deliveries(WS, now, 10)
            .await
            .expect("due")
            .is_empty()
    );
    let retried = store.due_deliveries(WS, later, 10).await.expect("due");
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 1);
    // A second "sent" for a delivered row changes nothing.
    store
        .record_delivery(
            due[0].id,
            &koubei_store::DeliveryResult::Failed("late".into()),
        )
        .await
        .expect("record");

    let history = store.recent_alerts(WS, 10).await.expect("history");
    assert_eq!(history.len(), 1);
    let statuses: Vec<(&str, &str)> = history[0]
        .deliveries
        .iter()
        .map(|d| (d.channel.as_str(), d.status.as_str()))
        .collect();
    assert_eq!(statuses, [("email", "pending"), ("wecom", "sent")]);
    assert!(
        store
            .last_alert_at(WS, "safety")
            .await
            .expect("last")
            .is_some()
    );
    assert!(
        store
            .last_alert_at(WS, "spike")
            .await
            .expect("last")
            .is_none()
    );
}

#[tokio::test]
async fn deletions_remove_reviews_and_are_audited() {
    let (_dir, store) = open().await;
    let mut batch = sample();
    for (i, item) in batch.iter_mut().enumerate() {
        item.review.author = Some(if i == 0 { "张*".into() } else { "李*".into() });
        item.review.source_file = Some(format!("file{}.csv", i % 2));
    }
    store.insert_batch(WS, &batch, "t").await.expect("insert");
    let total = |store: &SqliteStore| {
        let store = store.clone();
        async move {
            store
                .summary(
                    WS,
                    &Filter {
                        include_flagged: true,
                        ..Filter::default()
                    },
                )
                .await
                .expect("summary")
                .reviews
        }
    };
    let before = total(&store).await;
    let by_author = koubei_store::DeleteSelector {
        author: Some("张*".into()),
        ..Default::default()
    };
    assert_eq!(
        store.count_selected(WS, &by_author).await.expect("count"),
        1,
        "counting names the same reviews and deletes nothing"
    );
    assert_eq!(total(&store).await, before);
    assert_eq!(
        store
            .delete_reviews(WS, &by_author, "cli")
            .await
            .expect("delete"),
        1
    );
    assert_eq!(total(&store).await, before - 1);
    assert_eq!(
        store
            .delete_reviews(WS, &koubei_store::DeleteSelector::default(), "cli")
            .await
            .expect("nothing"),
        0,
        "an empty selector deletes nothing"
    );
    let log = store.audit_log(WS, 10).await.expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "delete_reviews");
    assert!(
        log[0].detail.contains("deleted 1 reviews where author=张*"),
        "{}",
        log[0].detail
    );
    assert!(store.revision(WS).await.expect("revision").epoch > 0);
}

#[tokio::test]
async fn deleting_a_buyers_reviews_removes_their_words_from_the_alert_history() {
    let (_dir, store) = open().await;
    let mut batch = sample();
    for (i, item) in batch.iter_mut().enumerate() {
        item.review.author = Some(if i == 0 { "张*".into() } else { "李*".into() });
    }
    store.insert_batch(WS, &batch, "t").await.expect("insert");
    let rows = store.fact_rows(WS, 0, 10).await.expect("rows");
    let (zhang, li) = (rows[0].id, rows[1].id);
    let alert = koubei_store::NewAlert {
        key: "risk:冒烟:1".into(),
        rule: "safety:冒烟".into(),
        severity: "critical".into(),
        title: "安全风险「冒烟」".into(),
        message: serde_json::json!({"title": "安全风险「冒烟」",
                                    "quotes": ["张的原话：充电冒烟了", "李的原话：也冒烟"]}),
        quoted_reviews: vec![zhang, li],
    };
    store
        .queue_alert(WS, &alert, &["wecom".to_string()])
        .await
        .expect("queue");
    let by_author = koubei_store::DeleteSelector {
        author: Some("张*".into()),
        ..Default::default()
    };
    store
        .delete_reviews(WS, &by_author, "cli")
        .await
        .expect("delete");
    let history = store.recent_alerts(WS, 10).await.expect("alerts");
    assert_eq!(
        history[0].message["quotes"],
        serde_json::json!([koubei_store::DELETED_QUOTE, "李的原话：也冒烟"])
    );
    // The delivery not yet sent goes out without the deleted words too.
    let due = store
        .due_deliveries(WS, chrono::Utc::now().naive_utc(), 10)
        .await
        .expect("due");
    assert!(!due[0].message.to_string().contains("张的原话"));
}

#[tokio::test]
async fn a_deleted_review_leaves_no_trace_in_the_files_and_the_file_is_private() {
    let (dir, store) = open().await;
    let secret_text = "这是一条只属于王先生的独特评论文字";
    let mut batch = sample();
    batch[0].review.text = secret_text.into();
    batch[0].analysis.mentions.clear();
    batch[0].review.author = Some("王*".into());
    store.insert_batch(WS, &batch, "t").await.expect("insert");
    let files_hold = |needle: &str| {
        std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| std::fs::read(e.expect("entry").path()).ok())
            .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(files_hold(secret_text), "stored at first");
    let by_author = koubei_store::DeleteSelector {
        author: Some("王*".into()),
        ..Default::default()
    };
    store
        .delete_reviews(WS, &by_author, "cli")
        .await
        .expect("delete");
    assert!(
        !files_hold(secret_text),
        "neither the database file nor its log keeps the deleted text"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("test.db"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the database");
    }
}
