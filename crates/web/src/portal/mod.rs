//! The portal: server-rendered pages for every role, in Dutch and English, working without
//! JavaScript. Every page goes through a service, which decides what the person may see.

mod charts;
pub mod i18n;
mod pages;
mod public;
pub mod session;
pub mod timeline;
pub mod view;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

const CSS: &str = include_str!("../../static/app.css");
const SHARE_JS: &str = include_str!("../../static/share.js");
const UPLOAD_JS: &str = include_str!("../../static/upload.js");
const FAVICON: &str = include_str!("../../static/favicon.svg");

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn share_script() -> Response {
    asset("text/javascript; charset=utf-8", SHARE_JS)
}

async fn upload_script() -> Response {
    asset("text/javascript; charset=utf-8", UPLOAD_JS)
}

async fn favicon() -> Response {
    asset("image/svg+xml", FAVICON)
}

/// Browsers that ignore the page's icon link ask for this one.
async fn favicon_ico() -> Response {
    axum::response::Redirect::permanent("/static/favicon.svg?v=1").into_response()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // The URL carries a version (`?v=`): a changed file gets a new URL.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Every page (GET) of the portal; the page matrix test covers each.
pub const PAGES: &[&str] = &[
    "/",
    "/aanmelden",
    "/aanmelden/code",
    "/tweede-factor",
    "/wachtwoord-vergeten",
    "/registreren",
    "/start",
    "/bestellingen",
    "/bestellingen/aandeel",
    "/bestellingen/{id}",
    "/bestellingen/{id}/vereffenen",
    "/bestellingen/{id}/auditrapporten/{rid}",
    "/bestellingen/{id}/resultaten",
    "/bestellingen/{id}/verslag.pdf",
    "/bestellingen/{id}/beoordeling",
    "/bevindingen",
    "/bevindingen/export",
    "/bevindingen/systemen",
    "/bevindingen/{id}",
    "/bestellingen/{id}/remediedag",
    "/raamovereenkomsten",
    "/besturen",
    "/mensen",
    "/postvak",
    "/account",
    "/beleid",
    "/beleid/security.txt",
    "/modelbeleid",
    "/g/{nis}/beleid",
    "/g/{nis}/policy",
    "/g/{nis}/beleid/versie/{version}",
    "/g/{nis}/policy/version/{version}",
    "/g/{nis}/.well-known/security.txt",
    "/.well-known/security.txt",
    "/meldingen",
    "/meldingen/{id}",
    "/meldingen/volgen/{token}",
    "/g/{nis}/melden",
    "/g/{nis}/report",
    "/g/{nis}/dank",
    "/dank",
    "/melden",
    "/samenwerkingen",
    "/samenwerkingen/nieuw",
    "/samenwerkingen/cijfers",
    "/samenwerkingen/{id}",
    "/samenwerkingen/{id}/wijzigen",
    "/evenementen",
    "/evenementen/nieuw",
    "/evenementen/bereik",
    "/evenementen/{id}",
    "/evenementen/{id}/wijzigen",
    "/evenementen/{id}/agenda.ics",
    "/stuurgroep",
    "/stuurgroep/{id}",
    "/stuurgroep/{id}/rapport.pdf",
    "/stuurgroep/{id}/documenten/{document}",
    "/actieplan",
    "/cijfers",
    "/cijfers/csv",
    "/cijfers/parlement",
    "/cijfers/parlement/bestand",
    "/cijfers/kwartaalrapport",
    "/exporteren",
    "/actieplan/schuldvorderingen/{id}",
    "/actieplan/schuldvorderingen/{id}/bewijsstuk",
    "/actieplan/voortgang/{id}",
    "/toolkit",
    "/toolkit/nieuw",
    "/toolkit/gebruik",
    "/toolkit/{id}",
    "/toolkit/{id}/download",
    "/toolkit/{id}/bewerken",
    "/toolkit/{id}/checklist",
    "/toolkit/{id}/bestanden/{file}",
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::landing))
        .route("/static/app.css", get(stylesheet))
        .route("/static/share.js", get(share_script))
        .route("/static/upload.js", get(upload_script))
        .route("/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon_ico))
        .route("/aanmelden", get(public::sign_in_page).post(public::sign_in))
        .route("/aanmelden/code", get(public::second_factor_page).post(public::second_factor))
        .route("/tweede-factor", get(public::setup_page))
        .route("/tweede-factor/starten", post(public::setup_start))
        .route("/tweede-factor/bevestigen", post(public::setup_confirm))
        .route("/tweede-factor/herstelcodes", post(public::setup_renew))
        .route("/tweede-factor/uitschakelen", post(public::setup_disable))
        .route("/afmelden", post(public::sign_out))
        .route("/overal-afmelden", post(public::sign_out_everywhere))
        .route("/taal", post(public::language))
        .route("/wachtwoord-vergeten", get(public::forgot_page).post(public::forgot))
        .route(
            "/wachtwoord/nieuw/{token}",
            get(public::new_password_page).post(public::new_password),
        )
        .route("/uitnodiging/{token}", get(public::invitation_page).post(public::accept_invitation))
        .route("/registreren", get(public::register_page).post(public::register))
        .route("/start", get(pages::home::home))
        .route("/bestellingen", get(pages::orders::orders).post(pages::home::submit_order))
        .route("/bestellingen/aandeel", get(pages::home::share))
        .route("/bestellingen/{id}", get(pages::orders::order_page))
        .route(
            "/bestellingen/{id}/resultaten",
            get(pages::results::results_page)
                .post(pages::results::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    cyberveilig_services::import::MAX_UPLOAD_BYTES as usize + (1 << 20),
                )),
        )
        .route(
            "/bestellingen/{id}/vereffenen",
            get(pages::orders::settle_page).post(pages::orders::settle),
        )
        .route(
            "/bestellingen/{id}/auditrapport",
            post(pages::orders::upload_report).layer(axum::extract::DefaultBodyLimit::max(
                cyberveilig_domain::document::MAX_AUDIT_REPORT_BYTES + (1 << 20),
            )),
        )
        .route("/bestellingen/{id}/auditrapporten/{rid}", get(pages::orders::download_report))
        .route("/bestellingen/{id}/verslag.pdf", get(pages::orders::results_report))
        .route("/bestellingen/{id}/{step}", post(pages::orders::order_step))
        .route(
            "/bestellingen/{id}/beoordeling",
            get(pages::assessments::assessment_page).post(pages::assessments::save_assessment),
        )
        .route("/programmas/{id}/wijzigen", post(pages::admin::amend))
        .route("/bevindingen", get(pages::findings::findings))
        .route("/bevindingen/stand", post(pages::remediation::bulk_status))
        .route("/bevindingen/export", get(pages::remediation::export))
        .route("/bevindingen/systemen", get(pages::remediation::assets))
        .route("/bevindingen/{id}/eigenaar", post(pages::remediation::set_owner))
        .route("/systemen/{id}/kritikaliteit", post(pages::remediation::set_criticality))
        .route(
            "/bestellingen/{id}/remediedag",
            get(pages::remediation::agenda).post(pages::remediation::record_day),
        )
        .route(
            "/bevindingen/{id}",
            get(pages::findings::finding_page).post(pages::findings::change_finding),
        )
        .route("/raamovereenkomsten", get(pages::admin::agreements))
        .route("/raamovereenkomsten/{id}/activeren", post(pages::admin::activate_agreement))
        .route("/besturen", get(pages::admin::governments))
        .route("/mensen", get(pages::admin::people))
        .route("/mensen/uitnodigen", post(pages::admin::invite))
        .route("/postvak", get(pages::admin::outbox))
        .route("/account", get(pages::account::account))
        .route(
            "/g/{nis}/melden",
            get(pages::reports::form)
                .post(pages::reports::submit)
                .layer(axum::extract::DefaultBodyLimit::max(pages::reports::MAX_FORM_BYTES)),
        )
        .route(
            "/g/{nis}/report",
            get(pages::reports::form_en)
                .post(pages::reports::submit_en)
                .layer(axum::extract::DefaultBodyLimit::max(pages::reports::MAX_FORM_BYTES)),
        )
        .route("/g/{nis}/dank", get(pages::reports::thanks_government))
        .route("/dank", get(pages::reports::thanks_programme))
        .route("/melden", get(pages::reports::directory))
        .route("/meldingen", get(pages::reports::list))
        .route("/meldingen/volgen/{token}", get(pages::reports::follow))
        .route("/meldingen/volgen/{token}/bericht", post(pages::reports::follow_message))
        .route("/meldingen/volgen/{token}/stand", post(pages::reports::follow_change))
        .route(
            "/meldingen/volgen/{token}/bijlage",
            post(pages::reports::follow_attach).layer(axum::extract::DefaultBodyLimit::max(pages::reports::MAX_FORM_BYTES)),
        )
        .route("/meldingen/volgen/{token}/bijlagen/{aid}", get(pages::reports::follow_download))
        .route("/meldingen/volgen/{token}/ccb", get(pages::reports::follow_ccb))
        .route("/meldingen/{id}", get(pages::reports::page))
        .route("/meldingen/{id}/stand", post(pages::reports::change))
        .route("/meldingen/{id}/bevinding", post(pages::reports::make_finding))
        .route("/meldingen/{id}/coordinator", post(pages::reports::invite))
        .route("/meldingen/{id}/bericht", post(pages::reports::message))
        .route(
            "/meldingen/{id}/bijlage",
            post(pages::reports::attach_signed_in).layer(axum::extract::DefaultBodyLimit::max(pages::reports::MAX_FORM_BYTES)),
        )
        .route("/meldingen/{id}/bijlagen/{aid}", get(pages::reports::download_signed_in))
        .route("/meldingen/{id}/ccb", get(pages::reports::ccb_signed_in))
        .route("/account/api-tokens", post(pages::account::make_token))
        .route("/account/api-tokens/{id}/intrekken", post(pages::account::revoke_token))
        .route("/beleid", get(pages::disclosure::editor_page).post(pages::disclosure::save))
        .route("/beleid/overnemen", post(pages::disclosure::adopt))
        .route("/beleid/publiceren", post(pages::disclosure::publish))
        .route("/beleid/security.txt", get(pages::disclosure::download))
        .route(
            "/modelbeleid",
            get(pages::disclosure::model_page).post(pages::disclosure::save_model),
        )
        .route("/modelbeleid/publiceren", post(pages::disclosure::publish_model))
        .route("/g/{nis}/beleid", get(pages::disclosure::public_nl))
        .route("/g/{nis}/policy", get(pages::disclosure::public_en))
        .route("/g/{nis}/beleid/versie/{version}", get(pages::disclosure::public_version_nl))
        .route("/g/{nis}/policy/version/{version}", get(pages::disclosure::public_version_en))
        .route("/g/{nis}/.well-known/security.txt", get(pages::disclosure::security_txt))
        .route("/.well-known/security.txt", get(pages::disclosure::platform_security_txt))
        .route("/basisbeveiliging", get(pages::baseline::home))
        .route("/basisbeveiliging/openbaar", post(pages::baseline::publication))
        .route("/basisbeveiliging/toelichtingen/{id}", post(pages::baseline::decide))
        .route("/basisbeveiliging/{nis}", get(pages::baseline::government))
        .route("/basisbeveiliging/{nis}/systemen", post(pages::baseline::register))
        .route(
            "/basisbeveiliging/{nis}/systemen/{system}/verwijderen",
            post(pages::baseline::remove),
        )
        .route("/basisbeveiliging/{nis}/scan", post(pages::baseline::scan))
        .route("/basisbeveiliging/{nis}/pauze", post(pages::baseline::pause))
        .route("/basisbeveiliging/{nis}/toelichting", post(pages::baseline::explain))
        .route("/openbaar/basisbeveiliging", get(pages::baseline::public))
        .route("/scanner", get(pages::baseline::scanner))
        .route("/samenwerkingen", get(pages::engagements::list))
        .route(
            "/samenwerkingen/nieuw",
            get(pages::engagements::new_page).post(pages::engagements::propose),
        )
        .route("/samenwerkingen/cijfers", get(pages::engagements::figures))
        .route("/samenwerkingen/{id}", get(pages::engagements::page))
        .route(
            "/samenwerkingen/{id}/wijzigen",
            get(pages::engagements::change_page).post(pages::engagements::change),
        )
        .route("/samenwerkingen/{id}/aanvaarden", post(pages::engagements::accept))
        .route("/samenwerkingen/{id}/intrekken", post(pages::engagements::withdraw))
        .route("/samenwerkingen/{id}/bevindingen", post(pages::engagements::submit_finding))
        .route("/evenementen", get(pages::awareness::list))
        .route("/evenementen/nieuw", get(pages::awareness::new_page).post(pages::awareness::create))
        .route("/evenementen/bereik", get(pages::awareness::reach))
        .route("/evenementen/agenda", post(pages::awareness::create_feed))
        .route("/evenementen/agenda/stoppen", post(pages::awareness::revoke_feed))
        .route("/evenementen/{id}", get(pages::awareness::page))
        .route(
            "/evenementen/{id}/wijzigen",
            get(pages::awareness::change_page).post(pages::awareness::change),
        )
        .route("/evenementen/{id}/agenda.ics", get(pages::awareness::ics))
        .route("/evenementen/{id}/inschrijven", post(pages::awareness::register))
        .route("/evenementen/{id}/uitschrijven", post(pages::awareness::unregister))
        .route("/evenementen/{id}/annuleren", post(pages::awareness::cancel))
        .route("/evenementen/{id}/aanwezigheid", post(pages::awareness::attendance))
        .route("/toolkit", get(pages::toolkit::library))
        .route("/toolkit/nieuw", get(pages::toolkit::new_page).post(pages::toolkit::create))
        .route("/toolkit/gebruik", get(pages::toolkit::usage))
        .route("/toolkit/{id}", get(pages::toolkit::item))
        .route("/toolkit/{id}/download", get(pages::toolkit::download))
        .route("/toolkit/{id}/bewerken", get(pages::toolkit::edit_page).post(pages::toolkit::edit))
        .route("/toolkit/{id}/voorleggen", post(pages::toolkit::submit))
        .route("/toolkit/{id}/nalezen", post(pages::toolkit::review))
        .route("/toolkit/{id}/checklist", get(pages::toolkit::checklist))
        .route(
            "/toolkit/{id}/bestanden",
            post(pages::toolkit::attach_file).layer(axum::extract::DefaultBodyLimit::max(
                cyberveilig_services::toolkit::MAX_FILE_BYTES + (64 << 10),
            )),
        )
        .route("/toolkit/{id}/bestanden/{file}", get(pages::toolkit::file))
        .route("/toolkit/{id}/checklist/{number}", post(pages::toolkit::tick))
        .route("/toolkit/{id}/oefeningen", post(pages::toolkit::record_exercise))
        .route(
            "/toolkit/oefeningen/{id}/acties/{position}/bevinding",
            post(pages::toolkit::action_to_finding),
        )
        .route("/cijfers", get(pages::figures::page))
        .route("/cijfers/csv", get(pages::figures::csv))
        .route("/cijfers/parlement", get(pages::figures::parliament))
        .route("/cijfers/parlement/bestand", get(pages::figures::parliament_file))
        .route("/exporteren", get(pages::figures::export))
        .route("/cijfers/kwartaalrapport", get(pages::figures::quarterly))
        .route("/actieplan", get(pages::grant::page))
        .route("/actieplan/budget", post(pages::grant::set_budget))
        .route("/actieplan/resultaten", post(pages::grant::add_deliverable))
        .route("/actieplan/resultaten/{id}/klaar", post(pages::grant::deliverable_done))
        .route("/actieplan/acties", post(pages::grant::add_plan_item))
        .route("/actieplan/acties/{id}/status", post(pages::grant::plan_status))
        .route(
            "/actieplan/schuldvorderingen",
            post(pages::grant::submit_claim).layer(axum::extract::DefaultBodyLimit::max(
                cyberveilig_domain::grant::MAX_DOCUMENT_BYTES + (64 << 10),
            )),
        )
        .route("/actieplan/schuldvorderingen/{id}", get(pages::grant::claim))
        .route("/actieplan/schuldvorderingen/{id}/bewijsstuk", get(pages::grant::claim_document))
        .route("/actieplan/schuldvorderingen/{id}/beslissing", post(pages::grant::decide_claim))
        .route("/actieplan/schuldvorderingen/{id}/betaling", post(pages::grant::pay_claim))
        .route("/actieplan/voortgang", post(pages::grant::submit_report))
        .route("/actieplan/voortgang/{id}", get(pages::grant::report))
        .route("/actieplan/voortgang/{id}/nagekeken", post(pages::grant::review_report))
        .route("/stuurgroep", get(pages::steering::group))
        .route("/stuurgroep/vergaderingen", post(pages::steering::plan))
        .route("/stuurgroep/acties/{id}/status", post(pages::steering::action_status))
        .route("/stuurgroep/{id}", get(pages::steering::meeting))
        .route("/stuurgroep/{id}/rapport.pdf", get(pages::steering::report))
        .route(
            "/stuurgroep/{id}/documenten",
            post(pages::steering::attach_document).layer(axum::extract::DefaultBodyLimit::max(
                cyberveilig_services::steering::MAX_DOCUMENT_BYTES + (64 << 10),
            )),
        )
        .route("/stuurgroep/{id}/documenten/{document}", get(pages::steering::document))
        .route("/stuurgroep/{id}/notulen", post(pages::steering::write_minutes))
        .route("/stuurgroep/{id}/goedkeuren", post(pages::steering::approve_minutes))
        .route("/stuurgroep/{id}/besluiten", post(pages::steering::decide))
        .route("/stuurgroep/{id}/acties", post(pages::steering::give_action))
}

/// The pages' templates parse (a test; a broken template must fail CI, not a request).
pub fn check() -> Result<(), minijinja::Error> {
    view::check_templates()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        if let Err(e) = super::check() {
            panic!("{e:#}");
        }
    }
}
