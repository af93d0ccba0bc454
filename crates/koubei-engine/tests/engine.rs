//! Behaviour of the whole engine on real review sentences, against the bundled trees.

mod common;

use koubei_core::{AspectPolarity, Flag, Polarity};
use koubei_engine::Input;

use common::engine;

fn vacuum(text: &str) -> Input<'_> {
    Input {
        category: Some("扫地机器人"),
        ..Input::text(text)
    }
}

/// (text, review polarity, [(indicator id, mention polarity)])
type Case = (&'static str, Polarity, &'static [(&'static str, Polarity)]);

const CASES: &[Case] = &[
    (
        "吸力大，噪音也大",
        Polarity::Mixed,
        &[
            ("suction", Polarity::Positive),
            ("noise", Polarity::Negative),
        ],
    ),
    (
        "噪音有点大",
        Polarity::Negative,
        &[("noise", Polarity::Negative)],
    ),
    (
        "吸力并不差",
        Polarity::Positive,
        &[("suction", Polarity::Positive)],
    ),
    (
        "没有异响",
        Polarity::Positive,
        &[("abnormal_noise", Polarity::Positive)],
    ),
    (
        "虽然很好用，但是太贵了",
        Polarity::Mixed,
        &[("usage", Polarity::Positive), ("price", Polarity::Negative)],
    ),
    (
        "物流很快，客服态度好",
        Polarity::Positive,
        &[
            ("logistics", Polarity::Positive),
            ("customer_service", Polarity::Positive),
        ],
    ),
    (
        "發貨很快",
        Polarity::Positive,
        &[("logistics", Polarity::Positive)],
    ),
    (
        "用了一周就坏了",
        Polarity::Negative,
        &[("quality", Polarity::Negative)],
    ),
    (
        "吸力大噪音小",
        Polarity::Positive,
        &[
            ("suction", Polarity::Positive),
            ("noise", Polarity::Positive),
        ],
    ),
    (
        "不是不好用",
        Polarity::Positive,
        &[("usage", Polarity::Positive)],
    ),
    (
        "集尘盒太小了，两天就得倒一次",
        Polarity::Negative,
        &[("dustbin", Polarity::Negative)],
    ),
    (
        "这台掃地機器人吸力很強，但是噪音有點大",
        Polarity::Mixed,
        &[
            ("suction", Polarity::Positive),
            ("noise", Polarity::Negative),
        ],
    ),
    (
        "清洁效果一般般",
        Polarity::Neutral,
        &[("cleaning", Polarity::Neutral)],
    ),
    (
        "[捂脸][捂脸]又坏了",
        Polarity::Negative,
        &[("quality", Polarity::Negative)],
    ),
    (
        "如果续航再长一点就好了",
        Polarity::Negative,
        &[("battery_life", Polarity::Negative)],
    ),
    ("👍👍👍", Polarity::Positive, &[]),
];

/// A rhetorical question turns its opinion round, for the aspect and, when it is the
/// whole review, for the review. Next to other clauses the review's polarity is the
/// model's, which has learnt that most reviews asking 难道…吗 complain (421 of the 540 in
/// the training sets).
#[test]
fn rhetorical_questions_turn_the_aspect_round() {
    let analysis = engine().analyze(&vacuum("难道这吸力还不够强吗？"));
    assert_eq!(analysis.polarity, Polarity::Positive);
    let suction = analysis
        .mentions
        .iter()
        .find(|m| m.indicator_id == "suction");
    assert_eq!(suction.map(|m| m.polarity), Some(Polarity::Positive));
}

#[test]
fn judges_real_sentences() {
    for (text, polarity, mentions) in CASES {
        let analysis = engine().analyze(&vacuum(text));
        let explain = || engine().explain(&vacuum(text)).to_string();
        assert_eq!(analysis.polarity, *polarity, "{text}\n{}", explain());
        for (id, want) in *mentions {
            let found = analysis.mentions.iter().find(|m| m.indicator_id == *id);
            let got = found.map(|m| m.polarity);
            assert_eq!(got, Some(*want), "{text}: {id}\n{}", explain());
        }
    }
}

#[test]
fn mentions_carry_path_code_typical_and_offsets() {
    let text = "吸力很大，噪音不大";
    let analysis = engine().analyze(&vacuum(text));
    let suction = &analysis.mentions[0];
    assert_eq!(suction.indicator, "产品/清洁能力/吸力");
    assert_eq!(
        suction.code, None,
        "the bundled robot_vacuum tree sets no codes"
    );
    assert_eq!(suction.aspect.as_deref(), Some("吸力"));
    assert_eq!(suction.opinion, "很大");
    assert_eq!(suction.typical, "吸力大");
    assert_eq!((suction.start, suction.end), (2, 4));
    let noise = &analysis.mentions[1];
    assert_eq!(noise.typical, "噪音不大");
    assert_eq!(noise.polarity, Polarity::Positive);
}

/// (category, text, indicator id, mention polarity): faults that held for a whole class of
/// words across the bundled trees.
const TREE_CASES: &[(Option<&str>, &str, &str, Polarity)] = &[
    // Another tree's cue (酒店: 味道很好, 电脑: 声音发闷) must not hide this tree's term.
    (Some("水果"), "味道很好", "flavour", Polarity::Positive),
    (Some("书籍"), "味道很好", "smell", Polarity::Positive),
    (Some("手机"), "声音发闷", "audio", Polarity::Negative),
    (Some("手机"), "屏幕晃动", "screen", Polarity::Negative),
    (Some("手机"), "充电很快", "charging", Polarity::Positive),
    // Ambiguous words: the category's own tree first (taste, rotten), generic elsewhere.
    (Some("水果"), "味道很浓", "flavour", Polarity::Positive),
    (None, "味道很浓", "smell", Polarity::Negative),
    (Some("牛奶"), "味道很浓", "flavour", Polarity::Positive),
    (Some("水果"), "收到的时候坏了", "rotten", Polarity::Negative),
    (None, "用了一周就坏了", "quality", Polarity::Negative),
    // A term is never an opinion (重启 is a complaint word elsewhere, a term of 电脑).
    (Some("电脑"), "重启很快", "boot", Polarity::Positive),
    (
        Some("笔记本"),
        "风扇噪声很小",
        "fan_noise",
        Polarity::Positive,
    ),
    // A cue more specific than the term keeps its indicator (the product name is no aspect).
    (
        Some("扫地机"),
        "扫地机器人扫地还行",
        "sweeping",
        Polarity::Positive,
    ),
    // 别指望 is a complaint.
    (
        Some("扫地机"),
        "拖地就别指望了",
        "mopping",
        Polarity::Negative,
    ),
];

#[test]
fn tree_words_hold_across_the_bundled_trees() {
    for &(category, text, id, want) in TREE_CASES {
        let input = Input {
            category,
            ..Input::text(text)
        };
        let analysis = engine().analyze(&input);
        let explain = || engine().explain(&input).to_string();
        let got: Vec<(&str, Polarity)> = analysis
            .mentions
            .iter()
            .map(|m| (m.indicator_id.as_str(), m.polarity))
            .collect();
        assert_eq!(got, [(id, want)], "{text}\n{}", explain());
        assert_eq!(analysis.polarity, want, "{text}\n{}", explain());
    }
}

#[test]
fn abnormal_noise_rolls_up_under_noise() {
    let analysis = engine().analyze(&vacuum("没有异响"));
    let paths: Vec<&str> = analysis
        .mentions
        .iter()
        .map(|m| m.indicator.as_str())
        .collect();
    assert_eq!(paths, ["产品/噪音/异响"]);
}

#[test]
fn codes_from_a_tree_file_are_copied_into_mentions() {
    let tree = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/trees/robot_vacuum.toml"
    );
    let engine = koubei_engine::Engine::builder()
        .taxonomy_file(tree)
        .build()
        .expect("test trees load");
    let analysis = engine.analyze(&vacuum("吸力很大"));
    let codes: Vec<Option<&str>> = analysis
        .mentions
        .iter()
        .map(|m| m.code.as_deref())
        .collect();
    assert_eq!(codes, [Some("RV.CLEAN.SUCTION")]);
}

#[test]
fn offsets_point_into_the_full_width_original() {
    let text = "　ＡＰＰ很好用，續航１２０分鐘";
    let analysis = engine().analyze(&vacuum(text));
    let app = analysis
        .mentions
        .iter()
        .find(|m| m.indicator_id == "app")
        .unwrap_or_else(|| panic!("{}", engine().explain(&vacuum(text))));
    assert_eq!(app.aspect.as_deref(), Some("ＡＰＰ"));
    assert_eq!(app.opinion, "很好用");
    let chars: Vec<char> = text.chars().collect();
    let slice: String = chars[app.start..app.end].iter().collect();
    assert_eq!(slice, app.opinion);
    assert_eq!(app.polarity, Polarity::Positive);
}

#[test]
fn flags_and_exclusion() {
    let cases: &[(&str, Flag, bool)] = &[
        ("此用户没有填写评价。", Flag::DefaultReview, true),
        ("", Flag::Empty, true),
        ("　\n", Flag::Empty, true),
        ("还没用，先好评，用了再来追评", Flag::NoExperience, true),
        (
            "不错不错不错不错不错不错不错不错，凑够字数",
            Flag::LowInformation,
            false,
        ),
        ("好评返现的，吸力一般", Flag::Incentivized, true),
        ("想要返现的加V：abc12345，吸力一般", Flag::SpamContact, true),
    ];
    for (text, flag, excluded) in cases {
        let analysis = engine().analyze(&Input::text(text));
        assert!(
            analysis.flags.contains(flag),
            "{text:?}: {:?}",
            analysis.flags
        );
        assert_eq!(analysis.is_excluded_from_stats(), *excluded, "{text:?}");
    }
    let default = engine().analyze(&Input::text("此用户没有填写评价。"));
    assert_eq!(default.polarity, Polarity::Neutral);
    assert!(default.mentions.is_empty());
    let no_use = engine().analyze(&Input::text("还没用，先好评，用了再来追评"));
    assert_eq!(no_use.polarity, Polarity::Neutral);
}

#[test]
fn judges_asked_aspects() {
    let asked = vec![
        "吸力".to_string(),
        "噪音".to_string(),
        "续航".to_string(),
        "APP".to_string(),
    ];
    let input = Input {
        aspects: Some(&asked),
        ..vacuum("吸力很强，噪音有点大，APP还没下载")
    };
    let verdicts = engine().analyze(&input).aspects.expect("asked");
    let got: Vec<AspectPolarity> = verdicts.iter().map(|v| v.polarity).collect();
    assert_eq!(
        got,
        [
            AspectPolarity::Positive,
            AspectPolarity::Negative,
            AspectPolarity::NotMentioned,
            AspectPolarity::Neutral
        ]
    );
    assert_eq!(verdicts[0].opinion.as_deref(), Some("很强"));
}

#[test]
fn never_panics_on_odd_input() {
    let mut odd: Vec<String> = [
        "",
        " ",
        "\u{0}",
        "\t\r\n",
        "😀",
        "👍🏻👍🏻",
        "[",
        "]",
        "[捂脸",
        "捂脸]",
        "[]",
        "，，，",
        "不",
        "不不不不不",
        "很",
        "但是",
        "但是但是",
        "就是",
        "a",
        "Ⅻ",
        "\u{200b}",
        "\u{feff}好",
        "ｱｲｳ",
        "İ",
        "ß",
        "!!!",
        "吸力",
        "吸力吸力吸力",
        "\u{7f}",
        "\u{fffd}",
        "̈́",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    odd.push("吸力很大，".repeat(2000));
    odd.push("啊".repeat(10_000));
    let mut seed: u32 = 7;
    for _ in 0..300 {
        let len = (seed % 40) as usize;
        let text: String = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let pick = [0x20, 0x4E00, 0xFF01, 0x1F600, 0x3000, 0x0300, 0x41]
                    [(seed >> 16) as usize % 7];
                char::from_u32(pick + (seed >> 8) % 200).unwrap_or('?')
            })
            .collect();
        odd.push(text);
    }
    let asked = vec!["吸力".to_string(), String::new(), "　".to_string()];
    for text in &odd {
        let input = Input {
            aspects: Some(&asked),
            ..vacuum(text)
        };
        let analysis = engine().analyze(&input);
        assert!((-1.0..=1.0).contains(&analysis.score), "{text:?}");
        let len = text.chars().count();
        for m in &analysis.mentions {
            assert!(m.start <= m.end && m.end <= len, "{text:?}");
        }
        let _ = engine().explain(&input).to_string();
    }
    assert!(
        engine()
            .analyze(&Input::text(&"好".repeat(1001)))
            .flags
            .contains(&Flag::VeryLong)
    );
}

#[test]
fn selects_trees_by_category_and_id() {
    let e = engine();
    assert_eq!(e.taxonomy_for(Some(" Robot Vacuum ")).id, "robot_vacuum");
    assert_eq!(e.taxonomy_for(Some("扫地机器人")).id, "robot_vacuum");
    assert_eq!(e.taxonomy_for(Some("酒店")).id, "hotel");
    assert_eq!(
        e.taxonomy_for(Some("空气炸锅")).id,
        "generic",
        "no tree lists it"
    );
    assert_eq!(e.taxonomy_for(None).id, "generic");
    let tree = e.taxonomy("robot_vacuum").expect("loaded");
    assert_eq!(tree.get("suction").map(|i| i.depth), Some(2));
    assert!(tree.get("logistics").is_some(), "generic is merged in");
    assert_eq!(e.version().len(), 12);
    let by_id = Input {
        taxonomy: Some("robot_vacuum"),
        ..Input::text("吸力很大")
    };
    assert_eq!(e.analyze(&by_id).mentions.len(), 1);
    assert!(
        e.analyze(&Input::text("吸力很大")).mentions.is_empty(),
        "generic has no 吸力"
    );
}

#[test]
fn explanation_names_what_fired() {
    let text = engine().explain(&vacuum("吸力并不差")).to_string();
    assert!(text.contains("term:suction"), "{text}");
    assert!(text.contains("negator"), "{text}");
    assert!(text.contains("review: positive"), "{text}");
}

#[test]
fn bundled_trees_load_and_a_bad_file_is_named() {
    let engine = koubei_engine::Engine::new().expect("bundled trees load");
    assert!(engine.taxonomy("generic").is_some());
    let dir = std::env::temp_dir().join(format!("koubei-engine-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"bad\"\n[[indicator]]\nid = \"x\"\nname = \"X\"\nhint = {}\n",
    )
    .unwrap();
    let err = koubei_engine::Engine::builder()
        .taxonomy_file(&bad)
        .build()
        .unwrap_err()
        .to_string();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        err.contains("bad.toml") && err.contains("\"x\"") && err.contains("`hint`"),
        "{err}"
    );
}

#[test]
fn engine_is_shared_by_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<koubei_engine::Engine>();
}

/// An asked phrase longer than the tree's term (软件反应 around 反应) takes the opinions
/// the engine tied to the term inside it; one with no opinion word takes its clause's tone.
#[test]
fn asked_phrases_read_their_clause() {
    let cases = [
        ("软件反应有点慢", "软件反应", AspectPolarity::Negative),
        ("电池待机时间够长", "电池待机时间", AspectPolarity::Positive),
        ("灵敏度高", "灵敏度", AspectPolarity::Positive),
        ("屏幕很清晰，电池不太耐用", "电池", AspectPolarity::Negative),
        (
            "屏幕很清晰，电池不太耐用",
            "耳机",
            AspectPolarity::NotMentioned,
        ),
    ];
    for (text, asked, want) in cases {
        let asked = vec![asked.to_string()];
        let input = Input {
            taxonomy: Some("phone"),
            aspects: Some(&asked),
            ..Input::text(text)
        };
        let verdicts = engine().analyze(&input).aspects.expect("asked");
        assert_eq!(verdicts[0].polarity, want, "{text} / {}", asked[0]);
    }
}
