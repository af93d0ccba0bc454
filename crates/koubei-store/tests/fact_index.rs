//! The dashboard's in-memory index against the SQL it stands in for: the same reviews in
//! a real SQLite file, the same filters, the same answers.

use chrono::NaiveDate;
use koubei_core::{Analysis, Channel, Flag, Mention, NewReview, Polarity};
use koubei_store::{
    AnalysedReview, Filter, MentionCorrection, Reanalysis, ReviewQuery, SharedIndex, SqliteStore,
    Store, facts,
};

const WS: &str = "default";

/// A small deterministic generator, so that the data is varied but the test repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below
    }
}

const PATHS: [&str; 6] = [
    "产品/清洁能力/吸力",
    "产品/清洁能力",
    "产品/噪音",
    "产品/续航",
    "服务/客服",
    "服务/物流",
];
const TYPICALS: [&str; 5] = ["吸力大", "噪音大", "续航短", "回复慢", ""];
const TEXTS: [&str; 5] = [
    "吸力很大，噪音也大",
    "续航太短了 iPhone 充电",
    "客服回复慢，物流挺快",
    "100%_满意",
    "一般般",
];
const POLARITIES: [Polarity; 4] = [
    Polarity::Positive,
    Polarity::Negative,
    Polarity::Neutral,
    Polarity::Mixed,
];

