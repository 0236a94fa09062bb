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

/// (day, NIS code, contact, scope items, last day of the security.txt)
fn plan() -> [(
    Option<NaiveDate>,
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<NaiveDate>,
); 3] {
    [
        (
            date(2020, 7, 20),
            "24062",
            "security@leuven.test",
            &["www.leuven.test", "e-loket.leuven.test"],
            date(2021, 7, 1),
        ),
        (
            date(2020, 11, 16),
            "44021",
            "cert@stad.gent.test",
            &["stad.gent.test", "mijn.gent.test", "data.stad.gent.test"],
            None,
        ),
        (
            date(2021, 2, 1),
            "31005",
            "informatieveiligheid@brugge.test",
            &["www.brugge.test"],
            None,
        ),
    ]
}

impl Services {
    /// What VVSG and the demo governments do about disclosure on `day` of the history.
    pub(crate) async fn demo_disclosure_day(&self, day: NaiveDate) -> Result<()> {
        if Some(day) == date(2020, 7, 1) {
            let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
            self.publish_model(&vvsg).await?;
        }
        for (on, nis, contact, scope, expires_on) in plan() {
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
