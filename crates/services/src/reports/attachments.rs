//! Attachments of reports: screenshots, documents and logs. A file is taken only when its
//! content is one of the few kinds allowed and matches what its name (and any type the sender
//! claimed) says; it is kept in the database and only ever served as a download.

use crate::error::{Result, ServiceError};
pub use cyberveilig_domain::attachment::{AttachmentKind as Kind, sniff};

/// Largest attachment, and attachments per report.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ATTACHMENTS: usize = 5;

/// A file name reduced to its last part and to letters, digits, dots, dashes and underscores.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() { "bijlage".into() } else { cleaned }
}

/// Checks an attachment: its size, its kind from the content, and that its name's extension and
/// the claimed media type (if any) agree with the content.
pub fn check(filename: &str, claimed_type: Option<&str>, content: &[u8]) -> Result<Kind> {
    if content.is_empty() {
        return Err(ServiceError::invalid("attachment", "the file is empty", "het bestand is leeg"));
    }
    if content.len() > MAX_ATTACHMENT_BYTES {
        return Err(ServiceError::invalid(
            "attachment",
            format!("an attachment has at most {} MiB", MAX_ATTACHMENT_BYTES >> 20),
            format!("een bijlage is hoogstens {} MiB groot", MAX_ATTACHMENT_BYTES >> 20),
        ));
    }
    let Some(kind) = sniff(content) else {
        return Err(ServiceError::invalid(
            "attachment",
            "only PNG or JPEG images, PDF documents and plain text are accepted",
            "enkel PNG- of JPEG-afbeeldingen, PDF-documenten en platte tekst worden aanvaard",
        ));
    };
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let type_ok = match claimed_type.map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
        None => true,
        Some(t) if t.is_empty() || t == "application/octet-stream" => true,
        Some(t) => kind.media_types().contains(&t.as_str()),
    };
    if !kind.extensions().contains(&extension.as_str()) || !type_ok {
        return Err(ServiceError::invalid(
            "attachment",
            format!(
                "the content of '{}' is {}, which its name or type does not say: such a file is refused",
                clean_filename(filename),
                kind.as_str()
            ),
            format!(
                "de inhoud van '{}' is {}, wat de naam of het type niet zegt: zo'n bestand wordt geweigerd",
                clean_filename(filename),
                kind.as_str()
            ),
        ));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_and_must_match_the_name() {
        let png = b"\x89PNG\r\n\x1a\n0000";
        assert_eq!(check("shot.PNG", Some("image/png"), png).unwrap(), Kind::Png);
        assert_eq!(check("a.pdf", None, b"%PDF-1.7 ...").unwrap(), Kind::Pdf);
        assert_eq!(
            check("log.txt", Some("text/plain; charset=utf-8"), b"GET / 200\n").unwrap(),
            Kind::Text
        );
        // HTML calling itself an image, an image calling itself a PDF, a script as text.
        assert!(check("x.png", Some("image/png"), b"<html><script>alert(1)</script>").is_err());
        assert!(check("x.pdf", None, png).is_err());
        assert!(check("x.png", Some("text/html"), png).is_err());
        assert!(check("x.html", None, b"<script>alert(1)</script>").is_err());
        assert!(check("x.exe", None, b"MZ\x90\x00\x03").is_err());
        assert!(check("x.txt", None, b"").is_err());
        assert!(check("x.txt", None, &vec![b'a'; MAX_ATTACHMENT_BYTES + 1]).is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\x\\my shot<1>.png"), "my_shot_1_.png");
        assert_eq!(clean_filename(".hidden"), "hidden");
        assert_eq!(clean_filename(""), "bijlage");
    }
}
