//! Reading a CSV file as people's tools write them: UTF-8 with or without a BOM, UTF-16 (with a
//! BOM, or without one when every other byte is zero), `,` `;` or tab separators, quoted fields
//! with separators and line breaks inside; and turning cells into typed values.

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::headers::FieldType;

/// The file's text, or what is wrong with its encoding.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |bytes: &[u8], little: bool| -> Result<String, String> {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| {
                if little {
                    u16::from_le_bytes([pair[0], pair[1]])
                } else {
                    u16::from_be_bytes([pair[0], pair[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16".to_owned())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec())
            .map_err(|_| "the file is not valid UTF-8".to_owned());
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let sample = &bytes[..bytes.len().min(200)];
    if sample.len() >= 4 && sample.len().is_multiple_of(2) {
        let odd_zero = sample.iter().skip(1).step_by(2).all(|byte| *byte == 0);
        let even_zero = sample.iter().step_by(2).all(|byte| *byte == 0);
        if odd_zero {
            return utf16(bytes, true);
        }
        if even_zero {
            return utf16(bytes, false);
        }
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        "the file is neither UTF-8 nor UTF-16: save it as \"CSV UTF-8\" and try again".to_owned()
    })
}

/// The separator of the header line: the most frequent of `,` `;` and tab outside quotes.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in first_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0].1 += 1,
            ';' if !quoted => counts[1].1 += 1,
            '\t' if !quoted => counts[2].1 += 1,
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .filter(|(_, count)| *count > 0)
        .map_or(b',', |(byte, _)| *byte)
}

/// A cell as the JSON value of a field of type `field_type`, or a message saying what was
/// expected.
pub(crate) fn cell_value(cell: &str, field_type: FieldType) -> Result<Json, String> {
    let cell = cell.trim();
    match field_type {
        FieldType::Text => Ok(Json::String(cell.to_owned())),
        FieldType::Number => parse_number(cell).map(|number| {
            if number.fract() == 0.0 && number.abs() < 9e15 {
                #[allow(clippy::cast_possible_truncation)]
                Json::from(number as i64)
            } else {
                Json::from(number)
            }
        }),
        FieldType::Bool => match cell.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "x" | "ja" | "oui" => Ok(Json::Bool(true)),
            "false" | "no" | "n" | "0" | "" | "nein" | "non" => Ok(Json::Bool(false)),
            _ => Err("expected yes or no".into()),
        },
        FieldType::Date => parse_date(cell).map(|date| Json::String(date.to_string())),
        FieldType::Enum => Ok(Json::String(
            cell.split(|c: char| !c.is_alphanumeric())
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("_")
                .to_uppercase(),
        )),
        FieldType::List => {
            let separator = if cell.contains(';') { ';' } else { ',' };
            Ok(Json::Array(
                cell.split(separator)
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(|part| Json::String(part.to_owned()))
                    .collect(),
            ))
        }
    }
}

fn parse_number(cell: &str) -> Result<f64, String> {
    let cleaned: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !"$€£¥'".contains(*c))
        .collect();
    // "1.234,56" (European) vs "1,234.56": the last separator is the decimal one.
    let normalized = match (cleaned.rfind(','), cleaned.rfind('.')) {
        (Some(comma), Some(dot)) if comma > dot => cleaned.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => cleaned.replace(',', ""),
        (Some(comma), None) if cleaned.len() - comma - 1 != 3 => cleaned.replace(',', "."),
        (Some(_), None) => cleaned.replace(',', ""),
        _ => cleaned,
    };
    normalized
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
        .ok_or_else(|| format!("expected a number, not {cell:?}"))
}

fn parse_date(cell: &str) -> Result<NaiveDate, String> {
    let day_part = cell.split(['T', ' ']).next().unwrap_or(cell);
    for format in ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y"] {
        if let Ok(date) = NaiveDate::parse_from_str(day_part, format) {
            return Ok(date);
        }
    }
    Err(format!("expected a date like 2026-06-30, not {cell:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let text = "name,email\nAcme,info@acme.com\n";
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        let mut utf16_le = vec![0xFF, 0xFE];
        utf16_le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let utf16_be_no_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            text.as_bytes().to_vec(),
            with_bom,
            utf16_le,
            utf16_be_no_bom,
        ] {
            assert_eq!(decode(&bytes).as_deref(), Ok(text));
        }
        assert!(decode(&[0xC3, 0x28, b'a', b'b', b'c']).is_err());
    }

    #[test]
    fn delimiters_and_cells() {
        assert_eq!(sniff_delimiter("Name;Email;\"A,B\"\n1;2;3"), b';');
        assert_eq!(sniff_delimiter("Name,Email\n"), b',');
        assert_eq!(sniff_delimiter("Name\tEmail\n"), b'\t');
        let number = |cell| cell_value(cell, FieldType::Number);
        assert_eq!(number("$1,234.50"), Ok(Json::from(1234.5)));
        assert_eq!(number("1.234,50 €"), Ok(Json::from(1234.5)));
        assert_eq!(number("100000"), Ok(Json::from(100_000)));
        assert_eq!(number("12,5"), Ok(Json::from(12.5)));
        assert!(number("lots").is_err());
        assert_eq!(
            cell_value("06/30/2026", FieldType::Date),
            Ok(Json::from("2026-06-30"))
        );
        assert_eq!(
            cell_value("30.06.2026", FieldType::Date),
            Ok(Json::from("2026-06-30"))
        );
        assert_eq!(
            cell_value("Decision Maker", FieldType::Enum),
            Ok(Json::from("DECISION_MAKER"))
        );
        assert_eq!(
            cell_value("a; b ;", FieldType::List),
            Ok(serde_json::json!(["a", "b"]))
        );
        assert_eq!(cell_value("Yes", FieldType::Bool), Ok(Json::Bool(true)));
    }
}
