//! What an attacker tried (issue 10), kept as standing tests: open redirects, NUL bytes, huge
//! cursors, caching of private answers, and the like. Each failed before its fix.

use super::portal::{Browser, signed_in};
use super::*;

/// `next` values that a browser would follow to another host, or that cannot be a header.
const FOREIGN_NEXT: &[&str] = &[
    "/\t/evil.test/path",
    "/\n/x",
    "/\r\n/x",
    "//evil.test/x",
    "/\\evil.test/x",
    "\\/evil.test/x",
    " /\t/evil.test",
    "https://evil.test/",
    "/\u{0}x",
    "/\u{7f}x",
    "/é",
];

#[tokio::test]
async fn after_sign_in_only_a_path_on_this_site_is_followed() {
    let app = spawn_app().await;
    for next in FOREIGN_NEXT {
        let mut b = Browser::new(&app);
        let page = b
            .submit(
                "/aanmelden",
                "/aanmelden",
                &[("email", "44021@gemeente.test"), ("password", "demo"), ("next", next)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
        // Signed in already: the sign-in page sends the visitor on, also only on this site.
        let mut url = reqwest::Url::parse("http://x/aanmelden").unwrap();
        url.query_pairs_mut().append_pair("next", next);
        let page = b.get(&format!("/aanmelden?{}", url.query().unwrap())).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
    }
    // A path of this site with its query is kept.
    let mut b = Browser::new(&app);
    let page = b
        .submit(
            "/aanmelden",
            "/aanmelden",
            &[
                ("email", "44021@gemeente.test"),
                ("password", "demo"),
                ("next", "/bevindingen?status=open&sort=due_on"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/bevindingen?status=open&sort=due_on"));
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_a_path_on_this_site() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let mut visitor = Browser::new(&app);
    for next in FOREIGN_NEXT {
        let page = gent.submit("/start", "/taal", &[("lang", "en"), ("next", next)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
        let page = visitor.submit("/", "/taal", &[("lang", "nl"), ("next", next)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/"), "{next:?}");
    }
}
