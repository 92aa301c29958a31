//! The one freshness decision: a cached entry, the time and what the caller knows in; use,
//! refresh or acquire out. The hit path, the re-check after the lock, and whether a new entry is
//! worth storing all ask here, so there is one definition of "fresh".

use kubectl_aad_contract::Secret;

use super::CacheEntry;

/// The most we report `expirationTimestamp` before the real expiry.
pub(super) const EXPIRY_MARGIN_SECS: u64 = 5 * 60;

/// What to do with the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The cached access token is good: print it.
    Use,
    /// Redeem this refresh token.
    Refresh(Secret),
    /// Run the grant flow.
    Acquire,
}

/// When the decision is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment<'a> {
    /// On the hit path, before queueing for the lock.
    BeforeLock,
    /// Holding the lock; `seen` is the access token that was cached before we queued.
    AfterLock {
        /// What the hit path read, if anything.
        seen: Option<&'a Secret>,
    },
}

/// What the decision is made from. `stamps_hold` says whether the entry's reuse stamps still
/// match (the caller checks the files; that is I/O).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// The cached entry, if any.
    pub entry: Option<&'a CacheEntry>,
    /// Seconds since the epoch.
    pub now: u64,
    /// `--force-refresh`.
    pub force_refresh: bool,
    /// Before or after the lock.
    pub moment: Moment<'a>,
    /// Whether the entry's reuse stamps still hold.
    pub stamps_hold: bool,
}

/// The margin for a token: five minutes, but never more than half its lifetime, so a short-lived
/// token is still used for half of its life.
pub(super) fn margin(obtained_at: u64, expires_on: u64) -> u64 {
    let lifetime = expires_on.saturating_sub(obtained_at);
    EXPIRY_MARGIN_SECS.min(lifetime / 2)
}

/// When to tell kubectl the token expires: the real expiry less the margin, or the end of the
/// entry's reuse window if that comes first (so kubectl asks again and `az logout` is noticed).
/// A token that is never stored (a zero window, azd's) is kubectl's to keep in memory until its
/// own expiry less the margin, as kubelogin does.
pub(crate) fn reported_expiry(entry: &CacheEntry) -> u64 {
    let expiry = entry
        .expires_on
        .saturating_sub(margin(entry.obtained_at, entry.expires_on));
    match &entry.reuse {
        Some(reuse) if reuse.max_age_secs > 0 => {
            expiry.min(entry.obtained_at.saturating_add(reuse.max_age_secs))
        }
        _ => expiry,
    }
}

/// Whether the access token may still be handed out at `now`, by time.
fn fresh_by_time(entry: &CacheEntry, now: u64) -> bool {
    entry.expires_on > now && now < reported_expiry(entry)
}

/// Decides.
///
/// * A fresh entry (by time, with its stamps holding) is used — unless `--force-refresh`, which
///   a token that another process stored while we waited for the lock satisfies too.
/// * Otherwise its refresh token is redeemed if it has one, else the grant flow runs.
pub(crate) fn decide(facts: Facts<'_>) -> Decision {
    let Some(entry) = facts.entry else {
        return Decision::Acquire;
    };
    let fresh = facts.stamps_hold && fresh_by_time(entry, facts.now);
    let from_peer = match facts.moment {
        Moment::BeforeLock => false,
        Moment::AfterLock { seen } => seen != Some(&entry.access_token),
    };
    if fresh && (!facts.force_refresh || from_peer) {
        return Decision::Use;
    }
    match &entry.refresh_token {
        Some(token) => Decision::Refresh(token.clone()),
        None => Decision::Acquire,
    }
}

/// Whether a just-obtained entry is worth storing: it would be used right away, and its
/// provider allows reuse (a zero reuse window means never from our cache).
pub(crate) fn worth_storing(entry: &CacheEntry) -> bool {
    entry.reuse.as_ref().is_none_or(|r| r.max_age_secs > 0)
        && fresh_by_time(entry, entry.obtained_at)
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

    fn at(entry: &CacheEntry, now: u64, force_refresh: bool) -> Decision {
        decide(Facts {
            entry: Some(entry),
            now,
            force_refresh,
            moment: Moment::BeforeLock,
            stamps_hold: true,
        })
    }

    #[test]
    fn a_reuse_window_ends_freshness_early_and_zero_means_never_stored() {
        let mut e = entry(1000, 1000 + 3600, false);
        e.reuse = Some(kubectl_aad_contract::Reuse {
            max_age_secs: 300,
            while_unchanged: vec![],
        });
        assert_eq!(reported_expiry(&e), 1300);
        assert_eq!(at(&e, 1299, false), Decision::Use);
        assert_eq!(at(&e, 1300, false), Decision::Acquire);
        assert!(worth_storing(&e));
        e.reuse = Some(kubectl_aad_contract::Reuse::default());
        assert!(!worth_storing(&e));
        assert_eq!(
            reported_expiry(&e),
            1000 + 3600 - 300,
            "kubectl keeps it until near its expiry"
        );
    }

    #[test]
    fn uses_a_token_until_the_margin_and_short_tokens_keep_half_their_life() {
        let e = entry(1000, 1000 + 3600, false);
        assert_eq!(reported_expiry(&e), 1000 + 3600 - 300);
        assert_eq!(at(&e, 1000 + 3000, false), Decision::Use);
        assert_eq!(at(&e, 1000 + 3300, false), Decision::Acquire);
        let short = entry(1000, 1000 + 120, false);
        assert_eq!(margin(1000, 1120), 60);
        assert_eq!(at(&short, 1059, false), Decision::Use);
        assert_eq!(at(&short, 1060, false), Decision::Acquire);
    }

    #[test]
    fn refreshes_when_stale_forced_or_unstamped_and_acquires_without_a_refresh_token() {
        let rt = Decision::Refresh(Secret::new("rt"));
        assert_eq!(at(&entry(0, 100, true), 99, false), rt);
        assert_eq!(at(&entry(1000, 5000, true), 1001, true), rt);
        assert_eq!(at(&entry(1000, 5000, false), 1001, true), Decision::Acquire);
        let broken_stamps = Facts {
            entry: Some(&entry(1000, 5000, true)),
            now: 1001,
            force_refresh: false,
            moment: Moment::BeforeLock,
            stamps_hold: false,
        };
        assert_eq!(decide(broken_stamps), rt);
        assert_eq!(
            decide(Facts {
                entry: None,
                ..broken_stamps
            }),
            Decision::Acquire
        );
    }

    #[test]
    fn after_the_lock_a_peers_token_satisfies_force_refresh() {
        let mine = entry(1000, 5000, true);
        let peer = CacheEntry {
            access_token: Secret::new("from-peer"),
            ..mine.clone()
        };
        let after = |entry: &CacheEntry, seen: Option<&Secret>| {
            decide(Facts {
                entry: Some(entry),
                now: 1001,
                force_refresh: true,
                moment: Moment::AfterLock { seen },
                stamps_hold: true,
            })
        };
        assert_eq!(after(&peer, Some(&mine.access_token)), Decision::Use);
        assert_eq!(after(&peer, None), Decision::Use, "written while we waited");
        assert_eq!(
            after(&mine, Some(&mine.access_token)),
            Decision::Refresh(Secret::new("rt")),
            "the same token we saw: refresh as asked"
        );
    }
}
