//! One module per [`crate::route::Route`]. A page owns its state and calls the shell through
//! [`crate::ipc`].

mod account;
mod activities;
mod communications;
mod conflicts;
mod contact_detail;
mod contacts;
mod customer_360;
mod customers;
mod dashboard;
mod deal_detail;
mod deals;
mod directory;
mod lead_detail;
mod leads;
mod pipeline;
mod pipeline_settings;
mod reports;
mod settings;
mod transfer;
mod trash;

pub(crate) use activities::ActivitiesPage;
pub(crate) use communications::CommunicationsPage;
pub(crate) use conflicts::ConflictsPage;
pub(crate) use contact_detail::ContactDetailPage;
pub(crate) use contacts::ContactsPage;
pub(crate) use customer_360::Customer360Page;
pub(crate) use customers::CustomersPage;
pub(crate) use dashboard::DashboardPage;
pub(crate) use deal_detail::DealDetailPage;
pub(crate) use deals::DealsPage;
pub(crate) use lead_detail::LeadDetailPage;
pub(crate) use leads::LeadsPage;
pub(crate) use pipeline::PipelinePage;
pub(crate) use reports::ReportsPage;
pub(crate) use settings::SettingsPage;
pub(crate) use trash::TrashPage;
