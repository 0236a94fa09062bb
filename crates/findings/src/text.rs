//! Small text helpers: host and URL normalisation, HTML to text, timestamps, CWE and CVE extraction.

use std::net::IpAddr;

use crate::model::{Host, Timestamp};

/// Trims and turns an empty string into `None`.
pub(crate) fn non_empty(s: impl AsRef<str>) -> Option<String> {
    let t = s.as_ref().trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

/// Same as [`non_empty`] but takes ownership, trimming in place (no new allocation).
pub(crate) fn non_empty_owned(mut s: String) -> Option<String> {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
    if s.is_empty() { None } else { Some(s) }
}

/// A trimmed, lower-cased copy-free version of an owned string (lower-cases ASCII in place).
pub(crate) fn lower_owned(s: String) -> Option<String> {
    non_empty_owned(s).map(|mut s| {
        s.make_ascii_lowercase();
        s
    })
}

/// Parses an IP address, accepting `[::1]` brackets and IPv6 zone-less forms; `None` for names.
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    t.parse::<IpAddr>().ok()
}

/// Normalises a host name: lower case, no trailing dot, no surrounding whitespace.
pub(crate) fn normalise_name(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches('.');
    if t.is_empty() { None } else { Some(t.to_ascii_lowercase()) }
}

/// A host from a text that is either an address or a name.
pub(crate) fn host_from(s: &str) -> Option<Host> {
    if let Some(ip) = parse_ip(s) {
        return Some(Host { name: None, ip: Some(ip) });
    }
    normalise_name(s).map(|n| Host { name: Some(n), ip: None })
}

/// A host from a name and an address, either of which may be absent or empty.
pub(crate) fn host_from_parts(name: Option<&str>, ip: Option<&str>) -> Option<Host> {
    let mut host = Host::default();
    if let Some(ip) = ip.and_then(parse_ip) {
        host.ip = Some(ip);
    }
    if let Some(name) = name {
        match parse_ip(name) {
            Some(ip) => {
                if host.ip.is_none() {
                    host.ip = Some(ip);
                }
            }
            None => host.name = normalise_name(name),
        }
    }
    if host.is_empty() { None } else { Some(host) }
}

/// The parts of a URL this crate needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

/// Splits `scheme://[user@]host[:port]/path?query#fragment`. Returns `None` for text that is not such a URL.
pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_query) = rest.split_at(authority_end);
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
        let (h, after) = stripped.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(p.parse::<u16>().ok()?),
            _ => None,
        };
        (h, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) if !p.is_empty() => (h, Some(p.parse::<u16>().ok()?)),
            Some((h, _)) => (h, None),
            None => (hostport, None),
        }
    };
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_query, None),
    };
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port,
        path,
        query,
    })
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// The port a URL points at (its explicit port, or the scheme's default).
pub(crate) fn url_port(parts: &UrlParts<'_>) -> Option<u16> {
    parts.port.or_else(|| default_port(&parts.scheme))
}

