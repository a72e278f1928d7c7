//! What covers everyone, wherever they live: the national lines. They follow
//! every orientation, and every page shows the emergency ones.

use crate::web::i18n::msg;

/// How a line is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A telephone call.
    Call,
    /// A text message.
    Sms,
}

/// A national line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// The number as shown.
    pub number: &'static str,
    /// The number for the link.
    pub dial: &'static str,
    /// Call or text.
    pub channel: Channel,
    /// Message id of its name.
    pub name: &'static str,
    /// Message id of what it is for.
    pub text: &'static str,
    /// French name, for the command line.
    pub french_name: &'static str,
}

impl Line {
    /// The link: `tel:17`, `sms:114`.
    pub fn href(&self) -> String {
        match self.channel {
            Channel::Call => format!("tel:{}", self.dial),
            Channel::Sms => format!("sms:{}", self.dial),
        }
    }

    /// Whether it is reached by text message.
    pub fn is_sms(&self) -> bool {
        self.channel == Channel::Sms
    }
}

const fn line(
    number: &'static str,
    dial: &'static str,
    channel: Channel,
    name: &'static str,
    text: &'static str,
    french_name: &'static str,
) -> Line {
    Line {
        number,
        dial,
        channel,
        name,
        text,
        french_name,
    }
}

/// The lines every page and every orientation shows, in this order.
pub const LINES: [Line; 6] = [
    line(
        "17",
        "17",
        Channel::Call,
        msg("line-17-name"),
        msg("line-17-text"),
        "Police et gendarmerie",
    ),
    line(
        "112",
        "112",
        Channel::Call,
        msg("line-112-name"),
        msg("line-112-text"),
        "Numéro d'urgence européen",
    ),
    line(
        "114",
        "114",
        Channel::Sms,
        msg("line-114-name"),
        msg("line-114-text"),
        "Urgence par SMS",
    ),
    line(
        "3919",
        "3919",
        Channel::Call,
        msg("line-3919-name"),
        msg("line-3919-text"),
        "Violences Femmes Info",
    ),
    line(
        "119",
        "119",
        Channel::Call,
        msg("line-119-name"),
        msg("line-119-text"),
        "Allô Enfance en danger",
    ),
    line(
        "115",
        "115",
        Channel::Call,
        msg("line-115-name"),
        msg("line-115-text"),
        "Hébergement d'urgence",
    ),
];

/// The line for young people, shown to anyone under 18 and to youth needs.
pub const FIL_SANTE_JEUNES: Line = line(
    "0800 235 236",
    "0800235236",
    Channel::Call,
    msg("line-fsj-name"),
    msg("line-fsj-text"),
    "Fil Santé Jeunes",
);

/// The lines for immediate danger: 17, 112, SMS 114.
pub fn emergency() -> &'static [Line] {
    &LINES[..3]
}

/// The lines to call in immediate danger: 17 and 112.
pub fn danger_calls() -> &'static [Line] {
    &LINES[..2]
}

/// The text line for immediate danger, for who cannot speak: 114.
pub const SMS: Line = LINES[2];

/// The listening line for violence against women: 3919.
pub const LISTENING: Line = LINES[3];
