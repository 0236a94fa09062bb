//! DMARC (RFC 7489): the record at the domain or its organisational domain, and its policy.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::{Dmarc, Policy};

use super::is_record;
use crate::context::Ctx;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// What the DMARC record said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcFacts {
    /// Where it was looked up (`_dmarc.gent.be`), and the records found there.
    pub name: String,
    pub records: Vec<String>,
    /// The policy (`none`, `quarantine`, `reject`), or why it does not parse.
    pub policy: Result<String, String>,
    /// `t=y`: the policy applies one level less strictly.
    pub testing: bool,
}

/// A DMARC record with p=quarantine or p=reject (t=y lowers it one step).
pub fn dmarc_judgement(f: &DmarcFacts) -> Judgement {
    let j = match (f.records.len(), &f.policy) {
        (0, _) => return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DmarcMissing).arg("name", &f.name)),
        (1, Err(_)) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::DmarcSyntax)
                .arg("name", &f.name)
                .arg("record", &f.records[0]),
        ),
        (1, Ok(p)) => {
            let effective = match (p.as_str(), f.testing) {
                ("reject", true) => "quarantine",
                ("quarantine", true) => "none",
                (p, _) => p,
            };
            if effective == "none" {
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DmarcWeak).arg("policy", effective))
            } else {
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::DmarcOk).arg("policy", effective))
            }
        }
        (n, _) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::DmarcMultiple).arg("name", &f.name).arg("count", n),
        ),
    };
    j.with("dmarc", f.records.join(" | "))
}

/// The organisational domain, approximated by the last two labels.
fn organisational(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() <= 2 {
        domain.to_string()
    } else {
        labels[labels.len() - 2..].join(".")
    }
}

pub(super) async fn dmarc_facts(ctx: &Ctx<'_>, domain: &str) -> Result<DmarcFacts, String> {
    let dns = &ctx.inner.dns;
    let mut name = format!("_dmarc.{domain}");
    let mut records: Vec<String> = dns.txt(&name).await?.into_iter().filter(|t| is_record(t, "v=DMARC1")).collect();
    let org = organisational(domain);
    if records.is_empty() && org != domain {
        let org_name = format!("_dmarc.{org}");
        let found: Vec<String> = dns.txt(&org_name).await?.into_iter().filter(|t| is_record(t, "v=DMARC1")).collect();
        if !found.is_empty() {
            name = org_name;
            records = found;
        }
    }
    let (policy, testing) = match records.first().map(|r| Dmarc::parse(r.as_bytes())) {
        Some(Ok(d)) => (
            match d.p {
                Policy::None => Ok("none".to_string()),
                Policy::Quarantine => Ok("quarantine".to_string()),
                Policy::Reject => Ok("reject".to_string()),
                Policy::Unspecified => Err("no p= tag".to_string()),
            },
            d.t,
        ),
        Some(Err(e)) => (Err(format!("{e:?}")), false),
        None => (Err("no record".to_string()), false),
    };
    Ok(DmarcFacts {
        name,
        records,
        policy,
        testing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dmarc(records: &[&str], policy: Result<&str, &str>, testing: bool) -> DmarcFacts {
        DmarcFacts {
            name: "_dmarc.gent.be".into(),
            records: records.iter().map(|s| s.to_string()).collect(),
            policy: policy.map(str::to_string).map_err(str::to_string),
            testing,
        }
    }

    #[test]
    fn dmarc_verdicts() {
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=reject"], Ok("reject"), false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=quarantine"], Ok("quarantine"), false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=none"], Ok("none"), false)).reason.code,
            ReasonCode::DmarcWeak
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=quarantine; t=y"], Ok("quarantine"), true)).verdict,
            Verdict::Fail
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=reject; t=y"], Ok("reject"), true)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&[], Err("none"), false)).reason.code,
            ReasonCode::DmarcMissing
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1"], Err("no p"), false)).reason.code,
            ReasonCode::DmarcSyntax
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=none", "v=DMARC1; p=reject"], Ok("none"), false))
                .reason
                .code,
            ReasonCode::DmarcMultiple
        );
        let parsed = Dmarc::parse(b"v=DMARC1; p=quarantine; rua=mailto:d@gent.be; t=y").unwrap();
        assert_eq!((parsed.p, parsed.t), (Policy::Quarantine, true));
        assert_eq!(organisational("loket.gent.be"), "gent.be");
    }
}
