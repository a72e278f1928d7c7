//! A live conversation kept, with her consent, as a referral of the
//! professional's organisation: her shared answers and the conversation,
//! sealed at that moment like a report (HPKE to the organisation's
//! members), then forgotten from memory when the conversation ends.

use crate::live::{Author, Keep, LiveState, RoomView};
use crate::referral::SendError;
use crate::referral::receipt::Receipt;
use crate::referral::report::{Report, Spoken, VERSION};
use crate::referral::storage::{InClear, Kind, StoredChannel, StoredLanguage};
use crate::secret::Purpose;
use crate::storage::{LiveId, ReferralId};
use crate::web::i18n::Lang;

/// The referral id of a kept conversation: one conversation is kept once.
fn referral_id(app: &LiveState, id: &LiveId) -> ReferralId {
    let mac = app
        .secret
        .derive(Purpose::ReferralId)
        .mac(&[b"live/", id.as_str().as_bytes()]);
    hex::encode(&mac[..16]).into()
}

/// The report of a kept conversation: what she shared, then what was
/// written, each message with its local time.
pub fn report(id: &ReferralId, view: &RoomView, lang: Lang, zone: &str) -> Report {
    let joining = &view.joining;
    let mut report = joining.report.clone().unwrap_or_else(|| Report {
        version: VERSION,
        id: id.clone(),
        sent_on: String::new(),
        language: lang.code().to_owned(),
        urgent: joining.urgent,
        organisation: joining.organisation_name.clone(),
        commune: None,
        name: None,
        needs: Vec::new(),
        contact: Vec::new(),
        answers: Vec::new(),
        free_text: None,
        conversation: Vec::new(),
    });
    report.id = id.clone();
    report.sent_on = jiff::Zoned::now().date().to_string();
    report.conversation = view
        .messages
        .iter()
        .map(|message| Spoken {
            from: match message.from {
                Author::Person => "person",
                Author::Professional => "professional",
            }
            .to_owned(),
            at: jiff::Timestamp::from_millisecond(message.at)
                .ok()
                .and_then(|at| at.in_tz(zone).ok())
                .map(|at| at.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            text: message.text.clone(),
        })
        .collect();
    report
}

/// Seals the conversation into a referral of its organisation, of the
/// kind proposed; her receipt.
pub async fn keep(
    app: &LiveState,
    id: &LiveId,
    view: &RoomView,
    keep: Keep,
    lang: Lang,
) -> Result<Receipt, SendError> {
    let referral = referral_id(app, id);
    let index = app.directory.index();
    let zone = crate::directory::hours::timezone_of(
        index
            .territory(&view.joining.territory)
            .map_or(crate::directory::hours::METROPOLE, |t| {
                t.departement(index.communes())
            }),
    );
    let report = report(&referral, view, lang, zone);
    let json = serde_json::to_vec(&report).expect("a report serialises");
    drop(report);
    let in_clear = InClear {
        urgent: view.joining.urgent,
        language: StoredLanguage(Some(lang)),
        channel: StoredChannel(view.joining.channel),
        kind: match keep {
            Keep::Callback => Kind::Callback,
            Keep::Referral => Kind::Conversation,
        },
    };
    app.referrals
        .send(
            &app.db,
            &referral,
            &view.joining.organisation,
            &view.joining.territory,
            in_clear,
            &json,
        )
        .await
}
