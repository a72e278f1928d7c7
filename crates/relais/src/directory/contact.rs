//! Telephone numbers, e-mail addresses and web addresses, checked once on
//! the way in and kept in one canonical form.

use std::fmt;

/// A telephone number: French (`03 21 00 00 00`), a short number (`3919`,
/// `115`), a free number (`0800 235 236`) or international (`+32 2 …`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Reads a number as people write it: spaces, dots, dashes, `+33`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let allowed = trimmed.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')' | '\u{a0}')
        });
        if !allowed || trimmed.is_empty() {
            return Err(format!("« {trimmed} » n'est pas un numéro de téléphone"));
        }
        if trimmed.starts_with('+') {
            if let Some(national) = digits.strip_prefix("33") {
                digits = format!("0{}", national.trim_start_matches('0'));
            } else if (8..=15).contains(&digits.len()) {
                return Ok(Self(format!("+{digits}")));
            } else {
                return Err(format!(
                    "« {trimmed} » n'est pas un numéro international complet"
                ));
            }
        }
        match digits.len() {
            // Short numbers: 15, 17, 18; 112, 114, 115, 119; 3919, 3018;
            // 116 006…
            2 if matches!(digits.as_str(), "15" | "17" | "18") => Ok(Self(digits)),
            3 if digits.starts_with('1') => Ok(Self(digits)),
            4 if digits.starts_with('3') || digits.starts_with('1') => Ok(Self(digits)),
            6 if digits.starts_with("116") => Ok(Self(digits)),
            10 if digits.starts_with('0') && !digits.starts_with("00") => {
                if digits.starts_with("08") {
                    // Free and special numbers read 0800 235 236.
                    Ok(Self(format!(
                        "{} {} {}",
                        &digits[..4],
                        &digits[4..7],
                        &digits[7..]
                    )))
                } else {
                    let pairs: Vec<&str> = (0..5).map(|i| &digits[i * 2..i * 2 + 2]).collect();
                    Ok(Self(pairs.join(" ")))
                }
            }
            _ => Err(format!(
                "« {trimmed} » n'est pas un numéro de téléphone (10 chiffres commençant par 0, un numéro court ou +33…)"
            )),
        }
    }

    /// The number as shown: `03 21 00 00 00`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for a `tel:` link: digits and `+` only.
    pub fn tel(&self) -> String {
        self.0
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks an e-mail address's shape: one `@`, a dotted domain, no spaces.
pub fn check_email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email
                    .chars()
                    .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
        }
        None => false,
    };
    if valid {
        Ok(email.to_owned())
    } else {
        Err(format!("« {email} » n'est pas une adresse e-mail"))
    }
}

/// Checks a web address: `http://` or `https://`, no spaces.
pub fn check_website(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let valid = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
    if valid {
        Ok(url.to_owned())
    } else {
        Err(format!("« {url} » n'est pas une adresse web (https://…)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_are_read_in_every_usual_form() {
        for raw in [
            "0321000000",
            "03 21 00 00 00",
            "03.21.00.00.00",
            "+33 3 21 00 00 00",
            "+33 (0)3 21 00 00 00",
        ] {
            assert_eq!(
                Phone::parse(raw).unwrap().as_str(),
                "03 21 00 00 00",
                "{raw}"
            );
        }
        assert_eq!(Phone::parse("03.91.18.15.80").unwrap().tel(), "0391181580");
    }

    #[test]
    fn short_free_and_foreign_numbers_are_kept() {
        assert_eq!(Phone::parse("3919").unwrap().as_str(), "3919");
        assert_eq!(Phone::parse("115").unwrap().as_str(), "115");
        assert_eq!(
            Phone::parse("0800 235 236").unwrap().as_str(),
            "0800 235 236"
        );
        assert_eq!(
            Phone::parse("+32 2 123 45 67").unwrap().as_str(),
            "+3221234567"
        );
    }

    #[test]
    fn a_bad_number_is_refused_with_what_was_written() {
        let error = Phone::parse("03 21 00").unwrap_err();
        assert!(error.contains("03 21 00"), "{error}");
        assert!(Phone::parse("appelez-nous").is_err());
        assert!(Phone::parse("12").is_err());
        assert!(Phone::parse("").is_err());
    }

    #[test]
    fn e_mail_and_web_addresses_are_checked() {
        assert!(check_email("contact@example.org").is_ok());
        assert!(check_email("contact@example").is_err());
        assert!(check_email("a b@example.org").is_err());
        assert!(check_website("https://example.org/").is_ok());
        assert!(check_website("example.org").is_err());
    }
}