fn generate(n: usize, seed: u64) -> Vec<AnalysedReview> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|i| {
            let mut review = NewReview::with_text(format!("{} #{i}", TEXTS[rng.next(5)]));
            review.channel = [Channel::Jd, Channel::Tmall, Channel::Douyin][rng.next(3)];
            review.brand = [Some("甲"), Some("乙"), None][rng.next(3)].map(String::from);
            review.model = [Some("X1"), Some("X2"), Some("Y1")][rng.next(3)].map(String::from);
            review.category = Some("扫地机器人".into());
            review.created_at = (rng.next(10) > 0)
                .then(|| NaiveDate::from_ymd_opt(2026, 5, 1 + rng.next(30) as u32))
                .flatten()
                .and_then(|d| d.and_hms_opt(rng.next(24) as u32, 0, 0));
            if rng.next(4) == 0 {
                review.followup_text = Some("追评：噪音还是大".into());
            }
            let paths: Vec<&str> = (0..rng.next(4)).map(|_| PATHS[rng.next(6)]).collect();
            let mentions = (0..)
                .zip(paths)
                .map(|(k, path)| Mention {
                    indicator: path.into(),
                    // A path has one id and one code, as in a real tree.
                    indicator_id: path.rsplit('/').next().unwrap_or(path).into(),
                    code: path
                        .starts_with("服务")
                        .then(|| format!("SERVICE#{}", path.len())),
                    aspect: None,
                    opinion: "o".into(),
                    typical: TYPICALS[rng.next(5)].into(),
                    // A mention is never mixed; only whole reviews are.
                    polarity: POLARITIES[rng.next(3)],
                    start: k,
                    end: k + 1,
                })
                .collect();
            let flags = if rng.next(8) == 0 {
                vec![Flag::DefaultReview]
            } else {
                vec![]
            };
            AnalysedReview {
                review,
                analysis: Analysis {
                    polarity: POLARITIES[rng.next(4)],
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

fn filters() -> Vec<Filter> {
    let day = |d| NaiveDate::from_ymd_opt(2026, 5, d);
    let base = Filter::default();
    vec![
        base.clone(),
        Filter {
            include_flagged: true,
            ..base.clone()
        },
        Filter {
            brand: Some("甲".into()),
            channel: Some("京东".into()),
            ..base.clone()
        },
        Filter {
            from: day(5),
            to: day(12),
            ..base.clone()
        },
        Filter {
            keyword: Some("IPHONE".into()),
            ..base.clone()
        },
        Filter {
            keyword: Some("噪音".into()),
            model: Some("X2".into()),
            ..base.clone()
        },
        Filter {
            keyword: Some("100%_".into()),
            ..base.clone()
        },
        // LIKE ends a pattern at a NUL; the index's separators are NUL and U+0001.
        Filter {
            keyword: Some("\0".into()),
            ..base.clone()
        },
        Filter {
            keyword: Some("吸力\u{1}".into()),
            ..base.clone()
        },
        Filter {
            polarity: Some(Polarity::Negative),
            ..base.clone()
        },
        Filter {
            brand: Some("丙".into()),
            ..base
        },
    ]
}

async fn filled(n: usize) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("k.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open");
    store.ensure_workspace(WS).await.expect("workspace");
    let reviews = generate(n, 7);
    for batch in reviews.chunks(97) {
        store.insert_batch(WS, batch, "t").await.expect("insert");
    }
    (dir, store)
}

// The test reads the index while awaiting the SQL answers; nothing writes to it meanwhile.
#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn the_index_answers_as_the_sql_does() {
    let (_dir, store) = filled(600).await;
    let shared = SharedIndex::new(WS);
    shared.refresh(&store).await.expect("refresh");
    let current = shared.current();
    let index = facts::read(&current);
    assert_eq!(index.len(), 600);

    for filter in filters() {
        let sql = store.summary(WS, &filter).await.expect("summary");
        assert_eq!(index.summary(&filter), sql, "summary of {filter:?}");

        let sql = store.indicator_stats(WS, &filter).await.expect("stats");
        assert_eq!(index.indicator_stats(&filter), sql, "stats of {filter:?}");

        for (indicator, polarity) in [
            (None, None),
            (Some("产品"), Some(Polarity::Negative)),
            (Some("服务/客服"), None),
        ] {
            let mut sql = store
                .typical_opinions(WS, &filter, indicator, polarity, 100)
                .await
                .expect("typical");
            let mut mine = index.typical_opinions(&filter, indicator, polarity, 100);
            let key = |t: &koubei_store::TypicalOpinion| {
                (t.indicator.clone(), t.typical.clone(), t.polarity.as_str())
            };
            sql.sort_by_key(key);
            mine.sort_by_key(key);
            assert_eq!(mine, sql, "typical opinions of {filter:?} {indicator:?}");
        }

        for (indicator, typical, mention_polarity) in [
            (None, None, None),
            (Some("产品/清洁能力"), None, Some(Polarity::Positive)),
            (None, Some("回复慢"), None),
            (None, None, Some(Polarity::Negative)),
        ] {
            for page in [1, 2, 9] {
                let query = ReviewQuery {
                    filter: filter.clone(),
                    indicator: indicator.map(String::from),
                    typical: typical.map(String::from),
                    mention_polarity,
                    page: Some(page),
                    page_size: Some(25),
                };
                let sql = store.reviews(WS, &query).await.expect("reviews");
                let mine = index.review_ids(&query);
                assert_eq!(mine.total, sql.total, "total of {query:?}");
                let sql_ids: Vec<i64> = sql.reviews.iter().map(|r| r.id).collect();
                assert_eq!(mine.ids, sql_ids, "page of {query:?}");
                let fetched = store.reviews_by_ids(WS, &mine.ids).await.expect("by ids");
                assert_eq!(fetched, sql.reviews, "reviews of {query:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_index_follows_new_and_reanalysed_reviews() {
    let (_dir, store) = filled(100).await;
    let shared = SharedIndex::new(WS);
    shared.refresh(&store).await.expect("refresh");
    let before = facts::read(&shared.current()).len();
    assert_eq!(before, 100);

    let more = generate(30, 99);
    store.insert_batch(WS, &more, "t").await.expect("insert");
    shared.refresh(&store).await.expect("refresh");
    assert_eq!(facts::read(&shared.current()).len(), 130);
    let stats = facts::read(&shared.current()).indicator_stats(&Filter::default());
    let sql = store
        .indicator_stats(WS, &Filter::default())
        .await
        .expect("stats");
    assert_eq!(stats, sql);

    // A re-analysis that drops every mention of review 1 is seen after a rebuild.
    let first = store.review_texts(WS, 0, 1).await.expect("texts");
    let item = Reanalysis {
        id: first[0].id,
        analysis: Analysis {
            polarity: Polarity::Negative,
            score: -1.0,
            mentions: vec![],
            aspects: None,
            flags: vec![],
        },
        followup: None,
    };
    store
        .replace_analyses(WS, &[item], "t2")
        .await
        .expect("replace");
    shared.refresh(&store).await.expect("refresh");
    let index = facts::read(&shared.current()).summary(&Filter::default());
    assert_eq!(
        index,
        store.summary(WS, &Filter::default()).await.expect("sql")
    );
}

#[tokio::test]
async fn a_corrected_mention_counts_as_corrected_and_outlives_reanalysis() {
    let (_dir, store) = filled(60).await;
    let shared = SharedIndex::new(WS);
    shared.refresh(&store).await.expect("refresh");
    // The first review with a mention the engine did not call negative.
    let page = store
        .reviews(
            WS,
            &ReviewQuery {
                page_size: Some(100),
                ..ReviewQuery::default()
            },
        )
        .await
        .expect("reviews");
    let (review, mention) = page
        .reviews
        .iter()
        .find_map(|r| {
            r.mentions
                .iter()
                .find(|m| m.mention.polarity != Polarity::Negative)
                .map(|m| (r.id, m.clone()))
        })
        .expect("a mention to correct");
    let engine = mention.mention.polarity;
    let correction = MentionCorrection {
        review,
        part: mention.part,
        indicator: mention.mention.indicator.clone(),
        start: mention.mention.start,
        end: mention.mention.end,
        polarity: Polarity::Negative,
    };
    let negatives = |store: &SqliteStore, path: String| {
        let store = store.clone();
        async move {
            store
                .indicator_stats(WS, &Filter::default())
                .await
                .expect("stats")
                .into_iter()
                .find(|s| s.indicator == path)
                .map_or(0, |s| s.negative)
        }
    };
    let before = negatives(&store, correction.indicator.clone()).await;

    let outcome = store
        .correct_mention(WS, &correction, "user:analyst")
        .await
        .expect("correct")
        .expect("the mention exists");
    assert_eq!(outcome.engine_polarity, engine);
    assert_eq!(outcome.polarity, Polarity::Negative);
    assert_eq!(
        negatives(&store, correction.indicator.clone()).await,
        before + 1
    );
    // The index sees it, and agrees with the SQL.
    shared.refresh(&store).await.expect("refresh");
    let from_index = facts::read(&shared.current()).indicator_stats(&Filter::default());
    let from_sql = store
        .indicator_stats(WS, &Filter::default())
        .await
        .expect("sql");
    assert_eq!(from_index, from_sql);
    // The drill-down shows what the engine had said.
    let shown = store.reviews_by_ids(WS, &[review]).await.expect("review");
    let corrected = shown[0]
        .mentions
        .iter()
        .find(|m| {
            m.mention.start == correction.start && m.mention.indicator == correction.indicator
        })
        .expect("mention");
    assert_eq!(
        (corrected.mention.polarity, corrected.engine_polarity),
        (Polarity::Negative, Some(engine))
    );

    // Re-analysis rewrites the mentions, here after the indicator was renamed and its
    // evidence grew by a character: the correction follows the indicator's id.
    let renamed = Mention {
        indicator: format!("{}（新名）", mention.mention.indicator),
        end: mention.mention.end + 1,
        polarity: engine,
        ..mention.mention.clone()
    };
    reanalyse(&store, review, renamed.clone()).await;
    let shown = store.reviews_by_ids(WS, &[review]).await.expect("review");
    assert_eq!(shown[0].mentions[0].mention.polarity, Polarity::Negative);
    assert_eq!(shown[0].mentions[0].engine_polarity, Some(engine));

    // Listed with its evidence; a mention that is not there is None.
    let listed = store.corrections(WS, 10).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].review,
            listed[0].engine_polarity,
            listed[0].polarity
        ),
        (review, engine, Polarity::Negative)
    );
    assert_eq!(listed[0].actor, "user:analyst");
    let elsewhere = MentionCorrection {
        start: 9_999,
        end: 10_000,
        ..correction.clone()
    };
    assert_eq!(
        store
            .correct_mention(WS, &elsewhere, "user:analyst")
            .await
            .expect("correct"),
        None
    );

    // Set back to the engine's polarity, the correction is withdrawn.
    let on_renamed = MentionCorrection {
        indicator: renamed.indicator.clone(),
        end: renamed.end,
        ..correction
    };
    let back = MentionCorrection {
        polarity: engine,
        ..on_renamed.clone()
    };
    store
        .correct_mention(WS, &back, "user:analyst")
        .await
        .expect("withdraw")
        .expect("exists");
    assert!(store.corrections(WS, 10).await.expect("list").is_empty());
    let shown = store.reviews_by_ids(WS, &[review]).await.expect("review");
    assert_eq!(shown[0].mentions[0].engine_polarity, None);
    // Asking for what the mention already says changes nothing and logs nothing.
    store
        .correct_mention(WS, &back, "user:analyst")
        .await
        .expect("again");
    let log = store.audit_log(WS, 10).await.expect("audit");
    let corrections: Vec<_> = log
        .iter()
        .filter(|e| e.action == "correct_mention")
        .collect();
    assert_eq!(corrections.len(), 2);
    assert!(
        corrections.iter().all(|e| !e.detail.contains('“')),
        "the log names the mention, not the buyer's words: {corrections:?}"
    );

    // Corrected again, then a new engine agrees: the mention no longer shows as corrected,
    // and the list says the engine now agrees.
    store
        .correct_mention(WS, &on_renamed, "user:analyst")
        .await
        .expect("correct")
        .expect("exists");
    reanalyse(
        &store,
        review,
        Mention {
            polarity: Polarity::Negative,
            ..renamed
        },
    )
    .await;
    let shown = store.reviews_by_ids(WS, &[review]).await.expect("review");
    assert_eq!(
        (
            shown[0].mentions[0].mention.polarity,
            shown[0].mentions[0].engine_polarity
        ),
        (Polarity::Negative, None)
    );
    let listed = store.corrections(WS, 10).await.expect("list");
    assert_eq!(
        (listed[0].engine_polarity, listed[0].polarity),
        (Polarity::Negative, Polarity::Negative)
    );
}

/// Re-analyses one review so that it has exactly `mention`.
async fn reanalyse(store: &SqliteStore, review: i64, mention: Mention) {
    let mut analysis = generate(1, 7).remove(0).analysis;
    analysis.mentions = vec![mention];
    store
        .replace_analyses(
            WS,
            &[Reanalysis {
                id: review,
                analysis,
                followup: None,
            }],
            "t2",
        )
        .await
        .expect("replace");
}
