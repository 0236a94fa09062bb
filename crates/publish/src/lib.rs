//! Documents people keep: a toolkit item filled in for a government, the steering group's report.
//! One small model ([`Document`]) that Markdown is read into and that is written out as DOCX (what
//! a municipality edits) and as PDF (what it files). No I/O: bytes in, bytes out.

pub mod docx;
pub mod markdown;
pub mod pdf;
pub mod write_markdown;

/// DejaVu Sans, the face documents are set in (and charts measured with).
pub const SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// A document: a title and blocks, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub title: String,
    /// A line under the title: whose document it is, and of when.
    pub subtitle: Option<String>,
    /// "nl" or "en": the document's language, stated in the file for screen readers.
    pub language: String,
    pub blocks: Vec<Block>,
}

/// What a document is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading, level 1 to 3 (deeper levels are shown as 3).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Vec<Inline>),
    /// A list whose items are paragraphs; `ordered` numbers them from `start` (a playbook's
    /// steps go on numbering from one phase to the next).
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Inline>>,
    },
    /// A table with a header row; every row has as many cells as the header.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A quoted passage (a source cited, a note).
    Quote(Vec<Inline>),
    /// Horizontal bars, one per label with its value and the value as text: drawn in the PDF as
    /// decoration (the document gives the same figures in a table, its text alternative); left
    /// out of DOCX and Markdown, where that table stands alone.
    BarChart {
        /// Label, value (a whole number in any unit, cents or a count: only the ratios matter), value as text.
        bars: Vec<(String, i64, String)>,
    },
}

/// A run of text within a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inline {
    pub text: String,
    pub strong: bool,
    pub emphasis: bool,
    /// The address a link points to; its text is `text`.
    pub link: Option<String>,
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Inline {
        Inline {
            text: text.into(),
            strong: false,
            emphasis: false,
            link: None,
        }
    }

    pub fn strong(text: impl Into<String>) -> Inline {
        Inline {
            strong: true,
            ..Inline::plain(text)
        }
    }
}

impl Block {
    /// A paragraph of plain text.
    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::Paragraph(vec![Inline::plain(text)])
    }

    pub fn heading(level: u8, text: impl Into<String>) -> Block {
        Block::Heading { level, text: text.into() }
    }

    /// A list of plain-text items.
    pub fn list<S: Into<String>>(ordered: bool, items: impl IntoIterator<Item = S>) -> Block {
        Block::List {
            ordered,
            start: 1,
            items: items.into_iter().map(|item| vec![Inline::plain(item)]).collect(),
        }
    }
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the document could not be written as {format}: {reason}")]
    Write { format: &'static str, reason: String },
    #[error("the file is not a readable {format}: {reason}")]
    Read { format: &'static str, reason: String },
}