/// The stable form of a web URL used in fingerprints: lower-case scheme and host, the port only when it is not the
/// scheme's default, the path as given (`/` when empty), and the names of the query parameters, sorted and without
/// duplicates, without their values; no user info and no fragment. Text that is not a URL is returned trimmed.
pub fn normalise_url(url: &str) -> String {
    let Some(parts) = split_url(url) else {
        return url.trim().to_string();
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(&parts.scheme);
    out.push_str("://");
    let bracket = parts.host.contains(':');
    if bracket {
        out.push('[');
    }
    out.push_str(&parts.host);
    if bracket {
        out.push(']');
    }
    if let Some(p) = parts.port
        && Some(p) != default_port(&parts.scheme)
    {
        out.push(':');
        out.push_str(&p.to_string());
    }
    if parts.path.is_empty() {
        out.push('/');
    } else {
        out.push_str(parts.path);
    }
    if let Some(q) = parts.query {
        let mut names: Vec<&str> = q
            .split(['&', ';'])
            .filter(|kv| !kv.is_empty())
            .map(|kv| kv.split('=').next().unwrap_or(""))
            .collect();
        names.sort_unstable();
        names.dedup();
        if !names.is_empty() {
            out.push('?');
            out.push_str(&names.join("&"));
        }
    }
    out
}

/// Turns the simple HTML that ZAP and Burp put in descriptions into text: tags dropped (`<p>`, `<br>`, `<li>` and
/// `</ul>` become line breaks), the common entities decoded, blank runs collapsed. Not a sanitiser: output is text
/// that a page must still escape.
pub(crate) fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.trim().to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let end = match rest.find('>') {
                Some(e) => e,
                None => {
                    out.push_str(rest);
                    rest = "";
                    break;
                }
            };
            let tag = rest[1..end].trim_start_matches('/').trim().to_ascii_lowercase();
            let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if matches!(
                name.as_str(),
                "p" | "br" | "li" | "ul" | "ol" | "div" | "tr" | "h1" | "h2" | "h3" | "h4"
            ) {
                out.push('\n');
                if name == "li" && !rest[1..].starts_with('/') {
                    out.push_str("- ");
                }
            }
            rest = &rest[end + 1..];
        } else {
            // Byte search: the 12-byte window may end inside a multi-byte character.
            let end = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';');
            let decoded = end.and_then(|e| decode_entity(&rest[1..e]).map(|c| (c, e)));
            match decoded {
                Some((c, e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    collapse_blank_lines(&out)
}

fn decode_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank > 0 && !line.trim_start().starts_with("- ") {
                out.push('\n');
            }
        }
        blank = 0;
        out.push_str(line.trim_start());
    }
    out
}

/// The `href` targets of the links in an HTML fragment.
pub(crate) fn hrefs_in(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=") {
        rest = &rest[i + 5..];
        let quote = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => q,
            _ => continue,
        };
        rest = &rest[1..];
        if let Some(end) = rest.find(quote) {
            let link = html_to_text(&rest[..end]);
            if !link.is_empty() && !out.contains(&link) {
                out.push(link);
            }
            rest = &rest[end..];
        }
    }
    out
}

