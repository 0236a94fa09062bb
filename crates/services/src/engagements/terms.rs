//! An engagement's terms as proposed or changed: each part read and checked against its rule,
//! in the order the form asks for them.

use super::EngagementTerms;
use super::{MAX_SCOPE, MAX_TEAM, refused};
use crate::error::{Result, ServiceError};
use crate::work::Work;
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::engagement::{self as rules, EngagementError, Member, TeamRole, Technique, Window};
use cyberveilig_domain::registry::{EmailAddress, NisCode, OrganisationKind, Role};
use cyberveilig_store::records::{Engagement, NewAsset, TeamMember};

/// The local government the terms name; an engagement never moves to another one.
pub(super) async fn government(work: &mut Work, e: &Engagement, terms: &EngagementTerms) -> Result<i64> {
    let nis: NisCode = terms.government_nis.parse().map_err(|_| {
        ServiceError::invalid(
            "government_nis",
            format!("'{}' is not a NIS code", terms.government_nis.trim()),
            format!("'{}' is geen NIS-code", terms.government_nis.trim()),
        )
    })?;
    let government = crate::registry::local_government(work.tx.as_mut(), &nis).await?;
    if e.id != 0 && government.id != e.government_id {
        return Err(ServiceError::invalid(
            "government_nis",
            "an engagement stays with its government; withdraw it and propose a new one",
            "een opdracht blijft bij haar bestuur; trek ze in en stel een nieuwe voor",
        ));
    }
    Ok(government.id)
}

/// The title, the window, the techniques and the three contacts.
pub(super) fn window_and_contacts(work: &Work, e: &mut Engagement, terms: &EngagementTerms) -> Result<()> {
    e.title = text(&terms.title, "title", "a title", "een titel", 200)?;
    let (Some(starts_on), Some(ends_on)) = (terms.starts_on, terms.ends_on) else {
        return Err(ServiceError::invalid(
            "starts_on",
            "give the first and the last day of the window",
            "geef de eerste en de laatste dag van de periode",
        ));
    };
    let window = Window::proposed(starts_on, ends_on, work.today).map_err(refused)?;
    e.starts_on = window.starts_on;
    e.ends_on = window.ends_on;
    let mut techniques = Vec::new();
    for t in &terms.techniques {
        techniques.push(t.parse::<Technique>().map_err(refused)?);
    }
    let techniques = rules::techniques(&techniques).map_err(refused)?;
    e.techniques = techniques.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",");
    e.government_contact = text(
        &terms.government_contact,
        "government_contact",
        "the government's contact",
        "de contactpersoon van het bestuur",
        300,
    )?;
    e.team_contact = text(
        &terms.team_contact,
        "team_contact",
        "the team's contact",
        "de contactpersoon van het team",
        300,
    )?;
    e.emergency_contact = text(
        &terms.emergency_contact,
        "emergency_contact",
        "the emergency stop contact (a phone number reachable during the window)",
        "het noodnummer (een telefoonnummer dat tijdens de periode bereikbaar is)",
        300,
    )?;
    Ok(())
}

/// The scope: at least one entry, each registered as an asset of the government (once).
pub(super) async fn scope(work: &mut Work, government_id: i64, entries: &[String]) -> Result<Vec<(i64, String)>> {
    let entries: Vec<&str> = entries.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if entries.is_empty() || entries.len() > MAX_SCOPE {
        return Err(ServiceError::invalid(
            "scope",
            format!("give between 1 and {MAX_SCOPE} systems in scope"),
            format!("geef tussen 1 en {MAX_SCOPE} systemen in de scope"),
        ));
    }
    let mut scope: Vec<(i64, String)> = Vec::new();
    for raw in entries {
        let (name, kind) = scope_entry(raw)?;
        if scope.iter().any(|(_, n)| *n == name) {
            continue;
        }
        let existing = work.tx.assets(government_id).await?.into_iter().find(|a| a.name == name);
        let id = match existing {
            Some(a) => a.id,
            None => {
                work.tx
                    .upsert_asset(&NewAsset {
                        government_id,
                        kind,
                        name: name.clone(),
                        hostname: (kind == AssetKind::Domain).then(|| name.clone()),
                        ip: (kind == AssetKind::Host).then(|| name.clone()),
                        os: None,
                        at: work.now,
                    })
                    .await?
            }
        };
        scope.push((id, name));
    }
    Ok(scope)
}

/// The team: researchers of one education partner, at least one supervisor. Returns the members
/// and the partner they are of.
pub(super) async fn team(work: &mut Work, given: &[(String, String)]) -> Result<(Vec<TeamMember>, Option<i64>)> {
    if given.is_empty() || given.len() > MAX_TEAM {
        return Err(ServiceError::invalid(
            "team",
            format!("give between 1 and {MAX_TEAM} team members"),
            format!("geef tussen 1 en {MAX_TEAM} teamleden"),
        ));
    }
    let mut team: Vec<TeamMember> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut partner: Option<i64> = None;
    for (email, role) in given {
        let role: TeamRole = role.parse().map_err(refused)?;
        let address: EmailAddress = email.parse().map_err(|_| {
            ServiceError::invalid(
                "team",
                format!("'{}' is not an email address", email.trim()),
                format!("'{}' is geen e-mailadres", email.trim()),
            )
        })?;
        let person = work.tx.person_by_email(&address).await?.ok_or_else(|| {
            ServiceError::invalid(
                "team",
                format!("nobody has the account {address}; researchers register first"),
                format!("niemand heeft het account {address}; onderzoekers registreren zich eerst"),
            )
        })?;
        let org = work.tx.organisation(person.organisation_id).await?;
        let of_partner = person.role == Role::Researcher
            && org.as_ref().is_some_and(|o| o.kind == OrganisationKind::EducationPartner)
            && partner.is_none_or(|p| p == person.organisation_id);
        if of_partner {
            partner = Some(person.organisation_id);
        }
        members.push(Member {
            person_id: person.id,
            role,
            researcher_of_partner: of_partner,
        });
        team.push(TeamMember {
            person_id: person.id,
            name: person.name.clone(),
            email: person.email.to_string(),
            role: role.as_str().into(),
        });
    }
    rules::check_team(&members).map_err(|err| match err {
        EngagementError::NotAResearcherOfPartner(id) => {
            let who = team.iter().find(|m| m.person_id == id).map(|m| m.email.clone()).unwrap_or_default();
            ServiceError::invalid(
                "team",
                format!("{who} is not a researcher of the team's education partner"),
                format!("{who} is geen onderzoeker van de onderwijspartner van het team"),
            )
        }
        other => refused(other),
    })?;
    Ok((team, partner))
}

pub(super) fn text(value: &str, field: &'static str, en: &str, nl: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(field, format!("give {en}"), format!("geef {nl}")));
    }
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{en} is longer than {max} characters"),
            format!("{nl} is langer dan {max} tekens"),
        ));
    }
    Ok(value.to_owned())
}

/// Reads a scope entry: a host name, domain, IP address or range, or an application's URL.
pub(super) fn scope_entry(raw: &str) -> Result<(String, AssetKind)> {
    let entry = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let ok = !entry.is_empty()
        && entry.len() <= 253
        && entry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '/' | '_' | '*'));
    if !ok {
        return Err(ServiceError::invalid(
            "scope",
            format!("'{}' is not a host name, domain, IP address, range or URL", raw.trim()),
            format!("'{}' is geen hostnaam, domein, IP-adres, bereik of URL", raw.trim()),
        ));
    }
    let kind = AssetKind::of_scope_entry(&entry);
    Ok((entry, kind))
}
