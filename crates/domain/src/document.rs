//! D11: a basic audit is delivered with its assessment complete and its audit report attached.
//! The audit report is a PDF document, taken on its
//! content, never on its name or the type a browser claims. The check is structural and cheap:
//! the PDF header with a known version, the end-of-file marker at the end, and a `startxref`
//! that points inside the file at a cross-reference table or stream. A truncated upload, a
//! renamed image or an HTML page calling itself a PDF fails it.

use crate::order::OrderKind;
use crate::refusal::Refusal;

/// D11: a basic audit is delivered only with its assessment complete (every control of the
/// baseline rated, or not applicable) and its audit report attached. Additional work has
/// neither requirement.
pub fn check_delivery(kind: OrderKind, unrated_controls: u32, report_attached: bool) -> Result<(), Refusal> {
    if kind != OrderKind::Basic {
        return Ok(());
    }
    if unrated_controls > 0 {
        return Err(Refusal::AssessmentIncomplete { unrated: unrated_controls });
    }
    if !report_attached {
        return Err(Refusal::AuditReportMissing);
    }
    Ok(())
}

/// The largest audit report taken: 20 MiB (kept in the database, like report attachments).
pub const MAX_AUDIT_REPORT_BYTES: usize = 20 * 1024 * 1024;

/// How far from the end a PDF's trailer (`startxref` and `%%EOF`) may lie.
const TRAILER_WINDOW: usize = 2048;

/// Why a file is not taken as an audit report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PdfProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("the file is not a PDF document")]
    NotPdf,
    #[error("the PDF document is incomplete")]
    Truncated,
    #[error("the PDF document's cross-reference is missing or damaged")]
    NoCrossReference,
}

impl PdfProblem {
    /// A sentence in Dutch or English.
    pub fn message(self, dutch: bool) -> String {
        let mib = MAX_AUDIT_REPORT_BYTES >> 20;
        let (nl, en) = match self {
            Self::Empty => ("Het bestand is leeg.".to_owned(), "The file is empty.".to_owned()),
            Self::TooLarge => (
                format!("Een auditrapport is hoogstens {mib} MiB groot."),
                format!("An audit report is at most {mib} MiB."),
            ),
            Self::NotPdf => (
                "Het bestand is geen PDF-document: een auditrapport wordt als PDF opgeladen.".to_owned(),
                "The file is not a PDF document: an audit report is uploaded as a PDF.".to_owned(),
            ),
            Self::Truncated => (
                "Het PDF-document is onvolledig (het einde ontbreekt): laad het opnieuw op.".to_owned(),
                "The PDF document is incomplete (its end is missing): upload it again.".to_owned(),
            ),
            Self::NoCrossReference => (
                "Het PDF-document is beschadigd (de kruisverwijzingstabel ontbreekt of klopt niet).".to_owned(),
                "The PDF document is damaged (its cross-reference table is missing or wrong).".to_owned(),
            ),
        };
        if dutch { nl } else { en }
    }
}

/// What the check learnt of a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfInfo {
    /// The version in the header, such as "1.7".
    pub version: String,
}

