//! A parsed, valid flow: its steps and the ways between them.
//!
//! Invariant: a `Flow` exists only once every check of `docs/flows.md`
//! passed, so every index it holds points at one of its steps, every
//! non-final step has a way on, every condition looks at an answer that
//! is always given before it is read, each role is on at most one step of a
//! type that fits it, and every role a reachable outcome needs is on a step
//! always answered before that outcome.

use std::collections::HashMap;

use crate::condition::Condition;
use crate::problem::Problem;
use crate::text::Text;

/// A parsed and checked flow file.
#[derive(Clone, Debug)]
pub struct Flow {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) start: usize,
    pub(crate) steps: Vec<Step>,
    pub(crate) index: HashMap<String, usize>,
}

impl Flow {
    /// Parses and validates a flow file. `known_needs` are the need codes
    /// that exist.
    ///
    /// Returns every problem found, each with its line, sorted by line.
    pub fn parse(source: &str, known_needs: &[&str]) -> Result<Flow, Vec<Problem>> {
        crate::check::parse(source, known_needs)
    }

    /// The flow's name (`id` in the file).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A stable hex digest of the source text (16 hex digits): it changes
    /// whenever the file changes, so a progress can name the flow it fits.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The first step.
    pub fn start(&self) -> &Step {
        &self.steps[self.start]
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.index.get(id).map(|&at| &self.steps[at])
    }

    /// The step that carries `role`, if any: the application finds the age,
    /// the commune, the needs, the name, the contact and the message by
    /// their role, never by a step id. A valid flow has at most one.
    pub fn step_with_role(&self, role: Role) -> Option<&Step> {
        self.steps.iter().find(|step| step.role == Some(role))
    }

    /// Every step, in file order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter()
    }

    /// A Mermaid `flowchart TD` of the steps and the ways between them, with
    /// the French texts as labels.
    pub fn mermaid(&self) -> String {
        crate::mermaid::draw(self)
    }
}

/// One step of a flow: a question, a message, or an outcome.
#[derive(Clone, Debug)]
pub struct Step {
    /// Lowercase letters, digits and hyphens; unique in the flow.
    pub id: String,
    /// What the person does at this step, with its settings.
    pub kind: StepKind,
    /// The question, or the message.
    pub question: Text,
    /// A smaller text shown under the question.
    pub help: Option<Text>,
    /// The text of the button that goes on.
    pub button: Option<Text>,
    /// Whether the person may skip the step ("Passer").
    pub optional: bool,
    /// Whether the report sent to a professional shows this step's answer
    /// (`report = false` in the file leaves it out: "Vous souhaitez
    /// utiliser le formulaire ? Oui" tells a professional nothing). Never
    /// false on a step whose role the report reads (name, contact,
    /// message).
    pub in_report: bool,
    /// What the application reads this step's answer for, if anything
    /// (`role = "…"` in the file); at most one step of a flow has each role.
    pub role: Option<Role>,
    /// The step's own `next`.
    pub(crate) next: Option<usize>,
    /// The `[[step.when]]` rules, in file order.
    pub(crate) rules: Vec<Rule>,
    /// The line of the step's id in the file.
    pub(crate) line: usize,
}

impl Step {
    /// Whether this step ends the conversation: a `youth`, `orientation` or
    /// `leave` outcome. An `emergency` outcome goes on.
    pub fn is_final(&self) -> bool {
        matches!(self.kind, StepKind::Outcome(outcome) if outcome.is_final())
    }

    /// The outcome this step reaches, if it is an outcome step.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.kind {
            StepKind::Outcome(outcome) => Some(outcome),
            _ => None,
        }
    }

    /// The choices of a `choice` or `multiple` step; empty otherwise.
    pub fn choices(&self) -> &[Choice] {
        match &self.kind {
            StepKind::Choice(choices) | StepKind::Multiple(choices) => choices,
            _ => &[],
        }
    }

    /// The line of the step's id in the flow file.
    pub fn line(&self) -> usize {
        self.line
    }
}

/// What the person does at a step, with the settings of that type.
#[derive(Clone, Debug)]
pub enum StepKind {
    /// Reads a text and presses the button.
    Message,
    /// Picks one answer.
    Choice(Vec<Choice>),
    /// Ticks any number of answers.
    Multiple(Vec<Choice>),
    /// Types a whole number between `min` and `max`, both included.
    Number {
        min: i64,
        max: i64,
        unit: Option<Text>,
    },
    /// Types a postcode or a commune name; the answer is an INSEE code.
    Commune,
    /// Types a short text.
    Text { max_length: usize },
    /// Types a longer text.
    LongText { max_length: usize },
    /// Says how she may be contacted safely.
    Contact,
    /// Reads every answer, may change any, presses the button.
    Summary,
    /// Reaches an outcome.
    Outcome(Outcome),
}

