//! The benchmark of issue 16, section 5 (see docs/PERFORMANCE.md, "Baseline scanner"):
//!
//! 1. The TLS checks on the fleet against sslyze and testssl.sh, on the same hosts in one run: hosts per second, and
//!    the verdicts each tool's observations give under the same rules.
//! 2. 2,000 host names through the whole check set with politeness off: wall time and CPU time of the scanner.
//!
//! ```sh
//! crates/baseline/benches/run.sh            # installs sslyze in a venv if needed, then runs this
//! cargo bench -p cyberveilig-baseline --bench scan
//! ```
//!
//! Environment: CYBERVEILIG_BENCH_NAMES (2000), CYBERVEILIG_BENCH_PART (`tls`, `names` or both), SSLYZE (the sslyze
//! command, default `sslyze`), TESTSSL (default `testssl`, else `testssl.sh`), CYBERVEILIG_BENCH_TOOLS=required (fail
//! when a tool is missing instead of leaving it out). The fleet runs in a child process of this binary, so that the
//! scanner's CPU time is its own.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cyberveilig_baseline::fleet::tools::{COMPARED, ToolView, read_sslyze, read_testssl, sslyze_args, verdicts};
use cyberveilig_baseline::fleet::{Fleet, FleetConfig, Handover, openssl};
use cyberveilig_baseline::tls::verdict;
use cyberveilig_baseline::{Check, Politeness, Report, Scanner, ScannerConfig, Target, Timeouts, Verdict};

const BASE: Ipv4Addr = Ipv4Addr::new(127, 22, 0, 0);
const TLS_HOSTS: [&str; 10] = [
    "good",
    "hsts-short",
    "cert-expired",
    "cert-expiring",
    "cert-untrusted",
    "cert-wrong-name",
    "ossl-good",
    "ossl-tls10",
    "ossl-cbc",
    "ossl-dhe",
];

