//! MTA-STS (RFC 8461): the `_mta-sts` record, the policy file fetched over HTTPS, and whether it covers the mail
//! servers.

use std::net::IpAddr;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::mta_sts::MtaSts;

use super::is_record;
use crate::context::Ctx;
use crate::http::HttpConn;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// An MTA-STS policy file (RFC 8461, 3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MtaStsPolicy {
    pub mode: String,
    pub max_age: u64,
    pub mx: Vec<String>,
}

/// Parses a policy file; the error says what is wrong.
pub fn parse_mta_sts_policy(text: &str) -> Result<MtaStsPolicy, String> {
    let (mut version, mut mode, mut max_age, mut mx) = (None, None, None, Vec::new());
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("line without a colon: {line:?}"));
        };
        let value = value.trim();
        match key.trim() {
            "version" => version = Some(value.to_string()),
            "mode" => mode = Some(value.to_string()),
            "max_age" => max_age = Some(value.parse::<u64>().map_err(|_| format!("max_age is not a number: {value:?}"))?),
            "mx" => mx.push(value.trim_end_matches('.').to_ascii_lowercase()),
            _ => {}
        }
    }
    if version.as_deref() != Some("STSv1") {
        return Err("version is not STSv1".into());
    }
    let mode = mode.ok_or("no mode")?;
    if !["enforce", "testing", "none"].contains(&mode.as_str()) {
        return Err(format!("unknown mode {mode:?}"));
    }
    let max_age = max_age.ok_or("no max_age")?;
    if max_age > 31_557_600 {
        return Err("max_age is more than a year".into());
    }
    if mx.is_empty() && mode != "none" {
        return Err("no mx".into());
    }
    Ok(MtaStsPolicy { mode, max_age, mx })
}

/// Whether a mail server matches a policy's `mx` pattern (`*.gent.be` stands for one left-most label).
pub fn mx_matches(host: &str, pattern: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => host == pattern,
    }
}

/// The policy in force for the mail servers: enforce and every server matched.
pub fn mta_sts_judgement(policy: &MtaStsPolicy, mx: &[String]) -> Judgement {
    let patterns = policy.mx.join(", ");
    let j = match policy.mode.as_str() {
        "none" => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::MtaStsNone)),
        mode => match mx.iter().find(|h| !policy.mx.iter().any(|p| mx_matches(h, p))) {
            Some(h) => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsMxMismatch).arg("mx", h).arg("patterns", &patterns),
            ),
            None if mode == "testing" => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::MtaStsTesting)),
            None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::MtaStsOk)),
        },
    };
    j.with("mode", &policy.mode)
        .with("mx_patterns", patterns)
        .with("max_age", policy.max_age.to_string())
}

/// Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` with no redirects, from a server whose certificate is
/// trusted, for the name and valid at the scan's `now` (RFC 8461, 3.3).
async fn fetch_mta_sts_policy(ctx: &Ctx<'_>, domain: &str) -> Result<String, String> {
    let inner = ctx.inner;
    let host = format!("mta-sts.{domain}");
    let (v4, v6) = inner.dns.addresses(&host).await?;
    let ip: IpAddr = v4
        .first()
        .map(|a| IpAddr::V4(*a))
        .or(v6.first().map(|a| IpAddr::V6(*a)))
        .ok_or_else(|| format!("{host} has no address"))?;
    let conn = inner.net.connect(ip, 443, &ctx.counter).await.map_err(|e| e.to_string())?;
    let (tls, info) = inner
        .modern
        .connect(conn, &host, false, inner.config.timeouts.tls)
        .await
        .map_err(|e| e.to_string())?;
    let trusted = inner.trust.judge(&info.chain, &host, ctx.now);
    let facts = info.chain.first().map(|c| crate::tls::cert::facts(c)).transpose()?;
    let valid = facts.as_ref().is_some_and(|f| {
        crate::tls::cert::name_judgement(f, &host).verdict == Verdict::Pass
            && crate::tls::cert::expiry_judgement(f, ctx.now).verdict != Verdict::Fail
    });
    if trusted.verdict != Verdict::Pass || !valid {
        return Err(format!(
            "the certificate of {host} is not valid: {}",
            trusted.reason.message(crate::reason::Lang::En)
        ));
    }
    let c = &inner.config;
    let mut http = HttpConn::open(
        tls,
        &host,
        &c.identity.user_agent,
        c.timeouts.http,
        c.limits.http_head_bytes,
        64 * 1024,
    )
    .await
    .map_err(|e| e.to_string())?;
    let r = http.get("/.well-known/mta-sts.txt", true).await.map_err(|e| e.to_string())?;
    if r.status != 200 {
        return Err(format!("status {}", r.status));
    }
    let media = r
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/plain" {
        return Err(format!("Content-Type {media:?}, not text/plain"));
    }
    if r.truncated {
        return Err("larger than 64 KiB".into());
    }
    Ok(String::from_utf8_lossy(&r.body).into_owned())
}

pub(super) async fn mta_sts(ctx: &Ctx<'_>, domain: &str, mx: &[String]) -> Judgement {
    let name = format!("_mta-sts.{domain}");
    let records: Vec<String> = match ctx.inner.dns.txt(&name).await {
        Ok(t) => t.into_iter().filter(|r| is_record(r, "v=STSv1")).collect(),
        Err(e) => {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &name).arg("error", e),
            );
        }
    };
    match records.as_slice() {
        [] => return Judgement::new(Verdict::Warning, Reason::new(ReasonCode::MtaStsMissing).arg("name", &name)),
        [one]
            if MtaSts::parse(one.as_bytes())
                .is_ok_and(|r| !r.id.is_empty() && r.id.len() <= 32 && r.id.bytes().all(|b| b.is_ascii_alphanumeric())) => {}
        [first, ..] => {
            return Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsRecordInvalid).arg("name", &name).arg("record", first),
            );
        }
    }
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    match fetch_mta_sts_policy(ctx, domain).await {
        Err(e) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::MtaStsPolicyUnavailable).arg("url", &url).arg("error", e),
        ),
        Ok(text) => match parse_mta_sts_policy(&text) {
            Err(e) => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsPolicyInvalid).arg("url", &url).arg("error", e),
            ),
            Ok(policy) => mta_sts_judgement(&policy, mx),
        },
    }
    .with("mta_sts", records.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mta_sts_policies() {
        let p = parse_mta_sts_policy("version: STSv1\r\nmode: enforce\r\nmx: mx1.gent.be\r\nmx: *.mail.gent.be\r\nmax_age: 604800\r\n")
            .unwrap();
        assert_eq!(p.mx, vec!["mx1.gent.be".to_string(), "*.mail.gent.be".to_string()]);
        assert_eq!(
            mta_sts_judgement(&p, &["mx1.gent.be".into(), "a.mail.gent.be".into()]).verdict,
            Verdict::Pass
        );
        assert_eq!(
            mta_sts_judgement(&p, &["mx2.gent.be".into()]).reason.code,
            ReasonCode::MtaStsMxMismatch
        );
        assert!(!mx_matches("a.b.mail.gent.be", "*.mail.gent.be"));
        let testing = MtaStsPolicy {
            mode: "testing".into(),
            ..p.clone()
        };
        assert_eq!(mta_sts_judgement(&testing, &["mx1.gent.be".into()]).verdict, Verdict::Warning);
        let none = MtaStsPolicy { mode: "none".into(), ..p };
        assert_eq!(mta_sts_judgement(&none, &[]).verdict, Verdict::Fail);
        assert!(parse_mta_sts_policy("version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: loose\nmx: a\nmax_age: 1\n").is_err());
    }
}
