//! The demo's steering group of VVSG's action plan: eight members (ABB, VVSG, Howest and people of
//! Gent, Antwerpen, Kortrijk and Brugge), three meetings held (09/06/2020, 08/12/2020,
//! 08/06/2021) with their agenda, minutes, decisions and action items, the first two meetings'
//! minutes approved at the next, and a fourth meeting coming on 07/12/2021. Replayed through the
//! use cases on the days it happened.

use crate::Services;
use crate::auth::hash_password;
use crate::demo::DEMO_PASSWORD;
use crate::error::{Result, ServiceError};
use crate::registry::named;
use crate::steering::{ActionInput, MeetingInput};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cyberveilig_domain::registry::{OrganisationKind, Role};
use cyberveilig_domain::steering::{ActionStatus, SteeringRole};
use cyberveilig_store::records::NewPerson;

const CHAIR: &str = "voorzitter.stuurgroep@vvsg.test";
const SECRETARY: &str = "vvsg@vvsg.test";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn brussels(on: NaiveDate, hour: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Brussels
        .from_local_datetime(&on.and_hms_opt(hour, 0, 0).expect("a valid time"))
        .earliest()
        .expect("a time that exists in Brussels")
        .with_timezone(&Utc)
}

/// Who sits in the group: their account, their role in it.
const MEMBERS: [(&str, SteeringRole); 8] = [
    (CHAIR, SteeringRole::Chair),
    (SECRETARY, SteeringRole::Secretary),
    ("admin@abb.test", SteeringRole::Member),
    ("docent@howest.test", SteeringRole::Member),
    ("44021@gemeente.test", SteeringRole::Member),
    ("11002@gemeente.test", SteeringRole::Member),
    ("directeur.34022@gemeente.test", SteeringRole::Member),
    ("directeur.31005@gemeente.test", SteeringRole::Member),
];

struct Meeting {
    planned: NaiveDate,
    title: &'static str,
    on: NaiveDate,
    hour: u32,
    place: &'static str,
    agenda: &'static [&'static str],
    /// The day after the meeting the secretary writes the minutes and records what was decided.
    minutes: &'static str,
    decisions: &'static [&'static str],
    /// Title, owner's account, due date.
    actions: &'static [(&'static str, &'static str, (i32, u32, u32))],
}

