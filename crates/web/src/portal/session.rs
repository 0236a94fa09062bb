//! Who is visiting: the session cookie, the language, and the CSRF token every form carries.
//! Signed-in forms carry the session's own token; forms before sign-in carry a random token
//! that must equal a cookie of the same value (double submit), so another site cannot post
//! them in the visitor's name.

use super::view;
use crate::AppState;
use crate::lang::Lang;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cyberveilig_domain::registry::Role;
use cyberveilig_services::auth::{SESSION_LIFETIME, SessionStage};
use cyberveilig_services::{Actor, ServiceError};
use minijinja::context;
use minijinja::value::Value;

pub const SESSION_COOKIE: &str = "cv_session";
pub const FORM_COOKIE: &str = "cv_form";
pub const LANG_COOKIE: &str = "cv_lang";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.options.secure_cookies { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("cv_invalid=; Max-Age=0"))
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    set_cookie(state, SESSION_COOKIE, token, SESSION_LIFETIME.num_seconds())
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state, SESSION_COOKIE, "", 0)
}

pub fn lang_cookie(state: &AppState, lang: Lang) -> HeaderValue {
    set_cookie(state, LANG_COOKIE, if lang.is_dutch() { "nl" } else { "en" }, 365 * 24 * 3600)
}

/// Anyone on a page: signed in or not, in some stage of signing in.
#[derive(Clone)]
pub struct Visitor {
    pub actor: Option<Actor>,
    pub stage: Option<SessionStage>,
    pub token: Option<String>,
    pub csrf: String,
    /// A CSRF cookie to set with this response (first visit of a form before sign-in).
    pub new_form_cookie: bool,
    /// The double-submit token of forms before sign-in, from its cookie.
    form_token: Option<String>,
    pub lang: Lang,
    /// The visitor chose the language (its cookie), rather than the browser's default.
    pub lang_chosen: bool,
    pub path: String,
    pub organisation_name: Option<String>,
    /// Who the visitor is for the limits: the signed-in person, or the connection's address.
    pub client: String,
    state: AppState,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A handler's extractors may each ask who is visiting: the session is looked up once.
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let token = cookie(parts, SESSION_COOKIE).map(str::to_owned);
        let session = match &token {
            Some(t) => state.services.session_at_any_stage(t).await.ok(),
            None => None,
        };
        let (actor, csrf, stage) = match session {
            Some((actor, csrf, stage)) => (Some(actor), Some(csrf), Some(stage)),
            None => (None, None, None),
        };
        let form_token = cookie(parts, FORM_COOKIE).map(str::to_owned);
        let (csrf, new_form_cookie) = match (csrf, cookie(parts, FORM_COOKIE)) {
            (Some(csrf), _) => (csrf, false),
            (None, Some(form)) => (form.to_owned(), false),
            (None, None) => (hex::encode(rand::random::<[u8; 24]>()), true),
        };
        let lang_chosen = cookie(parts, LANG_COOKIE).is_some();
        let lang = match (&actor, cookie(parts, LANG_COOKIE)) {
            (Some(a), _) if a.language == "en" => Lang::En,
            (Some(_), _) => Lang::Nl,
            (None, Some("en")) => Lang::En,
            (None, Some(_)) => Lang::Nl,
            (None, None) => Lang::from_parts(parts),
        };
        let organisation_name = match &actor {
            Some(a) => state
                .directory
                .organisation(&state.services, a.organisation_id)
                .await
                .ok()
                .map(|o| o.name.clone()),
            None => None,
        };
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let client = crate::extract::client_of(parts, actor.as_ref().map(|a| a.person_id));
        let visitor = Visitor {
            client,
            actor,
            stage,
            token,
            csrf,
            new_form_cookie,
            form_token,
            lang,
            lang_chosen,
            path,
            organisation_name,
            state: state.clone(),
        };
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

impl Visitor {
    pub fn signed_in(&self) -> Option<&Actor> {
        self.actor.as_ref().filter(|_| self.stage == Some(SessionStage::SignedIn))
    }

    /// A form's CSRF token must be this visitor's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), Response> {
        if !self.new_form_cookie && same_secret(submitted, &self.csrf) {
            return Ok(());
        }
        Err(self.message(StatusCode::FORBIDDEN, "csrf-title", "csrf-body"))
    }

    /// The sign-in form is also good with the token of forms before sign-in: a browser may hold
    /// another session (even one planted in it) when its owner signs in.
    pub fn check_sign_in_csrf(&self, submitted: &str) -> Result<(), Response> {
        match &self.form_token {
            Some(token) if same_secret(submitted, token) => Ok(()),
            _ => self.check_csrf(submitted),
        }
    }

    pub fn text(&self, key: &str) -> String {
        super::i18n::text(self.lang, key, &[])
    }

