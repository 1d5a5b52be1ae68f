//! CSV export of any list with its filters: every page of the query, each record flattened to
//! one row (`billingAddress.city`, lists joined with "; ").

use crm_protocol::query::{
    ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery, Page,
    Paging,
};
use crm_protocol::reports::Table;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::error::CoreError;
use crate::store::Store;

pub use crm_protocol::transfer::ExportQuery;

fn flatten(prefix: &str, value: &Json, row: &mut Vec<(String, String)>) {
    match value {
        Json::Object(map) => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, row);
            }
        }
        Json::Array(items) => {
            let scalar = items
                .iter()
                .all(|item| !item.is_object() && !item.is_array());
            let text = if scalar {
                items.iter().map(cell).collect::<Vec<_>>().join("; ")
            } else {
                Json::Array(items.clone()).to_string()
            };
            row.push((prefix.to_owned(), text));
        }
        other => row.push((prefix.to_owned(), cell(other))),
    }
}

fn cell(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Records as a table: the union of their flattened fields.
pub(crate) fn table_of<T: Serialize>(records: &[T]) -> Table {
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<Map<String, Json>> = Vec::new();
    for record in records {
        let mut flat = Vec::new();
        flatten(
            "",
            &serde_json::to_value(record).unwrap_or(Json::Null),
            &mut flat,
        );
        let mut row = Map::new();
        for (key, value) in flat {
            if !header.contains(&key) {
                header.push(key.clone());
            }
            row.insert(key, Json::String(value));
        }
        rows.push(row);
    }
    // The columns people look for first; the rest follow in name order.
    const LEADING: &[&str] = &["id", "name", "type", "subject", "status"];
    header.sort_by_key(|key| {
        LEADING
            .iter()
            .position(|lead| lead == key)
            .unwrap_or(LEADING.len())
    });
    let rows = rows
        .into_iter()
        .map(|row| {
            header
                .iter()
                .map(|key| row.get(key).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    Table { header, rows }
}

fn all_pages<T: Serialize>(
    paging: &Paging,
    mut page: impl FnMut(&Paging) -> Result<Page<T>, CoreError>,
) -> Result<Vec<T>, CoreError> {
    let mut paging = Paging {
        limit: 500,
        cursor: None,
        with_total: false,
        ..paging.clone()
    };
    let mut records = Vec::new();
    loop {
        let result = page(&paging)?;
        records.extend(result.data);
        match result.next_cursor {
            Some(cursor) => paging.cursor = Some(cursor),
            None => return Ok(records),
        }
    }
}

pub(super) fn all_contacts(
    store: &Store,
    query: &ContactQuery,
) -> Result<Vec<crm_model::Contact>, CoreError> {
    all_pages(&query.paging, |paging| {
        store.list_contacts(&ContactQuery {
            paging: paging.clone(),
            ..query.clone()
        })
    })
}

pub(super) fn all_activities(
    store: &Store,
    query: &ActivityQuery,
    today: chrono::NaiveDate,
) -> Result<Vec<crm_model::Activity>, CoreError> {
    all_pages(&query.paging, |paging| {
        store.list_activities(
            &ActivityQuery {
                paging: paging.clone(),
                ..query.clone()
            },
            today,
        )
    })
}

impl Store {
    /// Every record of a list with its filters, as CSV (RFC 4180, CRLF line ends).
    pub fn export_csv(
        &self,
        query: &ExportQuery,
        today: chrono::NaiveDate,
    ) -> Result<String, CoreError> {
        let table = match query {
            ExportQuery::Customers(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_customers(&CustomerQuery {
                    paging: paging.clone(),
                    ..query.clone()
                })
            })?),
            ExportQuery::Contacts(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_contacts(&ContactQuery {
                    paging: paging.clone(),
                    ..query.clone()
                })
            })?),
            ExportQuery::Leads(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_leads(&LeadQuery {
                    paging: paging.clone(),
                    ..query.clone()
                })
            })?),
            ExportQuery::Deals(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_deals(&DealQuery {
                    paging: paging.clone(),
                    ..query.clone()
                })
            })?),
            ExportQuery::Communications(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_communications(&CommunicationQuery {
                    paging: paging.clone(),
                    ..query.clone()
                })
            })?),
            ExportQuery::Activities(query) => table_of(&all_pages(&query.paging, |paging| {
                self.list_activities(
                    &ActivityQuery {
                        paging: paging.clone(),
                        ..query.clone()
                    },
                    today,
                )
            })?),
        };
        Ok(table.to_csv())
    }
}
