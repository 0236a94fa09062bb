//! Markdown, as VVSG writes the toolkit's items, read safely: HTML in the source is shown as
//! text, never passed on, and links go only to http(s) and mailto addresses.

use crate::{Block, Inline};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

fn safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme)) || lower.starts_with('#')
}

/// HTML for a page: raw HTML is escaped, unsafe links lose their address, images become their text.
pub fn to_html(source: &str) -> String {
    // An image's alt text stays, as text; the image itself is never fetched.
    let events = Parser::new_ext(source, options()).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_link(&dest_url) { dest_url } else { "".into() };
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The blocks of a document, from Markdown: headings, paragraphs, lists, tables and quotes; code
/// is kept as text.
pub fn to_blocks(source: &str) -> Vec<Block> {
    let mut reader = Reader::default();
    for event in Parser::new_ext(source, options()) {
        reader.read(event);
    }
    reader.blocks
}

#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
    strong: u32,
    emphasis: u32,
    link: Option<String>,
    heading: Option<u8>,
    list: Vec<(Option<u64>, Vec<Vec<Inline>>)>,
    quote: u32,
    table: Option<(Vec<String>, Vec<Vec<String>>)>,
    row: Vec<String>,
    cell: String,
    in_cell: bool,
}

impl Reader {
    fn push_text(&mut self, text: &str) {
        if self.in_cell {
            self.cell.push_str(text);
            return;
        }
        self.inlines.push(Inline {
            text: text.to_owned(),
            strong: self.strong > 0,
            emphasis: self.emphasis > 0,
            link: self.link.clone(),
        });
    }

    fn take_inlines(&mut self) -> Vec<Inline> {
        let mut merged: Vec<Inline> = Vec::new();
        for inline in self.inlines.drain(..) {
            match merged.last_mut() {
                Some(last) if last.strong == inline.strong && last.emphasis == inline.emphasis && last.link == inline.link => {
                    last.text.push_str(&inline.text)
                }
                _ => merged.push(inline),
            }
        }
        merged
    }

    fn end_paragraph(&mut self) {
        let inlines = self.take_inlines();
        if inlines.iter().all(|inline| inline.text.trim().is_empty()) {
            return;
        }
        if let Some((_, items)) = self.list.last_mut() {
            match items.last_mut() {
                Some(item) if item.is_empty() => *item = inlines,
                Some(item) => {
                    item.push(Inline::plain(" "));
                    item.extend(inlines);
                }
                None => items.push(inlines),
            }
        } else if self.quote > 0 {
            self.blocks.push(Block::Quote(inlines));
        } else {
            self.blocks.push(Block::Paragraph(inlines));
        }
    }

    fn read(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.end_paragraph();
                self.heading = Some((level as u8).min(3));
            }
            Event::End(TagEnd::Heading(_)) => {
                let text: String = self.take_inlines().into_iter().map(|inline| inline.text).collect();
                self.blocks.push(Block::Heading {
                    level: self.heading.take().unwrap_or(1),
                    text,
                });
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::BlockQuote(_)) => {
                self.end_paragraph();
                self.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.end_paragraph();
                self.quote = self.quote.saturating_sub(1);
            }
            Event::Start(Tag::List(first)) => {
                self.end_paragraph();
                self.list.push((first, Vec::new()));
            }
            Event::End(TagEnd::List(_)) => {
                self.end_paragraph();
                if let Some((first, items)) = self.list.pop() {
                    let block = Block::List {
                        ordered: first.is_some(),
                        start: first.unwrap_or(1),
                        items,
                    };
                    match self.list.last_mut().and_then(|(_, items)| items.last_mut()) {
                        // A nested list is flattened into its parent's item, as text after a colon.
                        Some(parent) => {
                            if let Block::List { items, .. } = block {
                                for item in items {
                                    parent.push(Inline::plain("; "));
                                    parent.extend(item);
                                }
                            }
                        }
                        None => self.blocks.push(block),
                    }
                }
            }
            Event::Start(Tag::Item) => {
                self.end_paragraph();
                if let Some((_, items)) = self.list.last_mut() {
                    items.push(Vec::new());
                }
            }
            Event::End(TagEnd::Item) => self.end_paragraph(),
            Event::Start(Tag::Table(_)) => {
                self.end_paragraph();
                self.table = Some((Vec::new(), Vec::new()));
            }
            Event::End(TagEnd::Table) => {
                if let Some((header, rows)) = self.table.take() {
                    let rows = rows
                        .into_iter()
                        .map(|mut row| {
                            row.resize(header.len(), String::new());
                            row
                        })
                        .collect();
                    self.blocks.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => self.row.clear(),
            Event::End(TagEnd::TableHead) => {
                if let Some((header, _)) = self.table.as_mut() {
                    *header = std::mem::take(&mut self.row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some((_, rows)) = self.table.as_mut() {
                    rows.push(std::mem::take(&mut self.row));
                }
            }
            Event::Start(Tag::TableCell) => {
                self.in_cell = true;
                self.cell.clear();
            }
            Event::End(TagEnd::TableCell) => {
                self.in_cell = false;
                self.row.push(std::mem::take(&mut self.cell).trim().to_owned());
            }
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong = self.strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => self.emphasis += 1,
            Event::End(TagEnd::Emphasis) => self.emphasis = self.emphasis.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link = safe_link(&dest_url).then(|| dest_url.to_string());
            }
            Event::End(TagEnd::Link) => self.link = None,
            Event::End(TagEnd::CodeBlock) => self.end_paragraph(),
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => self.push_text(&text),
            Event::SoftBreak | Event::HardBreak => self.push_text(" "),
            Event::Rule => self.end_paragraph(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_in_the_source_is_shown_as_text() {
        let html = to_html("Hallo <script>alert(1)</script> **vet**\n\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<strong>vet</strong>"), "{html}");
    }

    #[test]
    fn only_web_and_mail_links_keep_their_address() {
        let html = to_html("[a](javascript:alert(1)) [b](https://safeonweb.be) [c](mailto:x@y.be) [d](data:text/html,x)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains(r#"href="https://safeonweb.be""#), "{html}");
        assert!(html.contains(r#"href="mailto:x@y.be""#), "{html}");
    }

    #[test]
    fn blocks_keep_headings_lists_tables_and_emphasis() {
        let blocks = to_blocks(
            "# Plan\n\nEen **belangrijke** zin.\n\n1. Eerst\n2. Dan\n   - nog dit\n\n| Wie | Wat |\n|---|---|\n| ICT | back-up |\n\n> Bron: CCB",
        );
        assert_eq!(blocks[0], Block::heading(1, "Plan"));
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![Inline::plain("Een "), Inline::strong("belangrijke"), Inline::plain(" zin.")])
        );
        let Block::List {
            ordered: true,
            start: 1,
            items,
        } = &blocks[2]
        else {
            panic!("{:?}", blocks[2])
        };
        assert_eq!(items.len(), 2);
        let second: String = items[1].iter().map(|inline| inline.text.as_str()).collect();
        assert_eq!(second, "Dan; nog dit");
        assert_eq!(
            blocks[3],
            Block::Table {
                header: vec!["Wie".into(), "Wat".into()],
                rows: vec![vec!["ICT".into(), "back-up".into()]]
            }
        );
        assert_eq!(blocks[4], Block::Quote(vec![Inline::plain("Bron: CCB")]));
    }
}
