//! Times the dashboard index's queries on an existing database, without HTTP:
//!
//!     cargo run --release -p koubei-store --example index_speed -- DB [WORKSPACE]
//!
//! (The million-review database of `cargo bench -p koubei-server --bench million` is at
//! `target/bench/million-1000000.db`, workspace `bench`.)

use std::time::Instant;

use koubei_core::Polarity;
use koubei_store::{Filter, ReviewQuery, SharedIndex, SqliteStore, facts};

fn time<T>(what: &str, rounds: u32, mut f: impl FnMut() -> T) {
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(f());
    }
    let each = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    println!("{what:<44} {each:>8.2} ms");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("usage: index_speed DB [WORKSPACE]")?;
    let workspace = args.next().unwrap_or_else(|| "bench".to_string());
    let store = SqliteStore::open(&db).await?;
    let shared = SharedIndex::new(&workspace);
    let started = Instant::now();
    shared.refresh(&store).await?;
    println!("loaded in {:.1} s", started.elapsed().as_secs_f64());
    let current = shared.current();
    let index = facts::read(&current);
    let all = Filter::default();
    let options = index.options();
    let brand = Filter {
        brand: options.brands.first().map(|o| o.value.clone()),
        ..Filter::default()
    };
    let keyword = Filter {
        keyword: Some("质量".into()),
        ..Filter::default()
    };
    let top = index
        .indicator_stats(&all)
        .first()
        .map(|s| s.indicator.clone());
    let rounds = 10;
    time("select, no filter", rounds, || index.select(&all).len());
    time("select, a brand", rounds, || index.select(&brand).len());
    time("select, keyword 质量", rounds, || {
        index.select(&keyword).len()
    });
    time("summary, no filter", rounds, || index.summary(&all));
    time("indicator_stats, no filter", rounds, || {
        index.indicator_stats(&all)
    });
    time("typical_opinions, no filter", rounds, || {
        index.typical_opinions(&all, None, None, 10)
    });
    time("trend, no filter", rounds, || {
        index.trend::<&str>(&all, None, None)
    });
    time("review_ids page 1, no filter", rounds, || {
        index.review_ids(&ReviewQuery::default())
    });
    time("review_ids page 1, top indicator negative", rounds, || {
        index.review_ids(&ReviewQuery {
            indicator: top.clone(),
            mention_polarity: Some(Polarity::Negative),
            ..ReviewQuery::default()
        })
    });
    time("review_ids page 1, keyword 质量", rounds, || {
        index.review_ids(&ReviewQuery {
            filter: keyword.clone(),
            ..ReviewQuery::default()
        })
    });
    Ok(())
}
