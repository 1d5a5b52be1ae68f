//! iCalendar export (RFC 5545) of activities, so a rep sees their tasks in any calendar: one
//! event per activity with a due date (all-day without a time, 30 minutes with one), its
//! reminder as an alarm, completed ones marked as such.

use chrono::{Duration, Utc};
use crm_model::{Activity, ActivityStatus};

/// Escapes a text value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    out.push_str("\r\n");
    out
}

/// The activities as an iCalendar file; activities without a due date are left out.
pub fn activities_to_icalendar(activities: &[Activity], calendar_name: &str) -> String {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Field CRM//Activities//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("X-WR-CALNAME:{}", escape(calendar_name)),
    ];
    for activity in activities {
        let Some(date) = activity.due_date else {
            continue;
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}@fieldcrm", activity.id));
        lines.push(format!("DTSTAMP:{stamp}"));
        match activity.due_time {
            Some(time) => {
                let start = date.and_time(time);
                lines.push(format!("DTSTART:{}", start.format("%Y%m%dT%H%M%S")));
                lines.push(format!(
                    "DTEND:{}",
                    (start + Duration::minutes(30)).format("%Y%m%dT%H%M%S")
                ));
            }
            None => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", date.format("%Y%m%d")));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    (date + Duration::days(1)).format("%Y%m%d")
                ));
            }
        }
        lines.push(format!(
            "SUMMARY:{}",
            escape(&format!(
                "{}: {}",
                activity.activity_type.label(),
                activity.subject
            ))
        ));
        if let Some(description) = &activity.description {
            lines.push(format!("DESCRIPTION:{}", escape(description)));
        }
        lines.push(format!(
            "PRIORITY:{}",
            match activity.priority {
                crm_model::Priority::Urgent => 1,
                crm_model::Priority::High => 3,
                crm_model::Priority::Medium => 5,
                crm_model::Priority::Low => 9,
            }
        ));
        lines.push(format!(
            "STATUS:{}",
            match activity.status {
                ActivityStatus::Cancelled => "CANCELLED",
                _ => "CONFIRMED",
            }
        ));
        if activity.status == ActivityStatus::Completed {
            lines.push("X-FIELDCRM-COMPLETED:TRUE".into());
        }
        if let Some(reminder) = activity.reminder_at {
            lines.push("BEGIN:VALARM".into());
            lines.push("ACTION:DISPLAY".into());
            lines.push(format!("DESCRIPTION:{}", escape(&activity.subject)));
            lines.push(format!(
                "TRIGGER;VALUE=DATE-TIME:{}",
                reminder.format("%Y%m%dT%H%M%SZ")
            ));
            lines.push("END:VALARM".into());
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|line| fold(line)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(
            folded.split("\r\n").all(|line| line.len() <= 75),
            "{folded}"
        );
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }
}
