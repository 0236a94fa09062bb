//! One source of configuration: an optional TOML file, overridden by `CYBERVEILIG_*`
//! environment variables, overridden by command-line flags.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `sqlite:PATH` or `postgres://...`
    pub database_url: Option<String>,
    /// Address to listen on, such as `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// Folder for the SQLite database when no database URL is given.
    pub data_dir: Option<PathBuf>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// The address people reach the portal at, for the links in mails, such as
    /// `https://cyberveilig.vlaanderen.be`.
    pub public_url: Option<String>,
    /// Outgoing mail, such as `smtps://user:password@mail.example.be:465`. Without it mail waits
    /// in the outbox.
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail, such as `cyberveilig <noreply@example.be>`.
    pub smtp_from: Option<String>,
    /// Where to report a vulnerability in this installation (its /.well-known/security.txt):
    /// `mailto:security@example.be` or an https:// address.
    pub security_contact: Option<String>,
    /// The file with the key that signs the audit log's head (default: DATA_DIR/audit-signing.key),
    /// made at the first start, readable by its owner only.
    pub audit_key: Option<PathBuf>,
    /// Seconds between two runs of the jobs (default 60).
    pub job_interval: Option<u64>,
    /// Seconds between two rounds of mail delivery (default 15).
    pub mail_interval: Option<u64>,
    /// Seconds a server holds a mail it is sending before another may take it over (default 120).
    pub mail_lease: Option<u64>,
    /// Seconds between two rounds of the baseline scan's queue (default 60).
    pub baseline_interval: Option<u64>,
    /// `true`: this server does not run the baseline scan (default false).
    pub no_baseline_scan: Option<bool>,
}

impl FileConfig {
    /// Reads the file if it exists; a file that exists but is not valid is an error.
    pub fn load(path: &Path) -> Result<FileConfig, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

/// The first of: the flag (which clap already filled from the environment), the file, the default.
pub fn pick<T: Clone>(flag: Option<T>, file: Option<T>, default: T) -> T {
    flag.or(file).unwrap_or(default)
}

/// The key that signs the audit log's head, from its file; `None` when there is no file yet.
/// A file others may read is refused: the key is what makes the log tamper-evident.
pub fn read_audit_key(path: &Path) -> Result<Option<cyberveilig_services::audit::AuditKey>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{}: the audit key may be read by others (mode {:o}); make it the owner's only: chmod 600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    cyberveilig_services::audit::AuditKey::from_file_text(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a new key file that only its owner may read; never over an existing one.
pub fn write_audit_key(path: &Path, key: &cyberveilig_services::audit::AuditKey) -> Result<(), String> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(key.to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_key_is_made_for_its_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("audit-signing.key");
        assert!(read_audit_key(&path).unwrap().is_none());
        let key = cyberveilig_services::audit::AuditKey::generate();
        write_audit_key(&path, &key).unwrap();
        assert!(write_audit_key(&path, &key).is_err(), "never over an existing key");
        assert_eq!(read_audit_key(&path).unwrap().unwrap().public(), key.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(read_audit_key(&path).unwrap_err().contains("chmod 600"));
        }
    }
}