    /// What every page shows: the person, the language switch, the demo banner, the menu.
    pub fn context(&self) -> Value {
        let lang = if self.lang.is_dutch() { "nl" } else { "en" };
        // Someone who must still set up a second factor sees who they are and can sign out.
        let user = self
            .actor
            .as_ref()
            .filter(|_| matches!(self.stage, Some(SessionStage::SignedIn | SessionStage::EnrolmentRequired)))
            .map(|a| {
                context! {
                    email => a.email.clone(),
                    role => a.role.as_str(),
                    organisation => self.organisation_name.clone().unwrap_or_default(),
                }
            });
        let demo_now = self.state.options.demo.then(|| self.state.services.clock.now().to_rfc3339());
        let path = self.path.split('?').next().unwrap_or("/");
        let menu: Vec<Value> = self
            .signed_in()
            .map(|a| menu(a.role))
            .unwrap_or_default()
            .into_iter()
            .map(|(href, key)| {
                let current = path == href || (href != "/start" && path.starts_with(href));
                context! { href, key, current }
            })
            .collect();
        context! {
            lang,
            user,
            csrf => self.csrf.clone(),
            path => self.path.clone(),
            // The page's query, for links that keep its filters (the exports).
            query => self.path.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default(),
            demo_now,
            menu,
        }
    }

    /// A page with this visitor's context and the page's own values.
    pub fn page(&self, template: &str, values: Value) -> Response {
        self.page_with_status(StatusCode::OK, template, values)
    }

    pub fn page_with_status(&self, status: StatusCode, template: &str, values: Value) -> Response {
        let ctx = context! { ..values, ..self.context() };
        let mut response = view::render_with_status(status, template, ctx);
        if self.new_form_cookie {
            let value = set_cookie(&self.state, FORM_COOKIE, &self.csrf, 24 * 3600);
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }

    /// A page with only a title and a message, e.g. for refusals.
    pub fn message(&self, status: StatusCode, title: &str, body: &str) -> Response {
        self.page_with_status(
            status,
            "message.html",
            context! { title => self.text(title), body => self.text(body) },
        )
    }

    /// The message of a service error in the visitor's language.
    pub fn error_text(&self, err: &ServiceError) -> String {
        crate::problem::Problem::from_service(err, self.lang).detail
    }

    /// A page that shows a refusal: with the error's own status for a limit (429, with
    /// `Retry-After`), else `status`.
    pub fn refusal_page(&self, err: &ServiceError, status: StatusCode, template: &str, values: Value) -> Response {
        let problem = crate::problem::Problem::from_service(err, self.lang);
        let Some(seconds) = problem.retry_after else {
            return self.page_with_status(status, template, values);
        };
        let mut response = self.page_with_status(StatusCode::TOO_MANY_REQUESTS, template, values);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}

/// The menu of a role: (path, message id).
fn menu(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/start", "menu-home")];
    match role {
        Role::ProgrammeAdmin => items.extend([
            ("/bestellingen", "menu-orders"),
            ("/bevindingen", "menu-findings"),
            ("/meldingen", "menu-reports"),
            ("/samenwerkingen", "menu-engagements"),
            ("/evenementen", "menu-awareness"),
            ("/stuurgroep", "menu-steering"),
            ("/actieplan", "menu-grant"),
            ("/toolkit", "menu-toolkit"),
            ("/cijfers", "menu-figures"),
            ("/raamovereenkomsten", "menu-agreements"),
            ("/besturen", "menu-governments"),
            ("/basisbeveiliging", "menu-baseline"),
            ("/mensen", "menu-people"),
            ("/postvak", "menu-outbox"),
        ]),
        Role::GovernmentMember => items.extend([
            ("/bestellingen", "menu-orders"),
            ("/bevindingen", "menu-findings"),
            ("/meldingen", "menu-reports"),
            ("/samenwerkingen", "menu-engagements"),
            ("/evenementen", "menu-awareness"),
            ("/toolkit", "menu-toolkit"),
            ("/cijfers", "menu-figures"),
            ("/mensen", "menu-people"),
            ("/beleid", "menu-policy"),
            ("/basisbeveiliging", "menu-baseline"),
        ]),
        Role::FirmMember => items.extend([
            ("/bestellingen", "menu-orders"),
            ("/bevindingen", "menu-findings"),
            ("/evenementen", "menu-awareness"),
        ]),
        Role::AssociationMember => items.extend([
            ("/modelbeleid", "menu-model-policy"),
            ("/meldingen", "menu-reports"),
            ("/samenwerkingen", "menu-engagements"),
            ("/evenementen", "menu-awareness"),
            ("/stuurgroep", "menu-steering"),
            ("/actieplan", "menu-grant"),
            ("/toolkit", "menu-toolkit"),
            ("/cijfers", "menu-figures"),
        ]),
        Role::Researcher => items.extend([("/meldingen", "menu-reports"), ("/samenwerkingen", "menu-engagements")]),
    }
    items.push(("/account", "menu-account"));
    items
}

/// A signed-in visitor; others are sent to sign in (and back here afterwards), or to finish
/// signing in.
pub struct Member(pub Visitor, pub Actor);

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(visitor) = Visitor::from_request_parts(parts, state).await;
        match (visitor.stage, visitor.actor.clone()) {
            (Some(SessionStage::SignedIn), Some(actor)) => Ok(Member(visitor, actor)),
            (Some(SessionStage::SecondFactorPending), _) => Err(Redirect::to("/aanmelden/code").into_response()),
            (Some(SessionStage::EnrolmentRequired), _) => Err(Redirect::to("/tweede-factor").into_response()),
            _ => {
                let next: String = serde_urlencoded::to_string([("next", visitor.path.as_str())]).unwrap_or_default();
                Err(Redirect::to(&format!("/aanmelden?{next}")).into_response())
            }
        }
    }
}

