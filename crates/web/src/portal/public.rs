//! Pages before and around signing in: the landing page, sign-in with its second step, the
//! second factor's set-up, password reset, invitations, registration, language, sign-out.

use super::session::{Member, NoFields, PageForm, SignInForm, Visitor, clear_session_cookie, lang_cookie, safe_next, session_cookie};
use crate::AppState;
use crate::lang::Lang;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_services::ServiceError;
use cyberveilig_services::auth::{PortalSession, SessionStage};
use cyberveilig_services::store::records::OrganisationFilter;
use minijinja::context;
use serde::Deserialize;

/// Goes on after a sign-in step: sets the new session's cookie.
fn signed_in(state: &AppState, session: &PortalSession, next: &str) -> Response {
    let to = match session.stage {
        SessionStage::SignedIn => next.to_owned(),
        SessionStage::SecondFactorPending => "/aanmelden/code".into(),
        SessionStage::EnrolmentRequired => "/tweede-factor".into(),
    };
    let mut response = Redirect::to(&to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(state, &session.token));
    response
}

pub async fn landing(State(state): State<AppState>, visitor: Visitor) -> Response {
    let mut programmes = Vec::new();
    let governments = count_local_governments(&state).await;
    for p in state.services.programmes_public().await.unwrap_or_default() {
        let counts = state.services.order_counts(p.programme.id).await.unwrap_or_default();
        let audits: i64 = counts
            .iter()
            .filter(|(kind, s, _)| *kind == OrderKind::Basic && !matches!(s, OrderState::Cancelled | OrderState::Unplaceable))
            .map(|(_, _, n)| n)
            .sum();
        let reached = state.services.governments_reached(p.programme.id).await.unwrap_or(0);
        let b = p.balances;
        programmes.push(context! {
            id => p.programme.id, name => p.programme.name.clone(),
            budget_cents => b.budget.cents(), reserved_cents => b.reserved.cents(), paid_cents => b.paid.cents(),
            available_cents => b.available().cents(), waitlisted => p.waitlisted_count, audits, reached,
            total_governments => governments, offer_ends_on => p.programme.settings.offer_ends_on.to_string(),
        });
    }
    visitor.page("landing.html", context! { programmes })
}

pub async fn count_local_governments(state: &AppState) -> usize {
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::Gemeente),
        limit: 10_000,
        ..Default::default()
    };
    state.services.organisations_public(filter).await.map(|o| o.len()).unwrap_or(0)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn sign_in_page(visitor: Visitor, Query(q): Query<NextQuery>) -> Response {
    if visitor.signed_in().is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    visitor.page("sign_in.html", context! { next => safe_next(q.next.as_deref()), email => "" })
}

#[derive(Deserialize)]
pub struct SignInFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn sign_in(State(state): State<AppState>, visitor: Visitor, SignInForm(form): SignInForm<SignInFields>) -> Response {
    let next = safe_next(form.next.as_deref());
    match state.services.sign_in(&form.email, &form.password, &visitor.client).await {
        Ok(session) => {
            // Whatever session the browser held before is ended: a planted one is worth nothing.
            if let Some(old) = &visitor.token {
                let _ = state.services.sign_out(old).await;
            }
            // The language chosen before signing in is the person's from now on.
            if visitor.lang_chosen
                && let Ok((actor, _, _)) = state.services.session_at_any_stage(&session.token).await
                && let Err(e) = state
                    .services
                    .set_language(&actor, if visitor.lang.is_dutch() { "nl" } else { "en" })
                    .await
            {
                tracing::warn!(error = %e, "language not saved");
            }
            signed_in(&state, &session, &next)
        }
        Err(e) => visitor.refusal_page(
            &e,
            StatusCode::UNAUTHORIZED,
            "sign_in.html",
            context! { next, email => form.email, error => visitor.error_text(&e) },
        ),
    }
}

