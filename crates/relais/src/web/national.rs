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

/// The line for young people, after the territory's youth services: Fil
/// Santé Jeunes, as the model's screen for a minor reads ("… ou le Fil
/// Santé Jeunes au 0800 235 236", then "J'ai compris"). The emergency
/// numbers stay in the bar on every page, and 119 among the national
/// lines of the other outcomes.
pub const YOUTH: [Line; 1] = [FIL_SANTE_JEUNES];

/// A service an outcome lists, as far as telling it from a line goes.
#[derive(Clone, Copy, Debug)]
pub struct Listed<'a> {
    /// Its names (organisation, service), as shown.
    pub names: [&'a str; 2],
    /// Its telephone, in any spacing.
    pub phone: Option<&'a str>,
}

impl Listed<'_> {
    /// Whether this is `other` again: the same number dialled, or the same
    /// name.
    pub fn same_as(&self, other: &Listed<'_>) -> bool {
        let same_phone = match (self.phone.map(dialled), other.phone.map(dialled)) {
            (Some(a), Some(b)) => !a.is_empty() && a == b,
            _ => false,
        };
        same_phone
            || self
                .names
                .iter()
                .map(|n| folded(n))
                .any(|a| !a.is_empty() && other.names.iter().any(|b| folded(b) == a))
    }
}

impl Line {
    /// The line as a listed service, to compare with the others.
    pub fn listed(&self) -> Listed<'static> {
        Listed {
            names: [self.french_name, self.french_name],
            phone: Some(self.dial),
        }
    }
}

/// The lines of `lines` that no service of `listed` already is.
///
/// An outcome lists a service once: where the territory's list or the
/// directory's results already give a line (the same number, or the same
/// name), the national list leaves it out, so that she does not read it
/// twice, once before "Ou" and once after.
pub fn besides<'a>(lines: &[Line], listed: impl IntoIterator<Item = Listed<'a>>) -> Vec<Line> {
    let listed: Vec<Listed<'a>> = listed.into_iter().collect();
    lines
        .iter()
        .filter(|line| !listed.iter().any(|l| l.same_as(&line.listed())))
        .copied()
        .collect()
}

/// The digits one dials: spaces, dots and dashes dropped, +33 read as 0.
fn dialled(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("33") {
        Some(rest) if phone.trim_start().starts_with('+') => format!("0{rest}"),
        _ => digits,
    }
}

/// A name as compared: lower case, letters and digits only.
fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service<'a>(name: &'a str, phone: &'a str) -> Listed<'a> {
        Listed {
            names: [name, name],
            phone: Some(phone),
        }
    }

    #[test]
    fn a_line_a_listed_service_already_is_is_left_out_by_number_or_by_name() {
        let shown = [
            service("Maison des Adolescents du Littoral Est", "03 91 18 15 80"),
            // The territory lists Fil Santé Jeunes itself, spaced its own way.
            service("Fil santé jeunes", "08.00.23.52.36"),
        ];
        assert_eq!(besides(&YOUTH, shown), []);
        // Another name, the same number.
        let siao = [service("SIAO du Pas-de-Calais", "115")];
        let national = besides(&LINES, siao);
        assert!(!national.iter().any(|l| l.dial == "115"));
        assert_eq!(national.len(), LINES.len() - 1);
        // The same name, no number.
        let named = [Listed {
            names: ["CIDFF", "Violences Femmes Info"],
            phone: None,
        }];
        assert!(!besides(&LINES, named).contains(&LISTENING));
    }

    #[test]
    fn a_service_that_is_no_line_leaves_every_line() {
        let shown = [
            service("Association L'Abri du Littoral", "01 99 00 10 10"),
            service("", "+33 1 99 00 20 05"),
        ];
        assert_eq!(besides(&LINES, shown), LINES);
        assert_eq!(besides(&YOUTH, []), YOUTH);
    }

    #[test]
    fn a_number_is_the_same_however_it_is_written() {
        assert!(service("a", "+33 8 00 23 52 36").same_as(&service("b", "0800 235 236")));
        assert!(!service("a", "").same_as(&service("b", "")));
        assert!(!service("", "1").same_as(&service("", "2")));
    }
}
