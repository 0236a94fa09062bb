//! Synthetic scanner reports of any size, for the benchmark and the `generate` example. Deterministic: the same
//! arguments give the same bytes. Shared by `examples/generate.rs` and `benches/parse.rs` through `#[path]`.

use std::io::{self, Write};

/// A small deterministic generator (xorshift64*), so the output does not depend on a crate's version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PORTS: [(u16, &str, &str); 8] = [
    (0, "general", "tcp"),
    (22, "ssh", "tcp"),
    (80, "www", "tcp"),
    (443, "www", "tcp"),
    (445, "cifs", "tcp"),
    (3389, "msrdp", "tcp"),
    (161, "snmp", "udp"),
    (8443, "www", "tcp"),
];

/// CVSS 3.x vectors: every combination of the base metrics, in versions 3.0 and 3.1 (5,184
/// distinct vectors, more than the parser's cache holds), so no cache flatters a benchmark.
const METRICS: [(&str, &[&str]); 8] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "R"]),
    ("S", &["U", "C"]),
    ("C", &["H", "L", "N"]),
    ("I", &["H", "L", "N"]),
    ("A", &["H", "L", "N"]),
];

/// The `n`-th vector (any `n`; they repeat after 5,184) and its score as the scanner would give it.
pub fn vector(n: u64) -> (String, String) {
    let mut rest = n;
    let version = if rest.is_multiple_of(2) { "3.1" } else { "3.0" };
    rest /= 2;
    let mut out = format!("CVSS:{version}");
    for (name, values) in METRICS {
        let len = values.len() as u64;
        out.push_str(&format!("/{name}:{}", values[(rest % len) as usize]));
        rest /= len;
    }
    let score = cyberveilig_findings::score_cvss_vector(&out).map_or(0.0, |(_, _, score)| score);
    (out, format!("{score:.1}"))
}

const WORDS: [&str; 16] = [
    "remote",
    "host",
    "service",
    "version",
    "affected",
    "vulnerability",
    "update",
    "vendor",
    "attacker",
    "request",
    "server",
    "configuration",
    "certificate",
    "protocol",
    "security",
    "patch",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::with_capacity(words * 9);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s.push('.');
    s
}

/// Writes a Nessus v2 file with `findings` report items spread over `hosts` hosts (items per host differ by at most
/// one). Each (host, plugin, port) occurs once, so every finding has its own fingerprint.
pub fn nessus(out: &mut dyn Write, findings: u64, hosts: u64, seed: u64) -> io::Result<()> {
    let hosts = hosts.max(1);
    let mut rng = Rng::new(seed);
    writeln!(out, "<?xml version=\"1.0\" ?>\n<NessusClientData_v2>")?;
    writeln!(
        out,
        "<Policy><policyName>Synthetic</policyName><Preferences><ServerPreferences><preference><name>plugin_set</name><value>1;2;3</value></preference></ServerPreferences></Preferences></Policy>"
    )?;
    writeln!(out, "<Report name=\"synthetic\" xmlns:cm=\"http://www.nessus.org/cm\">")?;
    let start = 1_700_000_000u64;
    for h in 0..hosts {
        let items = findings / hosts + u64::from(h < findings % hosts);
        let ip = format!("10.{}.{}.{}", (h >> 16) & 255, (h >> 8) & 255, h & 255);
        writeln!(out, "<ReportHost name=\"{ip}\"><HostProperties>")?;
        writeln!(out, "<tag name=\"HOST_END_TIMESTAMP\">{}</tag>", start + 3600 + h)?;
        writeln!(out, "<tag name=\"HOST_END\">Tue Nov 14 23:13:20 2023</tag>")?;
        writeln!(out, "<tag name=\"operating-system\">Microsoft Windows Server 2019 Standard</tag>")?;
        writeln!(out, "<tag name=\"host-ip\">{ip}</tag>")?;
        writeln!(out, "<tag name=\"host-fqdn\">host{h}.gemeente.example</tag>")?;
        writeln!(out, "<tag name=\"netbios-name\">HOST{h}</tag>")?;
        writeln!(out, "<tag name=\"HOST_START_TIMESTAMP\">{}</tag>", start + h)?;
        writeln!(out, "<tag name=\"HOST_START\">Tue Nov 14 22:13:20 2023</tag>")?;
        writeln!(out, "</HostProperties>")?;
        for k in 0..items {
            let plugin = 10_000 + k;
            let (port, svc, proto) = PORTS[(k % PORTS.len() as u64) as usize];
            let severity = rng.below(5);
            let risk = ["None", "Low", "Medium", "High", "Critical"][severity as usize];
            writeln!(
                out,
                "<ReportItem port=\"{port}\" svc_name=\"{svc}\" protocol=\"{proto}\" severity=\"{severity}\" pluginID=\"{plugin}\" pluginName=\"Synthetic check {plugin} &amp; friends\" pluginFamily=\"General\">"
            )?;
            if severity > 0 {
                // A prime stride: neighbouring findings, and hosts, do not share vectors.
                let (vector, score) = vector((h * items + k).wrapping_mul(7919));
                writeln!(
                    out,
                    "<cvss3_base_score>{score}</cvss3_base_score>\n<cvss3_vector>{vector}</cvss3_vector>"
                )?;
                writeln!(out, "<cve>CVE-20{}-{}</cve>", 10 + plugin % 14, 1000 + plugin)?;
            }
            writeln!(out, "<description>{}</description>", sentence(&mut rng, 40))?;
            writeln!(out, "<fname>synthetic_{plugin}.nasl</fname>")?;
            writeln!(out, "<plugin_modification_date>2023/10/01</plugin_modification_date>")?;
            writeln!(out, "<plugin_publication_date>2020/01/01</plugin_publication_date>")?;
            writeln!(out, "<risk_factor>{risk}</risk_factor>")?;
            writeln!(out, "<see_also>https://www.tenable.com/plugins/nessus/{plugin}</see_also>")?;
            writeln!(out, "<solution>{}</solution>", sentence(&mut rng, 10))?;
            writeln!(out, "<synopsis>{}</synopsis>", sentence(&mut rng, 12))?;
            writeln!(
                out,
                "<plugin_output>\n  Installed version : {}.{}.{}\n  Fixed version     : {}.0\n  Path              : C:\\Program Files\\App{}\n</plugin_output>",
                rng.below(10),
                rng.below(10),
                rng.below(100),
                10 + rng.below(5),
                rng.below(1000)
            )?;
            writeln!(out, "</ReportItem>")?;
        }
        writeln!(out, "</ReportHost>")?;
    }
    writeln!(out, "</Report>\n</NessusClientData_v2>")?;
    Ok(())
}

