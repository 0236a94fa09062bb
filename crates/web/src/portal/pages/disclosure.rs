//! Disclosure policies in the portal: the public pages of a government's policy (Dutch at
//! `/g/{nis}/beleid`, English at `/g/{nis}/policy`, earlier versions beside them), its
//! security.txt at `/g/{nis}/.well-known/security.txt`, the government's editor (`/beleid`) with
//! the download of its security.txt, and VVSG's editor of the model (`/modelbeleid`).

use super::*;
use crate::lang::Lang;
use axum::http::{HeaderValue, header};
use cyberveilig_domain::disclosure::{Bilingual, PolicyContent, ResponseTargets, lines};
use cyberveilig_domain::registry::NisCode;
use cyberveilig_services::disclosure::{DraftView, PublicPolicy, PublishedPolicy, SecurityTxt};

fn content_view(c: &PolicyContent, dutch: bool) -> Value {
    let pick = |b: &Bilingual| b.get(dutch).to_owned();
    let items = |b: &Bilingual| lines(b.get(dutch)).into_iter().map(str::to_owned).collect::<Vec<_>>();
    context! {
        intro => pick(&c.intro).split("\n\n").map(str::to_owned).collect::<Vec<_>>(),
        allowed => items(&c.allowed),
        forbidden => items(&c.forbidden),
        safe_harbour => items(&c.safe_harbour),
        in_scope => c.in_scope.clone(),
        out_of_scope => c.out_of_scope.clone(),
        include_assets => c.include_assets,
        contact_email => c.contact_email.clone(),
        encryption_url => c.encryption_url.clone(),
        acknowledge_days => c.targets.acknowledge_days,
        triage_days => c.targets.triage_days,
        credit => c.credit,
    }
}

fn published_view(p: &PublishedPolicy, dutch: bool) -> Value {
    context! {
        version => p.version,
        published_at => p.published_at.to_rfc3339(),
        expires_at => p.expires_at.map(|e| e.to_rfc3339()),
        model_version => p.model_version,
        content => content_view(&p.content, dutch),
        assets => p.assets.iter().map(|a| context! { name => a.name.clone(), kind => a.kind.clone(), hostname => a.hostname.clone(), ip => a.ip.clone() }).collect::<Vec<_>>(),
    }
}

