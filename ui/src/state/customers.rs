//! State of the customers page: the list as last loaded, and the create form with its errors.

use std::rc::Rc;

use crm_model::{Customer, CustomerStatus, FieldError, NewCustomer, ValidationErrors};
use crm_protocol::ipc::{CustomerQuery, IpcError, Page};
use crm_protocol::query::SortOrder;
use yew::Reducible;

use crate::components::Paged;

/// The text inputs of the create form. Each knows its wire name, so field errors coming back
/// from the model or the shell land beside the right input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormField {
    Name,
    Email,
    Phone,
    Industry,
}

impl FormField {
    pub(crate) const ALL: &'static [FormField] = &[
        FormField::Name,
        FormField::Email,
        FormField::Phone,
        FormField::Industry,
    ];

    /// The field's name in [`NewCustomer`]'s wire format and in [`FieldError::field`].
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            FormField::Name => "name",
            FormField::Email => "primaryEmail",
            FormField::Phone => "primaryPhone",
            FormField::Industry => "industry",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            FormField::Name => "Name",
            FormField::Email => "Email",
            FormField::Phone => "Phone",
            FormField::Industry => "Industry",
        }
    }

    /// The input's element id, also its `data-testid`.
    pub(crate) fn input_id(self) -> &'static str {
        match self {
            FormField::Name => "customer-name",
            FormField::Email => "customer-email",
            FormField::Phone => "customer-phone",
            FormField::Industry => "customer-industry",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) enum ListState {
    #[default]
    Loading,
    /// The list's first block with the total; the table fetches the rest as it scrolls.
    Loaded(Rc<Page<Customer>>),
    Failed(String),
}

/// The create form as typed, plus what the last submit said about it.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct CustomerForm {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) industry: String,
    pub(crate) status: CustomerStatus,
    pub(crate) errors: Vec<FieldError>,
    /// A failure that belongs to no field (the store is unavailable, a bug).
    pub(crate) failure: Option<String>,
    pub(crate) submitting: bool,
}

impl CustomerForm {
    pub(crate) fn value(&self, field: FormField) -> &str {
        match field {
            FormField::Name => &self.name,
            FormField::Email => &self.email,
            FormField::Phone => &self.phone,
            FormField::Industry => &self.industry,
        }
    }

    fn value_mut(&mut self, field: FormField) -> &mut String {
        match field {
            FormField::Name => &mut self.name,
            FormField::Email => &mut self.email,
            FormField::Phone => &mut self.phone,
            FormField::Industry => &mut self.industry,
        }
    }

    /// The form as the model's input, checked by the same rules the store applies on write.
    pub(crate) fn validated(&self) -> Result<NewCustomer, ValidationErrors> {
        let optional = |text: &str| Some(text.to_owned());
        NewCustomer {
            name: self.name.clone(),
            primary_email: optional(&self.email),
            primary_phone: optional(&self.phone),
            industry: optional(&self.industry),
            status: Some(self.status),
            ..NewCustomer::default()
        }
        .validated()
    }

