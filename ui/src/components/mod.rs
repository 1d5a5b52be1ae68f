//! Presentational pieces shared by pages: they take props and callbacks, and hold no state.

mod fields;
mod page_header;
mod sidebar;

pub(crate) use fields::{SelectField, TextField};
pub(crate) use page_header::PageHeader;
pub(crate) use sidebar::Sidebar;
