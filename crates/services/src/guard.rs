//! Limits on what one client or one address may ask for (SEC-1, SEC-2; issue 10, items 6 and 7),
//! kept in the database so every server sharing it counts together: reports, registrations,
//! invitations and password resets per client and per address, and the slow-down of wrong sign-ins.
//! The rules (how many, how long) are in [`cyberveilig_domain::throttle`]; this module keeps their
//! state.
//!
//! A client is the signed-in person (`person:ID`) or the connection's address (`ip:ADDRESS`), as
//! the web layer says. Behind a reverse proxy every client has the proxy's address: no
//! `X-Forwarded-For` is trusted.

use crate::Services;
use crate::error::{Limited, Result, ServiceError};
use chrono::Duration;
use cyberveilig_domain::throttle::{self, Limit};
use cyberveilig_store::Tx;

/// Attempts to change a limit's state when other servers change it at the same moment.
const SWAP_ATTEMPTS: usize = 8;

/// One limit: its scope in the store, what it limits, and how much.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub scope: &'static str,
    pub what: Limited,
    pub limit: Limit,
}

/// Reports to governments per client (the public form and the API): 5 at once, then one every
/// 2 minutes (R3).
pub const REPORTS_PER_CLIENT: Rule = Rule {
    scope: "reports/client",
    what: Limited::Reports,
    limit: Limit::new(5, Duration::minutes(10)),
};
/// Registrations of researchers per client.
pub const REGISTRATIONS_PER_CLIENT: Rule = Rule {
    scope: "registrations/client",
    what: Limited::Registrations,
    limit: Limit::new(5, Duration::hours(1)),
};
/// Registration mails per address: never a second one within an hour.
pub const REGISTRATION_MAILS_PER_ADDRESS: Rule = Rule {
    scope: "registrations/address",
    what: Limited::Registrations,
    limit: Limit::new(1, Duration::hours(1)),
};
/// Password-reset requests per client.
pub const RESETS_PER_CLIENT: Rule = Rule {
    scope: "resets/client",
    what: Limited::PasswordResets,
    limit: Limit::new(10, Duration::hours(1)),
};
/// Password-reset mails per address: 3 at once, then one every 20 minutes.
pub const RESET_MAILS_PER_ADDRESS: Rule = Rule {
    scope: "resets/address",
    what: Limited::PasswordResets,
    limit: Limit::new(3, Duration::hours(1)),
};
/// Invitations a person sends.
pub const INVITATIONS_PER_PERSON: Rule = Rule {
    scope: "invitations/person",
    what: Limited::Invitations,
    limit: Limit::new(50, Duration::hours(1)),
};
/// Invitation mails to one address: 3 a day.
pub const INVITATION_MAILS_PER_ADDRESS: Rule = Rule {
    scope: "invitations/address",
    what: Limited::Invitations,
    limit: Limit::new(3, Duration::days(1)),
};
/// Wrong sign-ins per client, whatever address they try: 20 at once, then one every 45 seconds.
pub const WRONG_SIGN_INS_PER_CLIENT: Rule = Rule {
    scope: "sign-ins/client",
    what: Limited::SignIns,
    limit: Limit::new(20, Duration::minutes(15)),
};
/// The slow-down of sign-ins per address ([`throttle::sign_in_delay`]).
pub const SIGN_IN_ADDRESS_SCOPE: &str = "sign-ins/address";

/// The limits whose state is a time ([`throttle::admit`]); forgotten once that time passed.
const TIMED_RULES: [Rule; 8] = [
    REPORTS_PER_CLIENT,
    REGISTRATIONS_PER_CLIENT,
    REGISTRATION_MAILS_PER_ADDRESS,
    RESETS_PER_CLIENT,
    RESET_MAILS_PER_ADDRESS,
    INVITATIONS_PER_PERSON,
    INVITATION_MAILS_PER_ADDRESS,
    WRONG_SIGN_INS_PER_CLIENT,
];

fn seconds(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000).max(1)
}

fn refused(rule: Rule, wait_ms: i64) -> ServiceError {
    ServiceError::RateLimited {
        what: rule.what,
        retry_after: seconds(wait_ms),
    }
}

