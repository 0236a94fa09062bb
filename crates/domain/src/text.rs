//! Characters that change how text looks without being seen (issue 10, items 6 and 13): the
//! bidirectional controls that can reverse what follows them (CVE-2021-42574, "Trojan Source"),
//! and the zero-width characters that join or split words invisibly. People's names and other
//! one-line fields refuse them; text from scanner reports keeps them and the portal shows them.

/// Whether a character is invisible yet changes how the text around it reads.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        // Bidirectional embeddings, overrides and isolates, and the marks.
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        // Zero-width space, non-joiner, joiner; word joiner and invisible operators; BOM.
        | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        // Soft hyphen, Mongolian vowel separator, Hangul fillers.
        | '\u{00AD}' | '\u{180E}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
    )
}

/// SEC-3: whether a line of text a person typed (a name) is one line of visible characters: no
/// control characters (line breaks, tabs, NUL) and no hidden ones.
pub fn is_plain_line(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || is_hidden(c))
}

/// SEC-3: whether text of several lines a person typed (minutes, a report) holds only visible
/// characters, line breaks and tabs.
pub fn is_plain_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| is_hidden(c) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_its_lines_but_not_hidden_characters() {
        assert!(is_plain_text("## Verslag\n\n- punt\tén"));
        assert!(!is_plain_text("a\u{202E}b"));
        assert!(!is_plain_text("a\u{0}b"));
    }

    #[test]
    fn names_are_one_plain_line() {
        assert!(is_plain_line("Jan Peeters-Vanden Broeck"));
        assert!(is_plain_line("Zoë O'Brien"));
        for bad in [
            "Jan\nBcc: x@y",
            "Jan\r\n",
            "a\tb",
            "a\u{0}b",
            "admin\u{202E}nimda",
            "a\u{200B}b",
            "\u{FEFF}x",
        ] {
            assert!(!is_plain_line(bad), "{bad:?}");
        }
    }
}
