//! The demo's toolkit: VVSG writes the eight shipped items over the year and its chair publishes
//! each after review; governments open and download them, work through a playbook's checklist and
//! hold a tabletop exercise; two events hand items out. Replayed on the days it happened.

use crate::Services;
use crate::error::Result;
use crate::toolkit::{ExerciseInput, Format, content};
use chrono::NaiveDate;
use cyberveilig_domain::toolkit::StepState;

const WRITER: &str = "vvsg@vvsg.test";
const REVIEWER: &str = "voorzitter.stuurgroep@vvsg.test";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A day as (year, month, day).
type Day = (i32, u32, u32);

/// Written and submitted on the first day, published on the second.
const WAVES: [(Day, Day, &[&str]); 3] = [
    (
        (2020, 11, 16),
        (2020, 11, 18),
        &[
            "staff-awareness-kit",
            "password-mfa-policy",
            "information-security-policy-template",
            "backup-policy-template",
        ],
    ),
    ((2021, 3, 2), (2021, 3, 4), &["ransomware-playbook", "phishing-playbook"]),
    (
        (2021, 4, 19),
        (2021, 4, 21),
        &["business-continuity-template", "supplier-security-clauses"],
    ),
];

/// A government's use: its account, the day, the item, downloaded as well as opened.
const USES: [(&str, Day, &str, bool); 7] = [
    ("44021@gemeente.test", (2020, 12, 1), "information-security-policy-template", true),
    ("44021@gemeente.test", (2020, 12, 1), "staff-awareness-kit", false),
    ("11002@gemeente.test", (2021, 1, 12), "backup-policy-template", true),
    ("34022@gemeente.test", (2021, 3, 17), "ransomware-playbook", false),
    ("31005@gemeente.test", (2021, 5, 4), "phishing-playbook", false),
    ("24062@gemeente.test", (2021, 5, 25), "business-continuity-template", true),
    ("44021@gemeente.test", (2021, 6, 1), "password-mfa-policy", true),
];

/// The event (by title), the day its materials are named, the items.
const MATERIALS: [(&str, Day, &[&str]); 2] = [
    (
        "Phishing herkennen en melden",
        (2021, 3, 4),
        &["staff-awareness-kit", "phishing-playbook"],
    ),
    ("Wachtwoorden en MFA voor iedereen", (2021, 6, 1), &["password-mfa-policy"]),
];

fn on((y, m, d): Day) -> NaiveDate {
    day(y, m, d)
}

impl Services {
    /// One working day of the toolkit's year in the demo.
    pub(crate) async fn demo_toolkit_day(&self, today: NaiveDate) -> Result<()> {
        for (written, published, slugs) in WAVES {
            if on(written) == today {
                let writer = self.demo_actor(WRITER).await?;
                for input in content::shipped()?.into_iter().filter(|i| slugs.contains(&i.slug.as_str())) {
                    let view = self.create_toolkit_item(&writer, input).await?;
                    self.submit_toolkit_version(&writer, view.item.id).await?;
                }
            }
            if on(published) == today {
                let reviewer = self.demo_actor(REVIEWER).await?;
                for slug in slugs {
                    let id = self.toolkit_item_id(slug).await?;
                    self.review_toolkit_version(&reviewer, id, true, "").await?;
                }
            }
        }
        for (account, when, slug, download) in USES {
            if on(when) != today {
                continue;
            }
            let person = self.demo_actor(account).await?;
            let id = self.toolkit_item_id(slug).await?;
            self.toolkit_item(Some(&person), id).await?;
            if download {
                self.toolkit_document(Some(&person), id, Format::Docx, true).await?;
            }
        }
        for (title, when, slugs) in MATERIALS {
            if on(when) != today {
                continue;
            }
            let Some(event_id) = self.demo_event_id(title).await? else {
                continue;
            };
            let mut ids = Vec::new();
            for slug in slugs {
                ids.push(self.toolkit_item_id(slug).await?);
            }
            let writer = self.demo_actor(WRITER).await?;
            self.set_event_materials(&writer, event_id, &ids).await?;
        }
        self.demo_checklists(today).await
    }

    /// Kortrijk works through the ransomware playbook after the tabletop exercise and records it;
    /// Brugge completes the phishing playbook.
    async fn demo_checklists(&self, today: NaiveDate) -> Result<()> {
        if today == day(2021, 3, 18) {
            let kortrijk = self.demo_actor("34022@gemeente.test").await?;
            let id = self.toolkit_item_id("ransomware-playbook").await?;
            let list = self.toolkit_checklist(&kortrijk, id).await?;
            for step in list.steps.iter().take(12) {
                let state = if step.number % 5 == 0 {
                    StepState::NotApplicable
                } else {
                    StepState::Done
                };
                self.tick_checklist_step(&kortrijk, id, step.number, Some(state)).await?;
            }
            self.record_exercise(
                &kortrijk,
                id,
                ExerciseInput {
                    held_on: day(2021, 3, 16),
                    participants: "Algemeen directeur, ICT-verantwoordelijke, communicatie, DPO (tabletopoefening van VVSG)".into(),
                    lessons: "De contactlijst stond enkel op het netwerk. Niemand wist wie beslist over het afsluiten van het internet."
                        .into(),
                    actions: vec![
                        "Contactlijst op papier bij de noodkoffer leggen".into(),
                        "Beslissingsbevoegdheid bij een incident vastleggen in het college".into(),
                        "Herstel van de back-up van de financiële toepassing testen".into(),
                    ],
                },
            )
            .await?;
        }
        if today == day(2021, 5, 4) {
            let brugge = self.demo_actor("31005@gemeente.test").await?;
            let id = self.toolkit_item_id("phishing-playbook").await?;
            let list = self.toolkit_checklist(&brugge, id).await?;
            for step in &list.steps {
                self.tick_checklist_step(&brugge, id, step.number, Some(StepState::Done)).await?;
            }
        }
        Ok(())
    }
}
