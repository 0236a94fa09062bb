//! One error type for every importer, with a stable code and Dutch and English messages.

use std::fmt;

use crate::model::Format;

/// The error a sink may return to stop an import; it comes back as [`ImportError::Sink`].
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Where in the input something went wrong. `byte` is the number of bytes the parser had consumed; `line` is 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    pub byte: u64,
    pub line: u64,
    /// 1-based column where the parser reports one (JSON).
    pub column: Option<u64>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {} (byte {})", self.line, c, self.byte),
            None => write!(f, "line {} (byte {})", self.line, self.byte),
        }
    }
}

impl Position {
    fn nl(&self) -> String {
        match self.column {
            Some(c) => format!("regel {}, kolom {} (byte {})", self.line, c, self.byte),
            None => format!("regel {} (byte {})", self.line, self.byte),
        }
    }
}

/// Why an import failed. The sink may already have received findings when this is returned: callers that must
/// import all or nothing run the import inside one transaction and roll back on error.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the format of the file was not recognised")]
    UnknownFormat,
    #[error("the file is not a {expected} report (found {found})")]
    WrongFormat { expected: Format, found: String },
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file holds more than the limit of {limit} findings")]
    TooManyFindings { limit: u64 },
    #[error("the field {field} is larger than the limit of {limit} bytes at {position}")]
    FieldTooLarge { field: String, limit: usize, position: Position },
    #[error("the document nests deeper than the limit of {limit} levels at {position}")]
    TooDeep { limit: usize, position: Position },
    #[error("the file ends too early (truncated?) at {position}: {detail}")]
    Truncated { position: Position, detail: String },
    #[error("the XML declares entities (<!ENTITY>), which are refused, at {position}")]
    EntityDeclaration { position: Position },
    #[error("the XML refers to an external DTD (SYSTEM/PUBLIC), which is refused, at {position}")]
    ExternalDtd { position: Position },
    #[error("the XML uses the undefined entity &{name}; at {position}")]
    UndefinedEntity { name: String, position: Position },
    #[error("the file is not valid UTF-8 at {position}")]
    InvalidUtf8 { position: Position },
    #[error("the file is malformed at {position}: {detail}")]
    Malformed { position: Position, detail: String },
    #[error("the required field {field} is missing at {position}")]
    MissingField { field: String, position: Position },
    #[error("the field {field} has an invalid value {value:?} at {position}")]
    InvalidField { field: String, value: String, position: Position },
    #[error("the file could not be read: {0}")]
    Io(#[source] std::io::Error),
    #[error("the findings could not be stored: {0}")]
    Sink(#[source] SinkError),
}

impl ImportError {
    /// A stable machine-readable code (for an RFC 9457 problem `type`).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::UnknownFormat => "unknown_format",
            ImportError::WrongFormat { .. } => "wrong_format",
            ImportError::TooLarge { .. } => "too_large",
            ImportError::TooManyFindings { .. } => "too_many_findings",
            ImportError::FieldTooLarge { .. } => "field_too_large",
            ImportError::TooDeep { .. } => "too_deep",
            ImportError::Truncated { .. } => "truncated",
            ImportError::EntityDeclaration { .. } => "xml_entity_declaration",
            ImportError::ExternalDtd { .. } => "xml_external_dtd",
            ImportError::UndefinedEntity { .. } => "xml_undefined_entity",
            ImportError::InvalidUtf8 { .. } => "invalid_utf8",
            ImportError::Malformed { .. } => "malformed",
            ImportError::MissingField { .. } => "missing_field",
            ImportError::InvalidField { .. } => "invalid_field",
            ImportError::Io(_) => "io",
            ImportError::Sink(_) => "sink",
        }
    }

    /// The position in the input, where known.
    pub fn position(&self) -> Option<Position> {
        match self {
            ImportError::FieldTooLarge { position, .. }
            | ImportError::TooDeep { position, .. }
            | ImportError::Truncated { position, .. }
            | ImportError::EntityDeclaration { position }
            | ImportError::ExternalDtd { position }
            | ImportError::UndefinedEntity { position, .. }
            | ImportError::InvalidUtf8 { position }
            | ImportError::Malformed { position, .. }
            | ImportError::MissingField { position, .. }
            | ImportError::InvalidField { position, .. } => Some(*position),
            _ => None,
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        let mut s = self.to_string();
        if let Some(first) = s.get(..1) {
            let upper = first.to_uppercase();
            s.replace_range(..1, &upper);
        }
        s.push('.');
        s
    }

    /// The message in Dutch.
    pub fn message_nl(&self) -> String {
        match self {
            ImportError::UnknownFormat => "Het formaat van het bestand werd niet herkend.".into(),
            ImportError::WrongFormat { expected, found } => {
                format!("Het bestand is geen {expected}-rapport (gevonden: {found}).")
            }
            ImportError::TooLarge { limit } => format!("Het bestand is groter dan de limiet van {limit} bytes."),
            ImportError::TooManyFindings { limit } => {
                format!("Het bestand bevat meer dan de limiet van {limit} bevindingen.")
            }
            ImportError::FieldTooLarge { field, limit, position } => {
                format!("Het veld {field} is groter dan de limiet van {limit} bytes op {}.", position.nl())
            }
            ImportError::TooDeep { limit, position } => {
                format!(
                    "Het document is dieper genest dan de limiet van {limit} niveaus op {}.",
                    position.nl()
                )
            }
            ImportError::Truncated { position, detail } => {
                format!("Het bestand houdt te vroeg op (afgekapt?) op {}: {detail}.", position.nl())
            }
            ImportError::EntityDeclaration { position } => {
                format!(
                    "De XML declareert entiteiten (<!ENTITY>), wat geweigerd wordt, op {}.",
                    position.nl()
                )
            }
            ImportError::ExternalDtd { position } => {
                format!(
                    "De XML verwijst naar een externe DTD (SYSTEM/PUBLIC), wat geweigerd wordt, op {}.",
                    position.nl()
                )
            }
            ImportError::UndefinedEntity { name, position } => {
                format!("De XML gebruikt de niet-gedefinieerde entiteit &{name}; op {}.", position.nl())
            }
            ImportError::InvalidUtf8 { position } => format!("Het bestand is geen geldige UTF-8 op {}.", position.nl()),
            ImportError::Malformed { position, detail } => {
                format!("Het bestand is misvormd op {}: {detail}.", position.nl())
            }
            ImportError::MissingField { field, position } => {
                format!("Het verplichte veld {field} ontbreekt op {}.", position.nl())
            }
            ImportError::InvalidField { field, value, position } => {
                format!("Het veld {field} heeft een ongeldige waarde {value:?} op {}.", position.nl())
            }
            ImportError::Io(e) => format!("Het bestand kon niet gelezen worden: {e}."),
            ImportError::Sink(e) => format!("De bevindingen konden niet opgeslagen worden: {e}."),
        }
    }
}
