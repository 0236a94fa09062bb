//! The kinds of file a report may carry (screenshots, documents, logs), told by their content.

use std::str::FromStr;

/// A kind of file the content shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Png,
    Jpeg,
    Pdf,
    Text,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 4] = [AttachmentKind::Png, AttachmentKind::Jpeg, AttachmentKind::Pdf, AttachmentKind::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Png => "png",
            AttachmentKind::Jpeg => "jpeg",
            AttachmentKind::Pdf => "pdf",
            AttachmentKind::Text => "text",
        }
    }

    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            AttachmentKind::Png => &["png"],
            AttachmentKind::Jpeg => &["jpg", "jpeg"],
            AttachmentKind::Pdf => &["pdf"],
            AttachmentKind::Text => &["txt", "log", "md", "csv"],
        }
    }

    pub fn media_types(self) -> &'static [&'static str] {
        match self {
            AttachmentKind::Png => &["image/png"],
            AttachmentKind::Jpeg => &["image/jpeg", "image/jpg"],
            AttachmentKind::Pdf => &["application/pdf"],
            AttachmentKind::Text => &["text/plain", "text/csv", "text/markdown"],
        }
    }
}

/// What the content is, by its first bytes; text is UTF-8 without control characters (other
/// than tab, line feed and carriage return).
pub fn sniff(content: &[u8]) -> Option<AttachmentKind> {
    if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(AttachmentKind::Png);
    }
    if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(AttachmentKind::Jpeg);
    }
    if content.starts_with(b"%PDF-") {
        return Some(AttachmentKind::Pdf);
    }
    let text = std::str::from_utf8(content).ok()?;
    let plain = !text.is_empty() && text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    plain.then_some(AttachmentKind::Text)
}

impl FromStr for AttachmentKind {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        AttachmentKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_tell_the_kind() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n0000"), Some(AttachmentKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(AttachmentKind::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7"), Some(AttachmentKind::Pdf));
        assert_eq!(sniff(b"line\tone\r\n"), Some(AttachmentKind::Text));
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b""), None);
        for kind in AttachmentKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
    }
}
