//! Import and export (spec §2.8 `/import`, `/export`): CSV import options and its row-by-row
//! report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportKind {
    Customers,
    Contacts,
    Leads,
    Deals,
}

/// What to do with a row that matches an existing record (by id, email or domain).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportMode {
    /// Every row makes a new record.
    #[default]
    Create,
    /// A matching record is updated with the row; other rows make new records.
    Update,
    /// A matching record is left alone and the row skipped; other rows make new records.
    SkipDuplicates,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    pub kind: Option<ImportKind>,
    #[serde(default)]
    pub mode: ImportMode,
    /// Column header → field name (camelCase), overriding the recognised headers; an empty
    /// field name ignores the column.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// Report what would happen, change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the valid rows even when some rows are invalid (by default one bad row stops
    /// the import and nothing changes).
    #[serde(default)]
    pub skip_invalid_rows: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum RowOutcome {
    Created {
        id: String,
    },
    Updated {
        id: String,
    },
    Skipped {
        reason: String,
    },
    /// The row breaks a rule; `errors` name the column (as the file spells it) and the rule.
    Invalid {
        errors: Vec<String>,
    },
}

/// One data row of the file (`row` counts from 2: the header is row 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowReport {
    pub row: usize,
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Present when something was imported: pass it to revert the import.
    pub import_id: Option<String>,
    pub dry_run: bool,
    /// How each column was read: (header, field or "" when ignored).
    pub columns: Vec<(String, String)>,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub invalid: usize,
    pub rows: Vec<RowReport>,
}

/// Progress of a running import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
}
