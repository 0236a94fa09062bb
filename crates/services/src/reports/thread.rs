//! The report's thread: messages between reporter, government and coordinator, and the
//! system's own notes of what changed.

use super::*;

/// The platform's own line in the thread that a report changed state: `state:<to>`, with the
/// outcome of a triage (`state:triaged:<outcome>`).
pub(super) async fn note_state_change(work: &mut Work, report: &Report, to: ReportState) -> Result<()> {
    let mut body = format!("state:{}", to.as_str());
    if to == ReportState::Triaged
        && let Some(o) = &report.outcome
    {
        body.push_str(&format!(":{}", o.as_str()));
    }
    work.tx
        .insert_report_message(&ReportMessage {
            id: 0,
            report_id: report.id,
            author: None,
            author_id: None,
            author_name: String::new(),
            body,
            at: work.now,
        })
        .await?;
    Ok(())
}

impl Services {
    pub(super) async fn add_system_message(
        &self,
        work: &mut Work,
        report: &Report,
        to: ReportState,
        note: &str,
        party: Party,
        access: Access<'_>,
    ) -> Result<()> {
        note_state_change(work, report, to).await?;
        if !note.is_empty() {
            self.insert_message(work, report, party, access, note).await?;
        }
        Ok(())
    }

    pub(super) async fn insert_message(
        &self,
        work: &mut Work,
        report: &Report,
        party: Party,
        access: Access<'_>,
        body: &str,
    ) -> Result<()> {
        let (author_id, author_name) = match (party, access) {
            (Party::Reporter, _) => (None, report.reporter_name.clone()),
            (Party::Government, Access::Person(a)) => (
                Some(a.person_id),
                work.tx.organisation(a.organisation_id).await?.map(|o| o.name).unwrap_or_default(),
            ),
            (Party::Coordinator, Access::Person(a)) => (Some(a.person_id), "VVSG".into()),
            (_, Access::Person(a)) => (Some(a.person_id), "cyberveilig".into()),
            (_, Access::Follower(_)) => (None, String::new()),
        };
        work.tx
            .insert_report_message(&ReportMessage {
                id: 0,
                report_id: report.id,
                author: Some(party),
                author_id,
                author_name,
                body: body.to_owned(),
                at: work.now,
            })
            .await?;
        Ok(())
    }

    pub(super) async fn state_notice(
        &self,
        work: &mut Work,
        report: &Report,
        to: ReportState,
        to_reporter: bool,
        except: Option<i64>,
    ) -> Result<()> {
        let code = &report.tracking_code;
        let url = self.report_link(&format!("/meldingen/{}", report.id));
        self.notify(
            work,
            Notice {
                subject: format!("Melding {code}: {} / Report {code}: {}", state_nl(to), to.as_str().replace('_', " ")),
                nl: format!(
                    "Melding {code} is nu: {}. Wie een account heeft, ziet ze op {url}; wie meldde zonder account, volgt ze via de geheime link.",
                    state_nl(to)
                ),
                en: format!(
                    "Report {code} is now: {}. Those with an account see it at {url}; a reporter without one follows it through the secret link.",
                    to.as_str().replace('_', " ")
                ),
                to_reporter,
                to_government: true,
                to_coordinator: true,
                except,
                report,
            },
        )
        .await
    }

    /// R5: a message in the report's thread, from the reporter (through the follow link or their
    /// account), the government, VVSG as coordinator or the administrator; the others hear of it.
    pub async fn post_report_message(&self, access: Access<'_>, id: i64, body: &str) -> Result<ReportMessage> {
        let body = required("body", body, MAX_MESSAGE, "a message", "een bericht")?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), who_of(access)).await?;
        let (report, party) = open(work.tx.as_mut(), access, id).await?;
        if report.state.is_final() && party == Party::Reporter {
            return Err(ServiceError::conflict(
                "report_closed",
                "this report is closed: its thread takes no more messages from the reporter",
                "deze melding is afgesloten: de melder kan geen berichten meer sturen",
            ));
        }
        self.insert_message(&mut work, &report, party, access, &body).await?;
        work.record(Action::ReportMessage, "report", report.id, json!({"by": party.as_str()}))
            .await?;
        let code = &report.tracking_code;
        let except = match access {
            Access::Person(a) => Some(a.person_id),
            Access::Follower(_) => None,
        };
        self.notify(
            &mut work,
            Notice {
                subject: format!("Nieuw bericht bij melding {code} / New message on report {code}"),
                nl: format!("Er is een nieuw bericht bij melding {code}. Lees het in cyberveilig."),
                en: format!("There is a new message on report {code}. Read it in cyberveilig."),
                to_reporter: party != Party::Reporter,
                to_government: true,
                to_coordinator: true,
                except,
                report: &report,
            },
        )
        .await?;
        let messages = work.tx.report_messages(report.id).await?;
        work.commit().await?;
        messages.into_iter().last().ok_or(ServiceError::NotFound("message"))
    }
}
