//! A [`Document`] as a tagged PDF on 210 × 297 mm pages: fonts embedded (DejaVu Sans, subset), every line of text
//! in the structure tree (headings, paragraphs, lists, tables with header cells, quotes) in
//! reading order, the document's title and language in its metadata, page numbers marked as
//! artifacts. Text can be selected, searched and read aloud.
//!
//! Layout is in two passes: [`layout`] places lines on pages and records the logical structure;
//! [`render`] draws them with krilla and hands it the structure.

use crate::{Block, Document, Inline, PublishError};
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, ListNumbering, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Data, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::num::NonZeroU16;
use std::sync::LazyLock;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
const OBLIQUE: &[u8] = include_bytes!("../fonts/DejaVuSans-Oblique.ttf");

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY_SIZE: f32 = 10.5;
const LEADING: f32 = 1.4;
const LIST_INDENT: f32 = 18.0;
const CELL_PADDING: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
    Oblique,
}

impl Face {
    fn of(inline: &Inline) -> Face {
        if inline.strong {
            Face::Bold
        } else if inline.emphasis {
            Face::Oblique
        } else {
            Face::Regular
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
            Face::Oblique => OBLIQUE,
        }
    }
}

/// Advance widths per face, for line breaking (krilla shapes the text itself when drawing).
struct Metrics {
    fonts: [FontRef<'static>; 3],
}

static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| {
    Some(Metrics {
        fonts: [FontRef::new(REGULAR).ok()?, FontRef::new(BOLD).ok()?, FontRef::new(OBLIQUE).ok()?],
    })
});

impl Metrics {
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = &self.fonts[face as usize];
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| charmap.map(c).and_then(|glyph| metrics.advance_width(glyph)).unwrap_or(size * 0.6))
            .sum()
    }
}

/// A piece of text placed on a page.
#[derive(Debug, Clone)]
struct Run {
    page: usize,
    x: f32,
    y: f32,
    face: Face,
    size: f32,
    text: String,
}

/// A thin line (table rules, a quote's bar): decoration, an artifact.
#[derive(Debug, Clone, Copy)]
struct Rule {
    page: usize,
    from: (f32, f32),
    to: (f32, f32),
}

/// A filled bar of a chart.
#[derive(Debug, Clone, Copy)]
struct Bar {
    page: usize,
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

/// The logical structure: groups of the structure tree whose leaves are runs (by index).
enum Node {
    Group(TagKind, Vec<Node>),
    Run(usize),
}

struct Layout {
    runs: Vec<Run>,
    rules: Vec<Rule>,
    /// A chart's bars and its labels: decoration, artifacts (the document's table says the same).
    bars: Vec<Bar>,
    marks: Vec<Run>,
    page: usize,
    y: f32,
}

/// Words, each in pieces of one face (a word may change face mid-way: "**vet**,"), to be broken
/// into lines at the spaces between them.
fn words(inlines: &[Inline]) -> Vec<Vec<(Face, String)>> {
    let mut words: Vec<Vec<(Face, String)>> = vec![Vec::new()];
    for inline in inlines {
        let face = Face::of(inline);
        let mut text = inline.text.clone();
        if let Some(link) = &inline.link
            && link.trim_start_matches("mailto:") != inline.text.trim()
        {
            text.push_str(&format!(" ({link})"));
        }
        for c in text.chars() {
            let word = words.last_mut().expect("one word at least");
            if c.is_whitespace() {
                if !word.is_empty() {
                    words.push(Vec::new());
                }
                continue;
            }
            match word.last_mut() {
                Some((last_face, piece)) if *last_face == face => piece.push(c),
                _ => word.push((face, c.to_string())),
            }
        }
    }
    words.retain(|word| !word.is_empty());
    words
}

impl Layout {
    fn new() -> Layout {
        Layout {
            runs: Vec::new(),
            rules: Vec::new(),
            bars: Vec::new(),
            marks: Vec::new(),
            page: 0,
            y: MARGIN,
        }
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - 20.0
    }

