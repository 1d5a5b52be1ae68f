//! Customers: the quick-form create and edit, and the customers list.

use crm_model::{Actor, Customer, CustomerId, CustomerPatch, NewCustomer};

use crate::error::CoreError;
use crate::store::Store;

impl Store {
    pub fn create_customer(
        &mut self,
        actor: &Actor,
        input: NewCustomer,
    ) -> Result<Customer, CoreError> {
        let input = input.validated()?;
        self.create(actor, &input.to_fields())
    }

    pub fn update_customer(
        &mut self,
        actor: &Actor,
        id: CustomerId,
        patch: CustomerPatch,
    ) -> Result<Customer, CoreError> {
        self.update(actor, id, &patch.to_fields())
    }

    pub fn get_customer(&self, id: CustomerId) -> Result<Customer, CoreError> {
        self.get(id)
    }
}
