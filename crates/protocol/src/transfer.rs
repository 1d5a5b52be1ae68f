//! Import and export (spec §2.8 `/import`, `/export`): CSV import options and its row-by-row
//! report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::query::{
    ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery,
};

/// A list to export, with its filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "list")]
pub enum ExportQuery {
    Customers(CustomerQuery),
    Contacts(ContactQuery),
    Leads(LeadQuery),
    Deals(DealQuery),
    Communications(CommunicationQuery),
    Activities(ActivityQuery),
}

impl ExportQuery {
    /// A file name for the export, e.g. `customers.csv`.
    pub fn file_name(&self) -> &'static str {
        match self {
            ExportQuery::Customers(_) => "customers.csv",
            ExportQuery::Contacts(_) => "contacts.csv",
            ExportQuery::Leads(_) => "leads.csv",
            ExportQuery::Deals(_) => "deals.csv",
            ExportQuery::Communications(_) => "communications.csv",
            ExportQuery::Activities(_) => "activities.csv",
        }
    }
}

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportKind {
    Customers,
    Contacts,
    Leads,
    Deals,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Customers,
        ImportKind::Contacts,
        ImportKind::Leads,
        ImportKind::Deals,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::Contacts => "contacts",
            ImportKind::Leads => "leads",
            ImportKind::Deals => "deals",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Customers => "Customers",
            ImportKind::Contacts => "Contacts",
            ImportKind::Leads => "Leads",
            ImportKind::Deals => "Deals",
        }
    }

    pub fn parse(text: &str) -> Option<ImportKind> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
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

impl ImportMode {
    pub const ALL: [ImportMode; 3] = [
        ImportMode::Create,
        ImportMode::Update,
        ImportMode::SkipDuplicates,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Create => "create",
            ImportMode::Update => "update",
            ImportMode::SkipDuplicates => "skipDuplicates",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportMode::Create => "Every row makes a new record",
            ImportMode::Update => "Update the records that match",
            ImportMode::SkipDuplicates => "Skip rows that match a record",
        }
    }

    pub fn parse(text: &str) -> Option<ImportMode> {
        ImportMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
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
    /// Every field a column of this kind of file may fill (`@customerName` and `@stageName`
    /// link to a record by its name), for the wizard's column mapping.
    #[serde(default)]
    pub fields: Vec<String>,
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
