//! The pages of the app. A closed enum, so the sidebar and the `switch` cannot disagree about
//! which pages exist; routing is in-memory because a desktop window has no address bar.

use yew::prelude::*;

use crate::pages::CustomersPage;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Customers,
}

impl Route {
    /// Every page, in sidebar order.
    pub(crate) const ALL: &'static [Route] = &[Route::Customers];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Route::Customers => "Customers",
        }
    }

    /// A stable name for tests and styling.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Route::Customers => "customers",
        }
    }
}

pub(crate) fn switch(route: Route) -> Html {
    match route {
        Route::Customers => html! { <CustomersPage /> },
    }
}
