//! Pure verdicts on a [`TlsObservation`]: versions, cipher suites, key exchange, compression, renegotiation.

use super::levels::{Level, TlsVersion, group_level, group_name, sigalg_hash_level, sigalg_hash_name, suite_level, suite_name};
use super::probe::TlsObservation;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

fn nothing_accepted() -> Judgement {
    Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::TlsVersionNone))
}

/// TLS 1.3 good, TLS 1.2 sufficient; TLS 1.1, 1.0 and SSL 3.0 insufficient.
pub fn versions(obs: &TlsObservation) -> Judgement {
    if !obs.any() {
        return nothing_accepted();
    }
    let accepted = list(obs.versions.keys().rev().map(|v| v.name().to_string()));
    let bad: Vec<TlsVersion> = obs
        .versions
        .keys()
        .rev()
        .copied()
        .filter(|v| v.level() == Level::Insufficient)
        .collect();
    if bad.is_empty() {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::TlsVersionOk).arg("versions", &accepted)).with("versions_accepted", accepted)
    } else {
        let insufficient = list(bad.iter().map(|v| v.name().to_string()));
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::TlsVersionInsufficient).arg("insufficient", &insufficient),
        )
        .with("versions_accepted", accepted)
        .with("versions_insufficient", insufficient)
    }
}

/// Any insufficient suite fails, any suite to phase out warns. Every suite of TLS 1.1 and older is insufficient
/// (none of them is listed).
pub fn ciphers(obs: &TlsObservation) -> Judgement {
    if !obs.any() {
        return nothing_accepted();
    }
    let named = |level: Level| -> Vec<String> {
        let mut names: Vec<String> = obs
            .suites
            .iter()
            .filter(|(v, s)| {
                if *v < TlsVersion::Tls12 {
                    level == Level::Insufficient
                } else {
                    suite_level(*s) == level
                }
            })
            .map(|(v, s)| {
                if *v < TlsVersion::Tls12 {
                    format!("{} ({})", suite_name(*s), v.name())
                } else {
                    suite_name(*s)
                }
            })
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let insufficient = named(Level::Insufficient);
    let phase_out = named(Level::PhaseOut);
    let mut seen: Vec<String> = obs.suites.iter().map(|(v, s)| format!("{} {}", v.name(), suite_name(*s))).collect();
    seen.sort();
    let mut j = if !insufficient.is_empty() {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::CiphersInsufficient).arg("suites", list(insufficient.clone())),
        )
    } else if !phase_out.is_empty() {
        Judgement::new(
            Verdict::Warning,
            Reason::new(ReasonCode::CiphersPhaseOut).arg("suites", list(phase_out.clone())),
        )
    } else {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::CiphersOk))
    };
    if !insufficient.is_empty() {
        j = j.with("suites_insufficient", list(insufficient));
    }
    if !phase_out.is_empty() {
        j = j.with("suites_phase_out", list(phase_out));
    }
    j.with("suites_seen", list(seen))
}

/// The curves and finite-field groups of (EC)DHE and the hash signing the TLS 1.2 key exchange.
pub fn key_exchange(obs: &TlsObservation) -> Judgement {
    if !obs.any() {
        return nothing_accepted();
    }
    let mut params: Vec<(Level, String)> = Vec::new();
    for g in &obs.groups {
        params.push((group_level(*g), group_name(*g)));
    }
    for d in &obs.dh_groups {
        params.push((d.level(), d.describe()));
    }
    for s in &obs.kex_sigalgs {
        params.push((sigalg_hash_level(*s), format!("{} (key exchange signature)", sigalg_hash_name(*s))));
    }
    params.sort();
    params.dedup();
    let at = |level: Level| list(params.iter().filter(|(l, _)| *l == level).map(|(_, n)| n.clone()));
    let (insufficient, phase_out) = (at(Level::Insufficient), at(Level::PhaseOut));
    let seen = list(params.iter().map(|(_, n)| n.clone()));
    let j = if !insufficient.is_empty() {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::KexInsufficient).arg("parameters", &insufficient),
        )
    } else if !phase_out.is_empty() {
        Judgement::new(Verdict::Warning, Reason::new(ReasonCode::KexPhaseOut).arg("parameters", &phase_out))
    } else {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::KexOk))
    };
    if seen.is_empty() { j } else { j.with("key_exchange_seen", seen) }
}

/// TLS compression (CRIME) is insufficient.
pub fn compression(obs: &TlsObservation) -> Judgement {
    if !obs.any() {
        return nothing_accepted();
    }
    match obs.compression {
        Some(v) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::CompressionOn).arg("version", v.name()))
            .with("compression_version", v.name()),
        None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::CompressionOff)),
    }
}

/// Renegotiation without RFC 5746 is insufficient.
pub fn renegotiation(obs: &TlsObservation) -> Judgement {
    if !obs.any() {
        return nothing_accepted();
    }
    match obs.insecure_renegotiation {
        Some(v) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::RenegotiationInsecure).arg("version", v.name()),
        )
        .with("version", v.name()),
        None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::RenegotiationSecure)),
    }
}

