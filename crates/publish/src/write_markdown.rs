//! A document written back as Markdown (CommonMark with GFM tables), to paste into a text that
//! goes on elsewhere: a written answer, a mail. Text that Markdown would read as markup is escaped.

use crate::{Block, Document, Inline};

/// Escapes what Markdown would take for markup in running text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn inlines(runs: &[Inline]) -> String {
    runs.iter()
        .map(|run| {
            let mut text = escape(&run.text);
            if run.emphasis {
                text = format!("*{text}*");
            }
            if run.strong {
                text = format!("**{text}**");
            }
            match &run.link {
                Some(url) => format!("[{text}](<{url}>)"),
                None => text,
            }
        })
        .collect()
}

/// The document as Markdown: the title as the first heading, the subtitle in italics.
pub fn render(document: &Document) -> String {
    let mut out = format!("# {}\n\n", escape(&document.title));
    if let Some(subtitle) = &document.subtitle {
        out.push_str(&format!("*{}*\n\n", escape(subtitle)));
    }
    for block in &document.blocks {
        match block {
            Block::Heading { level, text } => {
                // The title is the only first-level heading.
                out.push_str(&format!("{} {}\n\n", "#".repeat(usize::from((*level).clamp(2, 3))), escape(text)));
            }
            Block::Paragraph(runs) => out.push_str(&format!("{}\n\n", inlines(runs))),
            Block::List { ordered, start, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = if *ordered { format!("{}.", start + i as u64) } else { "-".into() };
                    out.push_str(&format!("{marker} {}\n", inlines(item)));
                }
                out.push('\n');
            }
            Block::Table { header, rows } => {
                let row = |cells: &[String]| format!("| {} |\n", cells.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "));
                out.push_str(&row(header));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for r in rows {
                    out.push_str(&row(r));
                }
                out.push('\n');
            }
            Block::Quote(runs) => out.push_str(&format!("> {}\n\n", inlines(runs))),
            // Markdown has no charts; the table the document gives beside it holds the figures.
            Block::BarChart { .. } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_back_as_the_same_blocks() {
        let document = Document {
            title: "Antwoord".into(),
            subtitle: Some("Toestand op 15/06/2021".into()),
            language: "nl".into(),
            blocks: vec![
                Block::heading(2, "1. De middelen"),
                Block::Paragraph(vec![
                    Inline::plain("Een krediet van "),
                    Inline::strong("EUR 2.000.000,00"),
                    Inline::plain(" (2/3 * kost)."),
                ]),
                Block::list(true, ["eerste", "tweede"]),
                Block::Table {
                    header: vec!["Maand".into(), "Bestellingen".into()],
                    rows: vec![vec!["2020-05".into(), "12".into()]],
                },
            ],
        };
        let text = render(&document);
        assert!(text.starts_with("# Antwoord\n\n*Toestand op 15/06/2021*\n\n"), "{text}");
        assert!(text.contains("\\*"), "an asterisk in the text is escaped: {text}");
        let blocks = crate::markdown::to_blocks(&text);
        assert_eq!(blocks[0], Block::heading(1, "Antwoord"));
        assert!(blocks.contains(&Block::heading(2, "1. De middelen")));
        assert!(blocks.contains(&Block::Table {
            header: vec!["Maand".into(), "Bestellingen".into()],
            rows: vec![vec!["2020-05".into(), "12".into()]],
        }));
        assert!(blocks.contains(&Block::list(true, ["eerste", "tweede"])));
    }
}
