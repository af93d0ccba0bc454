//! What an alert says, shaped for each channel, and how each channel's answer is read.
//!
//! Every message says **what** happened, **how bad**, **since when**, **where** (the scope:
//! brand, model, channel, indicator) and **links** to the matching reviews. Quotes from
//! reviews are untrusted: in the markdown of WeCom and DingTalk they could carry links,
//! colour tags or `<@all>` mentions, so every markdown-active character in them is replaced
//! by its full-width twin and line breaks become spaces. Feishu posts, e-mail and SMS are
//! plain text.
//!
//! Sizes are checked in UTF-8 bytes before sending (WeCom markdown 4,096; DingTalk and
//! Feishu bodies 20,000): quotes are dropped from the end until the message fits, then the
//! text is cut on a character boundary.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::risk::Severity;

/// WeCom's limit on markdown content, in UTF-8 bytes.
pub const WECOM_MARKDOWN_BYTES: usize = 4096;
/// DingTalk's and Feishu's limit on the request body, in UTF-8 bytes (20 KB, counted low).
pub const ROBOT_BODY_BYTES: usize = 20_000;
/// At most this many quotes per message.
const MAX_QUOTES: usize = 3;
/// A quote is cut to this many characters.
const QUOTE_CHARS: usize = 80;

/// An alert, ready to be rendered for any channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertMessage {
    /// One line: 安全风险「冒烟」, 续航差评激增 …
    pub title: String,
    pub severity: Severity,
    /// What happened, in a sentence: 3 条新评论提到「冒烟」.
    pub what: String,
    /// Since when, as shown to people (2026-12-04 10:02).
    pub since: String,
    /// Where: 品牌 甲 · 型号 X1 · 京东 (empty for everything).
    pub scope: String,
    /// The dashboard's drill-down for the matching reviews.
    pub link: String,
    /// Short quotes from the reviews that caused it (untrusted text).
    pub quotes: Vec<String>,
}

