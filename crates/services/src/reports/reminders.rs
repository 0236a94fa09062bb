//! Deadlines that pass: the government is reminded to acknowledge, triage and fix in time.

use super::*;

impl Services {
    /// Reminds the government once when a report passed its acknowledgement or triage date
    /// unanswered (the server's worker runs this with the other jobs), however many servers run
    /// it. Returns the reminders sent.
    pub async fn remind_report_deadlines(&self) -> Result<usize> {
        let now = self.clock.now();
        let today = brussels_date(now);
        let open_reports = {
            let mut tx = self.store.read().await?;
            tx.reports(&ReportFilter {
                states: vec![ReportState::Received, ReportState::Acknowledged],
                limit: 10_000,
                ..ReportFilter::default()
            })
            .await?
        };
        let mut sent = 0;
        for stale in open_reports {
            let due = match report::overdue(stale.state, &deadlines_of(&stale), None, today) {
                Some(o @ (Overdue::Acknowledge | Overdue::Triage)) => o,
                _ => continue,
            };
            if stale.reminded.split(',').any(|r| r == due.as_str()) {
                continue;
            }
            let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
            let Some(mut report) = work.tx.report(stale.id).await? else {
                continue;
            };
            if report.reminded.split(',').any(|r| r == due.as_str()) || report.state != stale.state {
                continue;
            }
            let reminded = if report.reminded.is_empty() {
                due.as_str().to_owned()
            } else {
                format!("{},{}", report.reminded, due.as_str())
            };
            // The claim: of several servers running this job at once, one sets it and mails.
            if !work
                .tx
                .claim_report_reminder(report.id, report.state, &report.reminded, &reminded)
                .await?
            {
                continue;
            }
            report.reminded = reminded;
            work.record(Action::ReportReminderSent, "report", report.id, json!({"overdue": due.as_str()}))
                .await?;
            let code = report.tracking_code.clone();
            let url = self.report_link(&format!("/meldingen/{}", report.id));
            let (nl, en) = match due {
                Overdue::Acknowledge => (
                    format!(
                        "Melding {code} werd niet bevestigd tegen {}. Bevestig de ontvangst:\n\n{url}",
                        report.acknowledge_by.format("%d/%m/%Y")
                    ),
                    format!(
                        "Report {code} was not acknowledged by {}. Acknowledge it:\n\n{url}",
                        report.acknowledge_by.format("%d/%m/%Y")
                    ),
                ),
                _ => (
                    format!(
                        "Melding {code} werd niet beoordeeld tegen {}. Beoordeel ze:\n\n{url}",
                        report.triage_by.format("%d/%m/%Y")
                    ),
                    format!(
                        "Report {code} was not triaged by {}. Triage it:\n\n{url}",
                        report.triage_by.format("%d/%m/%Y")
                    ),
                ),
            };
            self.notify(
                &mut work,
                Notice {
                    subject: format!("Termijn verstreken: melding {code} / Deadline passed: report {code}"),
                    nl,
                    en,
                    to_reporter: false,
                    to_government: true,
                    to_coordinator: true,
                    except: None,
                    report: &report,
                },
            )
            .await?;
            work.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }
}
