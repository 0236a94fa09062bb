//! The documentation holds to the code (issue 12, section 9), checked here because this crate
//! builds fastest:
//!
//! - every rule of docs/RULES.md has one id of its own (the first cell of its table row), and no
//!   id names two rules;
//! - every such id is written in a comment at the code that applies it (`crates/*/src`), so a
//!   reader of the code finds the rule and a reader of the rules finds the code;
//! - a comment in `crates/*/src` names no rule id that RULES.md lacks (a renumbered or removed
//!   rule leaves no stale pointers);
//! - every relative link in README.md and docs/*.md leads to a file that exists, and to a
//!   heading of it when it names one (`FEATURES.md#the-portal-role-by-role`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Whether `s` is a rule id: a family and a number (`C3`, `D10`, `CVD-2`, `SEC-10`, `V4`), or an
/// issue's item and a number (`I4-11`). No ranges or pairs: a row is one rule.
fn is_rule_id(s: &str) -> bool {
    let number = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0');
    if let Some(rest) = ["CVD-", "SEC-", "AW-", "ST-", "GR-", "TK-", "FIG-", "BL-"]
        .iter()
        .find_map(|prefix| s.strip_prefix(prefix))
    {
        return number(rest);
    }
    if let Some(rest) = s.strip_prefix('I') {
        return rest.split_once('-').is_some_and(|(issue, item)| number(issue) && number(item));
    }
    match s.strip_prefix(['C', 'D', 'R', 'E', 'A', 'V']) {
        Some(rest) => number(rest),
        None => false,
    }
}

/// The first cell of every table row of RULES.md with its line number (headers and the lines
/// under them left out).
fn rule_rows(rules: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = rules.lines().collect();
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(row) = line.trim().strip_prefix('|') else { continue };
        let first = row.split('|').next().unwrap_or("").trim();
        let is_separator = first.starts_with("---");
        let is_header = lines.get(i + 1).is_some_and(|next| next.trim().starts_with("|---"));
        if !is_separator && !is_header {
            rows.push((i + 1, first.to_owned()));
        }
    }
    rows
}

fn rule_ids() -> Vec<String> {
    let mut ids: Vec<String> = rule_rows(&read(&root().join("docs/RULES.md")))
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The ids in `text`: whole words only, so `D1` is not found in `D10`, `I4-1` not in `I4-10`,
/// `A1` not in `SHA1`; in a range or pair such as `C5-C8` or `C9/D9` each end is one.
fn ids_in(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_uppercase() || (i > 0 && (word(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        // The longest id-shaped run from here: letters, digits, and one inner hyphen.
        let mut end = i;
        while end < bytes.len() && (word(bytes[end]) || (bytes[end] == b'-' && end + 1 < bytes.len() && word(bytes[end + 1]))) {
            end += 1;
        }
        let run = &text[i..end];
        // `C5-C8`: the run splits at a hyphen followed by a letter into two ids.
        let mut start = 0;
        for (at, _) in run.match_indices('-') {
            if run[at + 1..].starts_with(|c: char| c.is_ascii_uppercase()) && !matches!(&run[start..at], "CVD" | "SEC" | "AW" | "ST") {
                if is_rule_id(&run[start..at]) {
                    found.insert(run[start..at].to_owned());
                }
                start = at + 1;
            }
        }
        if is_rule_id(&run[start..]) {
            found.insert(run[start..].to_owned());
        }
        i = end.max(i + 1);
    }
    found
}

/// The text of a Rust file's comments (`//`, `///`, `//!`), one line each; a `//` in a string
/// such as a URL's `https://` is not taken for one.
fn comments(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let mut from = 0;
        while let Some(at) = line[from..].find("//").map(|a| a + from) {
            if at == 0 || line.as_bytes()[at - 1] != b':' {
                out.push_str(&line[at + 2..]);
                out.push('\n');
                break;
            }
            from = at + 2;
        }
    }
    out
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The comments of every source file of the workspace's crates (`crates/*/src`), by file. Tests
/// and benches are left out: they check a rule, they do not apply it.
fn source_comments() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for krate in fs::read_dir(root().join("crates")).expect("crates/").flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "found only {} source files under crates/*/src", files.len());
    files.into_iter().map(|f| (f.clone(), comments(&read(&f)))).collect()
}

#[test]
fn every_rule_row_has_one_id_of_its_own() {
    let rows = rule_rows(&read(&root().join("docs/RULES.md")));
    assert!(rows.len() > 40, "found only {} rule rows in docs/RULES.md", rows.len());
    let malformed: Vec<String> = rows
        .iter()
        .filter(|(_, id)| !is_rule_id(id))
        .map(|(line, id)| format!("line {line}: `{id}`"))
        .collect();
    assert!(
        malformed.is_empty(),
        "docs/RULES.md: a rule row's first cell must be one id (C3, D10, I4-11, CVD-2 ...), not a range, a pair or nothing:\n  {}",
        malformed.join("\n  ")
    );
    let mut lines_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (line, id) in &rows {
        lines_of.entry(id).or_default().push(*line);
    }
    let twice: Vec<String> = lines_of
        .iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|(id, lines)| format!("{id} on lines {lines:?}"))
        .collect();
    assert!(
        twice.is_empty(),
        "docs/RULES.md: an id names two rules; give each its own:\n  {}",
        twice.join("\n  ")
    );
}

