//! One checked conversion for every expiry we are given — `expires_in`, `expires_on`, a JWT
//! `exp`, IMDS / App Service / az / azd answers: negative, non-numeric, fractional, overflowing
//! or absurd values are an error, never a panic and never a silent default.

use serde_json::Value;

/// The longest credible token lifetime. Entra ID access tokens live an hour or so and at most a
/// day; managed identities' a day. A later expiry is a broken or hostile answer.
pub const MAX_LIFETIME_SECS: u64 = 31 * 24 * 3600;

/// Why an expiry is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    /// Not a whole, non-negative number of seconds (or a time).
    #[error("{0} is not a whole number of seconds")]
    NotSeconds(String),
    /// Not a time we can read.
    #[error("{0} is not a time")]
    NotATime(String),
    /// Already past.
    #[error("the token expired {0}s ago")]
    Past(u64),
    /// Further away than any token lives.
    #[error("an expiry {0}s away is beyond any token's lifetime ({MAX_LIFETIME_SECS}s)")]
    TooFar(u64),
}

/// A count of seconds from JSON: a non-negative integer, or a string of decimal digits (v1
/// answers send numbers as strings).
pub fn seconds(value: &Value) -> Result<u64, ExpiryError> {
    let shown = || {
        let text = value.to_string();
        text.chars().take(40).collect::<String>()
    };
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| ExpiryError::NotSeconds(shown())),
        Value::String(s)
            if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.trim()
                .parse()
                .map_err(|_| ExpiryError::NotSeconds(shown()))
        }
        _ => Err(ExpiryError::NotSeconds(shown())),
    }
}

/// The expiry `lifetime` seconds after `now`.
pub fn after(now: u64, lifetime: u64) -> Result<u64, ExpiryError> {
    if lifetime > MAX_LIFETIME_SECS {
        return Err(ExpiryError::TooFar(lifetime));
    }
    at(now, now.saturating_add(lifetime))
}

/// An absolute expiry (seconds since the epoch), checked against `now`.
pub fn at(now: u64, expires_on: u64) -> Result<u64, ExpiryError> {
    if expires_on <= now {
        return Err(ExpiryError::Past(now - expires_on));
    }
    if expires_on - now > MAX_LIFETIME_SECS {
        return Err(ExpiryError::TooFar(expires_on - now));
    }
    Ok(expires_on)
}

/// An RFC 3339 time (`2026-11-28T20:41:03Z`, fractions and offsets allowed), checked.
pub fn rfc3339(now: u64, text: &str) -> Result<u64, ExpiryError> {
    let shown = || text.chars().take(40).collect::<String>();
    let time = humantime::parse_rfc3339_weak(text.trim().trim_end_matches('Z'))
        .map_err(|_| ExpiryError::NotATime(shown()))?;
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| ExpiryError::NotATime(shown()))?
        .as_secs();
    at(now, secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn only_whole_seconds_count() {
        assert_eq!(seconds(&json!(3599)), Ok(3599));
        assert_eq!(seconds(&json!("3599")), Ok(3599));
        for bad in [
            json!(-5),
            json!(1.5),
            json!(1e300),
            json!("soon"),
            json!("-1"),
            json!(""),
            json!(null),
            json!([1]),
            json!("99999999999999999999999"),
        ] {
            assert!(seconds(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expiries_must_be_ahead_and_credible() {
        assert_eq!(after(NOW, 3600), Ok(NOW + 3600));
        assert_eq!(after(NOW, 0), Err(ExpiryError::Past(0)));
        assert!(matches!(after(NOW, u64::MAX), Err(ExpiryError::TooFar(_))));
        assert!(matches!(at(NOW, u64::MAX), Err(ExpiryError::TooFar(_))));
        assert!(
            matches!(at(NOW, 253_402_300_800 + 1), Err(ExpiryError::TooFar(_))),
            "after year 9999"
        );
        assert_eq!(at(NOW, NOW - 10), Err(ExpiryError::Past(10)));
        assert_eq!(rfc3339(NOW, "2027-01-15T08:30:00Z"), Ok(NOW + 1800));
        assert_eq!(rfc3339(NOW, "2027-01-15T08:30:00.123456Z"), Ok(NOW + 1800));
        for bad in ["tomorrow", "", "99999-01-01T00:00:00Z"] {
            assert!(rfc3339(NOW, bad).is_err(), "{bad}");
        }
    }
}
