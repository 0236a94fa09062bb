//! One module per report format.

use std::io::Read;

use crate::error::ImportError;
use crate::model::Format;
use crate::xml::{Ev, Xml, attr, name_of};

pub(crate) mod burp;
pub(crate) mod generic;
pub(crate) mod nessus;
pub(crate) mod nmap;
pub(crate) mod nuclei;
pub(crate) mod openvas;
pub(crate) mod sarif;
pub(crate) mod zap;

/// Reads up to the root element and checks its name; returns the values of the wanted root attributes.
pub(crate) fn expect_root<R: Read, const N: usize>(
    xml: &mut Xml<R>,
    root: &[u8],
    format: Format,
    wanted: [&[u8]; N],
) -> Result<[Option<String>; N], ImportError> {
    let counters = xml.counters();
    loop {
        match xml.next()? {
            Ev::Start(s) => {
                let name = name_of(&s);
                if name != root {
                    let found = format!("<{}>", String::from_utf8_lossy(name));
                    return Err(ImportError::WrongFormat { expected: format, found });
                }
                let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
                for (i, w) in wanted.iter().enumerate() {
                    out[i] = attr(&s, w, &counters)?;
                }
                return Ok(out);
            }
            Ev::End | Ev::Eof => {
                return Err(ImportError::WrongFormat {
                    expected: format,
                    found: "an empty document".into(),
                });
            }
            Ev::Other => {}
        }
    }
}

/// Maps a serde_json error to the import error it stands for, with its line and column.
pub(crate) fn json_error(e: serde_json::Error, counters: &crate::input::Counters, max_bytes: u64) -> ImportError {
    let position = crate::error::Position {
        byte: counters.position().byte,
        line: e.line() as u64,
        column: Some(e.column() as u64),
    };
    if e.is_io() {
        if counters.over_limit() {
            return ImportError::TooLarge { limit: max_bytes };
        }
        let kind = e.io_error_kind().unwrap_or(std::io::ErrorKind::Other);
        return ImportError::Io(std::io::Error::new(kind, e.to_string()));
    }
    if e.is_eof() {
        return ImportError::Truncated {
            position,
            detail: "the JSON document is not complete".into(),
        };
    }
    let detail = e.to_string();
    let detail = match detail.rfind(" at line ") {
        Some(i) => detail[..i].to_string(),
        None => detail,
    };
    ImportError::Malformed { position, detail }
}

/// Streams the elements of a top-level JSON array to `f`, one at a time.
pub(crate) fn json_array<R, T, F>(
    de: &mut serde_json::Deserializer<R>,
    counters: &crate::input::Counters,
    max_bytes: u64,
    mut f: F,
) -> Result<(), ImportError>
where
    R: for<'de> serde_json::de::Read<'de>,
    T: serde::de::DeserializeOwned,
    F: FnMut(T, crate::error::Position) -> Result<(), ImportError>,
{
    let mut err = None;
    let visitor = ArrayVisitor {
        f: &mut f,
        err: &mut err,
        counters,
        _t: std::marker::PhantomData,
    };
    let result = serde::Deserializer::deserialize_seq(&mut *de, visitor);
    if let Some(e) = err {
        return Err(e);
    }
    result.map_err(|e| json_error(e, counters, max_bytes))
}

pub(crate) struct ArrayVisitor<'a, T, F> {
    pub f: &'a mut F,
    pub err: &'a mut Option<ImportError>,
    pub counters: &'a crate::input::Counters,
    pub _t: std::marker::PhantomData<T>,
}

impl<'de, T, F> serde::de::Visitor<'de> for ArrayVisitor<'_, T, F>
where
    T: serde::de::DeserializeOwned,
    F: FnMut(T, crate::error::Position) -> Result<(), ImportError>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            if let Err(e) = (self.f)(item, self.counters.position()) {
                *self.err = Some(e);
                return Err(serde::de::Error::custom("import stopped"));
            }
        }
        Ok(())
    }
}

impl<'de, T, F> serde::de::DeserializeSeed<'de> for ArrayVisitor<'_, T, F>
where
    T: serde::de::DeserializeOwned,
    F: FnMut(T, crate::error::Position) -> Result<(), ImportError>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}