impl StepKind {
    /// The `type` of the step in a flow file.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Message => "message",
            StepKind::Choice(_) => "choice",
            StepKind::Multiple(_) => "multiple",
            StepKind::Number { .. } => "number",
            StepKind::Commune => "commune",
            StepKind::Text { .. } => "text",
            StepKind::LongText { .. } => "long_text",
            StepKind::Contact => "contact",
            StepKind::Summary => "summary",
            StepKind::Outcome(_) => "outcome",
        }
    }
}

/// One answer of a `choice` or `multiple` step.
#[derive(Clone, Debug)]
pub struct Choice {
    /// Lowercase letters, digits and hyphens; unique in the step.
    pub id: String,
    /// What the person reads.
    pub label: Text,
    /// The needs this answer reveals, as need codes.
    pub needs: Vec<String>,
    /// Where this answer leads (`choice` steps only).
    pub(crate) next: Option<usize>,
}

/// The four outcomes a conversation can reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The youth services, for a person under 18. Final.
    Youth,
    /// The emergency numbers first, then a button that goes on. Not final.
    Emergency,
    /// The named professionals near her commune. Final.
    Orientation,
    /// The national lines and where to find information. Final.
    Leave,
}

impl Outcome {
    /// Whether the outcome ends the conversation (all but `emergency`).
    pub fn is_final(self) -> bool {
        !matches!(self, Outcome::Emergency)
    }

    /// The outcome's name in a flow file.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Youth => "youth",
            Outcome::Emergency => "emergency",
            Outcome::Orientation => "orientation",
            Outcome::Leave => "leave",
        }
    }

    /// The roles a flow must give for this outcome to work, in the order
    /// the problems name them: an `orientation` filters the services by
    /// age and commune, ranks them by needs, and the report it sends needs
    /// a way to reach her. The other outcomes need none.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Outcome::Orientation => &[Role::Commune, Role::Age, Role::Needs, Role::Contact],
            Outcome::Youth | Outcome::Emergency | Outcome::Leave => &[],
        }
    }

    /// The outcome with this name in a flow file.
    pub fn from_name(name: &str) -> Option<Outcome> {
        match name {
            "youth" => Some(Outcome::Youth),
            "emergency" => Some(Outcome::Emergency),
            "orientation" => Some(Outcome::Orientation),
            "leave" => Some(Outcome::Leave),
            _ => None,
        }
    }
}

/// What the application reads a step's answer for (`role = "…"` on a step,
/// `docs/flows.md`).
///
/// The orientation and the report it sends do not guess which step gives
/// the age or the commune from its id or its type: a step says so. A flow
/// with an `orientation` outcome must give the roles that outcome needs
/// ([`Outcome::roles`]), each on a step answered before the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Her age: a `number` step. The orientation shows a minor only the
    /// services that receive minors, and youth-only services only to her.
    Age,
    /// Where she lives: a `commune` step. The orientation looks for
    /// professionals near it.
    Commune,
    /// What she needs: a `choice` or `multiple` step whose answers carry
    /// `needs`. The orientation ranks the professionals by them.
    Needs,
    /// What she would like to be called: a `text` step. The report
    /// greets her with it.
    Name,
    /// How she may be contacted safely: a `contact` step. The report
    /// tells the professional how to reach her.
    Contact,
    /// Her own words to the professional: a `text` or `long_text` step.
    Message,
}

impl Role {
    /// Every role, in the order `docs/flows.md` lists them.
    pub(crate) const ALL: [Role; 6] = [
        Role::Age,
        Role::Commune,
        Role::Needs,
        Role::Name,
        Role::Contact,
        Role::Message,
    ];

    /// The role's name in a flow file.
    pub fn name(self) -> &'static str {
        match self {
            Role::Age => "age",
            Role::Commune => "commune",
            Role::Needs => "needs",
            Role::Name => "name",
            Role::Contact => "contact",
            Role::Message => "message",
        }
    }

    /// The role with this name in a flow file.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }
}

/// A `[[step.when]]` rule: where to go when the condition holds.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) condition: Condition,
    pub(crate) next: usize,
}