    /// Room for `height` more on this page, or a new page.
    fn need(&mut self, height: f32) {
        if self.y + height > Layout::bottom() && self.y > MARGIN {
            self.page += 1;
            self.y = MARGIN;
        }
    }

    /// Lines of `inlines` broken to `width`, each line its runs (face, text, x offset).
    fn break_lines(metrics: &Metrics, inlines: &[Inline], size: f32, width: f32) -> Vec<Vec<(Face, String, f32)>> {
        let space = metrics.width(Face::Regular, size, " ");
        let mut lines: Vec<Vec<(Face, String, f32)>> = Vec::new();
        let mut x = 0.0;
        for word in words(inlines) {
            let w: f32 = word.iter().map(|(face, piece)| metrics.width(*face, size, piece)).sum();
            let line = match lines.last_mut() {
                Some(line) if x + space + w <= width => {
                    // The space stays in the text, so extracted text keeps it.
                    if let Some((_, text, _)) = line.last_mut() {
                        text.push(' ');
                    }
                    x += space;
                    line
                }
                _ => {
                    lines.push(Vec::new());
                    x = 0.0;
                    lines.last_mut().expect("just pushed")
                }
            };
            for (face, piece) in word {
                let piece_width = metrics.width(face, size, &piece);
                match line.last_mut() {
                    Some((last_face, text, _)) if *last_face == face => text.push_str(&piece),
                    _ => line.push((face, piece, x)),
                }
                x += piece_width;
            }
        }
        lines
    }

    /// Places wrapped text at `x` within `width`; returns the leaves.
    fn text(&mut self, metrics: &Metrics, inlines: &[Inline], size: f32, x: f32, width: f32) -> Vec<Node> {
        let mut leaves = Vec::new();
        for line in Layout::break_lines(metrics, inlines, size, width) {
            self.need(size * LEADING);
            self.y += size * LEADING;
            for (face, text, dx) in line {
                leaves.push(Node::Run(self.runs.len()));
                self.runs.push(Run {
                    page: self.page,
                    x: x + dx,
                    y: self.y,
                    face,
                    size,
                    text,
                });
            }
        }
        leaves
    }

