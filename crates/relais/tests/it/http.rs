//! The HTTP side as a visitor meets it: headers, languages, errors, exit.

use relais::web::i18n::Lang;

use crate::helpers::{TestApp, assert_has_safety_chrome};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Every address the site answers, pages in every language.
fn every_address(app: &TestApp) -> Vec<String> {
    let mut addresses = Vec::new();
    for route in &app.routes {
        if route.is_page {
            addresses.extend(Lang::ALL.iter().map(|lang| lang.path(route.path)));
        } else {
            addresses.push(route.path.to_owned());
        }
    }
    addresses.extend(app.state.assets.all_urls().map(str::to_owned));
    addresses.push("/cette-page-n-existe-pas".to_owned());
    addresses
}

#[tokio::test]
async fn every_route_answers_with_the_security_headers() {
    let app = TestApp::spawn().await;
    let addresses = every_address(&app);
    assert!(
        addresses.len() > 10,
        "the walk found too few routes: {addresses:?}"
    );
    for address in addresses {
        let response = app.get(&address).await;
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-security-policy"), CSP, "{address}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{address}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{address}");
        assert_eq!(
            header("cross-origin-opener-policy"),
            "same-origin",
            "{address}"
        );
        let permissions = header("permissions-policy");
        for feature in ["camera=()", "microphone=()", "geolocation=()"] {
            assert!(permissions.contains(feature), "{address}: {permissions}");
        }
        assert!(
            headers.get("set-cookie").is_none(),
            "{address} sets a cookie"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "{address}: HSTS without HTTPS"
        );
        let cache = header("cache-control");
        if address.starts_with("/static/") && response.status().is_success() {
            assert!(cache.contains("immutable"), "{address}: {cache}");
        } else {
            assert_eq!(cache, "no-store", "{address}");
        }
    }
}

#[tokio::test]
async fn every_page_carries_the_safety_chrome_in_every_language() {
    let app = TestApp::spawn().await;
    for route in app.routes.iter().filter(|route| route.is_page) {
        for lang in Lang::ALL {
            let address = lang.path(route.path);
            let (status, html) = app.get_text(&address).await;
            let expected = if route.found { 200 } else { 404 };
            assert_eq!(status, expected, "{address}");
            assert_has_safety_chrome(&html, &address);
            let expected = format!("<html lang=\"{}\" dir=\"{}\">", lang.code(), lang.dir());
            assert!(html.contains(&expected), "{address}: expected {expected}");
        }
    }
}

#[tokio::test]
async fn no_link_or_redirect_built_from_a_path_leaves_the_site() {
    let app = TestApp::spawn().await;
    let mut tried = 0;
    for prefix in ["", "/en", "/ar", "/pro", "/fiches", "/annuaire"] {
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%09/evil.example",
            "///evil.example/x",
        ] {
            let path = format!("{prefix}{evil}");
            let (_, head, body) = crate::helpers::raw_get(app.addr, &path).await;
            tried += 1;
            let location = head
                .lines()
                .find_map(|line| line.strip_prefix("location: "))
                .map(str::to_owned);
            for target in crate::helpers::page::link_targets(&body)
                .into_iter()
                .chain(location)
            {
                assert!(
                    crate::helpers::page::is_safe_target(&target),
                    "{path:?} links to {target:?}"
                );
            }
        }
    }
    // The sign-in page's return address, and the language switch of pages
    // reached through a redirect.
    for suite in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/pro",
    ] {
        let path = format!("/pro/connexion?suite={}", suite.replace('\\', "%5C"));
        let (_, html) = app.get_text(&path).await;
        assert!(
            html.contains("name=\"suite\" value=\"/pro\""),
            "{path}: {html}"
        );
    }
    assert!(tried > 30);
}

