//! `demo` and `serve`: the web server with its workers (jobs, mail, the baseline scan).

use crate::cli::{DemoArgs, ServeArgs, Timing};
use crate::config::{FileConfig, pick};
use crate::installation::{database_url, open, with_audit_key};
use crate::{AnyError, smtp};
use chrono::{DateTime, Utc};
use cyberveilig_services::{AccountPolicy, Clock, Services, SystemClock, TestClock};
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig demo`: the real programme with fictional accounts and history, on a demo clock.
pub(crate) async fn demo(
    DemoArgs {
        db,
        listen,
        test_clock,
        no_history,
        work,
    }: DemoArgs,
    file: FileConfig,
) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "demo.db")?;
    let start = match test_clock.as_deref() {
        None | Some("") => cyberveilig_services::demo::default_demo_start(),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map_err(|e| format!("--test-clock START must be an RFC 3339 instant such as 2021-06-15T10:00:00+02:00: {e}"))?
            .with_timezone(&Utc),
    };
    let store = open(&url).await?;
    let history_start = if no_history {
        start
    } else {
        start.min(cyberveilig_services::demo::default_demo_start())
    };
    let clock = Arc::new(TestClock::at(seed_clock_start(history_start)));
    let listen = pick(listen, file.listen.clone(), "127.0.0.1:8080".into());
    let timing = Timing::of(&work, &file)?;
    let services = Services::new(store, clock.clone()).with_accounts(AccountPolicy::demo(format!("http://{listen}")));
    let services = with_audit_key(services, &db, &file).await?;
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    if seeded.fresh && !no_history {
        eprintln!("Replaying the programme's history up to {} ...", start.format("%d/%m/%Y"));
        let n = services.replay_demo_history(seeded.programme_id, start).await?;
        eprintln!("{n} orders replayed.");
        let r = services.seed_demo_reports().await?;
        eprintln!("{r} vulnerability reports made.");
    }
    let now = latest_event_at(&services).await?.map_or(start, |last| last.max(start));
    clock.set(now);
    if seeded.fresh {
        services.seed_demo_engagements().await?;
    }
    // The demo's own fleet of servers for the baseline scan, so "scan now" works in the portal.
    if work.no_baseline_scan || file.no_baseline_scan.unwrap_or(false) {
        services.set_baseline_scanner(None);
    } else {
        services.run_demo_fleet().await?;
    }
    let options = cyberveilig_web::WebOptions {
        test_clock: test_clock.is_some(),
        demo: true,
        secure_cookies: false,
        // Fictional, like everything in the demo.
        security_contact: "mailto:security@demo.cyberveilig.test".into(),
    };
    banner(&listen, now, test_clock.is_some(), &url);
    // The demo keeps its mail in the outbox, where the administrator reads it.
    serve(services, options, &listen, None, timing).await?;
    Ok(ExitCode::SUCCESS)
}

/// `cyberveilig serve`: the installation on the system clock, with its mail and its scans.
pub(crate) async fn serve_command(
    ServeArgs {
        db,
        listen,
        public_url,
        smtp_url,
        smtp_from,
        security_contact,
        work,
    }: ServeArgs,
    file: FileConfig,
) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let timing = Timing::of(&work, &file)?;
    let listen = pick(listen, file.listen.clone(), "127.0.0.1:8080".into());
    let public_url = pick(public_url, file.public_url.clone(), format!("http://{listen}"));
    let smtp = match pick(smtp_url, file.smtp_url.clone(), String::new()) {
        url if url.is_empty() => {
            tracing::warn!("no SMTP server configured (smtp_url): mail waits in the outbox");
            None
        }
        url => {
            let from = pick(smtp_from, file.smtp_from.clone(), String::new());
            if from.is_empty() {
                return Err("smtp_from (CYBERVEILIG_SMTP_FROM) is needed with smtp_url".into());
            }
            Some(Arc::new(smtp::Smtp::new(&url, &from, timing.mail_lease / 2)?))
        }
    };
    let security_contact = match pick(security_contact, file.security_contact.clone(), String::new()) {
        contact if contact.is_empty() => String::new(),
        contact => cyberveilig_services::disclosure::security_contact(&contact).map_err(|e| format!("security_contact: {e}"))?,
    };
    let options = cyberveilig_web::WebOptions {
        secure_cookies: public_url.starts_with("https://"),
        security_contact,
        ..Default::default()
    };
    let services = Services::new(open(&url).await?, Arc::new(SystemClock)).with_accounts(AccountPolicy {
        enforce_second_factor: true,
        public_url,
    });
    if services.holds_demo_accounts().await? {
        return Err("this is a demo database: its accounts sign in with the published password `demo`. \
                 Serve a database of its own (cyberveilig serve --database ...), or run the demo with `cyberveilig demo`."
            .into());
    }
    let services = with_audit_key(services, &db, &file).await?;
    services.seed_installation().await?;
    if !(work.no_baseline_scan || file.no_baseline_scan.unwrap_or(false)) {
        let info_url = format!("{}/scanner", services.accounts.public_url.trim_end_matches('/'));
        match cyberveilig_baseline::Scanner::new(cyberveilig_baseline::ScannerConfig::new(&info_url)) {
            Ok(scanner) => services.set_baseline_scanner(Some(Arc::new(scanner))),
            Err(e) => tracing::warn!(error = %e, "the baseline scanner cannot start: this server does not scan"),
        }
    }
    tracing::info!(%listen, backend = services.store.backend(), "serving");
    serve(services, options, &listen, smtp, timing).await?;
    Ok(ExitCode::SUCCESS)
}

/// Where a fresh demo's history starts: the programme's first day.
fn seed_clock_start(start: DateTime<Utc>) -> DateTime<Utc> {
    let first_day = cyberveilig_services::clock::start_of_brussels_day(chrono::NaiveDate::from_ymd_opt(2020, 5, 4).unwrap_or_default());
    first_day.min(start)
}

async fn latest_event_at(services: &Services) -> Result<Option<DateTime<Utc>>, AnyError> {
    let mut tx = services.store.read().await?;
    let (seq, _) = tx.chain_head().await?;
    Ok(tx.events_after(seq - 1, 1).await?.first().map(|e| e.at))
}

fn banner(listen: &str, now: DateTime<Utc>, movable: bool, url: &str) {
    let local = now.with_timezone(&chrono_tz::Europe::Brussels);
    println!("cyberveilig demo: fictional accounts and history on the real programme.");
    println!(
        "  Demo clock: {} (Europe/Brussels){}",
        local.format("%d/%m/%Y %H:%M"),
        if movable { ", movable with PUT /api/v1/test/clock" } else { "" }
    );
    println!("  Database:   {url}");
    println!("  Listening:  http://{listen}/  (API: http://{listen}/api/v1/openapi.json)");
    println!("  Sign in (password \"demo\"): admin@abb.test, ey@firms.test, deloitte@firms.test, pwc@firms.test,");
    println!("    gt@firms.test, vvsg@vvsg.test, student@howest.test, <nis>@gemeente.test (44021@gemeente.test is Gent),");
    println!("    voorzitter.stuurgroep@vvsg.test (chair of VVSG's steering group)");
}

/// Baseline scans a server claims per round of its worker (each round waits for the last).
const BASELINE_SCANS_PER_ROUND: usize = 16;

/// Serves, and runs the jobs and the mail delivery. Several servers may do so on one PostgreSQL
/// database: each job claims what falls due item by item (see docs/OPERATIONS.md), and each mail
/// is claimed for a lease before it is sent (`cyberveilig_services::outbox`).
async fn serve(
    services: Services,
    options: cyberveilig_web::WebOptions,
    listen: &str,
    smtp: Option<Arc<smtp::Smtp>>,
    timing: Timing,
) -> Result<(), AnyError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let worker = services.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(timing.jobs);
        loop {
            tick.tick().await;
            run_jobs(&worker).await;
        }
    });
    if services.scans_baseline() {
        let scanner = services.clone();
        let holder = cyberveilig_services::baseline::ScanHolder::for_this_process();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(timing.baseline);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = scanner.run_baseline_round(&holder, BASELINE_SCANS_PER_ROUND).await {
                    tracing::warn!(error = %e, "a round of the baseline scan failed; will retry");
                }
            }
        });
    }
    if let Some(smtp) = smtp {
        let mailer = services.clone();
        let lease = cyberveilig_services::outbox::MailLease::for_this_process(timing.mail_lease);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(timing.mail);
            loop {
                tick.tick().await;
                if let Err(e) = mailer.deliver_mail(smtp.as_ref(), &lease).await {
                    tracing::warn!(error = %e, "delivering mail failed; will retry");
                }
            }
        });
    }
    let store = services.store.clone();
    let app = cyberveilig_web::router(services, options);
    // The connection's address is the client the report form's rate limit counts.
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(())
}

/// One round of the jobs; a job that fails is tried again at the next round.
async fn run_jobs(worker: &Services) {
    if let Err(e) = worker.expire_due_offers().await {
        tracing::warn!(error = %e, "expiring offers failed; will retry");
    }
    if let Err(e) = worker.reopen_expired_risks().await {
        tracing::warn!(error = %e, "reopening ended risk acceptances failed; will retry");
    }
    if let Err(e) = worker.remind_expiring_security_txt().await {
        tracing::warn!(error = %e, "reminding of expiring security.txt files failed; will retry");
    }
    if let Err(e) = worker.remind_report_deadlines().await {
        tracing::warn!(error = %e, "reminding governments of report deadlines failed; will retry");
    }
    if let Err(e) = worker.send_event_reminders().await {
        tracing::warn!(error = %e, "reminding people of tomorrow's awareness events failed; will retry");
    }
    if let Err(e) = worker.forget_stale_limits().await {
        tracing::warn!(error = %e, "forgetting stale limits and idempotency keys failed; will retry");
    }
}
