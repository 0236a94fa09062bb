//! Reports arrive as request bodies of up to 256 MiB. They are spooled to an anonymous
//! temporary file as they arrive, so memory stays flat and a slow upload never holds the
//! database's writer; the import then reads the file.

use crate::lang::Lang;
use crate::problem::Problem;
use axum::http::StatusCode;
use cyberveilig_services::import::MAX_UPLOAD_BYTES;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

pub enum SpoolError {
    TooLarge,
    /// The upload broke off or could not be read.
    Broken(String),
    Disk(std::io::Error),
}

impl SpoolError {
    pub fn problem(&self, lang: Lang) -> Problem {
        match self {
            SpoolError::TooLarge => Problem::localized(
                StatusCode::PAYLOAD_TOO_LARGE,
                "report_too_large",
                lang,
                &format!("Het rapport is groter dan {} MiB.", MAX_UPLOAD_BYTES >> 20),
                &format!("The report is larger than {} MiB.", MAX_UPLOAD_BYTES >> 20),
            ),
            SpoolError::Broken(why) => Problem::localized(
                StatusCode::BAD_REQUEST,
                "upload_broken",
                lang,
                &format!("Het rapport kwam niet volledig aan: {why}"),
                &format!("The report did not arrive whole: {why}"),
            ),
            SpoolError::Disk(e) => {
                tracing::error!(error = %e, "cannot spool an upload");
                Problem::localized(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "upload_storage",
                    lang,
                    "Het rapport kan nu niet tijdelijk bewaard worden; probeer later opnieuw.",
                    "The report cannot be stored for processing now; try again later.",
                )
            }
        }
    }
}

/// An upload being written to a temporary file, deleted when it is dropped.
pub struct Spool {
    file: tokio::fs::File,
    bytes: u64,
}

impl Spool {
    pub fn new() -> Result<Spool, SpoolError> {
        let file = tempfile::tempfile().map_err(SpoolError::Disk)?;
        Ok(Spool {
            file: tokio::fs::File::from_std(file),
            bytes: 0,
        })
    }

    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), SpoolError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > MAX_UPLOAD_BYTES {
            return Err(SpoolError::TooLarge);
        }
        self.file.write_all(chunk).await.map_err(SpoolError::Disk)
    }

    /// The spooled report, read from its start.
    pub async fn finish(mut self) -> Result<std::fs::File, SpoolError> {
        self.file.flush().await.map_err(SpoolError::Disk)?;
        self.file.rewind().await.map_err(SpoolError::Disk)?;
        Ok(self.file.into_std().await)
    }
}

/// Spools a whole request body.
pub async fn spool_body(body: axum::body::Body) -> Result<std::fs::File, SpoolError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut spool = Spool::new()?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| SpoolError::Broken(e.to_string()))?;
        if let Some(data) = frame.data_ref() {
            spool.push(data).await?;
        }
    }
    spool.finish().await
}
