//! How numbers, money and dates read on screen, in the user's locale (the webview's language,
//! set once at start with [`set_locale`]). Pure functions, tested natively.

use std::cell::Cell;

use chrono::{Datelike, NaiveDate};
use crm_model::{Amount, Currency};

/// How a locale writes numbers: the thousands separator and the decimal mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// `1,234.56` (English).
    #[default]
    CommaDot,
    /// `1.234,56` (German, Dutch, Spanish, Italian, Portuguese…).
    DotComma,
    /// `1 234,56` (French, Swedish, Polish, Russian…), with a no-break space.
    SpaceComma,
}

/// How a locale writes a day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Dates {
    /// `Mar 31, 2026` (American English).
    #[default]
    MonthDayYear,
    /// `31 Mar 2026` (British English and the like).
    DayMonthYear,
    /// `31.03.2026` (German and the like).
    Dotted,
    /// `31/03/2026` (French, Spanish, Italian…).
    Slashed,
    /// `2026-03-31` (Swedish and the like).
    Iso,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Locale {
    pub(crate) numbers: Numbers,
    pub(crate) dates: Dates,
}

impl Locale {
    /// The locale of a BCP 47 language tag (`en-US`, `de-CH`, `fr`); American English when
    /// the language is not one this knows.
    pub(crate) fn from_tag(tag: &str) -> Locale {
        let tag = tag.replace('_', "-").to_ascii_lowercase();
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or_default();
        let region = parts.find(|part| part.len() == 2).unwrap_or_default();
        let (numbers, dates) = match language {
            "en" if matches!(region, "" | "us" | "ca" | "ph") => {
                (Numbers::CommaDot, Dates::MonthDayYear)
            }
            "en" => (Numbers::CommaDot, Dates::DayMonthYear),
            "de" if region == "ch" => (Numbers::CommaDot, Dates::Dotted),
            "de" | "nb" | "no" | "da" | "fi" | "tr" => (Numbers::DotComma, Dates::Dotted),
            "nl" | "id" => (Numbers::DotComma, Dates::DayMonthYear),
            "es" | "it" | "pt" | "el" => (Numbers::DotComma, Dates::Slashed),
            "fr" => (Numbers::SpaceComma, Dates::Slashed),
            "pl" | "cs" | "sk" | "ru" | "uk" => (Numbers::SpaceComma, Dates::Dotted),
            "sv" | "lt" => (Numbers::SpaceComma, Dates::Iso),
            "ja" | "zh" | "ko" => (Numbers::CommaDot, Dates::Iso),
            _ => (Numbers::CommaDot, Dates::MonthDayYear),
        };
        Locale { numbers, dates }
    }

    fn separators(self) -> (char, char) {
        match self.numbers {
            Numbers::CommaDot => (',', '.'),
            Numbers::DotComma => ('.', ','),
            Numbers::SpaceComma => ('\u{a0}', ','),
        }
    }
}

thread_local! {
    static LOCALE: Cell<Locale> = Cell::new(Locale::default());
}

/// Formats everything after this in `locale` (the UI runs on one thread).
pub(crate) fn set_locale(locale: Locale) {
    LOCALE.with(|current| current.set(locale));
}

fn locale() -> Locale {
    LOCALE.with(Cell::get)
}

/// `12345` → `"12,345"` (`12.345`, `12 345` in other locales).
pub(crate) fn thousands(value: i64) -> String {
    let (group, _) = locale().separators();
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(group);
        }
        out.push(digit);
    }
    out
}

