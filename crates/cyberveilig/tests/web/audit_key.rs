//! The audit log's key file (issue 10, item 14) through the binary: made at install, used to sign
//! the log's head, and checked by `audit-log verify`.

/// Runs the cyberveilig binary in `dir` with `args`: its exit code and standard output.
fn cli(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cyberveilig"))
        .args(args)
        .current_dir(dir)
        .env("CYBERVEILIG_LOG", "error")
        .env("CYBERVEILIG_PASSWORD", "een lang beheerderswachtwoord")
        .env_remove("CYBERVEILIG_DATABASE_URL")
        .env_remove("CYBERVEILIG_AUDIT_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code().unwrap_or(-1),
        format!("{}{stderr}", String::from_utf8_lossy(&output.stdout)),
    )
}

#[tokio::test]
async fn the_audit_log_is_signed_with_a_key_file_made_at_install_and_verify_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out) = cli(d, &["migrate", "--data-dir", "data"]);
    assert_eq!(code, 0, "{out}");
    let key = d.join("data/audit-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600,
            "made for its owner only"
        );
    }
    let (code, out) = cli(
        d,
        &[
            "person",
            "add",
            "--data-dir",
            "data",
            "--email",
            "beheer@vlaanderen.test",
            "--name",
            "Beheer",
            "--role",
            "programme_admin",
            "--organisation",
            "Agentschap Binnenlands Bestuur",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(d, &["audit-log", "verify", "--data-dir", "data"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signatures of key"), "{out}");
    let (code, public) = cli(d, &["audit-log", "public-key", "--data-dir", "data"]);
    assert_eq!(code, 0, "{public}");
    let public = public.split_whitespace().next().unwrap().to_owned();
    assert_eq!(public.len(), 64);
    let (code, out) = cli(d, &["audit-log", "verify", "--data-dir", "data", "--public-key", &public]);
    assert_eq!(code, 0, "{out}");

    // Another key cannot sign for this installation, nor check it.
    let other = d.join("other.key");
    let (code, out) = cli(d, &["migrate", "--data-dir", "other", "--audit-key", other.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(
        d,
        &[
            "person",
            "add",
            "--data-dir",
            "data",
            "--audit-key",
            other.to_str().unwrap(),
            "--email",
            "x@vlaanderen.test",
            "--name",
            "X",
            "--role",
            "programme_admin",
            "--organisation",
            "Agentschap Binnenlands Bestuur",
        ],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("signed with key"), "{out}");
    // Nor does a server without the key file start on a signed log.
    let (code, out) = cli(d, &["migrate", "--data-dir", "data", "--audit-key", "missing.key"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("copy the key file"), "{out}");

    // Someone with the database but not the key appends an entry, chained and hashed correctly.
    let store = cyberveilig_store::connect(&format!("sqlite:{}", d.join("data/cyberveilig.db").display()))
        .await
        .unwrap();
    let mut tx = store.write().await.unwrap();
    tx.append_event(&cyberveilig_services::store::records::NewEvent {
        at: chrono::Utc::now(),
        actor_id: None,
        actor: "system".into(),
        action: "person.added_by_operator".into(),
        subject_type: "person".into(),
        subject_id: 99,
        details: serde_json::json!({"email": "indringer@x.test", "role": "programme_admin"}),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let (code, out) = cli(d, &["audit-log", "verify", "--data-dir", "data"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not signed"), "{out}");
}
