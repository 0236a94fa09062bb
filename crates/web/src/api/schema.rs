//! What the OpenAPI document says of values the handlers read as text: the closed sets, taken
//! from the domain's own lists (so the document cannot drift from what the API accepts), their
//! filters, and D2's eligibility map. Fields name them with `value_type = ...`.

use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema that takes exactly `values`.
fn one_of<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .description(Some(description))
        .into()
}

macro_rules! closed_set {
    ($schema:ident, $name:literal, $description:literal, $values:expr) => {
        #[doc = $description]
        pub struct $schema;

        impl utoipa::PartialSchema for $schema {
            fn schema() -> RefOr<Schema> {
                one_of($values, $description)
            }
        }

        impl utoipa::ToSchema for $schema {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

use cyberveilig_domain::assessment::Rating;
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::attachment::AttachmentKind;
use cyberveilig_domain::awareness::{Audience, EventKind, RegistrationState};
use cyberveilig_domain::engagement::{TeamRole, Technique};
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::programme::Eligibility;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::report::{ReportState, TriageOutcome};
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};
use cyberveilig_domain::steering::{ActionStatus, SteeringRole};
use cyberveilig_services::remediation::export::ExportFormat;
use cyberveilig_services::store::records::RegisterSort;

closed_set!(
    EventKindName,
    "EventKind",
    "What kind of awareness event: a webinar, a session on location, an exercise.",
    EventKind::ALL.iter().map(|k| k.as_str())
);
closed_set!(
    AudienceName,
    "Audience",
    "Whom an event is for in a local government.",
    Audience::ALL.iter().map(|a| a.as_str())
);
closed_set!(
    RegistrationStateName,
    "RegistrationState",
    "Where a registration stands: a place, the waiting list, or cancelled.",
    RegistrationState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    SteeringRoleName,
    "SteeringRole",
    "A member's role in the steering group.",
    SteeringRole::ALL.iter().map(|r| r.as_str())
);
closed_set!(
    ClaimStateName,
    "ClaimState",
    "Where a cost claim on a project grant stands.",
    cyberveilig_domain::grant::ClaimState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    PlanStatusName,
    "PlanStatus",
    "Where an item of a project grant's action plan stands.",
    cyberveilig_domain::grant::PlanStatus::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    ToolkitKindName,
    "ToolkitKind",
    "What kind of toolkit item.",
    cyberveilig_domain::toolkit::ItemKind::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    ToolkitCategoryName,
    "ToolkitCategory",
    "Whether a toolkit item is for before (preventive) or during and after (curative) an incident.",
    cyberveilig_domain::toolkit::Category::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    VersionStateName,
    "VersionState",
    "Where a version of a toolkit item stands.",
    cyberveilig_domain::toolkit::VersionState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    StepStateName,
    "StepState",
    "A ticked step of a playbook's checklist.",
    cyberveilig_domain::toolkit::StepState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    UseKindName,
    "UseKind",
    "What an organisation did with a toolkit item.",
    cyberveilig_domain::toolkit::UseKind::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    ActionStatusName,
    "ActionStatus",
    "Where a steering group's action item stands.",
    ActionStatus::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    FindingStatusName,
    "FindingStatus",
    "A finding's status.",
    FindingStatus::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    DecisionName,
    "Decision",
    "The SSVC decision that sets a finding's priority and deadline.",
    Decision::ALL.iter().map(|d| d.as_str())
);
closed_set!(
    CriticalityName,
    "Criticality",
    "How much the mission and well-being depend on an asset.",
    MissionWellbeing::ALL.iter().map(|c| c.as_str())
);
closed_set!(
    ImportFormatName,
    "ImportFormat",
    "What an import read: a scanner's report format (nessus, openvas, nmap, sarif, zap-xml, zap-json, nuclei, burp, generic-csv, generic-json), or one finding the platform registered itself (report: a valid vulnerability report; exercise: a toolkit exercise's follow-up action).",
    cyberveilig_domain::source::ImportFormat::all().map(|f| f.as_str())
);
closed_set!(
    FindingToolName,
    "FindingTool",
    "The family a finding comes from: a scanner's (nessus, openvas, nmap, sarif, zap, nuclei, burp, generic), a valid vulnerability report, an ethical hacking engagement, a toolkit exercise, or the baseline scan.",
    cyberveilig_domain::source::FindingTool::all().map(|t| t.as_str())
);
closed_set!(
    SeverityName,
    "Severity",
    "A finding's severity.",
    cyberveilig_domain::severity::Severity::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    ReportStateName,
    "ReportState",
    "The state of a disclosure report.",
    ReportState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    OrderStateName,
    "OrderState",
    "The state of an order.",
    OrderState::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    OrderKindName,
    "OrderKind",
    "A basic audit or additional work.",
    [OrderKind::Basic, OrderKind::Additional].iter().map(|k| k.as_str())
);
closed_set!(
    OrganisationKindName,
    "OrganisationKind",
    "The kind of an organisation.",
    OrganisationKind::ALL.iter().map(|k| k.as_str())
);
closed_set!(
    RatingName,
    "Rating",
    "A control's rating in an assessment.",
    Rating::ALL.iter().map(|r| r.as_str())
);
closed_set!(
    TechniqueName,
    "Technique",
    "A technique an engagement may use.",
    Technique::ALL.iter().map(|t| t.as_str())
);
closed_set!(
    TeamRoleName,
    "TeamRole",
    "A team member's role in an engagement.",
    [TeamRole::Student, TeamRole::Supervisor].iter().map(|r| r.as_str())
);
closed_set!(
    ExportFormatName,
    "ExportFormat",
    "The file format of an export.",
    ExportFormat::ALL.iter().map(|f| f.extension())
);
closed_set!(
    RegisterSortName,
    "RegisterSort",
    "The order of the findings register.",
    RegisterSort::ALL.iter().map(|s| s.as_str())
);
closed_set!(
    TriageOutcomeName,
    "TriageOutcome",
    "What triage found a report to be.",
    TriageOutcome::ALL.iter().map(|o| o.as_str())
);

/// D2's eligibility by organisation kind: `{"gemeente": "co_financed", ...}`.
pub struct EligibilityByKind;

impl utoipa::PartialSchema for EligibilityByKind {
    fn schema() -> RefOr<Schema> {
        let kinds: Vec<&str> = OrganisationKind::ALL.iter().map(|k| k.as_str()).collect();
        // As the API reads them: their serde names.
        let eligibility: Vec<String> = Eligibility::ALL
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok()?.as_str().map(str::to_owned))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(kinds))))
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(eligibility))))
            .description(Some(
                "D2: whether each kind of organisation is co-financed, may only order, or is not eligible.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for EligibilityByKind {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EligibilityByKind")
    }
}
closed_set!(
    AssetKindName,
    "AssetKind",
    "What an asset is.",
    AssetKind::ALL.iter().map(|k| k.as_str())
);
closed_set!(
    AttachmentKindName,
    "AttachmentKind",
    "What an attachment's content is.",
    AttachmentKind::ALL.iter().map(|k| k.as_str())
);

