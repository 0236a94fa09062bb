//! `cyberveilig`: the server, the demo and the command line in one binary.

mod config;
mod smtp;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use config::{FileConfig, pick};
use cyberveilig_domain::registry::Role;
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::{AccountPolicy, Clock, Services, SystemClock, TestClock};
use cyberveilig_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "cyberveilig",
    version,
    about = "Runs the co-financing programme for ICT security audits of Flemish local governments."
)]
struct Cli {
    /// Configuration file (TOML); CYBERVEILIG_* variables and flags override it.
    #[arg(long, global = true, env = "CYBERVEILIG_CONFIG", default_value = "cyberveilig.toml")]
    config: PathBuf,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "CYBERVEILIG_LOG_FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// `sqlite:PATH` (default: DATA_DIR/cyberveilig.db) or `postgres://user@host/db`.
    #[arg(long = "database", env = "CYBERVEILIG_DATABASE_URL")]
    database: Option<String>,
    /// Folder for the embedded database.
    #[arg(long, env = "CYBERVEILIG_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The file with the key that signs the audit log (default: DATA_DIR/audit-signing.key).
    #[arg(long, env = "CYBERVEILIG_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[arg(long, env = "CYBERVEILIG_LISTEN")]
    listen: Option<String>,
    /// Let the clock be moved forward (PUT /api/v1/test/clock), optionally starting at START.
    #[arg(long, value_name = "START", num_args = 0..=1, default_missing_value = "")]
    test_clock: Option<String>,
    /// Seed the programme, agreements and accounts but no orders.
    #[arg(long)]
    no_history: bool,
    #[command(flatten)]
    work: WorkArgs,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[arg(long, env = "CYBERVEILIG_LISTEN")]
    listen: Option<String>,
    /// The address people reach the portal at, for the links in mails.
    #[arg(long, env = "CYBERVEILIG_PUBLIC_URL")]
    public_url: Option<String>,
    /// Outgoing mail, e.g. smtps://user:password@mail.example.be:465 (else mail waits in the outbox).
    #[arg(long, env = "CYBERVEILIG_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of outgoing mail, e.g. "cyberveilig <noreply@example.be>".
    #[arg(long, env = "CYBERVEILIG_SMTP_FROM")]
    smtp_from: Option<String>,
    /// Where to report a vulnerability in this installation, for /.well-known/security.txt:
    /// mailto:ADDRESS or an https:// address (default: mailto:security@ the public host).
    #[arg(long, env = "CYBERVEILIG_SECURITY_CONTACT")]
    security_contact: Option<String>,
    #[command(flatten)]
    work: WorkArgs,
}

/// How often the server looks for work, and how long it holds a mail it sends.
#[derive(Args, Clone, Default)]
struct WorkArgs {
    /// Seconds between two runs of the jobs (offers that expire, reminders, risks that end).
    #[arg(long, env = "CYBERVEILIG_JOB_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    job_interval: Option<u64>,
    /// Seconds between two rounds of mail delivery.
    #[arg(long, env = "CYBERVEILIG_MAIL_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    mail_interval: Option<u64>,
    /// Seconds a server holds a mail it is sending before another server may take it over; a
    /// send is given half of it.
    #[arg(long, env = "CYBERVEILIG_MAIL_LEASE", value_parser = clap::value_parser!(u64).range(2..=86_400))]
    mail_lease: Option<u64>,
    /// Seconds between two rounds of the baseline scan's queue (due systems, scans asked for).
    #[arg(long, env = "CYBERVEILIG_BASELINE_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    baseline_interval: Option<u64>,
    /// Do not run the baseline scan on this server (another server of the installation does, or
    /// the installation does not scan).
    #[arg(long, env = "CYBERVEILIG_NO_BASELINE_SCAN")]
    no_baseline_scan: bool,
}

/// The worker's timing, from the flags, the file and the defaults.
#[derive(Clone, Copy)]
struct Timing {
    jobs: Duration,
    mail: Duration,
    mail_lease: Duration,
    baseline: Duration,
}