/// The public page of a government's policy, in the language of its address.
async fn public_page(state: AppState, mut visitor: Visitor, nis: String, version: Option<i64>, lang: Lang) -> Response {
    visitor.lang = lang;
    let Ok(nis) = nis.parse::<NisCode>() else {
        return visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body");
    };
    match state.services.public_policy(&nis, version).await {
        Ok(p) => render_public(&state, &visitor, &p),
        // A government without a published policy still receives reports: the page says so
        // and links its form.
        Err(ServiceError::NotFound(_)) if version.is_none() => match state.services.report_recipient(&nis.to_string()).await {
            Ok(g) => visitor.page_with_status(
                StatusCode::NOT_FOUND,
                "policy_none.html",
                context! { government => g.name, form => format!("/g/{nis}/{}", if lang.is_dutch() { "melden" } else { "report" }) },
            ),
            Err(_) => visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body"),
        },
        Err(ServiceError::NotFound(_)) => visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body"),
        Err(e) => visitor.page_with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

fn render_public(state: &AppState, visitor: &Visitor, p: &PublicPolicy) -> Response {
    let dutch = visitor.lang.is_dutch();
    let nis = p.government.nis_code.as_ref().map(|n| n.to_string()).unwrap_or_default();
    let (page, version_path) = if dutch { ("beleid", "versie") } else { ("policy", "version") };
    let base = state.services.accounts.public_url.trim_end_matches('/').to_owned();
    let valid_security_txt = p.policy.version == p.current_version && p.policy.expires_at.is_some_and(|e| e > state.services.clock.now());
    visitor.page(
        "policy.html",
        context! {
            government => p.government.name.clone(), nis => nis.clone(),
            policy => published_view(&p.policy, dutch),
            current => p.policy.version == p.current_version,
            current_version => p.current_version,
            versions => p.versions.iter().map(|v| context! { version => v.version, published_at => v.published_at.to_rfc3339(),
                href => format!("/g/{nis}/{page}/{version_path}/{}", v.version) }).collect::<Vec<_>>(),
            this_page => format!("/g/{nis}/{page}"),
            other_language => if dutch { format!("/g/{nis}/policy") } else { format!("/g/{nis}/beleid") },
            report_form => if dutch { format!("/g/{nis}/melden") } else { format!("/g/{nis}/report") },
            acknowledgments => format!("/g/{nis}/dank"),
            security_txt => valid_security_txt.then(|| format!("/g/{nis}/.well-known/security.txt")),
            canonical => format!("{base}/g/{nis}/{page}"),
        },
    )
}

pub async fn public_nl(State(state): State<AppState>, visitor: Visitor, Path(nis): Path<String>) -> Response {
    public_page(state, visitor, nis, None, Lang::Nl).await
}

pub async fn public_en(State(state): State<AppState>, visitor: Visitor, Path(nis): Path<String>) -> Response {
    public_page(state, visitor, nis, None, Lang::En).await
}

pub async fn public_version_nl(State(state): State<AppState>, visitor: Visitor, Path((nis, version)): Path<(String, String)>) -> Response {
    match version.parse() {
        Ok(v) => public_page(state, visitor, nis, Some(v), Lang::Nl).await,
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body"),
    }
}

pub async fn public_version_en(State(state): State<AppState>, visitor: Visitor, Path((nis, version)): Path<(String, String)>) -> Response {
    match version.parse() {
        Ok(v) => public_page(state, visitor, nis, Some(v), Lang::En).await,
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body"),
    }
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// How to reach the installation's operator: `security_contact`, or `security@` the public
/// address's host.
pub(crate) fn operator_contact(state: &AppState) -> String {
    match state.options.security_contact.trim() {
        "" => {
            let public_url = &state.services.accounts.public_url;
            let host = public_url.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("");
            format!("mailto:security@{host}")
        }
        configured => configured.to_owned(),
    }
}

/// `/.well-known/security.txt`: how to report a vulnerability in cyberveilig itself (RFC 9116),
/// to the installation's operator (`security_contact`).
pub async fn platform_security_txt(State(state): State<AppState>) -> Response {
    let public_url = state.services.accounts.public_url.clone();
    let contact = operator_contact(&state);
    match cyberveilig_services::disclosure::security_contact(&contact) {
        Ok(contact) => {
            let now = chrono::Utc::now();
            plain(
                StatusCode::OK,
                cyberveilig_services::disclosure::platform_security_txt(&contact, &public_url, now),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "no security contact for /.well-known/security.txt: set security_contact");
            plain(StatusCode::NOT_FOUND, "No security contact is configured here.\n".into())
        }
    }
}

/// `/g/{nis}/.well-known/security.txt`: served only while the policy in force has not expired.
pub async fn security_txt(State(state): State<AppState>, Path(nis): Path<String>) -> Response {
    let Ok(nis) = nis.parse::<NisCode>() else {
        return plain(StatusCode::NOT_FOUND, "No security.txt here.\n".into());
    };
    match state.services.security_txt(&nis).await {
        Ok(file) => {
            let mut response = plain(StatusCode::OK, file.text);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            response
        }
        Err(ServiceError::NotFound(_)) => plain(
            StatusCode::NOT_FOUND,
            "Geen (geldige) security.txt voor dit bestuur. / No (valid) security.txt for this government.\n".into(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "security.txt not served");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "The security.txt cannot be served now.\n".into())
        }
    }
}

// -- The editors ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    intro_nl: String,
    #[serde(default)]
    intro_en: String,
    #[serde(default)]
    allowed_nl: String,
    #[serde(default)]
    allowed_en: String,
    #[serde(default)]
    forbidden_nl: String,
    #[serde(default)]
    forbidden_en: String,
    #[serde(default)]
    safe_harbour_nl: String,
    #[serde(default)]
    safe_harbour_en: String,
    include_assets: Option<String>,
    #[serde(default)]
    in_scope: String,
    #[serde(default)]
    out_of_scope: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    encryption_url: String,
    #[serde(default)]
    acknowledge_days: String,
    #[serde(default)]
    triage_days: String,
    credit: Option<String>,
}

impl PolicyForm {
    fn content(self) -> Result<PolicyContent, ServiceError> {
        let days = |text: &str, field: &'static str, default: i64| -> Result<i64, ServiceError> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(default);
            }
            t.parse()
                .map_err(|_| ServiceError::invalid(field, "give a whole number of working days", "geef een geheel aantal werkdagen"))
        };
        let defaults = ResponseTargets::default();
        Ok(PolicyContent {
            intro: Bilingual::new(self.intro_nl, self.intro_en),
            allowed: Bilingual::new(self.allowed_nl, self.allowed_en),
            forbidden: Bilingual::new(self.forbidden_nl, self.forbidden_en),
            safe_harbour: Bilingual::new(self.safe_harbour_nl, self.safe_harbour_en),
            include_assets: self.include_assets.is_some(),
            in_scope: self.in_scope.lines().map(str::to_owned).collect(),
            out_of_scope: self.out_of_scope.lines().map(str::to_owned).collect(),
            contact_email: self.contact_email,
            encryption_url: self.encryption_url,
            targets: ResponseTargets {
                acknowledge_days: days(&self.acknowledge_days, "acknowledge_days", defaults.acknowledge_days)?,
                triage_days: days(&self.triage_days, "triage_days", defaults.triage_days)?,
            },
            credit: self.credit.is_some(),
        })
    }
}

