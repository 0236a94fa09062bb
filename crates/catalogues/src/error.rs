//! What can be wrong with a library file, said in Dutch and in English.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the file is {bytes} bytes; at most {} are taken", crate::MAX_BYTES)]
    TooLarge { bytes: usize },
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("not a YAML library: {0}")]
    Yaml(String),
    #[error("the field '{field}' is missing{}", at(.node))]
    Missing { field: &'static str, node: Option<String> },
    #[error("the library has no assessable requirement nodes, so no controls")]
    NoControls,
    #[error("the library has {0} controls; at most {max} are taken", max = crate::MAX_CONTROLS)]
    TooManyControls(usize),
    #[error("'{0}' appears more than once")]
    Duplicate(String),
    #[error("node '{node}' names a parent '{parent}' that is not in the library")]
    UnknownParent { node: String, parent: String },
    #[error("node '{0}' descends from itself")]
    Cycle(String),
    #[error("a text of node '{0}' is longer than {max} characters", max = crate::MAX_TEXT)]
    TextTooLong(String),
}

fn at(node: &Option<String>) -> String {
    node.as_ref().map(|n| format!(" in node '{n}'")).unwrap_or_default()
}

fn bij(node: &Option<String>) -> String {
    node.as_ref().map(|n| format!(" in knoop '{n}'")).unwrap_or_default()
}

impl CatalogueError {
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_nl(&self) -> String {
        match self {
            CatalogueError::TooLarge { bytes } => {
                format!("het bestand is {bytes} bytes; hoogstens {} worden aanvaard", crate::MAX_BYTES)
            }
            CatalogueError::NotUtf8 => "het bestand is geen UTF-8-tekst".into(),
            CatalogueError::Yaml(e) => format!("geen YAML-bibliotheek: {e}"),
            CatalogueError::Missing { field, node } => format!("het veld '{field}' ontbreekt{}", bij(node)),
            CatalogueError::NoControls => "de bibliotheek heeft geen beoordeelbare knopen, dus geen controles".into(),
            CatalogueError::TooManyControls(n) => {
                format!(
                    "de bibliotheek heeft {n} controles; hoogstens {} worden aanvaard",
                    crate::MAX_CONTROLS
                )
            }
            CatalogueError::Duplicate(id) => format!("'{id}' komt meer dan eens voor"),
            CatalogueError::UnknownParent { node, parent } => {
                format!("knoop '{node}' noemt een ouder '{parent}' die niet in de bibliotheek staat")
            }
            CatalogueError::Cycle(node) => format!("knoop '{node}' stamt van zichzelf af"),
            CatalogueError::TextTooLong(node) => {
                format!("een tekst van knoop '{node}' is langer dan {} tekens", crate::MAX_TEXT)
            }
        }
    }
}