/// Replaces the characters WeCom's and DingTalk's markdown act on with full-width twins,
/// and line breaks with spaces, so that a quote stays one plain line.
pub fn defuse_markdown(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => '＜',
            '>' => '＞',
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '*' => '＊',
            '_' => '＿',
            '`' => '｀',
            '#' => '＃',
            '@' => '＠',
            '!' => '！',
            '|' => '｜',
            '~' => '～',
            '\\' => '＼',
            '\r' | '\n' | '\t' => ' ',
            other => other,
        })
        .collect()
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
fn cut_chars(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// `text` cut to at most `max` UTF-8 bytes on a character boundary.
pub fn cut_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl AlertMessage {
    fn quotes(&self, n: usize, defuse: bool) -> Vec<String> {
        self.quotes
            .iter()
            .take(n.min(MAX_QUOTES))
            .map(|q| {
                let q = cut_chars(q.trim(), QUOTE_CHARS);
                if defuse { defuse_markdown(&q) } else { q }
            })
            .collect()
    }

    /// Markdown for WeCom and DingTalk, with at most `quotes` quotes.
    fn markdown(&self, quotes: usize, wecom: bool) -> String {
        let mut lines = Vec::new();
        let title = defuse_markdown(&self.title);
        if wecom {
            let colour = match self.severity {
                Severity::Critical | Severity::High => "warning",
                Severity::Medium => "comment",
                Severity::Low => "info",
            };
            lines.push(format!("### <font color=\"{colour}\">{title}</font>"));
        } else {
            lines.push(format!("### {title}"));
        }
        lines.push(format!("> 级别：**{}**", self.severity.label_zh()));
        lines.push(format!("> 情况：{}", defuse_markdown(&self.what)));
        lines.push(format!("> 开始：{}", defuse_markdown(&self.since)));
        if !self.scope.is_empty() {
            lines.push(format!("> 范围：{}", defuse_markdown(&self.scope)));
        }
        for quote in self.quotes(quotes, true) {
            lines.push(format!("> 「{quote}」"));
        }
        lines.push(format!("[查看相关评论]({})", self.link));
        lines.join("\n")
    }

    /// The largest markdown (most quotes first) that fits in `max` bytes, else cut.
    fn markdown_within(&self, max: usize, wecom: bool) -> String {
        for quotes in (0..=MAX_QUOTES).rev() {
            let text = self.markdown(quotes, wecom);
            if text.len() <= max {
                return text;
            }
        }
        cut_bytes(&self.markdown(0, wecom), max).to_string()
    }

    /// WeCom group robot: a markdown message within 4,096 bytes.
    pub fn wecom(&self) -> Value {
        json!({
            "msgtype": "markdown",
            "markdown": {"content": self.markdown_within(WECOM_MARKDOWN_BYTES, true)},
        })
    }

    /// DingTalk robot: a markdown message (the title is what the notification shows).
    /// `at_mobiles` are @-mentioned, their numbers also written into the text, without
    /// which DingTalk does not highlight them.
    pub fn dingtalk(&self, at_mobiles: &[String]) -> Value {
        let mentions: String = at_mobiles.iter().map(|m| format!(" @{m}")).collect();
        // Leave room for the JSON around the text and the escaping of quotes.
        let budget = ROBOT_BODY_BYTES / 2 - mentions.len();
        let mut text = self.markdown_within(budget, false);
        text.push_str(&mentions);
        json!({
            "msgtype": "markdown",
            "markdown": {"title": cut_chars(&self.title, 60), "text": text},
            "at": {"atMobiles": at_mobiles, "isAtAll": false},
        })
    }

    /// Feishu bot: a rich-text post; `signature` is `(timestamp_s, sign)` when the bot
    /// has a secret.
    pub fn feishu(&self, signature: Option<(i64, String)>) -> Value {
        let line = |text: String| json!([{"tag": "text", "text": text}]);
        let build = |quotes: usize| {
            let mut content = vec![
                line(format!("级别：{}", self.severity.label_zh())),
                line(format!("情况：{}", self.what)),
                line(format!("开始：{}", self.since)),
            ];
            if !self.scope.is_empty() {
                content.push(line(format!("范围：{}", self.scope)));
            }
            for quote in self.quotes(quotes, false) {
                content.push(line(format!("「{quote}」")));
            }
            content.push(json!([{"tag": "a", "text": "查看相关评论", "href": self.link}]));
            let mut body = json!({
                "msg_type": "post",
                "content": {"post": {"zh_cn": {"title": self.title, "content": content}}},
            });
            if let Some((timestamp, sign)) = &signature {
                body["timestamp"] = json!(timestamp.to_string());
                body["sign"] = json!(sign);
            }
            body
        };
        for quotes in (0..=MAX_QUOTES).rev() {
            let body = build(quotes);
            if body.to_string().len() <= ROBOT_BODY_BYTES {
                return body;
            }
        }
        build(0)
    }

    /// E-mail: subject and a plain-text body.
    pub fn email(&self) -> (String, String) {
        let subject = format!("【口碑预警·{}】{}", self.severity.label_zh(), self.title);
        let mut body = vec![
            self.title.clone(),
            String::new(),
            format!("级别：{}", self.severity.label_zh()),
            format!("情况：{}", self.what),
            format!("开始：{}", self.since),
        ];
        if !self.scope.is_empty() {
            body.push(format!("范围：{}", self.scope));
        }
        let quotes = self.quotes(MAX_QUOTES, false);
        if !quotes.is_empty() {
            body.push(String::new());
            body.push("评论摘录：".to_string());
            body.extend(quotes.iter().map(|q| format!("  「{q}」")));
        }
        body.push(String::new());
        body.push(format!("查看相关评论：{}", self.link));
        (subject, body.join("\n"))
    }

    /// The values an SMS body template can name: `{{title}}`, `{{severity}}`, `{{what}}`,
    /// `{{since}}`, `{{scope}}`, `{{link}}`, `{{text}}` (a short one-line summary).
    pub fn template_values(&self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title.clone()),
            ("severity", self.severity.label_zh().to_string()),
            ("what", self.what.clone()),
            ("since", self.since.clone()),
            ("scope", self.scope.clone()),
            ("link", self.link.clone()),
            (
                "text",
                cut_chars(
                    &format!(
                        "【口碑预警】{}：{}，始于{}",
                        self.title, self.what, self.since
                    ),
                    120,
                ),
            ),
        ]
    }
}

