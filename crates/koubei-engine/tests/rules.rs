//! Table tests of the engine's rules, one table per kind of language that fools simple
//! tools (see issue 3): negation, degree, contrast, wishes, questions, comparatives,
//! sarcasm, emoji, traditional characters, English and model names, internet slang,
//! aspects carried across clauses, regrets, and typical opinions. They run on the rules
//! alone, so a change of the polarity model does not move them.

mod common;

use koubei_core::Polarity::{self, Mixed, Negative, Neutral, Positive};
use koubei_engine::Input;

use common::rules_engine;

/// (text, review polarity, [(indicator id, mention polarity)] that must be among the mentions)
type Case = (&'static str, Polarity, &'static [(&'static str, Polarity)]);

fn check(table: &[Case]) {
    let mut failures = Vec::new();
    for (text, want, mentions) in table {
        let input = Input {
            taxonomy: Some("robot_vacuum"),
            ..Input::text(text)
        };
        let got = rules_engine().analyze(&input);
        let found: Vec<(String, Polarity)> = got
            .mentions
            .iter()
            .map(|m| (m.indicator_id.clone(), m.polarity))
            .collect();
        let mentions_ok = mentions
            .iter()
            .all(|(id, p)| found.iter().any(|(fid, fp)| fid == id && fp == p));
        if got.polarity != *want || !mentions_ok {
            failures.push(format!(
                "{text}: want {want} {mentions:?}, got {} {found:?}",
                got.polarity
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn score(text: &str) -> f32 {
    let input = Input {
        taxonomy: Some("robot_vacuum"),
        ..Input::text(text)
    };
    rules_engine().analyze(&input).score
}

#[test]
fn negation_and_double_negation() {
    check(&[
        ("噪音不大", Positive, &[("noise", Positive)]),
        ("吸力不大", Negative, &[("suction", Negative)]),
        ("一点也不吵", Positive, &[]),
        ("没有异响", Positive, &[]),
        ("不是不好用", Positive, &[]),
        ("吸力并不差", Positive, &[("suction", Positive)]),
        ("不太好用", Negative, &[]),
    ]);
}

#[test]
fn degree_adverbs_scale_opinions() {
    let pairs: &[(&str, &str)] = &[
        ("太慢了", "有点慢"),
        ("非常好用", "还算好用"),
        ("吸力超级强", "吸力比较强"),
    ];
    for (strong, weak) in pairs {
        assert!(
            score(strong).abs() > score(weak).abs(),
            "{strong} ({}) should be stronger than {weak} ({})",
            score(strong),
            score(weak)
        );
    }
}

#[test]
fn contrast_weighs_the_second_part() {
    check(&[
        (
            "吸力很强，就是噪音有点大",
            Mixed,
            &[("suction", Positive), ("noise", Negative)],
        ),
        ("虽然有点贵，但是真的好用", Mixed, &[]),
        ("扫得挺干净的，可惜续航太短", Mixed, &[]),
    ]);
    assert!(score("虽然很好用，但是太贵了") < 0.0);
    assert!(score("虽然有点贵，但是非常好用") > 0.0);
}

#[test]
fn wishes_complain_about_what_is_missing() {
    check(&[
        (
            "如果续航再长一点就好了",
            Negative,
            &[("battery_life", Negative)],
        ),
        ("要是噪音再小一点就更好了", Negative, &[("noise", Negative)]),
        (
            "希望续航能再长一点",
            Negative,
            &[("battery_life", Negative)],
        ),
        ("希望吸力再大一些", Negative, &[("suction", Negative)]),
    ]);
}

#[test]
fn pure_questions_are_neutral() {
    check(&[
        ("请问这款能扫长毛地毯吗？", Neutral, &[]),
        ("请问噪音大吗？", Neutral, &[]),
        ("有人知道续航多久吗?", Neutral, &[]),
    ]);
}

#[test]
fn comparatives_judge_this_product() {
    check(&[
        ("比上一台安静多了", Positive, &[("noise", Positive)]),
        (
            "同价位的另一款噪音比这台小多了",
            Negative,
            &[("noise", Negative)],
        ),
        ("别的牌子吸力都比这个强", Negative, &[("suction", Negative)]),
        ("隔壁那款吸力更大", Negative, &[("suction", Negative)]),
        ("这台比之前那台吸力大", Positive, &[("suction", Positive)]),
    ]);
}

#[test]
fn praise_with_irony_before_a_failure_is_sarcasm() {
    check(&[
        (
            "客服回复速度简直是光速，三天后才回了我一个“亲”",
            Negative,
            &[("customer_service", Negative)],
        ),
        ("吸力真强呢🙂 地上的瓜子一颗都没吸走", Negative, &[]),
        ("质量真好呵呵，用了两天就坏了", Negative, &[]),
        (
            "发货速度简直是光速，一个星期才到",
            Negative,
            &[("logistics", Negative)],
        ),
        // Sincere praise, or a contrast word, is not sarcasm.
        (
            "吸力真强，地上的瓜子都吸走了",
            Positive,
            &[("suction", Positive)],
        ),
        (
            "吸力真是强，就是噪音有点大",
            Mixed,
            &[("suction", Positive), ("noise", Negative)],
        ),
    ]);
}

#[test]
fn an_attribute_after_a_part_is_charged_to_the_part() {
    check(&[
        (
            "基站很大气，但是做工有点粗糙",
            Mixed,
            &[("base_station", Positive), ("base_station", Negative)],
        ),
        ("拖布很好，就是不太结实", Mixed, &[("mopping", Negative)]),
        ("边刷不错，但是质量很差", Mixed, &[("side_brush", Negative)]),
        (
            "基站不错，做工精致",
            Positive,
            &[("base_station", Positive)],
        ),
    ]);
}

#[test]
fn regret_is_a_complaint_without_aspects() {
    check(&[
        ("早知道就多加两百买带自清洁的版本了", Negative, &[]),
        ("早知道就不买了", Negative, &[]),
        ("早知道买带集尘的那款", Negative, &[]),
        ("早知道这么好用早就买了", Positive, &[]),
    ]);
    let input = Input {
        taxonomy: Some("robot_vacuum"),
        ..Input::text("早知道就多加两百买带自清洁的版本了")
    };
    assert!(rules_engine().analyze(&input).mentions.is_empty());
}

#[test]
fn emoji_traditional_english_and_slang() {
    check(&[
        ("👍👍👍", Positive, &[]),
        ("😡😡", Negative, &[]),
        (
            "吸力很強，噪音很小",
            Positive,
            &[("suction", Positive), ("noise", Positive)],
        ),
        ("質量很好", Positive, &[]),
        ("T20 Pro吸力很强", Positive, &[("suction", Positive)]),
        ("APP很好用", Positive, &[]),
        ("wifi老是断连", Negative, &[]),
        ("noise loud", Negative, &[("noise", Negative)]),
        ("yyds", Positive, &[]),
        ("绝绝子", Positive, &[]),
        ("踩雷了", Negative, &[]),
        ("太拉胯了", Negative, &[]),
    ]);
}

#[test]
fn typical_opinions_are_canonical() {
    let cases: &[(&str, &str)] = &[
        ("吸力很大", "吸力大"),
        ("吸力超大", "吸力大"),
        ("吸力大", "吸力大"),
        ("吸尘力非常大", "吸力大"),
        ("噪音不大", "噪音不大"),
        ("噪音有点大", "噪音大"),
        ("基站很大气", "基站大气"),
    ];
    for (text, want) in cases {
        let input = Input {
            taxonomy: Some("robot_vacuum"),
            ..Input::text(text)
        };
        let got = rules_engine().analyze(&input);
        let typical: Vec<&str> = got.mentions.iter().map(|m| m.typical.as_str()).collect();
        assert_eq!(typical, [*want], "{text}");
    }
    let input = Input {
        category: Some("书籍"),
        ..Input::text("知识很差")
    };
    let got = rules_engine().analyze(&input);
    assert!(
        got.mentions.iter().any(|m| m.typical == "知识性差"),
        "{:?}",
        got.mentions
    );
}

#[test]
fn excess_turns_a_dimension_into_a_complaint() {
    check(&[
        ("尘盒太小了", Negative, &[]),
        ("机身过于笨重", Negative, &[]),
        ("APP界面过于简单", Negative, &[]),
        ("噪音过大", Negative, &[("noise", Negative)]),
        ("吸力太强了，很好用", Positive, &[("suction", Positive)]),
    ]);
}

#[test]
fn what_the_product_is_measured_against_keeps_the_negation() {
    check(&[
        ("没想象中的好", Negative, &[]),
        ("不如预期那么好用", Negative, &[]),
        ("没有宣传的那么安静", Negative, &[]),
    ]);
}

#[test]
fn a_judgement_inside_an_unknown_token_is_found() {
    // jieba keeps 感觉不好 as one word; the engine splits off the known 不好.
    check(&[("感觉不好", Negative, &[]), ("流畅性很一般", Neutral, &[])]);
}
