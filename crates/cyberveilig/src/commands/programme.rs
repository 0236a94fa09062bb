//! The programme's state and its answers, read on the command line.

use crate::AnyError;
use crate::cli::{DatabaseArgs, ParliamentArgs};
use crate::config::FileConfig;
use crate::installation::{database_url, open, with_audit_key};
use cyberveilig_services::{Services, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig programme status`: the balances, the orders per state and the ledger's check;
/// exits 1 when the ledger does not hold.
pub(crate) async fn status(db: DatabaseArgs, json: bool, file: FileConfig) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
    let mut healthy = true;
    let mut report = Vec::new();
    for status in services.programmes_public().await? {
        let check = services.check_ledger(status.programme.id).await?;
        let order_counts = services.order_counts(status.programme.id).await?;
        healthy &= check.holds();
        let b = status.balances;
        if json {
            report.push(serde_json::json!({
                "id": status.programme.id, "name": status.programme.name,
                "budget_cents": b.budget.cents(), "reserved_cents": b.reserved.cents(), "paid_cents": b.paid.cents(),
                "available_cents": b.available().cents(), "waitlisted_count": status.waitlisted_count,
                "offer_ends_on": status.programme.settings.offer_ends_on,
                "orders": order_counts.iter().map(|(k, s, n)| serde_json::json!({"kind": k, "state": s, "count": n})).collect::<Vec<_>>(),
                "ledger_consistent": check.holds(),
            }));
            continue;
        }
        println!("Programme {}: {}", status.programme.id, status.programme.name);
        println!("  Budget     {:>18}", b.budget.format_nl());
        println!("  Reserved   {:>18}", b.reserved.format_nl());
        println!("  Paid       {:>18}", b.paid.format_nl());
        println!("  Available  {:>18}", b.available().format_nl());
        println!("  Waitlisted {:>18}", status.waitlisted_count);
        println!("  Offer ends {:>18}", status.programme.settings.offer_ends_on.format("%d/%m/%Y"));
        for (kind, state, n) in &order_counts {
            println!("  {:<10} {:<22} {n:>5}", kind.as_str(), state.as_str());
        }
        println!(
            "  Ledger     {}",
            if check.holds() {
                "consistent: running balances equal the sums of the postings and the orders' reservations"
            } else {
                "INCONSISTENT"
            }
        );
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(if healthy { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `cyberveilig report parliament`: reads only, so it needs no audit key.
pub(crate) async fn parliament_answer(args: ParliamentArgs, file: FileConfig) -> Result<ExitCode, AnyError> {
    use cyberveilig_services::figures::parliament::AnswerFormat;
    let url = database_url(&args.db, &file, if args.demo { "demo.db" } else { "cyberveilig.db" })?;
    let services = Services::new(open(&url).await?, Arc::new(SystemClock));
    let programme = match args.programme {
        Some(id) => id,
        None => services
            .programmes_public()
            .await?
            .first()
            .map(|p| p.programme.id)
            .ok_or("this database holds no programme")?,
    };
    let format = AnswerFormat::parse(&args.format).ok_or("--format is md, docx or pdf")?;
    let (name, bytes) = services
        .parliament_answer_file(None, programme, args.at, args.lang == "nl", format)
        .await?;
    match args.out {
        Some(path) if path.as_os_str() == "-" => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
        out => {
            let path = out.unwrap_or_else(|| PathBuf::from(&name));
            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("Wrote {} ({} bytes).", path.display(), bytes.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