fn editor_fields(c: &PolicyContent) -> Value {
    context! {
        intro_nl => c.intro.nl.clone(), intro_en => c.intro.en.clone(),
        allowed_nl => c.allowed.nl.clone(), allowed_en => c.allowed.en.clone(),
        forbidden_nl => c.forbidden.nl.clone(), forbidden_en => c.forbidden.en.clone(),
        safe_harbour_nl => c.safe_harbour.nl.clone(), safe_harbour_en => c.safe_harbour.en.clone(),
        include_assets => c.include_assets,
        in_scope => c.in_scope.join("\n"), out_of_scope => c.out_of_scope.join("\n"),
        contact_email => c.contact_email.clone(), encryption_url => c.encryption_url.clone(),
        acknowledge_days => c.targets.acknowledge_days, triage_days => c.targets.triage_days,
        credit => c.credit,
    }
}

fn security_txt_view(s: &SecurityTxt, dutch: bool) -> Value {
    context! {
        text => s.text.clone(), expires_at => s.expires_at.to_rfc3339(), expired => s.expired,
        expiring_soon => s.expiring_soon, problems => s.problems.iter().map(|p| p.text(dutch).to_owned()).collect::<Vec<_>>(),
    }
}

fn editor(
    state: &AppState,
    visitor: &Visitor,
    view: &DraftView,
    model: bool,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let dutch = visitor.lang.is_dutch();
    let nis = view.organisation.nis_code.as_ref().map(|n| n.to_string());
    let today = brussels_date(state.services.clock.now());
    visitor.page_with_status(
        status,
        "policy_editor.html",
        context! {
            model, organisation => view.organisation.name.clone(), nis,
            form => editor_fields(&view.content),
            saved => view.saved, updated_at => view.updated_at.map(|t| t.to_rfc3339()),
            model_version => view.model_version, model_available => view.model_available,
            current => view.current.as_ref().map(|p| published_view(p, dutch)),
            versions => view.versions.iter().map(|v| context! { version => v.version, published_at => v.published_at.to_rfc3339() }).collect::<Vec<_>>(),
            assets => view.assets.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
            security_txt => view.security_txt.as_ref().map(|s| security_txt_view(s, visitor.lang.is_dutch())),
            default_expiry => cyberveilig_domain::disclosure::default_expiry(today).to_string(),
            error, notice,
        },
    )
}

async fn government_nis(state: &AppState, actor: &Actor) -> Option<NisCode> {
    state
        .directory
        .organisation(&state.services, actor.organisation_id)
        .await
        .ok()
        .and_then(|o| o.nis_code.clone())
}