/// Where to go after signing in: only a path on this site, else the start page. A browser drops
/// tabs and line breaks from a URL and reads `\\` as `/`, so `/\t/host` would leave the site: the
/// path must be printable ASCII without a backslash, must not start with `//`, and must parse as
/// a path with its query (so it is a valid `Location` header too).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_owned(),
        _ => "/start".into(),
    }
}

fn is_local_path(n: &str) -> bool {
    n.starts_with('/')
        && !n.starts_with("//")
        && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && n.parse::<axum::http::uri::PathAndQuery>().is_ok()
}

/// A posted form; one that cannot be read is answered with a page in the visitor's language.
/// The ids in a page's path (`/bestellingen/{id}`, or a tuple such as `(i64, i64)` for
/// `/meldingen/{id}/bijlagen/{aid}`): whole numbers, or the page answers 404 in the visitor's
/// language before any handler sees it.
pub struct PageId<T = i64>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PageId<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PageId(id)),
            Err(_) => {
                let Ok(visitor) = Visitor::from_request_parts(parts, state).await;
                Err(visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"))
            }
        }
    }
}

/// A form posted from a page, read and checked: it carries the visitor's CSRF token (the
/// session's, or before sign-in the double-submit cookie's), or it is refused with 403 before any
/// handler sees it. Every portal form arrives through this (or [`SignInForm`]), so no handler can
/// forget the check.
pub struct PageForm<T>(pub T);

/// The sign-in form: also good with the token of forms before sign-in, since a browser may hold
/// another session (even one planted in it) when its owner signs in.
pub struct SignInForm<T>(pub T);

/// A form with nothing but its token: posting it is the whole request (sign out, adopt, ...).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// The token every form carries.
#[derive(serde::Deserialize)]
struct FormToken {
    #[serde(default)]
    csrf: String,
}

/// Reads an url-encoded form, checks its token with `check`, and only then its fields.
async fn checked_form<T: serde::de::DeserializeOwned>(
    req: axum::extract::Request,
    state: &AppState,
    check: fn(&Visitor, &str) -> Result<(), Response>,
) -> Result<T, Response> {
    let (mut parts, body) = req.into_parts();
    let Ok(visitor) = Visitor::from_request_parts(&mut parts, state).await;
    let unreadable = || visitor.message(StatusCode::BAD_REQUEST, "bad-form-title", "bad-form-body");
    let url_encoded = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !url_encoded {
        return Err(unreadable());
    }
    let req = axum::extract::Request::from_parts(parts, body);
    let bytes = match <axum::body::Bytes as axum::extract::FromRequest<AppState>>::from_request(req, state).await {
        Ok(bytes) => bytes,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(visitor.message(StatusCode::PAYLOAD_TOO_LARGE, "too-large-title", "too-large-body"));
        }
        Err(_) => return Err(unreadable()),
    };
    let token: FormToken = serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
    check(&visitor, &token.csrf)?;
    if crate::input::urlencoded_has_nul(&bytes) {
        return Err(visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "invalid-text-title", "invalid-text-body"));
    }
    serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())
}

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        checked_form(req, state, Visitor::check_csrf).await.map(PageForm)
    }
}

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for SignInForm<T> {
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        checked_form(req, state, Visitor::check_sign_in_csrf).await.map(SignInForm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/bestellingen/3")), "/bestellingen/3");
        for bad in [
            "//evil.test/x",
            "https://evil.test",
            "/\\evil.test",
            "evil",
            "/\t/evil.test/x",
            "/\n/x",
            "/ /x",
            "/é",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/start", "{bad}");
        }
        assert_eq!(safe_next(None), "/start");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
