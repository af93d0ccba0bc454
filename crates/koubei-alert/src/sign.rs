//! The signatures the robots ask for. The two look alike and differ in every detail, which
//! is how the classic bugs happen (see `../shared/CHANNELS.md` §2–3):
//!
//! - **DingTalk**: HMAC-SHA256 of `"{timestamp_ms}\n{secret}"` keyed with the secret,
//!   Base64, then percent-encoded into the query string (`timestamp`, `sign`).
//! - **Feishu**: HMAC-SHA256 of the *empty string* keyed with `"{timestamp_s}\n{secret}"`,
//!   Base64, not encoded, sent in the JSON body (`timestamp` as a string, `sign`).
//!
//! Both timestamps must be within an hour of the robot's clock, so they are taken when each
//! message is sent, never once at start-up.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    // HMAC takes keys of any length; new_from_slice only fails for fixed-size MACs.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts keys of every length"),
    };
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// DingTalk's `sign` for `timestamp_ms`, Base64 (not yet percent-encoded).
pub fn dingtalk(secret: &str, timestamp_ms: i64) -> String {
    let to_sign = format!("{timestamp_ms}\n{secret}");
    hmac_base64(secret.as_bytes(), to_sign.as_bytes())
}

/// Feishu's `sign` for `timestamp_s` (seconds), Base64.
pub fn feishu(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    hmac_base64(key.as_bytes(), b"")
}

/// Percent-encodes a query value as RFC 3986 asks: everything but `A-Z a-z 0-9 - _ . ~`.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from ../shared/CHANNELS.md, recomputed there independently.

    #[test]
    fn dingtalk_vectors() {
        let sign = dingtalk("demo", 100);
        assert_eq!(sign, "Al3fIG80paFjFaF1GYFq01nD+HwK+W12x7pPHOz3pJo=");
        assert_eq!(
            percent_encode(&sign),
            "Al3fIG80paFjFaF1GYFq01nD%2BHwK%2BW12x7pPHOz3pJo%3D"
        );
        assert_eq!(
            dingtalk("SEC0123456789abcdef", 1_577_262_236_757),
            "Pgr6tpIpjVrMPPJUPkaI9sivFPPTYOy5zIOMF2GPFMA="
        );
    }

    #[test]
    fn feishu_vectors() {
        assert_eq!(
            feishu("demo", 100),
            "jquNHnVOwmDRfw+vqTIrY5dooJAgi5EcRtLsQE4wfXg="
        );
        assert_eq!(
            feishu("demo", 1_599_360_473),
            "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
        );
        // The classic mistakes give other values.
        assert_ne!(
            feishu("demo", 1_599_360_473),
            "DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ="
        );
        assert_ne!(
            feishu("demo", 1_599_360_473_000),
            "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
        );
        assert_eq!(
            dingtalk("demo", 1_599_360_473),
            "DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ=",
            "the DingTalk recipe on Feishu's inputs gives the documented wrong value"
        );
    }
}
