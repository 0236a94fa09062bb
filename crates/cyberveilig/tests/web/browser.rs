//! The browser tests (tests/browser/run.mjs: Debian's Chromium through playwright-core, with
//! axe-core on every page) run from here, so `cargo test --workspace` runs them too where the
//! machine has what they need. Where it does not, they say so and pass, unless
//! CYBERVEILIG_BROWSER_TESTS=required (as in CI), where a missing piece is a failure.

use std::path::Path;
use std::process::Command;

#[test]
fn the_portal_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let required = std::env::var("CYBERVEILIG_BROWSER_TESTS").is_ok_and(|v| v == "required");
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let missing = [
        (!node, "node (Node.js 20 or later)"),
        (!Path::new(&chromium).exists(), "Chromium (apt-get install chromium)"),
        (
            !dir.join("node_modules/playwright-core").exists(),
            "tests/browser/node_modules (npm ci in tests/browser)",
        ),
    ]
    .into_iter()
    .filter_map(|(gone, what)| gone.then_some(what))
    .collect::<Vec<_>>();
    if !missing.is_empty() {
        assert!(!required, "browser tests are required but missing: {}", missing.join(", "));
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIP: the browser tests need {}\n", missing.join(", ")).as_bytes(),
        );
        return;
    }
    // Screenshots land beside the build, never in the work tree, unless asked for
    // (tests/browser/refresh-screenshots.sh).
    let shots = std::env::var_os("CYBERVEILIG_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_BIN_EXE_cyberveilig"))
                .ancestors()
                .nth(2)
                .map_or_else(|| dir.join("screenshots"), |target| target.join("screenshots"))
        });
    let output = Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .env("CYBERVEILIG_SCREENSHOTS", &shots)
        .env("CYBERVEILIG_BIN", env!("CARGO_BIN_EXE_cyberveilig"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "browser tests failed:\n{stdout}\n{stderr}");
}
