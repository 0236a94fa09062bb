//! Passwords (Argon2id) and API tokens (random, stored only as a SHA-256 hash).

use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::clock::Clock;
use crate::Services;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use cyberveilig_domain::registry::EmailAddress;
use cyberveilig_store::records::Person;
use sha2::{Digest, Sha256};

/// How long a token from `POST /auth/token` stays valid.
pub const TOKEN_LIFETIME: Duration = Duration::hours(12);

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Conflict(format!("password hashing failed: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Tokens live in real time, not programme time: moving a demo or test clock through the
/// programme's months must not sign everybody out, nor keep a stolen token alive.
fn wall_clock() -> DateTime<Utc> {
    crate::clock::SystemClock.now()
}

fn token_hash(token: &str) -> String {
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
    /// Signs in with email and password and issues a bearer token.
    pub async fn issue_token(&self, email: &str, password: &str) -> Result<IssuedToken> {
        let email: EmailAddress = email.parse().map_err(|_| ServiceError::BadCredentials)?;
        let person = {
            let mut tx = self.store.read().await?;
            tx.person_by_email(&email).await?
        };
        // Verify against a fixed hash when the person is unknown, so timing does not tell
        // which addresses have an account.
        let phc = person.as_ref().map(|p| p.password_hash.as_str()).unwrap_or(DUMMY_HASH);
        let password = password.to_owned();
        let phc_owned = phc.to_owned();
        let matches = tokio::task::spawn_blocking(move || password_matches(&password, &phc_owned))
            .await
            .unwrap_or(false);
        let person = match person {
            Some(p) if matches => p,
            _ => return Err(ServiceError::BadCredentials),
        };
        let token = format!("cv_{}", hex::encode(rand::random::<[u8; 32]>()));
        let now = wall_clock();
        let expires_at = now + TOKEN_LIFETIME;
        let mut tx = self.store.write().await?;
        tx.insert_token(&token_hash(&token), person.id, now, expires_at).await?;
        tx.commit().await?;
        Ok(IssuedToken { token, expires_at, actor: actor_of(&person) })
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
        let mut tx = self.store.write().await?;
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
