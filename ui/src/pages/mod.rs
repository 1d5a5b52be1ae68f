//! One module per [`crate::route::Route`]. A page owns its state and calls the shell through
//! [`crate::ipc`].

mod customers;

pub(crate) use customers::CustomersPage;
