//! Reading a flow file into a draft: every key, its type and its line.
//!
//! The file is walked by hand rather than deserialised with serde, so that
//! every unknown key and every value of the wrong type is reported at once,
//! in French, with its line; serde stops at the first one and speaks
//! English. What cannot be read is left out of the draft, and `check` makes
//! no further claim about it.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::{Outcome, Role};
use crate::problem::{Problem, line_of};
use crate::text::Text;

/// A value with the line it was read at.
#[derive(Clone, Debug)]
pub(crate) struct At<T> {
    pub(crate) value: T,
    pub(crate) line: usize,
}

/// A flow file as read, before its steps are linked and checked.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub(crate) id: Option<At<String>>,
    pub(crate) start: Option<At<String>>,
    pub(crate) steps: Vec<DraftStep>,
}

/// The type of a step, before its settings are known to be complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Message,
    Choice,
    Multiple,
    Number,
    Commune,
    Text,
    LongText,
    Contact,
    Summary,
    Outcome,
}

const TYPES: &str =
    "message, choice, multiple, number, commune, text, long_text, contact, summary ou outcome";
const OUTCOMES: &str = "youth, emergency, orientation ou leave";
const ROLES: &str = "age, commune, needs, name, contact ou message";

impl Ty {
    fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "message" => Ty::Message,
            "choice" => Ty::Choice,
            "multiple" => Ty::Multiple,
            "number" => Ty::Number,
            "commune" => Ty::Commune,
            "text" => Ty::Text,
            "long_text" => Ty::LongText,
            "contact" => Ty::Contact,
            "summary" => Ty::Summary,
            "outcome" => Ty::Outcome,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Ty::Message => "message",
            Ty::Choice => "choice",
            Ty::Multiple => "multiple",
            Ty::Number => "number",
            Ty::Commune => "commune",
            Ty::Text => "text",
            Ty::LongText => "long_text",
            Ty::Contact => "contact",
            Ty::Summary => "summary",
            Ty::Outcome => "outcome",
        }
    }

    /// The keys a step of this type accepts.
    fn keys(self) -> Vec<&'static str> {
        let mut keys = vec!["id", "type", "question", "help", "button", "next", "when"];
        // Skipping a message, a summary or an outcome would mean nothing:
        // there is no answer to leave out, nor any for a role to read.
        if !matches!(self, Ty::Message | Ty::Summary | Ty::Outcome) {
            keys.extend(["optional", "role", "report"]);
        }
        keys.extend_from_slice(match self {
            Ty::Choice | Ty::Multiple => &["choice"][..],
            Ty::Number => &["min", "max", "unit"],
            Ty::Text | Ty::LongText => &["max_length"],
            Ty::Outcome => &["outcome"],
            _ => &[],
        });
        keys
    }
}

/// The types of step that may carry a role: those whose answer is what
/// the role reads.
fn role_types(role: Role) -> &'static [Ty] {
    match role {
        Role::Age => &[Ty::Number],
        Role::Commune => &[Ty::Commune],
        Role::Needs => &[Ty::Choice, Ty::Multiple],
        Role::Name => &[Ty::Text],
        Role::Contact => &[Ty::Contact],
        Role::Message => &[Ty::Text, Ty::LongText],
    }
}

/// Every key a step of some type accepts.
const STEP_KEYS: &[&str] = &[
    "id",
    "type",
    "question",
    "help",
    "button",
    "optional",
    "role",
    "report",
    "next",
    "when",
    "choice",
    "min",
    "max",
    "unit",
    "max_length",
    "outcome",
];

