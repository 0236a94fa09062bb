//! A streaming XML reader on quick-xml with this crate's safety rules:
//!
//! - `<!DOCTYPE>` with a name only, or with an internal subset of `<!ELEMENT>`/`<!ATTLIST>` declarations (Burp writes
//!   one), is accepted; any `<!ENTITY` declaration (general or parameter) and any external identifier
//!   (`SYSTEM`/`PUBLIC`) is refused. quick-xml expands no entity itself; references to anything but the five
//!   predefined entities and character references are refused.
//! - Depth, text field size and file size are limited; a file that ends before its root element closes is
//!   "truncated".

use std::borrow::Cow;
use std::io::Read;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};

use crate::error::ImportError;
use crate::input::{Counters, Input, io_error};
use crate::limits::Limits;

/// The direct children of an element read with [`Xml::text_parts`]: (name, text) pairs.
pub(crate) type Children = Vec<(Vec<u8>, String)>;

pub(crate) enum Ev<'a> {
    /// A start tag (empty elements are reported as a start followed by an end).
    Start(BytesStart<'a>),
    End,
    /// End of the document (after the root element closed).
    Eof,
    /// Text, comments and the like between the elements of interest; callers skip it.
    Other,
}

pub(crate) struct Xml<R: Read> {
    reader: quick_xml::Reader<Input<R>>,
    buf: Vec<u8>,
    depth: usize,
    root_seen: bool,
    root_closed: bool,
    counters: Rc<Counters>,
    max_depth: usize,
    max_field: usize,
    max_bytes: u64,
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

impl<R: Read> Xml<R> {
    pub(crate) fn new(input: Input<R>, limits: &Limits) -> Xml<R> {
        let counters = input.counters();
        let mut reader = quick_xml::Reader::from_reader(input);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.check_comments = false;
        Xml {
            reader,
            buf: Vec::with_capacity(4096),
            depth: 0,
            root_seen: false,
            root_closed: false,
            counters,
            max_depth: limits.max_depth,
            max_field: limits.max_field_bytes,
            max_bytes: limits.max_bytes,
        }
    }

    /// The shared counters (positions for errors), usable while a start tag borrows the reader.
    pub(crate) fn counters(&self) -> Rc<Counters> {
        Rc::clone(&self.counters)
    }

    /// Current element depth (1 inside the root element).
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The next event. Text outside the element asked for with [`Xml::text`] comes back as [`Ev::Other`].
    pub(crate) fn next(&mut self) -> Result<Ev<'_>, ImportError> {
        self.buf.clear();
        let ev = match self.reader.read_event_into(&mut self.buf) {
            Ok(ev) => ev,
            Err(e) => {
                let position = self.counters.position();
                return Err(map_err(e, &self.counters, self.max_bytes, position));
            }
        };
        match ev {
            Event::Start(s) => {
                if self.root_closed {
                    return Err(ImportError::Malformed {
                        position: self.counters.position(),
                        detail: "a second root element".into(),
                    });
                }
                self.depth += 1;
                self.root_seen = true;
                if self.depth > self.max_depth {
                    return Err(ImportError::TooDeep {
                        limit: self.max_depth,
                        position: self.counters.position(),
                    });
                }
                Ok(Ev::Start(s))
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.root_closed = true;
                }
                Ok(Ev::End)
            }
            Event::DocType(t) => {
                check_doctype(&t.into_inner(), self.counters.position())?;
                Ok(Ev::Other)
            }
            Event::GeneralRef(r) => {
                resolve_ref(&r.into_inner(), &self.counters)?;
                Ok(Ev::Other)
            }
            Event::Eof => {
                if !self.root_seen {
                    return Err(ImportError::Truncated {
                        position: self.counters.position(),
                        detail: "no root element".into(),
                    });
                }
                if self.depth > 0 {
                    return Err(ImportError::Truncated {
                        position: self.counters.position(),
                        detail: format!("{} element(s) not closed", self.depth),
                    });
                }
                Ok(Ev::Eof)
            }
            Event::Empty(_) | Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => Ok(Ev::Other),
        }
    }
}

