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

#[cfg(test)]
mod tests {
    use super::*;

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
