//! Mail checks: SPF, DMARC, STARTTLS with the TLS checks on every mail server, DANE, MTA-STS and TLS-RPT. Records are
//! parsed with mail-auth; the verdicts are pure functions of what was found.

mod dane;
mod dmarc;
mod mta_sts;
mod server;
mod spf;

pub use dane::{dane_judgement, tls_rpt_judgement, tlsa_matches};
pub use dmarc::{DmarcFacts, dmarc_judgement};
pub use mta_sts::{MtaStsPolicy, mta_sts_judgement, mx_matches, parse_mta_sts_policy};
pub use spf::{SpfFacts, spf_judgement, spf_syntax_error};

use crate::context::Ctx;
use crate::endpoint;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::reason::{Reason, ReasonCode};
use dmarc::dmarc_facts;
use mta_sts::mta_sts;
use server::scan_mail_server;
use spf::spf_facts;

fn is_record(txt: &str, tag: &str) -> bool {
    let t = txt.trim_start();
    t.len() >= tag.len() && t[..tag.len()].eq_ignore_ascii_case(tag) && t[tag.len()..].chars().next().is_none_or(|c| c == ' ' || c == ';')
}

/// Every mail check of a domain.
pub(crate) async fn scan(ctx: &Ctx<'_>, domain: &str) -> Vec<Outcome> {
    let inner = ctx.inner;
    let subject = Subject::name(domain);
    let mut out = Vec::new();
    let (spf, dmarc, mx) = tokio::join!(spf_facts(ctx, domain), dmarc_facts(ctx, domain), inner.dns.mx(domain));
    out.push(
        match spf {
            Ok(f) => spf_judgement(domain, &f),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", domain).arg("error", e),
            ),
        }
        .outcome(Check::MailSpf, subject.clone()),
    );
    out.push(
        match dmarc {
            Ok(f) => dmarc_judgement(&f),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError)
                    .arg("name", format!("_dmarc.{domain}"))
                    .arg("error", e),
            ),
        }
        .outcome(Check::MailDmarc, subject.clone()),
    );
    let mut receiving = vec![
        Check::MailStarttls,
        Check::MailDane,
        Check::MailMtaSts,
        Check::MailTlsRpt,
        Check::DnsIpv6Mail,
    ];
    receiving.extend(endpoint::MAIL.all());
    let mx = match mx {
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", domain).arg("error", e),
            );
            out.extend(receiving.iter().map(|c| j.clone().outcome(*c, subject.clone())));
            return out;
        }
        Ok(mx) => mx,
    };
    let null_mx = mx.iter().any(|(_, h)| h.is_empty());
    if mx.is_empty() || null_mx {
        let code = if null_mx { ReasonCode::NullMx } else { ReasonCode::NoMx };
        let j = Judgement::new(Verdict::NotApplicable, Reason::new(code));
        out.extend(receiving.iter().map(|c| j.clone().outcome(*c, subject.clone())));
        return out;
    }
    let hosts: Vec<String> = mx.iter().map(|(_, h)| h.clone()).take(inner.config.limits.mail_servers).collect();
    let tls_rpt_name = format!("_smtp._tls.{domain}");
    let (servers, mta_sts, tls_rpt) = tokio::join!(
        futures_util::future::join_all(hosts.iter().map(|h| scan_mail_server(ctx, h))),
        mta_sts(ctx, domain, &hosts),
        inner.dns.txt(&tls_rpt_name)
    );
    out.push(mta_sts.outcome(Check::MailMtaSts, subject.clone()));
    out.push(
        match tls_rpt {
            Ok(t) => tls_rpt_judgement(
                &tls_rpt_name,
                &t.into_iter().filter(|r| is_record(r, "v=TLSRPTv1")).collect::<Vec<_>>(),
            ),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &tls_rpt_name).arg("error", e),
            ),
        }
        .outcome(Check::MailTlsRpt, subject.clone()),
    );
    let without: Vec<&str> = servers.iter().filter(|s| !s.ipv6).map(|s| s.host.as_str()).collect();
    out.push(
        if without.is_empty() {
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::Ipv6MailOk))
        } else {
            Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::Ipv6MailMissing).arg("hosts", without.join(", ")),
            )
        }
        .with("mail_servers", hosts.join(", "))
        .outcome(Check::DnsIpv6Mail, subject),
    );
    for s in servers {
        out.extend(s.outcomes);
    }
    out
}
