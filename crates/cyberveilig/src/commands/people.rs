//! People: accounts made by the operator on the command line.

use crate::AnyError;
use crate::cli::DatabaseArgs;
use crate::config::FileConfig;
use crate::installation::{database_url, open, with_audit_key};
use cyberveilig_domain::registry::Role;
use cyberveilig_services::{Services, SystemClock};
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig person add`: the password from CYBERVEILIG_PASSWORD or asked on the terminal.
pub(crate) async fn add_person(
    db: DatabaseArgs,
    email: String,
    name: String,
    role: String,
    organisation: String,
    file: FileConfig,
) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
    services.seed_installation().await?;
    let role: Role = role.parse().map_err(|_| {
        format!("unknown role '{role}': use programme_admin, government_member, firm_member, association_member or researcher")
    })?;
    let organisation_id = find_organisation(&services, &organisation).await?;
    let password = match std::env::var("CYBERVEILIG_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Password for {email} (at least 12 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let person = services
        .add_person_as_operator(&email, &name, role, organisation_id, &password)
        .await?;
    println!("Account {} made: {} ({}).", person.id, person.email, person.role.as_str());
    if cyberveilig_services::auth::second_factor_required(role) {
        println!("This role signs in with a second factor: the portal asks to set it up at the first sign-in.");
    }
    Ok(ExitCode::SUCCESS)
}

/// An organisation by NIS code or by exact name.
async fn find_organisation(services: &Services, text: &str) -> Result<i64, AnyError> {
    let mut tx = services.store.read().await?;
    if let Ok(nis) = text.parse()
        && let Some(org) = tx.organisation_by_nis(&nis).await?
    {
        return Ok(org.id);
    }
    for kind in cyberveilig_domain::registry::OrganisationKind::ALL {
        if let Some(org) = tx.organisation_by_name(kind, text).await? {
            return Ok(org.id);
        }
    }
    Err(format!("no organisation with NIS code or name '{text}'").into())
}
