//! The same document as DOCX and as PDF, read back by independent readers: the DOCX by a ZIP and
//! XML reader, the PDF by poppler's pdftotext (as a person copying text out of it would).

use cyberveilig_publish::{Block, Document, Inline, docx, markdown, pdf};
use std::process::Command;

fn sample() -> Document {
    let mut blocks = markdown::to_blocks(
        "## Doel\n\nDit beleid geldt voor **Gemeente Wingene** (NIS-code 37018) & haar *OCMW*.\n\n\
         1. Meld het incident aan [CERT.be](mailto:cert@cert.be).\n2. Koppel het toestel los van het netwerk.\n\n\
         - back-ups offline\n- MFA voor iedereen\n\n> Bron: https://ccb.belgium.be",
    );
    blocks.push(Block::Table {
        header: vec!["Systeem".into(), "Soort".into(), "Kritiek".into()],
        rows: (1..=60)
            .map(|n| vec![format!("server-{n:02}"), "server".into(), format!("{}", n % 4)])
            .collect(),
    });
    blocks.push(Block::Paragraph(vec![Inline::plain("Einde van het document: € 179.541,27.")]));
    Document {
        title: "Informatieveiligheidsbeleid".into(),
        subtitle: Some("Gemeente Wingene, 15/06/2021".into()),
        language: "nl-BE".into(),
        blocks,
    }
}

#[test]
fn a_docx_holds_the_text_in_order() {
    let bytes = docx::render(&sample()).expect("a DOCX");
    assert!(bytes.starts_with(b"PK"), "a DOCX is a ZIP file");
    let text = docx::plain_text(&bytes).expect("readable");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Informatieveiligheidsbeleid");
    assert_eq!(lines[1], "Gemeente Wingene, 15/06/2021");
    assert!(
        text.contains("Dit beleid geldt voor Gemeente Wingene (NIS-code 37018) & haar OCMW."),
        "{text}"
    );
    assert!(text.contains("Meld het incident aan CERT.be (mailto:cert@cert.be)."), "{text}");
    assert!(text.contains("server-60"), "{text}");
    assert!(text.contains("€ 179.541,27"), "{text}");
    let doel = text.find("Doel").expect("the heading");
    let einde = text.find("Einde van het document").expect("the last paragraph");
    assert!(doel < einde, "blocks keep their order");
}

#[test]
fn a_docx_uses_words_heading_and_list_styles() {
    let bytes = docx::render(&sample()).expect("a DOCX");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("the body"), &mut xml).unwrap();
    assert!(
        xml.contains(r#"w:pStyle w:val="Heading2""#),
        "a level-2 heading is Word's Heading 2"
    );
    assert!(xml.contains("<w:numPr>"), "lists are Word lists, not typed numbers");
    assert!(xml.contains("<w:tbl>"), "a table is a table");
}

#[test]
fn not_a_docx_is_a_clear_error() {
    let error = docx::plain_text(b"%PDF-1.7 not a zip").unwrap_err();
    assert!(error.to_string().contains("not a readable DOCX"), "{error}");
}

#[test]
fn a_pdf_is_tagged_with_its_language_and_fonts_embedded() {
    let bytes = pdf::render(&sample()).expect("a PDF");
    assert!(bytes.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&bytes);
    for marker in ["/StructTreeRoot", "/MarkInfo", "/Lang", "/FontFile2", "/Table", "/TH", "/LI"] {
        assert!(raw.contains(marker), "the PDF has {marker}");
    }
}

/// pdftotext, or why the test cannot run: required where CYBERVEILIG_PDF_TESTS=required (CI).
fn pdftotext(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, bytes).expect("written");
    match Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() {
        Ok(output) if output.status.success() => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
        Ok(output) => panic!("pdftotext refused the PDF: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => {
            assert_ne!(
                std::env::var("CYBERVEILIG_PDF_TESTS").as_deref(),
                Ok("required"),
                "pdftotext (poppler-utils) is required here: {error}"
            );
            eprintln!("SKIP: pdftotext (Debian's poppler-utils) is not installed: {error}");
            None
        }
    }
}

#[test]
fn a_pdfs_text_can_be_extracted_across_pages() {
    let bytes = pdf::render(&sample()).expect("a PDF");
    let Some(text) = pdftotext(&bytes) else { return };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Informatieveiligheidsbeleid"), "{flat}");
    assert!(
        flat.contains("Dit beleid geldt voor Gemeente Wingene (NIS-code 37018) & haar OCMW."),
        "{flat}"
    );
    assert!(flat.contains("1. Meld het incident aan CERT.be (mailto:cert@cert.be)."), "{flat}");
    assert!(
        flat.contains("server-01") && flat.contains("server-60"),
        "every row, over the page break"
    );
    assert!(flat.contains("€ 179.541,27"), "{flat}");
    assert!(text.contains('\u{c}'), "sixty rows take more than one page");
    assert!(flat.replace(" / ", "/").contains("1/3"), "pages are numbered: {flat}");
    if let Ok(dir) = std::env::var("CYBERVEILIG_PUBLISH_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join("sample.pdf"), &bytes).expect("the sample written");
    }
}

#[test]
fn a_list_that_goes_on_numbering_keeps_its_numbers() {
    let document = Document {
        title: "Draaiboek".into(),
        subtitle: None,
        language: "nl".into(),
        blocks: markdown::to_blocks("## Detecteren\n\n1. Melden\n2. Vaststellen\n\n## Indammen\n\n3. Loskoppelen\n4. Back-ups offline"),
    };
    assert!(matches!(
        document.blocks[3],
        Block::List {
            ordered: true,
            start: 3,
            ..
        }
    ));
    let Some(text) = pdftotext(&pdf::render(&document).expect("a PDF")) else {
        return;
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("3. Loskoppelen") && flat.contains("4. Back-ups offline"), "{flat}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx::render(&document).unwrap())).unwrap();
    let mut numbering = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/numbering.xml").expect("the numbering"), &mut numbering).unwrap();
    assert!(
        numbering.contains(r#"w:startOverride w:val="3""#),
        "the second list starts at 3 in Word too"
    );
}
