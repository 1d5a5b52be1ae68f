//! Field-level validation: each broken rule names the field and the rule, so the UI can show the
//! message beside the input and the core can refuse the write with the same words.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A rule a field value must follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "camelCase")]
pub enum Rule {
    /// The field must be present and not blank.
    Required,
    /// The value must be an email address (`name@domain.tld`).
    Email,
    /// The value must be a phone number: digits with optional `+`, spaces, dashes, dots and
    /// parentheses, 5 to 20 digits.
    Phone,
    /// The text is longer than the field allows.
    MaxLength { max: usize },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::Email => f.write_str("must be an email address like name@example.com"),
            Rule::Phone => f.write_str("must be a phone number like +1 555 0100"),
            Rule::MaxLength { max } => write!(f, "must be at most {max} characters"),
        }
    }
}

/// One broken rule on one field. `field` is the camelCase name used on the wire and in forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub rule: Rule,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.rule)
    }
}

/// Every broken rule of one input, in field order. Never empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            error.fmt(f)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error about `field`, for showing beside its input.
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|error| error.field == field)
    }

    pub(crate) fn push(&mut self, field: &str, rule: Rule) {
        self.0.push(FieldError {
            field: field.to_owned(),
            rule,
        });
    }

    pub(crate) fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// A required text: present and not blank, within `max` characters.
    pub(crate) fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, Rule::Required);
        } else {
            self.max_length(field, value, max);
        }
    }

    pub(crate) fn max_length(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push(field, Rule::MaxLength { max });
        }
    }

    pub(crate) fn optional_email(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value {
            if !is_email(value) {
                self.push(field, Rule::Email);
            }
        }
    }

    pub(crate) fn optional_phone(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value {
            if !is_phone(value) {
                self.push(field, Rule::Phone);
            }
        }
    }
}

/// A pragmatic address check: one `@`, a non-empty local part without spaces, and a domain with
/// a dot whose labels are non-empty. Deliverability is not our business; typos like
/// `john@acme` or `john acme.com` are.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let well_formed_part =
        |part: &str| !part.is_empty() && !part.contains(|c: char| c.is_whitespace() || c == '@');
    well_formed_part(local)
        && well_formed_part(domain)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
        && value.len() <= 254
}

/// Digits with the usual punctuation of written phone numbers; 5 to 20 digits in all.
pub fn is_phone(value: &str) -> bool {
    let trimmed = value.trim();
    let allowed = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let plus_only_first = trimmed
        .char_indices()
        .all(|(index, c)| c != '+' || index == 0);
    trimmed.chars().all(allowed) && plus_only_first && (5..=20).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let cases = [
            ("john@acme.com", true),
            ("j.doe+crm@mail.acme.co.uk", true),
            ("john@acme", false),
            ("john acme.com", false),
            ("@acme.com", false),
            ("john@", false),
            ("john@@acme.com", false),
            ("jo hn@acme.com", false),
            ("john@acme..com", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_email(input), expected, "{input}");
        }
    }

    #[test]
    fn phones() {
        let cases = [
            ("+1234567890", true),
            ("+1 (555) 010-0100", true),
            ("030 1234.567", true),
            ("1234", false),
            ("call me", false),
            ("12+345678", false),
            ("+123456789012345678901", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_phone(input), expected, "{input}");
        }
    }
}
