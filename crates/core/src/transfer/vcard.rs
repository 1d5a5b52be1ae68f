//! vCard (RFC 6350, versions 3.0 and 4.0) import and export of contacts.

use crm_model::{Contact, full_name};

/// Escapes a vCard text value.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Contacts as vCards of `version` ("3.0" or "4.0"), with their customer's name as `ORG`.
pub fn contacts_to_vcards(contacts: &[(Contact, Option<String>)], version: &str) -> String {
    let four = version == "4.0";
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push_str("\r\n");
    };
    for (contact, organization) in contacts {
        line("BEGIN:VCARD".into());
        line(format!("VERSION:{}", if four { "4.0" } else { "3.0" }));
        line(format!(
            "UID:{}{}",
            if four { "urn:uuid:" } else { "" },
            contact.id
        ));
        line(format!("FN:{}", escape(&contact.name)));
        line(format!(
            "N:{};{};;;",
            escape(contact.last_name.as_deref().unwrap_or("")),
            escape(contact.first_name.as_deref().unwrap_or(""))
        ));
        if let Some(organization) = organization {
            line(format!("ORG:{}", escape(organization)));
        }
        if let Some(title) = contact.job_title.as_ref().or(contact.title.as_ref()) {
            line(format!("TITLE:{}", escape(title)));
        }
        if let Some(email) = &contact.email {
            line(format!(
                "EMAIL;TYPE={}:{email}",
                if four { "work" } else { "INTERNET,WORK" }
            ));
        }
        for (phone, kind) in [
            (&contact.phone, "work,voice"),
            (&contact.mobile_phone, "cell"),
            (&contact.work_phone, "work"),
        ] {
            if let Some(phone) = phone {
                let kind = if four {
                    kind.to_owned()
                } else {
                    kind.to_uppercase()
                };
                line(format!("TEL;TYPE={kind}:{phone}"));
            }
        }
        if let Some(url) = &contact.linkedin_url {
            line(format!("URL:{url}"));
        }
        if let Some(birthday) = contact.birthday {
            line(format!(
                "BDAY:{}",
                if four {
                    birthday.format("%Y%m%d").to_string()
                } else {
                    birthday.to_string()
                }
            ));
        }
        if let Some(notes) = &contact.notes {
            line(format!("NOTE:{}", escape(notes)));
        }
        line("END:VCARD".into());
    }
    out
}

/// One contact read from a vCard: its fields as a create body, and its `ORG`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedCard {
    pub fields: crm_model::FieldMap,
    pub organization: Option<String>,
}

/// Reads every vCard (3.0 or 4.0) of a file: unfolds lines, reads FN/N, EMAIL, TEL (by type),
/// TITLE, ORG, URL, BDAY and NOTE.
pub fn parse_vcards(text: &str) -> Result<Vec<ParsedCard>, String> {
    let unfolded = text
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "");
    let mut cards = Vec::new();
    let mut current: Option<(ParsedCard, Option<String>, Option<String>)> = None;
    for raw in unfolded.lines() {
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or("").to_uppercase();
        let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
        let params = parts.collect::<Vec<_>>().join(";").to_lowercase();
        match name.as_str() {
            "BEGIN" if value.eq_ignore_ascii_case("VCARD") => {
                current = Some((ParsedCard::default(), None, None))
            }
            "END" if value.eq_ignore_ascii_case("VCARD") => {
                let Some((mut card, first, last)) = current.take() else {
                    return Err("END:VCARD without BEGIN".into());
                };
                if !card.fields.contains_key("name") {
                    card.fields.insert(
                        "name".into(),
                        full_name(first.as_deref(), last.as_deref()).into(),
                    );
                }
                cards.push(card);
            }
            _ => {
                let Some((card, first, last)) = current.as_mut() else {
                    continue;
                };
                let text = unescape(value);
                let mut put = |key: &str, value: String| {
                    if !value.trim().is_empty() {
                        card.fields.entry(key.to_owned()).or_insert(value.into());
                    }
                };
                match name.as_str() {
                    "FN" => put("name", text),
                    "N" => {
                        let pieces: Vec<String> = value.split(';').map(unescape).collect();
                        *last = pieces.first().cloned().filter(|piece| !piece.is_empty());
                        *first = pieces.get(1).cloned().filter(|piece| !piece.is_empty());
                        if let Some(last) = last.clone() {
                            put("lastName", last);
                        }
                        if let Some(first) = first.clone() {
                            put("firstName", first);
                        }
                    }
                    "EMAIL" => put("email", text),
                    "TEL" if params.contains("cell") => {
                        put("mobilePhone", text.trim_start_matches("tel:").to_owned())
                    }
                    "TEL" => put("phone", text.trim_start_matches("tel:").to_owned()),
                    "TITLE" => put("jobTitle", text),
                    "URL" if text.contains("linkedin") => put("linkedinUrl", text),
                    "NOTE" => put("notes", text),
                    "BDAY" => {
                        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                        if digits.len() == 8 {
                            put(
                                "birthday",
                                format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]),
                            );
                        }
                    }
                    "ORG" => {
                        card.organization =
                            Some(value.split(';').next().map(unescape).unwrap_or_default())
                    }
                    _ => {}
                }
            }
        }
    }
    if current.is_some() {
        return Err("the last vCard has no END:VCARD".into());
    }
    Ok(cards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_version_3_and_4_cards() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nORG:Acme Corp;Sales\r\nTITLE:CTO\r\nEMAIL;TYPE=INTERNET,WORK:john@acme.com\r\nTEL;TYPE=CELL:+1 555 0101\r\nTEL;TYPE=WORK,VOICE:+1 555 0100\r\nNOTE:Met at the fair\\, booth 12\\nCall back\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nN:Roe;Jane;;;\r\nEMAIL;TYPE=work:jane@globex.com\r\nBDAY:19850412\r\nitem1.URL:https://www.linkedin.com/in/jane\r\n -roe\r\nEND:VCARD\r\n";
        let cards = parse_vcards(text).expect("parses");
        assert_eq!(cards.len(), 2);
        let john = &cards[0];
        assert_eq!(john.organization.as_deref(), Some("Acme Corp"));
        assert_eq!(john.fields["mobilePhone"], "+1 555 0101");
        assert_eq!(john.fields["phone"], "+1 555 0100");
        assert_eq!(john.fields["notes"], "Met at the fair, booth 12\nCall back");
        let jane = &cards[1];
        assert_eq!(
            jane.fields["name"], "Jane Roe",
            "no FN: the name comes from N"
        );
        assert_eq!(jane.fields["birthday"], "1985-04-12");
        assert_eq!(
            jane.fields["linkedinUrl"], "https://www.linkedin.com/in/jane-roe",
            "folded line"
        );
        assert!(parse_vcards("BEGIN:VCARD\r\nFN:x\r\n").is_err());
    }
}
