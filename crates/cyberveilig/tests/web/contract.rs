//! The OpenAPI document is the contract (tests/contract/run.sh): schemathesis generates requests
//! for every operation from the document, signed in as each role of the demo, and checks every
//! answer against it. Runs where schemathesis is installed (`SCHEMATHESIS` names its executable;
//! .ci/run installs the pinned version); elsewhere it says so and passes, unless
//! CYBERVEILIG_SCHEMATHESIS=required (as in CI), where its absence is a failure.

use std::path::Path;
use std::process::Command;

#[test]
fn the_api_keeps_its_openapi_contract_for_every_role() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let required = std::env::var("CYBERVEILIG_SCHEMATHESIS").is_ok_and(|v| v == "required");
    let schemathesis = std::env::var("SCHEMATHESIS").ok().filter(|s| Path::new(s).exists());
    let Some(schemathesis) = schemathesis else {
        assert!(
            !required,
            "the contract test is required but SCHEMATHESIS does not name schemathesis"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIP: the OpenAPI contract test needs schemathesis (set SCHEMATHESIS to its executable)\n",
        );
        return;
    };
    let output = Command::new("bash")
        .arg(root.join("tests/contract/run.sh"))
        .env("CYBERVEILIG_BIN", env!("CARGO_BIN_EXE_cyberveilig"))
        .env("SCHEMATHESIS", &schemathesis)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the API broke its OpenAPI contract:\n{stdout}\n{stderr}");
}
