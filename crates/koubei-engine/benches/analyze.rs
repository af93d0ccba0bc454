//! Throughput of `Engine::analyze` over ~1000 review sentences of about 57 chars, built
//! from clauses buyers write. Run with `cargo bench -p koubei-engine`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use koubei_engine::{Engine, Input};

const CLAUSES: [&str; 24] = [
    "吸力很大，地毯上的猫毛都能吸干净",
    "噪音有点大，晚上不敢开",
    "物流很快，第二天就到了",
    "客服态度好，回复也及时",
    "续航一般，大房子扫不完",
    "APP很好用，配网一次成功",
    "做工有点粗糙，边缘有毛刺",
    "价格不便宜，但是质量过硬",
    "拖地效果不太行，地上还有水印",
    "用了一周就坏了，非常失望",
    "外观好看，颜值很高",
    "没有异响，运行很安静",
    "集尘盒太小了，两天就得倒一次",
    "安装师傅很专业，讲解得很细心",
    "發貨很快，包裝完好無損",
    "虽然有点贵，不过物超所值",
    "避障不灵敏，老是撞到桌腿",
    "总体还行吧，中规中矩",
    "电池不耐用，充满只能扫二十分钟",
    "性价比很高，推荐购买",
    "包装破损严重，快递太暴力了",
    "吸力并不差，就是有点吵",
    "第一次用扫地机器人，感觉很省心",
    "水箱也小，拖一半就得加水",
];

/// About 1000 reviews: four clauses each (about 57 chars), joined with commas and a closing mark.
fn samples() -> Vec<String> {
    let n = CLAUSES.len();
    (0..1000)
        .map(|i| {
            let (a, b, c, d) = (i % n, (i * 7 + 3) % n, (i * 13 + 5) % n, (i * 5 + 11) % n);
            format!(
                "{}，{}，{}，{}。",
                CLAUSES[a], CLAUSES[b], CLAUSES[c], CLAUSES[d]
            )
        })
        .collect()
}

/// The bundled engine, with the test trees added while no robot-vacuum tree is bundled.
fn bench_engine() -> Engine {
    let bundled = Engine::new().expect("bundled engine");
    if bundled.taxonomy("robot_vacuum").is_some() {
        return bundled;
    }
    let trees = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/trees");
    Engine::builder()
        .taxonomy_dir(trees)
        .build()
        .expect("test trees")
}

fn analyze(c: &mut Criterion) {
    let engine = bench_engine();
    let reviews = samples();
    let chars: usize = reviews.iter().map(|r| r.chars().count()).sum();
    eprintln!(
        "{} reviews, {:.1} chars on average",
        reviews.len(),
        chars as f64 / reviews.len() as f64
    );
    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Elements(reviews.len() as u64));
    group.bench_function("1000 reviews", |b| {
        b.iter(|| {
            for review in &reviews {
                black_box(engine.analyze(&Input {
                    category: Some("扫地机器人"),
                    ..Input::text(review)
                }));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