    /// The message to show under `field`, e.g. "Name is required".
    pub(crate) fn error_for(&self, field: FormField) -> Option<String> {
        self.errors
            .iter()
            .find(|error| error.field == field.wire_name())
            .map(|error| format!("{} {}", field.label(), error.rule))
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct CustomersState {
    pub(crate) list: ListState,
    pub(crate) form: CustomerForm,
    /// Bumped whenever the list must be loaded again; the page reloads when it changes.
    pub(crate) list_version: u32,
    /// The name of the customer created last, for a confirmation.
    pub(crate) created: Option<String>,
    /// Filters and sort of the list, asking for its first block.
    pub(crate) query: CustomerQuery,
}

impl CustomersState {
    pub(crate) fn new() -> CustomersState {
        CustomersState {
            query: CustomerQuery::default().first_block(),
            ..CustomersState::default()
        }
    }

    /// The column the list is sorted by and its direction (name, ascending by default).
    pub(crate) fn sort(&self) -> (&str, SortOrder) {
        (
            self.query.paging.sort_by.as_deref().unwrap_or("name"),
            self.query.paging.sort_order.unwrap_or_default(),
        )
    }

    fn reload(&mut self) {
        self.list_version = self.list_version.wrapping_add(1);
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CustomersAction {
    ListLoaded(Page<Customer>),
    ListFailed(String),
    Edit(FormField, String),
    SetStatus(CustomerStatus),
    /// The form passed the model's checks and is on its way to the store.
    Submitted,
    /// The model's checks failed before anything was sent.
    Invalid(ValidationErrors),
    /// The shell answered with an error.
    Failed(IpcError),
    Created(Box<Customer>),
    /// The list's search box.
    Search(String),
    FilterStatus(Option<CustomerStatus>),
    /// Sort by this column; the same column again flips the direction.
    SortBy(&'static str),
}

impl Reducible for CustomersState {
    type Action = CustomersAction;

    fn reduce(self: Rc<Self>, action: CustomersAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CustomersAction::ListLoaded(page) => {
                next.list = ListState::Loaded(Rc::new(page));
            }
            CustomersAction::ListFailed(message) => next.list = ListState::Failed(message),
            CustomersAction::Edit(field, value) => {
                *next.form.value_mut(field) = value;
                next.form
                    .errors
                    .retain(|error| error.field != field.wire_name());
                next.created = None;
            }
            CustomersAction::SetStatus(status) => next.form.status = status,
            CustomersAction::Submitted => {
                next.form.submitting = true;
                next.form.errors.clear();
                next.form.failure = None;
                next.created = None;
            }
            CustomersAction::Invalid(errors) => {
                next.form.submitting = false;
                next.form.errors = errors.0;
                next.form.failure = None;
            }
            CustomersAction::Failed(error) => {
                next.form.submitting = false;
                next.form.failure = error.fields.is_empty().then_some(error.message);
                next.form.errors = error.fields;
            }
            CustomersAction::Created(customer) => {
                next.form = CustomerForm::default();
                next.created = Some(customer.name);
                next.reload();
            }
            CustomersAction::Search(text) => {
                let text = text.trim();
                next.query.search = (!text.is_empty()).then(|| text.to_owned());
                next.reload();
            }
            CustomersAction::FilterStatus(status) => {
                next.query.status = status;
                next.reload();
            }
            CustomersAction::SortBy(column) => {
                let (current, order) = self.sort();
                let order = if current == column && order == SortOrder::Asc {
                    SortOrder::Desc
                } else {
                    SortOrder::Asc
                };
                next.query.paging.sort_by = Some(column.to_owned());
                next.query.paging.sort_order = Some(order);
                next.reload();
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_model::Rule;
    use crm_protocol::ipc::{ErrorKind, Pagination};

    /// A stored customer, built from its JSON shape so the UI needs no date library.
    fn customer(name: &str) -> Customer {
        serde_json::from_value(serde_json::json!({
            "id": "0190a5f0-0000-7000-8000-000000000001",
            "name": name,
            "status": "ACTIVE",
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
        }))
        .expect("a valid customer")
    }

    fn run(actions: Vec<CustomersAction>) -> CustomersState {
        actions
            .into_iter()
            .fold(Rc::new(CustomersState::default()), |state, action| {
                state.reduce(action)
            })
            .as_ref()
            .clone()
    }

    fn edit(field: FormField, value: &str) -> CustomersAction {
        CustomersAction::Edit(field, value.to_owned())
    }

    fn field_error(field: &str, rule: Rule) -> FieldError {
        FieldError {
            field: field.to_owned(),
            rule,
        }
    }

    #[test]
    fn a_loaded_page_replaces_the_list() {
        let page = Page {
            data: vec![customer("Acme Corp")],
            pagination: Pagination::new(1, 50, 1),
            next_cursor: None,
        };
        let state = run(vec![CustomersAction::ListLoaded(page.clone())]);
        assert_eq!(state.list, ListState::Loaded(Rc::new(page)));
        let state = run(vec![CustomersAction::ListFailed("store closed".into())]);
        assert_eq!(state.list, ListState::Failed("store closed".into()));
    }

    #[test]
    fn filters_and_sort_change_the_query_and_reload() {
        /// Actions, then the sort and search they leave the query with.
        type Case<'a> = (Vec<CustomersAction>, (&'a str, SortOrder), Option<&'a str>);
        let cases: &[Case] = &[
            (vec![], ("name", SortOrder::Asc), None),
            (
                vec![CustomersAction::SortBy("name")],
                ("name", SortOrder::Desc),
                None,
            ),
            (
                vec![
                    CustomersAction::SortBy("name"),
                    CustomersAction::SortBy("name"),
                ],
                ("name", SortOrder::Asc),
                None,
            ),
            (
                vec![
                    CustomersAction::SortBy("name"),
                    CustomersAction::SortBy("createdAt"),
                ],
                ("createdAt", SortOrder::Asc),
                None,
            ),
            (
                vec![CustomersAction::Search("  acme ".into())],
                ("name", SortOrder::Asc),
                Some("acme"),
            ),
            (
                vec![CustomersAction::Search("   ".into())],
                ("name", SortOrder::Asc),
                None,
            ),
        ];
        for (actions, sort, search) in cases {
            let count = actions.len() as u32;
            let state = actions
                .iter()
                .cloned()
                .fold(Rc::new(CustomersState::new()), |state, action| {
                    state.reduce(action)
                });
            assert_eq!(state.sort(), *sort, "{actions:?}");
            assert_eq!(state.query.search.as_deref(), *search, "{actions:?}");
            assert_eq!(
                (state.query.paging.page, state.query.paging.limit),
                (1, crate::components::virtual_table::BLOCK),
                "the page asks for the table's first block"
            );
            assert_eq!(state.list_version, count, "every change reloads");
        }
        let state = run(vec![CustomersAction::FilterStatus(Some(
            CustomerStatus::Inactive,
        ))]);
        assert_eq!(state.query.status, Some(CustomerStatus::Inactive));
    }

    #[test]
    fn form_validation_uses_the_model_rules() {
        /// Fields typed, then the messages shown under them after submit.
        type Case<'a> = (&'a [(FormField, &'a str)], &'a [(FormField, &'a str)]);
        let cases: &[Case] = &[
            (&[], &[(FormField::Name, "Name is required")]),
            (&[(FormField::Name, "Acme Corp")], &[]),
            (
                &[(FormField::Name, "Acme"), (FormField::Email, "info@acme")],
                &[(
                    FormField::Email,
                    "Email must be an email address like name@example.com",
                )],
            ),
            (
                &[(FormField::Name, " "), (FormField::Phone, "call me")],
                &[
                    (FormField::Name, "Name is required"),
                    (
                        FormField::Phone,
                        "Phone must be a phone number like +1 555 0100",
                    ),
                ],
            ),
        ];
        for (edits, expected) in cases {
            let mut actions: Vec<_> = edits
                .iter()
                .map(|(field, value)| edit(*field, value))
                .collect();
            let form = run(actions.clone()).form;
            if let Err(errors) = form.validated() {
                actions.push(CustomersAction::Invalid(errors));
            }
            let form = run(actions).form;
            let shown: Vec<(FormField, String)> = FormField::ALL
                .iter()
                .filter_map(|field| form.error_for(*field).map(|message| (*field, message)))
                .collect();
            let expected: Vec<(FormField, String)> = expected
                .iter()
                .map(|(field, message)| (*field, (*message).to_owned()))
                .collect();
            assert_eq!(shown, expected, "{edits:?}");
        }
    }

    #[test]
    fn editing_a_field_clears_only_its_error() {
        let state = run(vec![
            CustomersAction::Invalid(ValidationErrors(vec![
                field_error("name", Rule::Required),
                field_error("primaryEmail", Rule::Email),
            ])),
            edit(FormField::Name, "Acme"),
        ]);
        assert_eq!(
            state.form.errors,
            vec![field_error("primaryEmail", Rule::Email)]
        );
    }

    #[test]
    fn errors_from_the_shell_show_by_field_or_as_a_failure() {
        let by_field = IpcError {
            kind: ErrorKind::Validation,
            message: "Please correct: name is required".into(),
            fields: vec![field_error("name", Rule::Required)],
        };
        let state = run(vec![
            CustomersAction::Submitted,
            CustomersAction::Failed(by_field),
        ]);
        assert_eq!(
            state.form.error_for(FormField::Name).as_deref(),
            Some("Name is required")
        );
        assert_eq!(state.form.failure, None);
        assert!(!state.form.submitting);

        let unavailable = IpcError::new(ErrorKind::Unavailable, "the store is locked");
        let state = run(vec![
            CustomersAction::Submitted,
            CustomersAction::Failed(unavailable),
        ]);
        assert_eq!(state.form.failure.as_deref(), Some("the store is locked"));
        assert!(state.form.errors.is_empty());
    }

    #[test]
    fn creating_clears_the_form_and_reloads_the_list() {
        let state = run(vec![
            edit(FormField::Name, "Acme Corp"),
            CustomersAction::SetStatus(CustomerStatus::Inactive),
            CustomersAction::Submitted,
        ]);
        assert!(state.form.submitting);
        let version = state.list_version;
        let state =
            Rc::new(state).reduce(CustomersAction::Created(Box::new(customer("Acme Corp"))));
        assert_eq!(state.form, CustomerForm::default());
        assert_eq!(state.created.as_deref(), Some("Acme Corp"));
        assert_eq!(state.list_version, version + 1);
    }

    #[test]
    fn the_form_sends_trimmed_values_and_the_chosen_status() {
        let state = run(vec![
            edit(FormField::Name, "  Acme Corp "),
            edit(FormField::Email, " info@acme.com"),
            edit(FormField::Industry, "   "),
            CustomersAction::SetStatus(CustomerStatus::Inactive),
        ]);
        let input = state.form.validated().expect("valid");
        assert_eq!(
            input,
            NewCustomer {
                name: "Acme Corp".into(),
                primary_email: Some("info@acme.com".into()),
                primary_phone: None,
                industry: None,
                status: Some(CustomerStatus::Inactive),
                ..NewCustomer::default()
            }
        );
    }
}
