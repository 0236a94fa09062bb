//! The scanner: one target at a time, every check of its categories, concurrently where the politeness rules allow.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::config::ScannerConfig;
use crate::context::{Ctx, Inner};
use crate::dns::Dns;
use crate::dnscheck;
use crate::exposure;
use crate::mail;
use crate::model::{Category, Check, Judgement, Outcome, Report, Subject, Target, Verdict};
use crate::net::Net;
use crate::policy::{AddressPolicy, Gate};
use crate::reason::{Reason, ReasonCode};
use crate::tls::cert::TrustStore;
use crate::tls::modern::ModernTls;
use crate::web;

/// A configuration the scanner cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scanner cannot start: {0}")]
pub struct ScannerError(pub String);

/// Scans targets. Cheap to clone; share one per process so the politeness limits hold across scans.
#[derive(Clone)]
pub struct Scanner {
    inner: Arc<Inner>,
}

impl Scanner {
    /// Must be called inside a tokio runtime (the resolver needs one).
    pub fn new(config: ScannerConfig) -> Result<Scanner, ScannerError> {
        let extra_roots = config.test_mode.as_ref().map(|t| t.extra_roots.clone()).unwrap_or_default();
        let net = Net {
            gate: Gate::new(&config.politeness),
            policy: AddressPolicy {
                allow_loopback: config.test_mode.is_some(),
            },
            ports: config.test_mode.as_ref().map(|t| t.ports).unwrap_or_default(),
            timeouts: config.timeouts.clone(),
            limits: config.limits.clone(),
        };
        let dns = Dns::new(&config).map_err(ScannerError)?;
        let modern = ModernTls::new().map_err(ScannerError)?;
        let trust = TrustStore::new(&extra_roots).map_err(ScannerError)?;
        Ok(Scanner {
            inner: Arc::new(Inner {
                config,
                net,
                dns,
                modern,
                trust,
            }),
        })
    }

    pub fn config(&self) -> &ScannerConfig {
        &self.inner.config
    }

    /// Scans one target, judging at `now` (certificates, security.txt). Never fails: what could not be checked is an
    /// outcome with the verdict `Unknown` and the reason.
    pub async fn scan(&self, target: &Target, now: DateTime<Utc>) -> Report {
        let ctx = Ctx {
            inner: &self.inner,
            now,
            counter: AtomicU64::new(0),
        };
        let outcomes = Mutex::new(Vec::new());
        let run = scan_target(&ctx, target, &outcomes);
        let finished = tokio::time::timeout(self.inner.config.timeouts.scan, run).await.is_ok();
        let mut outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
        if !finished {
            // What finished in time stands; the rest is reported as not tested.
            let subject = target.name.as_deref().map(Subject::name).unwrap_or_default();
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::Unreachable)
                    .arg("endpoint", &subject)
                    .arg("error", "the scan took too long"),
            );
            for &check in Check::ALL {
                if target.categories.contains(check.category()) && !outcomes.iter().any(|o: &Outcome| o.check == check) {
                    outcomes.push(j.clone().outcome(check, subject.clone()));
                }
            }
        }
        outcomes.retain(|o| target.categories.contains(o.check.category()));
        outcomes.sort_by(|a, b| (a.check, &a.subject).cmp(&(b.check, &b.subject)));
        Report {
            target: target.clone(),
            at: now,
            outcomes,
            connections: ctx.counter.load(Ordering::Relaxed),
        }
    }
}

impl Scanner {
    /// What the TLS probes of `name`:443 saw, before any verdict (for the benchmark and for diagnosing a verdict).
    pub async fn observe_tls(&self, name: &str) -> Result<crate::tls::TlsObservation, String> {
        let counter = AtomicU64::new(0);
        let (v4, v6) = self.inner.dns.addresses(name).await?;
        let ip = v4
            .first()
            .map(|a| IpAddr::V4(*a))
            .or(v6.first().map(|a| IpAddr::V6(*a)))
            .ok_or_else(|| format!("{name} has no address"))?;
        let endpoint = crate::tls::probe::Endpoint::https(name, ip);
        let prober = crate::tls::probe::Prober {
            net: &self.inner.net,
            counter: &counter,
            endpoint: &endpoint,
        };
        prober.observe().await.map_err(|e| e.to_string())
    }