    fn block(&mut self, metrics: &Metrics, block: &Block) -> Node {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        match block {
            Block::Heading { level, text } => {
                let level = (*level).clamp(1, 3);
                let size = [16.0, 13.0, 11.5][usize::from(level - 1)];
                self.need(size * LEADING * 3.0);
                self.y += size * 0.6;
                let leaves = self.text(metrics, &[Inline::strong(text.clone())], size, MARGIN, width);
                self.y += 4.0;
                let tag = Tag::Hn(NonZeroU16::new(u16::from(level) + 1).expect("non-zero"), Some(text.clone()));
                Node::Group(tag.into(), leaves)
            }
            Block::Paragraph(inlines) => {
                let leaves = self.text(metrics, inlines, BODY_SIZE, MARGIN, width);
                self.y += BODY_SIZE * 0.6;
                Node::Group(Tag::P.into(), leaves)
            }
            Block::Quote(inlines) => {
                let top = self.y;
                let page = self.page;
                let leaves = self.text(metrics, inlines, BODY_SIZE, MARGIN + LIST_INDENT, width - LIST_INDENT);
                if page == self.page {
                    let x = MARGIN + 6.0;
                    self.rules.push(Rule {
                        page,
                        from: (x, top + 3.0),
                        to: (x, self.y + 3.0),
                    });
                }
                self.y += BODY_SIZE * 0.6;
                Node::Group(Tag::BlockQuote.into(), vec![Node::Group(Tag::P.into(), leaves)])
            }
            Block::List { ordered, start, items } => {
                let numbering = if *ordered { ListNumbering::Decimal } else { ListNumbering::Disc };
                let mut children = Vec::new();
                for (n, item) in items.iter().enumerate() {
                    let label = if *ordered {
                        format!("{}.", *start + n as u64)
                    } else {
                        "•".to_owned()
                    };
                    self.need(BODY_SIZE * LEADING);
                    let label_leaf = Node::Run(self.runs.len());
                    self.runs.push(Run {
                        page: self.page,
                        x: MARGIN,
                        y: self.y + BODY_SIZE * LEADING,
                        face: Face::Regular,
                        size: BODY_SIZE,
                        text: format!("{label} "),
                    });
                    let body = self.text(metrics, item, BODY_SIZE, MARGIN + LIST_INDENT, width - LIST_INDENT);
                    self.y += 2.0;
                    children.push(Node::Group(
                        Tag::LI.into(),
                        vec![Node::Group(Tag::Lbl.into(), vec![label_leaf]), Node::Group(Tag::LBody.into(), body)],
                    ));
                }
                self.y += BODY_SIZE * 0.6;
                Node::Group(Tag::L(numbering).into(), children)
            }
            Block::Table { header, rows } => self.table(metrics, header, rows, width),
            Block::BarChart { bars } => {
                let (label_width, value_width) = (160.0, 80.0);
                let plot = width - label_width - value_width;
                let max = bars.iter().map(|(_, v, _)| *v).max().unwrap_or(0);
                let size = BODY_SIZE - 1.5;
                let row = size * LEADING + 4.0;
                for (label, value, text) in bars {
                    self.need(row);
                    // A label longer than its column is cut short: the table gives it whole.
                    let mut label = label.clone();
                    if metrics.width(Face::Regular, size, &label) > label_width - 8.0 {
                        while label.chars().count() > 1 && metrics.width(Face::Regular, size, &format!("{label}…")) > label_width - 8.0 {
                            label.pop();
                        }
                        label.push('…');
                    }
                    let baseline = self.y + row - 4.0 - size * 0.3;
                    self.marks.push(Run {
                        page: self.page,
                        x: MARGIN,
                        y: baseline,
                        face: Face::Regular,
                        size,
                        text: label,
                    });
                    let bar = if max > 0 {
                        (plot * (*value as f32 / max as f32)).max(0.0)
                    } else {
                        0.0
                    };
                    if bar > 0.0 {
                        self.bars.push(Bar {
                            page: self.page,
                            x: MARGIN + label_width,
                            y: self.y + 3.0,
                            width: bar,
                            height: row - 6.0,
                        });
                    }
                    self.marks.push(Run {
                        page: self.page,
                        x: MARGIN + label_width + bar + 4.0,
                        y: baseline,
                        face: Face::Regular,
                        size,
                        text: text.clone(),
                    });
                    self.y += row;
                }
                self.y += BODY_SIZE * 0.6;
                // Nothing for the structure tree: an empty group is left out of it.
                Node::Group(Tag::Div.into(), Vec::new())
            }
        }
    }