/// A closed set's schema that also takes the empty string, for "any".
fn or_empty<T: utoipa::PartialSchema>() -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        if let Some(values) = &mut object.enum_values {
            values.insert(0, "".into());
        }
        let described = object.description.take().unwrap_or_default();
        object.description = Some(format!("{described} Empty for any."));
    }
    schema
}

/// Query filters over closed sets: one of the set's values, or empty for any (as a form sends
/// an unchosen select).
macro_rules! filter {
    ($($filter:ident: $set:ident),* $(,)?) => {$(
        pub struct $filter;

        impl utoipa::PartialSchema for $filter {
            fn schema() -> RefOr<Schema> {
                or_empty::<$set>()
            }
        }

        impl utoipa::ToSchema for $filter {
            fn name() -> Cow<'static, str> {
                Cow::Owned(format!("{}Filter", <$set as utoipa::ToSchema>::name()))
            }
        }
    )*};
}

filter!(
    FindingStatusFilter: FindingStatusName,
    DecisionFilter: DecisionName,
    SeverityFilter: SeverityName,
    RegisterSortFilter: RegisterSortName,
    ExportFormatFilter: ExportFormatName,
    ReportStateFilter: ReportStateName,
    OrderStateFilter: OrderStateName,
    OrganisationKindFilter: OrganisationKindName,
);