    /// Only the TLS and certificate checks of a host's HTTPS (port 443): versions, suites, key exchange, compression,
    /// renegotiation, and the certificate. What the benchmark compares with sslyze and testssl.sh.
    pub async fn scan_tls(&self, name: &str, now: DateTime<Utc>) -> Report {
        let ctx = Ctx {
            inner: &self.inner,
            now,
            counter: AtomicU64::new(0),
        };
        let web_only = crate::model::Categories {
            web: true,
            dns: false,
            mail: false,
            exposure: false,
        };
        let target = Target {
            name: Some(name.to_string()),
            addresses: Vec::new(),
            categories: web_only,
        };
        let subject = Subject::name(name);
        let outcomes = match self.inner.dns.addresses(name).await {
            Ok((v4, v6)) => match v4.first().map(|a| IpAddr::V4(*a)).or(v6.first().map(|a| IpAddr::V6(*a))) {
                Some(ip) => web::scan_tls(&ctx, name, ip).await,
                None => {
                    let j = Judgement::new(Verdict::NotApplicable, Reason::new(ReasonCode::NoAddress).arg("name", name));
                    crate::endpoint::all_with(&crate::endpoint::WEB, &subject, &j)
                }
            },
            Err(e) => {
                let j = Judgement::new(
                    Verdict::Unknown,
                    Reason::new(ReasonCode::DnsError).arg("name", name).arg("error", e),
                );
                crate::endpoint::all_with(&crate::endpoint::WEB, &subject, &j)
            }
        };
        Report {
            target,
            at: now,
            outcomes,
            connections: ctx.counter.load(Ordering::Relaxed),
        }
    }
}

fn push(outcomes: &Mutex<Vec<Outcome>>, more: Vec<Outcome>) {
    outcomes.lock().unwrap_or_else(|e| e.into_inner()).extend(more);
}

async fn scan_target(ctx: &Ctx<'_>, target: &Target, outcomes: &Mutex<Vec<Outcome>>) {
    let c = target.categories;
    let mut addresses: Vec<IpAddr> = target.addresses.clone();
    let web_part = async {
        let Some(name) = &target.name else { return Default::default() };
        if !(c.web || c.exposure || c.dns) {
            return Default::default();
        }
        match ctx.inner.dns.addresses(name).await {
            Err(e) => {
                let j = Judgement::new(
                    Verdict::Unknown,
                    Reason::new(ReasonCode::DnsError).arg("name", name).arg("error", &e),
                );
                let checks: Vec<Check> = Check::ALL
                    .iter()
                    .copied()
                    .filter(|ch| matches!(ch.category(), Category::Web) || *ch == Check::DnsIpv6Web || *ch == Check::ExposureAdminPanel)
                    .collect();
                push(
                    outcomes,
                    checks.into_iter().map(|ch| j.clone().outcome(ch, Subject::name(name))).collect(),
                );
                (Vec::new(), Vec::new())
            }
            Ok((v4, v6)) => {
                if v4.is_empty() && v6.is_empty() {
                    let j = Judgement::new(Verdict::NotApplicable, Reason::new(ReasonCode::NoAddress).arg("name", name));
                    let checks: Vec<Check> = Check::ALL
                        .iter()
                        .copied()
                        .filter(|ch| matches!(ch.category(), Category::Web) || *ch == Check::ExposureAdminPanel)
                        .collect();
                    push(
                        outcomes,
                        checks.into_iter().map(|ch| j.clone().outcome(ch, Subject::name(name))).collect(),
                    );
                    push(outcomes, vec![dnscheck::ipv6_web_missing(name)]);
                } else {
                    push(outcomes, web::scan(ctx, name, &v4, &v6).await);
                }
                (v4, v6)
            }
        }
    };
    let dns_part = async {
        if let (true, Some(name)) = (c.dns, &target.name) {
            push(outcomes, dnscheck::scan(ctx, name).await);
        }
    };
    let mail_part = async {
        if let (true, Some(name)) = (c.mail, &target.name) {
            push(outcomes, mail::scan(ctx, name).await);
        }
    };
    let ((v4, v6), (), ()) = tokio::join!(web_part, dns_part, mail_part);
    // Web, DNS and mail first, so that exposure probes do not compete with them at the same addresses.
    if c.exposure {
        for ip in v4.iter().map(|a| IpAddr::V4(*a)).chain(v6.iter().map(|a| IpAddr::V6(*a))) {
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
        addresses.truncate(ctx.inner.config.limits.addresses_per_name.max(target.addresses.len()));
        push(outcomes, exposure::scan(ctx, &addresses).await);
    }
}