fn resolve_ref(name: &str, counters: &Counters) -> Result<char, ImportError> {
    if let Some(c) = predefined(name) {
        return Ok(c);
    }
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        if let Some(c) = code.and_then(char::from_u32).filter(|&c| c != '\0') {
            return Ok(c);
        }
        return Err(ImportError::Malformed {
            position: counters.position(),
            detail: format!("invalid character reference &{name};"),
        });
    }
    Err(ImportError::UndefinedEntity {
        name: name.to_string(),
        position: counters.position(),
    })
}

impl<R: Read> Xml<R> {
    /// Reads the text content of the element just started, up to its end tag (text of nested elements included,
    /// their tags dropped). `field` names the element in a size error.
    pub(crate) fn text(&mut self, field: &str) -> Result<String, ImportError> {
        let mut out = String::new();
        let start_depth = self.depth;
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let position = self.counters.position();
                    return Err(map_err(e, &self.counters, self.max_bytes, position));
                }
            };
            let piece: Cow<'_, str> = match ev {
                Event::Text(t) => t.xml10_content(),
                Event::CData(c) => c.xml10_content(),
                Event::GeneralRef(r) => Cow::Owned(resolve_ref(&r.into_inner(), &self.counters)?.to_string()),
                Event::Start(_) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(ImportError::TooDeep {
                            limit: self.max_depth,
                            position: self.counters.position(),
                        });
                    }
                    continue;
                }
                Event::End(_) => {
                    self.depth -= 1;
                    if self.depth < start_depth {
                        if self.depth == 0 {
                            self.root_closed = true;
                        }
                        return Ok(out);
                    }
                    continue;
                }
                Event::Eof => {
                    return Err(ImportError::Truncated {
                        position: self.counters.position(),
                        detail: format!("{} element(s) not closed", self.depth),
                    });
                }
                Event::DocType(_) | Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            };
            if out.len() + piece.len() > self.max_field {
                return Err(ImportError::FieldTooLarge {
                    field: field.to_string(),
                    limit: self.max_field,
                    position: self.counters.position(),
                });
            }
            out.push_str(&piece);
        }
    }

    /// Reads the element just started: its own text (not that of its children) and the text of each direct child,
    /// as (child name, text) pairs. Deeper descendants' text counts towards their child's text.
    pub(crate) fn text_parts(&mut self, field: &str) -> Result<(String, Children), ImportError> {
        let mut own = String::new();
        let mut children: Children = Vec::new();
        let start_depth = self.depth;
        let mut total = 0usize;
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let position = self.counters.position();
                    return Err(map_err(e, &self.counters, self.max_bytes, position));
                }
            };
            let piece: Cow<'_, str> = match ev {
                Event::Text(t) => t.xml10_content(),
                Event::CData(c) => c.xml10_content(),
                Event::GeneralRef(r) => Cow::Owned(resolve_ref(&r.into_inner(), &self.counters)?.to_string()),
                Event::Start(s) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(ImportError::TooDeep {
                            limit: self.max_depth,
                            position: self.counters.position(),
                        });
                    }
                    if self.depth == start_depth + 1 {
                        children.push((name_of(&s).to_vec(), String::new()));
                    }
                    continue;
                }
                Event::End(_) => {
                    self.depth -= 1;
                    if self.depth < start_depth {
                        if self.depth == 0 {
                            self.root_closed = true;
                        }
                        return Ok((own, children));
                    }
                    continue;
                }
                Event::Eof => {
                    return Err(ImportError::Truncated {
                        position: self.counters.position(),
                        detail: format!("{} element(s) not closed", self.depth),
                    });
                }
                Event::DocType(_) | Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            };
            total += piece.len();
            if total > self.max_field {
                return Err(ImportError::FieldTooLarge {
                    field: field.to_string(),
                    limit: self.max_field,
                    position: self.counters.position(),
                });
            }
            if self.depth == start_depth {
                own.push_str(&piece);
            } else if let Some(last) = children.last_mut() {
                last.1.push_str(&piece);
            }
        }
    }

    /// Skips the element just started, up to and including its end tag.
    pub(crate) fn skip(&mut self) -> Result<(), ImportError> {
        let start_depth = self.depth;
        loop {
            match self.next()? {
                Ev::Start(_) | Ev::Other => {}
                Ev::End => {
                    if self.depth < start_depth {
                        return Ok(());
                    }
                }
                Ev::Eof => {
                    return Err(ImportError::Truncated {
                        position: self.counters.position(),
                        detail: "element not closed".into(),
                    });
                }
            }
        }
    }
}

