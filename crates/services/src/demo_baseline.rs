//! The demo's year of baseline scans (issue 16). Four governments register their domain on the
//! demo's own fleet of servers (`gent.test`, ... on 127.100-199.x.x), and every Monday from 15 June 2020
//! the domains are scanned at that day, on a fleet with that week's configuration (started anew
//! when the configuration changes, and at least every 12 weeks, dated that day): the history, the
//! findings and the scores are the scanner's own, not typed in. The last week's fleet keeps running
//! while the demo serves, so a scan asked for in the portal scans it.

use crate::Services;
use crate::baseline::{ScanHolder, fleet_scanner};
use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_baseline::fleet::spec::{DomainSpec, HttpSpec, Legacy, SecurityTxtSpec, Signing, TlsSpec, good};
use cyberveilig_baseline::fleet::{Fleet, FleetConfig};
use cyberveilig_baseline::tls::TlsVersion;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The first weekly scan: a Monday.
fn first_scan_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 6, 15).unwrap_or_default()
}

/// What a demo government's domain looks like in a week of the year (0 is 15 June 2020).
type DomainOfWeek = fn(i64) -> DomainSpec;

/// The demo's governments with a domain on the fleet: NIS code, label, and what the domain looks
/// like in a given week of the year.
const GOVERNMENTS: [(&str, &str, DomainOfWeek); 4] = [
    ("44021", "gent", gent),
    ("31005", "brugge", brugge),
    ("24062", "leuven", leuven),
    ("71072", "hasselt", hasselt),
];

/// Gent starts with TLS 1.0 on, no HSTS and DMARC at p=none, and fixes them one by one.
fn gent(week: i64) -> DomainSpec {
    let mut d = good("gent");
    if week < 12 {
        d.web.https = Some(TlsSpec::with_legacy(Legacy {
            versions: vec![TlsVersion::Tls10],
            ..Legacy::tls12(&[0xC009, 0xC00A])
        }));
    }
    if week < 24 {
        d.web.headers.retain(|(name, _)| name != "strict-transport-security");
    }
    if week < 34 {
        d.dns.dmarc = Some("v=DMARC1; p=none; rua=mailto:dmarc@gent.test".into());
    }
    d
}

/// Brugge is in order, but for RDP and databases open to the internet for three weeks and a
/// security.txt that expired in the winter.
fn brugge(week: i64) -> DomainSpec {
    let mut d = good("brugge");
    d.exposed_ports = (16..19).contains(&week);
    if (26..31).contains(&week) {
        d.web.security_txt = SecurityTxtSpec::Expired;
    }
    d
}

/// Leuven's zone is not signed all year, and its SPF allowed anyone to send until spring.
fn leuven(week: i64) -> DomainSpec {
    let mut d = good("leuven");
    d.dns.signing = Signing::Unsigned;
    if week < 36 {
        d.dns.spf = Some("v=spf1 +all".into());
    }
    d
}

/// Hasselt served its site over HTTP without redirecting at first, had no security.txt until
/// May, and has no DMARC record (its mail goes through a provider: explained and accepted).
fn hasselt(week: i64) -> DomainSpec {
    let mut d = good("hasselt");
    if week < 12 {
        d.web.http = HttpSpec::NoRedirect;
    }
    if week < 45 {
        d.web.security_txt = SecurityTxtSpec::Missing;
    }
    d.dns.dmarc = None;
    d
}

/// The fleet the demo scans: its domains as they were when it started, and that week.
pub(crate) struct DemoFleet {
    _fleet: Fleet,
    domains: Vec<DomainSpec>,
    week: i64,
}

/// A fleet serves the same configuration for at most this many weeks: its certificates (335 days)
/// and security.txt files (180 days) stay well within their validity.
const WEEKS_PER_FLEET: i64 = 12;

fn fleet_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal("demo_fleet", e.to_string())
}

