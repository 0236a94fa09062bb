//! The demo's disclosure policies, published on days of the replayed history: VVSG's model in
//! July 2020, then Leuven (its security.txt runs out in July 2021, so the demo shows the
//! reminder), Gent and Brugge.

use crate::Services;
use crate::error::Result;
use chrono::NaiveDate;
use cyberveilig_domain::disclosure::PolicyContent;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A government of the demo that publishes its policy.
struct DemoPolicy {
    on: Option<NaiveDate>,
    nis: &'static str,
    contact: &'static str,
    scope: &'static [&'static str],
    /// The last day of its security.txt (eleven months by default).
    expires_on: Option<NaiveDate>,
}

fn plan() -> [DemoPolicy; 3] {
    [
        DemoPolicy {
            on: date(2020, 7, 20),
            nis: "24062",
            contact: "security@leuven.test",
            scope: &["www.leuven.test", "e-loket.leuven.test"],
            expires_on: date(2021, 7, 1),
        },
        DemoPolicy {
            on: date(2020, 11, 16),
            nis: "44021",
            contact: "cert@stad.gent.test",
            scope: &["stad.gent.test", "mijn.gent.test", "data.stad.gent.test"],
            expires_on: None,
        },
        DemoPolicy {
            on: date(2021, 2, 1),
            nis: "31005",
            contact: "informatieveiligheid@brugge.test",
            scope: &["www.brugge.test"],
            expires_on: None,
        },
    ]
}

impl Services {
    /// What VVSG and the demo governments do about disclosure on `day` of the history.
    pub(crate) async fn demo_disclosure_day(&self, day: NaiveDate) -> Result<()> {
        if Some(day) == date(2020, 7, 1) {
            let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
            self.publish_model(&vvsg).await?;
        }
        for DemoPolicy {
            on,
            nis,
            contact,
            scope,
            expires_on,
        } in plan()
        {
            if on != Some(day) {
                continue;
            }
            let Ok(government) = self.demo_actor(&format!("{nis}@gemeente.test")).await else {
                continue;
            };
            let Ok(nis) = nis.parse() else { continue };
            let draft = self.adopt_model(&government, &nis).await?;
            let content = PolicyContent {
                contact_email: contact.into(),
                in_scope: scope.iter().map(|s| s.to_string()).collect(),
                ..draft.content
            };
            self.save_policy_draft(&government, &nis, content).await?;
            self.publish_policy(&government, &nis, expires_on).await?;
        }
        Ok(())
    }
}