/// A pass from an observation with a failed probe is not certain: it becomes unknown.
pub fn settle(j: Judgement, obs: &TlsObservation, endpoint: &str) -> Judgement {
    match (&obs.incomplete, j.verdict) {
        (Some(error), Verdict::Pass) => {
            let evidence = j.evidence;
            Judgement {
                verdict: Verdict::Unknown,
                reason: Reason::new(ReasonCode::Unreachable).arg("endpoint", endpoint).arg("error", error),
                evidence,
            }
        }
        _ => j,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::levels::DhGroup;

    fn obs(versions: &[(TlsVersion, u16)]) -> TlsObservation {
        let mut o = TlsObservation::default();
        for (v, s) in versions {
            o.versions.insert(*v, *s);
            o.suites.push((*v, *s));
        }
        o
    }

    #[test]
    fn versions_after_the_guidelines() {
        let good = obs(&[(TlsVersion::Tls13, 0x1302), (TlsVersion::Tls12, 0xC02B)]);
        let j = versions(&good);
        assert_eq!(j.verdict, Verdict::Pass);
        assert_eq!(j.evidence[0].value, "TLS 1.3, TLS 1.2");
        let old = obs(&[(TlsVersion::Tls12, 0xC02B), (TlsVersion::Tls10, 0xC009), (TlsVersion::Ssl3, 0x000A)]);
        let j = versions(&old);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(j.reason.args[0].1, "TLS 1.0, SSL 3.0");
        assert_eq!(versions(&TlsObservation::default()).verdict, Verdict::Unknown);
    }

    #[test]
    fn ciphers_after_the_guidelines() {
        let good = obs(&[(TlsVersion::Tls13, 0x1302), (TlsVersion::Tls12, 0xC02B)]);
        assert_eq!(ciphers(&good).verdict, Verdict::Pass);
        let mut phase_out = good.clone();
        phase_out.suites.push((TlsVersion::Tls12, 0xC023));
        let j = ciphers(&phase_out);
        assert_eq!(j.verdict, Verdict::Warning);
        assert!(j.reason.args[0].1.contains("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"));
        let mut bad = phase_out.clone();
        bad.suites.push((TlsVersion::Tls12, 0xC009));
        let j = ciphers(&bad);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(j.reason.args[0].1, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        // A TLS 1.0 suite is insufficient whatever it is.
        let old = obs(&[(TlsVersion::Tls12, 0xC02B), (TlsVersion::Tls10, 0xC009)]);
        assert!(ciphers(&old).reason.args[0].1.contains("(TLS 1.0)"));
        // TLS 1.3's CCM_8 suite is not listed: insufficient.
        let ccm8 = obs(&[(TlsVersion::Tls13, 0x1305)]);
        assert_eq!(ciphers(&ccm8).verdict, Verdict::Fail);
    }

    #[test]
    fn key_exchange_after_the_guidelines() {
        let mut o = obs(&[(TlsVersion::Tls12, 0xC02B)]);
        o.groups = vec![29, 23];
        o.kex_sigalgs = vec![0x0403];
        assert_eq!(key_exchange(&o).verdict, Verdict::Pass);
        o.dh_groups = vec![DhGroup {
            bits: 3072,
            standard: Some("ffdhe3072"),
        }];
        let j = key_exchange(&o);
        assert_eq!((j.verdict, j.reason.args[0].1.as_str()), (Verdict::Warning, "ffdhe3072"));
        o.groups.push(19);
        o.kex_sigalgs.push(0x0201);
        let j = key_exchange(&o);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(j.reason.args[0].1, "SHA-1 (key exchange signature), secp192r1");
        o.dh_groups.push(DhGroup {
            bits: 1024,
            standard: None,
        });
        assert!(key_exchange(&o).reason.args[0].1.contains("DH 1024 bits (self-generated)"));
    }

    #[test]
    fn compression_and_renegotiation() {
        let mut o = obs(&[(TlsVersion::Tls12, 0xC02B)]);
        assert_eq!(compression(&o).verdict, Verdict::Pass);
        assert_eq!(renegotiation(&o).verdict, Verdict::Pass);
        o.compression = Some(TlsVersion::Tls12);
        o.insecure_renegotiation = Some(TlsVersion::Tls12);
        assert_eq!(compression(&o).verdict, Verdict::Fail);
        assert_eq!(renegotiation(&o).verdict, Verdict::Fail);
    }

    #[test]
    fn an_incomplete_pass_is_unknown_but_a_fail_stands() {
        let mut o = obs(&[(TlsVersion::Tls12, 0xC02B)]);
        o.incomplete = Some("timed out".into());
        let j = settle(versions(&o), &o, "gent.be:443");
        assert_eq!(j.verdict, Verdict::Unknown);
        assert_eq!(j.reason.code, ReasonCode::Unreachable);
        o.versions.insert(TlsVersion::Tls10, 0xC009);
        assert_eq!(settle(versions(&o), &o, "gent.be:443").verdict, Verdict::Fail);
    }
}
