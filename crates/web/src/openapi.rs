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

/// Every error the API can answer, on every operation, as `application/problem+json` with the
/// `Problem` schema: a client generated from the document knows each status it may meet.
struct ProblemAnswers;

/// The errors of any operation, and those only a change can meet.
const ANY: [(&str, &str); 9] = [
    ("400", "A malformed request: an unreadable body or query, or a bad Idempotency-Key."),
    ("401", "No valid bearer token (or wrong credentials)."),
    ("403", "The caller may not do this."),
    ("404", "No such resource, or one the caller may not see."),
    (
        "422",
        "A field is missing, malformed or out of range (`invalid_field`, `field` names it), names something that does not exist (`unknown_reference`), or a rule of the programme refuses it (`rule`).",
    ),
    ("429", "Too many requests in a short time; `Retry-After` says how long to wait."),
    ("500", "A failure on our side; the detail names an error id for the operator."),
    (
        "503",
        "The database took too long (`read_too_long`) or is unavailable; `Retry-After` says when to try again.",
    ),
    ("405", "This method is not allowed on this path."),
];
const CHANGES: [(&str, &str); 3] = [
    (
        "409",
        "The request conflicts with the state of things (`code` says which conflict).",
    ),
    ("413", "The body is larger than this operation takes."),
    ("415", "The body is not of the media type this operation takes."),
];

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (changes, operation) in operations {
                let Some(operation) = operation else { continue };
                let responses = &mut operation.responses.responses;
                // Declared errors are problem documents, whatever the annotation's default said.
                for (status, response) in responses.iter_mut() {
                    if status.as_str() >= "400"
                        && let RefOr::T(response) = response
                        && let Some(content) = response.content.shift_remove("application/json")
                    {
                        response.content.insert("application/problem+json".into(), content);
                    }
                }
                let extra = ANY.iter().chain(if changes { CHANGES.iter() } else { [].iter() });
                for (status, description) in extra {
                    responses.entry((*status).to_owned()).or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(*description)
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
                }
            }
        }
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
        api::orders::upload_audit_report, api::orders::audit_reports, api::orders::audit_report, api::orders::results_report,
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
        api::baseline::get, api::baseline::register, api::baseline::remove, api::baseline::scan, api::baseline::pause,
        api::baseline::explain, api::baseline::explanations, api::baseline::decide, api::baseline::overview,
        api::baseline::publish, api::baseline::provinces,
        api::awareness::list, api::awareness::create, api::awareness::get, api::awareness::change, api::awareness::cancel,
        api::awareness::register, api::awareness::unregister, api::awareness::registrations, api::awareness::attendance,
        api::awareness::calendar, api::awareness::create_feed, api::awareness::revoke_feed, api::awareness::reach,
        api::figures::figures, api::figures::table, api::figures::export, api::figures::parliament_answer, api::figures::quarterly_report, api::figures::open_data,
        api::figures::open_data_description,
        api::steering::members, api::steering::set_member, api::steering::remove_member, api::steering::meetings,
        api::steering::plan, api::steering::meeting, api::steering::write_minutes, api::steering::approve_minutes,
        api::steering::decide, api::steering::give_action, api::steering::actions, api::steering::action_status,
        api::steering::report, api::steering::attach_document, api::steering::document,
        api::grant::workspace, api::grant::set_budget, api::grant::add_deliverable, api::grant::change_deliverable,
        api::grant::add_plan_item, api::grant::change_plan_item, api::grant::claims, api::grant::submit_claim,
        api::grant::claim, api::grant::claim_document, api::grant::decide_claim, api::grant::pay_claim,
        api::grant::progress_figures, api::grant::submit_report, api::grant::report, api::grant::review_report,
        api::toolkit::library, api::toolkit::create, api::toolkit::item, api::toolkit::edit, api::toolkit::submit,
        api::toolkit::review, api::toolkit::document, api::toolkit::checklist, api::toolkit::tick, api::toolkit::record_exercise,
        api::toolkit::exercises, api::toolkit::action_to_finding, api::toolkit::usage, api::toolkit::materials,
        api::toolkit::set_materials, api::toolkit::attach_file, api::toolkit::file,
        api::clock::set,
        api::disclosure::public_policy, api::disclosure::draft, api::disclosure::save_draft, api::disclosure::adopt, api::disclosure::publish,
        api::disclosure::model, api::disclosure::model_draft, api::disclosure::save_model_draft, api::disclosure::publish_model,
    ),
    modifiers(&BearerAuth, &ProblemAnswers)
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    /// utoipa names a schema after its type: two types of one name in different modules would
    /// silently share one schema, and one of them would be described wrongly.
    #[test]
    fn every_schema_has_a_name_of_its_own() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("api")).unwrap().flatten().map(|e| e.path()).collect();
        files.push(dir.join("dto.rs"));
        let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let mut twice = Vec::new();
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
            let text = std::fs::read_to_string(file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let Some(rest) = line.strip_prefix("pub struct ").or_else(|| line.strip_prefix("pub enum ")) else {
                    continue;
                };
                let above = &lines[i.saturating_sub(4)..i];
                // `#[schema(as = Name)]` gives the schema another name than the type's.
                let renamed = above
                    .iter()
                    .find_map(|l| l.split("schema(as = ").nth(1))
                    .map(|r| r.trim_end_matches(")]").to_owned());
                let name: String = renamed.unwrap_or_else(|| rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
                let derives = above.iter().any(|l| l.contains("ToSchema"));
                if derives && let Some(other) = seen.insert(name.clone(), file.display().to_string()) {
                    twice.push(format!("{name} in {other} and {}", file.display()));
                }
            }
        }
        assert!(twice.is_empty(), "schemas of one name: {twice:?}");
    }

    /// A parameter said to be in the path is one of the path's `{...}`, and a query parameter that
    /// the handler takes as an `Option` is not required: a client generated from the document
    /// sends what the API reads.
    #[test]
    fn parameters_are_where_the_api_reads_them() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut wrong = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for p in operation["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    let in_path = path.contains(&format!("{{{name}}}"));
                    if (p["in"] == "path") != in_path {
                        wrong.push(format!("{method} {path}: {name} in {}", p["in"]));
                    }
                    let nullable = p["schema"]["type"].as_array().is_some_and(|t| t.iter().any(|t| t == "null"));
                    if p["in"] == "query" && nullable && p["required"] == true {
                        wrong.push(format!("{method} {path}: optional {name} said to be required"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_operation_documents_its_errors_as_problem_documents() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                let responses = operation["responses"].as_object().unwrap();
                let mut expected = vec!["400", "401", "403", "404", "422", "429", "500", "503"];
                if method != "get" {
                    expected.extend(["409", "413", "415"]);
                }
                for status in expected {
                    assert!(responses.contains_key(status), "{method} {path} does not document {status}");
                }
                for (status, response) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
                    let types: Vec<&String> = response["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
                    assert_eq!(types, ["application/problem+json"], "{method} {path} {status}");
                }
            }
        }
        assert!(operations > 60, "{operations} operations");
    }

    /// Every amount a request sends is bounded as `Money::positive` bounds it, and every closed
    /// set is an enum: the document refuses what the API refuses.
    #[test]
    fn amounts_are_bounded_and_closed_sets_are_enums() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let max = cyberveilig_domain::money::MAX_CENTS;
        let mut amounts = 0;
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            if !name.ends_with("Request") {
                continue;
            }
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                if field.ends_with("_cents") {
                    amounts += 1;
                    assert_eq!(property["maximum"].as_i64(), Some(max), "{name}.{field}");
                }
            }
        }
        assert!(amounts >= 6, "{amounts} amounts");
        let enum_of = |schema: &str, field: &str| -> Vec<String> {
            let property = &doc["components"]["schemas"][schema]["properties"][field];
            let values = property["enum"].as_array().or(property["items"]["enum"].as_array());
            values
                .unwrap_or_else(|| panic!("{schema}.{field}: {property}"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(enum_of("CriticalityRequest", "criticality"), ["low", "medium", "high"]);
        assert_eq!(enum_of("NewOrderRequest", "kind"), ["basic", "additional"]);
        assert!(enum_of("StatusRequest", "status").contains(&"risk_accepted".to_owned()));
        assert!(enum_of("EngagementRequest", "techniques").contains(&"phishing_mail".to_owned()));
    }
}