impl Services {
    /// The demo's baseline scans of `day`: on each Monday from 15 June 2020, that week's fleet is
    /// started and every demo government's domain scanned.
    pub(crate) async fn demo_baseline_day(&self, day: NaiveDate) -> Result<()> {
        let since = (day - first_scan_day()).num_days();
        if since < 0 || since % 7 != 0 {
            return Ok(());
        }
        let week = since / 7;
        if week == 0 {
            for (nis, label, _) in GOVERNMENTS {
                let government = self.demo_actor(&format!("{nis}@gemeente.test")).await?;
                let name = format!("{label}.test");
                self.register_baseline_system(&government, government.organisation_id, &name, None)
                    .await?;
            }
        }
        let domains: Vec<DomainSpec> = GOVERNMENTS.iter().map(|(_, _, spec)| spec(week)).collect();
        let current = self
            .demo_fleet
            .lock()
            .await
            .as_ref()
            .is_some_and(|f| f.domains == domains && week - f.week < WEEKS_PER_FLEET);
        if !current && let Err(e) = self.start_demo_fleet(week).await {
            // Where the loopback range beyond 127.0.0.1 is not routed (macOS), the demo goes on
            // without the baseline scan's history rather than not at all.
            tracing::warn!(error = %e, "the demo's fleet cannot start: no baseline scans this week");
            return Ok(());
        }
        let holder = ScanHolder("demo".into());
        self.run_baseline_round(&holder, GOVERNMENTS.len() * 2).await?;
        // Only where the fleet ran: the explanation is of a check the scan reported.
        if week == 8 && self.scans_baseline() {
            self.demo_explanation().await?;
        }
        Ok(())
    }

    /// Starts the fleet of `week` at the clock's now, and scans with it from now on. Each fleet
    /// takes addresses of its own, drawn at random in 127.100.0.0 to 127.199.255.0 (and drawn
    /// again if they are taken): another demo, a test or the last week's fleet may hold some.
    async fn start_demo_fleet(&self, week: i64) -> Result<()> {
        let mut tried = Vec::new();
        for _ in 0..8 {
            let base = Ipv4Addr::new(127, rand::random_range(100..=199), rand::random::<u8>(), 0);
            let config = FleetConfig {
                base,
                now: self.clock.now(),
                domains: GOVERNMENTS.iter().map(|(_, _, spec)| spec(week)).collect(),
                copies: Vec::new(),
                ipv6: false,
            };
            match Fleet::start(config).await {
                Ok(fleet) => {
                    let scanner = fleet_scanner(&fleet, &format!("{}/scanner", self.accounts.public_url))?;
                    self.set_baseline_scanner(Some(Arc::new(scanner)));
                    *self.demo_fleet.lock().await = Some(DemoFleet {
                        _fleet: fleet,
                        domains: GOVERNMENTS.iter().map(|(_, _, spec)| spec(week)).collect(),
                        week,
                    });
                    return Ok(());
                }
                Err(e) => tried.push(format!("{base}: {e}")),
            }
        }
        Err(fleet_error(tried.join("; ")))
    }

    /// Keeps the demo's fleet running while the demo serves: the last week's, or (on a demo
    /// database made earlier) the fleet of the clock's week.
    pub async fn run_demo_fleet(&self) -> Result<()> {
        if self.demo_fleet.lock().await.is_some() {
            return Ok(());
        }
        let today = crate::clock::brussels_date(self.clock.now());
        let week = ((today - first_scan_day()).num_days() / 7).clamp(0, 199);
        if let Err(e) = self.start_demo_fleet(week).await {
            tracing::warn!(error = %e, "the demo's fleet cannot start: the demo serves without scanning");
        }
        Ok(())
    }

    /// Hasselt explains its missing DMARC record; the administrator accepts.
    async fn demo_explanation(&self) -> Result<()> {
        let hasselt = self.demo_actor("71072@gemeente.test").await?;
        let admin = self.demo_actor("admin@abb.test").await?;
        let e = self
            .explain_check(
                &hasselt,
                hasselt.organisation_id,
                "mail-dmarc",
                "hasselt.test",
                "Hasselt verstuurt geen mail vanaf hasselt.test: alle mail gaat via stad.hasselt.test, dat DMARC op reject heeft.",
            )
            .await?;
        self.decide_explanation(&admin, e.id, true, Some("Nagekeken: het domein verstuurt geen mail."))
            .await?;
        Ok(())
    }
}