    fn table(&mut self, metrics: &Metrics, header: &[String], rows: &[Vec<String>], width: f32) -> Node {
        let columns = header.len().max(1);
        // Columns share the width by the length of their longest cell, within bounds.
        let longest: Vec<f32> = (0..columns)
            .map(|c| {
                std::iter::once(header.get(c))
                    .chain(rows.iter().map(|row| row.get(c)))
                    .flatten()
                    .map(|cell| cell.chars().count() as f32)
                    .fold(4.0, f32::max)
                    .min(60.0)
            })
            .collect();
        let total: f32 = longest.iter().sum();
        let size = BODY_SIZE - 1.0;
        let mut widths: Vec<f32> = longest.iter().map(|l| width * l / total).collect();
        // No column narrower than its longest word (a date, an amount): those take from the
        // columns with room to spare, in proportion to it.
        let least: Vec<f32> = (0..columns)
            .map(|c| {
                let header_word = header
                    .get(c)
                    .into_iter()
                    .flat_map(|h| h.split_whitespace())
                    .map(|w| metrics.width(Face::Bold, size, w));
                let cell_words = rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .flat_map(|cell| cell.split_whitespace())
                    .map(|w| metrics.width(Face::Regular, size, w));
                header_word.chain(cell_words).fold(0.0, f32::max) + 2.0 * CELL_PADDING + 1.0
            })
            .collect();
        let short: f32 = widths.iter().zip(&least).map(|(w, l)| (l - w).max(0.0)).sum();
        let spare: f32 = widths.iter().zip(&least).map(|(w, l)| (w - l).max(0.0)).sum();
        if short > 0.0 && spare >= short {
            for (w, l) in widths.iter_mut().zip(&least) {
                if *w < *l {
                    *w = *l;
                } else {
                    *w -= short * (*w - l) / spare;
                }
            }
        }
        let mut head = Vec::new();
        let mut body = Vec::new();
        for (r, cells) in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)).enumerate() {
            let is_header = r == 0;
            let wrapped: Vec<Vec<Vec<(Face, String, f32)>>> = (0..columns)
                .map(|c| {
                    let text = cells.get(c).cloned().unwrap_or_default();
                    let inline = if is_header { Inline::strong(text) } else { Inline::plain(text) };
                    Layout::break_lines(metrics, &[inline], size, widths[c] - 2.0 * CELL_PADDING)
                })
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * size * LEADING + 2.0 * CELL_PADDING;
            self.need(height);
            let top = self.y;
            let mut row_cells = Vec::new();
            let mut x = MARGIN;
            for (c, cell_lines) in wrapped.into_iter().enumerate() {
                let mut leaves = Vec::new();
                for (l, line) in cell_lines.into_iter().enumerate() {
                    for (face, text, dx) in line {
                        leaves.push(Node::Run(self.runs.len()));
                        self.runs.push(Run {
                            page: self.page,
                            x: x + CELL_PADDING + dx,
                            y: top + CELL_PADDING + (l + 1) as f32 * size * LEADING - size * 0.3,
                            face,
                            size,
                            text,
                        });
                    }
                }
                let tag: TagKind = if is_header {
                    Tag::TH(TableHeaderScope::Column).into()
                } else {
                    Tag::TD.into()
                };
                row_cells.push(Node::Group(tag, leaves));
                x += widths[c];
            }
            self.y = top + height;
            self.rules.push(Rule {
                page: self.page,
                from: (MARGIN, self.y),
                to: (MARGIN + width, self.y),
            });
            let row = Node::Group(Tag::TR.into(), row_cells);
            if is_header { head.push(row) } else { body.push(row) }
        }
        self.y += BODY_SIZE;
        Node::Group(
            Tag::Table.into(),
            vec![Node::Group(Tag::THead.into(), head), Node::Group(Tag::TBody.into(), body)],
        )
    }
}

fn group(node: Node, ids: &mut [Option<krilla::tagging::Identifier>]) -> Option<krilla::tagging::Node> {
    match node {
        Node::Run(index) => ids.get_mut(index).and_then(Option::take).map(Into::into),
        Node::Group(kind, children) => {
            let mut tag_group = TagGroup::new(kind);
            let mut any = false;
            for child in children {
                if let Some(child) = group(child, ids) {
                    tag_group.push(child);
                    any = true;
                }
            }
            // A group without children would be dropped by krilla; so is an empty cell's.
            any.then(|| tag_group.into())
        }
    }
}

fn thin_line(surface: &mut Surface<'_>, rule: Rule) {
    let mut path = PathBuilder::new();
    path.move_to(rule.from.0, rule.from.1);
    path.line_to(rule.to.0, rule.to.1);
    if let Some(path) = path.finish() {
        surface.set_stroke(Some(krilla::paint::Stroke {
            width: 0.5,
            paint: krilla::color::rgb::Color::new(150, 150, 150).into(),
            ..Default::default()
        }));
        surface.set_fill(None);
        surface.draw_path(&path);
        surface.set_stroke(None);
        surface.set_fill(Some(krilla::paint::Fill::default()));
    }
}

