//! The demo's awareness events (VVSG's work package 3): a year of webinars, a session on
//! location and a tabletop exercise, replayed through the use cases on the days they happened:
//! VVSG announces each, governments register, attendance is recorded the day after. At the
//! demo's day two events are still to come, one full with a waiting list.

use crate::Services;
use crate::awareness::EventInput;
use crate::error::Result;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use cyberveilig_domain::awareness::{Audience, EventKind};
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_store::records::OrganisationFilter;

struct PlannedEvent {
    announced: NaiveDate,
    kind: EventKind,
    title: &'static str,
    description: &'static str,
    audience: &'static [Audience],
    /// Brussels time: day, hour, minute, and how long in minutes.
    starts: (NaiveDate, u32, u32),
    minutes: i64,
    place: Option<&'static str>,
    online: Option<&'static str>,
    capacity: i64,
    /// How many governments register, a week after the announcement.
    registrations: usize,
    /// Which of the registered cancel (by position), the day after they registered.
    cancels: &'static [usize],
}

fn brussels(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Brussels
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("a valid time"))
        .earliest()
        .expect("a time that exists in Brussels")
        .with_timezone(&Utc)
}

const PLAN: &[PlannedEvent] = &[
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2020, 9, 15).unwrap(),
        kind: EventKind::Webinar,
        title: "Phishing herkennen en melden",
        description: "Een uur voor alle medewerkers: hoe herkent u een phishingmail, wat doet u als u toch klikte, en waar meldt u het (intern en bij Safeonweb).\nMet voorbeelden uit lokale besturen en de bewustmakingskit van de toolkit.",
        audience: &[Audience::AllStaff, Audience::Ict],
        starts: (NaiveDate::from_ymd_opt(2020, 10, 6).unwrap(), 12, 0),
        minutes: 60,
        place: None,
        online: Some("https://webinar.vvsg.be/phishing-2020"),
        capacity: 150,
        registrations: 34,
        cancels: &[3],
    },
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2020, 12, 15).unwrap(),
        kind: EventKind::Webinar,
        title: "Informatieveiligheid voor mandatarissen",
        description: "Wat burgemeester, schepenen en raadsleden moeten weten: de verantwoordelijkheid van het bestuur, de vragen die u de organisatie stelt, en wat het programma van de Vlaamse overheid cofinanciert.",
        audience: &[Audience::MayorAndCouncil, Audience::GeneralDirector],
        starts: (NaiveDate::from_ymd_opt(2021, 1, 26).unwrap(), 19, 0),
        minutes: 90,
        place: None,
        online: Some("https://webinar.vvsg.be/mandatarissen-2021"),
        capacity: 200,
        registrations: 41,
        cancels: &[],
    },
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2021, 2, 9).unwrap(),
        kind: EventKind::Exercise,
        title: "Tabletopoefening: ransomware in het gemeentehuis",
        description: "Een crisisoefening aan tafel met het ransomwaredraaiboek van de toolkit: wie beslist wat, wie belt wie, wat zegt u aan de burger. Voor algemeen directeurs en ICT-verantwoordelijken; kleine groep.",
        audience: &[Audience::GeneralDirector, Audience::Ict],
        starts: (NaiveDate::from_ymd_opt(2021, 3, 16).unwrap(), 9, 30),
        minutes: 180,
        place: None,
        online: Some("https://webinar.vvsg.be/tabletop-ransomware"),
        capacity: 16,
        registrations: 21,
        cancels: &[2],
    },
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2021, 4, 13).unwrap(),
        kind: EventKind::Session,
        title: "Back-ups die werken: een namiddag in de praktijk",
        description: "Een sessie ter plaatse over back-ups die een ransomwareaanval overleven: de 3-2-1-regel, offline kopieën, en vooral: terugzetten oefenen. Met het back-upbeleid van de toolkit als vertrekpunt.",
        audience: &[Audience::Ict],
        starts: (NaiveDate::from_ymd_opt(2021, 5, 18).unwrap(), 13, 30),
        minutes: 180,
        place: Some("Provinciehuis Oost-Vlaanderen, Gouvernementstraat 1, 9000 Gent"),
        online: None,
        capacity: 40,
        registrations: 27,
        cancels: &[],
    },
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2021, 6, 1).unwrap(),
        kind: EventKind::Webinar,
        title: "Wachtwoorden en MFA voor iedereen",
        description: "Waarom lange wachtwoorden en een tweede factor het verschil maken, en hoe u ze invoert zonder uw medewerkers te verliezen. Met het wachtwoord- en MFA-beleid van de toolkit.",
        audience: &[Audience::AllStaff],
        starts: (NaiveDate::from_ymd_opt(2021, 6, 29).unwrap(), 12, 0),
        minutes: 60,
        place: None,
        online: Some("https://webinar.vvsg.be/mfa-2021"),
        capacity: 12,
        registrations: 16,
        cancels: &[5],
    },
    PlannedEvent {
        announced: NaiveDate::from_ymd_opt(2021, 6, 7).unwrap(),
        kind: EventKind::Session,
        title: "Een continuïteitsplan opstellen",
        description: "Een werksessie ter plaatse: u vertrekt met een eerste versie van het continuïteitsplan van uw bestuur, op basis van de sjabloon in de toolkit.",
        audience: &[Audience::GeneralDirector, Audience::Ict],
        starts: (NaiveDate::from_ymd_opt(2021, 9, 21).unwrap(), 9, 30),
        minutes: 210,
        place: Some("Provinciehuis Vlaams-Brabant, Provincieplein 1, 3010 Leuven"),
        online: None,
        capacity: 30,
        registrations: 6,
        cancels: &[],
    },
];

