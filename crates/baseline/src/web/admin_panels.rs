//! Known admin panels, recognised by what they answer rather than guessed from a status code.

use crate::http::HttpResponse;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// A known admin panel: its name, the path asked for and how it is recognised (so a catch-all page does not count).
pub struct AdminPanel {
    pub name: &'static str,
    pub path: &'static str,
    recognise: fn(&HttpResponse) -> bool,
}

fn body_contains(r: &HttpResponse, needle: &str) -> bool {
    r.body.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// phpMyAdmin, Adminer and the Tomcat manager: database and server administration that should sit behind a VPN.
pub const ADMIN_PANELS: [AdminPanel; 3] = [
    AdminPanel {
        name: "phpMyAdmin",
        path: "/phpmyadmin/",
        recognise: |r| {
            r.status == 200 && (body_contains(r, "phpMyAdmin") || r.header_values("set-cookie").any(|c| c.starts_with("phpMyAdmin")))
        },
    },
    AdminPanel {
        name: "Adminer",
        path: "/adminer.php",
        recognise: |r| r.status == 200 && body_contains(r, "Adminer"),
    },
    AdminPanel {
        name: "Tomcat Manager",
        path: "/manager/html",
        recognise: |r| {
            (r.status == 401 && r.header_values("www-authenticate").any(|v| v.contains("Tomcat Manager")))
                || (r.status == 200 && body_contains(r, "Tomcat Web Application Manager"))
        },
    },
];

impl AdminPanel {
    pub fn recognises(&self, response: &HttpResponse) -> bool {
        (self.recognise)(response)
    }
}

/// The panels found (name, URL).
pub fn admin_panel_judgement(found: &[(String, String)]) -> Judgement {
    match found.first() {
        None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::AdminPanelNone)),
        Some((panel, url)) => {
            let all = found.iter().map(|(p, u)| format!("{p} ({u})")).collect::<Vec<_>>().join(", ");
            Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::AdminPanelFound).arg("panel", panel).arg("url", url),
            )
            .with("admin_panels", all)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::test_support::response;

    #[test]
    fn admin_panels_are_recognised_not_guessed() {
        let pma = response(200, &[], "<title>phpMyAdmin</title>");
        let catch_all = response(200, &[], "<title>Welkom bij de gemeente</title>");
        assert!(ADMIN_PANELS[0].recognises(&pma));
        assert!(!ADMIN_PANELS[0].recognises(&catch_all));
        let tomcat = response(401, &[("www-authenticate", "Basic realm=\"Tomcat Manager Application\"")], "");
        assert!(ADMIN_PANELS[2].recognises(&tomcat));
        assert!(!ADMIN_PANELS[2].recognises(&response(401, &[("www-authenticate", "Basic realm=\"intranet\"")], "")));
        assert_eq!(admin_panel_judgement(&[]).verdict, Verdict::Pass);
        assert_eq!(
            admin_panel_judgement(&[("phpMyAdmin".into(), "https://gent.be/phpmyadmin/".into())]).verdict,
            Verdict::Fail
        );
    }
}