fn symbol(currency: &Currency) -> Option<&'static str> {
    match currency.0.as_str() {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

fn with_currency(number: String, currency: &Currency) -> String {
    let symbol_first = locale().numbers == Numbers::CommaDot;
    match symbol(currency) {
        Some(symbol) if !symbol_first => format!("{number}\u{a0}{symbol}"),
        Some(symbol) if number.starts_with('-') => format!("-{symbol}{}", &number[1..]),
        Some(symbol) => format!("{symbol}{number}"),
        None => format!("{number} {}", currency.0),
    }
}

/// Whole units with separators: `$12,345`; cents only when there are some.
pub(crate) fn money(amount: Amount, currency: &Currency) -> String {
    let cents = amount.cents();
    let whole = thousands(cents / 100);
    let (_, decimal) = locale().separators();
    let number = if cents % 100 == 0 {
        whole
    } else {
        format!("{whole}{decimal}{:02}", (cents % 100).unsigned_abs())
    };
    with_currency(number, currency)
}

/// Short form for cards and chart labels: `$2.5M`, `$250K`, `$950`.
pub(crate) fn money_compact(amount: Amount, currency: &Currency) -> String {
    let units = amount.cents() / 100;
    let magnitude = units.unsigned_abs();
    let number = if magnitude >= 1_000_000 {
        format!("{}M", one_decimal(units, 1_000_000))
    } else if magnitude >= 1_000 {
        format!("{}K", one_decimal(units, 1_000))
    } else {
        units.to_string()
    };
    with_currency(number, currency)
}

/// `units / unit` with at most one decimal, dropped when it is zero (`2.5`, `3`).
fn one_decimal(units: i64, unit: i64) -> String {
    let tenths = (units * 10 + unit / 2 * units.signum()) / unit;
    let (_, decimal) = locale().separators();
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}{decimal}{}", tenths / 10, (tenths % 10).abs())
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mar 31, 2026` (`31 Mar 2026`, `31.03.2026`, `31/03/2026`, `2026-03-31` in other locales).
pub(crate) fn date(day: NaiveDate) -> String {
    let month = MONTHS[day.month0() as usize];
    match locale().dates {
        Dates::MonthDayYear => format!("{month} {}, {}", day.day(), day.year()),
        Dates::DayMonthYear => format!("{} {month} {}", day.day(), day.year()),
        Dates::Dotted => day.format("%d.%m.%Y").to_string(),
        Dates::Slashed => day.format("%d/%m/%Y").to_string(),
        Dates::Iso => day.format("%Y-%m-%d").to_string(),
    }
}

/// `2026-03` → `Mar 2026` (forecast months); anything else as it is.
pub(crate) fn month_label(month: &str) -> String {
    let parsed = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d");
    match parsed {
        Ok(day) => format!("{} {}", MONTHS[day.month0() as usize], day.year() % 100),
        Err(_) => month.to_owned(),
    }
}

/// When something is due, as a rep reads it: `Overdue 2 days`, `Today`, `Tomorrow`, `In 5 days`.
pub(crate) fn due(day: NaiveDate, today: NaiveDate) -> String {
    let days = (day - today).num_days();
    match days {
        ..=-2 => format!("Overdue {} days", -days),
        -1 => "Overdue 1 day".to_owned(),
        0 => "Today".to_owned(),
        1 => "Tomorrow".to_owned(),
        2..=13 => format!("In {days} days"),
        _ => date(day),
    }
}

/// How long ago something happened: `today`, `yesterday`, `38 days ago`.
pub(crate) fn ago(day: NaiveDate, today: NaiveDate) -> String {
    match (today - day).num_days() {
        ..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        days => format!("{days} days ago"),
    }
}

/// `1 contact`, `3 contacts`.
pub(crate) fn count(number: u64, one: &str, many: &str) -> String {
    if number == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(number as i64))
    }
}

/// Which way a stat moved since the previous period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trend {
    Up,
    Down,
    Flat,
}

impl Trend {
    pub(crate) fn of(current: f64, previous: f64) -> Trend {
        if (current - previous).abs() < f64::EPSILON {
            Trend::Flat
        } else if current > previous {
            Trend::Up
        } else {
            Trend::Down
        }
    }

    pub(crate) fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "↑",
            Trend::Down => "↓",
            Trend::Flat => "→",
        }
    }

    pub(crate) fn class(self) -> &'static str {
        match self {
            Trend::Up => "trend-up",
            Trend::Down => "trend-down",
            Trend::Flat => "trend-flat",
        }
    }
}

/// The change as words under a stat card: `↑ 12% vs previous period`, `new this period`.
pub(crate) fn change(current: f64, previous: f64) -> String {
    let trend = Trend::of(current, previous);
    if trend == Trend::Flat {
        return "→ no change vs previous period".to_owned();
    }
    if previous.abs() < f64::EPSILON {
        return format!("{} new this period", trend.arrow());
    }
    let percent = ((current - previous) / previous.abs() * 100.0)
        .abs()
        .round();
    format!("{} {percent}% vs previous period", trend.arrow())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn numbers_and_money_read_well() {
        let usd = Currency::usd();
        let cases = [
            (thousands(0), "0"),
            (thousands(999), "999"),
            (thousands(1_000), "1,000"),
            (thousands(-1_234_567), "-1,234,567"),
            (money(Amount(12_345_600), &usd), "$123,456"),
            (money(Amount(-150), &usd), "-$1.50"),
            (money(Amount(100_000), &Currency("CHF".into())), "1,000 CHF"),
            (money_compact(Amount(250_000_000), &usd), "$2.5M"),
            (money_compact(Amount(300_000_000), &usd), "$3M"),
            (money_compact(Amount(25_000_000), &usd), "$250K"),
            (money_compact(Amount(95_000), &usd), "$950"),
            (money_compact(Amount(0), &usd), "$0"),
        ];
        for (actual, expected) in cases {
            assert_eq!(actual, expected);
        }
    }

    #[test]
    fn dates_read_as_a_rep_says_them() {
        let today = day("2026-02-10");
        let cases = [
            (date(day("2026-03-31")), "Mar 31, 2026"),
            (due(day("2026-02-08"), today), "Overdue 2 days"),
            (due(day("2026-02-09"), today), "Overdue 1 day"),
            (due(day("2026-02-10"), today), "Today"),
            (due(day("2026-02-11"), today), "Tomorrow"),
            (due(day("2026-02-15"), today), "In 5 days"),
            (due(day("2026-04-01"), today), "Apr 1, 2026"),
            (month_label("2026-03"), "Mar 26"),
            (month_label("later"), "later"),
            (ago(day("2026-02-10"), today), "today"),
            (ago(day("2026-02-09"), today), "yesterday"),
            (ago(day("2026-01-03"), today), "38 days ago"),
            (count(1, "contact", "contacts"), "1 contact"),
            (count(1_200, "contact", "contacts"), "1,200 contacts"),
        ];
        for (actual, expected) in cases {
            assert_eq!(actual, expected);
        }
    }

    #[test]
    fn other_locales_write_numbers_money_and_dates_their_way() {
        let cases = [
            (
                "de-DE",
                "1.234.567",
                "1.234,50\u{a0}€",
                "31.03.2026",
                "2,5M\u{a0}€",
            ),
            (
                "fr-FR",
                "1\u{a0}234\u{a0}567",
                "1\u{a0}234,50\u{a0}€",
                "31/03/2026",
                "2,5M\u{a0}€",
            ),
            ("en-GB", "1,234,567", "€1,234.50", "31 Mar 2026", "€2.5M"),
            (
                "sv",
                "1\u{a0}234\u{a0}567",
                "1\u{a0}234,50\u{a0}€",
                "2026-03-31",
                "2,5M\u{a0}€",
            ),
            ("xx", "1,234,567", "€1,234.50", "Mar 31, 2026", "€2.5M"),
        ];
        let euro = Currency("EUR".into());
        for (tag, number, amount, day_text, compact) in cases {
            set_locale(Locale::from_tag(tag));
            assert_eq!(thousands(1_234_567), number, "{tag}");
            assert_eq!(money(Amount(123_450), &euro), amount, "{tag}");
            assert_eq!(date(day("2026-03-31")), day_text, "{tag}");
            assert_eq!(money_compact(Amount(250_000_000), &euro), compact, "{tag}");
        }
        set_locale(Locale::default());
    }

    #[test]
    fn trends_compare_with_the_previous_period() {
        assert_eq!(Trend::of(5.0, 3.0), Trend::Up);
        assert_eq!(Trend::of(2.0, 3.0), Trend::Down);
        assert_eq!(Trend::of(3.0, 3.0), Trend::Flat);
        assert_eq!(change(12.0, 10.0), "↑ 20% vs previous period");
        assert_eq!(change(5.0, 10.0), "↓ 50% vs previous period");
        assert_eq!(change(4.0, 0.0), "↑ new this period");
        assert_eq!(change(4.0, 4.0), "→ no change vs previous period");
    }
}
