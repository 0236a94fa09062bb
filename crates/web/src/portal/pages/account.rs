//! A person's account: the second factor's status, API tokens, signing out everywhere.

use super::*;

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_days: String,
}

pub(super) async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &TokenForm,
    new_token: Option<String>,
    error: Option<String>,
) -> Response {
    let tokens: Vec<Value> = state
        .services
        .api_tokens(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| context! { id => t.id, name => t.name, created_at => t.created_at.to_rfc3339(), expires_at => t.expires_at.to_rfc3339(), revoked_at => t.revoked_at.map(|r| r.to_rfc3339()) })
        .collect();
    let second_factor = match state.services.second_factor_status(actor).await {
        Ok(s) => context! { enabled => s.enabled, unused => s.unused_recovery_codes },
        Err(_) => context! { enabled => false, unused => 0 },
    };
    let days = if form.valid_days.is_empty() {
        "90".to_owned()
    } else {
        form.valid_days.clone()
    };
    let form = context! { name => form.name.clone(), valid_days => days };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "api_tokens.html",
        context! { tokens, second_factor, form, new_token, error },
    )
}

pub async fn account(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    account_page(&state, &visitor, &actor, &TokenForm::default(), None, None).await
}

pub async fn make_token(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<TokenForm>) -> Response {
    let days = form.valid_days.trim().parse::<i64>().unwrap_or(0);
    match state.services.create_api_token(&actor, &form.name, days).await {
        Ok(made) => account_page(&state, &visitor, &actor, &TokenForm::default(), Some(made.token), None).await,
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            account_page(&state, &visitor, &actor, &form, None, error).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    _: PageForm<NoFields>,
) -> Response {
    match state.services.revoke_api_token(&actor, &id).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            account_page(&state, &visitor, &actor, &TokenForm::default(), None, error).await
        }
    }
}