#[tokio::test]
async fn hsts_is_sent_when_the_site_is_served_over_https() {
    let app = TestApp::spawn_with(|settings| settings.https = true).await;
    let response = app.get("/").await;
    let hsts = response
        .headers()
        .get("strict-transport-security")
        .expect("HSTS");
    assert!(hsts.to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn quick_exit_without_javascript_clears_site_data_and_leaves() {
    let app = TestApp::spawn_with(|settings| {
        settings.neutral_url = "https://example.org/meteo".to_owned();
    })
    .await;
    let response = app.get("/sortie").await;
    assert_eq!(response.status().as_u16(), 303);
    let headers = response.headers();
    assert_eq!(headers["location"], "https://example.org/meteo");
    assert_eq!(
        headers["clear-site-data"],
        "\"cache\", \"cookies\", \"storage\""
    );
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn the_exit_button_leads_to_the_exit_link_and_names_the_neutral_site() {
    let app = TestApp::spawn_with(|settings| {
        settings.neutral_url = "https://example.org/meteo".to_owned();
    })
    .await;
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("href=\"/sortie\""));
    assert!(html.contains("data-exit-url=\"https://example.org/meteo\""));
    assert!(html.contains("Cacher le site"));
}

#[tokio::test]
async fn the_404_page_is_french_and_carries_the_exit_button_and_the_emergency_band() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/une/adresse/inconnue").await;
    assert_eq!(status, 404);
    assert!(html.contains("<html lang=\"fr\""));
    assert!(
        html.contains("Cette page n&#39;existe pas") || html.contains("Cette page n'existe pas"),
        "{html}"
    );
    assert!(html.contains("Cacher le site"));
    assert!(
        html.contains(
            "Danger immédiat : <a href=\"tel:17\" dir=\"ltr\">17</a> ou <a href=\"tel:112\" dir=\"ltr\">112</a>"
        ),
        "{html}"
    );
    assert!(html.contains("SMS au <bdi dir=\"ltr\">114</bdi>"), "{html}");
    assert!(html.contains("<bdi dir=\"ltr\">3919</bdi>"), "{html}");
    assert_has_safety_chrome(&html, "404");
}

#[tokio::test]
async fn error_pages_speak_the_language_of_the_address() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/en/nowhere").await;
    assert_eq!(status, 404);
    assert!(html.contains("This page does not exist"), "{html}");
    let (_, html) = app.get_text("/ar/nowhere").await;
    assert!(
        html.contains("dir=\"rtl\"") && html.contains("هذه الصفحة غير موجودة"),
        "{html}"
    );
}

#[tokio::test]
async fn a_body_too_large_gets_the_413_page() {
    let app = TestApp::spawn_with(|settings| settings.body_limit = 2048).await;
    let response = app
        .client
        .post(app.url("/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x".repeat(10_000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("L&#39;envoi est trop long") || html.contains("L'envoi est trop long"),
        "{html}"
    );
    assert_has_safety_chrome(&html, "413");
}

#[tokio::test]
async fn too_many_requests_get_the_429_page_and_others_nothing_internal() {
    let app = TestApp::spawn_with(|settings| settings.rate_limit_per_minute = 5).await;
    for _ in 0..5 {
        assert_eq!(app.get("/").await.status().as_u16(), 200);
    }
    let response = app.get("/securite").await;
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "60");
    let html = response.text().await.unwrap();
    assert!(html.contains("Trop de demandes"), "{html}");
    assert!(html.contains("17") && html.contains("112"));
    assert_has_safety_chrome(&html, "429");
}

#[tokio::test]
async fn behind_a_proxy_requests_without_a_readable_address_share_one_limit() {
    let app = TestApp::spawn_with(|settings| {
        settings.rate_limit_per_minute = 4;
        settings.client_ip_header = Some("x-forwarded-for".to_owned());
    })
    .await;
    let get = |value: Option<&'static str>| {
        let mut request = app.client.get(app.url("/"));
        if let Some(value) = value {
            request = request.header("x-forwarded-for", value);
        }
        request.send()
    };
    // Four requests without the header, or with one that says nothing,
    // use up one shared allowance…
    for value in [None, Some("garbage"), None, Some("")] {
        assert_eq!(get(value).await.unwrap().status().as_u16(), 200);
    }
    assert_eq!(get(None).await.unwrap().status().as_u16(), 429);
    assert_eq!(get(Some("not-an-ip")).await.unwrap().status().as_u16(), 429);
    // …while a client the proxy names has its own.
    assert_eq!(
        get(Some("192.0.2.10")).await.unwrap().status().as_u16(),
        200
    );
}

#[tokio::test]
async fn a_method_not_allowed_gets_a_calm_page() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/securite"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let html = response.text().await.unwrap();
    assert_has_safety_chrome(&html, "405");
}

#[tokio::test]
async fn the_server_error_page_shows_nothing_internal() {
    let app = TestApp::spawn().await;
    // Closing the pool makes every query fail, as a lost database would.
    app.state.db.close().await;
    let (status, html) = app.get_text("/healthz").await;
    assert_eq!(status, 503);
    assert!(
        html.contains("Ce n&#39;est pas de votre faute")
            || html.contains("Ce n'est pas de votre faute")
    );
    for internal in ["sqlx", "pool", "database", "PoolClosed", "error:"] {
        assert!(!html.contains(internal), "the page shows {internal:?}");
    }
}

#[tokio::test]
async fn the_health_probe_answers_ok() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_text("/healthz").await, (200, "ok\n".to_owned()));
}

