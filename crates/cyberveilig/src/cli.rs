//! The command line: its commands, their flags and the environment variables behind them.

use crate::AnyError;
use crate::config::{FileConfig, pick};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "cyberveilig",
    version,
    about = "Runs the co-financing programme for ICT security audits of Flemish local governments."
)]
pub(crate) struct Cli {
    /// Configuration file (TOML); CYBERVEILIG_* variables and flags override it.
    #[arg(long, global = true, env = "CYBERVEILIG_CONFIG", default_value = "cyberveilig.toml")]
    pub(crate) config: PathBuf,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "CYBERVEILIG_LOG_FORMAT", value_parser = ["text", "json"])]
    pub(crate) log_format: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Args, Clone)]
pub(crate) struct DatabaseArgs {
    /// `sqlite:PATH` (default: DATA_DIR/cyberveilig.db) or `postgres://user@host/db`.
    #[arg(long = "database", env = "CYBERVEILIG_DATABASE_URL")]
    pub(crate) database: Option<String>,
    /// Folder for the embedded database.
    #[arg(long, env = "CYBERVEILIG_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The file with the key that signs the audit log (default: DATA_DIR/audit-signing.key).
    #[arg(long, env = "CYBERVEILIG_AUDIT_KEY")]
    pub(crate) audit_key: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    #[arg(long, env = "CYBERVEILIG_LISTEN")]
    pub(crate) listen: Option<String>,
    /// Let the clock be moved forward (PUT /api/v1/test/clock), optionally starting at START.
    #[arg(long, value_name = "START", num_args = 0..=1, default_missing_value = "")]
    pub(crate) test_clock: Option<String>,
    /// Seed the programme, agreements and accounts but no orders.
    #[arg(long)]
    pub(crate) no_history: bool,
    #[command(flatten)]
    pub(crate) work: WorkArgs,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    #[arg(long, env = "CYBERVEILIG_LISTEN")]
    pub(crate) listen: Option<String>,
    /// The address people reach the portal at, for the links in mails.
    #[arg(long, env = "CYBERVEILIG_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// Outgoing mail, e.g. smtps://user:password@mail.example.be:465 (else mail waits in the outbox).
    #[arg(long, env = "CYBERVEILIG_SMTP_URL")]
    pub(crate) smtp_url: Option<String>,
    /// Sender of outgoing mail, e.g. "cyberveilig <noreply@example.be>".
    #[arg(long, env = "CYBERVEILIG_SMTP_FROM")]
    pub(crate) smtp_from: Option<String>,
    /// Where to report a vulnerability in this installation, for /.well-known/security.txt:
    /// mailto:ADDRESS or an https:// address (default: mailto:security@ the public host).
    #[arg(long, env = "CYBERVEILIG_SECURITY_CONTACT")]
    pub(crate) security_contact: Option<String>,
    #[command(flatten)]
    pub(crate) work: WorkArgs,
}

/// How often the server looks for work, and how long it holds a mail it sends.
#[derive(Args, Clone, Default)]
pub(crate) struct WorkArgs {
    /// Seconds between two runs of the jobs (offers that expire, reminders, risks that end).
    #[arg(long, env = "CYBERVEILIG_JOB_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) job_interval: Option<u64>,
    /// Seconds between two rounds of mail delivery.
    #[arg(long, env = "CYBERVEILIG_MAIL_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) mail_interval: Option<u64>,
    /// Seconds a server holds a mail it is sending before another server may take it over; a
    /// send is given half of it.
    #[arg(long, env = "CYBERVEILIG_MAIL_LEASE", value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub(crate) mail_lease: Option<u64>,
    /// Seconds between two rounds of the baseline scan's queue (due systems, scans asked for).
    #[arg(long, env = "CYBERVEILIG_BASELINE_INTERVAL", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) baseline_interval: Option<u64>,
    /// Do not run the baseline scan on this server (another server of the installation does, or
    /// the installation does not scan).
    #[arg(long, env = "CYBERVEILIG_NO_BASELINE_SCAN")]
    pub(crate) no_baseline_scan: bool,
}

/// The worker's timing, from the flags, the file and the defaults.
#[derive(Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) jobs: Duration,
    pub(crate) mail: Duration,
    pub(crate) mail_lease: Duration,
    pub(crate) baseline: Duration,
}

impl Timing {
    pub(crate) fn of(args: &WorkArgs, file: &FileConfig) -> Result<Timing, AnyError> {
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
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    /// The report file.
    pub(crate) file: PathBuf,
    /// The order the results belong to.
    #[arg(long)]
    pub(crate) order: i64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum ReportCommand {
    /// The answer to the written question in Parliament, from the figures at a day.
    Parliament(ParliamentArgs),
}

#[derive(Args)]
pub(crate) struct ParliamentArgs {
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    /// Read the demo's database (DATA_DIR/demo.db) rather than the installation's.
    #[arg(long)]
    pub(crate) demo: bool,
    /// The day the answer describes, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub(crate) at: Option<chrono::NaiveDate>,
    #[arg(long, default_value = "md", value_parser = ["md", "docx", "pdf"])]
    pub(crate) format: String,
    /// The answer's language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub(crate) lang: String,
    /// The programme (default: the first).
    #[arg(long)]
    pub(crate) programme: Option<i64>,
    /// Where to write it (default: antwoord-parlement-DAY.FORMAT here; `-` for standard output).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct BackupArgs {
    #[command(subcommand)]
    pub(crate) command: Option<BackupCommand>,
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    /// The new file to write the backup to (an existing file is never overwritten).
    #[arg(long, value_name = "FILE")]
    pub(crate) to: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum BackupCommand {
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
pub(crate) enum AuditLogCommand {
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
pub(crate) enum CatalogueCommand {
    /// Load a library file (such as CyberFundamentals or the CIS Controls) as a catalogue.
    Load {
        #[command(flatten)]
        db: DatabaseArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum IntelCommand {
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
pub(crate) enum PersonCommand {
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
pub(crate) enum ProgrammeCommand {
    /// Budget, reserved, paid, available, waiting list and orders by state; checks the ledger.
    Status {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        json: bool,
    },
}
