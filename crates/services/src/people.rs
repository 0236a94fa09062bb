//! People and their accounts: invitations, self-registration of researchers, password resets,
//! the language they read in, their API tokens, and the mail all of this sends (written to the
//! outbox in the same transaction; a job delivers it).

use crate::Services;
use crate::auth::{PortalSession, SessionStage, actor_of, hash_password, random_token, token_hash};
use crate::authz::{Actor, Permission, can};
use crate::clock::wall_clock;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::guard;
use crate::work::{Who, Work};
use chrono::Duration;
use cyberveilig_domain::registry::{EmailAddress, OrganisationKind, Role};
use cyberveilig_store::records::{ApiTokenInfo, Invitation, Mail, NewMail, NewPerson, Person};
use serde_json::json;

pub const INVITATION_LIFETIME: Duration = Duration::days(14);
pub const RESET_LIFETIME: Duration = Duration::hours(1);
pub const MIN_PASSWORD: usize = 12;
pub const MAX_PASSWORD: usize = 256;
pub const LANGUAGES: [&str; 2] = ["nl", "en"];

/// Who to invite, to which organisation, in which role.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: i64,
}

/// A new API token: shown once.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token: String,
    pub info: ApiTokenInfo,
}

pub fn check_password(password: &str) -> Result<()> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(ServiceError::invalid(
            "password",
            format!("a password has at least {MIN_PASSWORD} characters"),
            format!("een wachtwoord heeft minstens {MIN_PASSWORD} tekens"),
        ));
    }
    if length > MAX_PASSWORD {
        return Err(ServiceError::invalid(
            "password",
            format!("a password has at most {MAX_PASSWORD} characters"),
            format!("een wachtwoord heeft hoogstens {MAX_PASSWORD} tekens"),
        ));
    }
    Ok(())
}

fn parse_email(text: &str) -> Result<EmailAddress> {
    text.trim().parse().map_err(|_| {
        ServiceError::invalid(
            "email",
            format!("'{text}' is not an email address"),
            format!("'{text}' is geen e-mailadres"),
        )
    })
}

/// A name is one line of 1 to 200 visible characters: it goes into mail, where a line break
/// would start a line of the sender's choosing (issue 10, item 6).
fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "name",
            "a name of 1 to 200 characters is needed",
            "een naam van 1 tot 200 tekens is nodig",
        ));
    }
    if !cyberveilig_domain::text::is_plain_line(name) {
        return Err(ServiceError::invalid(
            "name",
            "a name is one line, without control or invisible characters",
            "een naam is één regel, zonder stuur- of onzichtbare tekens",
        ));
    }
    Ok(name.to_owned())
}

/// Mail goes out in Dutch and English: an invitee's language is not known yet.
fn mail(to: &EmailAddress, subject: &str, nl: &str, en: &str) -> NewMail {
    NewMail {
        to: to.clone(),
        subject: subject.to_owned(),
        body: format!("{nl}\n\n---\n\n{en}\n\n-- \ncyberveilig\n"),
    }
}

