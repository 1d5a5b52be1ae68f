//! Page state as `Reducible` values: every change is an `Action`, so the reducers are plain
//! functions tested natively, without a browser.

mod customers;

pub(crate) use customers::{CustomerForm, CustomersAction, CustomersState, FormField, ListState};
