//! One message to one channel, and what the channel answered.

use std::time::Duration;

use koubei_alert::message::robot_outcome;
use koubei_alert::{AlertMessage, Outcome, Robot, sign};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{ChannelConfig, SmtpTls, shown_url};

/// Makes ring the process's TLS provider (reqwest and lettre are built without one).
/// Calling it again does nothing.
pub fn install_tls_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// Sends `message` (alert number `alert_id`, for the e-mail's Message-ID) to `channel`.
pub async fn send(
    http: &reqwest::Client,
    channel: &ChannelConfig,
    message: &AlertMessage,
    alert_id: i64,
) -> Outcome {
    match channel {
        ChannelConfig::Wecom { url, .. } => {
            post_json(http, url.expose(), &message.wecom(), Robot::WeCom).await
        }
        ChannelConfig::Dingtalk {
            url,
            secret,
            at_mobiles,
            ..
        } => {
            let mut target = url.expose().to_string();
            if let Some(secret) = secret {
                // Taken per message: DingTalk refuses timestamps an hour old.
                let now = chrono::Utc::now().timestamp_millis();
                let signature = sign::dingtalk(secret.expose(), now);
                let joiner = if target.contains('?') { '&' } else { '?' };
                target.push_str(&format!(
                    "{joiner}timestamp={now}&sign={}",
                    sign::percent_encode(&signature)
                ));
            }
            post_json(
                http,
                &target,
                &message.dingtalk(at_mobiles),
                Robot::DingTalk,
            )
            .await
        }
        ChannelConfig::Feishu { url, secret, .. } => {
            let signature = secret.as_ref().map(|s| {
                let now = chrono::Utc::now().timestamp();
                (now, sign::feishu(s.expose(), now))
            });
            post_json(
                http,
                url.expose(),
                &message.feishu(signature),
                Robot::Feishu,
            )
            .await
        }
        ChannelConfig::Sms {
            url,
            method,
            headers,
            body,
            escape,
            success_contains,
            ..
        } => {
            let values = message.template_values();
            let body = match koubei_alert::message::render_template(body, &values, *escape) {
                Ok(body) => body,
                Err(e) => return Outcome::Failed(format!("SMS body template: {e}")),
            };
            let method = match reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
                Ok(m) => m,
                Err(_) => return Outcome::Failed(format!("unknown HTTP method {method:?}")),
            };
            let mut request = http.request(method, url.expose()).body(body);
            for (name, value) in headers {
                request = request.header(name.as_str(), value.expose());
            }
            match request.send().await {
                Err(e) => Outcome::Retry(describe(&e, url.expose())),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let text = response.text().await.unwrap_or_default();
                    if status == 429 || status >= 500 {
                        Outcome::Retry(format!("HTTP {status}"))
                    } else if !(200..300).contains(&status) {
                        Outcome::Failed(format!("HTTP {status}: {}", cut(&text)))
                    } else if success_contains
                        .as_ref()
                        .is_some_and(|s| !text.contains(s.as_str()))
                    {
                        Outcome::Failed(format!("the gateway did not confirm: {}", cut(&text)))
                    } else {
                        Outcome::Delivered
                    }
                }
            }
        }
        ChannelConfig::Email {
            host,
            port,
            tls,
            username,
            password,
            from,
            to,
            ..
        } => {
            let (subject, body) = message.email();
            let mut builder = Message::builder()
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .message_id(Some(format!("<koubei-alert-{alert_id}@{host}>")));
            builder = match from.parse() {
                Ok(mailbox) => builder.from(mailbox),
                Err(e) => return Outcome::Failed(format!("`from` {from:?}: {e}")),
            };
            for recipient in to {
                builder = match recipient.parse() {
                    Ok(mailbox) => builder.to(mailbox),
                    Err(e) => return Outcome::Failed(format!("`to` {recipient:?}: {e}")),
                };
            }
            let email = match builder.body(body) {
                Ok(email) => email,
                Err(e) => return Outcome::Failed(format!("cannot build the e-mail: {e}")),
            };
            let transport = match smtp_transport(host, *port, *tls, username, password) {
                Ok(t) => t,
                Err(e) => return Outcome::Failed(e),
            };
            match transport.send(email).await {
                Ok(_) => Outcome::Delivered,
                // 4xx replies and broken connections may pass; 5xx will not.
                Err(e) if e.is_permanent() => Outcome::Failed(format!("SMTP: {e}")),
                Err(e) => Outcome::Retry(format!("SMTP: {e}")),
            }
        }
    }
}

fn smtp_transport(
    host: &str,
    port: Option<u16>,
    tls: SmtpTls,
    username: &Option<String>,
    password: &Option<super::config::Secret>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match tls {
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|e| format!("SMTP host {host}: {e}"))?
            .port(port.unwrap_or(465)),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| format!("SMTP host {host}: {e}"))?
            .port(port.unwrap_or(587)),
        SmtpTls::None => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port.unwrap_or(25))
        }
    };
    let builder = builder.timeout(Some(Duration::from_secs(15)));
    let builder = match (username, password) {
        (Some(user), Some(password)) => builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        )),
        _ => builder,
    };
    Ok(builder.build())
}

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
    robot: Robot,
) -> Outcome {
    match http.post(url).json(body).send().await {
        Err(e) => Outcome::Retry(describe(&e, url)),
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            robot_outcome(robot, status, &text)
        }
    }
}

/// A transport error without the URL's secret query string.
fn describe(error: &reqwest::Error, url: &str) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {}", shown_url(url))
}

fn cut(text: &str) -> String {
    text.chars().take(200).collect()
}