/// The government's editor: its draft, the model to adopt, its versions and security.txt.
pub async fn editor_page(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    let Some(nis) = government_nis(&state, &actor)
        .await
        .filter(|_| actor.role == Role::GovernmentMember)
    else {
        return forbidden(&visitor);
    };
    match state.services.policy_draft(&actor, &nis).await {
        Ok(view) => editor(&state, &visitor, &view, false, StatusCode::OK, None, None),
        Err(ServiceError::Forbidden | ServiceError::NotFound(_)) => forbidden(&visitor),
        Err(e) => visitor.page_with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

/// After a step on the government's policy: the editor again, with what happened.
async fn after_step(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    nis: &NisCode,
    outcome: Result<(), ServiceError>,
    done: &str,
    tried: Option<PolicyContent>,
) -> Response {
    let Ok(mut view) = state.services.policy_draft(actor, nis).await else {
        return forbidden(visitor);
    };
    match outcome {
        Ok(()) => editor(state, visitor, &view, false, StatusCode::OK, None, Some(visitor.text(done))),
        Err(ServiceError::Forbidden) => forbidden(visitor),
        Err(e) => {
            // What the person typed stays in the form.
            if let Some(c) = tried {
                view.content = c;
            }
            editor(
                state,
                visitor,
                &view,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(visitor.error_text(&e)),
                None,
            )
        }
    }
}

pub async fn save(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<PolicyForm>) -> Response {
    let Some(nis) = government_nis(&state, &actor)
        .await
        .filter(|_| actor.role == Role::GovernmentMember)
    else {
        return forbidden(&visitor);
    };
    let (outcome, tried) = match form.content() {
        Ok(content) => (
            state.services.save_policy_draft(&actor, &nis, content.clone()).await.map(|_| ()),
            Some(content),
        ),
        Err(e) => (Err(e), None),
    };
    after_step(&state, &visitor, &actor, &nis, outcome, "policy-saved", tried).await
}

pub async fn adopt(State(state): State<AppState>, Member(visitor, actor): Member, _: PageForm<NoFields>) -> Response {
    let Some(nis) = government_nis(&state, &actor)
        .await
        .filter(|_| actor.role == Role::GovernmentMember)
    else {
        return forbidden(&visitor);
    };
    let outcome = state.services.adopt_model(&actor, &nis).await.map(|_| ());
    after_step(&state, &visitor, &actor, &nis, outcome, "policy-adopted", None).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    expires_on: String,
}

pub async fn publish(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<PublishForm>) -> Response {
    let Some(nis) = government_nis(&state, &actor)
        .await
        .filter(|_| actor.role == Role::GovernmentMember)
    else {
        return forbidden(&visitor);
    };
    let outcome = match form.expires_on.trim() {
        "" => Ok(None),
        text => parse_date(text, "expires_on").map(Some),
    };
    let outcome = match outcome {
        Ok(expires_on) => state.services.publish_policy(&actor, &nis, expires_on).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_step(&state, &visitor, &actor, &nis, outcome, "policy-published", None).await
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    domein: Option<String>,
}

/// The security.txt to put on the government's own web server, as a file.
pub async fn download(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<DownloadQuery>) -> Response {
    let Some(nis) = government_nis(&state, &actor)
        .await
        .filter(|_| actor.role == Role::GovernmentMember)
    else {
        return forbidden(&visitor);
    };
    match state.services.security_txt_download(&actor, &nis, q.domein.as_deref()).await {
        Ok(file) => {
            let mut response = plain(StatusCode::OK, file.text);
            response.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"security.txt\""),
            );
            response
        }
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(ServiceError::NotFound(_)) => visitor.message(StatusCode::NOT_FOUND, "policy-none-title", "policy-none-body"),
        Err(e) => match state.services.policy_draft(&actor, &nis).await {
            Ok(view) => editor(
                &state,
                &visitor,
                &view,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(visitor.error_text(&e)),
                None,
            ),
            Err(_) => forbidden(&visitor),
        },
    }
}

// -- VVSG's model --------------------------------------------------------------------------

pub async fn model_page(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match state.services.model_draft(&actor).await {
        Ok(view) => editor(&state, &visitor, &view, true, StatusCode::OK, None, None),
        Err(_) => forbidden(&visitor),
    }
}

async fn after_model_step(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    outcome: Result<(), ServiceError>,
    done: &str,
    tried: Option<PolicyContent>,
) -> Response {
    let Ok(mut view) = state.services.model_draft(actor).await else {
        return forbidden(visitor);
    };
    match outcome {
        Ok(()) => editor(state, visitor, &view, true, StatusCode::OK, None, Some(visitor.text(done))),
        Err(ServiceError::Forbidden) => forbidden(visitor),
        Err(e) => {
            if let Some(c) = tried {
                view.content = c;
            }
            editor(
                state,
                visitor,
                &view,
                true,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(visitor.error_text(&e)),
                None,
            )
        }
    }
}

pub async fn save_model(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<PolicyForm>) -> Response {
    let (outcome, tried) = match form.content() {
        Ok(content) => (
            state.services.save_model_draft(&actor, content.clone()).await.map(|_| ()),
            Some(content),
        ),
        Err(e) => (Err(e), None),
    };
    after_model_step(&state, &visitor, &actor, outcome, "policy-saved", tried).await
}

pub async fn publish_model(State(state): State<AppState>, Member(visitor, actor): Member, _: PageForm<NoFields>) -> Response {
    let outcome = state.services.publish_model(&actor).await.map(|_| ());
    after_model_step(&state, &visitor, &actor, outcome, "model-published", None).await
}