/// Counts one event of `key` under `rule` in the caller's transaction: `Err(RateLimited)` when it
/// is one too many (and then nothing is counted).
pub(crate) async fn take(tx: &mut dyn Tx, rule: Rule, key: &str, now_ms: i64) -> Result<()> {
    for _ in 0..SWAP_ATTEMPTS {
        let state = tx.rate_limit(rule.scope, key).await?;
        let next = throttle::admit(rule.limit, state, now_ms).map_err(|wait| refused(rule, wait))?;
        if tx.swap_rate_limit(rule.scope, key, state, next).await? {
            return Ok(());
        }
    }
    Err(ServiceError::conflict(
        "busy_try_again",
        format!("Too many requests at once for the limit on {}; try again.", rule.scope),
        format!("Te veel gelijktijdige aanvragen voor de limiet op {}; probeer opnieuw.", rule.scope),
    ))
}

/// Whether one more event of `key` would be allowed, without counting it.
pub(crate) async fn check(tx: &mut dyn Tx, rule: Rule, key: &str, now_ms: i64) -> Result<()> {
    let state = tx.rate_limit(rule.scope, key).await?;
    throttle::admit(rule.limit, state, now_ms)
        .map(drop)
        .map_err(|wait| refused(rule, wait))
}

/// Like [`take`], but says whether it was allowed instead of refusing: for limits that are kept
/// silently, such as mails to one address (the caller answers the same either way).
pub(crate) async fn try_take(tx: &mut dyn Tx, rule: Rule, key: &str, now_ms: i64) -> Result<bool> {
    match take(tx, rule, key, now_ms).await {
        Ok(()) => Ok(true),
        Err(ServiceError::RateLimited { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// SEC-2: the sign-in slow-down of an address: `Err(RateLimited)` while it must still wait.
pub(crate) async fn sign_in_heard(tx: &mut dyn Tx, address: &str, now_ms: i64) -> Result<()> {
    let state = tx.rate_limit(SIGN_IN_ADDRESS_SCOPE, address).await?;
    throttle::sign_in_allowed(state, now_ms).map_err(|wait| ServiceError::RateLimited {
        what: Limited::SignIns,
        retry_after: seconds(wait),
    })
}

/// Counts a wrong sign-in on an address (one more in a row, now), or clears the count after a
/// right one.
pub(crate) async fn sign_in_outcome(tx: &mut dyn Tx, address: &str, success: bool, now_ms: i64) -> Result<()> {
    for _ in 0..SWAP_ATTEMPTS {
        let state = tx.rate_limit(SIGN_IN_ADDRESS_SCOPE, address).await?;
        let next = if success {
            match state {
                None => return Ok(()),
                Some(_) => throttle::pack_failures(now_ms, 0),
            }
        } else {
            let failures = state.map_or(0, |s| throttle::unpack_failures(s).1);
            throttle::pack_failures(now_ms, failures.saturating_add(1))
        };
        if tx.swap_rate_limit(SIGN_IN_ADDRESS_SCOPE, address, state, next).await? {
            return Ok(());
        }
    }
    Err(ServiceError::conflict(
        "busy_try_again",
        "Too many sign-ins at once for this account; try again.",
        "Te veel gelijktijdige aanmeldingen voor deze account; probeer opnieuw.",
    ))
}

impl Services {
    /// Milliseconds of the limits' clock (real time; a test may set its own).
    pub(crate) fn limits_now_ms(&self) -> i64 {
        self.limits_clock.now().timestamp_millis()
    }

    /// Forgets limits and idempotency keys nobody needs any more: limits whose time passed,
    /// sign-in counts quiet for a day, keys older than [`crate::idempotency::KEPT_FOR`]. Run by
    /// the server's worker every minute. Returns how many were forgotten.
    pub async fn forget_stale_limits(&self) -> Result<u64> {
        let now_ms = self.limits_now_ms();
        let mut tx = self.store.write().await?;
        let mut forgotten = 0;
        for rule in TIMED_RULES {
            forgotten += tx.forget_rate_limits(rule.scope, now_ms).await?;
        }
        let quiet = throttle::pack_failures(now_ms - Duration::days(1).num_milliseconds(), 0);
        forgotten += tx.forget_rate_limits(SIGN_IN_ADDRESS_SCOPE, quiet).await?;
        forgotten += tx
            .forget_idempotency_keys(crate::clock::wall_clock() - crate::idempotency::KEPT_FOR)
            .await?;
        tx.commit().await?;
        Ok(forgotten)
    }
}