/// A step as read.
#[derive(Debug)]
pub(crate) struct DraftStep {
    /// The line of the id, or of the step's table when it has none.
    pub(crate) line: usize,
    pub(crate) id: Option<At<String>>,
    /// `None` when the type is missing or unknown (already reported).
    pub(crate) ty: Option<Ty>,
    pub(crate) question: Option<Text>,
    pub(crate) help: Option<Text>,
    pub(crate) button: Option<Text>,
    pub(crate) optional: bool,
    /// Whether the report sent to a professional shows this step's answer
    /// (`report = false` leaves it out).
    pub(crate) report: bool,
    /// The step's role, when it could be read.
    pub(crate) role: Option<At<Role>>,
    /// Whether the file gives a `role` that could not be read (already
    /// reported): any role may be the one meant.
    pub(crate) role_unread: bool,
    pub(crate) next: Option<At<String>>,
    /// Whether the file gives a `next`, even one that could not be read.
    pub(crate) next_written: bool,
    pub(crate) when: Vec<DraftWhen>,
    pub(crate) choices: Vec<DraftChoice>,
    pub(crate) min: Option<i64>,
    pub(crate) max: Option<i64>,
    pub(crate) unit: Option<Text>,
    pub(crate) max_length: Option<usize>,
    /// The outcome of an `outcome` step; `None` when missing or unknown.
    pub(crate) outcome: Option<Outcome>,
    /// Whether something the checks rely on could not be read; such a step
    /// is given the benefit of the doubt in the checks of the whole graph.
    pub(crate) broken: bool,
}

impl DraftStep {
    pub(crate) fn id(&self) -> Option<&str> {
        self.id.as_ref().map(|id| id.value.as_str())
    }
}

/// A `[[step.choice]]` as read.
#[derive(Debug)]
pub(crate) struct DraftChoice {
    pub(crate) line: usize,
    pub(crate) id: Option<At<String>>,
    pub(crate) label: Option<Text>,
    pub(crate) next: Option<At<String>>,
    /// Whether the file gives a `next`, even one that could not be read.
    pub(crate) next_written: bool,
    pub(crate) needs: Vec<At<String>>,
}

/// A `[[step.when]]` as read.
#[derive(Debug)]
pub(crate) struct DraftWhen {
    pub(crate) line: usize,
    pub(crate) condition: Option<At<String>>,
    pub(crate) next: Option<At<String>>,
}

/// Whether `id` is made of lowercase ASCII letters, digits and hyphens.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// Reads `source` into a draft, adding what is wrong to `problems`.
pub(crate) fn read(source: &str, problems: &mut Vec<Problem>) -> Draft {
    let document = match DeTable::parse(source) {
        Ok(document) => document,
        Err(error) => {
            problems.push(Problem {
                line: error.span().map(|span| line_of(source, span.start)),
                step: None,
                message: format!(
                    "le fichier n'est pas du TOML valide : {}",
                    error.message().trim()
                ),
            });
            return Draft::default();
        }
    };
    let mut reader = Reader {
        source,
        problems,
        step: None,
    };
    reader.flow(document.get_ref())
}

