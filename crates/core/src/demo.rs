//! Demo data: a realistic tenant of any size (users, two pipelines, customers with contacts,
//! leads, deals across stages with product lines, months of communications and activities,
//! notes, quotations, orders and invoices), generated reproducibly from a seed and stored
//! through the real write path ([`Store::insert_many`], one transaction per batch), so every
//! record passes the same rules as one typed into the app.
//!
//! Reproducible: the same seed, size and `now` give the same records, ids included (UUIDv7
//! built from the seeded generator and the record's synthetic creation time). Only what the
//! store itself stamps differs between runs: document change times ("updated at") and the
//! device that wrote them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use crm_model::{
    Activity, ActivityId, ActivityStatus, Address, Amount, Authority, Channel, Communication,
    CommunicationId, CommunicationOutcome, CommunicationType, CompanySize, Contact, ContactId,
    ContactRole, Customer, CustomerCategory, CustomerId, CustomerNote, CustomerSource,
    CustomerStatus, Deal, DealId, DealSource, DealStatus, Direction, Entity, Lead, LeadId,
    LeadPriority, LeadStatus, LineItem, LostReason, Medium, Need, NoteId, Pipeline, PipelineId,
    Priority, Rating, RecordKind, Role, SalesDocument, SalesDocumentId, SalesDocumentStatus,
    SalesDocumentType, ScoreCategory, Stage, StageId, StageVisit, Timeline, User, UserId,
    line_totals,
};
use uuid::Uuid;

mod words;

use crate::error::CoreError;
use crate::references::References;
use crate::store::Store;
use words::*;

/// How many records of each kind to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSize {
    pub users: usize,
    pub customers: usize,
    pub contacts: usize,
    pub leads: usize,
    pub deals: usize,
    pub communications: usize,
    pub activities: usize,
    pub notes: usize,
    pub sales_documents: usize,
}

impl DemoSize {
    /// `total` records of the six main kinds in the mix of the data-model issue (per 100k:
    /// 10k customers, 25k contacts, 15k leads, 10k deals, 20k communications, 20k activities),
    /// plus a team, a note for every other customer and a sales document for every fourth deal.
    pub fn records(total: usize) -> DemoSize {
        let share = |percent: usize| total * percent / 100;
        let customers = share(10).max(usize::from(total > 0));
        let contacts = share(25);
        let leads = share(15);
        let deals = share(10);
        let communications = share(20);
        let activities =
            total.saturating_sub(customers + contacts + leads + deals + communications);
        DemoSize {
            users: (total / 10_000).clamp(6, 50),
            customers,
            contacts,
            leads,
            deals,
            communications,
            activities,
            notes: customers / 2,
            sales_documents: deals / 4,
        }
    }

    /// What the app's "load demo data" creates: enough to look like a working CRM at once.
    pub fn small() -> DemoSize {
        DemoSize::records(2_000)
    }

    /// The size with nothing that would need a missing parent: no records about customers
    /// without customers, no sales documents without deals, at least one user to own things.
    fn consistent(&self) -> DemoSize {
        let mut size = *self;
        size.users = size.users.max(1);
        if size.customers == 0 {
            size.contacts = 0;
            size.deals = 0;
            size.communications = 0;
            size.activities = 0;
            size.notes = 0;
        }
        if size.deals == 0 {
            size.sales_documents = 0;
        }
        size
    }

    /// Records of the six main kinds (the issue's record count).
    pub fn main_records(&self) -> usize {
        self.customers
            + self.contacts
            + self.leads
            + self.deals
            + self.communications
            + self.activities
    }

    /// Every record generated, the second pipeline included.
    pub fn total(&self) -> usize {
        self.main_records() + self.users + 1 + self.notes + self.sales_documents
    }
}

/// The seed, the moment the tenant is generated "at" (dates spread around it), and how many
/// records go in one transaction.
#[derive(Clone, Copy, Debug)]
pub struct DemoOptions {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub batch_size: usize,
}

impl DemoOptions {
    /// Generated now, 1,000 records per transaction.
    pub fn new(seed: u64) -> DemoOptions {
        DemoOptions {
            seed,
            now: Utc::now(),
            batch_size: 1_000,
        }
    }
}

/// Generates a tenant of `size` into `store`. The default pipeline must exist ([`Store::open`]
/// seeds it). Returns the number of records written.
pub fn generate(
    store: &mut Store,
    size: &DemoSize,
    options: &DemoOptions,
) -> Result<usize, CoreError> {
    generate_with_progress(store, size, options, &mut |_, _| {})
}

/// [`generate`], calling `progress(kind, records written so far)` after every batch.
pub fn generate_with_progress(
    store: &mut Store,
    size: &DemoSize,
    options: &DemoOptions,
    progress: &mut dyn FnMut(RecordKind, usize),
) -> Result<usize, CoreError> {
    let size = size.consistent();
    let default_pipeline = store.default_pipeline()?;
    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(options.seed),
        now: options.now,
        size,
        users: Vec::new(),
        pipelines: vec![PipelineInfo::of(&default_pipeline)],
        customers: Vec::new(),
        contacts: Vec::new(),
        leads: Vec::new(),
        deals: Vec::new(),
        sales_numbers: [0; 3],
    };
    let actor = store.actor();
    let mut writer = Writer {
        store,
        actor,
        batch_size: options.batch_size.max(1),
        written: 0,
        progress,
    };
    generator.plan_customers();
    let users: Vec<User> = (0..size.users).map(|index| generator.user(index)).collect();
    writer.write(&users)?;
    let second = generator.second_pipeline();
    generator.pipelines.push(PipelineInfo::of(&second));
    writer.write(std::slice::from_ref(&second))?;
    writer.write_each(size.customers, |index| generator.customer(index))?;
    writer.write_each(size.contacts, |index| generator.contact(index))?;
    writer.write_each(size.leads, |_| generator.lead())?;
    writer.write_each(size.deals, |index| generator.deal(index))?;
    writer.write_each(size.activities, |_| generator.activity())?;
    writer.write_each(size.communications, |_| generator.communication())?;
    writer.write_each(size.notes, |_| generator.note())?;
    writer.write_each(size.sales_documents, |_| generator.sales_document())?;
    writer.store.after_bulk_write()?;
    Ok(writer.written)
}

