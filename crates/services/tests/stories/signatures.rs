//! The audit log's signatures (issue 10, item 14): a chain recomputed, extended or stripped of
//! its signatures behind the servers' back is found out by the key's signatures of its head.

use super::*;
use cyberveilig_services::Services;

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Rewrites the audit log from entry `from` on as an attacker with write access to the database
/// but not to the key would: `change` alters that entry, and every hash after it is computed
/// anew, head included, so the chain itself holds again.
async fn recompute_chain_from(w: &World, from: i64, change: impl Fn(&mut cyberveilig_services::store::records::Event)) {
    use cyberveilig_services::store::audit::hash_of;
    let mut events = {
        let mut tx = w.s().store.read().await.unwrap();
        tx.events_after(0, 100_000).await.unwrap()
    };
    let mut previous = events[(from - 2) as usize].hash.clone();
    for event in events.iter_mut().filter(|e| e.seq >= from) {
        if event.seq == from {
            change(event);
        }
        event.prev_hash = previous.clone();
        event.hash = hash_of(event);
        previous = event.hash.clone();
        let sql = format!(
            "UPDATE events SET details = {}, prev_hash = {}, hash = {} WHERE seq = {}",
            quoted(&event.details),
            quoted(&event.prev_hash),
            quoted(&event.hash),
            event.seq
        );
        assert_eq!(w.tamper(&sql).await, 1);
    }
    assert_eq!(
        w.tamper(&format!("UPDATE audit_chain_head SET hash = {} WHERE id = 1", quoted(&previous)))
            .await,
        1
    );
}

/// The same database checked by the hash chain alone, without the key.
fn without_key(w: &World) -> Services {
    Services::new(w.s().store.clone(), w.clock.clone())
}

story!(
    a_recomputed_audit_chain_is_found_out_by_the_signatures_of_its_head,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        w.s()
            .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
            .await
            .unwrap();
        let entries = w.log_entries().await;
        let ChainReport::Intact { signatures, .. } = w.s().verify_audit_log().await.unwrap() else {
            unreachable!("log_entries checked it");
        };
        assert!(signatures.unwrap() >= 3, "a signature per transaction: {signatures:?}");

        // EY's decline becomes an acceptance, and every hash after it is recomputed.
        let declined = w
            .order_events(order.id)
            .await
            .into_iter()
            .find(|e| e.action == "order.declined")
            .unwrap()
            .seq;
        recompute_chain_from(&w, declined, |e| {
            e.action = "order.declined".into();
            e.details = e.details.replace("Volzet.", "Geen probleem.");
        })
        .await;
        // The chain alone holds again: the attack works against hashes.
        assert!(matches!(
            without_key(&w).verify_audit_log().await.unwrap(),
            ChainReport::Intact { signatures: None, .. }
        ));
        // The key finds it: the first signature after the change does not hold.
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => {
                assert!(link.seq >= declined && link.seq <= entries as i64, "{link:?}");
                assert_eq!(link.problem, "its signature does not hold: the log was changed after it was signed");
            }
            intact => panic!("the recomputed chain went unnoticed: {intact:?}"),
        }
    }
);

story!(
    entries_added_or_signatures_removed_behind_the_servers_back_are_found_out,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        let entries = w.log_entries().await as i64;
        // A forged entry after the head, linked and hashed as the server would.
        let mut forged = {
            let mut tx = w.s().store.read().await.unwrap();
            tx.events_after(entries - 1, 1).await.unwrap().remove(0)
        };
        forged.seq = entries + 1;
        forged.prev_hash = forged.hash.clone();
        forged.details = r#"{"note":"forged"}"#.into();
        forged.actor_id = None;
        forged.hash = cyberveilig_services::store::audit::hash_of(&forged);
        let at = forged.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        w.tamper(&format!(
            "INSERT INTO events (seq, at, actor_id, actor, action, subject_type, subject_id, details, prev_hash, hash) \
             VALUES ({}, {}, NULL, {}, {}, {}, {}, {}, {}, {})",
            forged.seq,
            quoted(&at),
            quoted(&forged.actor),
            quoted(&forged.action),
            quoted(&forged.subject_type),
            forged.subject_id,
            quoted(&forged.details),
            quoted(&forged.prev_hash),
            quoted(&forged.hash)
        ))
        .await;
        w.tamper(&format!(
            "UPDATE audit_chain_head SET seq = {}, hash = {} WHERE id = 1",
            forged.seq,
            quoted(&forged.hash)
        ))
        .await;
        assert!(matches!(
            without_key(&w).verify_audit_log().await.unwrap(),
            ChainReport::Intact { .. }
        ));
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => {
                assert_eq!(
                    (link.seq, link.problem),
                    (entries + 1, "not signed: written without the installation's key")
                )
            }
            intact => panic!("a forged entry went unnoticed: {intact:?}"),
        }
        // A signature made with another key does not stand in for the installation's.
        let other = cyberveilig_services::audit::AuditKey::generate();
        let mut tx = w.s().store.write().await.unwrap();
        tx.insert_audit_signature(&cyberveilig_services::store::audit::HeadSigner::sign_head(
            &other,
            forged.seq,
            &forged.hash,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => assert_eq!(link.seq, entries + 1, "{link:?}"),
            intact => panic!("another key's signature went unnoticed: {intact:?}"),
        }
        // Removing the signatures does not help either.
        w.tamper("DELETE FROM audit_signatures").await;
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Broken(_)));
    }
);

story!(
    a_log_written_before_signing_is_signed_at_the_first_start_with_a_key,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        let entries = w.log_entries().await as i64;
        // As if the log was written before this version: no signatures.
        w.tamper("DELETE FROM audit_signatures").await;
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Broken(_)));
        assert_eq!(w.s().audit_key_in_use().await.unwrap(), None);
        assert_eq!(w.s().sign_chain_head(&w.audit_key).await.unwrap(), Some(entries));
        assert_eq!(w.s().sign_chain_head(&w.audit_key).await.unwrap(), None, "once");
        assert!(matches!(
            w.s().verify_audit_log().await.unwrap(),
            ChainReport::Intact { signatures: Some(1), .. }
        ));
        let in_use = w.s().audit_key_in_use().await.unwrap();
        assert_eq!(in_use.as_deref(), Some(w.audit_key.public().id()));
        // Another key is refused where this one signed.
        let other = cyberveilig_services::audit::AuditKey::generate();
        assert!(cyberveilig_services::audit::check_key_in_use(&other, in_use.as_deref()).is_err());
        assert!(cyberveilig_services::audit::check_key_in_use(&w.audit_key, in_use.as_deref()).is_ok());
    }
);