pub async fn second_factor_page(visitor: Visitor) -> Response {
    match visitor.stage {
        Some(SessionStage::SecondFactorPending) => visitor.page("second_factor.html", context! {}),
        _ => Redirect::to("/aanmelden").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn second_factor(State(state): State<AppState>, visitor: Visitor, PageForm(form): PageForm<CodeForm>) -> Response {
    let Some(token) = visitor
        .token
        .clone()
        .filter(|_| visitor.stage == Some(SessionStage::SecondFactorPending))
    else {
        return Redirect::to("/aanmelden").into_response();
    };
    match state.services.complete_second_factor(&token, &form.code, &visitor.client).await {
        Ok(session) => signed_in(&state, &session, "/start"),
        Err(e) => visitor.refusal_page(
            &e,
            StatusCode::UNAUTHORIZED,
            "second_factor.html",
            context! { error => visitor.error_text(&e) },
        ),
    }
}

/// The second factor's page: set it up (required for some roles before anything else), or
/// renew recovery codes, or turn it off.
pub async fn setup_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let Some(actor) = visitor
        .actor
        .clone()
        .filter(|_| visitor.stage != Some(SessionStage::SecondFactorPending))
    else {
        return Redirect::to("/aanmelden").into_response();
    };
    match state.services.second_factor_status(&actor).await {
        Ok(status) => visitor.page(
            "second_factor_setup.html",
            context! { required => status.required, enabled => status.enabled, unused => status.unused_recovery_codes, secret => None::<String>, recovery_codes => None::<Vec<String>> },
        ),
        Err(e) => visitor.page_with_status(StatusCode::INTERNAL_SERVER_ERROR, "message.html", context! { title => "", body => visitor.error_text(&e) }),
    }
}

pub async fn setup_start(State(state): State<AppState>, visitor: Visitor, _: PageForm<NoFields>) -> Response {
    let Some(actor) = visitor
        .actor
        .clone()
        .filter(|_| visitor.stage != Some(SessionStage::SecondFactorPending))
    else {
        return Redirect::to("/aanmelden").into_response();
    };
    let required = state
        .services
        .second_factor_status(&actor)
        .await
        .map(|s| s.required)
        .unwrap_or(true);
    match state.services.begin_totp(&actor).await {
        Ok(enrolment) => visitor.page(
            "second_factor_setup.html",
            context! { required, enabled => false, unused => 0, secret => enrolment.secret, uri => enrolment.otpauth_uri, recovery_codes => None::<Vec<String>> },
        ),
        Err(e) => setup_error(&visitor, required, e),
    }
}

fn setup_error(visitor: &Visitor, required: bool, e: ServiceError) -> Response {
    visitor.page_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "second_factor_setup.html",
        context! { required, enabled => false, unused => 0, secret => None::<String>, recovery_codes => None::<Vec<String>>, error => visitor.error_text(&e) },
    )
}

pub async fn setup_confirm(State(state): State<AppState>, visitor: Visitor, PageForm(form): PageForm<CodeForm>) -> Response {
    let Some(actor) = visitor
        .actor
        .clone()
        .filter(|_| visitor.stage != Some(SessionStage::SecondFactorPending))
    else {
        return Redirect::to("/aanmelden").into_response();
    };
    match state.services.confirm_totp(&actor, &form.code).await {
        Ok(codes) => visitor.page(
            "second_factor_setup.html",
            context! { required => false, enabled => true, unused => codes.len(), secret => None::<String>, recovery_codes => codes },
        ),
        Err(e) => setup_error(&visitor, true, e),
    }
}

pub async fn setup_renew(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<CodeForm>) -> Response {
    match state.services.renew_recovery_codes(&actor, &form.code).await {
        Ok(codes) => visitor.page(
            "second_factor_setup.html",
            context! { required => false, enabled => true, unused => codes.len(), secret => None::<String>, recovery_codes => codes },
        ),
        Err(e) => setup_error(&visitor, true, e),
    }
}

pub async fn setup_disable(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<CodeForm>) -> Response {
    match state.services.disable_totp(&actor, &form.code).await {
        Ok(()) => Redirect::to("/tweede-factor").into_response(),
        Err(e) => setup_error(&visitor, false, e),
    }
}

pub async fn sign_out(State(state): State<AppState>, visitor: Visitor, _: PageForm<NoFields>) -> Response {
    if let Some(token) = &visitor.token {
        let _ = state.services.sign_out(token).await;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie(&state));
    response
}

pub async fn sign_out_everywhere(State(state): State<AppState>, Member(_, actor): Member, _: PageForm<NoFields>) -> Response {
    let _ = state.services.sign_out_everywhere(&actor).await;
    let mut response = Redirect::to("/aanmelden").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie(&state));
    response
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
}