impl Services {
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.accounts.public_url.trim_end_matches('/'))
    }

    /// Sends an invitation: the invitee sets a password through the link and is signed in.
    /// Administrators invite anyone; a government's contact invites colleagues.
    pub async fn invite(&self, actor: &Actor, new: NewInvitation) -> Result<Invitation> {
        let email = parse_email(&new.email)?;
        let name = check_name(&new.name)?;
        let now = self.clock.now();
        let mut work = Work::begin(self.store.as_ref(), now, Who::Person(actor.clone())).await?;
        let organisation = work
            .tx
            .organisation(new.organisation_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        if !can(actor, Permission::InvitePerson(&organisation, new.role)) {
            return Err(ServiceError::Forbidden);
        }
        if !new.role.fits(organisation.kind) {
            return Err(ServiceError::invalid(
                "role",
                format!("a {} cannot belong to {}", new.role.as_str(), organisation.name),
                format!("een {} kan niet bij {} horen", new.role.as_str(), organisation.name),
            ));
        }
        if work.tx.person_by_email(&email).await?.is_some() {
            return Err(account_exists(&email));
        }
        let now_ms = self.limits_now_ms();
        guard::take(
            work.tx.as_mut(),
            guard::INVITATIONS_PER_PERSON,
            &actor.person_id.to_string(),
            now_ms,
        )
        .await?;
        guard::take(work.tx.as_mut(), guard::INVITATION_MAILS_PER_ADDRESS, email.as_str(), now_ms).await?;
        let token = random_token("");
        let invitation = Invitation {
            token_hash: token_hash(&token),
            email: email.clone(),
            name,
            role: new.role,
            organisation_id: organisation.id,
            invited_by: Some(actor.person_id),
            created_at: now,
            expires_at: now + INVITATION_LIFETIME,
            accepted_at: None,
        };
        work.tx.insert_invitation(&invitation).await?;
        let url = self.link(&format!("/uitnodiging/{token}"));
        let expires = crate::clock::brussels_date(invitation.expires_at).format("%d/%m/%Y");
        work.tx
            .insert_mail(
                &mail(
                    &email,
                    &format!("Uitnodiging voor cyberveilig / Invitation to cyberveilig ({})", organisation.name),
                    &format!(
                        "Beste {},\n\nU bent uitgenodigd om voor {} mee te werken aan het programma cyberveilige lokale besturen.\nKies uw wachtwoord via deze link (geldig tot {expires}):\n\n{url}",
                        invitation.name, organisation.name
                    ),
                    &format!(
                        "Dear {},\n\nYou are invited to work for {} in the programme for cyber-secure local governments.\nChoose your password through this link (valid until {expires}):\n\n{url}",
                        invitation.name, organisation.name
                    ),
                ),
                now,
            )
            .await?;
        work.record(
            Action::InvitationSent,
            "organisation",
            organisation.id,
            json!({"email": email.as_str(), "role": new.role.as_str()}),
        )
        .await?;
        work.commit().await?;
        Ok(invitation)
    }

    /// An open invitation, for the page where it is accepted.
    pub async fn open_invitation(&self, token: &str) -> Result<Invitation> {
        let mut tx = self.store.read().await?;
        match tx.invitation(&token_hash(token)).await? {
            Some(i) if i.accepted_at.is_none() && i.expires_at > self.clock.now() => Ok(i),
            _ => Err(ServiceError::LinkInvalid),
        }
    }

    /// Accepts an invitation: the account is made with the chosen password and signed in.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<PortalSession> {
        check_password(password)?;
        let invitation = self.open_invitation(token).await?;
        let phc = hash_password(password)?;
        let now = self.clock.now();
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        if !work.tx.accept_invitation(&invitation.token_hash, now).await? {
            return Err(ServiceError::LinkInvalid);
        }
        let id = work
            .tx
            .insert_person(&NewPerson {
                organisation_id: invitation.organisation_id,
                email: invitation.email.clone(),
                name: invitation.name.clone(),
                role: invitation.role,
                password_hash: phc,
                language: "nl".into(),
            })
            .await
            .map_err(|e| match e {
                cyberveilig_store::StoreError::Duplicate => account_exists(&invitation.email),
                other => other.into(),
            })?;
        work.record(
            Action::PersonJoined,
            "person",
            id,
            json!({"email": invitation.email.as_str(), "role": invitation.role.as_str(), "organisation_id": invitation.organisation_id, "invited_by": invitation.invited_by}),
        )
        .await?;
        let person = work.tx.person(id).await?.ok_or(ServiceError::NotFound("person"))?;
        work.commit().await?;
        let stage = if self.accounts.enforce_second_factor && crate::auth::second_factor_required(person.role) {
            SessionStage::EnrolmentRequired
        } else {
            SessionStage::SignedIn
        };
        self.open_session(&person, stage).await
    }

    /// A researcher registers from `client`: an invitation to themselves, to the education
    /// partner they work with, so the address is proven by the link before an account exists.
    /// A client registers at most a few times an hour; an address gets at most one registration
    /// mail an hour, and a registration beyond that is answered the same but sends nothing
    /// (issue 10, item 6).
    pub async fn register_researcher(&self, email: &str, name: &str, organisation_id: i64, client: &str) -> Result<()> {
        let email = parse_email(email)?;
        let name = check_name(name)?;
        let now = self.clock.now();
        let now_ms = self.limits_now_ms();
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        let organisation = work
            .tx
            .organisation(organisation_id)
            .await?
            .filter(|o| o.kind == OrganisationKind::EducationPartner)
            .ok_or(ServiceError::NotFound("education partner"))?;
        guard::take(work.tx.as_mut(), guard::REGISTRATIONS_PER_CLIENT, client, now_ms).await?;
        if !guard::try_take(work.tx.as_mut(), guard::REGISTRATION_MAILS_PER_ADDRESS, email.as_str(), now_ms).await? {
            // Mailed within the hour: the same answer, and nothing more in its inbox.
            work.commit().await?;
            return Ok(());
        }
        // Whether the address has an account is not told: the mail says so instead.
        let existing = work.tx.person_by_email(&email).await?;
        let token = random_token("");
        if existing.is_none() {
            work.tx
                .insert_invitation(&Invitation {
                    token_hash: token_hash(&token),
                    email: email.clone(),
                    name: name.clone(),
                    role: Role::Researcher,
                    organisation_id,
                    invited_by: None,
                    created_at: now,
                    expires_at: now + INVITATION_LIFETIME,
                    accepted_at: None,
                })
                .await?;
        }
        let message = match existing {
            None => {
                let url = self.link(&format!("/uitnodiging/{token}"));
                mail(
                    &email,
                    "Uw registratie bij cyberveilig / Your registration with cyberveilig",
                    &format!(
                        "Beste {name},\n\nBevestig uw registratie als onderzoeker bij {} en kies uw wachtwoord:\n\n{url}",
                        organisation.name
                    ),
                    &format!(
                        "Dear {name},\n\nConfirm your registration as a researcher with {} and choose your password:\n\n{url}",
                        organisation.name
                    ),
                )
            }
            Some(_) => mail(
                &email,
                "Uw registratie bij cyberveilig / Your registration with cyberveilig",
                "Er bestaat al een account met dit adres. Wachtwoord vergeten? Vraag op de aanmeldpagina een nieuw aan.",
                "An account with this address exists already. Forgot the password? Ask for a new one on the sign-in page.",
            ),
        };
        work.tx.insert_mail(&message, now).await?;
        work.commit().await?;
        Ok(())
    }

    /// Sends a link to choose a new password, for a request from `client`. Says nothing about
    /// whether the address has an account: the answer is the same either way, and so is the work
    /// done. A client asks at most a few times an hour; an address gets at most a few mails an
    /// hour, and a request beyond that sends nothing (issue 10, item 6).
    pub async fn request_password_reset(&self, email: &str, client: &str) -> Result<()> {
        let Ok(email) = email.trim().parse::<EmailAddress>() else {
            return Ok(());
        };
        let now = wall_clock();
        let now_ms = self.limits_now_ms();
        let mut tx = self.write_tx().await?;
        guard::take(tx.as_mut(), guard::RESETS_PER_CLIENT, client, now_ms).await?;
        let mail_allowed = guard::try_take(tx.as_mut(), guard::RESET_MAILS_PER_ADDRESS, email.as_str(), now_ms).await?;
        let person = tx.person_by_email(&email).await?;
        let Some(person) = person.filter(|_| mail_allowed) else {
            tx.commit().await?;
            return Ok(());
        };
        let token = random_token("");
        tx.insert_password_reset(&token_hash(&token), person.id, now, now + RESET_LIFETIME)
            .await?;
        let url = self.link(&format!("/wachtwoord/nieuw/{token}"));
        tx.insert_mail(
            &mail(
                &email,
                "Nieuw wachtwoord voor cyberveilig / New password for cyberveilig",
                &format!("Beste {},\n\nKies een nieuw wachtwoord via deze link (een uur geldig):\n\n{url}\n\nVroeg u dit niet aan? Dan mag u deze mail negeren.", person.name),
                &format!("Dear {},\n\nChoose a new password through this link (valid for one hour):\n\n{url}\n\nDid you not ask for this? Then ignore this mail.", person.name),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password through a reset link; every session and token of the person ends.
    pub async fn reset_password(&self, token: &str, password: &str) -> Result<()> {
        check_password(password)?;
        let phc = hash_password(password)?;
        let now = wall_clock();
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        let person_id = work
            .tx
            .use_password_reset(&token_hash(token), now)
            .await?
            .ok_or(ServiceError::LinkInvalid)?;
        work.tx.set_password(person_id, &phc).await?;
        work.tx.revoke_all_sessions(person_id, now).await?;
        work.record(Action::PersonPasswordReset, "person", person_id, json!({})).await?;
        work.commit().await?;
        Ok(())
    }

    /// Makes an account directly, for the installation's first administrator (`cyberveilig
    /// person add`): whoever runs the command on the server is trusted.
    pub async fn add_person_as_operator(
        &self,
        email: &str,
        name: &str,
        role: Role,
        organisation_id: i64,
        password: &str,
    ) -> Result<Person> {
        let email = parse_email(email)?;
        let name = check_name(name)?;
        check_password(password)?;
        let phc = hash_password(password)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::System).await?;
        let organisation = work
            .tx
            .organisation(organisation_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        if !role.fits(organisation.kind) {
            return Err(ServiceError::invalid(
                "role",
                format!("a {} cannot belong to {}", role.as_str(), organisation.name),
                format!("een {} kan niet bij {} horen", role.as_str(), organisation.name),
            ));
        }
        let id = work
            .tx
            .insert_person(&NewPerson {
                organisation_id,
                email: email.clone(),
                name,
                role,
                password_hash: phc,
                language: "nl".into(),
            })
            .await
            .map_err(|e| match e {
                cyberveilig_store::StoreError::Duplicate => account_exists(&email),
                other => other.into(),
            })?;
        work.record(
            Action::PersonAddedByOperator,
            "person",
            id,
            json!({"email": email.as_str(), "role": role.as_str()}),
        )
        .await?;
        let person = work.tx.person(id).await?.ok_or(ServiceError::NotFound("person"))?;
        work.commit().await?;
        Ok(person)
    }

    /// The people of an organisation (or everybody, for an administrator).
    pub async fn people(&self, actor: &Actor, organisation_id: Option<i64>) -> Result<Vec<Person>> {
        if !can(actor, Permission::ViewPeopleOf(organisation_id)) {
            return Err(ServiceError::Forbidden);
        }
        let scope = organisation_id;
        let mut tx = self.store.read().await?;
        Ok(tx.people(scope).await?)
    }

    /// Invitations to an organisation (or all, for an administrator), newest first.
    pub async fn invitations(&self, actor: &Actor, organisation_id: Option<i64>) -> Result<Vec<Invitation>> {
        if !can(actor, Permission::ViewPeopleOf(organisation_id)) {
            return Err(ServiceError::Forbidden);
        }
        let scope = organisation_id;
        let mut tx = self.store.read().await?;
        Ok(tx.invitations(scope).await?)
    }

    pub async fn set_language(&self, actor: &Actor, language: &str) -> Result<()> {
        if !LANGUAGES.contains(&language) {
            return Err(ServiceError::invalid("language", "choose nl or en", "kies nl of en"));
        }
        let mut tx = self.write_tx().await?;
        tx.set_language(actor.person_id, language).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A token for a machine client: it acts as its maker, in the maker's one organisation and
    /// role, until it expires or is revoked.
    pub async fn create_api_token(&self, actor: &Actor, name: &str, valid_days: i64) -> Result<NewApiToken> {
        let name = check_name(name)?;
        if !(1..=366).contains(&valid_days) {
            return Err(ServiceError::invalid(
                "valid_days",
                "a token is valid for 1 to 366 days",
                "een token is 1 tot 366 dagen geldig",
            ));
        }
        let token = random_token("cv_");
        let hash = token_hash(&token);
        let now = wall_clock();
        let expires = now + Duration::days(valid_days);
        let mut work = Work::begin(self.store.as_ref(), now, Who::Person(actor.clone())).await?;
        work.tx.insert_token(&hash, actor.person_id, Some(&name), now, expires).await?;
        work.record(
            Action::ApiTokenCreated,
            "person",
            actor.person_id,
            json!({"name": name, "id": &hash[..12]}),
        )
        .await?;
        work.commit().await?;
        Ok(NewApiToken {
            token,
            info: ApiTokenInfo {
                id: hash[..12].to_owned(),
                name: Some(name),
                created_at: now,
                expires_at: expires,
                revoked_at: None,
            },
        })
    }

    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiTokenInfo>> {
        let mut tx = self.store.read().await?;
        Ok(tx.api_tokens_of(actor.person_id).await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> Result<()> {
        let now = wall_clock();
        let mut work = Work::begin(self.store.as_ref(), now, Who::Person(actor.clone())).await?;
        if !work.tx.revoke_token_of(actor.person_id, id, now).await? {
            return Err(ServiceError::NotFound("API token"));
        }
        work.record(Action::ApiTokenRevoked, "person", actor.person_id, json!({"id": id}))
            .await?;
        work.commit().await?;
        Ok(())
    }

    /// The outbox, newest first: what the platform mailed, and whether it went out.
    pub async fn outbox(&self, actor: &Actor, limit: i64) -> Result<Vec<Mail>> {
        if !can(actor, Permission::ReadOutbox) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.mails(limit.clamp(1, 500)).await?)
    }

    /// Signs in the person an accepted invitation made, by id (for tests and the CLI).
    pub async fn actor(&self, person_id: i64) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        let person = tx.person(person_id).await?.ok_or(ServiceError::NotFound("person"))?;
        Ok(actor_of(&person))
    }
}

pub use crate::outbox::{MAX_MAIL_ATTEMPTS, MailTransport};

fn account_exists(email: &impl std::fmt::Display) -> ServiceError {
    ServiceError::conflict(
        "account_exists",
        format!("{email} has an account already."),
        format!("{email} heeft al een account."),
    )
}