/// The local name of a start tag, as text.
pub(crate) fn name_of<'a>(s: &'a BytesStart<'_>) -> &'a [u8] {
    let full = s.name().into_inner().as_bytes();
    match full.iter().rposition(|&b| b == b':') {
        Some(i) => &full[i + 1..],
        None => full,
    }
}

/// The values of several attributes (by local name), unescaped, in one pass over the tag; errors on undefined
/// entities.
pub(crate) fn attrs<const N: usize>(
    s: &BytesStart<'_>,
    names: [&[u8]; N],
    counters: &Counters,
) -> Result<[Option<String>; N], ImportError> {
    let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
    for a in s.attributes().with_checks(false) {
        let a = a.map_err(|e| ImportError::Malformed {
            position: counters.position(),
            detail: e.to_string(),
        })?;
        let key = a.key.local_name();
        if let Some(i) = names.iter().position(|n| *n == key.as_ref().as_bytes())
            && out[i].is_none()
        {
            let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| match e {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, n)) => ImportError::UndefinedEntity {
                    name: n,
                    position: counters.position(),
                },
                other => ImportError::Malformed {
                    position: counters.position(),
                    detail: other.to_string(),
                },
            })?;
            out[i] = Some(v.into_owned());
        }
    }
    Ok(out)
}

/// The value of an attribute (by local name), unescaped; errors on undefined entities.
pub(crate) fn attr(s: &BytesStart<'_>, name: &[u8], counters: &Counters) -> Result<Option<String>, ImportError> {
    for a in s.attributes().with_checks(false) {
        let a = a.map_err(|e| ImportError::Malformed {
            position: counters.position(),
            detail: e.to_string(),
        })?;
        let key = a.key.local_name();
        if key.as_ref().as_bytes() == name {
            let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| match e {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, n)) => ImportError::UndefinedEntity {
                    name: n,
                    position: counters.position(),
                },
                other => ImportError::Malformed {
                    position: counters.position(),
                    detail: other.to_string(),
                },
            })?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn map_err(e: quick_xml::Error, counters: &Counters, max_bytes: u64, position: crate::error::Position) -> ImportError {
    use quick_xml::Error as E;
    match e {
        E::Io(io) => {
            let io = std::sync::Arc::try_unwrap(io).unwrap_or_else(|arc| std::io::Error::new(arc.kind(), arc.to_string()));
            io_error(io, counters, max_bytes)
        }
        E::Syntax(s) => ImportError::Truncated {
            position,
            detail: s.to_string(),
        },
        E::Encoding(_) => ImportError::InvalidUtf8 { position },
        E::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => ImportError::UndefinedEntity { name, position },
        other => ImportError::Malformed {
            position,
            detail: other.to_string(),
        },
    }
}

fn check_doctype(content: &str, position: crate::error::Position) -> Result<(), ImportError> {
    if content.to_ascii_uppercase().contains("<!ENTITY") {
        return Err(ImportError::EntityDeclaration { position });
    }
    let head = content.split('[').next().unwrap_or("");
    if head
        .split_whitespace()
        .skip(1)
        .any(|w| w.eq_ignore_ascii_case("SYSTEM") || w.eq_ignore_ascii_case("PUBLIC"))
    {
        return Err(ImportError::ExternalDtd { position });
    }
    Ok(())
}
