//! The wording of a flow file, to be changed text by text without touching
//! anything else: every question, help, button, unit and choice label, in
//! each language the file gives, with where it is written. Changing one
//! rewrites only its quoted string, so that the file's comments, order and
//! layout stay as they were.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The keys of a step that hold a text, in the order the editor shows them.
const STEP_TEXTS: [&str; 4] = ["question", "help", "button", "unit"];

/// One text of a flow file, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wording {
    /// The id of its step (empty when the step has none).
    pub step: String,
    /// The id of its choice, for a choice's label.
    pub choice: Option<String>,
    /// `question`, `help`, `button`, `unit` or `label`.
    pub key: &'static str,
    /// The language (`fr`, `en`, `ar`…).
    pub lang: String,
    /// The text as the file gives it.
    pub text: String,
    /// Where its quoted string is written, in bytes.
    span: Range<usize>,
}

/// Every text of a flow file, in file order; `None` when the file is not
/// TOML (the flow's own check says why).
pub fn wordings(source: &str) -> Option<Vec<Wording>> {
    let document = DeTable::parse(source).ok()?;
    let mut found = Vec::new();
    let Some(DeValue::Array(steps)) = document.get_ref().get("step").map(Spanned::get_ref) else {
        return Some(found);
    };
    for step in steps {
        let DeValue::Table(table) = step.get_ref() else {
            continue;
        };
        let id = string(table, "id").unwrap_or_default();
        for key in STEP_TEXTS {
            texts(table, key, &id, None, &mut found);
        }
        if let Some(DeValue::Array(choices)) = table.get("choice").map(Spanned::get_ref) {
            for choice in choices {
                if let DeValue::Table(choice) = choice.get_ref() {
                    let choice_id = string(choice, "id").unwrap_or_default();
                    texts(choice, "label", &id, Some(choice_id), &mut found);
                }
            }
        }
    }
    // The parser keeps a table's keys sorted: put them back as written.
    found.sort_by_key(|w| w.span.start);
    Some(found)
}

/// The string a key of a table holds.
fn string(table: &DeTable<'_>, key: &str) -> Option<String> {
    match table.get(key).map(Spanned::get_ref) {
        Some(DeValue::String(text)) => Some(text.to_string()),
        _ => None,
    }
}

/// The texts of `key` (a table of languages) in each language.
fn texts(
    table: &DeTable<'_>,
    key: &'static str,
    step: &str,
    choice: Option<String>,
    found: &mut Vec<Wording>,
) {
    let Some(DeValue::Table(languages)) = table.get(key).map(Spanned::get_ref) else {
        return;
    };
    for (lang, text) in languages.iter() {
        if let DeValue::String(value) = text.get_ref() {
            found.push(Wording {
                step: step.to_owned(),
                choice: choice.clone(),
                key,
                lang: lang.get_ref().to_string(),
                text: value.to_string(),
                span: text.span(),
            });
        }
    }
}

/// The file with each wording whose new text differs rewritten as a basic
/// TOML string: `wordings` come from [`wordings`] of this very `source`,
/// and `new` gives one text for each, in the same order.
///
/// # Panics
/// When `new` and `wordings` differ in length, or a wording is not of this
/// source: the caller checks both.
pub fn reword(source: &str, wordings: &[Wording], new: &[String]) -> String {
    assert_eq!(wordings.len(), new.len(), "one new text for each wording");
    let mut changed: Vec<_> = wordings
        .iter()
        .zip(new)
        .filter(|(wording, text)| **text != wording.text)
        .collect();
    changed.sort_by_key(|(wording, _)| wording.span.start);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (wording, text) in changed {
        out.push_str(&source[at..wording.span.start]);
        quote(text, &mut out);
        at = wording.span.end;
    }
    out.push_str(&source[at..]);
    out
}

/// `text` as a TOML basic string, quotes included.
fn quote(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"# A comment that stays.
id = "essai"
start = "debut"

[[step]]
id = "debut"
type = "choice"
question = { fr = "Ça va ?", en = "All right?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui", en = "Yes" } # after the label
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = """Voici
les lignes.""" }
"#;

    #[test]
    fn every_text_is_found_in_file_order_with_its_step_and_language() {
        let found = wordings(SOURCE).unwrap();
        let seen: Vec<_> = found
            .iter()
            .map(|w| {
                (
                    w.step.as_str(),
                    w.choice.as_deref(),
                    w.key,
                    w.lang.as_str(),
                    w.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("debut", None, "question", "fr", "Ça va ?"),
                ("debut", None, "question", "en", "All right?"),
                ("debut", Some("oui"), "label", "fr", "Oui"),
                ("debut", Some("oui"), "label", "en", "Yes"),
                ("fin", None, "question", "fr", "Voici\nles lignes."),
            ]
        );
        assert_eq!(wordings("not = [toml"), None);
    }

    #[test]
    fn rewording_changes_only_the_changed_strings_and_reads_back_as_written() {
        let found = wordings(SOURCE).unwrap();
        let mut new: Vec<String> = found.iter().map(|w| w.text.clone()).collect();
        new[0] = "Comment « ça » va ? \"vraiment\" \\ \u{7}".to_owned();
        new[3] = "Yes, thanks".to_owned();
        new[4] = "Deux\nlignes".to_owned();
        let changed = reword(SOURCE, &found, &new);
        assert!(changed.starts_with("# A comment that stays.\n"));
        assert!(
            changed.contains("label = { fr = \"Oui\", en = \"Yes, thanks\" } # after the label")
        );
        let again = wordings(&changed).unwrap();
        let texts: Vec<_> = again.iter().map(|w| w.text.clone()).collect();
        assert_eq!(texts, new);
        // Nothing changed: the file itself, byte for byte.
        let same: Vec<String> = found.iter().map(|w| w.text.clone()).collect();
        assert_eq!(reword(SOURCE, &found, &same), SOURCE);
    }
}
