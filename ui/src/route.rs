//! The pages of the app. A closed enum, so the sidebar and the `switch` cannot disagree about
//! which pages exist; routing is in-memory because a desktop window has no address bar.

use crm_model::{ContactId, CustomerId, DealId, LeadId};
use yew::prelude::*;

use crate::pages::{
    ActivitiesPage, CommunicationsPage, ConflictsPage, ContactDetailPage, ContactsPage,
    Customer360Page, CustomersPage, DashboardPage, DealDetailPage, DealsPage, LeadDetailPage,
    LeadsPage, PipelinePage, ReportsPage, SettingsPage, TrashPage,
};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Route {
    #[default]
    Dashboard,
    Customers,
    Customer(CustomerId),
    Contacts,
    Contact(ContactId),
    Leads,
    Lead(LeadId),
    Pipeline,
    Deals,
    Deal(DealId),
    Communications,
    Activities,
    Reports,
    Trash,
    Settings,
    /// The conflict inbox, opened from the sync indicator (not a sidebar section).
    Conflicts,
}

impl Route {
    /// The sidebar's pages, in order.
    pub(crate) const SECTIONS: &'static [Route] = &[
        Route::Dashboard,
        Route::Customers,
        Route::Contacts,
        Route::Leads,
        Route::Pipeline,
        Route::Deals,
        Route::Communications,
        Route::Activities,
        Route::Reports,
        Route::Trash,
        Route::Settings,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Route::Dashboard => "Dashboard",
            Route::Customers => "Customers",
            Route::Customer(_) => "Customer",
            Route::Contacts => "Contacts",
            Route::Contact(_) => "Contact",
            Route::Leads => "Leads",
            Route::Lead(_) => "Lead",
            Route::Pipeline => "Pipeline",
            Route::Deals => "Deals",
            Route::Deal(_) => "Deal",
            Route::Communications => "Communications",
            Route::Activities => "Activities",
            Route::Reports => "Reports",
            Route::Trash => "Trash",
            Route::Settings => "Settings",
            Route::Conflicts => "Conflicts",
        }
    }

    /// A stable name for tests and styling.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Route::Dashboard => "dashboard",
            Route::Customers => "customers",
            Route::Customer(_) => "customer",
            Route::Contacts => "contacts",
            Route::Contact(_) => "contact",
            Route::Leads => "leads",
            Route::Lead(_) => "lead",
            Route::Pipeline => "pipeline",
            Route::Deals => "deals",
            Route::Deal(_) => "deal",
            Route::Communications => "communications",
            Route::Activities => "activities",
            Route::Reports => "reports",
            Route::Trash => "trash",
            Route::Settings => "settings",
            Route::Conflicts => "conflicts",
        }
    }

    /// The sidebar entry a page belongs to: a customer's page is under Customers.
    pub(crate) fn section(self) -> Route {
        match self {
            Route::Customer(_) => Route::Customers,
            Route::Lead(_) => Route::Leads,
            Route::Contact(_) => Route::Contacts,
            Route::Deal(_) => Route::Deals,
            other => other,
        }
    }
}

pub(crate) fn switch(route: Route) -> Html {
    match route {
        Route::Dashboard => html! { <DashboardPage /> },
        Route::Customers => html! { <CustomersPage /> },
        Route::Customer(id) => html! { <Customer360Page {id} key={id.to_string()} /> },
        Route::Contacts => html! { <ContactsPage /> },
        Route::Contact(id) => html! { <ContactDetailPage {id} key={id.to_string()} /> },
        Route::Leads => html! { <LeadsPage /> },
        Route::Lead(id) => html! { <LeadDetailPage {id} key={id.to_string()} /> },
        Route::Pipeline => html! { <PipelinePage /> },
        Route::Deals => html! { <DealsPage /> },
        Route::Deal(id) => html! { <DealDetailPage {id} key={id.to_string()} /> },
        Route::Communications => html! { <CommunicationsPage /> },
        Route::Activities => html! { <ActivitiesPage /> },
        Route::Reports => html! { <ReportsPage /> },
        Route::Trash => html! { <TrashPage /> },
        Route::Settings => html! { <SettingsPage /> },
        Route::Conflicts => html! { <ConflictsPage /> },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_pages_sit_under_their_list() {
        let id: CustomerId = "00000000-0000-7000-8000-000000000001"
            .parse()
            .expect("a customer id");
        let customer = Route::Customer(id);
        assert_eq!(customer.section(), Route::Customers);
        assert_eq!(Route::Pipeline.section(), Route::Pipeline);
        let mut slugs: Vec<&str> = Route::SECTIONS.iter().map(|route| route.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), Route::SECTIONS.len());
    }
}