/// The acting user a record is drafted by (its default owner).
fn as_user(user_id: UserId) -> crm_model::Actor {
    crm_model::Actor {
        user_id,
        role: Role::SalesRep,
    }
}

/// Writes records in batches of `batch_size`, one transaction each.
struct Writer<'a> {
    store: &'a mut Store,
    actor: crm_model::Actor,
    batch_size: usize,
    written: usize,
    progress: &'a mut dyn FnMut(RecordKind, usize),
}

impl Writer<'_> {
    fn write<E: References>(&mut self, records: &[E]) -> Result<(), CoreError> {
        for batch in records.chunks(self.batch_size) {
            self.store.insert_many(&self.actor, batch)?;
            self.written += batch.len();
            (self.progress)(E::KIND, self.written);
        }
        Ok(())
    }

    fn write_each<E: References>(
        &mut self,
        count: usize,
        mut make: impl FnMut(usize) -> E,
    ) -> Result<(), CoreError> {
        let mut batch = Vec::with_capacity(self.batch_size.min(count));
        for index in 0..count {
            batch.push(make(index));
            if batch.len() == self.batch_size {
                self.write(&batch)?;
                batch.clear();
            }
        }
        self.write(&batch)
    }
}

/// A pipeline's stages as deals need them.
struct PipelineInfo {
    id: PipelineId,
    /// (stage, probability, won, lost), in display order.
    stages: Vec<(StageId, i64, bool, bool)>,
}

impl PipelineInfo {
    fn of(pipeline: &Pipeline) -> PipelineInfo {
        PipelineInfo {
            id: pipeline.id,
            stages: pipeline
                .ordered_stages()
                .into_iter()
                .map(|(id, stage)| {
                    (
                        id,
                        stage.probability,
                        stage.is_closed_won,
                        stage.is_closed_lost,
                    )
                })
                .collect(),
        }
    }
}

struct CustomerInfo {
    id: CustomerId,
    name: String,
    domain: String,
    owner: usize,
    /// Its contacts: `contacts[first_contact..first_contact + contact_count]`.
    first_contact: usize,
    contact_count: usize,
    /// Indexes into `Generator::deals`.
    deals: Vec<u32>,
    /// The lead it was converted from, if any.
    lead: Option<LeadId>,
}

struct ContactInfo {
    id: ContactId,
    email: String,
}

struct DealInfo {
    id: DealId,
    customer: usize,
    name: String,
    status: DealStatus,
    lines: Vec<LineItem>,
    close: NaiveDate,
}

struct Generator {
    rng: fastrand::Rng,
    now: DateTime<Utc>,
    size: DemoSize,
    users: Vec<UserId>,
    pipelines: Vec<PipelineInfo>,
    customers: Vec<CustomerInfo>,
    contacts: Vec<ContactInfo>,
    leads: Vec<LeadId>,
    deals: Vec<DealInfo>,
    /// Last number used per sales document type (quotation, order, invoice).
    sales_numbers: [u32; 3],
}

