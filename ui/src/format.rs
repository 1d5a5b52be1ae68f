//! How numbers, money and dates read on screen. Pure functions, tested natively.

use chrono::{Datelike, NaiveDate};
use crm_model::{Amount, Currency};

/// `12345` → `"12,345"`.
pub(crate) fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
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
    match symbol(currency) {
        Some(symbol) if number.starts_with('-') => format!("-{symbol}{}", &number[1..]),
        Some(symbol) => format!("{symbol}{number}"),
        None => format!("{number} {}", currency.0),
    }
}

/// Whole units with separators: `$12,345`; cents only when there are some.
pub(crate) fn money(amount: Amount, currency: &Currency) -> String {
    let cents = amount.cents();
    let whole = thousands(cents / 100);
    let number = if cents % 100 == 0 {
        whole
    } else {
        format!("{whole}.{:02}", (cents % 100).unsigned_abs())
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
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mar 31, 2026`.
pub(crate) fn date(day: NaiveDate) -> String {
    format!(
        "{} {}, {}",
        MONTHS[day.month0() as usize],
        day.day(),
        day.year()
    )
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