/// Checks that `content` is a whole PDF document of an acceptable size.
pub fn check_pdf(content: &[u8]) -> Result<PdfInfo, PdfProblem> {
    if content.is_empty() {
        return Err(PdfProblem::Empty);
    }
    if content.len() > MAX_AUDIT_REPORT_BYTES {
        return Err(PdfProblem::TooLarge);
    }
    let version = header_version(content).ok_or(PdfProblem::NotPdf)?;
    let tail_start = content.len().saturating_sub(TRAILER_WINDOW);
    let tail = &content[tail_start..];
    let eof = rfind(tail, b"%%EOF").ok_or(PdfProblem::Truncated)?;
    // Only white space may follow the last end-of-file marker.
    if !tail[eof + 5..].iter().all(u8::is_ascii_whitespace) {
        return Err(PdfProblem::Truncated);
    }
    let startxref = rfind(&tail[..eof], b"startxref").ok_or(PdfProblem::NoCrossReference)?;
    let after = &tail[startxref + 9..eof];
    let digits: Vec<u8> = after
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take_while(u8::is_ascii_digit)
        .collect();
    let offset: usize = std::str::from_utf8(&digits)
        .ok()
        .filter(|d| !d.is_empty() && d.len() <= 12)
        .and_then(|d| d.parse().ok())
        .ok_or(PdfProblem::NoCrossReference)?;
    if offset >= tail_start + startxref {
        return Err(PdfProblem::NoCrossReference);
    }
    let at = &content[offset..];
    let at = &at[at.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    if !(at.starts_with(b"xref") || is_object_header(at)) {
        return Err(PdfProblem::NoCrossReference);
    }
    Ok(PdfInfo { version })
}

/// `%PDF-1.0` to `%PDF-1.7` or `%PDF-2.0` at the very start.
fn header_version(content: &[u8]) -> Option<String> {
    let rest = content.strip_prefix(b"%PDF-")?;
    match rest {
        [b'1', b'.', minor @ b'0'..=b'7', ..] => Some(format!("1.{}", *minor as char)),
        [b'2', b'.', b'0', ..] => Some("2.0".into()),
        _ => None,
    }
}

/// `12 0 obj`: where a cross-reference stream (PDF 1.5 and later) begins.
fn is_object_header(at: &[u8]) -> bool {
    let mut parts = at.split(|b| b.is_ascii_whitespace()).filter(|p| !p.is_empty());
    let number = |p: Option<&[u8]>| p.is_some_and(|p| !p.is_empty() && p.len() <= 10 && p.iter().all(u8::is_ascii_digit));
    number(parts.next()) && number(parts.next()) && parts.next().is_some_and(|p| p.starts_with(b"obj"))
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// A one-page PDF document with a few lines of text, written with correct cross-references:
/// the demo's audit reports and the tests' are made with it. Text is kept to printable ASCII.
pub fn simple_pdf(lines: &[&str]) -> Vec<u8> {
    let escape = |line: &str| -> String {
        line.chars()
            .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect()
    };
    let mut text = String::from("BT /F1 12 Tf 56 780 Td 16 TL\n");
    for line in lines {
        text.push_str(&format!("({}) Tj T*\n", escape(line)));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basic_audit_is_delivered_with_its_assessment_complete_and_its_report() {
        assert_eq!(check_delivery(OrderKind::Basic, 0, true), Ok(()));
        assert_eq!(
            check_delivery(OrderKind::Basic, 3, true),
            Err(Refusal::AssessmentIncomplete { unrated: 3 })
        );
        assert_eq!(check_delivery(OrderKind::Basic, 0, false), Err(Refusal::AuditReportMissing));
        assert_eq!(
            check_delivery(OrderKind::Basic, 32, false),
            Err(Refusal::AssessmentIncomplete { unrated: 32 })
        );
        assert_eq!(check_delivery(OrderKind::Additional, 32, false), Ok(()));
    }

    #[test]
    fn a_whole_pdf_is_taken() {
        let pdf = simple_pdf(&["Auditrapport basisaudit", "Gent (44021)"]);
        assert_eq!(check_pdf(&pdf), Ok(PdfInfo { version: "1.4".into() }));
    }

    #[test]
    fn a_pdf_with_a_cross_reference_stream_is_taken() {
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
        let xref = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<< /Type /XRef /Size 3 >>\nstream\n\nendstream\nendobj\n");
        pdf.extend_from_slice(format!("startxref\n{xref}\n%%EOF\r\n").as_bytes());
        assert_eq!(check_pdf(&pdf).map(|i| i.version), Ok("1.7".into()));
    }

    #[test]
    fn what_is_not_a_whole_pdf_is_refused() {
        let pdf = simple_pdf(&["Rapport"]);
        assert_eq!(check_pdf(b""), Err(PdfProblem::Empty));
        assert_eq!(check_pdf(b"\x89PNG\r\n\x1a\n0000"), Err(PdfProblem::NotPdf));
        assert_eq!(check_pdf(b"<html>%PDF-1.4</html>"), Err(PdfProblem::NotPdf));
        assert_eq!(check_pdf(b"%PDF-9.9\n%%EOF"), Err(PdfProblem::NotPdf));
        // Cut off halfway: no end-of-file marker.
        assert_eq!(check_pdf(&pdf[..pdf.len() / 2]), Err(PdfProblem::Truncated));
        // Something after the end.
        let mut appended = pdf.clone();
        appended.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(check_pdf(&appended), Err(PdfProblem::Truncated));
        // A cross-reference offset that points nowhere, or into the middle of an object.
        let text = String::from_utf8(pdf.clone()).unwrap();
        let (head, tail) = text.rsplit_once("startxref\n").unwrap();
        let wrong = format!("{head}startxref\n{}\n%%EOF\n", pdf.len() * 2);
        assert_eq!(check_pdf(wrong.as_bytes()), Err(PdfProblem::NoCrossReference));
        let wrong = format!("{head}startxref\n12\n%%EOF\n");
        assert_eq!(check_pdf(wrong.as_bytes()), Err(PdfProblem::NoCrossReference));
        assert!(tail.ends_with("%%EOF\n"));
        assert_eq!(check_pdf(b"%PDF-1.4\n%%EOF\n"), Err(PdfProblem::NoCrossReference));
    }

    #[test]
    fn a_report_above_the_limit_is_refused_before_it_is_read() {
        let mut big = simple_pdf(&["x"]);
        big.resize(MAX_AUDIT_REPORT_BYTES + 1, b' ');
        assert_eq!(check_pdf(&big), Err(PdfProblem::TooLarge));
    }

    #[test]
    fn every_problem_is_a_sentence_in_both_languages() {
        for p in [
            PdfProblem::Empty,
            PdfProblem::TooLarge,
            PdfProblem::NotPdf,
            PdfProblem::Truncated,
            PdfProblem::NoCrossReference,
        ] {
            for dutch in [true, false] {
                let m = p.message(dutch);
                assert!(m.chars().next().is_some_and(char::is_uppercase) && m.ends_with('.'), "{m}");
            }
        }
    }
}