const MEETINGS: &[Meeting] = &[
    Meeting {
        planned: day_const(2020, 5, 12),
        title: "Eerste stuurgroep: de start van het actieplan",
        on: day_const(2020, 6, 9),
        hour: 10,
        place: "VVSG, Bischoffsheimlaan 1-8, Brussel",
        agenda: &[
            "Verwelkoming en kennismaking",
            "Het actieplan en de subsidie van de Vlaamse overheid",
            "Werkpakket 1: de digitale toolkit",
            "Werkpakket 2: het kader voor ethische hackers met Howest",
            "Werkpakket 3: de bewustmakingsevenementen",
            "Planning en volgende vergadering",
        ],
        minutes: "## Aanwezig\n\nAlle leden.\n\n## Verslag\n\nDe voorzitter licht het actieplan toe: een subsidie van **€ 179.541,27** voor twee jaar vanaf 1 mei 2020, in drie werkpakketten.\n\n- De toolkit begint met een zelfevaluatie en modelbeleid.\n- Howest stelt een kader voor ethisch hacken voor.\n- De eerste webinar gaat in het najaar door.\n\nDe stuurgroep komt twee keer per jaar samen.",
        decisions: &[
            "De stuurgroep keurt het actieplan en zijn planning goed.",
            "De toolkit wordt eerst voor gemeenten en OCMW's gemaakt; de andere lokale besturen volgen.",
        ],
        actions: &[
            (
                "Voorstel van kader voor ethisch hacken bezorgen",
                "docent@howest.test",
                (2020, 10, 31),
            ),
            ("Inhoudstafel van de toolkit rondsturen", SECRETARY, (2020, 9, 15)),
            (
                "Cijfers van de cofinanciering per provincie toelichten",
                "admin@abb.test",
                (2020, 11, 30),
            ),
        ],
    },
    Meeting {
        planned: day_const(2020, 11, 17),
        title: "Tweede stuurgroep: stand na zes maanden",
        on: day_const(2020, 12, 8),
        hour: 14,
        place: "Online (videovergadering)",
        agenda: &[
            "Goedkeuring van de notulen van 9 juni 2020",
            "Stand van de toolkit",
            "Eerste opdrachten van ethische hackers",
            "Bereik van de webinar over phishing",
            "Cofinanciering van audits: stand van het budget",
            "Varia",
        ],
        minutes: "## Aanwezig\n\nAlle leden; de vertegenwoordiger van Antwerpen is verontschuldigd.\n\n## Verslag\n\nDe notulen van 9 juni 2020 worden goedgekeurd.\n\n- De zelfevaluatie van de toolkit is klaar; het modelbeleid volgt.\n- Howest start met twee teams bij lokale besturen die zich kandidaat stelden.\n- De webinar over phishing bereikte medewerkers uit tientallen besturen.",
        decisions: &[
            "De evenementen gaan online door zolang de coronamaatregelen gelden.",
            "Howest werkt alleen met een door het bestuur aanvaarde opdrachtbrief.",
        ],
        actions: &[
            ("Tabletopoefening over ransomware voorbereiden", SECRETARY, (2021, 3, 1)),
            (
                "Resultaten van de eerste opdrachten samenvatten",
                "docent@howest.test",
                (2021, 5, 31),
            ),
        ],
    },
    Meeting {
        planned: day_const(2021, 5, 18),
        title: "Derde stuurgroep: het eerste jaar",
        on: day_const(2021, 6, 8),
        hour: 10,
        place: "Stadhuis Kortrijk, Grote Markt 54, Kortrijk",
        agenda: &[
            "Goedkeuring van de notulen van 8 december 2020",
            "Het eerste jaar van het actieplan: verslag aan de Vlaamse overheid",
            "Gebruik van de toolkit",
            "Evenementen van het najaar",
            "Ethisch hacken: lessen uit de opdrachten",
            "Varia",
        ],
        minutes: "## Aanwezig\n\nAlle leden.\n\n## Verslag\n\nDe notulen van 8 december 2020 worden goedgekeurd.\n\n- Het verslag over het eerste jaar gaat eind juni naar ABB.\n- De tabletopoefening was volzet; er komt een tweede sessie.",
        decisions: &["Er komt in het najaar een tweede tabletopoefening over ransomware."],
        actions: &[
            ("Verslag over het eerste jaar indienen bij ABB", CHAIR, (2021, 6, 30)),
            (
                "Datum en plaats van de tweede tabletopoefening voorstellen",
                SECRETARY,
                (2021, 9, 1),
            ),
        ],
    },
    Meeting {
        planned: day_const(2021, 6, 10),
        title: "Vierde stuurgroep",
        on: day_const(2021, 12, 7),
        hour: 10,
        place: "VVSG, Bischoffsheimlaan 1-8, Brussel",
        agenda: &[
            "Goedkeuring van de notulen van 8 juni 2021",
            "Stand van de werkpakketten",
            "Het laatste halfjaar van het actieplan",
            "Varia",
        ],
        minutes: "",
        decisions: &[],
        actions: &[],
    },
];

/// The steering group's action items that follow up an item of the action plan.
const PLAN_LINKS: &[(&str, &str)] = &[
    ("Inhoudstafel van de toolkit rondsturen", "Inhoud van de toolkit bepalen"),
    (
        "Tabletopoefening over ransomware voorbereiden",
        "Tabletopoefening ransomware organiseren",
    ),
    (
        "Verslag over het eerste jaar indienen bij ABB",
        "Voortgangsrapport per halfjaar indienen bij ABB",
    ),
];

const fn day_const(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("a valid date"),
    }
}

/// An action item its owner closes: meeting index, item index, on, status.
type Move = (usize, usize, (i32, u32, u32), ActionStatus);

const MOVES: &[Move] = &[
    (0, 1, (2020, 9, 14), ActionStatus::Done),
    (0, 0, (2020, 10, 27), ActionStatus::Done),
    (0, 2, (2020, 12, 9), ActionStatus::Done),
    (1, 0, (2021, 2, 23), ActionStatus::Done),
];