struct Reader<'s, 'p> {
    source: &'s str,
    problems: &'p mut Vec<Problem>,
    /// The id of the step being read, for the problems.
    step: Option<String>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Reader<'_, '_> {
    fn line(&self, value: &Value<'_>) -> usize {
        line_of(self.source, value.span().start)
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(Problem {
            line: Some(line),
            step: self.step.clone(),
            message,
        });
    }

    fn flow(&mut self, document: &DeTable<'_>) -> Draft {
        for (key, _) in document.iter() {
            if !["id", "start", "step"].contains(&key.get_ref().as_ref()) {
                let line = line_of(self.source, key.span().start);
                self.problem(
                    line,
                    format!(
                        "clé « {} » inconnue : un parcours n'accepte ici que id, start et [[step]]",
                        key.get_ref()
                    ),
                );
            }
        }
        let id = self.id(document, "id");
        let start = self.id(document, "start");
        if id.is_none() && document.get("id").is_none() {
            self.problems.push(Problem {
                line: Some(1),
                step: None,
                message: "il manque « id », le nom du parcours".to_owned(),
            });
        }
        if start.is_none() && document.get("start").is_none() {
            self.problems.push(Problem {
                line: Some(1),
                step: None,
                message: "il manque « start », l'id de la première étape".to_owned(),
            });
        }
        let steps: Vec<DraftStep> = self
            .tables(document, "step", 1)
            .into_iter()
            .map(|(table, line)| self.step(table, line))
            .collect();
        if steps.is_empty() && document.get("step").is_none() {
            self.problems.push(Problem {
                line: Some(1),
                step: None,
                message: "le parcours n'a aucune étape : ajoutez des [[step]]".to_owned(),
            });
        }
        Draft { id, start, steps }
    }

    fn step(&mut self, table: &DeTable<'_>, table_line: usize) -> DraftStep {
        self.step = None;
        let id = self.id(table, "id");
        self.step = id.as_ref().map(|id| id.value.clone());
        let line = id.as_ref().map_or(table_line, |id| id.line);
        if id.is_none() && table.get("id").is_none() {
            self.problem(line, "il manque « id » à cette étape".to_owned());
        }

        let ty = match self.string(table, "type") {
            Some(name) => {
                let ty = Ty::from_name(&name.value);
                if ty.is_none() {
                    self.problem(
                        name.line,
                        format!("type « {} » inconnu : {TYPES}", name.value),
                    );
                }
                ty
            }
            None => {
                if table.get("type").is_none() {
                    self.problem(line, format!("il manque « type » : {TYPES}"));
                }
                None
            }
        };
        let broken = ty.is_none();
        self.keys_fit(table, ty);

        let question = self.text(table, "question");
        if question.is_none() && table.get("question").is_none() {
            self.problem(line, "il manque « question »".to_owned());
        }
        let help = self.text(table, "help");
        let button = self.text(table, "button");
        let optional = self.boolean(table, "optional").unwrap_or(false);
        let role = self.role(table, ty);
        let report = self.report(table, role.as_ref());
        let next = self.id(table, "next");
        let when: Vec<DraftWhen> = self
            .tables(table, "when", line)
            .into_iter()
            .map(|(table, line)| self.when(table, line))
            .collect();
        let choices: Vec<DraftChoice> = self
            .tables(table, "choice", line)
            .into_iter()
            .map(|(table, line)| self.choice(table, line, ty))
            .collect();
        let min = self.integer(table, "min");
        let max = self.integer(table, "max");
        let unit = self.text(table, "unit");
        let max_length = self.integer(table, "max_length");

        let mut step = DraftStep {
            line,
            id,
            ty,
            question,
            help,
            button,
            optional,
            report,
            role_unread: role.is_none() && table.get("role").is_some(),
            role,
            next,
            next_written: table.get("next").is_some(),
            when,
            choices,
            min: min.as_ref().map(|min| min.value),
            max: max.as_ref().map(|max| max.value),
            unit,
            max_length: None,
            outcome: None,
            broken,
        };
        match ty {
            Some(Ty::Choice | Ty::Multiple) if step.choices.is_empty() => {
                if table.get("choice").is_none() {
                    let ty = ty.map_or("", Ty::name);
                    self.problem(
                        line,
                        format!(
                            "une étape « {ty} » a besoin de réponses : ajoutez des [[step.choice]]"
                        ),
                    );
                }
                step.broken = true;
            }
            Some(Ty::Number) => self.number(&mut step, min.as_ref(), max.as_ref(), table),
            Some(Ty::Text | Ty::LongText) => {
                let default = if ty == Some(Ty::Text) { 80 } else { 2000 };
                step.max_length = Some(match max_length {
                    Some(At { value, line }) => match usize::try_from(value) {
                        Ok(length) if length > crate::answer::TEXT_MAX => {
                            self.problem(
                                line,
                                format!(
                                    "« max_length » doit être au plus {}, pas {value}",
                                    crate::answer::TEXT_MAX
                                ),
                            );
                            crate::answer::TEXT_MAX
                        }
                        Ok(length) if length > 0 => length,
                        _ => {
                            self.problem(
                                line,
                                format!("« max_length » doit être au moins 1, pas {value}"),
                            );
                            default
                        }
                    },
                    None => default,
                });
            }
            Some(Ty::Outcome) => self.outcome(&mut step, table),
            _ => {}
        }
        step
    }

    /// The step's `role`, if it names a role; a role on a step of the wrong
    /// type is reported but kept, so that the outcomes that need it are not
    /// also told it is missing.
    fn role(&mut self, table: &DeTable<'_>, ty: Option<Ty>) -> Option<At<Role>> {
        let name = self.string(table, "role")?;
        let Some(role) = Role::from_name(&name.value) else {
            self.problem(
                name.line,
                format!("rôle « {} » inconnu : {ROLES}", name.value),
            );
            return None;
        };
        let fits = role_types(role);
        if let Some(ty) = ty
            && !fits.contains(&ty)
        {
            let types = fits
                .iter()
                .map(|ty| format!("« {} »", ty.name()))
                .collect::<Vec<_>>()
                .join(" ou ");
            self.problem(
                name.line,
                format!(
                    "le rôle « {} » se donne à une étape {types}, pas à une étape « {} »",
                    role.name(),
                    ty.name()
                ),
            );
        }
        Some(At {
            value: role,
            line: name.line,
        })
    }

    /// Whether the report shows the step's answer: `report = false` leaves
    /// it out, except on a step whose role the report reads (the name, the
    /// contact, her message), which would leave the professional without
    /// it.
    fn report(&mut self, table: &DeTable<'_>, role: Option<&At<Role>>) -> bool {
        let Some(report) = self.boolean(table, "report") else {
            return true;
        };
        if !report
            && let Some(role) = role
            && matches!(role.value, Role::Name | Role::Contact | Role::Message)
        {
            let line = table
                .get("report")
                .map_or(role.line, |value| self.line(value));
            self.problem(
                line,
                format!(
                    "« report = false » ne va pas avec le rôle « {} » : le compte-rendu en a besoin",
                    role.value.name()
                ),
            );
        }
        report
    }

    fn number(
        &mut self,
        step: &mut DraftStep,
        min: Option<&At<i64>>,
        max: Option<&At<i64>>,
        table: &DeTable<'_>,
    ) {
        for (key, value) in [("min", min), ("max", max)] {
            if value.is_none() && table.get(key).is_none() {
                self.problem(
                    step.line,
                    format!("il manque « {key} » : une étape « number » a besoin de bornes"),
                );
            }
        }
        if let (Some(min), Some(max)) = (min, max)
            && min.value > max.value
        {
            self.problem(
                min.line,
                format!(
                    "« min » ({}) est plus grand que « max » ({})",
                    min.value, max.value
                ),
            );
        }
    }

    fn outcome(&mut self, step: &mut DraftStep, table: &DeTable<'_>) {
        match self.string(table, "outcome") {
            Some(name) => match Outcome::from_name(&name.value) {
                Some(outcome) => step.outcome = Some(outcome),
                None => self.problem(
                    name.line,
                    format!("issue « {} » inconnue : {OUTCOMES}", name.value),
                ),
            },
            None if table.get("outcome").is_none() => self.problem(
                step.line,
                format!("il manque « outcome = » à cette issue : {OUTCOMES}"),
            ),
            None => {}
        }
        let Some(outcome) = step.outcome else {
            step.broken = true;
            return;
        };
        if !outcome.is_final() {
            return;
        }
        let name = outcome.name();
        if let Some(next) = table.get("next") {
            let line = self.line(next);
            self.problem(
                line,
                format!(
                    "une issue « {name} » termine la conversation : elle ne peut pas avoir de « next »"
                ),
            );
        }
        if let Some(when) = table.get("when") {
            let line = self.line(when);
            self.problem(
                line,
                format!(
                    "une issue « {name} » termine la conversation : elle ne peut pas avoir de [[step.when]]"
                ),
            );
        }
    }

    fn choice(&mut self, table: &DeTable<'_>, table_line: usize, ty: Option<Ty>) -> DraftChoice {
        self.unknown_keys(
            table,
            &["id", "label", "next", "needs"],
            "une réponse [[step.choice]]",
        );
        let id = self.id(table, "id");
        let line = id.as_ref().map_or(table_line, |id| id.line);
        if id.is_none() && table.get("id").is_none() {
            self.problem(line, "il manque « id » à cette réponse".to_owned());
        }
        let label = self.text(table, "label");
        if label.is_none() && table.get("label").is_none() {
            self.problem(line, "il manque « label » à cette réponse".to_owned());
        }
        let next = self.id(table, "next");
        if ty == Some(Ty::Multiple)
            && let Some(value) = table.get("next")
        {
            let line = self.line(value);
            self.problem(
                line,
                "une réponse d'une étape « multiple » ne peut pas avoir de « next » : \
                 on peut en cocher plusieurs ; utilisez [[step.when]] avec « has »"
                    .to_owned(),
            );
        }
        let needs = match table.get("needs") {
            None => Vec::new(),
            Some(value) => match value.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .filter_map(|item| {
                        let line = self.line(item);
                        match item.get_ref() {
                            DeValue::String(need) => Some(At {
                                value: need.to_string(),
                                line,
                            }),
                            _ => {
                                self.problem(
                                    line,
                                    "« needs » est une liste de besoins entre guillemets, \
                                     par exemple [\"housing\"]"
                                        .to_owned(),
                                );
                                None
                            }
                        }
                    })
                    .collect(),
                _ => {
                    let line = self.line(value);
                    self.problem(
                        line,
                        "« needs » est une liste de besoins, par exemple [\"housing\"]".to_owned(),
                    );
                    Vec::new()
                }
            },
        };
        DraftChoice {
            line,
            id,
            label,
            next,
            next_written: table.get("next").is_some(),
            needs,
        }
    }

