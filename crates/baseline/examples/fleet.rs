//! Runs the offline fleet until interrupted, for trying the scanner or other tools against it by hand:
//!
//! ```sh
//! cargo run -p cyberveilig-baseline --features fleet --example fleet            # the catalogue at 127.30.0.0
//! cargo run -p cyberveilig-baseline --features fleet --example fleet -- --openssl --base 127.31.0.0 --json
//! dig @127.30.0.1 +dnssec good.test SOA
//! ```
//!
//! `--json` prints the [`Handover`](cyberveilig_baseline::fleet::Handover) on one line (what another process needs to
//! scan the fleet) instead of the table, and the fleet then stops when its standard input closes.

use std::io::{BufRead, Write};
use std::net::Ipv4Addr;

use chrono::Utc;
use cyberveilig_baseline::fleet::{Fleet, FleetConfig, openssl};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base: Ipv4Addr = args
        .iter()
        .position(|a| a == "--base")
        .and_then(|i| args.get(i + 1))
        .and_then(|b| b.parse().ok())
        .unwrap_or(Ipv4Addr::new(127, 30, 0, 0));
    let copies: usize = args
        .iter()
        .position(|a| a == "--copies")
        .and_then(|i| args.get(i + 1))
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    let json = args.iter().any(|a| a == "--json");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let mut config = FleetConfig::new(base, Utc::now());
    if args.iter().any(|a| a == "--openssl") {
        config.domains.extend(openssl::catalogue());
    }
    let labels: Vec<String> = config.domains.iter().map(|d| d.label.clone()).collect();
    config.copies = (0..copies)
        .map(|i| (format!("n{:05}", i + 1), labels[i % labels.len()].clone()))
        .collect();
    let fleet = match rt.block_on(Fleet::start(config)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if json {
        println!("{}", serde_json::to_string(&fleet.handover()).expect("serialisable"));
        let _ = std::io::stdout().flush();
        // Run until the parent closes standard input.
        for _ in std::io::stdin().lock().lines() {}
        return;
    }
    println!(
        "name server {} (ports below 1024 + {})",
        fleet.name_server(),
        fleet.ports().privileged_offset
    );
    for d in fleet.domains() {
        println!("{:<28} {:<15} {}", d.name, d.address, d.about);
    }
    println!("\nThe fleet CA:\n{}", fleet.ca_pem());
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
}