/// How a template's values are written into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TemplateEscape {
    /// Inside a JSON string: quotes, backslashes and control characters escaped.
    #[default]
    Json,
    /// A form or query value: percent-encoded.
    Form,
    /// As they are.
    Raw,
}

/// Fills `{{name}}` placeholders of `template` with `values`, escaped as `escape` says.
/// Single braces are literal, so a JSON body is written as it is:
/// `{"text": "{{text}}"}`. An unknown name is an error naming it.
pub fn render_template(
    template: &str,
    values: &[(&str, String)],
    escape: TemplateEscape,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let end = tail
            .find("}}")
            .ok_or_else(|| "a `{{` without its `}}` in the template".to_string())?;
        let name = tail[..end].trim();
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("unknown placeholder {{{{{name}}}}} in the template"))?;
        match escape {
            TemplateEscape::Json => {
                let quoted = Value::String(value.clone()).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            }
            TemplateEscape::Form => out.push_str(&crate::sign::percent_encode(value)),
            TemplateEscape::Raw => out.push_str(value),
        }
        rest = &tail[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a channel's answer means for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth trying again later (rate limits, server trouble, time-outs).
    Retry(String),
    /// Trying again will not help (a wrong key, a bad signature, a rejected message).
    Failed(String),
}

/// The robots whose answers [`robot_outcome`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Robot {
    WeCom,
    DingTalk,
    Feishu,
}

