//! CISO Assistant's library format, as far as a catalogue needs it: the library's `urn`,
//! `locale`, `ref_id`, `name`, `version`, `provider` and `translations`, and
//! `objects.framework.requirement_nodes`, each with `urn`, `assessable`, `parent_urn`, `ref_id`,
//! `name`, `description`, `annotation`, `typical_evidence` and `translations`. Other fields are
//! ignored. Texts are taken in the library's own `locale` and from its translations; a language
//! the library lacks falls back to the other, then to the library's own.

use crate::{Area, Catalogue, CatalogueError, Control, MAX_CONTROLS, MAX_TEXT, Text};
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A scalar taken as text, whatever YAML made of it (`name: 1.1` is a number to YAML).
fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde_norway::Value;
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty()))
}

#[derive(Deserialize, Default)]
struct Words {
    #[serde(default, deserialize_with = "scalar")]
    name: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    description: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    annotation: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    typical_evidence: Option<String>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(default, deserialize_with = "scalar")]
    urn: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    locale: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    ref_id: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    version: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    provider: Option<String>,
    #[serde(flatten)]
    words: Words,
    #[serde(default)]
    translations: BTreeMap<String, Words>,
    objects: Option<Objects>,
}

#[derive(Deserialize)]
struct Objects {
    framework: Option<Framework>,
}

#[derive(Deserialize)]
struct Framework {
    requirement_nodes: Option<Vec<Node>>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default, deserialize_with = "scalar")]
    urn: Option<String>,
    #[serde(default)]
    assessable: bool,
    #[serde(default, deserialize_with = "scalar")]
    parent_urn: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    ref_id: Option<String>,
    #[serde(flatten)]
    words: Words,
    #[serde(default)]
    translations: BTreeMap<String, Words>,
}

/// The node's words in each language the file has, with the library's locale for the node's own.
struct Languages<'a> {
    locale: &'a str,
}

impl Languages<'_> {
    fn text(&self, own: &Words, translations: &BTreeMap<String, Words>, field: fn(&Words) -> &Option<String>) -> Text {
        let in_lang = |lang: &str| {
            if self.locale.eq_ignore_ascii_case(lang) {
                field(own).clone()
            } else {
                translations.get(lang).and_then(|w| field(w).clone())
            }
        };
        let (nl, en) = (in_lang("nl"), in_lang("en"));
        let own = field(own).clone();
        Text {
            nl: nl.clone().or(en.clone()).or(own.clone()).unwrap_or_default(),
            en: en.or(nl).or(own).unwrap_or_default(),
        }
    }
}

fn id_of(node: &Node) -> Option<String> {
    node.ref_id
        .clone()
        .or_else(|| node.urn.as_deref().and_then(|u| u.rsplit(':').next()).map(str::to_owned))
}

fn check_length(node: &str, texts: &[&Text]) -> Result<(), CatalogueError> {
    let long = |s: &str| s.chars().count() > MAX_TEXT;
    if texts.iter().any(|t| long(&t.nl) || long(&t.en)) {
        return Err(CatalogueError::TextTooLong(node.to_owned()));
    }
    Ok(())
}