#[test]
fn every_rule_id_is_written_at_the_code_that_applies_it() {
    let sources = source_comments();
    let mentioned: BTreeSet<String> = sources.iter().flat_map(|(_, c)| ids_in(c)).collect();
    let missing: Vec<String> = rule_ids().into_iter().filter(|id| !mentioned.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "rule ids of docs/RULES.md that no comment in crates/*/src names; write each at the code that applies it \
         (\"// D5: ...\" or in its doc comment):\n  {}",
        missing.join(", ")
    );
}

#[test]
fn comments_name_only_rules_that_exist() {
    let known: BTreeSet<String> = rule_ids().into_iter().collect();
    let mut unknown = Vec::new();
    for (file, text) in source_comments() {
        for id in ids_in(&text).into_iter().filter(|id| !known.contains(id)) {
            unknown.push(format!("{id} in {}", file.strip_prefix(root()).unwrap_or(&file).display()));
        }
    }
    assert!(
        unknown.is_empty(),
        "comments name rule ids that docs/RULES.md does not have (renumbered or removed?):\n  {}",
        unknown.join("\n  ")
    );
}

/// The targets of the Markdown links and images in `text` (`[text](target)`), fenced code left out.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(close) = after.find(')') else { break };
            targets.push((n + 1, after[..close].trim().to_owned()));
            rest = &after[close..];
        }
    }
    targets
}

/// The anchors of a Markdown page's headings, as GitHub makes them: lower case, letters, digits,
/// hyphens and underscores kept, spaces made hyphens, the rest dropped.
fn headings(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut anchors = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        anchors.push(
            title
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect(),
        );
    }
    anchors
}

#[test]
fn relative_links_lead_to_files() {
    let root = root();
    let mut pages = vec![root.join("README.md")];
    for entry in fs::read_dir(root.join("docs")).expect("docs/").flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            pages.push(entry.path());
        }
    }
    pages.sort();
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        for (line, target) in link_targets(&read(page)) {
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let file = page.parent().expect("a page is in a folder").join(path);
            let anchor = target.split_once('#').map(|(_, a)| a);
            let lands = file.exists()
                && match anchor {
                    Some(anchor) if path.ends_with(".md") => headings(&read(&file)).iter().any(|h| h == anchor),
                    _ => true,
                };
            if !lands {
                broken.push(format!("{}:{line}: {target}", page.strip_prefix(&root).unwrap_or(page).display()));
            }
        }
    }
    assert!(checked > 20, "found only {checked} relative links in README.md and docs/*.md");
    assert!(
        broken.is_empty(),
        "relative links that lead nowhere (no such file, or no such heading in it):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn ids_are_found_as_whole_words() {
    let found = |text: &str| ids_in(text).into_iter().collect::<Vec<_>>();
    assert_eq!(found("D10, not D1"), ["D1", "D10"]);
    assert_eq!(found("D10 alone"), ["D10"]);
    assert_eq!(found("I4-10 is not I4-1"), ["I4-1", "I4-10"]);
    assert_eq!(found("I4-10"), ["I4-10"]);
    assert_eq!(found("C5-C8 and C9/D9"), ["C5", "C8", "C9", "D9"]);
    assert_eq!(found("CVD-3, SEC-10 (SEC-1)"), ["CVD-3", "SEC-1", "SEC-10"]);
    assert!(found("SHA1, SUM(A1x), CVE-2021-1, Ed25519, IpAddr::V4, UTF-8, E2E").is_empty());
    assert_eq!(comments("let u = \"https://x\"; // D5: working days"), " D5: working days\n");
    assert_eq!(
        headings("# What it does\n```\n# not a heading\n```\n## The portal, role by role\n### C9/D9: `offer_ended` (1)"),
        ["what-it-does", "the-portal-role-by-role", "c9d9-offer_ended-1"]
    );
}