impl Generator {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(..100) < percent
    }

    /// A UUIDv7 made of `at` and seeded random bits: reproducible, and sorted by creation time
    /// like the ids the app makes.
    fn id(&mut self, at: DateTime<Utc>) -> Uuid {
        let mut random = [0_u8; 10];
        self.rng.fill(&mut random);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }

    /// A moment between `from` and `to` days from now (negative: in the past), to the ms.
    fn time_between(&mut self, from_days: i64, to_days: i64) -> DateTime<Utc> {
        let span = (to_days - from_days).max(1) * 86_400_000;
        let offset = from_days * 86_400_000 + self.rng.i64(0..span);
        let at = self.now + Duration::milliseconds(offset);
        DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(self.now)
    }

    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    fn owner(&mut self) -> UserId {
        // Managers (the first two users) own less than reps.
        let first = if self.users.len() > 2 && self.chance(85) {
            2
        } else {
            0
        };
        self.users[self.rng.usize(first..self.users.len())]
    }

    fn person(&mut self) -> (&'static str, &'static str) {
        (*self.pick(FIRST_NAMES), *self.pick(LAST_NAMES))
    }

    fn phone(&mut self) -> String {
        let area = self.rng.u32(201..990);
        let line = self.rng.u32(0..10_000);
        format!("+1 ({area}) 555-{line:04}")
    }

    fn user(&mut self, index: usize) -> User {
        let created = self.time_between(-900, -700);
        let id = UserId(self.id(created));
        self.users.push(id);
        let (first, last) = self.person();
        let mut user = User::draft(id, created, &as_user(id));
        user.name = format!("{first} {last}");
        user.email = format!("{}.{}@fieldcrm-demo.com", ascii(first), ascii(last));
        user.role = if index < 2 {
            Role::Manager
        } else {
            Role::SalesRep
        };
        user
    }

    fn second_pipeline(&mut self) -> Pipeline {
        let created = self.time_between(-800, -700);
        let id = PipelineId(self.id(created));
        let actor = as_user(self.users[0]);
        let mut pipeline = Pipeline::draft(id, created, &actor);
        pipeline.name = "Enterprise Pipeline".into();
        pipeline.description = Some("Longer cycles with solution design and legal review.".into());
        let stages = [
            ("Discovery", 10, "#64748b", false, false),
            ("Solution Design", 30, "#0ea5e9", false, false),
            ("Proposal", 50, "#6366f1", false, false),
            ("Legal Review", 80, "#f59e0b", false, false),
            ("Won", 100, "#16a34a", true, false),
            ("Lost", 0, "#dc2626", false, true),
        ];
        for (order, (name, probability, color, won, lost)) in stages.into_iter().enumerate() {
            let stage_id = StageId(self.id(created));
            pipeline.stages.insert(
                stage_id,
                Stage {
                    name: name.into(),
                    order: i64::try_from(order).unwrap_or(0),
                    probability,
                    color: Some(color.into()),
                    is_closed_won: won,
                    is_closed_lost: lost,
                    days_in_stage: (!won && !lost).then_some(45),
                },
            );
        }
        pipeline
    }

    /// Names, domains, owners and contact ranges of every customer, decided up front so a
    /// customer can name its primary contact and later records can point at both.
    fn plan_customers(&mut self) {
        let customers = self.size.customers;
        let mut contact_counts = vec![0_usize; customers];
        for index in 0..self.size.contacts {
            if customers == 0 {
                break;
            }
            let customer = if index < customers {
                index
            } else {
                self.rng.usize(..customers)
            };
            contact_counts[customer] += 1;
        }
        let mut first_contact = 0;
        for count in contact_counts {
            let name = self.company_name();
            let tld = *self.pick(TLDS);
            let domain = domain_of(&name, tld);
            self.customers.push(CustomerInfo {
                id: CustomerId(Uuid::nil()),
                name,
                domain,
                owner: 0,
                first_contact,
                contact_count: count,
                deals: Vec::new(),
                lead: None,
            });
            first_contact += count;
        }
    }

    fn company_name(&mut self) -> String {
        let base = if self.chance(15) {
            (*self.pick(BRANDS)).to_owned()
        } else {
            format!("{}{}", self.pick(NAME_STARTS), self.pick(NAME_ENDS))
        };
        let (_, nouns) = *self.pick(INDUSTRIES);
        let noun = *self.pick(nouns);
        let legal = *self.pick(LEGAL_FORMS);
        if legal.is_empty() {
            format!("{base} {noun}")
        } else {
            format!("{base} {noun} {legal}")
        }
    }

    fn address(&mut self) -> Address {
        let (city, state, zip, country) = *self.pick(CITIES);
        Address {
            street: Some(format!("{} {}", self.rng.u32(1..2_000), self.pick(STREETS))),
            city: Some(city.into()),
            state: (!state.is_empty()).then(|| state.to_owned()),
            zip: Some(zip.into()),
            country: Some(country.into()),
        }
    }

    fn customer(&mut self, index: usize) -> Customer {
        let created = self.time_between(-720, -30);
        let id = CustomerId(self.id(created));
        let owner = self.owner();
        let owner_index = self
            .users
            .iter()
            .position(|user| *user == owner)
            .unwrap_or(0);
        let primary_contact = {
            let info = &self.customers[index];
            (info.contact_count > 0).then_some(info.first_contact)
        };
        let name = self.customers[index].name.clone();
        let domain = self.customers[index].domain.clone();
        let mut customer = Customer::draft(id, created, &as_user(owner));
        let industry_name = INDUSTRIES
            .iter()
            .find(|(_, nouns)| nouns.iter().any(|noun| name.contains(noun)))
            .map_or("Services", |(industry, _)| *industry);
        customer.name = name;
        customer.industry = Some(industry_name.into());
        customer.website = Some(format!("https://www.{domain}"));
        customer.status = if self.chance(88) {
            CustomerStatus::Active
        } else {
            CustomerStatus::Inactive
        };
        customer.company_size = Some(*self.pick(CompanySize::ALL));
        customer.annual_revenue =
            Some(Amount(i64::from(self.rng.u32(2..5_000)) * 100_000_000 / 10));
        customer.primary_email = Some(format!(
            "{}@{domain}",
            self.pick(&["info", "hello", "sales", "office", "contact"])
        ));
        customer.primary_phone = Some(self.phone());
        let billing = self.address();
        customer.shipping_address = self.chance(30).then(|| billing.clone());
        customer.billing_address = Some(billing);
        customer.owner_id = Some(owner);
        customer.account_manager = self.chance(40).then(|| self.owner());
        customer.category = Some(*self.pick(&[
            CustomerCategory::Customer,
            CustomerCategory::Customer,
            CustomerCategory::Customer,
            CustomerCategory::Prospect,
            CustomerCategory::Prospect,
            CustomerCategory::Partner,
        ]));
        customer.source = Some(*self.pick(CustomerSource::ALL));
        customer.first_contact_date = Some(created);
        customer.last_contact_date = Some(self.time_between(-120, 0));
        customer.preferred_channel = Some(*self.pick(Channel::ALL));
        customer.timezone = Some((*self.pick(TIMEZONES)).into());
        let tag_count = self.rng.usize(0..3);
        customer.tags = (0..tag_count)
            .map(|_| (*self.pick(CUSTOMER_TAGS)).to_owned())
            .collect();
        if self.chance(20) {
            customer.notes = Some((*self.pick(CUSTOMER_NOTES)).into());
        }
        if self.chance(25) {
            customer.custom_fields.insert(
                "accountTier".into(),
                serde_json::Value::from(*self.pick(&["Gold", "Silver", "Bronze"])),
            );
        }
        let info = &mut self.customers[index];
        info.id = id;
        info.owner = owner_index;
        if let Some(first) = primary_contact {
            // Contact ids are made when the contacts are; the primary is the first one, whose
            // id is fixed here so the customer can name it.
            let contact_id = ContactId(self.id(created + Duration::minutes(5)));
            self.contacts.push(ContactInfo {
                id: contact_id,
                email: String::new(),
            });
            debug_assert_eq!(self.contacts.len() - 1, first);
            customer.primary_contact_id = Some(contact_id);
            for _ in 1..self.customers[index].contact_count {
                let at = self.time_between(-700, -10).max(created);
                let contact_id = ContactId(self.id(at));
                self.contacts.push(ContactInfo {
                    id: contact_id,
                    email: String::new(),
                });
            }
        }
        customer
    }

    fn customer_of_contact(&self, contact: usize) -> usize {
        self.customers
            .partition_point(|info| info.first_contact + info.contact_count <= contact)
    }

    fn contact(&mut self, index: usize) -> Contact {
        let customer = self.customer_of_contact(index);
        let (customer_id, domain, owner, is_primary) = {
            let info = &self.customers[customer];
            (
                info.id,
                info.domain.clone(),
                self.users[info.owner],
                info.first_contact == index,
            )
        };
        let id = self.contacts[index].id;
        let created = uuid_time(id.0).unwrap_or(self.now);
        let (first, last) = self.person();
        let email = format!("{}.{}@{domain}", ascii(first), ascii(last));
        self.contacts[index].email = email.clone();
        let mut contact = Contact::draft(id, created, &as_user(owner));
        contact.customer_id = Some(customer_id);
        contact.first_name = Some(first.into());
        contact.last_name = Some(last.into());
        let (title, department) = *self.pick(JOB_TITLES);
        contact.job_title = Some(title.into());
        contact.title = self
            .chance(30)
            .then(|| (*self.pick(&["Mr.", "Ms.", "Dr."])).into());
        contact.department = Some(department.into());
        contact.role = Some(if is_primary {
            ContactRole::DecisionMaker
        } else {
            *self.pick(ContactRole::ALL)
        });
        contact.email = Some(email);
        contact.phone = Some(self.phone());
        contact.mobile_phone = self.chance(60).then(|| self.phone());
        contact.linkedin_url = self.chance(50).then(|| {
            format!(
                "https://www.linkedin.com/in/{}-{}",
                ascii(first),
                ascii(last)
            )
        });
        contact.is_primary = is_primary;
        contact.owner_id = Some(owner);
        contact.preferred_channel = Some(*self.pick(Channel::ALL));
        contact.last_contact_date = self.chance(70).then(|| self.time_between(-150, 0));
        contact.birthday = self.chance(20).then(|| {
            NaiveDate::from_ymd_opt(
                self.rng.i32(1960..2000),
                self.rng.u32(1..13),
                self.rng.u32(1..29),
            )
            .unwrap_or_default()
        });
        contact.sms_opt_in = self.chance(30);
        contact.do_not_call = self.chance(5);
        contact.email_opt_in = self.chance(90);
        if self.chance(15) {
            contact.tags =
                vec![(*self.pick(&["champion", "newsletter", "technical", "billing"])).into()];
        }
        contact
    }

    fn lead(&mut self) -> Lead {
        let created = self.time_between(-365, 0);
        let id = LeadId(self.id(created));
        let owner = self.owner();
        let mut lead = Lead::draft(id, created, &as_user(owner));
        let (first, last) = self.person();
        let status = *self.pick(&[
            LeadStatus::New,
            LeadStatus::New,
            LeadStatus::New,
            LeadStatus::Qualified,
            LeadStatus::Qualified,
            LeadStatus::Converted,
            LeadStatus::Lost,
            LeadStatus::Disqualified,
        ]);
        let converted_to = (status == LeadStatus::Converted && !self.customers.is_empty())
            .then(|| self.rng.usize(..self.customers.len()));
        let (company, domain) = match converted_to {
            Some(customer) => (
                self.customers[customer].name.clone(),
                self.customers[customer].domain.clone(),
            ),
            None => {
                let name = self.company_name();
                let tld = *self.pick(TLDS);
                let domain = domain_of(&name, tld);
                (name, domain)
            }
        };
        lead.first_name = Some(first.into());
        lead.last_name = Some(last.into());
        lead.email = Some(format!("{}.{}@{domain}", ascii(first), ascii(last)));
        lead.phone = self.chance(70).then(|| self.phone());
        lead.company = Some(company);
        lead.job_title = Some(self.pick(JOB_TITLES).0.into());
        lead.company_size = Some(*self.pick(CompanySize::ALL));
        lead.source = Some((*self.pick(LEAD_SOURCES)).into());
        lead.campaign = self.chance(60).then(|| (*self.pick(CAMPAIGNS)).into());
        lead.medium = Some(*self.pick(Medium::ALL));
        lead.referrer = self
            .chance(10)
            .then(|| format!("{} {}", self.pick(FIRST_NAMES), self.pick(LAST_NAMES)));
        let breakdown = [
            (ScoreCategory::Demographics, self.rng.i64(0..26)),
            (ScoreCategory::Engagement, self.rng.i64(0..26)),
            (ScoreCategory::Qualification, self.rng.i64(0..31)),
            (ScoreCategory::Source, self.rng.i64(0..21)),
        ];
        lead.score_breakdown = breakdown
            .iter()
            .map(|(category, points)| (category.as_str().to_owned(), *points))
            .collect::<BTreeMap<_, _>>();
        lead.lead_score = breakdown
            .iter()
            .map(|(_, points)| points)
            .sum::<i64>()
            .min(100);
        lead.rating = Some(match lead.lead_score {
            70.. => Rating::Hot,
            40..70 => Rating::Warm,
            _ => Rating::Cold,
        });
        lead.priority = match lead.lead_score {
            70.. => LeadPriority::High,
            35..70 => LeadPriority::Medium,
            _ => LeadPriority::Low,
        };
        lead.budget = self
            .chance(60)
            .then(|| Amount(i64::from(self.rng.u32(5..500)) * 100_000));
        lead.timeline = Some(*self.pick(Timeline::ALL));
        lead.authority = Some(*self.pick(Authority::ALL));
        lead.need = Some(*self.pick(Need::ALL));
        lead.status = status;
        lead.assigned_at = Some(created + Duration::hours(self.rng.i64(1..48)));
        lead.first_contact_date = self
            .chance(70)
            .then(|| created + Duration::days(self.rng.i64(0..5)));
        lead.last_contact_date = lead
            .first_contact_date
            .map(|first| first.max(self.time_between(-60, 0)));
        lead.last_activity_date = lead.last_contact_date;
        match status {
            LeadStatus::Converted => {
                lead.converted_at =
                    Some(created + Duration::days(self.rng.i64(5..60)).min(self.now - created));
                lead.conversion_source = Some(crm_model::ConversionSource::Manual);
                lead.customer_id = converted_to.map(|customer| self.customers[customer].id);
                lead.contact_id = converted_to.and_then(|customer| {
                    let info = &self.customers[customer];
                    (info.contact_count > 0).then(|| self.contacts[info.first_contact].id)
                });
            }
            LeadStatus::Disqualified => {
                lead.disqualified_at =
                    Some(created + Duration::days(self.rng.i64(1..30)).min(self.now - created));
                lead.disqualified_by = Some(owner);
                lead.disqualified_reason = Some((*self.pick(DISQUALIFIED_REASONS)).into());
            }
            _ => {}
        }
        if self.chance(20) {
            lead.tags =
                vec![(*self.pick(&["webinar", "inbound", "event", "partner-referral"])).into()];
        }
        if let Some(customer) = converted_to {
            self.customers[customer].lead = Some(id);
        }
        self.leads.push(id);
        lead
    }

    fn line_items(&mut self) -> Vec<LineItem> {
        let count = self.rng.usize(1..5);
        let mut lines: Vec<LineItem> = (0..count)
            .map(|_| {
                let (product_id, name, price_cents, max_quantity) = *self.pick(PRODUCTS);
                let mut line = LineItem {
                    product_id: Some(product_id.into()),
                    name: name.into(),
                    quantity: f64::from(self.rng.u32(1..=max_quantity)),
                    price: Amount(price_cents),
                    discount_percent: *self.pick(&[0.0, 0.0, 0.0, 5.0, 10.0, 15.0]),
                    tax_percent: *self.pick(&[0.0, 0.0, 7.0, 19.0, 20.0]),
                    total: None,
                };
                line.total = Some(line.computed_total());
                line
            })
            .collect();
        lines.dedup_by(|a, b| a.product_id == b.product_id);
        lines
    }

    fn deal(&mut self, index: usize) -> Deal {
        let customer = self.rng.usize(..self.customers.len());
        let created = self.time_between(-365, -1);
        let id = DealId(self.id(created));
        let (customer_id, customer_name, owner) = {
            let info = &self.customers[customer];
            (info.id, info.name.clone(), self.users[info.owner])
        };
        let pipeline_index = usize::from(self.chance(30));
        let (pipeline_id, stages) = {
            let pipeline = &self.pipelines[pipeline_index];
            (pipeline.id, pipeline.stages.clone())
        };
        // Open deals spread over the open stages, fewer as they progress; a quarter won or lost.
        let stage_index = match self.rng.u32(..100) {
            0..=14 => stages.iter().position(|stage| stage.2),
            15..=27 => stages.iter().position(|stage| stage.3),
            _ => {
                let open: Vec<usize> = (0..stages.len())
                    .filter(|index| !stages[*index].2 && !stages[*index].3)
                    .collect();
                let weight = self.rng.usize(..open.len() * (open.len() + 1) / 2);
                let mut acc = 0;
                open.iter()
                    .rev()
                    .enumerate()
                    .find(|(rank, _)| {
                        acc += rank + 1;
                        weight < acc
                    })
                    .map(|(_, stage)| *stage)
            }
        }
        .unwrap_or(0);
        let (stage_id, probability, won, lost) = stages[stage_index];
        let mut deal = Deal::draft(id, created, &as_user(owner));
        let lines = self.line_items();
        let what = *self.pick(DEAL_KINDS);
        let short_name = customer_name
            .split(' ')
            .next()
            .unwrap_or(&customer_name)
            .to_owned();
        deal.name = format!(
            "{short_name} – {} {what}",
            lines[0].name.split(" – ").next().unwrap_or("Platform")
        );
        deal.customer_id = Some(customer_id);
        deal.pipeline_id = Some(pipeline_id);
        deal.stage_id = Some(stage_id);
        deal.deal_number = Some(format!("D-{:06}", index + 1));
        deal.probability = probability;
        deal.amount = line_totals(&lines).total;
        deal.products = lines.clone();
        deal.owner_id = Some(owner);
        if self.chance(30) {
            deal.team_members = vec![self.owner()];
            deal.team_members.retain(|member| *member != owner);
        }
        deal.source = Some(*self.pick(DealSource::ALL));
        deal.first_contact_date = Some(created);
        deal.last_activity_date = Some(self.time_between(-60, 0).max(created));
        if self.chance(35) {
            deal.competitors = vec![(*self.pick(COMPETITORS)).into()];
        }
        let today = self.today();
        let close = today + Duration::days(self.rng.i64(-182..183));
        deal.expected_close_date = Some(close);
        // Stage visits: each stage passed on the way to the current one.
        let mut entered = created;
        let path: Vec<usize> = (0..stages.len())
            .filter(|index| {
                let (_, _, won, lost) = stages[*index];
                (*index <= stage_index && !won && !lost) || *index == stage_index
            })
            .collect();
        for (step, stage) in path.iter().enumerate() {
            let left = (step + 1 < path.len()).then(|| {
                let gap = Duration::days(self.rng.i64(3..30));
                (entered + gap).min(self.now)
            });
            let visit_id = self.id(entered);
            deal.stage_history.insert(
                visit_id.to_string(),
                StageVisit {
                    stage_id: stages[*stage].0,
                    entered_at: entered,
                    left_at: left,
                    moved_by: Some(owner),
                    notes: None,
                },
            );
            if let Some(left) = left {
                entered = left;
            }
        }
        deal.stage_entered_at = Some(entered);
        if won || lost {
            let closed = entered.date_naive().min(today);
            deal.closed_date = Some(closed);
            deal.expected_close_date = Some(closed);
        }
        if won {
            deal.status = DealStatus::Won;
            deal.won_reason = Some((*self.pick(WON_REASONS)).into());
        } else if lost {
            deal.status = DealStatus::Lost;
            deal.lost_reason = Some(*self.pick(LostReason::ALL));
            if deal.lost_reason == Some(LostReason::Competition) {
                deal.lost_to_competitor = Some((*self.pick(COMPETITORS)).into());
            }
        }
        if self.chance(50) {
            deal.lead_id = self.customers[customer].lead;
        }
        let deal_index = u32::try_from(self.deals.len()).unwrap_or(u32::MAX);
        self.customers[customer].deals.push(deal_index);
        self.deals.push(DealInfo {
            id,
            customer,
            name: deal.name.clone(),
            status: deal.status,
            lines,
            close: deal.expected_close_date.unwrap_or(today),
        });
        deal
    }

    /// A customer, one of its contacts, and sometimes one of its deals.
    fn subject_of_customer(&mut self) -> (usize, Option<usize>, Option<usize>) {
        let customer = self.rng.usize(..self.customers.len());
        let (first_contact, contact_count, deal_count) = {
            let info = &self.customers[customer];
            (info.first_contact, info.contact_count, info.deals.len())
        };
        let contact = (contact_count > 0).then(|| first_contact + self.rng.usize(..contact_count));
        let deal = if deal_count == 0 || !self.chance(50) {
            None
        } else {
            let pick = self.rng.usize(..deal_count);
            Some(self.customers[customer].deals[pick] as usize)
        };
        (customer, contact, deal)
    }

    fn activity(&mut self) -> Activity {
        let (customer, contact, deal) = self.subject_of_customer();
        let lead =
            (self.chance(15) && !self.leads.is_empty()).then(|| self.rng.usize(..self.leads.len()));
        let created = self.time_between(-120, 0);
        let id = ActivityId(self.id(created));
        let assignee = if self.chance(70) {
            self.users[self.customers[customer].owner]
        } else {
            self.owner()
        };
        let mut activity = Activity::draft(id, created, &as_user(assignee));
        let (kind, subject) = *self.pick(ACTIVITY_SUBJECTS);
        activity.activity_type = kind;
        activity.priority = *self.pick(&[
            Priority::Low,
            Priority::Medium,
            Priority::Medium,
            Priority::High,
            Priority::Urgent,
        ]);
        let today = self.today();
        let completed = self.chance(40);
        let due = match self.rng.u32(..100) {
            _ if completed => Some(created.date_naive() + Duration::days(self.rng.i64(0..14))),
            0..=24 => Some(today - Duration::days(self.rng.i64(1..30))),
            25..=34 => Some(today),
            35..=54 => Some(today + Duration::days(self.rng.i64(1..7))),
            55..=94 => Some(today + Duration::days(self.rng.i64(7..90))),
            _ => None,
        };
        activity.due_date = due;
        activity.due_time = due.filter(|_| self.chance(60)).and_then(|_| {
            NaiveTime::from_hms_opt(self.rng.u32(8..18), *self.pick(&[0, 15, 30, 45]), 0)
        });
        if let (Some(date), Some(time)) = (activity.due_date, activity.due_time)
            && self.chance(50)
        {
            activity.reminder_at = Some(date.and_time(time).and_utc() - Duration::minutes(30));
        }
        activity.assigned_to = Some(assignee);
        activity.created_by = assignee;
        activity.customer_id = Some(self.customers[customer].id);
        activity.contact_id = contact.map(|contact| self.contacts[contact].id);
        activity.deal_id = deal.map(|deal| self.deals[deal].id);
        activity.lead_id = lead.map(|lead| self.leads[lead]);
        let company = self.customers[customer].name.clone();
        activity.subject = format!("{subject} – {company}");
        activity.description = self
            .chance(50)
            .then(|| (*self.pick(ACTIVITY_DESCRIPTIONS)).into());
        if completed {
            let done = (created + Duration::hours(self.rng.i64(1..24 * 14))).min(self.now);
            activity.status = ActivityStatus::Completed;
            activity.completed_at = Some(done);
            activity.completed_by = Some(assignee);
            activity.outcome = Some((*self.pick(ACTIVITY_OUTCOMES)).into());
        } else {
            activity.status = *self.pick(&[
                ActivityStatus::Pending,
                ActivityStatus::Pending,
                ActivityStatus::Pending,
                ActivityStatus::InProgress,
            ]);
            if self.chance(4) {
                activity.status = ActivityStatus::Cancelled;
            }
        }
        activity
    }

    fn communication(&mut self) -> Communication {
        let occurred = self.time_between(-180, 0);
        let id = CommunicationId(self.id(occurred));
        let only_lead = self.chance(12) && !self.leads.is_empty();
        let (customer, contact, deal) = self.subject_of_customer();
        let author = if self.chance(75) {
            self.users[self.customers[customer].owner]
        } else {
            self.owner()
        };
        let mut communication = Communication::draft(id, occurred, &as_user(author));
        let kind = *self.pick(&[
            CommunicationType::Call,
            CommunicationType::Call,
            CommunicationType::Email,
            CommunicationType::Email,
            CommunicationType::Email,
            CommunicationType::Meeting,
            CommunicationType::Note,
            CommunicationType::Sms,
            CommunicationType::Chat,
        ]);
        communication.communication_type = kind;
        communication.occurred_at = occurred;
        if only_lead {
            let lead = self.rng.usize(..self.leads.len());
            communication.lead_id = Some(self.leads[lead]);
        } else {
            communication.customer_id = Some(self.customers[customer].id);
            communication.contact_id = contact.map(|contact| self.contacts[contact].id);
            communication.deal_id = deal.map(|deal| self.deals[deal].id);
        }
        let (subject, notes) = *self.pick(COMMUNICATION_TEXTS);
        communication.subject = Some(subject.into());
        communication.notes = notes.into();
        match kind {
            CommunicationType::Call => {
                communication.direction = Some(*self.pick(Direction::ALL));
                communication.duration = Some(self.rng.i64(1..45));
                communication.outcome = Some(*self.pick(CommunicationOutcome::ALL));
            }
            CommunicationType::Email => {
                communication.direction = Some(*self.pick(Direction::ALL));
                let to = contact
                    .filter(|_| !only_lead)
                    .map(|contact| self.contacts[contact].email.clone())
                    .filter(|email| !email.is_empty());
                communication.email_from = Some("sales@fieldcrm-demo.com".into());
                communication.email_to = to;
                communication.attachment_count = i64::from(self.chance(20));
            }
            CommunicationType::Meeting => {
                communication.duration = Some(*self.pick(&[30, 45, 60, 90]));
                communication.meeting_location = Some(
                    (*self.pick(&[
                        "Their office",
                        "Video call",
                        "Our office",
                        "Trade show booth",
                    ]))
                    .into(),
                );
                communication.outcome = Some(CommunicationOutcome::Successful);
                if let Some(contact) = contact.filter(|_| !only_lead) {
                    communication.meeting_attendees = vec![self.contacts[contact].email.clone()];
                }
            }
            _ => {}
        }
        communication
    }

    fn note(&mut self) -> CustomerNote {
        let customer = self.rng.usize(..self.customers.len());
        let created = self.time_between(-365, 0);
        let id = NoteId(self.id(created));
        let author = self.users[self.customers[customer].owner];
        let mut note = CustomerNote::draft(id, created, &as_user(author));
        note.customer_id = Some(self.customers[customer].id);
        let (title, content) = *self.pick(NOTE_TEXTS);
        note.title = Some(title.into());
        note.content = content.into();
        note.is_pinned = self.chance(10);
        note
    }

    fn sales_document(&mut self) -> SalesDocument {
        let deal = &self.deals[self.rng.usize(..self.deals.len())];
        let (deal_id, customer, status, lines, close, name) = (
            deal.id,
            deal.customer,
            deal.status,
            deal.lines.clone(),
            deal.close,
            deal.name.clone(),
        );
        let document_type = match status {
            DealStatus::Won => *self.pick(&[
                SalesDocumentType::Quotation,
                SalesDocumentType::Order,
                SalesDocumentType::Invoice,
                SalesDocumentType::Invoice,
            ]),
            _ => SalesDocumentType::Quotation,
        };
        let issue = match status {
            DealStatus::Won => close.min(self.today()),
            _ => (self.today() - Duration::days(self.rng.i64(0..90))).min(self.today()),
        };
        let created = issue
            .and_hms_opt(9, 0, 0)
            .map_or(self.now, |time| time.and_utc())
            .min(self.now);
        let id = SalesDocumentId(self.id(created));
        let owner = self.users[self.customers[customer].owner];
        let mut document = SalesDocument::draft(id, created, &as_user(owner));
        let slot = match document_type {
            SalesDocumentType::Quotation => 0,
            SalesDocumentType::Order => 1,
            SalesDocumentType::Invoice => 2,
        };
        self.sales_numbers[slot] += 1;
        let prefix = ["Q", "SO", "INV"][slot];
        document.number = format!(
            "{prefix}-{}-{:06}",
            issue.format("%Y"),
            self.sales_numbers[slot]
        );
        document.document_type = document_type;
        document.customer_id = Some(self.customers[customer].id);
        document.deal_id = Some(deal_id);
        document.lines = lines;
        document.issue_date = issue;
        document.due_date = Some(issue + Duration::days(30));
        let totals = line_totals(&document.lines);
        document.status = match document_type {
            SalesDocumentType::Quotation => match status {
                DealStatus::Won => SalesDocumentStatus::Accepted,
                DealStatus::Lost => SalesDocumentStatus::Rejected,
                DealStatus::Open => {
                    *self.pick(&[SalesDocumentStatus::Draft, SalesDocumentStatus::Sent])
                }
            },
            SalesDocumentType::Order => *self.pick(&[
                SalesDocumentStatus::Confirmed,
                SalesDocumentStatus::Fulfilled,
            ]),
            SalesDocumentType::Invoice => *self.pick(&[
                SalesDocumentStatus::Sent,
                SalesDocumentStatus::PartiallyPaid,
                SalesDocumentStatus::Paid,
                SalesDocumentStatus::Paid,
            ]),
        };
        match document.status {
            SalesDocumentStatus::Paid => {
                document.amount_paid = totals.total;
                document.paid_at =
                    Some((created + Duration::days(self.rng.i64(1..30))).min(self.now));
            }
            SalesDocumentStatus::PartiallyPaid => {
                document.amount_paid = Amount(totals.total.cents() / 2);
            }
            _ => {}
        }
        document.notes = Some(format!("For {name}"));
        document
    }
}

