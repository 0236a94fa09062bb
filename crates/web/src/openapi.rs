//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::api;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "cyberveilig API", description = "The co-financing programme for ICT security audits of Flemish local governments: programmes, framework agreements, orders through the cascade, the credit ledger and the audit log. Money is in euro cents; errors are application/problem+json; messages follow Accept-Language (nl by default, en)."),
    paths(
        api::auth::issue_token, api::auth::create_api_token, api::auth::list_api_tokens, api::auth::revoke_api_token,
        api::programmes::list, api::programmes::get, api::programmes::create, api::programmes::amend, api::programmes::amendments, api::programmes::grants,
        api::organisations::list,
        api::agreements::list, api::agreements::activate,
        api::orders::submit, api::orders::list, api::orders::get, api::orders::events,
        api::orders::accept, api::orders::decline, api::orders::deliver,
        api::orders::upload_audit_report, api::orders::audit_reports, api::orders::audit_report,
        api::orders::invoice, api::orders::settlement, api::orders::settlements, api::orders::settle,
        api::orders::cancel, api::orders::confirm, api::orders::reopen,
        api::findings::import, api::remediation::list, api::remediation::export, api::remediation::change_statuses,
        api::remediation::set_owner, api::remediation::agenda, api::remediation::record_day, api::findings::change_status, api::findings::load_kev, api::findings::load_epss, api::findings::assets, api::findings::set_criticality,
        api::assessments::list, api::assessments::get, api::assessments::load,
        api::assessments::get_assessment, api::assessments::start, api::assessments::rate,
        api::reports::submit, api::reports::list, api::reports::get, api::reports::change_state, api::reports::messages,
        api::reports::post_message, api::reports::add_attachment, api::reports::attachment, api::reports::make_finding,
        api::reports::invite_coordinator, api::reports::ccb_export,
        api::engagements::list, api::engagements::propose, api::engagements::get, api::engagements::change, api::engagements::letter,
        api::engagements::accept, api::engagements::withdraw, api::engagements::findings, api::engagements::submit_finding,
        api::engagements::figures, api::engagements::set_signatory,
        api::clock::set,
        api::disclosure::public_policy, api::disclosure::draft, api::disclosure::save_draft, api::disclosure::adopt, api::disclosure::publish,
        api::disclosure::model, api::disclosure::model_draft, api::disclosure::save_model_draft, api::disclosure::publish_model,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;
