//! Live help as the tests set it up: the demo's live organisation open at
//! any hour, a professional on duty, a person at an outcome that offers it.

use relais::storage::OrganisationId;

use crate::helpers::TestApp;
use crate::helpers::professional::SignedIn;

/// The demo's organisation that offers live help.
pub const LIVE: &str = "aav-montreuillois";

/// The live organisation's id, with its live hours set to `hours` (so
/// that no test depends on the clock), the index rebuilt.
pub async fn live_hours(app: &TestApp, hours: &str) -> OrganisationId {
    let db = &app.state.db;
    let (organisations, _) = relais::directory::storage::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    let mut organisation = organisations
        .into_iter()
        .find(|o| o.source_id == LIVE)
        .expect("the demo's live organisation");
    organisation.live = true;
    organisation.live_hours = hours.to_owned();
    crate::committed!(
        db,
        relais::directory::storage::save_organisation,
        "montreuillois",
        &organisation
    );
    app.state.directory.refresh(db).await.unwrap();
    organisation.id
}

/// A professional of the live organisation, with a key, on duty.
pub async fn on_duty<'a>(
    app: &'a TestApp,
    email: &str,
    organisation: &OrganisationId,
) -> SignedIn<'a> {
    let mut pro = app.professional(email, organisation).with_key().await;
    starts_duty(app, &mut pro).await;
    pro
}

/// `pro` takes the duty ("Je prends la permanence"), counted at once.
pub async fn starts_duty(app: &TestApp, pro: &mut SignedIn<'_>) {
    let csrf = pro.csrf.clone();
    let page = pro
        .post(
            "/pro/permanence/service",
            &[("csrf", &csrf), ("action", "commencer")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.state.live.refresh(&app.state.db).await.unwrap();
}

/// A person at the "I would rather call someone" outcome: its page and
/// her token.
pub async fn at_the_lines(app: &TestApp) -> (String, String) {
    let mut person = app.person().arrives().await;
    person
        .sends(&[("etape", "formulaire"), ("choix", "appeler")])
        .await;
    (person.html.clone(), person.token.clone())
}

/// Takes the next person; the console page after it.
pub async fn takes(pro: &mut SignedIn<'_>) -> String {
    let csrf = pro.csrf.clone();
    pro.post("/pro/permanence/prendre", &[("csrf", &csrf)])
        .await;
    pro.get("/pro/permanence").await.body
}
