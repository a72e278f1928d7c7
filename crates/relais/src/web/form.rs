//! A posted form, read by hand against what it may carry.
//!
//! Every form and query of the site declares its fields in a [`Spec`]: each
//! [`Field`] has a name, a bound in characters and how many values it may
//! have. [`Spec::read`] is the only way a handler reads a body: in one pass,
//! before any other work, it cuts every value to its bound, and says what
//! went wrong ([`Refusal`]): a value too long (the form comes back with its
//! message, what was typed kept, cut to the bound), or a field the form does
//! not have, or has once only, given anyway (a 400: no page of ours sends
//! that). Values keep their order, and repeated names are kept (lists of
//! checkboxes), so that a form with a mistake comes back exactly as typed.

use std::borrow::Cow;

use crate::web::error::AppError;

/// The longest e-mail address (RFC 5321).
pub const EMAIL_MAX: usize = 254;
/// One field a form may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its name in the form.
    pub name: &'static str,
    /// The most characters a value may have.
    pub max: usize,
    /// How many values it may have (checkboxes: several).
    pub values: usize,
}

impl Field {
    /// A field with one value of at most `max` characters.
    pub const fn one(name: &'static str, max: usize) -> Self {
        Self {
            name,
            max,
            values: 1,
        }
    }

    /// A field with up to `values` values of at most `max` characters.
    pub const fn many(name: &'static str, max: usize, values: usize) -> Self {
        Self { name, max, values }
    }
}

/// What a form (or a query string) may carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Its fields.
    pub fields: Cow<'static, [Field]>,
}

/// Why a posted form is not read as it came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A value is longer than its field's bound; it was cut to it.
    TooLong {
        /// The field.
        field: &'static str,
        /// Its bound, in characters.
        max: usize,
    },
    /// A field the form does not have (its name, cut to 64 characters).
    Unexpected(String),
    /// A field given more often than the form gives it.
    Repeated(&'static str),
}

impl Refusal {
    /// Whether the form should come back with a message (a value too long)
    /// rather than be refused as a whole (a field no page of ours sends).
    pub fn is_too_long(&self) -> bool {
        matches!(self, Self::TooLong { .. })
    }

    /// What is wrong, in French, for the back office.
    pub fn french(&self) -> String {
        match self {
            Self::TooLong { field, max } => {
                format!("« {field} » est trop long : {max} caractères au plus.")
            }
            Self::Unexpected(field) => {
                format!("Le formulaire contient un champ inconnu : « {field} ».")
            }
            Self::Repeated(field) => {
                format!("Le champ « {field} » est donné plusieurs fois.")
            }
        }
    }
}

/// A form as read: its fields, each cut to its bound, and the first thing
/// that was wrong, if anything.
#[derive(Debug, Default)]
pub struct Posted {
    /// The fields, in order.
    pub fields: Fields,
    /// What was wrong.
    pub refusal: Option<Refusal>,
}

impl Posted {
    /// The fields, or the refusal.
    pub fn into_result(self) -> Result<Fields, Refusal> {
        match self.refusal {
            None => Ok(self.fields),
            Some(refusal) => Err(refusal),
        }
    }

    /// The bound exceeded, if that is what was wrong: `(field, max)`.
    pub fn too_long(&self) -> Option<(&'static str, usize)> {
        match self.refusal {
            Some(Refusal::TooLong { field, max }) => Some((field, max)),
            _ => None,
        }
    }

    /// Records a field no page of ours sends: it outweighs a value too long.
    fn forged(&mut self, refusal: impl FnOnce() -> Refusal) {
        if self.refusal.as_ref().is_none_or(Refusal::is_too_long) {
            self.refusal = Some(refusal());
        }
    }

    /// Whether a field no page of ours sends came (unknown, or repeated).
    pub fn is_forged(&self) -> bool {
        self.refusal.as_ref().is_some_and(|r| !r.is_too_long())
    }
}

impl Spec {
    /// A spec of these fields.
    pub const fn new(fields: &'static [Field]) -> Self {
        Self {
            fields: Cow::Borrowed(fields),
        }
    }

    /// A spec built at start-up (fields derived from a list of columns).
    pub fn owned(fields: Vec<Field>) -> Self {
        Self {
            fields: Cow::Owned(fields),
        }
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Reads an `application/x-www-form-urlencoded` body (or a query
    /// string) in one pass, linear in its length.
    pub fn read(&self, body: &[u8]) -> Posted {
        let mut posted = Posted::default();
        let mut counts = vec![0usize; self.fields.len()];
        for (name, value) in form_urlencoded::parse(body) {
            let Some(index) = self.fields.iter().position(|f| f.name == name) else {
                posted.forged(|| Refusal::Unexpected(name.chars().take(64).collect()));
                continue;
            };
            let field = &self.fields[index];
            counts[index] += 1;
            if counts[index] > field.values {
                posted.forged(|| Refusal::Repeated(field.name));
                continue;
            }
            let value = match value.char_indices().nth(field.max) {
                Some((cut, _)) => {
                    posted.refusal.get_or_insert(Refusal::TooLong {
                        field: field.name,
                        max: field.max,
                    });
                    value[..cut].to_owned()
                }
                None => value.into_owned(),
            };
            posted.fields.0.push((field.name.to_owned(), value));
        }
        posted
    }

    /// Reads a query string (`None`: no query at all).
    pub fn read_query(&self, query: Option<&str>) -> Posted {
        self.read(query.unwrap_or_default().as_bytes())
    }
}

/// The fields of a posted form.
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
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

/// A form as a handler uses it: read once, at the door, into typed values.
///
/// A handler never compares a posted string itself: it asks for its form
/// (`let form: Status = read_form(&body)?`), and the form's
/// [`parse`](Form::parse) turns each value into what it means. A value no
/// page of ours sends (an unknown choice, say) is refused there, as a 400;
/// a value someone typed stays text, for the handler to check and answer
/// with a message.
pub trait Form: Sized {
    /// What the form may carry.
    const SPEC: &'static Spec;

    /// Its values, from fields already cut to their bounds.
    fn parse(fields: &Fields) -> Result<Self, AppError>;
}

/// Reads a form whose every field is written by our pages or our script,
/// never typed at length: anything off (forged, too long, an unknown
/// value) is a calm 400.
pub fn read_form<F: Form>(body: &[u8]) -> Result<F, AppError> {
    let fields = F::SPEC
        .read(body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    F::parse(&fields)
}

/// A value that is one of a few codes our pages send.
pub trait Code: Sized + Copy + 'static {
    /// Every value, with its code.
    const CODES: &'static [(&'static str, Self)];
}