    fn when(&mut self, table: &DeTable<'_>, line: usize) -> DraftWhen {
        self.unknown_keys(table, &["if", "next"], "une règle [[step.when]]");
        let condition = self.string(table, "if");
        let next = self.id(table, "next");
        let line = condition.as_ref().map_or(line, |condition| condition.line);
        if condition.is_none() && table.get("if").is_none() {
            self.problem(
                line,
                "il manque « if », la condition de cette règle".to_owned(),
            );
        }
        if next.is_none() && table.get("next").is_none() {
            self.problem(
                line,
                "il manque « next », l'étape où va cette règle".to_owned(),
            );
        }
        DraftWhen {
            line,
            condition,
            next,
        }
    }

    /// Reports the keys of a step that no step accepts, or that a step of
    /// its type does not accept.
    fn keys_fit(&mut self, table: &DeTable<'_>, ty: Option<Ty>) {
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            let line = line_of(self.source, key.span().start);
            if !STEP_KEYS.contains(&name) {
                let accepted = ty.map_or_else(|| STEP_KEYS.to_vec(), Ty::keys).join(", ");
                self.problem(
                    line,
                    format!("clé « {name} » inconnue : une étape accepte ici {accepted}"),
                );
            } else if let Some(ty) = ty
                && !ty.keys().contains(&name)
                // A role on a step of the wrong type is told with the types
                // that fit it (`role`).
                && name != "role"
            {
                let ty = ty.name();
                let message = if name == "optional" {
                    format!("une étape « {ty} » ne peut pas être facultative (« optional »)")
                } else if name == "report" {
                    format!(
                        "une étape « {ty} » n'a pas de réponse : le compte-rendu ne la montre jamais (« report »)"
                    )
                } else {
                    format!("« {name} » ne s'applique pas à une étape « {ty} »")
                };
                self.problem(line, message);
            }
        }
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, accepted: &[&str], what: &str) {
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            if !accepted.contains(&name) {
                let line = line_of(self.source, key.span().start);
                let accepted = accepted.join(", ");
                self.problem(
                    line,
                    format!("clé « {name} » inconnue : {what} accepte {accepted}"),
                );
            }
        }
    }

    fn string(&mut self, table: &DeTable<'_>, key: &str) -> Option<At<String>> {
        let value = table.get(key)?;
        let line = self.line(value);
        match value.get_ref() {
            DeValue::String(text) => Some(At {
                value: text.to_string(),
                line,
            }),
            _ => {
                self.problem(
                    line,
                    format!("« {key} » doit être un texte entre guillemets"),
                );
                None
            }
        }
    }

    fn id(&mut self, table: &DeTable<'_>, key: &str) -> Option<At<String>> {
        let id = self.string(table, key)?;
        if is_valid_id(&id.value) {
            Some(id)
        } else {
            self.problem(
                id.line,
                format!(
                    "« {} » n'est pas un identifiant : lettres minuscules sans accent, \
                     chiffres et tirets seulement",
                    id.value
                ),
            );
            None
        }
    }

    fn integer(&mut self, table: &DeTable<'_>, key: &str) -> Option<At<i64>> {
        let value = table.get(key)?;
        let line = self.line(value);
        let number = match value.get_ref() {
            DeValue::Integer(integer) => {
                i64::from_str_radix(integer.as_str(), integer.radix()).ok()
            }
            _ => None,
        };
        if number.is_none() {
            self.problem(line, format!("« {key} » doit être un nombre entier"));
        }
        number.map(|value| At { value, line })
    }

    fn boolean(&mut self, table: &DeTable<'_>, key: &str) -> Option<bool> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(yes) => Some(*yes),
            _ => {
                let line = self.line(value);
                self.problem(line, format!("« {key} » vaut true ou false"));
                None
            }
        }
    }

    /// A text: a table of languages with a French version.
    fn text(&mut self, table: &DeTable<'_>, key: &str) -> Option<Text> {
        let value = table.get(key)?;
        let line = self.line(value);
        let DeValue::Table(languages) = value.get_ref() else {
            self.problem(
                line,
                format!(
                    "« {key} » est un texte par langue, par exemple {key} = {{ fr = \"…\", en = \"…\" }}"
                ),
            );
            return None;
        };
        let mut fr = None;
        let mut others = Vec::new();
        let mut readable = true;
        for (language, text) in languages.iter() {
            let code = language.get_ref().as_ref();
            let code_line = line_of(self.source, language.span().start);
            if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                self.problem(
                    code_line,
                    format!("« {code} » n'est pas un code de langue comme fr, en ou ar"),
                );
                readable = false;
                continue;
            }
            let DeValue::String(text) = text.get_ref() else {
                self.problem(
                    code_line,
                    format!("le texte « {code} » de « {key} » doit être entre guillemets"),
                );
                readable = false;
                continue;
            };
            if code == "fr" {
                fr = Some(text.to_string());
            } else {
                others.push((code.to_owned(), text.to_string()));
            }
        }
        match fr {
            Some(fr) if !fr.trim().is_empty() => readable.then(|| Text::new(fr, others)),
            Some(_) => {
                self.problem(line, format!("le texte français de « {key} » est vide"));
                None
            }
            None => {
                self.problem(
                    line,
                    format!("« {key} » n'a pas de version française : ajoutez fr = \"…\""),
                );
                None
            }
        }
    }

    /// An array of tables (`[[step]]`, `[[step.choice]]`…), each with its
    /// line.
    fn tables<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        key: &str,
        line: usize,
    ) -> Vec<(&'t DeTable<'i>, usize)> {
        let Some(value) = table.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            let at = self.line(value);
            self.problem(
                at.max(line),
                format!("« {key} » doit être une liste de tables [[…{key}]]"),
            );
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items.iter() {
            let at = self.line(item);
            match item.get_ref() {
                DeValue::Table(table) => tables.push((table, at)),
                _ => self.problem(
                    at,
                    format!("chaque élément de « {key} » doit être une table [[…{key}]]"),
                ),
            }
        }
        tables
    }
}