fn fill_bar(surface: &mut Surface<'_>, bar: Bar) {
    let mut path = PathBuilder::new();
    if let Some(rect) = krilla::geom::Rect::from_xywh(bar.x, bar.y, bar.width, bar.height) {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(krilla::paint::Fill {
            paint: krilla::color::rgb::Color::new(31, 78, 140).into(),
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_fill(Some(krilla::paint::Fill::default()));
    }
}

fn write_error(reason: impl std::fmt::Display) -> PublishError {
    PublishError::Write {
        format: "PDF",
        reason: reason.to_string(),
    }
}

/// The document as PDF bytes.
pub fn render(document: &Document) -> Result<Vec<u8>, PublishError> {
    let metrics = METRICS.as_ref().ok_or_else(|| write_error("the embedded font does not load"))?;
    let fonts = [Face::Regular, Face::Bold, Face::Oblique]
        .map(|face| Font::new(Data::from(face.bytes()), 0).ok_or_else(|| write_error("the embedded font does not load")));
    let [regular, bold, oblique] = fonts;
    let fonts = [regular?, bold?, oblique?];

    let mut layout = Layout::new();
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut structure = vec![Node::Group(
        Tag::Title.into(),
        layout.text(metrics, &[Inline::strong(document.title.clone())], 20.0, MARGIN, width),
    )];
    if let Some(subtitle) = &document.subtitle {
        structure.push(Node::Group(
            Tag::P.into(),
            layout.text(metrics, &[Inline::plain(subtitle.clone())], BODY_SIZE + 0.5, MARGIN, width),
        ));
    }
    layout.y += BODY_SIZE;
    for block in &document.blocks {
        structure.push(layout.block(metrics, block));
    }
    let pages = layout.page + 1;

    let mut pdf = krilla::Document::new_with(SerializeSettings {
        enable_tagging: true,
        ..Default::default()
    });
    let mut ids: Vec<Option<krilla::tagging::Identifier>> = vec![None; layout.runs.len()];
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| write_error("page size"))?;
    let lang = document.language.clone();
    for page in 0..pages {
        let mut current = pdf.start_page_with(settings.clone());
        let mut surface = current.surface();
        for (index, run) in layout.runs.iter().enumerate().filter(|(_, run)| run.page == page) {
            let span = SpanTag {
                lang: Some(lang.as_str()),
                ..SpanTag::empty()
            };
            ids[index] = Some(surface.start_tagged(ContentTag::Span(span)));
            surface.draw_text(
                Point::from_xy(run.x, run.y),
                fonts[run.face as usize].clone(),
                run.size,
                &run.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
        }
        for bar in layout.bars.iter().filter(|bar| bar.page == page) {
            surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(ArtifactType::Other, None)));
            fill_bar(&mut surface, *bar);
            surface.end_tagged();
        }
        for mark in layout.marks.iter().filter(|mark| mark.page == page) {
            surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(ArtifactType::Other, None)));
            surface.draw_text(
                Point::from_xy(mark.x, mark.y),
                fonts[mark.face as usize].clone(),
                mark.size,
                &mark.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
        }
        for rule in layout.rules.iter().filter(|rule| rule.page == page) {
            surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(ArtifactType::Other, None)));
            thin_line(&mut surface, *rule);
            surface.end_tagged();
        }
        let number = format!("{} / {}", page + 1, pages);
        let number_width = metrics.width(Face::Regular, 8.0, &number);
        surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(ArtifactType::PageNumber, None)));
        surface.draw_text(
            Point::from_xy(PAGE_WIDTH - MARGIN - number_width, PAGE_HEIGHT - MARGIN / 2.0),
            fonts[0].clone(),
            8.0,
            &number,
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        current.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(lang.clone()));
    for node in structure {
        if let Some(child) = group(node, &mut ids) {
            tree.push(child);
        }
    }
    pdf.set_tag_tree(tree);
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(document.title.clone())
            .language(lang)
            .creator("cyberveilig".to_owned()),
    );
    pdf.finish().map_err(|error| write_error(format!("{error:?}")))
}
