//! Recognising a report's format from its first bytes (never from the file name).

use crate::model::Format;

/// How many bytes [`detect`] wants to see; fewer work for small files.
pub const DETECT_BYTES: usize = 8192;

/// Recognises the format from the first bytes of a file (up to [`DETECT_BYTES`] are looked at).
///
/// XML formats are told apart by their root element (`NessusClientData_v2`, `report`, `nmaprun`, `OWASPZAPReport`,
/// `issues`); JSON formats by keys near the start (`"runs"` with a SARIF version, schema or `"driver"`; `"@programName"` or
/// `"@version"` with `"site"` for ZAP; `"template-id"`/`"templateID"` for Nuclei; `"findings"` for the generic
/// format); CSV by a header line with `title` and `severity` columns.
pub fn detect(first_bytes: &[u8]) -> Option<Format> {
    let bytes = &first_bytes[..first_bytes.len().min(DETECT_BYTES)];
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = String::from_utf8_lossy(&bytes[start..]);
    match text.as_bytes()[0] {
        b'<' => detect_xml(&text),
        b'{' | b'[' => detect_json(&text),
        _ => detect_csv(&text),
    }
}

fn detect_xml(text: &str) -> Option<Format> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            // DOCTYPE, possibly with an internal subset in brackets.
            let close = match (rest.find('['), rest.find('>')) {
                (Some(b), Some(g)) if b < g => rest[b..].find("]>").map(|i| b + i + 1)?,
                (_, Some(g)) => g,
                _ => return None,
            };
            rest = &rest[close + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String = r.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
            let local = name.rsplit(':').next().unwrap_or(&name);
            return match local {
                "NessusClientData_v2" => Some(Format::Nessus),
                "report" => Some(Format::OpenVas),
                "nmaprun" => Some(Format::Nmap),
                "OWASPZAPReport" => Some(Format::ZapXml),
                "issues" => Some(Format::Burp),
                _ => None,
            };
        } else {
            return None;
        }
    }
}

fn detect_json(text: &str) -> Option<Format> {
    let has = |k: &str| text.contains(k);
    if has("\"runs\"") && (has("\"2.1.0\"") || has("\"driver\"") || text.to_ascii_lowercase().contains("sarif")) {
        return Some(Format::Sarif);
    }
    if has("\"@programName\"") || (has("\"@version\"") && has("\"site\"")) {
        return Some(Format::ZapJson);
    }
    if has("\"template-id\"") || has("\"templateID\"") {
        return Some(Format::Nuclei);
    }
    if has("\"findings\"") {
        return Some(Format::GenericJson);
    }
    None
}

fn detect_csv(text: &str) -> Option<Format> {
    let header = text.lines().next()?.to_ascii_lowercase();
    let cols: Vec<&str> = header.split([',', ';']).map(|c| c.trim().trim_matches('"')).collect();
    if cols.contains(&"title") && cols.contains(&"severity") {
        Some(Format::GenericCsv)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_roots() {
        assert_eq!(detect(b"<?xml version=\"1.0\" ?>\n<NessusClientData_v2>"), Some(Format::Nessus));
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun>\n<?xml-stylesheet href=\"x\"?>\n<!-- c -->\n<nmaprun scanner=\"nmap\">"),
            Some(Format::Nmap)
        );
        assert_eq!(detect(b"<report id=\"x\" format_id=\"y\">"), Some(Format::OpenVas));
        assert_eq!(detect(b"\xEF\xBB\xBF<OWASPZAPReport version=\"2.9\">"), Some(Format::ZapXml));
        assert_eq!(
            detect(b"<!DOCTYPE issues [\n<!ELEMENT issues (issue*)>\n]>\n<issues burpVersion=\"1\">"),
            Some(Format::Burp)
        );
        assert_eq!(detect(b"<html><body>"), None);
        assert_eq!(detect(b"<?xml version=\"1.0\"?>"), None);
    }

    #[test]
    fn json_and_csv() {
        assert_eq!(
            detect(br#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[]}"#),
            Some(Format::Sarif)
        );
        assert_eq!(
            detect(br#"{"@programName":"ZAP","@version":"2.14.0","site":[]}"#),
            Some(Format::ZapJson)
        );
        assert_eq!(detect(br#"{"template-id":"x","info":{}}"#), Some(Format::Nuclei));
        assert_eq!(detect(br#"[{"templateID":"x"}]"#), Some(Format::Nuclei));
        assert_eq!(detect(br#"{"findings":[]}"#), Some(Format::GenericJson));
        assert_eq!(detect(b"Date,Title,CweId,Url,Severity\n"), Some(Format::GenericCsv));
        assert_eq!(detect(b"a,b,c\n"), None);
        assert_eq!(detect(b""), None);
        assert_eq!(detect(b"   \n"), None);
    }
}
