//! The registry's reference data and look-ups: the Flemish municipalities and provinces
//! (Statbel, CC BY 4.0), the audit firms, VVSG, the administration and Howest.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use cyberveilig_domain::registry::{NisCode, OrganisationKind, Province};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{NewOrganisation, Organisation, OrganisationFilter};

const MUNICIPALITIES_CSV: &str = include_str!("../../../data/be-municipalities.csv");
const PROVINCES_CSV: &str = include_str!("../../../data/be-provinces.csv");
const FLEMISH_REGION: &str = "02000";

/// The organisations every installation starts with, besides the local governments.
pub const ACTORS: [(OrganisationKind, &str); 8] = [
    (OrganisationKind::AuditFirm, "EY"),
    (OrganisationKind::AuditFirm, "Deloitte"),
    (OrganisationKind::AuditFirm, "PwC"),
    (OrganisationKind::AuditFirm, "Grant Thornton"),
    (OrganisationKind::Association, "VVSG"),
    (OrganisationKind::Administration, "Agentschap Binnenlands Bestuur"),
    (OrganisationKind::Administration, "Audit Vlaanderen"),
    (OrganisationKind::EducationPartner, "Hogeschool West-Vlaanderen"),
];

#[derive(Debug, serde::Deserialize)]
struct MunicipalityRow {
    nis_code: String,
    name_nl: String,
    province_nis: String,
    region_nis: String,
}

#[derive(Debug, serde::Deserialize)]
struct ProvinceRow {
    nis_code: String,
    name_nl: String,
    region_nis: String,
}

fn nis(text: &str) -> Result<NisCode> {
    text.parse()
        .map_err(|_| ServiceError::internal("reference_data", format!("bad NIS code in reference data: {text}")))
}

/// The 5 Flemish provinces and 285 Flemish municipalities, from the shipped data files.
pub fn flemish_local_governments() -> Result<Vec<NewOrganisation>> {
    let bad = |e: csv::Error| ServiceError::internal("reference_data", format!("reference data unreadable: {e}"));
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(PROVINCES_CSV.as_bytes()).deserialize::<ProvinceRow>() {
        let row = row.map_err(bad)?;
        if row.region_nis == FLEMISH_REGION {
            out.push(NewOrganisation {
                kind: OrganisationKind::Provincie,
                name: row.name_nl,
                nis_code: Some(nis(&row.nis_code)?),
                kbo_number: None,
                province_nis: None,
            });
        }
    }
    for row in csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes()).deserialize::<MunicipalityRow>() {
        let row = row.map_err(bad)?;
        if row.region_nis == FLEMISH_REGION {
            out.push(NewOrganisation {
                kind: OrganisationKind::Gemeente,
                name: row.name_nl,
                nis_code: Some(nis(&row.nis_code)?),
                kbo_number: None,
                province_nis: Some(nis(&row.province_nis)?),
            });
        }
    }
    Ok(out)
}

/// Seeds the reference data into an empty registry; does nothing when it holds organisations.
pub(crate) async fn seed_reference_data(tx: &mut dyn Tx) -> Result<bool> {
    if tx.count_organisations().await? > 0 {
        return Ok(false);
    }
    for org in flemish_local_governments()? {
        tx.insert_organisation(&org).await?;
    }
    for (kind, name) in ACTORS {
        tx.insert_organisation(&NewOrganisation {
            kind,
            name: name.to_owned(),
            nis_code: None,
            kbo_number: None,
            province_nis: None,
        })
        .await?;
    }
    Ok(true)
}

/// The local government with a NIS code; a code of none is `unknown_reference` on
/// `government_nis`, the field every request names it by.
pub(crate) async fn local_government(tx: &mut dyn Tx, nis: &NisCode) -> Result<Organisation> {
    tx.organisation_by_nis(nis)
        .await?
        .filter(|o| o.kind.is_local_government())
        .ok_or_else(|| {
            ServiceError::unknown(
                "government_nis",
                format!("no local government has NIS code {nis}"),
                format!("geen lokaal bestuur heeft NIS-code {nis}"),
            )
        })
}

pub(crate) async fn named(tx: &mut dyn Tx, kind: OrganisationKind, name: &str) -> Result<Organisation> {
    tx.organisation_by_name(kind, name)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))
}

impl Services {
    pub async fn organisations(&self, actor: &Actor, filter: OrganisationFilter) -> Result<Vec<Organisation>> {
        if !can(actor, Permission::ViewOrganisations) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.organisations(&filter).await?)
    }

    /// The registry is public: names, kinds and NIS codes of the programme's organisations.
    pub async fn organisations_public(&self, filter: OrganisationFilter) -> Result<Vec<Organisation>> {
        let mut tx = self.store.read().await?;
        Ok(tx.organisations(&filter).await?)
    }

    /// How many local governments have a basic audit that counts in the programme (public).
    pub async fn governments_reached(&self, programme_id: i64) -> Result<usize> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .orders_by_government(programme_id)
            .await?
            .iter()
            .filter(|(_, basic, _)| *basic > 0)
            .count())
    }

    /// Per government that ordered: (government id, basic audits, additional work); administrators only.
    pub async fn orders_by_government(&self, actor: &Actor, programme_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        if !can(actor, Permission::ManageProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.orders_by_government(programme_id).await?)
    }

    /// An organisation by NIS code (the registry is public).
    pub async fn organisation_by_nis(&self, nis: &NisCode) -> Result<Organisation> {
        let mut tx = self.store.read().await?;
        tx.organisation_by_nis(nis).await?.ok_or(ServiceError::NotFound("organisation"))
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation> {
        let mut tx = self.store.read().await?;
        tx.organisation(id).await?.ok_or(ServiceError::NotFound("organisation"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_data_has_285_flemish_municipalities_and_5_provinces() {
        let all = flemish_local_governments().unwrap();
        let count = |k| all.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(OrganisationKind::Gemeente), 285);
        assert_eq!(count(OrganisationKind::Provincie), 5);
        let gent = all
            .iter()
            .find(|o| o.nis_code.as_ref().map(|n| n.as_str()) == Some("44021"))
            .unwrap();
        assert_eq!(gent.name, "Gent");
        assert_eq!(gent.province_nis.as_ref().unwrap().as_str(), "40000");
    }
}

/// A Flemish municipality with the province it lies in.
#[derive(Debug, Clone)]
pub struct Municipality {
    pub id: i64,
    pub nis: NisCode,
    pub name: String,
    pub province: Province,
}

/// Every Flemish municipality of the registry, by NIS code, read page by page.
pub(crate) async fn municipalities(tx: &mut dyn Tx) -> Result<Vec<Municipality>> {
    let mut out = Vec::new();
    let mut after_id = None;
    loop {
        let page = tx
            .organisations(&OrganisationFilter {
                kind: Some(OrganisationKind::Gemeente),
                query: None,
                after_id,
                limit: 500,
            })
            .await?;
        let Some(last) = page.last() else { break };
        after_id = Some(last.id);
        for o in page {
            if let Some(nis) = o.nis_code
                && let Some(province) = Province::of_municipality(&nis)
            {
                out.push(Municipality {
                    id: o.id,
                    nis,
                    name: o.name,
                    province,
                });
            }
        }
    }
    out.sort_by(|a, b| a.nis.as_str().cmp(b.nis.as_str()));
    Ok(out)
}
