//! A [`Document`] as a Word file (DOCX), what a municipality edits: real headings (Heading 1-3,
//! so Word's navigation and table of contents work), real numbered and bulleted lists, tables
//! with a header row, and the document's language on every style.

use crate::{Block, Document, Inline, PublishError};
use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelOverride, LevelText, NumberFormat, Numbering, NumberingId, Paragraph, Run,
    RunFonts, SpecialIndentType, Start, Style, StyleType, Table, TableCell, TableRow,
};
use std::io::{Cursor, Read};

const BULLETS: usize = 1;
const NUMBERS: usize = 2;

fn runs(paragraph: Paragraph, inlines: &[Inline]) -> Paragraph {
    inlines.iter().fold(paragraph, |paragraph, inline| {
        let mut text = inline.text.clone();
        if let Some(link) = &inline.link
            && link.trim_start_matches("mailto:") != inline.text.trim()
        {
            text.push_str(&format!(" ({link})"));
        }
        let mut run = Run::new().add_text(text);
        if inline.strong {
            run = run.bold();
        }
        if inline.emphasis {
            run = run.italic();
        }
        paragraph.add_run(run)
    })
}

fn list_level(format: &str, text: &str) -> Level {
    Level::new(
        0,
        Start::new(1),
        NumberFormat::new(format),
        LevelText::new(text),
        LevelJc::new("left"),
    )
    .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None)
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize| Style::new(id, StyleType::Paragraph).name(name).based_on("Normal").size(size).bold();
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .size(40)
            .bold(),
    )
    .add_style(
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .size(24),
    )
    .add_style(heading("Heading1", "heading 1", 32))
    .add_style(heading("Heading2", "heading 2", 26))
    .add_style(heading("Heading3", "heading 3", 23))
    .add_style(Style::new("Quote", StyleType::Paragraph).name("Quote").based_on("Normal").italic())
    .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(list_level("bullet", "•")))
    .add_abstract_numbering(AbstractNumbering::new(NUMBERS).add_level(list_level("decimal", "%1.")))
    .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri"))
    .default_size(21)
}

/// The document as DOCX bytes.
pub fn render(document: &Document) -> Result<Vec<u8>, PublishError> {
    let mut docx = styles(Docx::new()).add_paragraph(Paragraph::new().style("Title").add_run(Run::new().add_text(&document.title)));
    if let Some(subtitle) = &document.subtitle {
        docx = docx.add_paragraph(Paragraph::new().style("Subtitle").add_run(Run::new().add_text(subtitle)));
    }
    // Each list is its own numbering instance, so every numbered list starts at 1.
    let mut next_numbering = 1;
    for block in &document.blocks {
        docx = match block {
            Block::Heading { level, text } => {
                let style = format!("Heading{}", (*level).clamp(1, 3));
                docx.add_paragraph(Paragraph::new().style(&style).keep_next(true).add_run(Run::new().add_text(text)))
            }
            Block::Paragraph(inlines) => docx.add_paragraph(runs(Paragraph::new(), inlines)),
            Block::Quote(inlines) => docx.add_paragraph(runs(Paragraph::new().style("Quote"), inlines)),
            // The table beside the chart holds its figures.
            Block::BarChart { .. } => docx,
            Block::List { ordered, start, items } => {
                let id = next_numbering;
                next_numbering += 1;
                let abstract_id = if *ordered { NUMBERS } else { BULLETS };
                let mut docx =
                    docx.add_numbering(Numbering::new(id, abstract_id).add_override(LevelOverride::new(0).start(*start as usize)));
                for item in items {
                    let paragraph = Paragraph::new().numbering(NumberingId::new(id), IndentLevel::new(0));
                    docx = docx.add_paragraph(runs(paragraph, item));
                }
                docx
            }
            Block::Table { header, rows } => {
                let cell = |text: &str, bold: bool| {
                    let run = Run::new().add_text(text);
                    TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { run.bold() } else { run }))
                };
                let mut table_rows = vec![TableRow::new(header.iter().map(|text| cell(text, true)).collect())];
                table_rows.extend(
                    rows.iter()
                        .map(|row| TableRow::new(row.iter().map(|text| cell(text, false)).collect())),
                );
                docx.add_table(Table::new(table_rows)).add_paragraph(Paragraph::new())
            }
        };
    }
    let mut bytes = Cursor::new(Vec::new());
    docx.build().pack(&mut bytes).map_err(|error| PublishError::Write {
        format: "DOCX",
        reason: error.to_string(),
    })?;
    Ok(bytes.into_inner())
}

/// The text of a DOCX file, one line per paragraph (table cells are paragraphs too): what a
/// reader of the file sees, read with a ZIP and XML reader of its own rather than the writer.
pub fn plain_text(bytes: &[u8]) -> Result<String, PublishError> {
    let unreadable = |reason: String| PublishError::Read { format: "DOCX", reason };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| unreadable(error.to_string()))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|error| unreadable(error.to_string()))?
        .read_to_string(&mut xml)
        .map_err(|error| unreadable(error.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|error| unreadable(error.to_string()))? {
            quick_xml::events::Event::Start(tag) if tag.name().as_ref() == "w:t" => in_text = true,
            quick_xml::events::Event::End(tag) if tag.name().as_ref() == "w:t" => in_text = false,
            quick_xml::events::Event::End(tag) if tag.name().as_ref() == "w:p" => text.push('\n'),
            quick_xml::events::Event::Text(content) if in_text => {
                text.push_str(&content.xml10_content());
            }
            quick_xml::events::Event::GeneralRef(reference) if in_text => {
                let name = reference.into_inner();
                text.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or_default());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}
