//! Passwords, stored as Argon2id hashes in the PHC string format
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), never as themselves.
//!
//! The parameters are OWASP's first recommendation for Argon2id (19 MiB, two passes, one
//! lane); each stored hash names its own, so they can be raised later without breaking
//! the passwords already stored. Comparison is in constant time.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
const HASH_BYTES: usize = 32;
const SALT_BYTES: usize = 16;

/// Shortest password taken for a new account.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password taken (hashing a megabyte on every attempt would be a gift to an
/// attacker).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a new password cannot be used, if it cannot.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password may have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

/// The username as stored, or why it cannot be one: full-width letters and digits are
/// read as their ASCII twins (ａｄｍｉｎ is admin), surrounding space is trimmed; 1 to 64
/// characters, no control or invisible formatting characters (zero-width spaces,
/// right-to-left overrides), no `/`, and not `.` or `..` (it appears in paths such as
/// `/api/v1/users/{name}`).
pub fn check_username(name: &str) -> Result<String, String> {
    let name: String = name.chars().map(half_width).collect();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err("a username must be 1 to 64 characters".into());
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\' || invisible(c))
    {
        return Err(
            "a username may not contain control or invisible characters, `/` or `\\`".into(),
        );
    }
    if name == "." || name == ".." {
        return Err("a username cannot be `.` or `..`".into());
    }
    Ok(name.to_string())
}

/// A username as typed at sign-in, read the way [`check_username`] stored it.
pub fn typed_username(name: &str) -> String {
    name.chars()
        .map(half_width)
        .collect::<String>()
        .trim()
        .to_string()
}

/// What two usernames must not share: the name with full-width forms folded and ASCII
/// letters in lower case, so that `Admin` cannot stand beside `admin`.
pub fn username_key(name: &str) -> String {
    name.chars()
        .map(half_width)
        .collect::<String>()
        .trim()
        .to_ascii_lowercase()
}

/// The ASCII twin of a full-width character (U+FF01–U+FF5E, and the ideographic space).
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Characters that show nothing or reorder what follows.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
        | '\u{17B5}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

fn argon2(m: u32, t: u32, p: u32) -> Result<Argon2<'static>, String> {
    let params = Params::new(m, t, p, Some(HASH_BYTES)).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness from the system: {e}"))?;
    let mut out = [0u8; HASH_BYTES];
    argon2(MEMORY_KIB, PASSES, LANES)?
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}${}",
        B64.encode(salt),
        B64.encode(out)
    ))
}

/// Whether `password` matches the stored PHC string; a malformed string matches nothing.
pub fn verify_password(stored: &str, password: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let ["", "argon2id", "v=19", params, salt, hash] = parts.as_slice() else {
        return false;
    };
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for pair in params.split(',') {
        match pair.split_once('=') {
            Some(("m", v)) => m = v.parse().ok(),
            Some(("t", v)) => t = v.parse().ok(),
            Some(("p", v)) => p = v.parse().ok(),
            _ => return false,
        }
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (B64.decode(salt), B64.decode(hash)) else {
        return false;
    };
    let Ok(hasher) = argon2(m, t, p) else {
        return false;
    };
    let mut out = vec![0u8; expected.len().max(1)];
    if hasher
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .is_err()
    {
        return false;
    }
    crate::tokens::same_secret(&out, &expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_that_would_pass_for_another_are_refused_or_folded() {
        assert_eq!(check_username(" 王经理 ").as_deref(), Ok("王经理"));
        assert_eq!(check_username("ａｄｍｉｎ１").as_deref(), Ok("admin1"));
        for bad in [
            "adm\u{200b}in",
            "evil\u{202e}nimda",
            ".",
            "..",
            "a/b",
            "a\\b",
            "",
            "\u{3000}",
        ] {
            assert!(check_username(bad).is_err(), "{bad:?}");
        }
        assert_eq!(username_key("Admin1"), username_key("ａｄｍｉｎ１"));
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let stored = hash_password("吸力很大123").expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password(&stored, "吸力很大123"));
        assert!(!verify_password(&stored, "吸力很大124"));
        assert_ne!(
            stored,
            hash_password("吸力很大123").expect("hash"),
            "salted"
        );
        assert!(!verify_password("$argon2id$v=19$garbage", "x"));
        assert!(!verify_password("", ""));
    }
}
