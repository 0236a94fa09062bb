//! The second factor: a TOTP authenticator app, set up by the person, with ten single-use
//! recovery codes for when the phone is lost.

use crate::Services;
use crate::auth::{second_factor_required, token_hash};
use crate::authz::Actor;
use crate::clock::wall_clock;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::totp;
use crate::work::{Who, Work};
use cyberveilig_store::records::{Person, TotpState};
use serde_json::json;

pub const RECOVERY_CODES: usize = 10;

/// What an authenticator app needs to be set up.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorStatus {
    pub enabled: bool,
    pub required: bool,
    pub unused_recovery_codes: i64,
}

/// A recovery code as people type it: case, spaces and dashes do not matter.
fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Twelve base32 characters (60 bits), shown as `XXXX-XXXX-XXXX`.
fn new_recovery_code() -> String {
    let text = totp::base32_encode(&rand::random::<[u8; 8]>());
    format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12])
}

impl Services {
    /// Checks a TOTP code (each code is good once) or uses up a recovery code. Wrong codes slow
    /// down the address's sign-ins like wrong passwords (issue 10, item 7).
    pub(crate) async fn check_second_factor(&self, person: &Person, code: &str, client: &str) -> Result<()> {
        let now = wall_clock();
        let address = person.email.as_str();
        let mut tx = self.write_tx().await?;
        crate::guard::sign_in_heard(tx.as_mut(), address, self.limits_now_ms()).await?;
        let mut state = tx.totp(person.id).await?;
        let ok = match state.secret.as_deref().filter(|_| state.enabled) {
            None => false,
            Some(secret) => match totp::matching_step(secret, code, now.timestamp()) {
                Some(step) if state.last_step.is_none_or(|last| step > last) => {
                    state.last_step = Some(step);
                    tx.set_totp(person.id, &state).await?;
                    true
                }
                Some(_) => false,
                None => {
                    let normalised = normalise_recovery_code(code);
                    normalised.len() == 12 && tx.use_recovery_code(person.id, &token_hash(&normalised), now).await?
                }
            },
        };
        tx.commit().await?;
        self.count_sign_in_attempt(address, client, ok).await?;
        if ok { Ok(()) } else { Err(ServiceError::BadCredentials) }
    }

    async fn person_of(&self, actor: &Actor) -> Result<Person> {
        let mut tx = self.store.read().await?;
        tx.person(actor.person_id).await?.ok_or(ServiceError::NotFound("person"))
    }

    pub async fn second_factor_status(&self, actor: &Actor) -> Result<SecondFactorStatus> {
        let mut tx = self.store.read().await?;
        let state = tx.totp(actor.person_id).await?;
        Ok(SecondFactorStatus {
            enabled: state.enabled,
            required: self.accounts.enforce_second_factor && second_factor_required(actor.role),
            unused_recovery_codes: tx.unused_recovery_codes(actor.person_id).await?,
        })
    }

    /// Starts setting up an authenticator app: a new secret, not in force until a code from the
    /// app confirms it.
    pub async fn begin_totp(&self, actor: &Actor) -> Result<TotpEnrolment> {
        let mut tx = self.write_tx().await?;
        if tx.totp(actor.person_id).await?.enabled {
            return Err(ServiceError::conflict(
                "second_factor_set_up_already",
                "A second factor is set up already.",
                "Er is al een tweede factor ingesteld.",
            ));
        }
        let secret = totp::new_secret();
        tx.set_totp(
            actor.person_id,
            &TotpState {
                secret: Some(secret.clone()),
                enabled: false,
                last_step: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            otpauth_uri: totp::otpauth_uri(&secret, &actor.email),
            secret,
        })
    }

    /// Confirms the app with one of its codes; the second factor is then in force, and the ten
    /// recovery codes returned are shown once and stored only hashed.
    pub async fn confirm_totp(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        let now = wall_clock();
        let mut work = Work::begin(self.store.as_ref(), now, Who::Person(actor.clone())).await?;
        let state = work.tx.totp(actor.person_id).await?;
        let Some(secret) = state.secret.filter(|_| !state.enabled) else {
            return Err(ServiceError::conflict(
                "second_factor_not_started",
                "Start setting up the authenticator app first.",
                "Begin eerst met het instellen van de authenticator-app.",
            ));
        };
        let Some(step) = totp::matching_step(&secret, code, now.timestamp()) else {
            return Err(ServiceError::invalid(
                "code",
                "this code does not match: check the time on your phone and try the next code",
                "deze code klopt niet: controleer de tijd op uw telefoon en probeer de volgende code",
            ));
        };
        work.tx
            .set_totp(
                actor.person_id,
                &TotpState {
                    secret: Some(secret),
                    enabled: true,
                    last_step: Some(step),
                },
            )
            .await?;
        let codes = self.store_new_recovery_codes(&mut work, actor.person_id).await?;
        work.record(Action::PersonSecondFactorEnabled, "person", actor.person_id, json!({}))
            .await?;
        work.commit().await?;
        Ok(codes)
    }

    async fn store_new_recovery_codes(&self, work: &mut Work, person_id: i64) -> Result<Vec<String>> {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| token_hash(&normalise_recovery_code(c))).collect();
        work.tx.replace_recovery_codes(person_id, &hashes).await?;
        Ok(codes)
    }

    /// New recovery codes (the old ones stop working), confirmed with a current code.
    pub async fn renew_recovery_codes(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        let person = self.person_of(actor).await?;
        self.check_second_factor(&person, code, &format!("person:{}", actor.person_id))
            .await?;
        let mut work = Work::begin(self.store.as_ref(), wall_clock(), Who::Person(actor.clone())).await?;
        let codes = self.store_new_recovery_codes(&mut work, actor.person_id).await?;
        work.record(Action::PersonRecoveryCodesRenewed, "person", actor.person_id, json!({}))
            .await?;
        work.commit().await?;
        Ok(codes)
    }

    /// Turns the second factor off, confirmed with a current code; not for roles that need it.
    pub async fn disable_totp(&self, actor: &Actor, code: &str) -> Result<()> {
        if self.accounts.enforce_second_factor && second_factor_required(actor.role) {
            return Err(ServiceError::conflict(
                "second_factor_required_by_role",
                "Your role needs a second factor; it cannot be turned off.",
                "Uw rol vraagt een tweede factor; die kan niet uitgeschakeld worden.",
            ));
        }
        let person = self.person_of(actor).await?;
        self.check_second_factor(&person, code, &format!("person:{}", actor.person_id))
            .await?;
        let mut work = Work::begin(self.store.as_ref(), wall_clock(), Who::Person(actor.clone())).await?;
        work.tx.set_totp(actor.person_id, &TotpState::default()).await?;
        work.tx.replace_recovery_codes(actor.person_id, &[]).await?;
        work.record(Action::PersonSecondFactorDisabled, "person", actor.person_id, json!({}))
            .await?;
        work.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_long_and_typed_loosely() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(
            normalise_recovery_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
    }
}
