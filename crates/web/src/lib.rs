//! The web layer: the JSON API under `/api/v1`, health and metrics. Thin: parse, authorise
//! through the services, call one, render.

pub mod api;
pub mod directory;
pub mod dto;
pub mod extract;
pub mod idempotency;
pub mod input;
pub mod lang;
pub mod openapi;
pub mod portal;
pub mod problem;
pub mod upload;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router, middleware};
use cyberveilig_services::Services;
use lang::Lang;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub options: Arc<WebOptions>,
    pub metrics: Arc<Metrics>,
    pub directory: Arc<directory::Directory>,
}

#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// `PUT /api/v1/test/clock` exists only when this is set.
    pub test_clock: bool,
    /// Demo mode: a banner says the data and the clock are not real.
    pub demo: bool,
    /// Served over TLS (the public URL is https): cookies are `Secure` and HSTS is sent.
    pub secure_cookies: bool,
    /// Where to report a vulnerability in this installation (`mailto:` or `https://`), for its
    /// own `/.well-known/security.txt`; empty: `mailto:security@` the public address's host.
    pub security_contact: String,
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub server_errors: AtomicU64,
}

pub fn router(services: Services, options: WebOptions) -> Router {
    let state = AppState {
        services,
        options: Arc::new(options.clone()),
        metrics: Arc::new(Metrics::default()),
        directory: Arc::default(),
    };
    let mut api = Router::new()
        .route("/auth/token", post(api::auth::issue_token))
        .route("/me/api-tokens", get(api::auth::list_api_tokens).post(api::auth::create_api_token))
        .route("/me/api-tokens/{id}", axum::routing::delete(api::auth::revoke_api_token))
        .route("/programmes", get(api::programmes::list).post(api::programmes::create))
        .route("/programmes/{id}", get(api::programmes::get))
        .route(
            "/programmes/{id}/amendments",
            get(api::programmes::amendments).post(api::programmes::amend),
        )
        .route("/project-grants", get(api::programmes::grants))
        .route("/organisations", get(api::organisations::list))
        .route("/framework-agreements", get(api::agreements::list))
        .route("/framework-agreements/{id}/activate", post(api::agreements::activate))
        .route("/orders", get(api::orders::list).post(api::orders::submit))
        .route("/orders/{id}", get(api::orders::get))
        .route("/orders/{id}/events", get(api::orders::events))
        .route("/orders/{id}/accept", post(api::orders::accept))
        .route("/orders/{id}/decline", post(api::orders::decline))
        .route("/orders/{id}/deliver", post(api::orders::deliver))
        .route(
            "/orders/{id}/remediation-day",
            get(api::remediation::agenda).put(api::remediation::record_day),
        )
        .route(
            "/orders/{id}/audit-reports",
            get(api::orders::audit_reports)
                .post(api::orders::upload_audit_report)
                .layer(DefaultBodyLimit::max(
                    cyberveilig_domain::document::MAX_AUDIT_REPORT_BYTES + (64 << 10),
                )),
        )
        .route("/orders/{id}/audit-reports/{report_id}", get(api::orders::audit_report))
        .route("/orders/{id}/results-report", get(api::orders::results_report))
        .route("/orders/{id}/invoice", post(api::orders::invoice))
        .route("/orders/{id}/settlement", get(api::orders::settlement))
        .route("/orders/{id}/settle", post(api::orders::settle))
        .route("/settlements", get(api::orders::settlements))
        .route("/orders/{id}/cancel", post(api::orders::cancel))
        .route("/orders/{id}/confirm", post(api::orders::confirm))
        .route("/orders/{id}/reopen", post(api::orders::reopen))
        // The report is spooled to disk as it arrives, up to its own limit (upload.rs).
        .route(
            "/orders/{id}/imports",
            post(api::findings::import).layer(DefaultBodyLimit::disable()),
        )
        .route("/findings", get(api::remediation::list))
        .route("/findings/export", get(api::remediation::export))
        .route("/findings/status", post(api::remediation::change_statuses))
        .route("/findings/{id}/status", post(api::findings::change_status))
        .route("/findings/{id}/owner", post(api::remediation::set_owner))
        .route("/assets", get(api::findings::assets))
        .route("/assets/{id}/criticality", post(api::findings::set_criticality))
        .route("/intel/kev", post(api::findings::load_kev).layer(DefaultBodyLimit::max(64 << 20)))
        .route("/intel/epss", post(api::findings::load_epss).layer(DefaultBodyLimit::max(64 << 20)))
        .route(
            "/catalogues",
            get(api::assessments::list)
                .post(api::assessments::load)
                .layer(DefaultBodyLimit::max(cyberveilig_catalogues::MAX_BYTES)),
        )
        .route("/catalogues/{id}", get(api::assessments::get))
        .route(
            "/orders/{id}/assessment",
            get(api::assessments::get_assessment)
                .post(api::assessments::start)
                .put(api::assessments::rate),
        )
        .route("/governments/{nis}/policy", get(api::disclosure::public_policy))
        .route("/governments/{nis}/baseline", get(api::baseline::get))
        .route("/governments/{nis}/baseline/systems", post(api::baseline::register))
        .route("/governments/{nis}/baseline/systems/{id}", delete(api::baseline::remove))
        .route("/governments/{nis}/baseline/scans", post(api::baseline::scan))
        .route("/governments/{nis}/baseline/paused", put(api::baseline::pause))
        .route("/governments/{nis}/baseline/explanations", post(api::baseline::explain))
        .route("/baseline/explanations", get(api::baseline::explanations))
        .route("/baseline/explanations/{id}/decision", post(api::baseline::decide))
        .route("/baseline/overview", get(api::baseline::overview))
        .route("/baseline/publication", put(api::baseline::publish))
        .route("/baseline/provinces", get(api::baseline::provinces))
        .route(
            "/governments/{nis}/policy/draft",
            get(api::disclosure::draft).put(api::disclosure::save_draft),
        )
        .route("/governments/{nis}/policy/adopt", post(api::disclosure::adopt))
        .route("/governments/{nis}/policy/publish", post(api::disclosure::publish))
        .route("/model-policy", get(api::disclosure::model))
        .route(
            "/model-policy/draft",
            get(api::disclosure::model_draft).put(api::disclosure::save_model_draft),
        )
        .route("/model-policy/publish", post(api::disclosure::publish_model))
        .route("/reports", get(api::reports::list).post(api::reports::submit))
        .route("/reports/{id}", get(api::reports::get))
        .route("/reports/{id}/state", post(api::reports::change_state))
        .route(
            "/reports/{id}/messages",
            get(api::reports::messages).post(api::reports::post_message),
        )
        .route(
            "/reports/{id}/attachments",
            post(api::reports::add_attachment).layer(DefaultBodyLimit::max(
                cyberveilig_services::reports::attachments::MAX_ATTACHMENT_BYTES + (64 << 10),
            )),
        )
        .route("/reports/{id}/attachments/{attachment_id}", get(api::reports::attachment))
        .route("/reports/{id}/finding", post(api::reports::make_finding))
        .route("/reports/{id}/coordinator", post(api::reports::invite_coordinator))
        .route("/reports/{id}/ccb", get(api::reports::ccb_export))
        .route("/engagements", get(api::engagements::list).post(api::engagements::propose))
        .route("/engagements/figures", get(api::engagements::figures))
        .route("/engagements/{id}", get(api::engagements::get).put(api::engagements::change))
        .route("/engagements/{id}/letter", get(api::engagements::letter))
        .route("/engagements/{id}/accept", post(api::engagements::accept))
        .route("/engagements/{id}/withdraw", post(api::engagements::withdraw))
        .route(
            "/engagements/{id}/findings",
            get(api::engagements::findings).post(api::engagements::submit_finding),
        )
        .route("/people/{id}/signatory", post(api::engagements::set_signatory))
        .route("/awareness-events", get(api::awareness::list).post(api::awareness::create))
        .route("/awareness-events/{id}", get(api::awareness::get).put(api::awareness::change))
        .route("/awareness-events/{id}/cancel", post(api::awareness::cancel))
        .route(
            "/awareness-events/{id}/registration",
            post(api::awareness::register).delete(api::awareness::unregister),
        )
        .route("/awareness-events/{id}/registrations", get(api::awareness::registrations))
        .route("/awareness-events/{id}/attendance", post(api::awareness::attendance))
        .route("/awareness-events/{id}/calendar", get(api::awareness::calendar))
        .route("/awareness-reach", get(api::awareness::reach))
        .route("/toolkit", get(api::toolkit::library).post(api::toolkit::create))
        .route("/toolkit/{id}", get(api::toolkit::item).put(api::toolkit::edit))
        .route("/toolkit/{id}/submit", post(api::toolkit::submit))
        .route("/toolkit/{id}/review", post(api::toolkit::review))
        .route("/toolkit/{id}/document", get(api::toolkit::document))
        .route(
            "/toolkit/{id}/files",
            post(api::toolkit::attach_file).layer(DefaultBodyLimit::max(cyberveilig_services::toolkit::MAX_FILE_BYTES + (64 << 10))),
        )
        .route("/toolkit/{id}/files/{file_id}", get(api::toolkit::file))
        .route("/toolkit/{id}/checklist", get(api::toolkit::checklist))
        .route("/toolkit/{id}/checklist/{step}", put(api::toolkit::tick))
        .route("/toolkit/{id}/exercises", post(api::toolkit::record_exercise))
        .route("/toolkit-exercises", get(api::toolkit::exercises))
        .route(
            "/toolkit-exercises/{id}/actions/{position}/finding",
            post(api::toolkit::action_to_finding),
        )
        .route("/toolkit-use", get(api::toolkit::usage))
        .route(
            "/awareness-events/{id}/materials",
            get(api::toolkit::materials).put(api::toolkit::set_materials),
        )
        .route("/project-grants/{id}/workspace", get(api::grant::workspace))
        .route("/project-grants/{id}/work-packages/{number}/budget", put(api::grant::set_budget))
        .route("/project-grants/{id}/deliverables", post(api::grant::add_deliverable))
        .route(
            "/project-grants/{id}/deliverables/{deliverable_id}",
            put(api::grant::change_deliverable),
        )
        .route("/project-grants/{id}/plan-items", post(api::grant::add_plan_item))
        .route("/project-grants/{id}/plan-items/{item_id}", put(api::grant::change_plan_item))
        .route(
            "/project-grants/{id}/claims",
            get(api::grant::claims)
                .post(api::grant::submit_claim)
                .layer(DefaultBodyLimit::max(cyberveilig_domain::grant::MAX_DOCUMENT_BYTES + (64 << 10))),
        )
        .route("/project-grants/{id}/claims/{claim_id}", get(api::grant::claim))
        .route("/project-grants/{id}/claims/{claim_id}/document", get(api::grant::claim_document))
        .route("/project-grants/{id}/claims/{claim_id}/decision", post(api::grant::decide_claim))
        .route("/project-grants/{id}/claims/{claim_id}/payment", post(api::grant::pay_claim))
        .route("/project-grants/{id}/progress-figures", get(api::grant::progress_figures))
        .route("/project-grants/{id}/progress-reports", post(api::grant::submit_report))
        .route("/project-grants/{id}/progress-reports/{report_id}", get(api::grant::report))
        .route(
            "/project-grants/{id}/progress-reports/{report_id}/review",
            post(api::grant::review_report),
        )
        .route("/programmes/{id}/figures", get(api::figures::figures))
        .route("/programmes/{id}/figures/tables/{table}", get(api::figures::table))
        .route("/programmes/{id}/parliament-answer", get(api::figures::parliament_answer))
        .route("/programmes/{id}/quarterly-report", get(api::figures::quarterly_report))
        .route("/exports/{list}", get(api::figures::export))
        .route("/open-data/figures.csv", get(api::figures::open_data))
        .route("/open-data/README.md", get(api::figures::open_data_description))
        .route("/steering/members", get(api::steering::members))
        .route(
            "/steering/members/{id}",
            put(api::steering::set_member).delete(api::steering::remove_member),
        )
        .route("/steering/meetings", get(api::steering::meetings).post(api::steering::plan))
        .route("/steering/meetings/{id}", get(api::steering::meeting))
        .route("/steering/meetings/{id}/minutes", put(api::steering::write_minutes))
        .route("/steering/meetings/{id}/approve-minutes", post(api::steering::approve_minutes))
        .route("/steering/meetings/{id}/decisions", post(api::steering::decide))
        .route("/steering/meetings/{id}/actions", post(api::steering::give_action))
        .route("/steering/meetings/{id}/report", get(api::steering::report))
        .route(
            "/steering/meetings/{id}/documents",
            post(api::steering::attach_document).layer(DefaultBodyLimit::max(
                cyberveilig_services::steering::MAX_DOCUMENT_BYTES + (64 << 10),
            )),
        )
        .route("/steering/meetings/{id}/documents/{document_id}", get(api::steering::document))
        .route("/steering/actions", get(api::steering::actions))
        .route("/steering/actions/{id}/status", post(api::steering::action_status))
        .route(
            "/calendar-feed",
            post(api::awareness::create_feed).delete(api::awareness::revoke_feed),
        )
        .route("/openapi.json", get(openapi_json));
    if options.test_clock {
        api = api.route("/test/clock", put(api::clock::set));
    }
    let api = api
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(DefaultBodyLimit::max(idempotency::MAX_BODY));
    let mut app = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        // A person's calendar feed: polled by calendar applications, the secret address is the key.
        .route("/calendar/{file}", get(api::awareness::feed))
        .merge(portal::routes())
        .fallback(page_not_found)
        .layer(middleware::from_fn_with_state(state.clone(), refuse_nul_in_address))
        .layer(middleware::from_fn_with_state(state.clone(), count_requests));
    if options.secure_cookies {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    app
        // Nothing private is kept in a cache: every page, export and API answer is `no-store`
        // unless it says otherwise (the static files, a public security.txt).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .with_state(state)
}

async fn count_requests(State(state): State<AppState>, request: axum::extract::Request, next: middleware::Next) -> Response {
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let response = next.run(request).await;
    if response.status().is_server_error() {
        state.metrics.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    response
}

async fn openapi_json() -> Response {
    let mut doc = openapi::ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    Json(doc).into_response()
}

async fn api_not_found(lang: lang::Lang) -> problem::Problem {
    problem::Problem::localized(
        StatusCode::NOT_FOUND,
        "no_such_route",
        lang,
        "Deze API-route bestaat niet; zie /api/v1/openapi.json.",
        "No such API route; see /api/v1/openapi.json.",
    )
}

async fn api_method_not_allowed(lang: lang::Lang) -> problem::Problem {
    problem::Problem::localized(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        lang,
        "Deze methode is hier niet toegelaten; zie /api/v1/openapi.json.",
        "This method is not allowed here; see /api/v1/openapi.json.",
    )
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.services.store.read().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unavailable: {e}\n")).into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP cyberveilig_http_requests_total HTTP requests served.\n# TYPE cyberveilig_http_requests_total counter\n");
    out.push_str(&format!(
        "cyberveilig_http_requests_total {}\n",
        state.metrics.requests.load(Ordering::Relaxed)
    ));
    out.push_str("# HELP cyberveilig_http_server_errors_total HTTP responses with a 5xx status.\n# TYPE cyberveilig_http_server_errors_total counter\n");
    out.push_str(&format!(
        "cyberveilig_http_server_errors_total {}\n",
        state.metrics.server_errors.load(Ordering::Relaxed)
    ));
    if let Ok(programmes) = state.services.programmes_public().await {
        out.push_str("# HELP cyberveilig_programme_credit_cents Credit of a programme by account, in euro cents.\n# TYPE cyberveilig_programme_credit_cents gauge\n");
        for p in programmes {
            let b = p.balances;
            for (account, cents) in [
                ("budget", b.budget),
                ("reserved", b.reserved),
                ("paid", b.paid),
                ("available", b.available()),
            ] {
                out.push_str(&format!(
                    "cyberveilig_programme_credit_cents{{programme=\"{}\",account=\"{account}\"}} {}\n",
                    p.programme.id,
                    cents.cents()
                ));
            }
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

async fn page_not_found(visitor: portal::session::Visitor) -> Response {
    visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body")
}

/// Refuses an address with a NUL character in its path or query, on the API as problem+json
/// and in the portal as a page.
pub async fn refuse_nul_in_address(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    let nul = input::urlencoded_has_nul(uri.path().as_bytes()) || uri.query().is_some_and(|q| input::urlencoded_has_nul(q.as_bytes()));
    if !nul {
        return next.run(request).await;
    }
    let (mut parts, _) = request.into_parts();
    if parts.uri.path().starts_with("/api/") {
        return input::nul_problem(Lang::from_parts(&parts)).into_response();
    }
    let Ok(visitor) = crate::portal::session::Visitor::from_request_parts(&mut parts, &state).await;
    visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "invalid-text-title", "invalid-text-body")
}
