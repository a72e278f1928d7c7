//! A posted form, read by hand: in order, with repeated names kept (lists
//! of checkboxes), so that a form with a mistake can come back exactly as
//! it was typed.

/// The fields of a posted form.
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or empty.
    pub fn value(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// The first value of `name`, or empty, owned.
    pub fn text(&self, name: &str) -> String {
        self.value(name).to_owned()
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_kept_in_order() {
        let fields = Fields::parse(b"besoins=legal&nom=A+b&besoins=housing");
        assert_eq!(fields.all("besoins"), ["legal", "housing"]);
        assert_eq!(fields.value("nom"), "A b");
        assert_eq!(fields.get("absent"), None);
        assert_eq!(fields.text("absent"), "");
    }
}