/// Joins the non-empty parts of a text with a blank line, per language.
fn join(parts: &[Option<&Text>]) -> Text {
    let pick = |f: fn(&Text) -> &String| {
        parts
            .iter()
            .flatten()
            .map(|t| f(t).as_str())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    Text {
        nl: pick(|t| &t.nl),
        en: pick(|t| &t.en),
    }
}

pub(crate) fn read(text: &str) -> Result<Catalogue, CatalogueError> {
    let library: Library = serde_norway::from_str(text).map_err(|e| CatalogueError::Yaml(e.to_string()))?;
    let missing = |field| CatalogueError::Missing { field, node: None };
    let urn = library.urn.clone().ok_or(missing("urn"))?;
    let languages = Languages {
        locale: library.locale.as_deref().unwrap_or("en"),
    };
    let name = languages.text(&library.words, &library.translations, |w| &w.name);
    if name.nl.is_empty() {
        return Err(missing("name"));
    }
    let nodes = library
        .objects
        .ok_or(missing("objects"))?
        .framework
        .ok_or(missing("objects.framework"))?
        .requirement_nodes
        .ok_or(missing("objects.framework.requirement_nodes"))?;
    let mut by_urn: HashMap<&str, usize> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let node_urn = node.urn.as_deref().ok_or_else(|| CatalogueError::Missing {
            field: "urn",
            node: node.ref_id.clone().or_else(|| Some(format!("#{}", i + 1))),
        })?;
        if by_urn.insert(node_urn, i).is_some() {
            return Err(CatalogueError::Duplicate(node_urn.to_owned()));
        }
    }
    let root_of = |i: usize| -> Result<usize, CatalogueError> {
        let mut current = i;
        for _ in 0..=nodes.len() {
            match &nodes[current].parent_urn {
                None => return Ok(current),
                Some(parent) => {
                    current = *by_urn.get(parent.as_str()).ok_or_else(|| CatalogueError::UnknownParent {
                        node: nodes[current].urn.clone().unwrap_or_default(),
                        parent: parent.clone(),
                    })?;
                }
            }
        }
        Err(CatalogueError::Cycle(nodes[i].urn.clone().unwrap_or_default()))
    };
    let assessable = nodes.iter().filter(|n| n.assessable).count();
    if assessable == 0 {
        return Err(CatalogueError::NoControls);
    }
    if assessable > MAX_CONTROLS {
        return Err(CatalogueError::TooManyControls(assessable));
    }
    let mut areas: Vec<Area> = Vec::new();
    let mut area_of_root: HashMap<usize, String> = HashMap::new();
    let mut controls = Vec::with_capacity(assessable);
    let mut ids = HashSet::new();
    for (i, node) in nodes.iter().enumerate() {
        if !node.assessable {
            continue;
        }
        let id = id_of(node).unwrap_or_default();
        let w = |f: fn(&Words) -> &Option<String>| languages.text(&node.words, &node.translations, f);
        let (name, description, annotation) = (w(|w| &w.name), w(|w| &w.description), w(|w| &w.annotation));
        let evidence = w(|w| &w.typical_evidence);
        let has_name = !name.nl.is_empty();
        let mut title = if has_name { name } else { description.clone() };
        if title.nl.is_empty() {
            // Real libraries have assessable nodes with no text at all (CyberFundamentals 2023
            // has some): the id is their title.
            title = Text {
                nl: id.clone(),
                en: id.clone(),
            };
        }
        let guidance = join(&[has_name.then_some(&description), Some(&annotation)]);
        check_length(&id, &[&title, &guidance, &evidence])?;
        if !ids.insert(id.clone()) {
            return Err(CatalogueError::Duplicate(id));
        }
        let root = root_of(i)?;
        let area = match area_of_root.get(&root) {
            Some(area) => area.clone(),
            None => {
                let r = &nodes[root];
                let area_id = id_of(r).unwrap_or_default();
                let mut area_name = languages.text(&r.words, &r.translations, |w| &w.name);
                if area_name.nl.is_empty() {
                    area_name = languages.text(&r.words, &r.translations, |w| &w.description);
                }
                if area_name.nl.is_empty() {
                    area_name = Text {
                        nl: area_id.clone(),
                        en: area_id.clone(),
                    };
                }
                check_length(&area_id, &[&area_name])?;
                areas.push(Area {
                    ref_id: area_id.clone(),
                    name: area_name,
                });
                area_of_root.insert(root, area_id.clone());
                area_id
            }
        };
        controls.push(Control {
            ref_id: id,
            area,
            title,
            guidance,
            evidence,
        });
    }
    Ok(Catalogue {
        ref_id: library.ref_id.clone().unwrap_or_else(|| urn.clone()),
        urn,
        version: library.version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(1),
        name,
        provider: library.provider,
        areas,
        controls,
    })
}
