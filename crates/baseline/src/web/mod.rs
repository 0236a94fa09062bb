//! Web checks: pure verdicts on what the HTTP(S) responses said (redirect, HSTS, security headers, security.txt,
//! admin panels), and the probes that fetch them.

mod admin_panels;
mod headers;
mod probe;
mod redirect;
mod security_txt;

pub use admin_panels::{ADMIN_PANELS, AdminPanel, admin_panel_judgement};
pub use headers::{
    ONE_YEAR, content_type_options_judgement, csp_judgement, csp_problems, frame_judgement, hsts_judgement, hsts_max_age,
    referrer_judgement,
};
pub use redirect::{HttpOutcome, redirect_judgement};
pub use security_txt::security_txt_judgement;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::context::Ctx;
use crate::endpoint;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::net::NetError;
use crate::reason::{Reason, ReasonCode};
use crate::tls::probe::Endpoint;
use probe::{http_port80, https_session, ipv6_reachable};

/// Only the TLS and certificate checks of `name`:443 (the benchmark's measure, and for systems that are only a TLS
/// endpoint).
pub(crate) async fn scan_tls(ctx: &Ctx<'_>, name: &str, ip: IpAddr) -> Vec<Outcome> {
    let subject = Subject::name(name);
    let endpoint = Endpoint::https(name, ip);
    let prober = ctx.prober(&endpoint);
    let full = async {
        let conn = ctx.inner.net.connect(ip, 443, &ctx.counter).await?;
        ctx.inner
            .modern
            .connect(conn, name, false, ctx.inner.config.timeouts.tls)
            .await
            .map(|(_, info)| info)
    };
    let (observed, full) = tokio::join!(prober.observe(), full);
    match observed {
        Ok(obs) if obs.any() => {
            let chain = match full {
                Ok(info) => info.chain,
                Err(_) => obs.chain.clone(),
            };
            endpoint::outcomes(&endpoint::WEB, &subject, name, &obs, &chain, &ctx.inner.trust, ctx.now)
        }
        Ok(_) => endpoint::all_with(
            &endpoint::WEB,
            &subject,
            &Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
        ),
        Err(e) => endpoint::all_with(&endpoint::WEB, &subject, &e.judgement(&format!("{name}:443"))),
    }
}

