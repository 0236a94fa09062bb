//! D10: the audit log is a hash chain; any change to it is detected.

use super::*;

story!(the_audit_log_is_intact_after_a_story, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    w.s()
        .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    assert_eq!(w.advance_to("2020-06-30T08:00:00Z").await, 2);
    assert_eq!(w.order(order.id).await.state, OrderState::Unplaceable);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Intact { entries, head, signatures } => {
            assert!(signatures.is_some_and(|n| n >= 1), "the head is signed: {signatures:?}");
            // 6 from the seed; submitted, offered, declined, offered; Deloitte's offer expires and
            // PwC is offered; PwC's expires within the window, so the cascade is exhausted (D6).
            assert_eq!(entries, 6 + 4 + 2 + 2);
            let mut tx = w.s().store.read().await.unwrap();
            let (seq, hash) = tx.chain_head().await.unwrap();
            assert_eq!((seq, hash), (entries as i64, head));
            let all = tx.events_after(0, 1_000).await.unwrap();
            assert_eq!(all.len() as u64, entries);
            assert!(all.windows(2).all(|p| p[1].prev_hash == p[0].hash && p[1].seq == p[0].seq + 1));
        }
        broken => panic!("{broken:?}"),
    }
});

// Someone with write access to the database changes or removes an entry (on both databases).

story!(a_changed_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.log_entries().await, 8);
    assert_eq!(w.tamper("UPDATE events SET details = '{}' WHERE seq = 3").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => {
            assert_eq!(link.seq, 3);
            assert_eq!(link.problem, "content changed after it was written");
        }
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
});

story!(a_removed_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.tamper("DELETE FROM events WHERE seq = 6").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => assert_eq!((link.seq, link.problem), (6, "entry missing")),
        intact => panic!("a removed entry went unnoticed: {intact:?}"),
    }
});

story!(a_removed_middle_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.tamper("DELETE FROM events WHERE seq = 2").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => assert_eq!((link.seq, link.problem), (2, "entry missing")),
        intact => panic!("a removed entry went unnoticed: {intact:?}"),
    }
});
