//! What the polarity model costs per review: times `Engine::analyze` on one thread with the
//! bundled model and with the rules alone, over the same reviews.
//!
//! ```text
//! cargo run --release -p koubei-engine --example model_speed -- [FILE.tsv] [ROUNDS]
//! ```
//!
//! FILE is a polarity TSV (the text is the last column); without one, a few built-in
//! sentences are used.

use std::hint::black_box;
use std::time::Instant;

use koubei_engine::{Engine, Input};

const BUILT_IN: [&str; 4] = [
    "吸力很大，地毯上的猫毛都能吸干净，就是噪音有点大，晚上不敢开，总体还行吧",
    "物流很快，第二天就到了，客服态度好，回复也及时，性价比很高，推荐购买",
    "用了一周就坏了，非常失望，客服也不理人，包装破损严重，快递太暴力了",
    "虽然有点贵，不过物超所值，外观好看，颜值很高，没有异响，运行很安静",
];

fn texts(path: Option<&String>) -> Vec<String> {
    let from_file = path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|content| {
            content
                .lines()
                .skip(1)
                .filter_map(|l| l.rsplit('\t').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
    from_file.unwrap_or_else(|| BUILT_IN.iter().map(|t| t.to_string()).collect())
}

/// Microseconds per review over `rounds` passes.
fn time(engine: &Engine, texts: &[String], rounds: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..rounds {
        for t in texts {
            black_box(engine.analyze(&Input::text(t)));
        }
    }
    started.elapsed().as_secs_f64() * 1e6 / (rounds * texts.len()).max(1) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts = texts(args.first());
    let rounds = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let chars = texts.iter().map(|t| t.chars().count()).sum::<usize>() / texts.len().max(1);
    let with = Engine::new().expect("bundled engine");
    let without = Engine::builder()
        .without_model()
        .build()
        .expect("bundled engine");
    time(&with, &texts, 1);
    for _ in 0..2 {
        let (a, b) = (time(&without, &texts, rounds), time(&with, &texts, rounds));
        println!(
            "{} reviews of {chars} chars on average: rules {a:.1} µs ({:.0}/s), \
             rules + model {b:.1} µs ({:.0}/s), model {:.1} µs",
            texts.len(),
            1e6 / a,
            1e6 / b,
            b - a
        );
    }
}
