//! One mail server: a STARTTLS session of our own, the TLS probes, and DANE against the certificate it sent.

use std::net::IpAddr;

use hickory_proto::rr::RecordType;

use super::dane_judgement;
use crate::context::Ctx;
use crate::endpoint;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::net::NetError;
use crate::reason::{Reason, ReasonCode};
use crate::smtp::{self, Starttls};
use crate::tls::probe::Endpoint;

/// One mail server's STARTTLS session and TLS probes.
pub(super) struct MailServer {
    pub(super) host: String,
    pub(super) ipv6: bool,
    pub(super) outcomes: Vec<Outcome>,
}

pub(super) async fn scan_mail_server(ctx: &Ctx<'_>, host: &str) -> MailServer {
    let inner = ctx.inner;
    let subject = Subject::service(host, 25);
    let mut outcomes = Vec::new();
    let tlsa_name = format!("_25._tcp.{host}");
    let (addresses, zone, tlsa) = tokio::join!(
        inner.dns.addresses(host),
        inner.dns.validate(host, RecordType::A),
        inner.dns.tlsa(&tlsa_name)
    );
    let (v4, v6) = match addresses {
        Ok(a) => a,
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", host).arg("error", &e),
            );
            outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(j.outcome(Check::MailDane, subject));
            return MailServer {
                host: host.to_string(),
                ipv6: false,
                outcomes,
            };
        }
    };
    let ipv6 = !v6.is_empty();
    let Some(ip) = v4.first().map(|a| IpAddr::V4(*a)).or(v6.first().map(|a| IpAddr::V6(*a))) else {
        let j = Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoAddress).arg("name", host));
        outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
        outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
        outcomes.push(j.outcome(Check::MailDane, subject));
        return MailServer {
            host: host.to_string(),
            ipv6,
            outcomes,
        };
    };
    let endpoint_text = format!("{host}:25");
    // First a session of our own: does it offer STARTTLS, and the certificate from a full handshake.
    let session = async {
        let conn = inner.net.connect(ip, 25, &ctx.counter).await?;
        match smtp::starttls(
            conn,
            &inner.config.identity.ehlo_name,
            inner.config.timeouts.smtp,
            inner.config.limits.smtp_reply_bytes,
        )
        .await?
        {
            Starttls::Ready(conn) => Ok(Some(
                inner
                    .modern
                    .connect(conn, host, true, inner.config.timeouts.tls)
                    .await
                    .map(|(_, info)| info),
            )),
            Starttls::NotOffered => Ok(None),
            Starttls::Refused(reply) => Err(NetError::Protocol(format!("the server answered {reply}"))),
        }
    };
    let session: Result<Option<Result<_, NetError>>, NetError> = session.await;
    match session {
        Err(e) => {
            let j = match &e {
                NetError::Protocol(reply) => Judgement::new(
                    Verdict::Unknown,
                    Reason::new(ReasonCode::SmtpError).arg("host", host).arg("reply", reply),
                ),
                other => other.judgement(&endpoint_text),
            };
            outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(j.outcome(Check::MailDane, subject));
        }
        Ok(None) => {
            outcomes.push(
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::StarttlsMissing).arg("host", host))
                    .outcome(Check::MailStarttls, subject.clone()),
            );
            let j = Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoStarttls));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(dane_judgement(host, &zone.0, &tlsa, None).outcome(Check::MailDane, subject));
        }
        Ok(Some(modern)) => {
            outcomes.push(
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::StarttlsOk).arg("host", host))
                    .with("address", ip.to_string())
                    .outcome(Check::MailStarttls, subject.clone()),
            );
            let probe_endpoint = Endpoint {
                ip,
                port: 25,
                sni: Some(host.to_string()),
                smtp_ehlo: Some(inner.config.identity.ehlo_name.clone()),
            };
            let prober = ctx.prober(&probe_endpoint);
            match prober.observe().await {
                Ok(obs) => {
                    let chain = match &modern {
                        Ok(info) => info.chain.clone(),
                        Err(_) => obs.chain.clone(),
                    };
                    outcomes.extend(endpoint::outcomes(
                        &endpoint::MAIL,
                        &subject,
                        host,
                        &obs,
                        &chain,
                        &inner.trust,
                        ctx.now,
                    ));
                    outcomes.push(dane_judgement(host, &zone.0, &tlsa, Some(&chain)).outcome(Check::MailDane, subject));
                }
                Err(e) => {
                    let j = e.judgement(&endpoint_text);
                    outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
                    let chain = modern.as_ref().map(|i| i.chain.clone()).unwrap_or_default();
                    outcomes.push(dane_judgement(host, &zone.0, &tlsa, Some(&chain)).outcome(Check::MailDane, subject));
                }
            }
        }
    }
    MailServer {
        host: host.to_string(),
        ipv6,
        outcomes,
    }
}
