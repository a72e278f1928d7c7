//! The example flow played as data: answers in, transcript out.

use crate::support::{EXAMPLE, transcript};

#[test]
fn an_adult_not_in_danger_is_oriented_after_the_summary() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=34",
            "danger=non",
            "concerne=moi",
            "besoins=plainte,ecoute",
            "commune=75056",
            "prenom=-",
            "precisions=-",
            "contact=sms:06 12 34 56 78",
            "resume",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\n\
         formulaire: oui\n\
         age: 34\n\
         danger: non\n\
         concerne: moi\n\
         besoins: plainte,ecoute\n\
         commune: 75056\n\
         prenom: (passée)\n\
         precisions: (passée)\n\
         contact: sms 06 12 34 56 78\n\
         resume: ok\n\
         -> orientation"
    );
}

#[test]
fn a_minor_is_directed_to_youth_services_before_any_other_question() {
    let transcript = transcript(EXAMPLE, &["bienvenue", "formulaire=oui", "age=15"]);

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 15\n-> youth"
    );
}

#[test]
fn danger_now_shows_the_emergency_numbers_then_goes_on() {
    let transcript = transcript(
        EXAMPLE,
        &["bienvenue", "formulaire=oui", "age=40", "danger=oui"],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 40\ndanger: oui\n-> ? urgence"
    );
}

#[test]
fn after_the_emergency_button_the_conversation_goes_on() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=40",
            "danger=oui",
            "urgence",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 40\ndanger: oui\nurgence: ok\n-> ? concerne"
    );
}

#[test]
fn preferring_to_call_leads_to_the_national_lines() {
    let transcript = transcript(EXAMPLE, &["bienvenue", "formulaire=appeler"]);

    assert_eq!(transcript, "bienvenue: ok\nformulaire: appeler\n-> leave");
}

#[test]
fn needing_a_place_to_sleep_asks_about_tonight() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=30",
            "danger=non",
            "concerne=enfants",
            "besoins=ecoute,logement,logement",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 30\ndanger: non\nconcerne: enfants\n\
         besoins: logement,ecoute\n-> ? ce-soir"
    );
}

#[test]
fn refused_answers_are_listed_and_change_nothing() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=peut-etre",
            "formulaire=oui",
            "age=300",
            "age=7",
            "danger=non",
        ],
    );

    assert_eq!(
        transcript,
        "refusé formulaire=peut-etre : UnknownChoice(\"peut-etre\")\n\
         refusé age=300 : OutOfRange { min: 8, max: 120 }\n\
         refusé age=7 : OutOfRange { min: 8, max: 120 }\n\
         refusé danger=non : NotOnPath\n\
         bienvenue: ok\nformulaire: oui\n-> ? age"
    );
}

#[test]
fn changing_who_is_concerned_keeps_the_commune_and_what_follows() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=34",
            "danger=non",
            "concerne=moi",
            "besoins=",
            "commune=69123",
            "prenom=Léa",
            "concerne=enfants",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 34\ndanger: non\nconcerne: enfants\n\
         besoins: (rien)\ncommune: 69123\nprenom: Léa\n-> ? precisions"
    );
}

#[test]
fn changing_the_age_to_under_18_drops_every_later_answer() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=34",
            "danger=non",
            "concerne=moi",
            "besoins=",
            "commune=69123",
            "age=16",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 16\n-> youth"
    );
}

#[test]
fn a_minor_who_mistyped_her_age_can_change_it_after_the_youth_outcome() {
    let transcript = transcript(
        EXAMPLE,
        &[
            "bienvenue",
            "formulaire=oui",
            "age=15",
            "age=51",
            "danger=non",
        ],
    );

    assert_eq!(
        transcript,
        "bienvenue: ok\nformulaire: oui\nage: 51\ndanger: non\n-> ? concerne"
    );
}

#[test]
fn no_step_can_be_answered_once_the_conversation_has_ended_except_an_earlier_one() {
    let transcript = transcript(
        EXAMPLE,
        &["bienvenue", "formulaire=appeler", "lignes", "age=40"],
    );

    assert_eq!(
        transcript,
        "refusé lignes : Finished\n\
         refusé age=40 : Finished\n\
         bienvenue: ok\nformulaire: appeler\n-> leave"
    );
}
