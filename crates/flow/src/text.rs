//! Texts in several languages, French always present.

/// A text in several languages; French is always present.
///
/// A flow file writes it as a table of languages,
/// `{ fr = "Oui", en = "Yes", ar = "نعم" }`; a language that is missing is
/// shown in French.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The French text; never empty once a flow is parsed.
    fr: String,
    /// The other languages, in file order, without French.
    others: Vec<(String, String)>,
}

impl Text {
    /// Builds a text from its French version and other languages.
    ///
    /// A `"fr"` entry among `others` is ignored: French is `fr`.
    pub fn new(fr: impl Into<String>, others: Vec<(String, String)>) -> Text {
        let others = others
            .into_iter()
            .filter(|(lang, _)| lang != "fr")
            .collect();
        Text {
            fr: fr.into(),
            others,
        }
    }

    /// The text in `lang`, or in French when it has no such version.
    pub fn get(&self, lang: &str) -> &str {
        self.others
            .iter()
            .find(|(code, _)| code == lang)
            .map_or(self.fr.as_str(), |(_, text)| text.as_str())
    }

    /// Whether the text has a version in `lang` (French always).
    pub fn has(&self, lang: &str) -> bool {
        lang == "fr" || self.others.iter().any(|(code, _)| code == lang)
    }

    /// The French text.
    pub fn fr(&self) -> &str {
        &self.fr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_falls_back_to_french() {
        let text = Text::new("Oui", vec![("en".to_owned(), "Yes".to_owned())]);

        assert_eq!(text.get("en"), "Yes");
        assert_eq!(text.get("ar"), "Oui");
        assert_eq!(text.get("fr"), "Oui");
        assert!(text.has("fr"));
        assert!(text.has("en"));
        assert!(!text.has("ar"));
    }
}
