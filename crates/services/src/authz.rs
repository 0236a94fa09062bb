//! Who may do what: one module decides every access (docs/SECURITY.md).

use cyberveilig_domain::registry::Role;
use cyberveilig_domain::steering::SteeringRole;
use cyberveilig_store::records::{Order, Organisation, ProjectGrant};

/// A signed-in person, as every use case sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person_id: i64,
    pub email: String,
    pub role: Role,
    pub organisation_id: i64,
    pub language: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Permission<'a> {
    ViewProgrammes,
    ManageProgrammes,
    ViewOrganisations,
    ManageAgreements,
    /// Loading control catalogues from library files.
    ManageCatalogues,
    ListOrders,
    OrderFor(&'a Organisation),
    ViewOrder(&'a Order),
    AnswerOffer(&'a Order),
    WorkOnOrder(&'a Order),
    /// Recording results (reports, assessments): the firm of the order, or an administrator.
    RecordResults(&'a Order),
    SettleOrder(&'a Order),
    CancelOrder(&'a Order),
    ConfirmOrder(&'a Order),
    ReopenOrder(&'a Order),
    ViewAuditLog,
    /// The programme's figures at any day, its dashboards and the answer to Parliament.
    ViewFigures,
    /// Inviting someone to an organisation in a role.
    InvitePerson(&'a Organisation, Role),
    /// The people of one organisation, or (`None`) of all.
    ViewPeopleOf(Option<i64>),
    ReadOutbox,
    /// Editing and publishing a government's disclosure policy: its own members.
    EditDisclosurePolicy(&'a Organisation),
    /// Editing and publishing VVSG's model disclosure policy: the association's members.
    EditModelPolicy,
    /// Seeing the steering group, its meetings and reports: its members (with their role in the
    /// group, `None` for anyone else) and the administrators (ST-1).
    ViewSteeringGroup(Option<SteeringRole>),
    /// Keeping the steering group's records: its chair and secretary, and the administrators (ST-2).
    KeepSteeringRecords(Option<SteeringRole>),
    /// Who is a member of the steering group, in which role: the administrators (ST-1).
    ManageSteeringGroup,
    /// A project grant's workspace (its plan, claims and reports): the beneficiary's members and
    /// the administrators (GR-1).
    ViewGrant(&'a ProjectGrant),
    /// The plan, claims and progress reports are made by the beneficiary's members (GR-1).
    WorkOnGrant(&'a ProjectGrant),
    /// Deciding on and paying claims, reviewing reports: the administrators (GR-1).
    SuperviseGrant,
    /// A government's baseline scan (its systems, verdicts, scores, scans and explanations): its
    /// members and the administrators (issue 16).
    ViewBaseline(i64),
    /// Registering systems, asking for a scan, pausing and explaining: the same people.
    ManageBaseline(i64),
    /// Every government's baseline, the decisions on explanations and the public overview: the
    /// administrators.
    SuperviseBaseline,
}

pub fn can(actor: &Actor, permission: Permission<'_>) -> bool {
    use Permission as P;
    use Role as R;
    let admin = actor.role == R::ProgrammeAdmin;
    let member_of = |org_id: i64| actor.organisation_id == org_id;
    let government_member = |order: &Order| actor.role == R::GovernmentMember && member_of(order.government_id);
    let firm_member = |order: &Order| actor.role == R::FirmMember && order.firm_id.is_some_and(member_of);
    match permission {
        P::ViewProgrammes | P::ViewOrganisations => true,
        P::ManageProgrammes | P::ManageAgreements | P::ManageCatalogues | P::ViewAuditLog | P::ViewFigures => admin,
        P::ListOrders => matches!(actor.role, R::ProgrammeAdmin | R::GovernmentMember | R::FirmMember),
        P::OrderFor(government) => admin || (actor.role == R::GovernmentMember && member_of(government.id)),
        P::ViewOrder(order) => admin || government_member(order) || firm_member(order),
        P::AnswerOffer(order) | P::WorkOnOrder(order) => firm_member(order),
        P::RecordResults(order) => admin || firm_member(order),
        P::SettleOrder(_) | P::ReopenOrder(_) => admin,
        P::CancelOrder(order) | P::ConfirmOrder(order) => admin || government_member(order),
        P::InvitePerson(organisation, role) => {
            admin || (actor.role == R::GovernmentMember && role == R::GovernmentMember && member_of(organisation.id))
        }
        P::ViewPeopleOf(organisation) => admin || organisation.is_some_and(member_of),
        P::ReadOutbox => admin,
        P::EditDisclosurePolicy(government) => {
            actor.role == R::GovernmentMember && member_of(government.id) && government.kind.is_local_government()
        }
        P::EditModelPolicy => actor.role == R::AssociationMember,
        P::ViewSteeringGroup(role) => admin || role.is_some(),
        P::KeepSteeringRecords(role) => admin || role.is_some_and(SteeringRole::keeps_records),
        P::ManageSteeringGroup => admin,
        P::ViewGrant(grant) => admin || (actor.role == R::AssociationMember && member_of(grant.beneficiary_id)),
        P::WorkOnGrant(grant) => actor.role == R::AssociationMember && member_of(grant.beneficiary_id),
        P::SuperviseGrant => admin,
        P::ViewBaseline(government) | P::ManageBaseline(government) => {
            admin || (actor.role == R::GovernmentMember && member_of(government))
        }
        P::SuperviseBaseline => admin,
    }
}

/// Who may ever ask for an action, whatever it is asked on (issue 10, item 13): anyone else is
/// refused with 403 before their request is even read. [`can`] still decides for the resource.
pub mod gates {
    use cyberveilig_domain::registry::Role;

    /// Programmes, agreements, settling, catalogues, threat intelligence, signatories, the clock.
    pub const ADMINISTRATORS: &[Role] = &[Role::ProgrammeAdmin];
    /// Ordering, cancelling and confirming orders; owners and criticality of a government's
    /// findings and assets; a report into the register.
    pub const GOVERNMENTS_AND_ADMINISTRATORS: &[Role] = &[Role::ProgrammeAdmin, Role::GovernmentMember];
    /// Answering an offer and the steps of the work.
    pub const FIRMS: &[Role] = &[Role::FirmMember];
    /// Results: imports, assessments, the remediation day's record.
    pub const FIRMS_AND_ADMINISTRATORS: &[Role] = &[Role::ProgrammeAdmin, Role::FirmMember];
    /// A finding's remediation steps.
    pub const REMEDIATION: &[Role] = &[Role::ProgrammeAdmin, Role::GovernmentMember, Role::FirmMember];
    /// A government's own disclosure policy; accepting an engagement's letter.
    pub const GOVERNMENTS: &[Role] = &[Role::GovernmentMember];
    /// VVSG's model policy.
    pub const ASSOCIATION: &[Role] = &[Role::AssociationMember];
    /// Proposing and changing engagements.
    pub const COORDINATORS: &[Role] = &[Role::ProgrammeAdmin, Role::AssociationMember];
    /// Withdrawing an engagement: the coordinators, the government, the team's supervisor.
    pub const ENGAGEMENT_PARTIES: &[Role] = &[
        Role::ProgrammeAdmin,
        Role::AssociationMember,
        Role::GovernmentMember,
        Role::Researcher,
    ];
    /// A team's findings.
    pub const RESEARCHERS: &[Role] = &[Role::Researcher];
}

/// Which orders a list shows the actor: admins all, a government its own, a firm those offered
/// to or placed with it.
pub fn order_scope(actor: &Actor) -> Option<OrderScope> {
    match actor.role {
        Role::ProgrammeAdmin => Some(OrderScope::All),
        Role::GovernmentMember => Some(OrderScope::Government(actor.organisation_id)),
        Role::FirmMember => Some(OrderScope::Firm(actor.organisation_id)),
        Role::AssociationMember | Role::Researcher => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderScope {
    All,
    Government(i64),
    Firm(i64),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use cyberveilig_domain::order::{OrderKind, OrderState};
    use cyberveilig_domain::{Money, Rate};

    const GENT: i64 = 10;
    const AALST: i64 = 11;
    const EY: i64 = 20;
    const DELOITTE: i64 = 21;

    fn actor(role: Role, organisation_id: i64) -> Actor {
        Actor {
            person_id: 1,
            email: "x@y.test".into(),
            role,
            organisation_id,
            language: "nl".into(),
        }
    }

    fn order_of_gent_offered_to_ey() -> Order {
        let day = NaiveDate::from_ymd_opt(2020, 5, 18).unwrap();
        Order {
            id: 1,
            programme_id: 1,
            government_id: GENT,
            kind: OrderKind::Basic,
            scope: String::new(),
            estimated_cost: None,
            rate: Rate::new(2, 3).unwrap(),
            state: OrderState::Offered,
            agreement_id: Some(1),
            cascade_rank: Some(1),
            firm_id: Some(EY),
            offered_on: Some(day),
            response_due_on: Some(day),
            price: None,
            planned_start_on: None,
            accepted_on: None,
            delivered_on: None,
            remediation_day_on: None,
            invoice_number: None,
            invoiced: None,
            reserved: Money::ZERO,
            paid: Money::ZERO,
            submitted_on: day,
            submitted_at: Utc::now(),
            submitted_by: 1,
            updated_at: Utc::now(),
        }
    }

    /// The gates let through every role [`can`] allows something of the kind.
    #[test]
    fn the_gates_hold_everyone_can_allows() {
        let order = order_of_gent_offered_to_ey();
        let mut placed_with_ey = order.clone();
        placed_with_ey.state = OrderState::Accepted;
        for role in [
            Role::ProgrammeAdmin,
            Role::GovernmentMember,
            Role::FirmMember,
            Role::AssociationMember,
            Role::Researcher,
        ] {
            for org in [GENT, EY] {
                let a = actor(role, org);
                let check = |allowed: bool, gate: &[Role], what: &str| {
                    assert!(!allowed || gate.contains(&role), "{role:?} may {what} but the gate refuses it");
                };
                check(can(&a, Permission::ManageProgrammes), gates::ADMINISTRATORS, "manage programmes");
                check(can(&a, Permission::ManageAgreements), gates::ADMINISTRATORS, "manage agreements");
                check(can(&a, Permission::ManageCatalogues), gates::ADMINISTRATORS, "load catalogues");
                check(can(&a, Permission::SettleOrder(&order)), gates::ADMINISTRATORS, "settle");
                check(can(&a, Permission::ReopenOrder(&order)), gates::ADMINISTRATORS, "reopen");
                check(
                    can(&a, Permission::CancelOrder(&order)),
                    gates::GOVERNMENTS_AND_ADMINISTRATORS,
                    "cancel",
                );
                check(
                    can(&a, Permission::ConfirmOrder(&order)),
                    gates::GOVERNMENTS_AND_ADMINISTRATORS,
                    "confirm",
                );
                check(can(&a, Permission::AnswerOffer(&order)), gates::FIRMS, "answer an offer");
                check(can(&a, Permission::WorkOnOrder(&placed_with_ey)), gates::FIRMS, "work on an order");
                check(
                    can(&a, Permission::RecordResults(&placed_with_ey)),
                    gates::FIRMS_AND_ADMINISTRATORS,
                    "record results",
                );
                check(can(&a, Permission::EditModelPolicy), gates::ASSOCIATION, "edit the model policy");
            }
        }
    }

    #[test]
    fn the_order_matrix() {
        let order = order_of_gent_offered_to_ey();
        let cases = [
            (actor(Role::ProgrammeAdmin, 1), [true, false, true, true, true]),
            (actor(Role::GovernmentMember, GENT), [true, false, false, true, true]),
            (actor(Role::GovernmentMember, AALST), [false, false, false, false, false]),
            (actor(Role::FirmMember, EY), [true, true, false, false, false]),
            (actor(Role::FirmMember, DELOITTE), [false, false, false, false, false]),
            (actor(Role::AssociationMember, 30), [false, false, false, false, false]),
            (actor(Role::Researcher, 31), [false, false, false, false, false]),
        ];
        for (who, [view, answer, settle, cancel, confirm]) in cases {
            assert_eq!(can(&who, Permission::ViewOrder(&order)), view, "view {who:?}");
            assert_eq!(can(&who, Permission::AnswerOffer(&order)), answer, "answer {who:?}");
            assert_eq!(can(&who, Permission::SettleOrder(&order)), settle, "settle {who:?}");
            assert_eq!(can(&who, Permission::CancelOrder(&order)), cancel, "cancel {who:?}");
            assert_eq!(can(&who, Permission::ConfirmOrder(&order)), confirm, "confirm {who:?}");
        }
    }

    #[test]
    fn who_invites_whom() {
        let org = |id, kind| Organisation {
            id,
            kind,
            name: String::new(),
            nis_code: None,
            kbo_number: None,
            province_nis: None,
        };
        use cyberveilig_domain::registry::OrganisationKind as K;
        let gent = org(GENT, K::Gemeente);
        let ey = org(EY, K::AuditFirm);
        let admin = actor(Role::ProgrammeAdmin, 1);
        assert!(can(&admin, Permission::InvitePerson(&ey, Role::FirmMember)));
        assert!(can(&admin, Permission::InvitePerson(&gent, Role::GovernmentMember)));
        assert!(can(
            &actor(Role::GovernmentMember, GENT),
            Permission::InvitePerson(&gent, Role::GovernmentMember)
        ));
        assert!(!can(
            &actor(Role::GovernmentMember, GENT),
            Permission::InvitePerson(&gent, Role::ProgrammeAdmin)
        ));
        assert!(!can(
            &actor(Role::GovernmentMember, AALST),
            Permission::InvitePerson(&gent, Role::GovernmentMember)
        ));
        assert!(!can(&actor(Role::FirmMember, EY), Permission::InvitePerson(&ey, Role::FirmMember)));
        assert!(can(&admin, Permission::ViewPeopleOf(None)));
        assert!(can(&actor(Role::GovernmentMember, GENT), Permission::ViewPeopleOf(Some(GENT))));
        assert!(!can(&actor(Role::GovernmentMember, GENT), Permission::ViewPeopleOf(Some(AALST))));
        assert!(!can(&actor(Role::GovernmentMember, GENT), Permission::ViewPeopleOf(None)));
        assert!(can(&admin, Permission::ReadOutbox));
        assert!(!can(&actor(Role::FirmMember, EY), Permission::ReadOutbox));
    }

    #[test]
    fn a_government_orders_only_for_itself() {
        let gent = Organisation {
            id: GENT,
            kind: cyberveilig_domain::registry::OrganisationKind::Gemeente,
            name: "Gent".into(),
            nis_code: None,
            kbo_number: None,
            province_nis: None,
        };
        assert!(can(&actor(Role::GovernmentMember, GENT), Permission::OrderFor(&gent)));
        assert!(!can(&actor(Role::GovernmentMember, AALST), Permission::OrderFor(&gent)));
        assert!(!can(&actor(Role::FirmMember, EY), Permission::OrderFor(&gent)));
        assert!(can(&actor(Role::ProgrammeAdmin, 1), Permission::OrderFor(&gent)));
    }

    #[test]
    fn a_government_sees_and_manages_only_its_own_baseline() {
        for p in [Permission::ViewBaseline(GENT), Permission::ManageBaseline(GENT)] {
            assert!(can(&actor(Role::GovernmentMember, GENT), p));
            assert!(!can(&actor(Role::GovernmentMember, AALST), p));
            assert!(!can(&actor(Role::FirmMember, EY), p));
            assert!(can(&actor(Role::ProgrammeAdmin, 1), p));
        }
        assert!(!can(&actor(Role::GovernmentMember, GENT), Permission::SuperviseBaseline));
        assert!(can(&actor(Role::ProgrammeAdmin, 1), Permission::SuperviseBaseline));
    }
}
