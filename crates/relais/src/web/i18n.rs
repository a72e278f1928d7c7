//! Languages of the public site and their strings.
//!
//! French is served at the root, English under `/en`, Arabic under `/ar`
//! (right to left). The language comes from the path alone: no cookie, no
//! header sniffing, so a shared link always opens in the language it was
//! written in. Short strings live in `locales/<lang>/main.ftl` (Fluent);
//! long prose pages have one template per language. A test checks that the
//! three files define the same messages and that every message used exists.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

/// A language of the public site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, the reference language, served at the root.
    Fr,
    /// English, under `/en`.
    En,
    /// Arabic, under `/ar`, right to left.
    Ar,
}

impl Lang {
    /// Every language, French first.
    pub const ALL: [Self; 3] = [Self::Fr, Self::En, Self::Ar];

    /// The BCP 47 code, for `lang=` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
            Self::Ar => "ar",
        }
    }

    /// The text direction, for `dir=` attributes.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Ar => "rtl",
            Self::Fr | Self::En => "ltr",
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn autonym(self) -> &'static str {
        match self {
            Self::Fr => "Français",
            Self::En => "English",
            Self::Ar => "العربية",
        }
    }

    /// The path prefix of the language: empty for French.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Fr => "",
            Self::En => "/en",
            Self::Ar => "/ar",
        }
    }

    /// The address of a page in this language, from its French path.
    pub fn path(self, local: &str) -> String {
        match (self, local) {
            (Self::Fr, _) => local.to_owned(),
            (_, "/") => format!("{}/", self.prefix()),
            (_, _) => format!("{}{local}", self.prefix()),
        }
    }

    /// Splits a request path into its language and the French path.
    pub fn from_path(path: &str) -> (Self, &str) {
        for lang in [Self::En, Self::Ar] {
            if let Some(rest) = path.strip_prefix(lang.prefix()) {
                if rest.is_empty() {
                    return (lang, "/");
                }
                if rest.starts_with('/') {
                    return (lang, rest);
                }
            }
        }
        (Self::Fr, path)
    }

    /// The message `id` in this language (French when missing).
    pub fn t(self, id: &str) -> String {
        self.text(id).into_owned()
    }

    /// The message `id`, borrowed when it needs no argument: pages show
    /// dozens of these, and formatting them once at start-up keeps a
    /// page's rendering free of Fluent's work.
    pub fn text(self, id: &str) -> Cow<'static, str> {
        let index = self as usize;
        if let Some(text) = PLAIN[index]
            .get(id)
            .or_else(|| PLAIN[Self::Fr as usize].get(id))
        {
            return Cow::Borrowed(text.as_str());
        }
        Cow::Owned(self.format(id, None))
    }

    /// The message `id` with named arguments.
    pub fn t_with(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for bundle in [bundle(self), bundle(Self::Fr)] {
            if let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(
                        message = id,
                        lang = self.code(),
                        "a message could not be fully formatted"
                    );
                }
                return text.into_owned();
            }
        }
        tracing::warn!(message = id, "a message is missing from every language");
        id.to_owned()
    }
}

/// Marks a string as a message id, so that the test that checks every used
/// message exists can find it.
pub const fn msg(id: &'static str) -> &'static str {
    id
}

/// The Fluent source of a language, as embedded in the binary.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => include_str!("../../locales/fr/main.ftl"),
        Lang::En => include_str!("../../locales/en/main.ftl"),
        Lang::Ar => include_str!("../../locales/ar/main.ftl"),
    }
}

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<[Bundle; 3]> = LazyLock::new(|| {
    [
        build(Lang::Fr, langid!("fr")),
        build(Lang::En, langid!("en")),
        build(Lang::Ar, langid!("ar")),
    ]
});

/// Per language, every message that takes no argument, formatted once.
static PLAIN: LazyLock<[HashMap<String, String>; 3]> =
    LazyLock::new(|| Lang::ALL.map(plain_messages));

fn plain_messages(lang: Lang) -> HashMap<String, String> {
    let bundle = bundle(lang);
    let Ok(resource) = FluentResource::try_new(source(lang).to_owned()) else {
        return HashMap::new();
    };
    let mut plain = HashMap::new();
    for entry in resource.entries() {
        let fluent_syntax::ast::Entry::Message(message) = entry else {
            continue;
        };
        let id = message.id.name;
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors);
            // A message with a variable reports an error without its value:
            // it is formatted on each use instead.
            if errors.is_empty() {
                plain.insert(id.to_owned(), text.into_owned());
            }
        }
    }
    plain
}

fn bundle(lang: Lang) -> &'static Bundle {
    let index = match lang {
        Lang::Fr => 0,
        Lang::En => 1,
        Lang::Ar => 2,
    };
    &BUNDLES[index]
}