fn main() {
    if std::env::var("CYBERVEILIG_BENCH_FLEET").is_ok() {
        return run_fleet();
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let names: usize = std::env::var("CYBERVEILIG_BENCH_NAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let part = std::env::var("CYBERVEILIG_BENCH_PART").unwrap_or_default();
    let required = std::env::var("CYBERVEILIG_BENCH_TOOLS").as_deref() == Ok("required");
    let with_openssl = openssl::available();
    assert!(with_openssl || !required, "openssl is required");

    println!("# Baseline scanner benchmark, {}", Utc::now().format("%Y-%m-%d %H:%M UTC"));
    println!("machine: {} cores, {}; load before: {}", num_cpus(), cpu_model(), loadavg());
    let (mut child, handover) = start_fleet(names, with_openssl);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let now = Utc::now();
    let mut config = ScannerConfig::new("https://cyberveilig.test/scan");
    config.test_mode = Some(handover.test_mode().expect("a usable handover"));
    config.timeouts = Timeouts {
        connect: Duration::from_secs(5),
        tls: Duration::from_secs(20),
        http: Duration::from_secs(20),
        smtp: Duration::from_secs(20),
        dns: Duration::from_secs(5),
        scan: Duration::from_secs(900),
    };
    let polite = config.clone();
    config.politeness = Politeness::off();
    let scanner = rt.block_on(async { Scanner::new(config) }).expect("a scanner");
    let polite_scanner = rt.block_on(async { Scanner::new(polite) }).expect("a scanner");

    if part.is_empty() || part == "tls" {
        let hosts: Vec<String> = TLS_HOSTS
            .iter()
            .filter(|h| with_openssl || !h.starts_with("ossl"))
            .map(|h| format!("{h}.test"))
            .collect();
        tls_part(&rt, &scanner, &polite_scanner, &handover, &hosts, now, required);
    }
    if part.is_empty() || part == "names" {
        names_part(&rt, &scanner, &child, names, now);
    }
    drop(child.stdin.take());
    let _ = child.wait();
}

/// The fleet process: the catalogue, the ossl-* domains and `names` copies; prints the handover, runs until stdin closes.
fn run_fleet() {
    let names: usize = std::env::var("CYBERVEILIG_BENCH_NAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut config = FleetConfig::new(BASE, Utc::now());
    config.ipv6 = false;
    let labels: Vec<String> = config.domains.iter().map(|d| d.label.clone()).collect();
    config.copies = (0..names)
        .map(|i| (format!("n{:05}", i + 1), labels[i % labels.len()].clone()))
        .collect();
    if std::env::var("CYBERVEILIG_BENCH_OPENSSL").as_deref() == Ok("1") {
        config.domains.extend(openssl::catalogue());
    }
    let fleet = rt.block_on(Fleet::start(config)).expect("the fleet starts");
    println!("{}", serde_json::to_string(&fleet.handover()).expect("serialisable"));
    let _ = std::io::stdout().flush();
    for _ in std::io::stdin().lock().lines() {}
}

fn start_fleet(names: usize, with_openssl: bool) -> (std::process::Child, Handover) {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .env("CYBERVEILIG_BENCH_FLEET", "1")
        .env("CYBERVEILIG_BENCH_NAMES", names.to_string())
        .env("CYBERVEILIG_BENCH_OPENSSL", if with_openssl { "1" } else { "0" })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the fleet process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the handover");
    let handover: Handover = serde_json::from_str(&line).expect("a handover");
    println!(
        "fleet: {} domains and copies, started in {:.1} s (process {})\n",
        handover.domains.len() + names,
        started.elapsed().as_secs_f64(),
        child.id()
    );
    (child, handover)
}

/// User plus system CPU seconds of a process, from /proc (clock ticks of 1/100 s).
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime, stime, cutime, cstime are fields 14-17; after the ")" they are at 11..14.
    (tick(11) + tick(12) + tick(13) + tick(14)) / 100.0
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn letter(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Warning => "warn",
        Verdict::Fail => "FAIL",
        Verdict::NotApplicable => "n/a",
        Verdict::Unknown => "?",
    }
}

/// Verdicts of one tool on one host, by check.
type Verdicts = BTreeMap<Check, Verdict>;

fn tls_part(
    rt: &tokio::runtime::Runtime,
    scanner: &Scanner,
    polite: &Scanner,
    handover: &Handover,
    hosts: &[String],
    now: DateTime<Utc>,
    required: bool,
) {
    println!(
        "## 1. TLS checks: cyberveilig, sslyze and testssl.sh on the same {} hosts\n",
        hosts.len()
    );
    let address = |host: &str| {
        handover
            .domains
            .iter()
            .find(|(l, _)| format!("{l}.test") == host)
            .map(|(_, a)| *a)
            .expect("a fleet host")
    };
    let port = 443 + handover.privileged_offset;

    // cyberveilig, politeness off: three runs, the median.
    let mut runs = Vec::new();
    let mut ours: BTreeMap<String, Report> = BTreeMap::new();
    let me = std::process::id().to_string();
    let mut cpu = 0.0;
    for _ in 0..3 {
        let cpu0 = cpu_seconds(&me);
        let t = Instant::now();
        let reports = rt.block_on(futures_util::future::join_all(hosts.iter().map(|h| scanner.scan_tls(h, now))));
        runs.push(t.elapsed().as_secs_f64());
        cpu = cpu_seconds(&me) - cpu0;
        for r in reports {
            ours.insert(r.target.name.clone().unwrap_or_default(), r);
        }
    }
    runs.sort_by(|a, b| a.total_cmp(b));
    let ours_s = runs[1];
    let handshakes: u64 = ours.values().map(|r| r.connections).sum();
    let t = Instant::now();
    rt.block_on(futures_util::future::join_all(hosts.iter().map(|h| polite.scan_tls(h, now))));
    let polite_s = t.elapsed().as_secs_f64();
    // Without the SHA-1 key exchange probe, which neither tool makes, for a like-for-like key exchange verdict.
    let observations = rt.block_on(futures_util::future::join_all(hosts.iter().map(|h| scanner.observe_tls(h))));

    let dir = std::env::temp_dir().join(format!("cyberveilig-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a work directory");
    let ca_pem = dir.join("ca.pem");
    std::fs::write(&ca_pem, pem("CERTIFICATE", &hex::decode(&handover.ca).expect("hex"))).expect("the CA file");

    let sslyze = std::env::var("SSLYZE").unwrap_or_else(|_| "sslyze".into());
    let sslyze_result = run_sslyze(&sslyze, &dir, &ca_pem, hosts, &address, port);
    let testssl = std::env::var("TESTSSL")
        .ok()
        .or_else(|| ["testssl", "testssl.sh"].iter().find(|c| which(c)).map(|c| c.to_string()));
    let testssl_result = testssl
        .as_deref()
        .and_then(|t| run_testssl(t, &dir, &ca_pem, hosts, &address, port));
    if required {
        assert!(sslyze_result.is_some(), "sslyze is required");
        assert!(testssl_result.is_some(), "testssl.sh is required");
    }

    println!("| tool | hosts | wall s | hosts/s | CPU s | note |");
    println!("|---|---:|---:|---:|---:|---|");
    println!(
        "| cyberveilig, politeness off (median of 3) | {} | {:.2} | {:.1} | {:.2} | {} handshakes in all, {:.0} per host |",
        hosts.len(),
        ours_s,
        hosts.len() as f64 / ours_s,
        cpu,
        handshakes,
        handshakes as f64 / hosts.len() as f64
    );
    println!(
        "| cyberveilig, polite (2 per address, 5/s) | {} | {:.2} | {:.1} | | |",
        hosts.len(),
        polite_s,
        hosts.len() as f64 / polite_s
    );
    let row = |tool: String, t: &Timing, note: &str| {
        println!(
            "| {tool} | {} | {:.2} | {:.2} | {:.2} | {note} |",
            hosts.len(),
            t.wall,
            hosts.len() as f64 / t.wall,
            t.cpu
        );
    };
    if let Some((t, _)) = &sslyze_result {
        row(
            format!("sslyze {}", sslyze_version(&resolve(&sslyze))),
            t,
            "one run, all hosts at once",
        );
    }
    if let Some((t, _)) = &testssl_result {
        row(
            format!("testssl.sh {}", testssl_version(testssl.as_deref().unwrap_or(""))),
            t,
            "one process per host, all at once",
        );
    }
    if let Some((s, _)) = &sslyze_result {
        println!(
            "\ncyberveilig / sslyze hosts per second: {:.1}x (target: at least 10x)",
            s.wall / ours_s
        );
    }
    if let Some((s, _)) = &testssl_result {
        println!("cyberveilig / testssl.sh hosts per second: {:.1}x", s.wall / ours_s);
    }

    // Verdicts.
    println!(
        "\nVerdicts (cyberveilig / sslyze / testssl.sh; the key exchange compared without the SHA-1 signature probe, which only cyberveilig makes):\n"
    );
    print!("| host |");
    for c in COMPARED {
        print!(" {} |", c.code().trim_start_matches("web-"));
    }
    println!();
    println!("|---|{}", "---|".repeat(COMPARED.len()));
    let (mut same, mut total, mut differences) = (0, 0, Vec::new());
    for (i, host) in hosts.iter().enumerate() {
        let mut mine: Verdicts = ours[host]
            .outcomes
            .iter()
            .filter(|o| COMPARED.contains(&o.check))
            .map(|o| (o.check, o.verdict))
            .collect();
        if let Ok(obs) = &observations[i] {
            let mut without = obs.clone();
            without.kex_sigalgs.clear();
            mine.insert(Check::WebTlsKeyExchange, verdict::key_exchange(&without).verdict);
        }
        let full_kx = ours[host].verdict(Check::WebTlsKeyExchange);
        let theirs: Vec<Option<Verdicts>> = vec![
            sslyze_result.as_ref().and_then(|(_, m)| m.get(host)).map(|j| verdicts(j, now)),
            testssl_result.as_ref().and_then(|(_, m)| m.get(host)).map(|j| verdicts(j, now)),
        ];
        print!("| {host} |");
        for c in COMPARED {
            let m = mine.get(&c).copied().unwrap_or(Verdict::Unknown);
            let cells: Vec<String> = std::iter::once(letter(m).to_string())
                .chain(theirs.iter().map(|t| {
                    t.as_ref()
                        .map(|v| letter(v.get(&c).copied().unwrap_or(Verdict::Unknown)).to_string())
                        .unwrap_or_else(|| "-".into())
                }))
                .collect();
            for (tool, t) in ["sslyze", "testssl.sh"].iter().zip(&theirs) {
                if let Some(v) = t {
                    total += 1;
                    let theirs = v.get(&c).copied().unwrap_or(Verdict::Unknown);
                    if theirs == m {
                        same += 1;
                    } else {
                        differences.push(format!("{host} {c}: cyberveilig {m}, {tool} {theirs}"));
                    }
                }
            }
            let kx_note = if c == Check::WebTlsKeyExchange && full_kx != m {
                format!(" (full: {})", letter(full_kx))
            } else {
                String::new()
            };
            print!(" {}{kx_note} |", cells.join(" / "));
        }
        println!();
    }
    println!("\nSame verdict: {same} of {total} comparisons.");
    for d in &differences {
        println!("- {d}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!();
}

struct Timing {
    wall: f64,
    cpu: f64,
}

fn which(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The full path of a command on the PATH.
fn resolve(cmd: &str) -> String {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| cmd.to_string())
}

/// The version of the sslyze installed next to the command (it has no --version).
fn sslyze_version(cmd: &str) -> String {
    let python = Path::new(cmd).with_file_name("python");
    let python = if python.exists() {
        python.to_string_lossy().into_owned()
    } else {
        "python3".to_string()
    };
    Command::new(python)
        .args(["-c", "import importlib.metadata as m; print(m.version('sslyze'))"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn testssl_version(cmd: &str) -> String {
    let out = Command::new(cmd)
        .args(["--version", "--color", "0"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    // "    testssl       3.0.8 from https://testssl.sh/"
    out.split_whitespace()
        .skip_while(|w| !w.starts_with("testssl"))
        .nth(1)
        .unwrap_or("")
        .to_string()
}

/// CPU seconds of finished children of this process, so far.
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(13) + tick(14)) / 100.0
}

fn run_sslyze(
    cmd: &str,
    dir: &Path,
    ca: &Path,
    hosts: &[String],
    address: &dyn Fn(&str) -> Ipv4Addr,
    port: u16,
) -> Option<(Timing, BTreeMap<String, ToolView>)> {
    if !which(cmd) {
        println!("(sslyze not found: left out)\n");
        return None;
    }
    let out = dir.join("sslyze.json");
    let cpu0 = children_cpu();
    let t = Instant::now();
    let targets: Vec<String> = hosts.iter().map(|h| format!("{h}:{port}{{{}}}", address(h))).collect();
    let status = Command::new(cmd)
        .args(sslyze_args(&out, ca, &targets))
        .stdout(Stdio::null())
        .status()
        .ok()?;
    let timing = Timing {
        wall: t.elapsed().as_secs_f64(),
        cpu: children_cpu() - cpu0,
    };
    if !status.success() && !out.exists() {
        println!("(sslyze failed: {status})");
        return None;
    }
    let text = match std::fs::read_to_string(&out) {
        Ok(t) => t,
        Err(e) => {
            println!("(sslyze wrote no report: {e})");
            return None;
        }
    };
    match read_sslyze(&text) {
        Ok(views) => Some((timing, views)),
        Err(e) => {
            println!("({e})");
            None
        }
    }
}

fn run_testssl(
    cmd: &str,
    dir: &Path,
    ca: &Path,
    hosts: &[String],
    address: &dyn Fn(&str) -> Ipv4Addr,
    port: u16,
) -> Option<(Timing, BTreeMap<String, ToolView>)> {
    let cpu0 = children_cpu();
    let t = Instant::now();
    let mut children = Vec::new();
    for h in hosts {
        let out = dir.join(format!("testssl-{h}.json"));
        let _ = std::fs::remove_file(&out);
        let child = Command::new(cmd)
            .args([
                "--quiet",
                "--color",
                "0",
                "--warnings",
                "off",
                "--ip",
                &address(h).to_string(),
                "--add-ca",
            ])
            .arg(ca)
            .arg("--jsonfile")
            .arg(&out)
            .args(["-p", "-E", "-f", "-S", "-C", "-R", &format!("https://{h}:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        children.push((h.clone(), out, child));
    }
    let mut seen = BTreeMap::new();
    for (h, out, mut child) in children {
        let _ = child.wait();
        let Ok(text) = std::fs::read_to_string(&out) else { continue };
        match read_testssl(&text) {
            Ok(view) => {
                seen.insert(h.clone(), view);
            }
            Err(e) => println!("({h}: {e})"),
        }
    }
    let timing = Timing {
        wall: t.elapsed().as_secs_f64(),
        cpu: children_cpu() - cpu0,
    };
    Some((timing, seen))
}

fn pem(label: &str, der: &[u8]) -> String {
    cyberveilig_baseline::fleet::pem_encode(label, der)
}

fn names_part(rt: &tokio::runtime::Runtime, scanner: &Scanner, fleet: &std::process::Child, names: usize, now: DateTime<Utc>) {
    println!("## 2. {names} host names through the whole check set, politeness off\n");
    let targets: Vec<Target> = (0..names)
        .map(|i| Target::domain(&format!("n{:05}.test", i + 1)).expect("a name"))
        .collect();
    let me = std::process::id().to_string();
    let fleet_pid = fleet.id().to_string();
    let (cpu0, fleet0) = (cpu_seconds(&me), cpu_seconds(&fleet_pid));
    let load0 = loadavg();
    let t = Instant::now();
    let scanner = Arc::new(scanner.clone());
    let limit = Arc::new(tokio::sync::Semaphore::new(200));
    let reports: Vec<Report> = rt.block_on(async {
        let handles: Vec<_> = targets
            .into_iter()
            .map(|target| {
                let (scanner, limit) = (scanner.clone(), limit.clone());
                tokio::spawn(async move {
                    let _permit = limit.acquire_owned().await.expect("open");
                    scanner.scan(&target, now).await
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.expect("a scan"));
        }
        out
    });
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds(&me) - cpu0;
    let fleet_cpu = cpu_seconds(&fleet_pid) - fleet0;
    let outcomes: usize = reports.iter().map(|r| r.outcomes.len()).sum();
    let connections: u64 = reports.iter().map(|r| r.connections).sum();
    let mut by_verdict: BTreeMap<&str, usize> = BTreeMap::new();
    for o in reports.iter().flat_map(|r| &r.outcomes) {
        *by_verdict.entry(o.verdict.code()).or_default() += 1;
    }
    println!("| measure | value |");
    println!("|---|---:|");
    println!("| host names (domains: web, DNS, mail, exposure) | {names} |");
    println!("| wall time | {wall:.1} s ({:.0} names/s) |", names as f64 / wall);
    println!(
        "| CPU time of the scanner (user + system) | {cpu:.1} s ({:.1} ms per name) |",
        cpu * 1000.0 / names as f64
    );
    println!("| CPU time of the fleet (servers, other process) | {fleet_cpu:.1} s |");
    println!(
        "| connections | {connections} ({:.0} per name) |",
        connections as f64 / names as f64
    );
    println!(
        "| outcomes | {outcomes} ({}) |",
        by_verdict.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    );
    println!("| load average before / after | {load0} / {} |", loadavg());
    println!(
        "\nTarget: under 60 s of CPU on 2 cores: {}",
        if cpu < 60.0 { "met" } else { "not met" }
    );
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    for o in reports.iter().flat_map(|r| &r.outcomes).filter(|o| o.verdict == Verdict::Unknown) {
        *unknown.entry(o.reason.code.code()).or_default() += 1;
    }
    println!("\nNot tested, by reason: {unknown:?}");
}