/// Writes Nuclei JSON lines: `findings` results over `hosts` hosts.
pub fn nuclei(out: &mut dyn Write, findings: u64, hosts: u64, seed: u64) -> io::Result<()> {
    let hosts = hosts.max(1);
    let mut rng = Rng::new(seed);
    for i in 0..findings {
        let h = i % hosts;
        let t = i / hosts;
        let sev = ["info", "low", "medium", "high", "critical"][rng.below(5) as usize];
        writeln!(
            out,
            "{{\"template-id\":\"synthetic-{t}\",\"info\":{{\"name\":\"Synthetic template {t}\",\"author\":[\"bench\"],\"severity\":\"{sev}\",\"description\":\"{}\",\"reference\":[\"https://example.org/{t}\"],\"classification\":{{\"cwe-id\":[\"cwe-200\"]}}}},\"type\":\"http\",\"host\":\"https://host{h}.gemeente.example\",\"matched-at\":\"https://host{h}.gemeente.example/path/{t}?id={}\",\"ip\":\"10.{}.{}.{}\",\"timestamp\":\"2024-01-10T10:00:00+01:00\"}}",
            sentence(&mut rng, 20),
            rng.below(100000),
            (h >> 16) & 255,
            (h >> 8) & 255,
            h & 255
        )?;
    }
    Ok(())
}

/// Writes the generic CSV format: `findings` rows over `hosts` hosts.
pub fn generic_csv(out: &mut dyn Write, findings: u64, hosts: u64, seed: u64) -> io::Result<()> {
    let hosts = hosts.max(1);
    let mut rng = Rng::new(seed);
    writeln!(
        out,
        "title,severity,rule_id,tool,ip,port,protocol,cwe,cvss_vector,description,recommendation,evidence"
    )?;
    for i in 0..findings {
        let h = i % hosts;
        let t = i / hosts;
        let sev = ["Info", "Low", "Medium", "High", "Critical"][rng.below(5) as usize];
        let (vector, _) = vector(t.wrapping_mul(7919));
        writeln!(
            out,
            "\"Synthetic finding {t}\",{sev},SYN-{t},bench,10.{}.{}.{},443,tcp,CWE-{},{vector},\"{}\",\"{}\",\"seen at {}\"",
            (h >> 16) & 255,
            (h >> 8) & 255,
            h & 255,
            16 + t % 900,
            sentence(&mut rng, 30),
            sentence(&mut rng, 8),
            rng.below(1_000_000)
        )?;
    }
    Ok(())
}
