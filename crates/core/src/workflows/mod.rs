//! Sales workflows (spec §2 beyond CRUD), each one transaction over every record it touches:
//! lead conversion and disqualification, deal stage moves, win and lose, activity completion
//! and rescheduling, the primary contact, sales documents and the deal automation they drive.

mod activities;
mod bulk;
mod deals;
mod leads;
mod sales;

pub use bulk::{AssignmentRules, BulkLeadAction, StuckDeal};