impl Fields {
    /// Whether the checkbox `name` was ticked (our checkboxes send `oui`).
    pub fn ticked(&self, name: &str) -> bool {
        self.get(name) == Some("oui")
    }

    /// The value of `name` as one of `T`'s codes; absent or unknown: a 400,
    /// since no page of ours sends that.
    pub fn code<T: Code>(&self, name: &str) -> Result<T, AppError> {
        self.code_or_none(name)?.ok_or(AppError::BadRequest)
    }

    /// Like [`code`](Self::code), but the field may be absent or empty.
    pub fn code_or_none<T: Code>(&self, name: &str) -> Result<Option<T>, AppError> {
        match self.get(name).filter(|value| !value.is_empty()) {
            None => Ok(None),
            Some(value) => T::CODES
                .iter()
                .find(|(code, _)| *code == value)
                .map(|(_, value)| Some(*value))
                .ok_or(AppError::BadRequest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec::new(&[Field::one("nom", 5), Field::many("besoins", 10, 3)]);

    #[test]
    fn repeated_names_are_kept_in_order() {
        let fields = SPEC
            .read(b"besoins=legal&nom=A+b&besoins=housing")
            .into_result()
            .unwrap();
        assert_eq!(fields.all("besoins"), ["legal", "housing"]);
        assert_eq!(fields.value("nom"), "A b");
        assert_eq!(fields.get("absent"), None);
        assert_eq!(fields.text("absent"), "");
    }

    #[test]
    fn a_value_longer_than_its_bound_is_cut_and_said() {
        let posted = SPEC.read("nom=élodie+martin".as_bytes());
        assert_eq!(posted.fields.value("nom"), "élodi");
        assert_eq!(posted.too_long(), Some(("nom", 5)));
        assert!(!posted.is_forged());
    }

    #[test]
    fn a_field_the_form_does_not_have_or_repeats_is_forged() {
        let posted = SPEC.read(b"nom=a&structure_id=x");
        assert_eq!(
            posted.refusal,
            Some(Refusal::Unexpected("structure_id".to_owned()))
        );
        assert!(posted.is_forged());
        let posted = SPEC.read(b"nom=a&nom=b");
        assert_eq!(posted.refusal, Some(Refusal::Repeated("nom")));
        assert_eq!(posted.fields.all("nom"), ["a"], "the second is not kept");
        let posted = SPEC.read(b"besoins=a&besoins=b&besoins=c&besoins=d");
        assert_eq!(posted.refusal, Some(Refusal::Repeated("besoins")));
    }

    #[test]
    fn a_huge_body_is_read_in_one_pass_and_kept_to_the_bounds() {
        let body = format!("nom={}&besoins={}", "a".repeat(60_000), "é".repeat(60_000));
        let posted = SPEC.read(body.as_bytes());
        assert_eq!(posted.fields.value("nom").len(), 5);
        assert_eq!(posted.fields.value("besoins").chars().count(), 10);
        let names = "x=1&".repeat(15_000);
        let posted = SPEC.read(names.as_bytes());
        assert!(posted.fields.0.is_empty());
        assert!(posted.is_forged());
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Answer {
        Yes,
        No,
    }

    impl Code for Answer {
        const CODES: &'static [(&'static str, Self)] = &[("yes", Self::Yes), ("no", Self::No)];
    }

    #[derive(Debug)]
    struct Choice {
        answer: Answer,
        sure: bool,
    }

    static CHOICE: Spec = Spec::new(&[Field::one("answer", 8), Field::one("sure", 3)]);

    impl Form for Choice {
        const SPEC: &'static Spec = &CHOICE;

        fn parse(fields: &Fields) -> Result<Self, AppError> {
            Ok(Self {
                answer: fields.code("answer")?,
                sure: fields.ticked("sure"),
            })
        }
    }

    #[test]
    fn a_form_reads_into_its_values_and_refuses_a_code_no_page_sends() {
        let choice: Choice = read_form(b"answer=no&sure=oui").unwrap();
        assert_eq!(choice.answer, Answer::No);
        assert!(choice.sure);
        let choice: Choice = read_form(b"answer=yes").unwrap();
        assert!(!choice.sure);
        for body in [
            &b"answer=maybe"[..],
            b"sure=oui",
            b"answer=yes&extra=1",
            b"answer=yesyesyesyes",
        ] {
            assert!(
                matches!(read_form::<Choice>(body), Err(AppError::BadRequest)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
