//! `cyberveilig`: the server, the demo and the command line in one binary.

mod cli;
mod commands;
mod config;
mod installation;
mod smtp;

use clap::Parser;
use cli::{AuditLogCommand, CatalogueCommand, Cli, Command, PersonCommand, ProgrammeCommand, ReportCommand};
use commands::{audit_log, data, people, programme, register, serve};
use config::{FileConfig, pick};
use std::process::ExitCode;

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

async fn run(command: Command, file: FileConfig) -> Result<ExitCode, AnyError> {
    match command {
        Command::Demo(args) => serve::demo(args, file).await,
        Command::Serve(args) => serve::serve_command(args, file).await,
        Command::Import(args) => register::import(args, file).await,
        Command::Intel { command } => register::load_intel(command, file).await,
        Command::Catalogue {
            command: CatalogueCommand::Load { db, file: path },
        } => register::load_catalogue(db, path, file).await,
        Command::Person {
            command:
                PersonCommand::Add {
                    db,
                    email,
                    name,
                    role,
                    organisation,
                },
        } => people::add_person(db, email, name, role, organisation, file).await,
        Command::Migrate { db, dry_run } => data::migrate(db, dry_run, file).await,
        Command::MigrateDb { db, to } => data::migrate_db(db, to, file).await,
        Command::Backup(args) => data::backup(args, file).await,
        Command::AuditLog {
            command: AuditLogCommand::Verify { db, public_key },
        } => audit_log::verify(db, public_key, file).await,
        Command::AuditLog {
            command: AuditLogCommand::PublicKey { db },
        } => audit_log::public_key(db, file),
        Command::Programme {
            command: ProgrammeCommand::Status { db, json },
        } => programme::status(db, json, file).await,
        Command::Report {
            command: ReportCommand::Parliament(args),
        } => programme::parliament_answer(args, file).await,
    }
}
