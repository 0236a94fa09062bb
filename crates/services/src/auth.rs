//! Passwords (Argon2id) and API tokens (random, stored only as a SHA-256 hash).

use crate::Services;
use crate::authz::Actor;
use crate::clock::wall_clock;
use crate::error::{Result, ServiceError};
use crate::guard;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use chrono::{DateTime, Duration, Utc};
use cyberveilig_domain::registry::{EmailAddress, Role};
#[cfg(doc)]
use cyberveilig_domain::throttle;
use cyberveilig_store::records::{NewSession, Person};
use sha2::{Digest, Sha256};

/// How long a token from `POST /auth/token` stays valid.
pub const TOKEN_LIFETIME: Duration = Duration::hours(12);
/// How long a portal session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);

/// A portal session: the cookie's value, its CSRF token, who it is, and how far the sign-in is.
#[derive(Debug, Clone)]
pub struct PortalSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    pub stage: SessionStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    SignedIn,
    /// The password was right; the TOTP code (or a recovery code) is still to come.
    SecondFactorPending,
    /// Signed in, but the role needs a second factor that is not set up yet: the session may
    /// only set it up.
    EnrolmentRequired,
}

/// Roles that must sign in with a second factor where the installation enforces it: they move
/// money or see every government's weaknesses.
pub fn second_factor_required(role: Role) -> bool {
    matches!(role, Role::ProgrammeAdmin | Role::FirmMember)
}

pub(crate) fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::internal("password_hashing", format!("password hashing failed: {e}")))
}

pub(crate) fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn actor_of(person: &Person) -> Actor {
    Actor {
        person_id: person.id,
        email: person.email.to_string(),
        role: person.role,
        organisation_id: person.organisation_id,
        language: person.language.clone(),
    }
}

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub actor: Actor,
}

