//! Every kind of event the services record in the audit log (D10), in one list. `Work::record`
//! takes only these, so no use case can record a kind the list lacks, and the portal's timelines
//! hold each kind to a sentence in Dutch and English (a test in the web crate walks [`Action::ALL`]).

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A kind of event, as stored in the audit log's `action` column.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every kind, in the order of this list.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The kind as stored: `subject.what_happened`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $text,)*
                }
            }
        }
    };
}

actions! {
    // The programme, its agreements and grants.
    ProgrammeCreated = "programme.created",
    ProgrammeAmended = "programme.amended",
    ProjectGrantCreated = "project_grant.created",
    FrameworkAgreementRegistered = "framework_agreement.registered",
    FrameworkAgreementActivated = "framework_agreement.activated",

    // An order's life (section 2.1).
    OrderSubmitted = "order.submitted",
    /// D8: a basic audit waits for credit.
    OrderWaitlisted = "order.waitlisted",
    /// D8: credit released reached a waiting order.
    OrderFunded = "order.funded",
    /// D8: additional work got a capped share; the government confirms.
    OrderAwaitingConfirmation = "order.awaiting_confirmation",
    /// D4: the agreement in force is not active yet.
    OrderAwaitingFramework = "order.awaiting_framework",
    OrderOffered = "order.offered",
    OrderAccepted = "order.accepted",
    /// D7: the firm quoted additional work above the government's estimate.
    OrderQuoted = "order.quoted",
    /// D7: the government confirmed the firm's quote above its estimate.
    OrderPriceConfirmed = "order.price_confirmed",
    OrderDeclined = "order.declined",
    /// D5: the offer was not answered in time.
    OrderExpired = "order.expired",
    /// D8: the government goes ahead with a capped share.
    OrderConfirmed = "order.confirmed",
    OrderUnplaceable = "order.unplaceable",
    OrderReopened = "order.reopened",
    OrderResultsImported = "order.results_imported",
    /// D11: the firm attached the audit report (a PDF).
    OrderAuditReportUploaded = "order.audit_report_uploaded",
    OrderDelivered = "order.delivered",
    OrderRemediationDayRecorded = "order.remediation_day_recorded",
    OrderRemediationDayHeld = "order.remediation_day_held",
    OrderInvoiced = "order.invoiced",
    OrderSettled = "order.settled",
    OrderCancelled = "order.cancelled",

    // Audit results.
    AssessmentStarted = "assessment.started",
    AssessmentRated = "assessment.rated",
    CatalogueLoaded = "catalogue.loaded",
    IntelLoaded = "intel.loaded",
    AssetCriticalitySet = "asset.criticality_set",
    FindingStatusChanged = "finding.status_changed",
    FindingOwnerSet = "finding.owner_set",
    FindingFromReport = "finding.from_report",
    FindingFromEngagement = "finding.from_engagement",

    // The continuous baseline scan (issue 16).
    BaselineSystemRegistered = "baseline.system_registered",
    BaselineSystemRemoved = "baseline.system_removed",
    BaselineScanRequested = "baseline.scan_requested",
    BaselinePaused = "baseline.paused",
    BaselineScanned = "baseline.scanned",
    BaselineExplained = "baseline.explained",
    BaselineExplanationDecided = "baseline.explanation_decided",
    BaselinePublicationSet = "baseline.publication_set",

    // Disclosure policies.
    DisclosureDraftSaved = "disclosure.draft_saved",
    DisclosurePublished = "disclosure.published",
    DisclosureModelDraftSaved = "disclosure.model_draft_saved",
    DisclosureModelPublished = "disclosure.model_published",
    DisclosureModelAdopted = "disclosure.model_adopted",
    DisclosureExpiryReminded = "disclosure.expiry_reminded",

    // Vulnerability reports.
    ReportReceived = "report.received",
    ReportStateChanged = "report.state_changed",
    ReportMessage = "report.message",
    ReportAttachmentAdded = "report.attachment_added",
    ReportFindingMade = "report.finding_made",
    ReportCoordinatorInvited = "report.coordinator_invited",
    ReportReminderSent = "report.reminder_sent",

    // Engagements.
    EngagementProposed = "engagement.proposed",
    EngagementChanged = "engagement.changed",
    EngagementAuthorised = "engagement.authorised",
    EngagementWithdrawn = "engagement.withdrawn",

    // Awareness events (VVSG's work package 3).
    AwarenessEventCreated = "awareness_event.created",
    AwarenessEventChanged = "awareness_event.changed",
    AwarenessEventCancelled = "awareness_event.cancelled",
    AwarenessRegistered = "awareness_event.registered",
    AwarenessRegistrationCancelled = "awareness_event.registration_cancelled",
    AwarenessRegistrationPromoted = "awareness_event.registration_promoted",
    AwarenessAttendanceRecorded = "awareness_event.attendance_recorded",
    AwarenessReminderSent = "awareness_event.reminder_sent",
    CalendarFeedCreated = "person.calendar_feed_created",
    CalendarFeedRevoked = "person.calendar_feed_revoked",

    // The steering group of VVSG's action plan.
    SteeringMemberSet = "steering.member_set",
    SteeringMemberRemoved = "steering.member_removed",
    SteeringMeetingPlanned = "steering.meeting_planned",
    SteeringMeetingChanged = "steering.meeting_changed",
    SteeringMinutesWritten = "steering.minutes_written",
    SteeringMinutesApproved = "steering.minutes_approved",
    SteeringDecisionRecorded = "steering.decision_recorded",
    SteeringActionGiven = "steering.action_given",
    SteeringActionStatusChanged = "steering.action_status_changed",
    SteeringDocumentAttached = "steering.document_attached",

    // VVSG's toolkit (issue 13, part 2).
    ToolkitItemCreated = "toolkit.item_created",
    ToolkitDraftEdited = "toolkit.draft_edited",
    ToolkitVersionSubmitted = "toolkit.version_submitted",
    ToolkitVersionPublished = "toolkit.version_published",
    ToolkitVersionReturned = "toolkit.version_returned",
    ToolkitFileAttached = "toolkit.file_attached",
    ToolkitStepTicked = "toolkit.step_ticked",
    ToolkitExerciseRecorded = "toolkit.exercise_recorded",
    ToolkitExerciseFinding = "toolkit.exercise_finding",
    AwarenessMaterialsSet = "awareness.materials_set",

    // VVSG's grant (issue 13, part 1).
    GrantBudgetSet = "grant.budget_set",
    GrantDeliverableAdded = "grant.deliverable_added",
    GrantDeliverableChanged = "grant.deliverable_changed",
    GrantPlanItemAdded = "grant.plan_item_added",
    GrantPlanItemChanged = "grant.plan_item_changed",
    GrantClaimSubmitted = "grant.claim_submitted",
    GrantClaimApproved = "grant.claim_approved",
    GrantClaimRejected = "grant.claim_rejected",
    GrantClaimPaid = "grant.claim_paid",
    GrantReportSubmitted = "grant.report_submitted",
    GrantReportReviewed = "grant.report_reviewed",

    // People and access.
    PersonAddedByOperator = "person.added_by_operator",
    PersonJoined = "person.joined",
    PersonPasswordReset = "person.password_reset",
    PersonSecondFactorEnabled = "person.second_factor_enabled",
    PersonSecondFactorDisabled = "person.second_factor_disabled",
    PersonRecoveryCodesRenewed = "person.recovery_codes_renewed",
    PersonSignatoryDesignated = "person.signatory_designated",
    PersonSignatoryRevoked = "person.signatory_revoked",
    InvitationSent = "invitation.sent",
    ApiTokenCreated = "api_token.created",
    ApiTokenRevoked = "api_token.revoked",
}

impl Action {
    /// The kind a stored action names, if it is one of the list.
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == text)
    }

    /// What the event is about: the part before the dot (`order`, `finding`, ...).
    pub fn subject(self) -> &'static str {
        self.as_str().split_once('.').map(|(s, _)| s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_once_as_subject_dot_what() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.as_str()), "{} twice", a.as_str());
            let (subject, what) = a.as_str().split_once('.').expect("subject.what");
            assert!(!subject.is_empty() && !what.is_empty() && !what.contains('.'), "{}", a.as_str());
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
        assert_eq!(Action::OrderSettled.subject(), "order");
        assert_eq!(Action::parse("order.nonsense"), None);
    }
}
