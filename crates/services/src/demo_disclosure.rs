//! The demo's disclosure: vulnerability reports in various states for a government with an
//! accepted basic audit, and the Howest track's engagements (Kortrijk's under way, Brugge's
//! waiting for its signatory).

use crate::Services;
use crate::error::Result;
use cyberveilig_domain::order::OrderKind;

impl Services {
    /// The demo's engagements (the Howest track): Kortrijk's authorised and under way on the
    /// demo clock's day, Brugge's proposed and waiting for its signatory. Only when there are none.
    pub async fn seed_demo_engagements(&self) -> Result<()> {
        let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
        if !self.engagements(&vvsg).await?.is_empty() {
            return Ok(());
        }
        let today = crate::clock::brussels_date(self.clock.now());
        let team = vec![
            ("docent@howest.test".to_owned(), "supervisor".to_owned()),
            ("student@howest.test".to_owned(), "student".to_owned()),
        ];
        let kortrijk = self
            .propose_engagement(
                &vvsg,
                crate::engagements::EngagementTerms {
                    government_nis: "34022".into(),
                    title: "Externe en interne test door Howest (semester 2)".into(),
                    starts_on: Some(today),
                    ends_on: Some(today + chrono::Days::new(60)),
                    scope: vec!["www.kortrijk.be".into(), "mail.kortrijk.be".into(), "192.0.2.0/28".into()],
                    techniques: vec![
                        "network_scanning".into(),
                        "web_scanning".into(),
                        "manual_web_testing".into(),
                        "phishing_mail".into(),
                    ],
                    team: team.clone(),
                    government_contact: "Informatieveiligheidsconsulent Kortrijk, 056 27 00 00".into(),
                    team_contact: "Docent Howest (begeleider), 056 24 12 90".into(),
                    emergency_contact: "Servicedesk Kortrijk, 056 27 99 99 (24/7)".into(),
                },
            )
            .await?;
        let signatory = self.demo_actor("directeur.34022@gemeente.test").await?;
        let (_, letter) = self.engagement_letter(&signatory, kortrijk.engagement.id).await?;
        self.accept_engagement(&signatory, kortrijk.engagement.id, &letter.hash, true)
            .await?;
        self.propose_engagement(
            &vvsg,
            crate::engagements::EngagementTerms {
                government_nis: "31005".into(),
                title: "Webapplicaties van Brugge".into(),
                starts_on: Some(today + chrono::Days::new(14)),
                ends_on: Some(today + chrono::Days::new(74)),
                scope: vec!["www.brugge.be".into(), "https://eloket.brugge.be".into()],
                techniques: vec!["web_scanning".into(), "manual_web_testing".into(), "password_attacks".into()],
                team,
                government_contact: "Informatieveiligheidsconsulent Brugge, 050 44 80 00".into(),
                team_contact: "Docent Howest (begeleider), 056 24 12 90".into(),
                emergency_contact: "ICT-permanentie Brugge, 050 44 89 99 (24/7)".into(),
            },
        )
        .await?;
        Ok(())
    }