impl Services {
    /// Checks an email address and password for a sign-in from `client` (issue 10, item 7).
    /// Known and unknown addresses are answered alike, in about the same time: wrong, until
    /// [`throttle::FREE_SIGN_IN_FAILURES`] wrong attempts in a row on the address; from then on
    /// each attempt waits a little longer (1, 2, 4 ... seconds, at most a minute) before the
    /// password is even looked at, so guessing is slow and nobody is locked out for long. A
    /// client with too many wrong attempts, on whatever addresses, waits too.
    pub async fn verify_credentials(&self, email: &str, password: &str, client: &str) -> Result<Person> {
        let address = email.trim().to_lowercase();
        // No address is longer than 254 characters; a longer text is counted by its hash, so
        // nobody stores megabytes as keys of the slow-down.
        let address = if address.len() <= 254 {
            address
        } else {
            format!("sha256:{}", token_hash(&address))
        };
        let now_ms = self.limits_now_ms();
        {
            let mut tx = self.store.read().await?;
            guard::check(tx.as_mut(), guard::WRONG_SIGN_INS_PER_CLIENT, client, now_ms).await?;
            guard::sign_in_heard(tx.as_mut(), &address, now_ms).await?;
        }
        let person = match address.parse::<EmailAddress>() {
            Ok(email) => {
                let mut tx = self.store.read().await?;
                tx.person_by_email(&email).await?
            }
            Err(_) => None,
        };
        // Verify against a fixed hash when the person is unknown, so timing does not tell
        // which addresses have an account.
        let phc = person
            .as_ref()
            .map(|p| p.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_owned());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || password_matches(&password, &phc))
            .await
            .unwrap_or(false);
        let success = matches && person.is_some();
        self.count_sign_in_attempt(&address, client, success).await?;
        person.filter(|_| success).ok_or(ServiceError::BadCredentials)
    }

    /// Counts a sign-in attempt on an address: a right one clears its count, a wrong one counts
    /// for the address and for the client. Wrong passwords and wrong second-factor codes count
    /// alike.
    pub(crate) async fn count_sign_in_attempt(&self, address: &str, client: &str, success: bool) -> Result<()> {
        let now_ms = self.limits_now_ms();
        let mut tx = self.write_tx().await?;
        guard::sign_in_outcome(tx.as_mut(), address, success, now_ms).await?;
        if !success {
            // Over the client's limit already: the address's count above still stands.
            let _ = guard::try_take(tx.as_mut(), guard::WRONG_SIGN_INS_PER_CLIENT, client, now_ms).await?;
        }
        tx.commit().await.map_err(Into::into)
    }

    fn must_enrol(&self, person: &Person) -> bool {
        self.accounts.enforce_second_factor && second_factor_required(person.role) && !person.totp_enabled
    }

    /// Signs in with email, password and, for a person with a second factor, its code, and
    /// issues a bearer token.
    pub async fn issue_token(&self, email: &str, password: &str, second_factor: Option<&str>, client: &str) -> Result<IssuedToken> {
        let person = self.verify_credentials(email, password, client).await?;
        if person.totp_enabled {
            let code = second_factor.ok_or(ServiceError::SecondFactorRequired)?;
            self.check_second_factor(&person, code, client).await?;
        } else if self.must_enrol(&person) {
            return Err(ServiceError::SecondFactorEnrolment);
        }
        let token = random_token("cv_");
        let now = wall_clock();
        let expires_at = now + TOKEN_LIFETIME;
        let mut tx = self.write_tx().await?;
        tx.insert_token(&token_hash(&token), person.id, None, now, expires_at).await?;
        tx.commit().await?;
        Ok(IssuedToken {
            token,
            expires_at,
            actor: actor_of(&person),
        })
    }

    /// Signs in to the portal: a new server-side session with its own CSRF token. A new session
    /// every time, so a session id planted before sign-in is worth nothing after it. A person
    /// with a second factor gets a session that only lets them enter its code.
    pub async fn sign_in(&self, email: &str, password: &str, client: &str) -> Result<PortalSession> {
        let person = self.verify_credentials(email, password, client).await?;
        let stage = if person.totp_enabled {
            SessionStage::SecondFactorPending
        } else if self.must_enrol(&person) {
            SessionStage::EnrolmentRequired
        } else {
            SessionStage::SignedIn
        };
        self.open_session(&person, stage).await
    }

    pub(crate) async fn open_session(&self, person: &Person, stage: SessionStage) -> Result<PortalSession> {
        let token = random_token("");
        let csrf = random_token("");
        let now = wall_clock();
        let mut tx = self.write_tx().await?;
        tx.insert_session(&NewSession {
            token_hash: &token_hash(&token),
            person_id: person.id,
            csrf_token: &csrf,
            second_factor_pending: stage == SessionStage::SecondFactorPending,
            at: now,
            expires: now + SESSION_LIFETIME,
        })
        .await?;
        tx.commit().await?;
        Ok(PortalSession {
            token,
            csrf,
            actor: actor_of(person),
            stage,
        })
    }

    /// Completes a sign-in with the TOTP code or a recovery code: the waiting session ends and a
    /// new, full one begins.
    pub async fn complete_second_factor(&self, token: &str, code: &str, client: &str) -> Result<PortalSession> {
        let person = {
            let mut tx = self.store.read().await?;
            match tx.session(&token_hash(token), wall_clock()).await? {
                Some((person, _, true)) => person,
                Some(_) => {
                    return Err(ServiceError::conflict(
                        "signed_in_already",
                        "This session is signed in already.",
                        "Deze sessie is al aangemeld.",
                    ));
                }
                None => return Err(ServiceError::Unauthenticated),
            }
        };
        self.check_second_factor(&person, code, client).await?;
        self.sign_out(token).await?;
        self.open_session(&person, SessionStage::SignedIn).await
    }

    /// The person signed in with a session cookie, and the session's CSRF token. Only a full
    /// session: one waiting for its second factor, or for one to be set up, is refused.
    pub async fn session(&self, token: &str) -> Result<(Actor, String)> {
        match self.session_at_any_stage(token).await? {
            (actor, csrf, SessionStage::SignedIn) => Ok((actor, csrf)),
            (_, _, SessionStage::SecondFactorPending) => Err(ServiceError::SecondFactorRequired),
            (_, _, SessionStage::EnrolmentRequired) => Err(ServiceError::SecondFactorEnrolment),
        }
    }

    /// A live session whatever its stage: for the pages that finish a sign-in.
    pub async fn session_at_any_stage(&self, token: &str) -> Result<(Actor, String, SessionStage)> {
        let mut tx = self.store.read().await?;
        match tx.session(&token_hash(token), wall_clock()).await? {
            Some((person, csrf, pending)) => {
                let stage = if pending {
                    SessionStage::SecondFactorPending
                } else if self.must_enrol(&person) {
                    SessionStage::EnrolmentRequired
                } else {
                    SessionStage::SignedIn
                };
                Ok((actor_of(&person), csrf, stage))
            }
            None => Err(ServiceError::Unauthenticated),
        }
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        tx.revoke_session(&token_hash(token), wall_clock()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of the actor.
    pub async fn sign_out_everywhere(&self, actor: &Actor) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let n = tx.revoke_all_sessions(actor.person_id, wall_clock()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The person a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        match tx.person_by_token(&token_hash(token), wall_clock()).await? {
            Some(person) => Ok(actor_of(&person)),
            None => Err(ServiceError::Unauthenticated),
        }
    }

    pub async fn revoke_token(&self, token: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        tx.revoke_token(&token_hash(token), wall_clock()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An Argon2id hash of a random password nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yd0DqVyfOn1VrgGbqWZQpQ2lDgxu+m8sbIFD6QbnFGw";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(password_matches("correct horse", &phc));
        assert!(!password_matches("wrong", &phc));
        assert!(!password_matches("anything", "not a hash"));
    }
}