impl Services {
    /// The municipalities' demo accounts, spread over Flanders: every `step`-th from `offset`.
    async fn demo_municipalities(&self, count: usize, offset: usize) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        let all = tx
            .organisations(&OrganisationFilter {
                kind: Some(OrganisationKind::Gemeente),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        let codes: Vec<String> = all.iter().filter_map(|g| g.nis_code.as_ref().map(|n| n.to_string())).collect();
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let step = 7;
        Ok((0..count.min(codes.len()))
            .map(|i| codes[(offset + i * step) % codes.len()].clone())
            .collect())
    }

    /// What happens on `day` to the demo's awareness events; called by the replay every working day.
    pub(crate) async fn demo_awareness_day(&self, day: NaiveDate) -> Result<()> {
        for (n, planned) in PLAN.iter().enumerate() {
            let registration_day = planned.announced + Duration::days(7);
            let (start_day, hour, minute) = planned.starts;
            if day == planned.announced {
                let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
                let starts_at = brussels(start_day, hour, minute);
                self.create_awareness_event(
                    &vvsg,
                    EventInput {
                        kind: planned.kind,
                        title: planned.title.into(),
                        description: planned.description.into(),
                        audience: planned.audience.to_vec(),
                        starts_at,
                        ends_at: starts_at + Duration::minutes(planned.minutes),
                        place: planned.place.map(Into::into),
                        online_url: planned.online.map(Into::into),
                        capacity: planned.capacity,
                        registration_deadline: brussels(start_day - Duration::days(1), 17, 0),
                        open_to_others: false,
                    },
                )
                .await?;
            }
            let Some(id) = self.demo_event_id(planned.title).await? else {
                continue;
            };
            let governments = self.demo_municipalities(planned.registrations, n * 3).await?;
            if day == registration_day {
                for nis in &governments {
                    let person = self.demo_actor(&format!("{nis}@gemeente.test")).await?;
                    self.register_for_event(&person, id).await?;
                }
            }
            if day == registration_day + Duration::days(1) {
                for position in planned.cancels {
                    if let Some(nis) = governments.get(*position) {
                        let person = self.demo_actor(&format!("{nis}@gemeente.test")).await?;
                        self.cancel_registration(&person, id).await?;
                    }
                }
            }
            // Attendance the first working day after the event: four in five came.
            if day > start_day && day <= start_day + Duration::days(3) && !self.demo_attendance_recorded(id).await? {
                let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
                let registrants = self.event_registrants(&vvsg, id).await?;
                let attendance: Vec<(i64, bool)> = registrants
                    .iter()
                    .filter(|r| r.registration.state == cyberveilig_domain::awareness::RegistrationState::Registered)
                    .enumerate()
                    .map(|(i, r)| (r.registration.person_id, i % 5 != 4))
                    .collect();
                if !attendance.is_empty() {
                    self.record_attendance(&vvsg, id, &attendance).await?;
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn demo_event_id(&self, title: &str) -> Result<Option<i64>> {
        let mut tx = self.store.read().await?;
        let filter = cyberveilig_store::records::AwarenessEventFilter {
            around: None,
            past: false,
            after: None,
            limit: 50,
        };
        Ok(tx
            .awareness_events(&filter)
            .await?
            .into_iter()
            .find(|c| c.event.title == title)
            .map(|c| c.event.id))
    }

    async fn demo_attendance_recorded(&self, id: i64) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.registrants(id).await?.iter().any(|r| r.registration.attended.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_holds_together() {
        for planned in PLAN {
            assert!(
                planned.announced + Duration::days(8) < planned.starts.0,
                "{}: registrations before the event",
                planned.title
            );
            assert!(planned.place.is_some() || planned.online.is_some());
        }
    }
}