    /// A few vulnerability reports in various states (issue 5) for the first government with a
    /// basic audit a firm accepted: received, valid and in remediation (with a finding and a
    /// conversation), a duplicate, an informative one, and a fixed one whose reporter is thanked.
    /// Returns how many were made.
    pub async fn seed_demo_reports(&self) -> Result<usize> {
        use crate::reports::{Access, ReportChange, ReportInput};
        let admin = self.demo_actor("admin@abb.test").await?;
        let orders = self
            .orders(
                &admin,
                cyberveilig_store::records::OrderFilter {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let Some(order) = orders.into_iter().find(|o| o.kind == OrderKind::Basic && o.state.takes_results()) else {
            return Ok(0);
        };
        let government = self.organisation(order.government_id).await?;
        let Some(nis) = government.nis_code.clone() else { return Ok(0) };
        let Ok(gov) = self.demo_actor(&format!("{nis}@gemeente.test")).await else {
            return Ok(0);
        };
        let slug: String = government
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let domain = format!("{slug}.be");
        {
            let mut tx = self.store.write().await?;
            tx.upsert_asset(&cyberveilig_store::records::NewAsset {
                government_id: government.id,
                kind: cyberveilig_domain::asset::AssetKind::Domain,
                name: domain.clone(),
                hostname: None,
                ip: None,
                os: None,
                at: self.clock.now(),
            })
            .await?;
            tx.commit().await?;
        }
        let student = self.demo_actor("student@howest.test").await?;
        let input = |path: &str, cwe: &str, title: &str| ReportInput {
            government_nis: nis.to_string(),
            target: format!("https://www.{domain}{path}"),
            cwe: cwe.into(),
            title: title.into(),
            description: format!("{title} op www.{domain}{path}."),
            steps: format!("1. Open https://www.{domain}{path}\n2. Zie het gedrag hierboven."),
            impact: "Een aanvaller kan gegevens van burgers inzien of wijzigen.".into(),
            ..ReportInput::default()
        };
        let step = |state: &str, outcome: Option<&str>| ReportChange {
            state: state.into(),
            outcome: outcome.map(str::to_owned),
            ..ReportChange::default()
        };
        let g = Access::Person(&gov);
        // 1. Just received, anonymously.
        self.submit_report(None, input("/", "CWE-327", "Verouderde TLS-versies aanvaard"))
            .await?;
        // 2. A researcher's valid report, in remediation, with a conversation.
        let valid = self
            .submit_report(
                Some(&student),
                ReportInput {
                    reporter_name: Some("Howest-student".into()),
                    credit_consent: true,
                    cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N".into()),
                    ..input("/zoeken", "CWE-79", "Reflected XSS in de zoekfunctie")
                },
            )
            .await?;
        self.change_report(g, valid.report.id, step("acknowledged", None)).await?;
        self.change_report(
            g,
            valid.report.id,
            ReportChange {
                note: Some("Bedankt, we konden het nadoen. We zetten het in ons herstelplan.".into()),
                ..step("triaged", Some("valid"))
            },
        )
        .await?;
        self.make_finding(&gov, valid.report.id).await?;
        self.post_report_message(
            Access::Person(&student),
            valid.report.id,
            "Laat gerust weten wanneer ik het herstel mag nakijken.",
        )
        .await?;
        // 3. The same weakness reported again: a duplicate.
        let dup = self.submit_report(None, input("/zoeken", "CWE-79", "XSS via parameter q")).await?;
        self.change_report(
            g,
            dup.report.id,
            ReportChange {
                duplicate_of: Some(valid.report.tracking_code.clone()),
                ..step("triaged", Some("duplicate"))
            },
        )
        .await?;
        self.change_report(g, dup.report.id, step("closed", None)).await?;
        // 4. Informative, closed.
        let info = self
            .submit_report(None, input("/robots.txt", "CWE-200", "robots.txt toont interne paden"))
            .await?;
        self.change_report(g, info.report.id, step("triaged", Some("informative"))).await?;
        self.change_report(g, info.report.id, step("closed", None)).await?;
        // 5. Fixed, and its reporter thanked.
        let fixed = self
            .submit_report(
                None,
                ReportInput {
                    reporter_name: Some("WhiteHat Wout".into()),
                    reporter_email: Some("wout@example.test".into()),
                    credit_consent: true,
                    cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
                    ..input("/loket/api/aanvragen", "CWE-639", "Aanvragen van andere burgers opvraagbaar (IDOR)")
                },
            )
            .await?;
        self.change_report(g, fixed.report.id, step("triaged", Some("valid"))).await?;
        let view = self.make_finding(&gov, fixed.report.id).await?;
        if let Some(finding_id) = view.report.finding_id {
            self.change_finding_status(
                &gov,
                finding_id,
                crate::remediation::StatusChange {
                    status: "fixed".into(),
                    reason: None,
                    until: None,
                },
            )
            .await?;
        }
        Ok(5)
    }
}
