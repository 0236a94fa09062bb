//! What comes into the platform from files: scanner reports, threat intelligence, catalogues.

use crate::AnyError;
use crate::cli::{DatabaseArgs, ImportArgs, IntelCommand};
use crate::config::FileConfig;
use crate::installation::{database_url, open, with_audit_key};
use cyberveilig_services::{Services, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig import FILE --order N`.
pub(crate) async fn import(
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
                "id": import.id, "order_id": import.order_id, "format": import.format.as_str(), "tool_version": import.tool_version,
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

/// `cyberveilig intel kev|epss FILE`: the catalogue replaced, the open findings re-prioritised.
pub(crate) async fn load_intel(command: IntelCommand, file: FileConfig) -> Result<ExitCode, AnyError> {
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

/// `cyberveilig catalogue load FILE`.
pub(crate) async fn load_catalogue(db: DatabaseArgs, path: PathBuf, file: FileConfig) -> Result<ExitCode, AnyError> {
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
