//! Control catalogues as data (issue 4, item 2). A catalogue is a list of controls grouped in
//! areas, each control with its text in Dutch and English. Catalogues are read from the library
//! format of CISO Assistant (its YAML framework libraries, such as CyberFundamentals or the CIS
//! Controls); the built-in baseline of the basic audit ([`BASELINE`]) is written in the same
//! format, so one reader serves both. Pure: bytes in, a checked [`Catalogue`] or a bilingual
//! [`CatalogueError`] out.

mod ciso;
mod error;

pub use error::CatalogueError;

/// The built-in baseline of the basic audit (docs/RULES.md, C2), written for cyberveilig.
pub const BASELINE: &str = include_str!("../catalogues/basisaudit.yaml");

/// The URN of the built-in baseline.
pub const BASELINE_URN: &str = "urn:cyberveilig:library:basisaudit";

/// Largest library file taken (the CyberFundamentals library is about 0.2 MB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Most controls one catalogue may have.
pub const MAX_CONTROLS: usize = 5_000;

/// Longest text of one field, in characters.
pub const MAX_TEXT: usize = 20_000;

/// A text in the portal's two languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub ref_id: String,
    pub name: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The control's id within its catalogue, such as `BA.ROL.01`.
    pub ref_id: String,
    /// The [`Area::ref_id`] of the area the control belongs to.
    pub area: String,
    pub title: Text,
    /// What the control asks and how to judge it.
    pub guidance: Text,
    /// The evidence a firm expects to see (may be empty for other catalogues).
    pub evidence: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// The library's URN; with [`Catalogue::version`] it names the catalogue.
    pub urn: String,
    pub version: i64,
    pub ref_id: String,
    pub name: Text,
    pub provider: Option<String>,
    /// The areas in the order of the file.
    pub areas: Vec<Area>,
    /// The controls in the order of the file.
    pub controls: Vec<Control>,
}

/// Reads a CISO Assistant framework library (YAML). Assessable requirement nodes become
/// controls; a control's area is its top-level ancestor (the depth 1 node it descends from).
pub fn parse(bytes: &[u8]) -> Result<Catalogue, CatalogueError> {
    if bytes.len() > MAX_BYTES {
        return Err(CatalogueError::TooLarge { bytes: bytes.len() });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CatalogueError::NotUtf8)?;
    ciso::read(text)
}

/// The built-in baseline, read from [`BASELINE`].
pub fn baseline() -> Result<Catalogue, CatalogueError> {
    parse(BASELINE.as_bytes())
}