/// Reads a robot's answer. HTTP 200 is not success: the robots answer 200 with an error
/// code in the body for a wrong key, a bad signature or a rate limit.
pub fn robot_outcome(robot: Robot, status: u16, body: &str) -> Outcome {
    if status == 429 || status >= 500 {
        return Outcome::Retry(format!("HTTP {status}"));
    }
    if !(200..300).contains(&status) {
        return Outcome::Failed(format!("HTTP {status}: {}", cut_chars(body, 200)));
    }
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return Outcome::Retry(format!("HTTP {status} with a body that is not JSON"));
    };
    let code = match robot {
        Robot::WeCom | Robot::DingTalk => json["errcode"].as_i64(),
        // The current shape has `code`; older replies carry only `StatusCode`.
        Robot::Feishu => json["code"]
            .as_i64()
            .or_else(|| json["StatusCode"].as_i64()),
    };
    let message = ["errmsg", "msg", "StatusMessage"]
        .iter()
        .find_map(|k| json[*k].as_str())
        .unwrap_or("")
        .to_string();
    match code {
        Some(0) => Outcome::Delivered,
        None => Outcome::Failed(format!(
            "no result code in the answer: {}",
            cut_chars(body, 200)
        )),
        Some(code) => {
            let transient = match robot {
                // 45009: too many requests.
                Robot::WeCom => code == 45009 || code == -1,
                // 130101: more than 20 a minute.
                Robot::DingTalk => code == 130_101 || code == -1,
                // 11232: flow control; 9499 can be a momentary overload too, but is usually
                // a malformed body, so it is final.
                Robot::Feishu => code == 11232,
            };
            let text = format!("code {code}: {message}");
            if transient {
                Outcome::Retry(text)
            } else {
                Outcome::Failed(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(quote: &str) -> AlertMessage {
        AlertMessage {
            title: "安全风险「冒烟」".into(),
            severity: Severity::Critical,
            what: "1 条新评论提到「冒烟」".into(),
            since: "2026-12-04 10:02".into(),
            scope: "品牌 甲".into(),
            link: "http://127.0.0.1:8080/reviews?keyword=冒烟".into(),
            quotes: vec![quote.into()],
        }
    }

    #[test]
    fn quotes_cannot_inject_markdown_or_mentions() {
        let hostile = "冒烟了<@all>[点我](http://evil.example)\n### 假标题 <font color=\"info\">";
        let payload = message(hostile).wecom();
        let content = payload["markdown"]["content"].as_str().expect("content");
        assert!(!content.contains("<@all>"), "{content}");
        assert!(!content.contains("](http://evil"), "{content}");
        assert!(!content.contains("\n### 假标题"), "{content}");
        assert!(content.contains("[查看相关评论](http://127.0.0.1:8080/reviews?keyword=冒烟)"));
        let ding = message(hostile).dingtalk(&[]);
        let text = ding["markdown"]["text"].as_str().expect("text");
        assert!(!text.contains("](http://evil"), "{text}");
    }

    #[test]
    fn wecom_markdown_fits_its_byte_limit() {
        let long = "冒烟".repeat(3000);
        let mut m = message(&long);
        m.quotes = vec![long.clone(), long.clone(), long];
        m.what = "很长".repeat(2000);
        let payload = m.wecom();
        let content = payload["markdown"]["content"].as_str().expect("content");
        assert!(content.len() <= WECOM_MARKDOWN_BYTES, "{}", content.len());
        let body = m.feishu(None).to_string();
        assert!(body.len() <= ROBOT_BODY_BYTES, "{}", body.len());
    }

    #[test]
    fn dingtalk_mentions_are_written_into_the_text() {
        let payload = message("冒烟").dingtalk(&["13800001111".to_string()]);
        assert_eq!(payload["at"]["atMobiles"][0], "13800001111");
        let text = payload["markdown"]["text"].as_str().expect("text");
        assert!(text.ends_with("@13800001111"), "{text}");
        assert_eq!(payload["markdown"]["title"], "安全风险「冒烟」");
    }

    #[test]
    fn feishu_carries_its_signature_in_the_body() {
        let payload = message("冒烟").feishu(Some((1_599_360_473, "sig".into())));
        assert_eq!(payload["timestamp"], "1599360473");
        assert_eq!(payload["sign"], "sig");
        assert_eq!(payload["msg_type"], "post");
    }

    #[test]
    fn templates_escape_for_their_body() {
        let values = message("x").template_values();
        let json = render_template(
            r#"{"msg":"{{title}}","n":1}"#,
            &values,
            TemplateEscape::Json,
        )
        .expect("json");
        let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed["msg"], "安全风险「冒烟」");
        let quoted = AlertMessage {
            title: "a\"b\\c\nd".into(),
            ..message("x")
        };
        let json = render_template(
            r#"{"msg":"{{ title }}"}"#,
            &quoted.template_values(),
            TemplateEscape::Json,
        )
        .expect("json");
        let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed["msg"], "a\"b\\c\nd");
        let form =
            render_template("text={{title}}&x=1", &values, TemplateEscape::Form).expect("form");
        assert!(form.starts_with("text=%E5%AE%89"), "{form}");
        assert!(
            render_template("{{nope}}", &values, TemplateEscape::Raw)
                .expect_err("unknown")
                .contains("{{nope}}")
        );
        assert!(render_template("{{title", &values, TemplateEscape::Raw).is_err());
    }

    #[test]
    fn a_robot_answer_of_200_is_not_yet_success() {
        use Outcome::*;
        let ok = r#"{"errcode":0,"errmsg":"ok"}"#;
        assert_eq!(robot_outcome(Robot::WeCom, 200, ok), Delivered);
        assert!(matches!(
            robot_outcome(
                Robot::WeCom,
                200,
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            ),
            Failed(_)
        ));
        assert!(matches!(
            robot_outcome(
                Robot::WeCom,
                200,
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#
            ),
            Retry(_)
        ));
        assert!(matches!(
            robot_outcome(
                Robot::DingTalk,
                200,
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            ),
            Failed(_)
        ));
        assert!(matches!(
            robot_outcome(
                Robot::DingTalk,
                200,
                r#"{"errcode":130101,"errmsg":"send too fast"}"#
            ),
            Retry(_)
        ));
        assert_eq!(
            robot_outcome(
                Robot::Feishu,
                200,
                r#"{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}"#
            ),
            Delivered
        );
        assert_eq!(
            robot_outcome(
                Robot::Feishu,
                200,
                r#"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#
            ),
            Delivered
        );
        assert!(matches!(
            robot_outcome(
                Robot::Feishu,
                200,
                r#"{"code":19021,"msg":"sign match fail"}"#
            ),
            Failed(_)
        ));
        assert!(matches!(robot_outcome(Robot::Feishu, 502, ""), Retry(_)));
        assert!(matches!(
            robot_outcome(Robot::WeCom, 404, "nope"),
            Failed(_)
        ));
        assert!(matches!(
            robot_outcome(Robot::WeCom, 200, "<html>"),
            Retry(_)
        ));
    }
}