/// The time part of a UUIDv7.
fn uuid_time(id: Uuid) -> Option<DateTime<Utc>> {
    let (seconds, nanos) = id.get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)
}

/// A name as ASCII lower case letters, for e-mail addresses and domains.
fn ascii(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'ä' | 'á' | 'à' => Some('a'),
            'ö' | 'ó' => Some('o'),
            'ü' | 'ú' => Some('u'),
            'é' | 'è' => Some('e'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// `Bluefield Logistics GmbH` → `bluefieldlogistics.com`: the name without its legal form.
fn domain_of(name: &str, tld: &str) -> String {
    let words: Vec<&str> = name
        .split(' ')
        .filter(|word| !LEGAL_FORMS.contains(word))
        .collect();
    format!("{}.{tld}", ascii(&words.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_protocol::query::CustomerQuery;
    use crm_protocol::views::Include;

    fn fixed_now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
            .expect("a valid time")
            .to_utc()
    }

    fn generated(seed: u64, size: &DemoSize) -> (tempfile::TempDir, Store, usize) {
        let directory = tempfile::tempdir().expect("a temp dir");
        let mut store = Store::open(&directory.path().join("crm.sqlite3")).expect("store opens");
        let options = DemoOptions {
            seed,
            now: fixed_now(),
            batch_size: 100,
        };
        let written = generate(&mut store, size, &options).expect("demo data is valid");
        (directory, store, written)
    }

    /// A digest of every materialized row, without what differs by store: the change time
    /// ("updatedAt") and the default pipeline's ids (derived from the store's tenant id).
    fn digest(store: &Store) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let pipeline = store.default_pipeline().expect("the default pipeline");
        let mut per_store = vec![(pipeline.id.to_string(), "default-pipeline".to_owned())];
        for (id, stage) in &pipeline.stages {
            per_store.push((id.to_string(), format!("default-stage-{}", stage.order)));
        }
        for table in [
            "users",
            "customers",
            "contacts",
            "leads",
            "deals",
            "communications",
            "activities",
            "notes",
            "sales_documents",
        ] {
            let mut statement = store
                .conn
                .prepare(&format!("SELECT id, data FROM {table} ORDER BY id"))
                .expect("select");
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .expect("rows");
            for row in rows {
                let (id, data) = row.expect("row");
                let mut json: serde_json::Value = serde_json::from_str(&data).expect("json");
                if let Some(object) = json.as_object_mut() {
                    object.remove("updatedAt");
                }
                let mut text = json.to_string();
                for (id, placeholder) in &per_store {
                    text = text.replace(id.as_str(), placeholder);
                }
                (table, id, text).hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    fn count(store: &Store, table: &str) -> usize {
        let count: i64 = store
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("count");
        usize::try_from(count).expect("a count")
    }

    #[test]
    fn sizes_follow_the_issues_mix() {
        let cases = [
            (100_000, [10_000, 25_000, 15_000, 10_000, 20_000, 20_000]),
            (1_000, [100, 250, 150, 100, 200, 200]),
            (7, [1, 1, 1, 0, 1, 3]),
        ];
        for (total, expected) in cases {
            let size = DemoSize::records(total);
            let got = [
                size.customers,
                size.contacts,
                size.leads,
                size.deals,
                size.communications,
                size.activities,
            ];
            assert_eq!(got, expected, "{total}");
            assert_eq!(size.main_records(), total);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_tenant() {
        let size = DemoSize::records(600);
        let (_first_dir, first, written) = generated(7, &size);
        let (_second_dir, second, _) = generated(7, &size);
        let (_other_dir, other, _) = generated(8, &size);
        assert_eq!(written, size.total());
        assert_eq!(digest(&first), digest(&second));
        assert_ne!(digest(&first), digest(&other));
        let page = |store: &Store| {
            store
                .list_customers(&CustomerQuery::default())
                .expect("customers")
                .data
                .into_iter()
                .map(|customer| (customer.id, customer.name))
                .collect::<Vec<_>>()
        };
        assert_eq!(page(&first), page(&second));
    }

    #[test]
    fn every_kind_is_stored_in_the_asked_numbers() {
        let size = DemoSize::records(1_000);
        let (_directory, store, _) = generated(1, &size);
        let cases = [
            ("users", size.users),
            ("customers", size.customers),
            ("contacts", size.contacts),
            ("leads", size.leads),
            ("deals", size.deals),
            ("communications", size.communications),
            ("activities", size.activities),
            ("notes", size.notes),
            ("sales_documents", size.sales_documents),
            ("pipelines", 2),
        ];
        for (table, expected) in cases {
            assert_eq!(count(&store, table), expected, "{table}");
        }
        let statuses: i64 = store
            .conn
            .query_row("SELECT COUNT(DISTINCT status) FROM deals", [], |row| {
                row.get(0)
            })
            .expect("statuses");
        assert_eq!(statuses, 3, "open, won and lost deals");
    }

    #[test]
    fn a_customer_360_has_related_records() {
        let size = DemoSize::records(2_000);
        let (_directory, store, _) = generated(3, &size);
        let busiest: String = store
            .conn
            .query_row(
                "SELECT customer_id FROM deals GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1",
                [],
                |row| row.get(0),
            )
            .expect("a customer with deals");
        let id: CustomerId = busiest.parse().expect("an id");
        let view = store.customer_360(id, Include::ALL).expect("customer 360");
        assert!(!view.contacts.is_empty(), "contacts");
        assert!(!view.deals.is_empty(), "deals");
        assert!(view.contacts.iter().any(|contact| contact.is_primary));
        assert_eq!(
            view.customer.primary_contact_id,
            view.contacts.iter().find(|c| c.is_primary).map(|c| c.id)
        );
        let timeline = store.customer_timeline(id, 50).expect("timeline");
        assert!(!timeline.is_empty());
        let related: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM communications WHERE customer_id = ?1)
                      + (SELECT COUNT(*) FROM activities WHERE customer_id = ?1)",
                [&busiest],
                |row| row.get(0),
            )
            .expect("related");
        assert!(related > 0, "communications or activities");
    }
}
