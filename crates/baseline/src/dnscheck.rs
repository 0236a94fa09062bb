//! DNS checks: DNSSEC of the zone a name is in, and IPv6 for its name servers (the IPv6 checks of the web and mail
//! servers are made where those are probed).

use hickory_proto::rr::RecordType;

use crate::context::Ctx;
use crate::dns::Validation;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::reason::{Reason, ReasonCode};

/// What the DNSSEC probes of a zone found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnssecFacts {
    pub zone: String,
    /// The zone publishes DNSKEY records.
    pub signed: bool,
    /// What validating its SOA record gave.
    pub validation: Validation,
}

/// Signed: the zone publishes keys.
pub fn signed_judgement(f: &DnssecFacts) -> Judgement {
    if f.signed {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::DnssecSigned).arg("zone", &f.zone))
    } else {
        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DnssecUnsigned).arg("zone", &f.zone))
    }
    .with("zone", &f.zone)
}

/// Valid: the signatures verify up to the trust anchor.
pub fn valid_judgement(f: &DnssecFacts) -> Judgement {
    let zone = &f.zone;
    let j = match (&f.validation, f.signed) {
        (Validation::Secure, _) => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::DnssecValid).arg("zone", zone)),
        (Validation::Bogus(e), _) => {
            Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DnssecBogus).arg("zone", zone)).with("validation", e.as_str())
        }
        (Validation::Insecure, true) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DnssecNotAnchored).arg("zone", zone)),
        (Validation::Insecure, false) => Judgement::new(Verdict::NotApplicable, Reason::new(ReasonCode::DnssecNotSigned).arg("zone", zone)),
        (Validation::Failed(e), _) => Judgement::new(
            Verdict::Unknown,
            Reason::new(ReasonCode::DnsError).arg("name", zone).arg("error", e),
        ),
    };
    j.with("zone", zone)
}

/// At least two name servers with an IPv6 address (one is a warning).
pub fn ipv6_ns_judgement(zone: &str, with_ipv6: &[String], without: &[String]) -> Judgement {
    let j = match with_ipv6.len() {
        0 => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::Ipv6NsNone).arg("zone", zone)),
        1 => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::Ipv6NsOne).arg("hosts", &with_ipv6[0])),
        n => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::Ipv6NsOk).arg("count", n)),
    };
    let j = if with_ipv6.is_empty() {
        j
    } else {
        j.with("name_servers_with_ipv6", with_ipv6.join(", "))
    };
    if without.is_empty() {
        j
    } else {
        j.with("name_servers_without_ipv6", without.join(", "))
    }
}

pub(crate) fn ipv6_web_missing(name: &str) -> Outcome {
    Judgement::new(Verdict::Fail, Reason::new(ReasonCode::Ipv6WebMissing).arg("name", name)).outcome(Check::DnsIpv6Web, Subject::name(name))
}

pub(crate) async fn scan(ctx: &Ctx<'_>, name: &str) -> Vec<Outcome> {
    let dns = &ctx.inner.dns;
    let zone = match dns.zone_of(name).await {
        Ok(z) => z,
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", name).arg("error", &e),
            );
            return [Check::DnsDnssecSigned, Check::DnsDnssecValid, Check::DnsIpv6Ns]
                .iter()
                .map(|c| j.clone().outcome(*c, Subject::name(name)))
                .collect();
        }
    };
    let subject = Subject::name(&zone);
    let (signed, (validation, _), ns) = tokio::join!(dns.has_dnskey(&zone), dns.validate(&zone, RecordType::SOA), dns.ns(&zone));
    let mut out = Vec::new();
    match signed {
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &zone).arg("error", &e),
            );
            out.push(j.clone().outcome(Check::DnsDnssecSigned, subject.clone()));
            out.push(j.outcome(Check::DnsDnssecValid, subject.clone()));
        }
        Ok(signed) => {
            let facts = DnssecFacts {
                zone: zone.clone(),
                signed,
                validation,
            };
            out.push(signed_judgement(&facts).outcome(Check::DnsDnssecSigned, subject.clone()));
            out.push(valid_judgement(&facts).outcome(Check::DnsDnssecValid, subject.clone()));
        }
    }
    match ns {
        Err(e) => out.push(
            Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &zone).arg("error", &e),
            )
            .outcome(Check::DnsIpv6Ns, subject.clone()),
        ),
        Ok(servers) => {
            let lookups = futures_util::future::join_all(servers.iter().map(|s| dns.ipv6(s))).await;
            let (mut with, mut without) = (Vec::new(), Vec::new());
            for (server, v6) in servers.iter().zip(lookups) {
                if v6.map(|a| !a.is_empty()).unwrap_or(false) {
                    with.push(server.clone());
                } else {
                    without.push(server.clone());
                }
            }
            out.push(ipv6_ns_judgement(&zone, &with, &without).outcome(Check::DnsIpv6Ns, subject));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(signed: bool, validation: Validation) -> DnssecFacts {
        DnssecFacts {
            zone: "gent.be".into(),
            signed,
            validation,
        }
    }

    #[test]
    fn dnssec_verdicts() {
        assert_eq!(signed_judgement(&facts(true, Validation::Secure)).verdict, Verdict::Pass);
        assert_eq!(signed_judgement(&facts(false, Validation::Insecure)).verdict, Verdict::Fail);
        assert_eq!(valid_judgement(&facts(true, Validation::Secure)).verdict, Verdict::Pass);
        assert_eq!(valid_judgement(&facts(true, Validation::Bogus("x".into()))).verdict, Verdict::Fail);
        assert_eq!(
            valid_judgement(&facts(true, Validation::Insecure)).reason.code,
            ReasonCode::DnssecNotAnchored
        );
        assert_eq!(valid_judgement(&facts(false, Validation::Insecure)).verdict, Verdict::NotApplicable);
        assert_eq!(
            valid_judgement(&facts(true, Validation::Failed("timeout".into()))).verdict,
            Verdict::Unknown
        );
    }

    #[test]
    fn two_name_servers_with_ipv6() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(ipv6_ns_judgement("gent.be", &s(&["a", "b"]), &[]).verdict, Verdict::Pass);
        assert_eq!(ipv6_ns_judgement("gent.be", &s(&["a"]), &s(&["b"])).verdict, Verdict::Warning);
        assert_eq!(ipv6_ns_judgement("gent.be", &[], &s(&["a", "b"])).verdict, Verdict::Fail);
    }
}
