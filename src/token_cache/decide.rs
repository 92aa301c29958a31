//! The pure cache decision: a cached entry and the time in, what to do out.

use kubectl_aad_contract::Secret;

use super::CacheEntry;

/// The most we report `expirationTimestamp` before the real expiry.
pub(super) const EXPIRY_MARGIN_SECS: u64 = 5 * 60;

/// What `get-token` should do with the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The cached access token is good: print it.
    Use,
    /// Redeem this refresh token.
    Refresh(Secret),
    /// Run the grant flow.
    Acquire,
}

/// The margin for a token: five minutes, but never more than half its lifetime, so a short-lived
/// token is still used for half of its life.
pub fn margin(obtained_at: u64, expires_on: u64) -> u64 {
    let lifetime = expires_on.saturating_sub(obtained_at);
    EXPIRY_MARGIN_SECS.min(lifetime / 2)
}

/// When to tell kubectl the token expires: the real expiry less the margin, or the end of the
/// entry's reuse window if that comes first (so kubectl asks again and `az logout` is noticed).
pub fn reported_expiry(entry: &CacheEntry) -> u64 {
    let expiry = entry.expires_on - margin(entry.obtained_at, entry.expires_on);
    match &entry.reuse {
        Some(reuse) => expiry.min(entry.obtained_at.saturating_add(reuse.max_age_secs)),
        None => expiry,
    }
}

/// Whether the access token may still be handed out at `now`, by time. An entry with reuse
/// stamps must also have its stamped files unchanged; `pipeline` checks that, as it is I/O.
pub fn is_fresh(entry: &CacheEntry, now: u64) -> bool {
    entry.expires_on > now && now < reported_expiry(entry)
}

/// Decides from an entry (if any), the time and `--force-refresh`.
pub fn decide(entry: Option<&CacheEntry>, now: u64, force_refresh: bool) -> Decision {
    match entry {
        Some(entry) if !force_refresh && is_fresh(entry, now) => Decision::Use,
        Some(CacheEntry {
            refresh_token: Some(token),
            ..
        }) => Decision::Refresh(token.clone()),
        _ => Decision::Acquire,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(obtained_at: u64, expires_on: u64, refresh: bool) -> CacheEntry {
        CacheEntry {
            access_token: Secret::new("at"),
            expires_on,
            obtained_at,
            refresh_token: refresh.then(|| Secret::new("rt")),
            identity: Default::default(),
            reuse: None,
        }
    }

    #[test]
    fn a_reuse_window_ends_freshness_early() {
        let mut e = entry(1000, 1000 + 3600, false);
        e.reuse = Some(kubectl_aad_contract::Reuse {
            max_age_secs: 300,
            while_unchanged: vec![],
        });
        assert_eq!(reported_expiry(&e), 1300);
        assert_eq!(decide(Some(&e), 1299, false), Decision::Use);
        assert_eq!(decide(Some(&e), 1300, false), Decision::Acquire);
    }

    #[test]
    fn uses_a_token_until_the_margin() {
        let e = entry(1000, 1000 + 3600, false);
        assert_eq!(reported_expiry(&e), 1000 + 3600 - 300);
        assert_eq!(decide(Some(&e), 1000 + 3000, false), Decision::Use);
        assert_eq!(decide(Some(&e), 1000 + 3300, false), Decision::Acquire);
    }

    #[test]
    fn short_tokens_keep_half_their_life() {
        let e = entry(1000, 1000 + 120, false);
        assert_eq!(margin(1000, 1120), 60);
        assert_eq!(decide(Some(&e), 1059, false), Decision::Use);
        assert_eq!(decide(Some(&e), 1060, false), Decision::Acquire);
    }

    #[test]
    fn refreshes_when_stale_or_forced_and_acquires_without_a_refresh_token() {
        let stale = entry(0, 100, true);
        assert_eq!(
            decide(Some(&stale), 99, false),
            Decision::Refresh(Secret::new("rt"))
        );
        let fresh = entry(1000, 5000, true);
        assert_eq!(
            decide(Some(&fresh), 1001, true),
            Decision::Refresh(Secret::new("rt"))
        );
        assert_eq!(
            decide(Some(&entry(1000, 5000, false)), 1001, true),
            Decision::Acquire
        );
        assert_eq!(decide(None, 1, false), Decision::Acquire);
    }
}