/// Every web check of a name with addresses (and the IPv6 and admin panel checks, which are made on the way).
pub(crate) async fn scan(ctx: &Ctx<'_>, name: &str, v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> Vec<Outcome> {
    let ip: IpAddr = match (v4.first(), v6.first()) {
        (Some(a), _) => (*a).into(),
        (None, Some(a)) => (*a).into(),
        (None, None) => return Vec::new(),
    };
    let subject = Subject::name(name);
    let endpoint = Endpoint::https(name, ip);
    let prober = ctx.prober(&endpoint);
    let (observed, session, http, v6_reach) = tokio::join!(
        prober.observe(),
        https_session(ctx, name, ip),
        http_port80(ctx, name, ip),
        ipv6_reachable(ctx, v6)
    );
    let mut out = Vec::new();
    let url = format!("https://{name}/");

    // Reachable over HTTPS: a full handshake, or at least some version in the probes.
    let legacy_only = matches!(&observed, Ok(o) if o.any()) && session.is_err();
    let https = match (&session, &observed) {
        (Ok(s), _) => Judgement::new(
            Verdict::Pass,
            Reason::new(ReasonCode::HttpsOk).arg("version", s.info.version.name()),
        ),
        (Err(_), Ok(o)) if o.any() => {
            let best = o.versions.keys().next_back().map(|v| v.name()).unwrap_or("TLS");
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::HttpsOk).arg("version", best))
        }
        (Err(NetError::Refused(ip)), _) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::AddressRefused).arg("address", ip)),
        (Err(NetError::ConnectionRefused | NetError::Timeout), _) | (_, Err(NetError::ConnectionRefused | NetError::Timeout)) => {
            Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HttpsClosed))
        }
        (Err(e), _) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HttpsNoTls).arg("error", e)),
    };
    let reachable = https.verdict == Verdict::Pass;
    out.push(https.with("address", ip.to_string()).outcome(Check::WebHttps, subject.clone()));
    out.push(redirect_judgement(name, &http, reachable).outcome(Check::WebHttpRedirect, subject.clone()));

    // TLS and certificate.
    match &observed {
        Ok(obs) if reachable => {
            let chain = match &session {
                Ok(s) => s.info.chain.clone(),
                Err(_) => obs.chain.clone(),
            };
            out.extend(endpoint::outcomes(
                &endpoint::WEB,
                &subject,
                name,
                obs,
                &chain,
                &ctx.inner.trust,
                ctx.now,
            ));
        }
        _ => out.extend(endpoint::all_with(
            &endpoint::WEB,
            &subject,
            &Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
        )),
    }

    // What the responses said.
    let not_read = |e: Option<&NetError>| match e {
        Some(e) => Judgement::new(
            Verdict::Unknown,
            Reason::new(ReasonCode::HttpError).arg("url", &url).arg("error", e),
        ),
        None if legacy_only => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoModernTls)),
        None => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
    };
    let header_checks = [
        Check::WebHsts,
        Check::WebCsp,
        Check::WebContentTypeOptions,
        Check::WebFrameOptions,
        Check::WebReferrerPolicy,
    ];
    match &session {
        Ok(s) => {
            match &s.first {
                Ok(first) => out.push(hsts_judgement(first).outcome(Check::WebHsts, subject.clone())),
                Err(e) => out.push(not_read(Some(e)).outcome(Check::WebHsts, subject.clone())),
            }
            match &s.last {
                Ok(last) => {
                    out.push(csp_judgement(last, name).outcome(Check::WebCsp, subject.clone()));
                    out.push(content_type_options_judgement(last).outcome(Check::WebContentTypeOptions, subject.clone()));
                    out.push(frame_judgement(last).outcome(Check::WebFrameOptions, subject.clone()));
                    out.push(referrer_judgement(last).outcome(Check::WebReferrerPolicy, subject.clone()));
                }
                Err(e) => {
                    for c in &header_checks[1..] {
                        out.push(not_read(Some(e)).outcome(*c, subject.clone()));
                    }
                }
            }
            out.push(
                match &s.security_txt {
                    Ok((url, r)) => security_txt_judgement(url, r, ctx.now),
                    Err(e) => not_read(Some(e)),
                }
                .outcome(Check::WebSecurityTxt, subject.clone()),
            );
            out.push(
                match &s.panels {
                    Ok(found) => admin_panel_judgement(found),
                    Err(e) => not_read(Some(e)),
                }
                .outcome(Check::ExposureAdminPanel, Subject::service(name, 443)),
            );
        }
        Err(_) => {
            for c in header_checks.iter().chain(&[Check::WebSecurityTxt]) {
                out.push(not_read(None).outcome(*c, subject.clone()));
            }
            out.push(not_read(None).outcome(Check::ExposureAdminPanel, Subject::service(name, 443)));
        }
    }

    // IPv6.
    out.push(match v6_reach {
        None => crate::dnscheck::ipv6_web_missing(name),
        Some(ok) => {
            let addresses = crate::dns::join_addresses(v6);
            let code = if ok {
                ReasonCode::Ipv6WebOk
            } else {
                ReasonCode::Ipv6WebUnreachable
            };
            let verdict = if ok { Verdict::Pass } else { Verdict::Fail };
            Judgement::new(verdict, Reason::new(code).arg("name", name).arg("addresses", &addresses))
                .with("ipv6_addresses", addresses)
                .outcome(Check::DnsIpv6Web, subject.clone())
        }
    });
    out
}

#[cfg(test)]
mod test_support {
    use crate::http::HttpResponse;

    pub(super) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }
}
