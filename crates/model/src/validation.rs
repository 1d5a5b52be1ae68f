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
    /// The number must lie within `min..=max`.
    Range { min: i64, max: i64 },
    /// The value must not be negative.
    NotNegative,
    /// The value must be a web address (`https://...`).
    Url,
    /// The value must be an ISO 4217 currency code like USD.
    Currency,
    /// The value must be a colour like #1a2b3c.
    Color,
    /// The value has the wrong type or is not one of the allowed values.
    Invalid { expected: String },
    /// The record has no such field.
    UnknownField,
    /// The field is set by the app, not by input.
    ReadOnly,
    /// The referenced record does not exist (or is in the trash).
    Reference { kind: String },
    /// The value disagrees with another field; `detail` says how.
    Inconsistent { detail: String },
    /// Another record already uses this value.
    Unique,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::Email => f.write_str("must be an email address like name@example.com"),
            Rule::Phone => f.write_str("must be a phone number like +1 555 0100"),
            Rule::MaxLength { max } => write!(f, "must be at most {max} characters"),
            Rule::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::NotNegative => f.write_str("must not be negative"),
            Rule::Url => f.write_str("must be a web address like https://example.com"),
            Rule::Currency => f.write_str("must be a currency code like USD"),
            Rule::Color => f.write_str("must be a colour like #1a73e8"),
            Rule::Invalid { expected } => write!(f, "is not valid: {expected}"),
            Rule::UnknownField => f.write_str("is not a field of this record"),
            Rule::ReadOnly => f.write_str("is set by the app and cannot be changed"),
            Rule::Reference { kind } => write!(f, "must refer to an existing {kind}"),
            Rule::Inconsistent { detail } => f.write_str(detail),
            Rule::Unique => f.write_str("is already used by another record"),
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

    pub fn push(&mut self, field: &str, rule: Rule) {
        self.0.push(FieldError {
            field: field.to_owned(),
            rule,
        });
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
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
        if let Some(value) = value
            && !is_email(value)
        {
            self.push(field, Rule::Email);
        }
    }

    pub(crate) fn optional_phone(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value
            && !is_phone(value)
        {
            self.push(field, Rule::Phone);
        }
    }

    pub(crate) fn optional_url(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value
            && !is_url(value)
        {
            self.push(field, Rule::Url);
        }
    }

    pub(crate) fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.max_length(field, value, max);
        }
    }

    pub(crate) fn percent(&mut self, field: &str, value: i64) {
        if !(0..=100).contains(&value) {
            self.push(field, Rule::Range { min: 0, max: 100 });
        }
    }

    pub(crate) fn not_negative(&mut self, field: &str, value: i64) {
        if value < 0 {
            self.push(field, Rule::NotNegative);
        }
    }

    pub(crate) fn currency(&mut self, field: &str, currency: &crate::common::Currency) {
        if !currency.is_valid() {
            self.push(field, Rule::Currency);
        }
    }

    /// Dates are stored, indexed and sorted as `YYYY-MM-DD` text: a year outside 1..=9999 (a
    /// typo like 20266) would be written `+20266-…` and sort before every other date.
    pub(crate) fn date(&mut self, field: &str, value: Option<chrono::NaiveDate>) {
        use chrono::Datelike as _;
        if value.is_some_and(|date| !(1..=9999).contains(&date.year())) {
            self.push(
                field,
                Rule::Invalid {
                    expected: "a date with a four-digit year, like 2026-03-31".into(),
                },
            );
        }
    }

    pub(crate) fn tags(&mut self, field: &str, tags: &[String]) {
        for tag in tags {
            if tag.chars().count() > 50 {
                self.push(field, Rule::MaxLength { max: 50 });
                return;
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

/// A web address: `http(s)://host.tld/...`, or a bare `host.tld/...` (as people type it).
pub fn is_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    !host.is_empty()
        && host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && !value.contains(char::is_whitespace)
}

/// A colour as `#rgb` or `#rrggbb`.
pub fn is_color(value: &str) -> bool {
    value.strip_prefix('#').is_some_and(|hex| {
        (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
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
    fn dates_need_a_four_digit_year() {
        let day = |year| chrono::NaiveDate::from_ymd_opt(year, 3, 31);
        let mut errors = ValidationErrors::default();
        for year in [1, 2026, 9999] {
            errors.date("dueDate", day(year));
        }
        errors.date("dueDate", None);
        assert!(errors.is_empty(), "{errors:?}");
        errors.date("dueDate", day(20266));
        errors.date("birthday", day(0));
        let fields: Vec<&str> = errors.0.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["dueDate", "birthday"]);
        assert_eq!(
            errors.0[0].rule.to_string(),
            "is not valid: a date with a four-digit year, like 2026-03-31"
        );
    }

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
    fn urls() {
        let cases = [
            ("https://acme.com", true),
            ("http://acme.com:8080/path?q=1", true),
            ("acme.co.uk", true),
            ("https://", false),
            ("acme", false),
            ("https://acme..com", false),
            ("https://ac me.com", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_url(input), expected, "{input}");
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
