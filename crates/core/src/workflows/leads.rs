//! Lead conversion (spec §2.3): customer, contact and/or deal in one transaction, after a
//! duplicate check, everything linked back to the lead; and disqualification.

use chrono::Utc;
use crm_model::{
    Actor, Amount, Contact, ContactId, ConversionSource, Customer, CustomerId, Deal, DealId,
    Entity, Lead, LeadId, LeadStatus, Operation, RecordId, RecordKind, Rule, ValidationErrors,
};
use crm_protocol::workflows::{ConversionDuplicates, ConvertLead, ConvertedLead};
use uuid::Uuid;

use crate::error::CoreError;
use crate::materialize::{fields_of, from_data};
use crate::permissions::check;
use crate::store::{StagedWrite, Store, now};

fn staged_ids(writes: &[StagedWrite]) -> Vec<RecordId> {
    writes.iter().map(|write| write.id).collect()
}

fn invalid(field: &str, rule: Rule) -> CoreError {
    CoreError::Validation(ValidationErrors(vec![crm_model::FieldError {
        field: field.to_owned(),
        rule,
    }]))
}

impl Store {
    /// Existing customers and contacts the lead's conversion would duplicate: a customer with the
    /// lead's company name or email domain, a contact with the lead's email.
    pub fn conversion_duplicates(
        &self,
        lead_id: LeadId,
    ) -> Result<ConversionDuplicates, CoreError> {
        let lead: Lead = self.get(lead_id)?;
        let mut duplicates = ConversionDuplicates::default();
        let domain = lead.domain();
        let company = lead.company.clone().unwrap_or_default();
        // Two indexed look-ups (by domain, by name) rather than one OR that scans.
        let mut lookups: Vec<(&str, String)> = Vec::new();
        if let Some(domain) = domain {
            lookups.push((
                "SELECT id, data FROM customers WHERE domain = ?1 AND deleted_at IS NULL LIMIT 10",
                domain,
            ));
        }
        if !company.is_empty() {
            lookups.push((
                "SELECT id, data FROM customers
                 WHERE deleted_at IS NULL AND name = ?1 COLLATE NOCASE LIMIT 10",
                company,
            ));
        }
        for (sql, value) in lookups {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map([value], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, data) = row?;
                if !duplicates
                    .customers
                    .iter()
                    .any(|customer: &Customer| customer.id.to_string() == id)
                {
                    duplicates.customers.push(from_data(&id, &data)?);
                }
            }
        }
        if let Some(email) = &lead.email {
            let mut statement = self.conn.prepare_cached(
                "SELECT id, data FROM contacts WHERE deleted_at IS NULL AND email = ?1 LIMIT 10",
            )?;
            let rows = statement.query_map([email], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, data) = row?;
                duplicates.contacts.push(from_data(&id, &data)?);
            }
        }
        Ok(duplicates)
    }

    /// Converts a lead: creates (or links) its customer, contact and deal, links them back to
    /// the lead and marks it converted, all in one transaction.
    pub fn convert_lead(
        &mut self,
        actor: &Actor,
        lead_id: LeadId,
        request: &ConvertLead,
    ) -> Result<ConvertedLead, CoreError> {
        let mut lead: Lead = self.get(lead_id)?;
        check(actor, Operation::Update, RecordKind::Lead, lead.owner())?;
        if lead.status == LeadStatus::Converted {
            return Err(CoreError::NotAllowed(
                "this lead is already converted".into(),
            ));
        }
        let duplicates = self.conversion_duplicates(lead_id)?;
        let now = now();
        let owner = lead.owner_id.unwrap_or(actor.user_id);
        let mut writes: Vec<StagedWrite> = Vec::new();

        let customer: Option<Customer> = match (request.customer_id, request.create_customer) {
            (Some(id), _) => Some(self.get(id)?),
            (None, true) => {
                if !request.ignore_duplicates && !duplicates.customers.is_empty() {
                    let names: Vec<&str> = duplicates
                        .customers
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    return Err(invalid(
                        "createCustomer",
                        Rule::Inconsistent {
                            detail: format!(
                                "a customer like this exists ({}): link it instead",
                                names.join(", ")
                            ),
                        },
                    ));
                }
                let mut customer = Customer::draft(CustomerId(Uuid::now_v7()), now, actor);
                customer.name = lead.company.clone().unwrap_or_else(|| lead.name.clone());
                customer.primary_email = lead.email.clone();
                customer.primary_phone = lead.phone.clone();
                customer.owner_id = Some(owner);
                customer.company_size = lead.company_size;
                customer.source = Some(crm_model::CustomerSource::Other);
                customer.first_contact_date = lead.first_contact_date;
                customer.tags = lead.tags.clone();
                check(
                    actor,
                    Operation::Create,
                    RecordKind::Customer,
                    customer.owner(),
                )?;
                writes.push(self.stage_new(actor, &mut customer, &staged_ids(&writes))?);
                Some(customer)
            }
            (None, false) => lead.customer_id.map(|id| self.get(id)).transpose()?,
        };

        let contact: Option<Contact> = match (request.contact_id, request.create_contact) {
            (Some(id), _) => Some(self.get(id)?),
            (None, true) => {
                if !request.ignore_duplicates && !duplicates.contacts.is_empty() {
                    return Err(invalid(
                        "createContact",
                        Rule::Inconsistent {
                            detail: "a contact with this email exists: link it instead".into(),
                        },
                    ));
                }
                let Some(customer) = &customer else {
                    return Err(invalid(
                        "createContact",
                        Rule::Inconsistent {
                            detail: "a contact needs a customer".into(),
                        },
                    ));
                };
                let mut contact = Contact::draft(ContactId(Uuid::now_v7()), now, actor);
                contact.customer_id = Some(customer.id);
                contact.name = lead.name.clone();
                contact.first_name = lead.first_name.clone();
                contact.last_name = lead.last_name.clone();
                contact.email = lead.email.clone();
                contact.phone = lead.phone.clone();
                contact.job_title = lead.job_title.clone();
                contact.owner_id = Some(owner);
                contact.is_primary = true;
                writes.push(self.stage_new(actor, &mut contact, &staged_ids(&writes))?);
                Some(contact)
            }
            (None, false) => lead.contact_id.map(|id| self.get(id)).transpose()?,
        };

        let deal: Option<Deal> = if request.create_deal {
            let Some(customer) = &customer else {
                return Err(invalid(
                    "createDeal",
                    Rule::Inconsistent {
                        detail: "a deal needs a customer".into(),
                    },
                ));
            };
            let pipeline = match request.pipeline_id {
                Some(id) => self.get::<crm_model::Pipeline>(id)?,
                None => self.default_pipeline()?,
            };
            let stage_id = match (request.stage_id, &request.deal_stage) {
                (Some(id), _) => id,
                (None, Some(name)) => pipeline.stage_named(name).ok_or_else(|| {
                    invalid(
                        "dealStage",
                        Rule::Reference {
                            kind: "stage of the pipeline".into(),
                        },
                    )
                })?,
                (None, None) => pipeline.first_open_stage().ok_or_else(|| {
                    invalid(
                        "stageId",
                        Rule::Reference {
                            kind: "open stage of the pipeline".into(),
                        },
                    )
                })?,
            };
            let stage = pipeline.stage(stage_id).ok_or_else(|| {
                invalid(
                    "stageId",
                    Rule::Reference {
                        kind: "stage of the pipeline".into(),
                    },
                )
            })?;
            let mut deal = Deal::draft(DealId(Uuid::now_v7()), now, actor);
            deal.name = request
                .deal_name
                .clone()
                .unwrap_or_else(|| format!("{} - New deal", customer.name));
            deal.customer_id = Some(customer.id);
            deal.pipeline_id = Some(pipeline.id);
            deal.stage_id = Some(stage_id);
            deal.probability = stage.probability;
            deal.amount = request
                .deal_value
                .map(Amount::from_decimal)
                .or(lead.budget)
                .unwrap_or_default();
            deal.currency_code = lead.currency_code.clone();
            deal.owner_id = Some(owner);
            deal.lead_id = Some(lead.id);
            deal.tags = lead.tags.clone();
            deal.stage_history.insert(
                Uuid::now_v7().to_string(),
                crm_model::StageVisit {
                    stage_id,
                    entered_at: now,
                    left_at: None,
                    moved_by: Some(actor.user_id),
                    notes: None,
                },
            );
            check(actor, Operation::Create, RecordKind::Deal, deal.owner())?;
            writes.push(self.stage_new(actor, &mut deal, &staged_ids(&writes))?);
            Some(deal)
        } else {
            None
        };

        lead.status = LeadStatus::Converted;
        lead.converted_at = Some(Utc::now());
        lead.conversion_source = Some(ConversionSource::Manual);
        lead.customer_id = customer.as_ref().map(|c| c.id);
        lead.contact_id = contact.as_ref().map(|c| c.id);
        lead.deal_id = deal.as_ref().map(|d| d.id).or(lead.deal_id);
        writes.push(self.stage_replace_besides(actor, &mut lead, &staged_ids(&writes))?);
        self.persist(writes)?;
        Ok(ConvertedLead {
            lead,
            customer,
            contact,
            deal,
        })
    }

    /// Disqualifies a lead with a reason (spec §2.3).
    pub fn disqualify_lead(
        &mut self,
        actor: &Actor,
        lead_id: LeadId,
        reason: &str,
    ) -> Result<Lead, CoreError> {
        let mut lead: Lead = self.get(lead_id)?;
        check(actor, Operation::Update, RecordKind::Lead, lead.owner())?;
        lead.status = LeadStatus::Disqualified;
        lead.disqualified_reason = Some(reason.to_owned());
        lead.disqualified_at = Some(Utc::now());
        lead.disqualified_by = Some(actor.user_id);
        let write = self.stage_replace(actor, &mut lead)?;
        self.persist(vec![write])?;
        Ok(lead)
    }

    /// Validates a new entity and stages its creation (for multi-record workflows); `pending`
    /// records, staged in the same transaction, count as existing for the reference rules.
    pub(crate) fn stage_new<E: crate::References>(
        &self,
        actor: &Actor,
        entity: &mut E,
        pending: &[RecordId],
    ) -> Result<StagedWrite, CoreError> {
        entity.normalize();
        let mut errors = ValidationErrors::default();
        entity.validate(&mut errors);
        errors.into_result()?;
        self.check_references_besides(&*entity, pending)?;
        let id: RecordId = entity.id().into();
        let fields = fields_of(id, &*entity)?;
        self.stage(actor, E::KIND, id, None, |document| {
            document
                .write_fields(&fields)
                .map_err(|source| CoreError::Document {
                    id,
                    source: Box::new(source),
                })
        })
    }

    /// Validates a changed entity and stages its update (for multi-record workflows).
    pub(crate) fn stage_replace<E: crate::References>(
        &self,
        actor: &Actor,
        entity: &mut E,
    ) -> Result<StagedWrite, CoreError> {
        self.stage_replace_besides(actor, entity, &[])
    }

    /// [`Store::stage_replace`] where `pending` records, staged in the same transaction, count
    /// as existing for the reference rules.
    pub(crate) fn stage_replace_besides<E: crate::References>(
        &self,
        actor: &Actor,
        entity: &mut E,
        pending: &[RecordId],
    ) -> Result<StagedWrite, CoreError> {
        entity.normalize();
        let mut errors = ValidationErrors::default();
        entity.validate(&mut errors);
        errors.into_result()?;
        self.check_references_besides(&*entity, pending)?;
        let id: RecordId = entity.id().into();
        let document = self
            .load_document(id)?
            .ok_or(CoreError::NotFound { kind: E::KIND, id })?;
        let fields = fields_of(id, &*entity)?;
        self.stage(actor, E::KIND, id, Some(document), |document| {
            document
                .write_fields(&fields)
                .map_err(|source| CoreError::Document {
                    id,
                    source: Box::new(source),
                })
        })
    }
}
