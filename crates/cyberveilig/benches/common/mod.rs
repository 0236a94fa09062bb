//! What the benchmarks share. Each bench takes the module whole and uses part of it.
#![allow(dead_code)]

/// The `p`th quantile (0 to 1) of sorted values, by the nearest rank; NaN for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The URL of database `name` on the server of `url`, keeping its query.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority..].find('/').map_or(base.len(), |i| authority + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Any error a bench reports and stops on.
pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Signs `email` in to the portal with the demo password: the session cookie (`cv_session=…`).
pub async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> Result<String, AnyError> {
    let page = http.get(format!("{base}/aanmelden")).send().await?;
    let form_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("cv_form="))
        .and_then(|c| c.split(';').next())
        .ok_or("no form cookie")?
        .to_owned();
    let body = page.text().await?;
    let start = body.find("name=\"csrf\" value=\"").ok_or("no csrf")? + 19;
    let csrf = body[start..].split('"').next().unwrap_or_default().to_owned();
    let answer = http
        .post(format!("{base}/aanmelden"))
        .header("cookie", form_cookie)
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", "demo"), ("next", "/start")])
        .send()
        .await?;
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("cv_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("{email} could not sign in").into())
}
