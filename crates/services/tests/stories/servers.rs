//! Several servers on one database (issue 15, target 5): a mail is claimed by one server for a
//! lease before it is sent, and taken over by another when the lease ran out; the jobs, run by
//! three servers at once, do each thing that falls due once.

use super::*;
use cyberveilig_services::outbox::{MAX_MAIL_ATTEMPTS, MailLease, MailTransport};
use cyberveilig_services::store::records::{Mail, NewMail};
use cyberveilig_services::{Clock, Services};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An SMTP server that takes a moment per mail and remembers the subjects it was given.
#[derive(Default)]
struct Recorder {
    subjects: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl MailTransport for Recorder {
    async fn send(&self, mail: &Mail) -> std::result::Result<(), String> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.subjects.lock().unwrap().push(mail.subject.clone());
        Ok(())
    }
}

fn lease(holder: &str) -> MailLease {
    MailLease {
        holder: holder.into(),
        lasts: Duration::from_secs(60),
    }
}

async fn queue_mails(w: &World, n: usize) -> Vec<i64> {
    let mut tx = w.s().store.write().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let mail = NewMail {
            to: "44021@gemeente.test".parse().unwrap(),
            subject: format!("mail {i}"),
            body: "Beste".into(),
        };
        ids.push(tx.insert_mail(&mail, w.now()).await.unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

/// Claims mail `id` for `holder` at `now`, for a minute.
async fn claim(w: &World, id: i64, holder: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Mail> {
    let mut tx = w.s().store.write().await.unwrap();
    let mail = tx
        .claim_mail(id, holder, now + chrono::Duration::seconds(60), now, MAX_MAIL_ATTEMPTS)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    mail
}

async fn waiting(w: &World, now: chrono::DateTime<chrono::Utc>) -> Vec<i64> {
    let mut tx = w.s().store.read().await.unwrap();
    tx.unsent_mails(MAX_MAIL_ATTEMPTS, now, 100)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect()
}

story!(
    a_claimed_mail_is_another_servers_only_when_the_lease_ran_out,
    "2020-05-18T08:00:00Z",
    |w| {
        let ids = queue_mails(&w, 2).await;
        let (id, other) = (ids[0], ids[1]);
        let now = w.now();
        let seconds = chrono::Duration::seconds;
        assert_eq!(claim(&w, id, "a", now).await.map(|m| m.id), Some(id));
        assert!(claim(&w, id, "b", now).await.is_none(), "a holds it");
        assert!(claim(&w, id, "a", now + seconds(1)).await.is_none(), "not even a claims it twice");
        assert!(claim(&w, id, "b", now + seconds(59)).await.is_none(), "the lease still runs");
        assert_eq!(waiting(&w, now + seconds(59)).await, vec![other], "a held mail is not offered");
        // a stopped: when its lease has run out, b takes the mail over.
        assert_eq!(waiting(&w, now + seconds(60)).await, vec![id, other]);
        assert_eq!(claim(&w, id, "b", now + seconds(60)).await.map(|m| m.id), Some(id));
        assert!(claim(&w, id, "c", now + seconds(61)).await.is_none(), "b holds it now");

        // Sent: nobody claims it again, however late.
        let mut tx = w.s().store.write().await.unwrap();
        tx.mail_sent(id, now).await.unwrap();
        tx.commit().await.unwrap();
        assert!(claim(&w, id, "c", now + chrono::Duration::days(1)).await.is_none());

        // Failed: the claim is released at once, so the next round tries again; after the last
        // attempt nobody does.
        for attempt in 1..=MAX_MAIL_ATTEMPTS {
            assert!(claim(&w, other, "a", now).await.is_some(), "attempt {attempt}");
            let mut tx = w.s().store.write().await.unwrap();
            tx.mail_failed(other, "connection refused").await.unwrap();
            tx.commit().await.unwrap();
        }
        assert!(claim(&w, other, "a", now).await.is_none(), "given up");
        assert!(waiting(&w, now).await.is_empty());
    }
);

story!(three_servers_deliver_each_mail_once, "2020-05-18T08:00:00Z", |w| {
    let ids = queue_mails(&w, 60).await;
    let smtp = Arc::new(Recorder::default());
    let servers: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|holder| {
            let (services, smtp) = (w.s().clone(), smtp.clone());
            // A round takes up to 50 mails; a few rounds each, as the servers' loops would.
            tokio::spawn(async move {
                let mut sent = 0;
                for _ in 0..4 {
                    sent += services.deliver_mail(smtp.as_ref(), &lease(holder)).await.unwrap();
                }
                sent
            })
        })
        .collect();
    let mut sent = 0;
    for server in servers {
        sent += server.await.unwrap();
    }
    let mut subjects = smtp.subjects.lock().unwrap().clone();
    assert_eq!((sent, subjects.len()), (60, 60), "each mail went out once: {subjects:?}");
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 60, "no mail went out twice");

    // A server that stopped while it held a mail: the mail waits for the end of its lease, then
    // the next round sends it.
    let [held, abandoned] = queue_mails(&w, 2).await[..] else {
        unreachable!()
    };
    let real_now = chrono::Utc::now();
    claim(&w, held, "stopped", real_now).await.expect("claimed for a minute from now");
    claim(&w, abandoned, "stopped", real_now - chrono::Duration::seconds(61))
        .await
        .expect("claimed, with a lease that has run out");
    let smtp = Recorder::default();
    assert_eq!(w.s().deliver_mail(&smtp, &lease("a")).await.unwrap(), 1);
    assert_eq!(*smtp.subjects.lock().unwrap(), vec!["mail 1".to_owned()], "only the abandoned one");
    assert!(ids.iter().all(|id| *id < held));
});

/// A second server on the story's database: its own writer lane, the same key for the chain.
fn another_server(w: &World) -> Services {
    Services::new(w.s().store.clone(), w.clock.clone()).with_audit_key(w.audit_key.clone())
}

story!(jobs_run_by_three_servers_at_once_do_each_thing_once, "2020-05-18T08:00:00Z", |w| {
    // Three offers EY leaves unanswered past 26 May.
    let mut offered = Vec::new();
    for nis in [ANTWERPEN, BRUGGE, LEUVEN] {
        let government = w.municipality(nis).await;
        offered.push(w.s().submit_order(&government, w.basic(w.programme_id, nis)).await.unwrap().id);
    }
    // A report Gent does not acknowledge by 26 May; risks Gent accepted until 26 May.
    let (gent, ey) = reports::gent_with_scope(&w).await;
    let gent_order = w
        .orders(w.programme_id)
        .await
        .into_iter()
        .find(|o| o.state == OrderState::Accepted)
        .unwrap();
    let hosts = [
        ("192.0.2.10", 3389),
        ("192.0.2.11", 3389),
        ("192.0.2.12", 3389),
        ("192.0.2.13", 3389),
    ];
    w.s()
        .import_report(&ey, gent_order.id, std::io::Cursor::new(findings::nmap(&hosts)))
        .await
        .unwrap();
    let filter = cyberveilig_services::store::records::FindingFilter {
        limit: 10,
        ..Default::default()
    };
    let accepted: Vec<i64> = w.s().findings(&gent, filter).await.unwrap().iter().map(|f| f.id).collect();
    assert_eq!(accepted.len(), hosts.len());
    for id in &accepted {
        let change = cyberveilig_services::findings::StatusChange {
            status: "risk_accepted".into(),
            reason: Some("Vervangen binnen de week".into()),
            until: Some(d(2020, 5, 26)),
        };
        w.s().change_finding_status(&gent, *id, change).await.unwrap();
    }
    w.s().submit_report(None, reports::xss(GENT, "https://www.gent.be/")).await.unwrap();
    // Gent's security.txt, expiring on 20 June: the reminder falls due 30 days before.
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent_nis: cyberveilig_domain::registry::NisCode = GENT.parse().unwrap();
    w.s().publish_model(&vvsg).await.unwrap();
    let mut content = w.s().adopt_model(&gent, &gent_nis).await.unwrap().content;
    content.contact_email = "cert@stad.gent".into();
    content.in_scope = vec!["stad.gent".into()];
    w.s().save_policy_draft(&gent, &gent_nis, content).await.unwrap();
    w.s().publish_policy(&gent, &gent_nis, Some(d(2020, 6, 20))).await.unwrap();
    let entries = w.log_entries().await;

    // Everything falls due at once, and three servers run the jobs at the same moment.
    w.clock.set(at("2020-05-27T08:00:00Z"));
    // The servers live to the end of the story, as servers do: a writer lane that stops takes
    // the connections it opened in the shared pool with it.
    let servers: Vec<_> = (0..3).map(|_| another_server(&w)).collect();
    let runs: Vec<_> = servers
        .iter()
        .map(|server| {
            let server = server.clone();
            tokio::spawn(async move {
                let (offers, reports, policies, risks) = tokio::join!(
                    server.expire_due_offers(),
                    server.remind_report_deadlines(),
                    server.remind_expiring_security_txt(),
                    server.reopen_expired_risks()
                );
                [offers.unwrap(), reports.unwrap(), policies.unwrap(), risks.unwrap()]
            })
        })
        .collect();
    let mut done = [0; 4];
    for run in runs {
        for (total, n) in done.iter_mut().zip(run.await.unwrap()) {
            *total += n;
        }
    }
    assert_eq!(
        done,
        [3, 1, 1, hosts.len()],
        "offers expired, reports reminded, policies reminded, risks ended"
    );
    let events = w.s().store.read().await.unwrap().events_after(0, 100_000).await.unwrap();
    for id in &accepted {
        let ended = events
            .iter()
            .filter(|e| e.action == "finding.status_changed" && e.subject_id == *id && e.details.contains("the accepted risk ended"))
            .count();
        assert_eq!(ended, 1, "the risk on finding {id} ended once");
    }
    for id in offered {
        let expired = w.actions(id).await.iter().filter(|a| *a == "order.expired").count();
        assert_eq!(expired, 1, "order {id} expired once");
    }
    // No mail is in the outbox twice.
    let admin = w.admin().await;
    let mut seen = HashMap::new();
    for mail in w.s().outbox(&admin, 10_000).await.unwrap() {
        *seen.entry((mail.to, mail.subject)).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "mailed twice: {twice:?}");
    assert!(seen.keys().any(|(_, s)| s.starts_with("Termijn verstreken")));
    assert!(seen.keys().any(|(_, s)| s.contains("security.txt")));
    // One chain: the jobs' events follow each other.
    assert!(w.log_entries().await >= entries + 5);

    // The day before a webinar, the three servers remind each registrant once (AW-6).
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let event = w
        .s()
        .create_awareness_event(&vvsg, awareness::webinar(10))
        .await
        .unwrap()
        .event()
        .id;
    let registrants = [GENT, ANTWERPEN, BRUGGE, LEUVEN];
    for nis in registrants {
        w.s().register_for_event(&w.municipality(nis).await, event).await.unwrap();
    }
    w.clock.set(at("2021-06-21T06:00:00Z"));
    let runs: Vec<_> = servers
        .iter()
        .map(|server| {
            let server = server.clone();
            tokio::spawn(async move { server.send_event_reminders().await.unwrap() })
        })
        .collect();
    let mut reminded = 0;
    for run in runs {
        reminded += run.await.unwrap();
    }
    assert_eq!(reminded, registrants.len());
    let reminders = w
        .s()
        .outbox(&admin, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with("Herinnering"))
        .count();
    assert_eq!(reminders, registrants.len(), "one reminder each");
    w.log_entries().await;
});
