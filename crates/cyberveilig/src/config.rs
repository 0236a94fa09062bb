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