/// CWE numbers in a text: `CWE-79`, `cwe-79`, `CWE:79`, `.../definitions/79.html`, or a bare number when the whole
/// text is one.
pub(crate) fn cwes_in(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let t = text.trim();
    if let Ok(n) = t.parse::<u32>() {
        if n > 0 {
            out.push(n);
        }
        return out;
    }
    let lower = t.to_ascii_lowercase();
    for marker in ["cwe-", "cwe:", "cwe/", "definitions/"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(marker) {
            let start = from + i + marker.len();
            let digits: String = lower[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = digits.parse::<u32>()
                && n > 0
                && !out.contains(&n)
            {
                out.push(n);
            }
            from = start;
        }
    }
    out
}

/// Adds a CWE number once.
pub(crate) fn push_cwe(list: &mut Vec<u32>, n: u32) {
    if n > 0 && !list.contains(&n) {
        list.push(n);
    }
}

/// Adds a CVE id once, upper-cased, if it looks like one (`CVE-YYYY-NNNN...`).
pub(crate) fn push_cve(list: &mut Vec<String>, id: &str) {
    let up = id.trim().to_ascii_uppercase();
    let ok = up.len() >= 13
        && up.starts_with("CVE-")
        && up[4..8].bytes().all(|b| b.is_ascii_digit())
        && up.as_bytes()[8] == b'-'
        && up[9..].bytes().all(|b| b.is_ascii_digit());
    if ok && !list.contains(&up) {
        list.push(up);
    }
}

/// Adds a reference once, trimmed, if not empty.
pub(crate) fn push_ref(list: &mut Vec<String>, r: &str) {
    let r = r.trim();
    if !r.is_empty() && !list.iter().any(|x| x == r) {
        list.push(r.to_string());
    }
}

/// A timestamp from text: RFC 3339 (with `Z` or an offset) or epoch seconds give a Unix time; anything else is kept
/// as raw text only.
pub(crate) fn timestamp(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let unix = if !raw.is_empty() && raw.len() <= 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.parse::<i64>().ok()
    } else {
        parse_rfc3339(raw)
    };
    Some(Timestamp {
        raw: raw.to_string(),
        unix,
    })
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)` into Unix seconds.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' {
                return None;
            }
            let sign = match rb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh: i64 = rest[1..3].parse().ok()?;
            let om: i64 = rest[4..6].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_query_values_fragment_user_and_default_port() {
        assert_eq!(
            normalise_url("HTTP://Example.COM:80/a/b?z=1&a=2&z=3#frag"),
            "http://example.com/a/b?a&z"
        );
        assert_eq!(normalise_url("https://u:p@example.com:8443"), "https://example.com:8443/");
        assert_eq!(normalise_url("https://[::1]:443/x?"), "https://[::1]/x");
        assert_eq!(normalise_url("/relative/path"), "/relative/path");
        assert_eq!(normalise_url("http://h/p?prodid=22"), normalise_url("http://h/p?prodid=18"));
        assert_ne!(normalise_url("http://h/p?a=1"), normalise_url("http://h/p?b=1"));
    }

    #[test]
    fn url_parts() {
        let p = split_url("https://www.Example.be:8443/x?y=1").unwrap();
        assert_eq!(p.host, "www.example.be");
        assert_eq!(p.port, Some(8443));
        assert_eq!(p.path, "/x");
        assert_eq!(url_port(&split_url("https://a.be/").unwrap()), Some(443));
        assert!(split_url("not a url").is_none());
        assert!(split_url("http://h:99999/").is_none());
    }

    #[test]
    fn hosts() {
        let h = host_from_parts(Some("QA3APP09."), Some("10.31.112.29")).unwrap();
        assert_eq!(h.name.as_deref(), Some("qa3app09"));
        assert_eq!(h.key().as_deref(), Some("10.31.112.29"));
        assert_eq!(host_from("2001:DB8::1").unwrap().key().as_deref(), Some("2001:db8::1"));
        assert_eq!(host_from("WWW.Gent.be").unwrap().key().as_deref(), Some("www.gent.be"));
        assert!(host_from_parts(Some(" "), Some("")).is_none());
    }

    #[test]
    fn html() {
        assert_eq!(html_to_text("<p>One &amp; two</p><p>Three&#x21;</p>"), "One & two\n\nThree!");
        assert_eq!(html_to_text("<ul><li>a</li><li>b</li></ul>"), "- a\n- b");
        assert_eq!(html_to_text("a < b & c"), "a < b & c");
        // An ampersand followed by multi-byte characters within the entity window.
        assert_eq!(html_to_text("&ééééééé;x"), "&ééééééé;x");
        assert_eq!(html_to_text("&éé"), "&éé");
    }

    #[test]
    fn cwe_and_cve() {
        assert_eq!(cwes_in("CWE-79"), vec![79]);
        assert_eq!(
            cwes_in("https://cwe.mitre.org/data/definitions/524.html and CWE-525"),
            vec![525, 524]
        );
        assert_eq!(cwes_in("200"), vec![200]);
        assert!(cwes_in("nvd-cve-other").is_empty());
        let mut v = Vec::new();
        push_cve(&mut v, "cve-2021-44228");
        push_cve(&mut v, "CVE-2021-44228");
        push_cve(&mut v, "CVE-21-1");
        assert_eq!(v, vec!["CVE-2021-44228"]);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2023-09-28T14:48:02Z"), Some(1695912482));
        assert_eq!(parse_rfc3339("2025-08-22T15:01:38+02:00"), Some(1755867698));
        assert_eq!(parse_rfc3339("2023-10-04T21:40:07.211438Z"), Some(1696455607));
        assert_eq!(parse_rfc3339("Tue Jun 25 10:32:42 2013"), None);
        assert_eq!(timestamp("1463421419").unwrap().unix, Some(1463421419));
        assert_eq!(timestamp("Sun, 20 Jun 2021 09:30:00").unwrap().unix, None);
    }
}
