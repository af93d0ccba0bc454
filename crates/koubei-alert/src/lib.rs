//! Risk alerts: what makes one (rules over incoming reviews), what it says, and how it is
//! signed and shaped for each channel a Chinese team lives in (WeCom, DingTalk and Feishu
//! robots, e-mail, SMS gateways).
//!
//! This crate is pure: no network, no database. Delivery (the outbox, retries, HTTP and
//! SMTP) lives with the server; the payloads and signatures here are what it sends, and
//! their rules come from `../shared/CHANNELS.md`.

pub mod message;
pub mod risk;
pub mod sign;

pub use message::{AlertMessage, Outcome, Robot, TemplateEscape};
pub use risk::{RiskHit, RiskMatcher, RiskWord, Severity};
