//! Value types shared by the entities: money, currencies, addresses, custom fields, tags.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of money in hundredths of its currency's unit, so sums are exact. On the wire and
/// in documents it is a decimal number (`100000.5`), as the spec's JSON bodies write it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(pub i64);

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// From a decimal number, rounded to the nearest hundredth.
    pub fn from_decimal(value: f64) -> Amount {
        #[allow(clippy::cast_possible_truncation)]
        Amount((value * 100.0).round() as i64)
    }

    pub fn to_decimal(self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let value = self.0 as f64 / 100.0;
        value
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// `self × percent / 100`, rounded to the nearest hundredth.
    pub fn percent(self, percent: f64) -> Amount {
        Amount::from_decimal(self.to_decimal() * percent / 100.0)
    }

    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Amount) -> Amount {
        Amount(self.0.saturating_sub(other.0))
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, Amount::saturating_add)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            serializer.serialize_f64(self.to_decimal())
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        if !value.is_finite() || value.abs() > 1e15 {
            return Err(serde::de::Error::custom(
                "an amount must be a finite number below 10^15",
            ));
        }
        Ok(Amount::from_decimal(value))
    }
}

/// An ISO 4217 currency code: three upper-case letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(pub String);

impl Currency {
    pub fn usd() -> Currency {
        Currency("USD".to_owned())
    }

    pub fn is_valid(&self) -> bool {
        self.0.len() == 3 && self.0.bytes().all(|byte| byte.is_ascii_uppercase())
    }
}

impl Default for Currency {
    fn default() -> Currency {
        Currency::usd()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount with its currency, for values that stand alone (report totals, budgets).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: Amount,
    pub currency: Currency,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

impl Address {
    /// One line, parts joined by commas, blanks left out.
    pub fn one_line(&self) -> String {
        [
            &self.street,
            &self.city,
            &self.state,
            &self.zip,
            &self.country,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// The tenant's own fields on a record: name → JSON value.
pub type CustomFields = BTreeMap<String, serde_json::Value>;

/// Trims a text and turns a blank one into `None`.
pub fn clean_optional(value: &mut Option<String>) {
    if let Some(text) = value {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            *value = None;
        } else if trimmed.len() != text.len() {
            *value = Some(trimmed.to_owned());
        }
    }
}

/// Trims tags, drops blank ones and duplicates (ignoring case), keeping the first spelling.
pub fn clean_tags(tags: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    tags.retain_mut(|tag| {
        *tag = tag.trim().to_owned();
        !tag.is_empty() && seen.insert(tag.to_lowercase())
    });
}

/// The domain of a website (`https://www.acme.com/x` → `acme.com`) or else of an email address,
/// lower-cased; free-mail domains don't identify a company and give `None`.
pub fn domain_of(website: Option<&str>, email: Option<&str>) -> Option<String> {
    let from_site = website.and_then(|site| {
        let rest = site
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let host = rest.split(['/', '?', '#', ':']).next()?.to_lowercase();
        let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
        (!host.is_empty()).then_some(host)
    });
    let from_email = || {
        let domain = email?.trim().rsplit_once('@')?.1.to_lowercase();
        (!FREE_MAIL.contains(&domain.as_str()) && !domain.is_empty()).then_some(domain)
    };
    from_site.or_else(from_email)
}

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
    "mail.com",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_hundredths() {
        let cases = [
            (100000.0, 10_000_000, "100000.00"),
            (0.1 + 0.2, 30, "0.30"),
            (-12.345, -1235, "-12.35"),
        ];
        for (decimal, cents, text) in cases {
            let amount = Amount::from_decimal(decimal);
            assert_eq!(amount.cents(), cents, "{decimal}");
            assert_eq!(amount.to_string(), text);
        }
        assert_eq!(
            serde_json::to_string(&Amount(10_000_000)).ok().as_deref(),
            Some("100000")
        );
        assert_eq!(
            serde_json::to_string(&Amount(150)).ok().as_deref(),
            Some("1.5")
        );
        assert_eq!(
            serde_json::from_str::<Amount>("99.999").ok(),
            Some(Amount(10_000))
        );
        assert!(serde_json::from_str::<Amount>("1e20").is_err());
    }

    #[test]
    fn tags_are_cleaned() {
        let mut tags = vec![
            " enterprise".into(),
            "Tech".into(),
            "".into(),
            "tech".into(),
            "annual ".into(),
        ];
        clean_tags(&mut tags);
        assert_eq!(tags, ["enterprise", "Tech", "annual"]);
    }

    #[test]
    fn currencies() {
        assert!(Currency("EUR".into()).is_valid());
        assert!(!Currency("eur".into()).is_valid());
        assert!(!Currency("EURO".into()).is_valid());
    }
}