impl Services {
    /// The steering group's part of a demo day.
    pub(crate) async fn demo_steering_day(&self, today: NaiveDate) -> Result<()> {
        if today == day(2020, 5, 11) {
            self.demo_steering_members().await?;
        }
        for (n, m) in MEETINGS.iter().enumerate() {
            if today == m.planned {
                let secretary = self.demo_actor(SECRETARY).await?;
                self.plan_steering_meeting(
                    &secretary,
                    MeetingInput {
                        title: m.title.into(),
                        starts_at: brussels(m.on, m.hour),
                        place: m.place.into(),
                        agenda: m.agenda.iter().map(|a| (*a).to_owned()).collect(),
                    },
                )
                .await?;
            }
            if m.minutes.is_empty() || today != m.on.succ_opt().expect("a next day") {
                continue;
            }
            let secretary = self.demo_actor(SECRETARY).await?;
            let meetings = self.steering_meetings(&secretary, None, 50).await?;
            let Some(meeting) = meetings.iter().find(|x| x.title == m.title) else {
                continue;
            };
            // The minutes of the meeting before are approved at this one.
            if n > 0
                && let Some(before) = meetings.iter().find(|x| x.title == MEETINGS[n - 1].title)
            {
                self.approve_steering_minutes(&secretary, before.id).await?;
            }
            self.write_steering_minutes(&secretary, meeting.id, m.minutes).await?;
            for decision in m.decisions {
                self.record_steering_decision(&secretary, meeting.id, decision).await?;
            }
            let members = self.steering_members(&secretary).await?;
            let mut plan = Vec::new();
            for grant in self.grant_workspaces(&secretary).await? {
                plan.extend(self.plan_items_of(&secretary, grant.id).await?);
            }
            for (title, owner, (y, mo, d)) in m.actions {
                let plan_item_id = PLAN_LINKS
                    .iter()
                    .find(|(action, _)| action == title)
                    .and_then(|(_, item)| plan.iter().find(|p| p.title == *item))
                    .map(|p| p.id);
                let owner = self.demo_actor(owner).await?;
                let Some(member) = members.iter().find(|x| x.person_id == owner.person_id) else {
                    continue;
                };
                self.give_steering_action(
                    &secretary,
                    meeting.id,
                    ActionInput {
                        title: (*title).into(),
                        owner_id: member.id,
                        due_on: day(*y, *mo, *d),
                        plan_item_id,
                    },
                )
                .await?;
            }
        }
        for (meeting, item, (y, m, d), status) in MOVES {
            if today != day(*y, *m, *d) {
                continue;
            }
            let (title, owner, _) = MEETINGS[*meeting].actions[*item];
            let owner = self.demo_actor(owner).await?;
            let actions = self.steering_actions(&owner).await?;
            if let Some(action) = actions.iter().find(|a| a.title == title) {
                self.set_steering_action_status(&owner, action.id, *status).await?;
            }
        }
        Ok(())
    }

    /// VVSG's chair of the group gets an account, and the administrator makes the members.
    async fn demo_steering_members(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        if tx.person_by_email(&address(CHAIR)?).await?.is_none() {
            let vvsg = named(tx.as_mut(), OrganisationKind::Association, "VVSG").await?;
            tx.insert_person(&NewPerson {
                organisation_id: vvsg.id,
                email: address(CHAIR)?,
                name: "Stafdirecteur VVSG (voorzitter stuurgroep)".into(),
                role: Role::AssociationMember,
                password_hash: hash_password(DEMO_PASSWORD)?,
                language: "nl".into(),
            })
            .await?;
        }
        tx.commit().await?;
        let admin = self.demo_actor("admin@abb.test").await?;
        for (account, role) in MEMBERS {
            let Ok(person) = self.demo_actor(account).await else { continue };
            self.set_steering_member(&admin, person.person_id, role).await?;
        }
        Ok(())
    }
}

fn address(text: &str) -> Result<cyberveilig_domain::registry::EmailAddress> {
    text.parse()
        .map_err(|_| ServiceError::internal("demo_data", format!("bad demo address {text}")))
}
