//! Presentational pieces shared by pages: they take props and callbacks, and hold no page state.

pub(crate) mod charts;
mod custom_fields;
mod customer_picker;
mod fields;
mod history;
mod modal;
mod page_header;
pub(crate) mod palette;
mod record_gone;
mod refusals;
mod sidebar;
mod toasts;
pub(crate) mod virtual_table;

pub(crate) use charts::{BarChart, BarGroup, FunnelChart, FunnelStep, Meter};
pub(crate) use custom_fields::{CustomFieldsCard, save_custom_fields};
pub(crate) use customer_picker::CustomerPicker;
pub(crate) use fields::{SelectField, TextField, choices};
pub(crate) use history::RecordHistory;
pub(crate) use modal::Modal;
pub(crate) use page_header::PageHeader;
pub(crate) use palette::CommandPalette;
pub(crate) use record_gone::{RecordGone, gone_page};
pub(crate) use refusals::RefusalsNotice;
pub(crate) use sidebar::Sidebar;
pub(crate) use toasts::Toasts;
pub(crate) use virtual_table::{Paged, VirtualTable, block_loader};
