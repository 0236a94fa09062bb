//! Text every request carries, checked before any handler sees it: a NUL character has no
//! place in any of it (PostgreSQL cannot store one, and no person types one), so it is refused
//! with 422 on every database alike: in the address (`%00`), in a JSON body (`\u0000`) and in a
//! posted form.

use crate::lang::Lang;
use crate::problem::Problem;
use axum::http::StatusCode;

/// Whether JSON text holds the escape of a NUL character (`\u0000`) anywhere: a NUL cannot
/// appear unescaped in valid JSON. An escaped backslash followed by `u0000` is text, not a NUL.
pub fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            // Skip the escaped character, whatever it is.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Whether URL-encoded text (an address, a posted form) encodes a NUL character.
pub fn urlencoded_has_nul(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"%00")
}

pub fn nul_problem(lang: Lang) -> Problem {
    Problem::localized(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_text",
        lang,
        "De aanvraag bevat een NUL-teken (\\u0000 of %00); dat wordt niet aanvaard.",
        "The request holds a NUL character (\\u0000 or %00), which is not accepted.",
    )
}

/// Reads a JSON body. JSON Schema counts `78.0` as an integer and serde does not: a body refused
/// for its data is read once more with each whole number written with a fraction taken as the
/// integer it is, so a client that writes numbers that way is not refused.
pub fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let error = match serde_json::from_slice(bytes) {
        Ok(value) => return Ok(value),
        Err(e) if e.is_data() => e,
        Err(e) => return Err(e),
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Err(error);
    };
    if !whole_numbers_as_integers(&mut value) {
        return Err(error);
    }
    // What is still wrong is then said of the body as read the second time.
    T::deserialize(value)
}

/// Whether any number changed.
fn whole_numbers_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            // Within i64 and exact in f64 (below 2^53).
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, v| whole_numbers_as_integers(v) | changed),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, v| whole_numbers_as_integers(v) | changed),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Counted {
        n: i64,
        share: f64,
        more: Vec<u32>,
    }

    #[test]
    fn a_whole_number_with_a_fraction_is_an_integer_and_a_fraction_is_not() {
        let read: Counted = from_json(br#"{"n": 78.0, "share": 0.5, "more": [1.0, 2]}"#).unwrap();
        assert_eq!(
            read,
            Counted {
                n: 78,
                share: 0.5,
                more: vec![1, 2]
            }
        );
        let refused = from_json::<Counted>(br#"{"n": 78.5, "share": 1, "more": []}"#).unwrap_err();
        assert!(refused.is_data() && refused.to_string().contains("78.5"), "{refused}");
        assert!(from_json::<Counted>(br#"{"n": 1e300, "share": 1, "more": []}"#).is_err());
        assert!(from_json::<Counted>(b"{").unwrap_err().is_eof());
    }

    #[test]
    fn a_nul_is_found_only_where_it_is() {
        assert!(json_has_nul(br#"{"a": "x\u0000y"}"#));
        assert!(json_has_nul(br#"{"a\u0000": 1}"#));
        assert!(!json_has_nul(br#"{"a": "C:\\u0000"}"#));
        assert!(json_has_nul(br#"{"a": "C:\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a": "\u0001 \n \" \\"}"#));
        assert!(!json_has_nul(br#"{"a": "\u000"#));
        assert!(urlencoded_has_nul(b"q=a%00b"));
        assert!(!urlencoded_has_nul(b"q=a%200"));
    }
}