impl Timing {
    fn of(args: &WorkArgs, file: &FileConfig) -> Result<Timing, AnyError> {
        let seconds = |flag: Option<u64>, key: Option<u64>, name: &str, min: u64, default: u64| -> Result<Duration, AnyError> {
            match pick(flag, key, default) {
                n if (min..=86_400).contains(&n) => Ok(Duration::from_secs(n)),
                n => Err(format!("{name} is {n}: give {min} to 86400 seconds").into()),
            }
        };
        Ok(Timing {
            // Offers expire at midnight in Brussels; a minute's delay is well within a working day.
            jobs: seconds(args.job_interval, file.job_interval, "job_interval", 1, 60)?,
            mail: seconds(args.mail_interval, file.mail_interval, "mail_interval", 1, 15)?,
            baseline: seconds(args.baseline_interval, file.baseline_interval, "baseline_interval", 1, 60)?,
            mail_lease: seconds(
                args.mail_lease,
                file.mail_lease,
                "mail_lease",
                2,
                cyberveilig_services::outbox::MailLease::DEFAULT.as_secs(),
            )?,
        })
    }
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The report file.
    file: PathBuf,
    /// The order the results belong to.
    #[arg(long)]
    order: i64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Seed the real programme with demo accounts and history (when empty) and serve it on a demo clock.
    Demo(DemoArgs),
    /// Serve on the system clock.
    Serve(ServeArgs),
    /// Import a scanner report (Nessus, OpenVAS, Nmap, SARIF, ZAP, Nuclei, Burp, or the generic
    /// CSV/JSON) for an order; the format is detected from the content.
    Import(ImportArgs),
    /// Load threat intelligence from a file and re-prioritise the open findings.
    Intel {
        #[command(subcommand)]
        command: IntelCommand,
    },
    /// Control catalogues: load a framework library in CISO Assistant's YAML format.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// People's accounts.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Apply the database migrations (or list them with --dry-run).
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy this installation's SQLite database into an empty PostgreSQL database, in one
    /// transaction, and check the copy: rows per table, the audit log's chain and signatures.
    MigrateDb {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The empty PostgreSQL database, e.g. postgres://cyberveilig@db.example.be/cyberveilig.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// A consistent copy of the SQLite database, taken while servers run (`backup --to FILE`);
    /// `backup verify FILE` checks one. For PostgreSQL it says how to use pg_dump.
    Backup(BackupArgs),
    /// The tamper-evident audit log.
    AuditLog {
        #[command(subcommand)]
        command: AuditLogCommand,
    },
    /// The programmes' budgets and orders.
    Programme {
        #[command(subcommand)]
        command: ProgrammeCommand,
    },
    /// Reports written from the platform's data.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The answer to the written question in Parliament, from the figures at a day.
    Parliament(ParliamentArgs),
}

#[derive(Args)]
struct ParliamentArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Read the demo's database (DATA_DIR/demo.db) rather than the installation's.
    #[arg(long)]
    demo: bool,
    /// The day the answer describes, YYYY-MM-DD (default: today).
    #[arg(long)]
    at: Option<chrono::NaiveDate>,
    #[arg(long, default_value = "md", value_parser = ["md", "docx", "pdf"])]
    format: String,
    /// The answer's language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    lang: String,
    /// The programme (default: the first).
    #[arg(long)]
    programme: Option<i64>,
    /// Where to write it (default: antwoord-parlement-DAY.FORMAT here; `-` for standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct BackupArgs {
    #[command(subcommand)]
    command: Option<BackupCommand>,
    #[command(flatten)]
    db: DatabaseArgs,
    /// The new file to write the backup to (an existing file is never overwritten).
    #[arg(long, value_name = "FILE")]
    to: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Open a backup read-only and check it: SQLite's integrity check, then every link of the
    /// audit log and the signatures of its head; exits 1 if either fails.
    Verify {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
        /// Check the signatures with this public key (hex) instead of the key file's.
        #[arg(long)]
        public_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditLogCommand {
    /// Check every link of the hash chain and the signatures of its head; exits 1 at the first
    /// broken link.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Check the signatures with this public key (hex) instead of the key file's.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Print the public key that checks the audit log's signatures, to keep apart from the server.
    PublicKey {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Load a library file (such as CyberFundamentals or the CIS Controls) as a catalogue.
    Load {
        #[command(flatten)]
        db: DatabaseArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum IntelCommand {
    /// CISA's Known Exploited Vulnerabilities catalogue (known_exploited_vulnerabilities.json).
    Kev {
        #[command(flatten)]
        db: DatabaseArgs,
        file: PathBuf,
    },
    /// FIRST's EPSS scores (epss_scores-YYYY-MM-DD.csv, unpacked).
    Epss {
        #[command(flatten)]
        db: DatabaseArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Make an account directly, e.g. the installation's first administrator; others are then
    /// invited from the portal. The password is read from CYBERVEILIG_PASSWORD or standard input.
    Add {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// programme_admin, government_member, firm_member, association_member or researcher.
        #[arg(long)]
        role: String,
        /// The organisation, by NIS code or by exact name (e.g. "Agentschap Binnenlands Bestuur").
        #[arg(long)]
        organisation: String,
    },
}

#[derive(Subcommand)]
enum ProgrammeCommand {
    /// Budget, reserved, paid, available, waiting list and orders by state; checks the ledger.
    Status {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(&cli.config) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: configuration file {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(pick(cli.log_format.clone(), file.log_format.clone(), "text".into()));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, file)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: String) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CYBERVEILIG_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" { builder.json().init() } else { builder.init() }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

fn database_url(db: &DatabaseArgs, file: &FileConfig, default_name: &str) -> Result<String, AnyError> {
    if let Some(url) = db.database.clone().or_else(|| file.database_url.clone()) {
        return Ok(url);
    }
    let dir = pick(db.data_dir.clone(), file.data_dir.clone(), PathBuf::from("cyberveilig-data"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(format!("sqlite:{}", dir.join(default_name).display()))
}

async fn open(url: &str) -> Result<Arc<dyn Store>, AnyError> {
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

fn audit_key_path(db: &DatabaseArgs, file: &FileConfig) -> PathBuf {
    let dir = pick(db.data_dir.clone(), file.data_dir.clone(), PathBuf::from("cyberveilig-data"));
    pick(db.audit_key.clone(), file.audit_key.clone(), dir.join("audit-signing.key"))
}

/// The services sign the audit log's head with the installation's key (issue 10, item 14): read
/// from its file, or made there at the first start of an installation whose log nobody signed.
/// A key that is not the one the log is signed with, or a missing file for a signed log, stops
/// the command: every server of one database needs the same key file.
async fn with_audit_key(services: Services, db: &DatabaseArgs, file: &FileConfig) -> Result<Services, AnyError> {
    let path = audit_key_path(db, file);
    let in_use = services.audit_key_in_use().await?;
    let key = match (config::read_audit_key(&path)?, &in_use) {
        (Some(key), _) => key,
        (None, Some(id)) => {
            return Err(format!(
                "the audit log is signed with key {id}, but {} does not exist: copy the key file of this installation there (see docs/SECURITY.md)",
                path.display()
            )
            .into());
        }
        (None, None) => {
            let key = cyberveilig_services::audit::AuditKey::generate();
            config::write_audit_key(&path, &key)?;
            tracing::warn!(path = %path.display(), key = key.public().id(), "made the key that signs the audit log; keep a copy of it safe");
            key
        }
    };
    cyberveilig_services::audit::check_key_in_use(&key, in_use.as_deref()).map_err(|e| format!("{}: {e}", path.display()))?;
    let key = Arc::new(key);
    let services = services.with_audit_key(key.clone());
    if let Some(seq) = services.sign_chain_head(&key).await? {
        tracing::info!(seq, "signed the audit log's head, written before it was signed");
    }
    Ok(services)
}

async fn run(command: Command, file: FileConfig) -> Result<ExitCode, AnyError> {
    match command {
        Command::Demo(args) => demo(args, file).await,
        Command::Serve(args) => serve_command(args, file).await,
        Command::Import(args) => import(args, file).await,
        Command::Intel { command } => {
            let (db, path, source) = match command {
                IntelCommand::Kev { db, file } => (db, file, cyberveilig_services::intel::IntelSource::Kev),
                IntelCommand::Epss { db, file } => (db, file, cyberveilig_services::intel::IntelSource::Epss),
            };
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
            let (entries, findings) = services.load_intel_file(None, source, &bytes).await?;
            println!(
                "Loaded {entries} entries from {}; {findings} open findings re-prioritised.",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalogue {
            command: CatalogueCommand::Load { db, file: path },
        } => {
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
            services.ensure_builtin_catalogue().await?;
            let c = services.load_catalogue(None, bytes).await?;
            println!(
                "Loaded catalogue {} ({} version {}) from {}: {} controls, id {}.",
                c.name_en,
                c.urn,
                c.version,
                path.display(),
                c.controls,
                c.id
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Person {
            command:
                PersonCommand::Add {
                    db,
                    email,
                    name,
                    role,
                    organisation,
                },
        } => {
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
            services.seed_installation().await?;
            let role: Role = role.parse().map_err(|_| {
                format!("unknown role '{role}': use programme_admin, government_member, firm_member, association_member or researcher")
            })?;
            let organisation_id = find_organisation(&services, &organisation).await?;
            let password = match std::env::var("CYBERVEILIG_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("Password for {email} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let person = services
                .add_person_as_operator(&email, &name, role, organisation_id, &password)
                .await?;
            println!("Account {} made: {} ({}).", person.id, person.email, person.role.as_str());
            if cyberveilig_services::auth::second_factor_required(role) {
                println!("This role signs in with a second factor: the portal asks to set it up at the first sign-in.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db, dry_run } => {
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let store = cyberveilig_store::connect(&url).await?;
            let pending = store.pending_migrations().await?;
            if pending.is_empty() {
                println!("The database is up to date.");
            } else if dry_run {
                println!("Would apply {} migration(s):", pending.len());
                pending.iter().for_each(|m| println!("  {m}"));
            } else {
                store.migrate().await?;
                println!("Applied {} migration(s):", pending.len());
                pending.iter().for_each(|m| println!("  {m}"));
            }
            if !dry_run {
                // The built-in baseline catalogue comes with the schema (once).
                let services = with_audit_key(Services::new(store, Arc::new(SystemClock)), &db, &file).await?;
                services.ensure_builtin_catalogue().await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateDb { db, to } => migrate_db(db, to, file).await,
        Command::Backup(args) => backup(args, file).await,
        Command::AuditLog {
            command: AuditLogCommand::Verify { db, public_key },
        } => {
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let path = audit_key_path(&db, &file);
            let public = match public_key {
                Some(hex) => cyberveilig_services::audit::AuditPublicKey::from_hex(&hex)?,
                None => config::read_audit_key(&path)?
                    .ok_or_else(|| {
                        format!(
                            "no key at {}: give it with --audit-key, or the public key with --public-key",
                            path.display()
                        )
                    })?
                    .public()
                    .clone(),
            };
            let services = Services::new(open(&url).await?, Arc::new(SystemClock)).with_audit_public_key(public.clone());
            match services.verify_audit_log().await? {
                ChainReport::Intact { entries, head, signatures } => {
                    println!(
                        "All {entries} entries of the audit log hold; head {head}; {} signatures of key {} hold.",
                        signatures.unwrap_or(0),
                        public.id()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                ChainReport::Broken(link) => {
                    println!("The audit log is broken at entry {}: {}.", link.seq, link.problem);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::AuditLog {
            command: AuditLogCommand::PublicKey { db },
        } => {
            let path = audit_key_path(&db, &file);
            let key = config::read_audit_key(&path)?.ok_or_else(|| format!("no key at {}", path.display()))?;
            println!("{} (key {})", key.public().to_hex(), key.public().id());
            Ok(ExitCode::SUCCESS)
        }
        Command::Programme {
            command: ProgrammeCommand::Status { db, json },
        } => {
            let url = database_url(&db, &file, "cyberveilig.db")?;
            let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
            programme_status(&services, json).await
        }
        Command::Report {
            command: ReportCommand::Parliament(args),
        } => parliament_answer(args, file).await,
    }
}

/// `cyberveilig migrate-db --to postgres://...`: the copy is the store's (`copy.rs`); here the
/// source is found and brought to the last migration, and the installation's key checks the
/// signatures of the audit log as they arrive.
async fn migrate_db(db: DatabaseArgs, to: String, file: FileConfig) -> Result<ExitCode, AnyError> {
    use cyberveilig_store::copy::{Rebuild, sqlite_to_postgres};
    use cyberveilig_store::records::AuditSignature;
    if !cyberveilig_store::is_postgres(&to) {
        return Err("--to must name a PostgreSQL database: postgres://user@host/database".into());
    }
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let Some(path) = cyberveilig_store::sqlite_path(&url) else {
        return Err(format!(
            "the installation's database is not SQLite ({url}): migrate-db moves an installation from SQLite to PostgreSQL"
        )
        .into());
    };
    if !std::path::Path::new(path).is_file() {
        return Err(format!("no database at {path}: give it with --database sqlite:PATH or --data-dir").into());
    }
    // Both schemas at this binary's last migration, so they hold the same tables.
    open(&url).await?.close().await;
    let key_path = audit_key_path(&db, &file);
    let public = config::read_audit_key(&key_path)?.map(|key| key.public().clone());
    let holds = |signature: &AuditSignature| public.as_ref().is_some_and(|p| p.holds(signature));
    let rebuild = Rebuild {
        toolkit_terms: &cyberveilig_services::toolkit::search_terms,
        signature_holds: public.is_some().then_some(&holds as &(dyn Fn(&AuditSignature) -> bool + Sync)),
    };
    if public.is_none() {
        eprintln!(
            "No audit key at {}: the signatures are compared with the entries they sign, not checked with the key.",
            key_path.display()
        );
    }
    eprintln!("Copying {path} into the PostgreSQL database, in one transaction ...");
    let copied = sqlite_to_postgres(path, &to, &rebuild).await?;
    let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
    for (table, n) in &copied.tables {
        println!("  {table:<28} {n:>9}");
    }
    println!(
        "Copied {} tables, {rows} rows; every table holds as many rows as in SQLite. The audit log's {} entries hold on \
         PostgreSQL, with {} signatures of its head{}; {} toolkit items indexed for search.",
        copied.tables.len(),
        copied.entries,
        copied.signatures,
        if public.is_some() {
            " checked with the installation's key"
        } else {
            ""
        },
        copied.indexed
    );
    println!(
        "Next: stop using {path}; start the servers with --database (CYBERVEILIG_DATABASE_URL) set to the PostgreSQL URL \
         and the same audit key file ({}).",
        key_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What to do instead of `backup` on PostgreSQL, whose own tools do it better.
const PG_DUMP_GUIDANCE: &str =
    "This installation runs on PostgreSQL: back it up with PostgreSQL's own tools (docs/OPERATIONS.md, \"Backups and restore\"):
  pg_dump --format=custom --file=cyberveilig-$(date +%F).dump \"$CYBERVEILIG_DATABASE_URL\"
  (one consistent snapshot while the servers run; restore with pg_restore --dbname=NEW_DATABASE FILE),
or pg_basebackup with WAL archiving for recovery to a point in time. Keep the audit key file with the backups, apart.
Deze installatie draait op PostgreSQL: maak back-ups met pg_dump of pg_basebackup (zie docs/OPERATIONS.md).";

/// `cyberveilig backup --to FILE` and `backup verify FILE`.
async fn backup(args: BackupArgs, file: FileConfig) -> Result<ExitCode, AnyError> {
    if let Some(BackupCommand::Verify {
        file: backup,
        db,
        public_key,
    }) = args.command
    {
        return verify_backup(&backup, &db, public_key, &file).await;
    }
    let url = database_url(&args.db, &file, "cyberveilig.db")?;
    let Some(path) = cyberveilig_store::sqlite_path(&url) else {
        eprintln!("{PG_DUMP_GUIDANCE}");
        return Ok(ExitCode::from(2));
    };
    let to = args.to.ok_or("give the new file to write: cyberveilig backup --to FILE")?;
    cyberveilig_store::backup_sqlite(std::path::Path::new(path), &to).await?;
    let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
    println!(
        "Wrote a consistent copy of {path} to {} ({size} bytes). Keep the audit key file ({}) safe beside your backups, \
         not in the same place; check the copy with `cyberveilig backup verify {}`.",
        to.display(),
        audit_key_path(&args.db, &file).display(),
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A backup opened read-only: SQLite's integrity check, then the audit log as `audit-log verify`.
async fn verify_backup(
    backup: &std::path::Path,
    db: &DatabaseArgs,
    public_key: Option<String>,
    file: &FileConfig,
) -> Result<ExitCode, AnyError> {
    let path = backup.to_str().ok_or("the backup's name is not UTF-8")?;
    if !backup.is_file() {
        return Err(format!("no backup at {}", backup.display()).into());
    }
    // A file that is not a database fails as it is opened, a damaged one in the check.
    let checked = match cyberveilig_store::SqliteStore::open_read_only(path).await {
        Ok(store) => store.integrity_check().await.map(|problems| (store, problems)),
        Err(e) => Err(e),
    };
    let store = match checked {
        Ok((store, problems)) if problems == ["ok"] => store,
        Ok((_, problems)) => return damaged(backup, &problems.join("; ")),
        Err(e) => return damaged(backup, &e.to_string()),
    };
    let key_path = audit_key_path(db, file);
    let public = match public_key {
        Some(hex) => Some(cyberveilig_services::audit::AuditPublicKey::from_hex(&hex)?),
        None => config::read_audit_key(&key_path)?.map(|key| key.public().clone()),
    };
    let mut services = Services::new(Arc::new(store), Arc::new(SystemClock));
    if let Some(public) = public.clone() {
        services = services.with_audit_public_key(public);
    }
    match services.verify_audit_log().await? {
        ChainReport::Intact { entries, head, signatures } => {
            println!(
                "The backup {} is whole (integrity check ok); all {entries} entries of its audit log hold; head {head}; {}.",
                backup.display(),
                match &public {
                    Some(p) => format!("{} signatures of key {} hold", signatures.unwrap_or(0), p.id()),
                    None => format!("signatures not checked: no key at {} (give --public-key)", key_path.display()),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(link) => {
            println!("The backup's audit log is broken at entry {}: {}.", link.seq, link.problem);
            Ok(ExitCode::from(1))
        }
    }
}

fn damaged(backup: &std::path::Path, problem: &str) -> Result<ExitCode, AnyError> {
    println!("The backup {} is damaged or not a database: {problem}.", backup.display());
    Ok(ExitCode::from(1))
}

/// `cyberveilig report parliament`: reads only, so it needs no audit key.
async fn parliament_answer(args: ParliamentArgs, file: FileConfig) -> Result<ExitCode, AnyError> {
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

/// Where a fresh demo's history starts: the programme's first day.
async fn demo(
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

async fn serve_command(
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

async fn import(
    ImportArgs {
        db,
        file: report,
        order,
        json,
    }: ImportArgs,
    file: FileConfig,
) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let reader = std::fs::File::open(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let services = with_audit_key(Services::new(open(&url).await?, Arc::new(SystemClock)), &db, &file).await?;
    let import = services.import_report_as_operator(order, reader).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "id": import.id, "order_id": import.order_id, "format": import.format, "tool_version": import.tool_version,
                "findings_read": import.findings_read, "new": import.new, "still_open": import.still_open,
                "reopened": import.reopened, "fixed": import.fixed, "informational": import.informational,
            })
        );
    } else {
        println!(
            "Imported {} ({}) for order {}: {} read; findings: {} new, {} still open, {} reopened, {} fixed; \
                 {} kept as information (no finding).",
            report.display(),
            import.format,
            import.order_id,
            import.findings_read,
            import.new,
            import.still_open,
            import.reopened,
            import.fixed,
            import.informational
        );
    }
    Ok(ExitCode::SUCCESS)
}

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

/// An organisation by NIS code or by exact name.
async fn find_organisation(services: &Services, text: &str) -> Result<i64, AnyError> {
    let mut tx = services.store.read().await?;
    if let Ok(nis) = text.parse()
        && let Some(org) = tx.organisation_by_nis(&nis).await?
    {
        return Ok(org.id);
    }
    for kind in cyberveilig_domain::registry::OrganisationKind::ALL {
        if let Some(org) = tx.organisation_by_name(kind, text).await? {
            return Ok(org.id);
        }
    }
    Err(format!("no organisation with NIS code or name '{text}'").into())
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

async fn programme_status(services: &Services, json: bool) -> Result<ExitCode, AnyError> {
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
