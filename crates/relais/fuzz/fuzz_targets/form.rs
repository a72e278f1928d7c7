//! The posted-form reader, `Spec::read`, on any body, against real forms of
//! the site and one with tiny bounds: it must never panic, keep exactly the
//! fields its module promises (the declared ones, in order, each cut to its
//! bound, none beyond its count), say what was wrong, and what it keeps,
//! encoded again, must read back the same and without a refusal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use relais::web::form::{Field, Fields, Refusal, Spec};

/// A form with bounds small enough for every input to reach them.
static TINY: Spec = Spec::new(&[
    Field::one("a", 0),
    Field::one("t", 3),
    Field::many("choix", 2, 2),
]);

fn specs() -> [&'static Spec; 6] {
    [
        &relais::conversation::routes::ANSWER,
        &relais::referral::public::CONFIRM,
        &relais::referral::public::FOLLOW,
        &relais::directory::routes::SEARCH,
        &relais::accounts::signin::SIGN_IN,
        &TINY,
    ]
}

fuzz_target!(|body: &[u8]| {
    for spec in specs() {
        check(spec, body);
    }
});

fn check(spec: &Spec, body: &[u8]) {
    let posted = spec.read(body);

    // What the module's documentation promises, written out plainly.
    let mut expected = Vec::new();
    let mut counts = vec![0usize; spec.fields.len()];
    let (mut forged, mut cut) = (false, false);
    for (name, value) in form_urlencoded::parse(body) {
        let Some(index) = spec.fields.iter().position(|f| f.name == name) else {
            forged = true;
            continue;
        };
        let field = spec.fields[index];
        counts[index] += 1;
        if counts[index] > field.values {
            forged = true;
            continue;
        }
        cut |= value.chars().count() > field.max;
        expected.push((name.into_owned(), value.chars().take(field.max).collect()));
    }
    assert_eq!(posted.fields.0, expected);
    assert_eq!(posted.is_forged(), forged, "{:?}", posted.refusal);
    assert_eq!(
        posted.refusal.is_none(),
        !forged && !cut,
        "{:?}",
        posted.refusal
    );
    if !forged {
        assert_eq!(posted.too_long().is_some(), cut);
    }
    if let Some(Refusal::Unexpected(name)) = &posted.refusal {
        assert!(name.chars().count() <= 64);
    }

    accessors_agree(&posted.fields, spec);

    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&posted.fields.0)
        .finish();
    let again = spec.read(encoded.as_bytes());
    assert_eq!(again.refusal, None, "{encoded}");
    assert_eq!(again.fields.0, posted.fields.0, "{encoded}");
}

/// `get`, `value`, `text` and `all` tell the same story, for every field of
/// the form and one it does not have.
fn accessors_agree(fields: &Fields, spec: &Spec) {
    for name in spec.fields.iter().map(|f| f.name).chain(["absent"]) {
        let all = fields.all(name);
        assert_eq!(fields.get(name), all.first().map(String::as_str));
        assert_eq!(fields.value(name), fields.get(name).unwrap_or_default());
        assert_eq!(fields.text(name), fields.value(name));
    }
}