#[tokio::test]
async fn pages_are_compressed_with_brotli_or_gzip() {
    let app = TestApp::spawn().await;
    let raw = reqwest::Client::builder()
        .no_brotli()
        .no_gzip()
        .build()
        .unwrap();
    for encoding in ["br", "gzip"] {
        let response = raw
            .get(app.url("/"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

#[tokio::test]
async fn the_language_switch_links_to_the_same_page_in_each_language() {
    let app = TestApp::spawn().await;
    let (_, html) = app.get_text("/securite").await;
    assert!(html.contains("href=\"/en/securite\" hreflang=\"en\""));
    assert!(html.contains("href=\"/ar/securite\" hreflang=\"ar\""));
    let (_, english) = app.get_text("/en/securite").await;
    assert!(english.contains("Browsing safely"));
    assert!(english.contains("href=\"/securite\" hreflang=\"fr\""));
}

#[tokio::test]
async fn the_home_page_says_what_relais_does_and_links_only_to_pages_that_exist() {
    let app = TestApp::spawn().await;
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("Commencer"));
    for line in [
        "tel:17", "tel:112", "sms:114", "tel:3919", "tel:119", "tel:115",
    ] {
        assert!(html.contains(line), "the home page lacks {line}");
    }
    for href in html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
    {
        if href.starts_with('/') {
            let status = app.get(href).await.status().as_u16();
            assert!(status == 200 || status == 303, "{href} answers {status}");
        } else {
            assert!(
                href.starts_with("tel:") || href.starts_with("sms:") || href.starts_with('#'),
                "a link leaves the site: {href}"
            );
        }
    }
}

#[tokio::test]
async fn public_pages_load_nothing_from_another_origin() {
    let app = TestApp::spawn().await;
    for route in app.routes.iter().filter(|route| route.is_page) {
        for lang in Lang::ALL {
            let (_, html) = app.get_text(&lang.path(route.path)).await;
            // What a page loads; links elsewhere are only followed on a click.
            for attribute in [
                "src=\"",
                "rel=\"stylesheet\" href=\"",
                "rel=\"icon\" href=\"",
            ] {
                for value in html
                    .split(attribute)
                    .skip(1)
                    .filter_map(|rest| rest.split('"').next())
                {
                    assert!(
                        !value.starts_with("//") && !value.contains("://"),
                        "{}: {value}",
                        route.path
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_site_reads_a_postcode_and_a_name_as_the_commune_of_that_postcode() {
    let app = TestApp::spawn().await;
    // Five digits are a postcode: 62170 covers many communes, to choose from.
    let (_, choices) = app
        .post_text("/annuaire", &[("lieu", "62170"), ("besoin", "legal")])
        .await;
    assert!(
        choices.contains("name=\"commune\" value=\"62588\""),
        "{choices}"
    );
    assert!(!choices.contains("Bouvigny-Boyeffles"), "{choices}");
    // A postcode and a name are that commune, at once.
    let (status, found) = app
        .post_text(
            "/annuaire",
            &[("lieu", "62170 Montreuil-sur-Mer"), ("besoin", "legal")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        found.contains("(exemple)") && !found.contains("name=\"commune\" value="),
        "{found}"
    );
}

const DEMO_BANNER: &str = "Base de démonstration.";

/// Every back-office page a signed-in administrator can open by `GET`,
/// with each placeholder filled with something that exists.
async fn every_back_office_page(app: &TestApp, admin_id: &str) -> Vec<String> {
    let (organisations, services) =
        relais::directory::storage::directory(&app.state.db, Some("montreuillois"))
            .await
            .unwrap();
    app.open_screens
        .iter()
        .chain(&app.screens)
        .filter(|screen| screen.method == "GET" && !screen.example.contains("{r}"))
        .map(|screen| {
            screen
                .example
                .replace("{t}", "montreuillois")
                .replace("{o}", organisations[0].id.as_str())
                .replace("{s}", services[0].id.as_str())
                .replace("{u}", admin_id)
                .replace("{f}", "csv")
        })
        .collect()
}

#[tokio::test]
async fn a_demonstration_database_says_so_at_the_top_of_every_back_office_page() {
    let app = TestApp::spawn().await;
    let mut tx = app.state.db.begin().await.unwrap();
    relais::storage::demo::mark(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    // What the application reads from the database when it starts.
    app.state
        .web
        .set_demo(relais::storage::demo::is_demo(&app.state.db).await.unwrap());
    let mut admin = app.administrator().await;
    let admin_id = admin.account.id.to_string();
    let mut seen = 0;
    for path in every_back_office_page(&app, &admin_id).await {
        let page = admin.get(&path).await;
        let html = page
            .headers
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap_or_default().starts_with("text/html"));
        if page.status != 200 || !html {
            continue;
        }
        seen += 1;
        let body_start = page.body.find("<body").unwrap();
        let banner = page.body.find(DEMO_BANNER);
        let header = page.body.find("<header");
        assert!(
            banner.is_some_and(|at| at > body_start && header.is_none_or(|h| at < h)),
            "{path} does not open with the demo banner: {}",
            page.body
        );
    }
    assert!(seen > 10, "only {seen} pages seen");
}

#[tokio::test]
async fn a_database_that_is_no_demonstration_shows_no_demo_banner() {
    let app = TestApp::spawn().await;
    assert!(!relais::storage::demo::is_demo(&app.state.db).await.unwrap());
    let mut admin = app.administrator().await;
    let admin_id = admin.account.id.to_string();
    for path in every_back_office_page(&app, &admin_id).await {
        let page = admin.get(&path).await;
        assert!(!page.body.contains(DEMO_BANNER), "{path}");
    }
}