pub async fn language(State(state): State<AppState>, visitor: Visitor, PageForm(form): PageForm<LanguageForm>) -> Response {
    let lang = if form.lang == "en" { Lang::En } else { Lang::Nl };
    if let Some(actor) = visitor.signed_in()
        && let Err(e) = state.services.set_language(actor, if lang.is_dutch() { "nl" } else { "en" }).await
    {
        tracing::warn!(error = %e, "language not saved");
    }
    let next = safe_next(form.next.as_deref());
    let mut response = Redirect::to(if next == "/start" && visitor.signed_in().is_none() {
        "/"
    } else {
        &next
    })
    .into_response();
    response.headers_mut().append(header::SET_COOKIE, lang_cookie(&state, lang));
    response
}

pub async fn forgot_page(visitor: Visitor) -> Response {
    visitor.page("forgot_password.html", context! { sent => false })
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(State(state): State<AppState>, visitor: Visitor, PageForm(form): PageForm<EmailForm>) -> Response {
    match state.services.request_password_reset(&form.email, &visitor.client).await {
        Ok(()) => visitor.page("forgot_password.html", context! { sent => true }),
        Err(e @ ServiceError::RateLimited { .. }) => visitor.refusal_page(
            &e,
            StatusCode::TOO_MANY_REQUESTS,
            "forgot_password.html",
            context! { sent => false, error => visitor.error_text(&e) },
        ),
        Err(e) => {
            // The same answer whatever went wrong: nothing tells whether the address has an account.
            tracing::warn!(error = %e, "password reset not sent");
            visitor.page("forgot_password.html", context! { sent => true })
        }
    }
}

pub async fn new_password_page(visitor: Visitor, Path(token): Path<String>) -> Response {
    visitor.page("new_password.html", context! { token })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn new_password(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    match state.services.reset_password(&token, &form.password).await {
        Ok(()) => visitor.message(StatusCode::OK, "new-password-title", "new-password-done"),
        Err(e @ ServiceError::LinkInvalid) => visitor.page_with_status(
            StatusCode::GONE,
            "message.html",
            context! { title => super::i18n::text(visitor.lang, "link-invalid-title", &[]), body => visitor.error_text(&e) },
        ),
        Err(e) => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "new_password.html",
            context! { token, error => visitor.error_text(&e) },
        ),
    }
}

async fn invitation_context(state: &AppState, visitor: &Visitor, token: &str) -> Result<minijinja::Value, Response> {
    match state.services.open_invitation(token).await {
        Ok(i) => {
            let organisation = state
                .directory
                .organisation(&state.services, i.organisation_id)
                .await
                .map(|o| o.name.clone())
                .unwrap_or_default();
            Ok(context! { name => i.name, email => i.email.to_string(), role => i.role.as_str(), organisation })
        }
        Err(e) => Err(visitor.page_with_status(
            StatusCode::GONE,
            "message.html",
            context! { title => super::i18n::text(visitor.lang, "link-invalid-title", &[]), body => visitor.error_text(&e) },
        )),
    }
}

pub async fn invitation_page(State(state): State<AppState>, visitor: Visitor, Path(token): Path<String>) -> Response {
    match invitation_context(&state, &visitor, &token).await {
        Ok(invitation) => visitor.page("invitation.html", context! { token, invitation }),
        Err(page) => page,
    }
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    let invitation = match invitation_context(&state, &visitor, &token).await {
        Ok(i) => i,
        Err(page) => return page,
    };
    match state.services.accept_invitation(&token, &form.password).await {
        Ok(session) => signed_in(&state, &session, "/start"),
        Err(e) => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invitation.html",
            context! { token, invitation, error => visitor.error_text(&e) },
        ),
    }
}

async fn partners(state: &AppState) -> Vec<minijinja::Value> {
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::EducationPartner),
        limit: 100,
        ..Default::default()
    };
    state
        .services
        .organisations_public(filter)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| context! { id => o.id, name => o.name })
        .collect()
}

pub async fn register_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let partners = partners(&state).await;
    visitor.page("register.html", context! { sent => false, partners, name => "", email => "" })
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: i64,
}

pub async fn register(State(state): State<AppState>, visitor: Visitor, PageForm(form): PageForm<RegisterForm>) -> Response {
    match state
        .services
        .register_researcher(&form.email, &form.name, form.organisation, &visitor.client)
        .await
    {
        Ok(()) => visitor.page(
            "register.html",
            context! { sent => true, partners => Vec::<()>::new(), name => "", email => "" },
        ),
        Err(e) => {
            let partners = partners(&state).await;
            visitor.refusal_page(
                &e,
                StatusCode::UNPROCESSABLE_ENTITY,
                "register.html",
                context! { sent => false, partners, name => form.name, email => form.email, error => visitor.error_text(&e) },
            )
        }
    }
}