fn build(lang: Lang, id: LanguageIdentifier) -> Bundle {
    // A syntax error in an embedded file is a bug caught by the tests below;
    // the parser still returns every message it could read.
    let resource =
        FluentResource::try_new(source(lang).to_owned()).unwrap_or_else(|(resource, errors)| {
            tracing::error!(
                lang = lang.code(),
                ?errors,
                "syntax errors in a locale file"
            );
            resource
        });
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // In right-to-left text, an argument (a number, a commune, an
    // organisation, a date) must keep its own order: "03 21 00 00 00" read
    // as one left-to-right run, not as five numbers laid right to left.
    // Fluent's isolation marks (U+2068 … U+2069 around each argument) do
    // exactly that; in French and English the page's direction is already
    // that of every argument we pass, and the marks would only be noise in
    // what tests and e-mails compare. Numbers written in a message itself are
    // isolated in the Arabic file (see `every_number_in_arabic_text_is_isolated`).
    bundle.set_use_isolating(lang.dir() == "rtl");
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            lang = lang.code(),
            ?errors,
            "duplicate messages in a locale file"
        );
    }
    bundle
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;

    use super::*;

    fn message_ids(lang: Lang) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source(lang).to_owned())
            .unwrap_or_else(|(_, errors)| panic!("{} has syntax errors: {errors:?}", lang.code()));
        resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_defines_the_same_messages() {
        let french = message_ids(Lang::Fr);
        for lang in [Lang::En, Lang::Ar] {
            let other = message_ids(lang);
            let missing: Vec<_> = french.difference(&other).collect();
            let extra: Vec<_> = other.difference(&french).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{} has messages French lacks: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn every_message_used_in_code_or_templates_exists() {
        let french = message_ids(Lang::Fr);
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut used = BTreeSet::new();
        for dir in ["src", "templates"] {
            collect_used(&std::path::Path::new(root).join(dir), &mut used);
        }
        let missing: Vec<_> = used.difference(&french).collect();
        assert!(
            missing.is_empty(),
            "messages used but not defined: {missing:?}"
        );
        let unused: Vec<_> = french.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "messages defined but never used: {unused:?}"
        );
    }

    fn collect_used(dir: &std::path::Path, used: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_used(&path, used);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in ["t(", "t_arg(", "t_count(", "t_with(", "msg("] {
                for (start, _) in text.match_indices(marker) {
                    // `get(` is not `t(`: the marker starts a name.
                    let starts_name = text[..start]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    // The id may be on the next line, as rustfmt writes long calls.
                    let rest = text[start + marker.len()..].trim_start();
                    let Some(rest) = rest.strip_prefix('"').filter(|_| starts_name) else {
                        continue;
                    };
                    if let Some(end) = rest.find('"') {
                        let id = &rest[..end];
                        if !id.is_empty()
                            && id
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                        {
                            used.insert(id.to_owned());
                        }
                    }
                }
            }
        }
    }

    /// Every ASCII digit of `pattern`'s text that stands outside an
    /// isolate (LRI, RLI or FSI … PDI), with its variants', as text.
    fn bare_numbers(pattern: &fluent_syntax::ast::Pattern<&str>, bare: &mut Vec<String>) {
        use fluent_syntax::ast::{Expression, PatternElement};
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => {
                    let mut depth = 0_u32;
                    for c in value.chars() {
                        match c {
                            '\u{2066}' | '\u{2067}' | '\u{2068}' => depth += 1,
                            '\u{2069}' => depth = depth.saturating_sub(1),
                            c if c.is_ascii_digit() && depth == 0 => {
                                bare.push((*value).to_owned());
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                PatternElement::Placeable {
                    expression: Expression::Select { variants, .. },
                } => {
                    for variant in variants {
                        bare_numbers(&variant.value, bare);
                    }
                }
                PatternElement::Placeable { .. } => {}
            }
        }
    }

    #[test]
    fn every_number_in_arabic_text_is_isolated() {
        let resource = FluentResource::try_new(source(Lang::Ar).to_owned()).unwrap();
        let mut bare = Vec::new();
        for entry in resource.entries() {
            if let Entry::Message(message) = entry
                && let Some(pattern) = &message.value
            {
                let before = bare.len();
                bare_numbers(pattern, &mut bare);
                for text in &mut bare[before..] {
                    *text = format!("{}: {text}", message.id.name);
                }
            }
        }
        assert!(
            bare.is_empty(),
            "numbers outside U+2066 … U+2069 in Arabic, which the browser would lay out right to left: {bare:#?}"
        );
    }

    /// Every text of a pattern, its variants' too.
    fn texts(pattern: &fluent_syntax::ast::Pattern<&str>, out: &mut String) {
        use fluent_syntax::ast::{Expression, PatternElement};
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => out.push_str(value),
                PatternElement::Placeable {
                    expression: Expression::Select { variants, .. },
                } => {
                    for variant in variants {
                        out.push(' ');
                        texts(&variant.value, out);
                    }
                }
                PatternElement::Placeable { .. } => out.push(' '),
            }
        }
    }

    /// The text of the message `id` of `lang`, lower case.
    fn written(lang: Lang, id: &str) -> String {
        let resource = FluentResource::try_new(source(lang).to_owned()).unwrap();
        let mut text = String::new();
        for entry in resource.entries() {
            if let Entry::Message(message) = entry
                && message.id.name == id
                && let Some(pattern) = &message.value
            {
                texts(pattern, &mut text);
            }
        }
        text.to_lowercase()
    }

    /// Whether `text` says `word`: where a word starts, and, when `word`
    /// begins with `=`, as a whole word (سري "confidential", not سريع
    /// "quick").
    fn mentions(text: &str, word: &str) -> bool {
        let (word, whole) = match word.strip_prefix('=') {
            Some(word) => (word, true),
            None => (word, false),
        };
        text.match_indices(word).any(|(at, _)| {
            let starts = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let ends = text[at + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            starts && (ends || !whole)
        })
    }

    #[test]
    fn no_translation_promises_what_the_french_does_not() {
        // What a person would count on: free of charge, anonymous, at any
        // hour, confidential. "Free legal advice" where the French says
        // "permanence juridique" sends her to a lawyer expecting no bill.
        // What is promised, then its words in French, English and Arabic.
        type Promise = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
        );
        let promises: [Promise; 4] = [
            ("free of charge", &["gratuit"], &["free"], &["مجان"]),
            ("anonymous", &["anonym"], &["anonym"], &["مجهول الهوية"]),
            (
                "at any hour",
                &["24h/24", "24 h/24", "jour et nuit"],
                &["24/7", "day and night"],
                &["على مدار الساعة", "ليلًا ونهارًا"],
            ),
            (
                "confidential",
                &["confidenti"],
                &["confidential"],
                &["=سري", "=سرية"],
            ),
        ];
        let mut promised = Vec::new();
        for id in message_ids(Lang::Fr) {
            let french = written(Lang::Fr, &id);
            for (what, fr, en, ar) in promises {
                let says = |text: &str, words: &[&str]| words.iter().any(|w| mentions(text, w));
                if says(&french, fr) {
                    continue;
                }
                if says(&written(Lang::En, &id), en) {
                    promised.push(format!("{id} (en): {what}"));
                }
                if says(&written(Lang::Ar, &id), ar) {
                    promised.push(format!("{id} (ar): {what}"));
                }
            }
        }
        assert!(
            promised.is_empty(),
            "translations that promise what the French does not: {promised:#?}"
        );
    }

    #[test]
    fn a_promise_is_found_only_as_a_word() {
        assert!(mentions("lawyer, free legal advice", "free"));
        assert!(!mentions("what you want to tell", "free"));
        assert!(mentions("عنوان سري", "=سري"));
        assert!(!mentions("أحتاج إلى رد سريع", "=سري"));
    }

    #[test]
    fn an_argument_keeps_its_own_order_in_arabic_only() {
        let number = || [("number", FluentValue::from("03 21 00 00 00"))];
        assert_eq!(
            Lang::Ar.t_with("directory-call", &number()),
            "اتصلي بالرقم \u{2068}03 21 00 00 00\u{2069}"
        );
        assert_eq!(
            Lang::Fr.t_with("directory-call", &number()),
            "Appeler le 03 21 00 00 00"
        );
        assert_eq!(
            Lang::En.t_with("directory-call", &number()),
            "Call 03 21 00 00 00"
        );
    }

    #[test]
    fn the_language_comes_from_the_path_prefix() {
        assert_eq!(Lang::from_path("/"), (Lang::Fr, "/"));
        assert_eq!(Lang::from_path("/securite"), (Lang::Fr, "/securite"));
        assert_eq!(Lang::from_path("/en"), (Lang::En, "/"));
        assert_eq!(Lang::from_path("/en/"), (Lang::En, "/"));
        assert_eq!(Lang::from_path("/ar/securite"), (Lang::Ar, "/securite"));
        assert_eq!(Lang::from_path("/english"), (Lang::Fr, "/english"));
    }

    #[test]
    fn a_page_has_one_address_per_language() {
        assert_eq!(Lang::Fr.path("/aide"), "/aide");
        assert_eq!(Lang::En.path("/aide"), "/en/aide");
        assert_eq!(Lang::Ar.path("/"), "/ar/");
    }

    #[test]
    fn arabic_is_written_right_to_left() {
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Fr.dir(), "ltr");
    }
}
