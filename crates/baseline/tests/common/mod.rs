//! One fleet and one scanner per test binary, on a runtime of their own, with each domain scanned once.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use cyberveilig_baseline::Scanner;
use cyberveilig_baseline::fleet::{Fleet, FleetConfig};
use cyberveilig_baseline::{Check, Outcome, Politeness, Report, ScannerConfig, Target, Timeouts, Verdict};

pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub fleet: Fleet,
    pub scanner: Scanner,
    pub now: DateTime<Utc>,
    reports: Mutex<HashMap<String, Arc<Report>>>,
}

/// A polite scanner (two connections per address) in the test mode, with short timeouts.
pub fn scanner_config(fleet: &Fleet) -> ScannerConfig {
    let mut config = ScannerConfig::new("https://cyberveilig.test/scan");
    config.test_mode = Some(fleet.test_mode());
    config.politeness = Politeness {
        connections_per_second_per_address: 100.0,
        ..Politeness::default()
    };
    config.timeouts = Timeouts {
        connect: Duration::from_secs(3),
        tls: Duration::from_secs(5),
        http: Duration::from_secs(5),
        smtp: Duration::from_secs(5),
        dns: Duration::from_secs(3),
        scan: Duration::from_secs(120),
    };
    config
}

pub fn start(base: Ipv4Addr, config: impl FnOnce(FleetConfig) -> FleetConfig) -> World {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let now = Utc::now().trunc_subsecs(0);
    let fleet = rt
        .block_on(Fleet::start(config(FleetConfig::new(base, now))))
        .expect("the fleet starts");
    let scanner = rt
        .block_on(async { Scanner::new(scanner_config(&fleet)) })
        .expect("the scanner starts");
    World {
        rt,
        fleet,
        scanner,
        now,
        reports: Mutex::new(HashMap::new()),
    }
}

impl World {
    /// The report of `<label>.test` scanned as a domain at the fleet's `now` (scanned once, then remembered).
    pub fn report(&self, label: &str) -> Arc<Report> {
        if let Some(r) = self.reports.lock().unwrap().get(label) {
            return r.clone();
        }
        let target = Target::domain(&format!("{label}.test")).expect("a valid name");
        let report = Arc::new(self.rt.block_on(self.scanner.scan(&target, self.now)));
        self.reports.lock().unwrap().insert(label.to_string(), report.clone());
        report
    }

    /// Scans a target at another moment (not remembered).
    pub fn scan_at(&self, target: &Target, now: DateTime<Utc>) -> Report {
        self.rt.block_on(self.scanner.scan(target, now))
    }

    pub fn reports(&self) -> Vec<Arc<Report>> {
        self.reports.lock().unwrap().values().cloned().collect()
    }
}

/// The outcomes of a check, described for a failure message.
pub fn describe(report: &Report, check: Check) -> String {
    report
        .of(check)
        .map(|o: &Outcome| format!("{} {} {} {:?}", o.subject, o.verdict, o.reason.code, o.reason.args))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every outcome that is not a pass, described.
pub fn not_passing(report: &Report) -> Vec<String> {
    report
        .outcomes
        .iter()
        .filter(|o| o.verdict != Verdict::Pass)
        .map(|o| format!("{} {} {} {} {:?}", o.check, o.subject, o.verdict, o.reason.code, o.reason.args))
        .collect()
}

pub static WORLD: OnceLock<World> = OnceLock::new();
