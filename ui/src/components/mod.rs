//! Presentational pieces shared by pages: they take props and callbacks, and hold no page state.

pub(crate) mod charts;
mod fields;
mod modal;
mod page_header;
pub(crate) mod palette;
mod sidebar;
mod toasts;

pub(crate) use charts::{BarChart, BarGroup, FunnelChart, FunnelStep, Meter};
pub(crate) use fields::{SelectField, TextField};
pub(crate) use modal::Modal;
pub(crate) use page_header::PageHeader;
pub(crate) use palette::CommandPalette;
pub(crate) use sidebar::Sidebar;
pub(crate) use toasts::Toasts;
