//! Convergence, by property (issue 6): 3–5 devices and a real sync server on port 0 run random
//! operations (create, edit fields, delete, restore, lead conversion, deal stage moves) with
//! random offline periods, device restarts and a server restart. At the end, once every device
//! is back online and has synced:
//!
//! 1. every device, and a new device bootstrapped from the server, hold identical records,
//!    trash and conflict inbox;
//! 2. every edit a user saw succeed is either the value shown, or was overwritten by an edit
//!    made after it was seen, or is one of the values of a conflict on that field: when a
//!    field's latest edits (those no other edit saw) were concurrent, every device shows one of
//!    them and lists the field in its conflict inbox with exactly those values.
//!
//! "Saw" is modelled from the sync protocol: a device has seen its own edits and every edit
//! pushed before its last successful pull.
//!
//! CI runs `CONVERGENCE_CASES` cases (default 200); `CONVERGENCE_CASES=5000` is the long mode.

mod common;

use common::{dev_account, start_dev_server};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Mutex;

use crm_core::account::FirstSync;
use crm_core::sync::{SyncClient, sync_now};
use crm_core::{STORE_FILE_NAME, Store};
use crm_model::{Customer, CustomerId, Deal, FieldMap, Lead, RecordId, RecordKind};
use crm_protocol::query::{CustomerQuery, DealQuery, LeadQuery, Paging};

use crm_protocol::workflows::{ConvertLead, MoveDealStage};
use crm_sync_server::RunningServer;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

const TOKEN: &str = "convergence-device-token";
/// The customer fields whose edits the property follows.
const FIELDS: [&str; 3] = ["name", "industry", "primaryPhone"];

#[derive(Clone, Debug)]
enum Op {
    CreateCustomer(usize),
    Edit {
        device: usize,
        pick: usize,
        field: usize,
    },
    Delete(usize, usize),
    Restore(usize, usize),
    CreateLead(usize),
    Convert(usize, usize),
    MoveDeal {
        device: usize,
        pick: usize,
        stage: usize,
    },
    Sync(usize),
    Offline(usize),
    Online(usize),
    RestartDevice(usize),
    RestartServer,
}

fn op() -> impl Strategy<Value = Op> {
    let device = 0..5usize;
    // Mostly the first few records of a list, so devices often edit the same ones.
    let pick = prop_oneof![3 => 0..3usize, 1 => 0..64usize];
    prop_oneof![
        2 => device.clone().prop_map(Op::CreateCustomer),
        10 => (device.clone(), pick.clone(), 0..FIELDS.len())
            .prop_map(|(device, pick, field)| Op::Edit { device, pick, field }),
        1 => (device.clone(), pick.clone()).prop_map(|(d, p)| Op::Delete(d, p)),
        1 => (device.clone(), pick.clone()).prop_map(|(d, p)| Op::Restore(d, p)),
        1 => device.clone().prop_map(Op::CreateLead),
        1 => (device.clone(), pick.clone()).prop_map(|(d, p)| Op::Convert(d, p)),
        2 => (device.clone(), pick, 0..5usize)
            .prop_map(|(device, pick, stage)| Op::MoveDeal { device, pick, stage }),
        8 => device.clone().prop_map(Op::Sync),
        1 => device.clone().prop_map(Op::Offline),
        1 => device.clone().prop_map(Op::Online),
        1 => device.prop_map(Op::RestartDevice),
        1 => Just(Op::RestartServer),
    ]
}

struct Laptop {
    dir: tempfile::TempDir,
    store: Mutex<Store>,
    online: bool,
    /// The step of the last successful sync (its pull saw every edit pushed before it).
    last_sync: Option<usize>,
}

impl Laptop {
    fn open(dir: tempfile::TempDir) -> Laptop {
        let store = Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store opens");
        Laptop {
            dir,
            store: Mutex::new(store),
            online: true,
            last_sync: None,
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("store lock")
    }
}

/// One acknowledged edit of a followed field.
#[derive(Debug)]
struct Edit {
    device: usize,
    record: CustomerId,
    field: &'static str,
    value: Json,
    /// The step at which its device pushed it, once it did.
    pushed_at: Option<usize>,
    /// Earlier edits of the same record and field that its device had seen.
    overwrites: BTreeSet<usize>,
}

struct World {
    server_dir: tempfile::TempDir,
    server: Option<RunningServer>,
    address: SocketAddr,
    laptops: Vec<Laptop>,
    edits: Vec<Edit>,
    runtime: tokio::runtime::Runtime,
}

fn paging() -> Paging {
    Paging {
        limit: 100,
        ..Paging::default()
    }
}

impl World {
    fn new(devices: usize) -> World {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server_dir = tempfile::tempdir().expect("temp dir");
        let server = runtime.block_on(start_dev_server(server_dir.path(), "127.0.0.1:0", TOKEN));
        let address = server.address();
        let laptops = (0..devices)
            .map(|_| {
                let laptop = Laptop::open(tempfile::tempdir().expect("temp dir"));
                laptop
                    .store()
                    .join_server(
                        &server.url(),
                        &dev_account(TOKEN),
                        "dev@localhost",
                        FirstSync::StartFromServer,
                    )
                    .expect("joins");
                laptop
            })
            .collect();
        World {
            server_dir,
            server: Some(server),
            address,
            laptops,
            edits: Vec::new(),
            runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn customers(&self, device: usize) -> Vec<Customer> {
        self.laptops[device]
            .store()
            .list_customers(&CustomerQuery {
                paging: paging(),
                ..CustomerQuery::default()
            })
            .expect("lists")
            .data
    }

    fn trashed_customers(&self, device: usize) -> Vec<RecordId> {
        self.laptops[device]
            .store()
            .list_trash()
            .expect("trash")
            .into_iter()
            .filter(|item| item.kind == RecordKind::Customer)
            .map(|item| item.id)
            .collect()
    }

    /// Has `device` seen `edit` by now?
    fn has_seen(&self, device: usize, edit: &Edit) -> bool {
        edit.device == device
            || matches!((edit.pushed_at, self.laptops[device].last_sync), (Some(pushed), Some(synced)) if pushed <= synced)
    }

    fn record_edit(&mut self, device: usize, record: CustomerId, field: &'static str, value: Json) {
        let overwrites = self
            .edits
            .iter()
            .enumerate()
            .filter(|(_, edit)| edit.record == record && edit.field == field)
            .filter(|(_, edit)| self.has_seen(device, edit))
            .map(|(index, _)| index)
            .collect();
        self.edits.push(Edit {
            device,
            record,
            field,
            value,
            pushed_at: None,
            overwrites,
        });
    }

    fn apply(&mut self, step: usize, op: &Op) {
        let n = self.laptops.len();
        match *op {
            Op::CreateCustomer(device) => {
                let device = device % n;
                let fields = json!({
                    "name": format!("Customer {step}"),
                    "type": "BUSINESS",
                    "industry": format!("industry {step}"),
                    "primaryPhone": format!("+1 555 {step:06}"),
                });
                let customer: Customer = {
                    let mut store = self.laptops[device].store();
                    let actor = store.actor();
                    let fields: FieldMap = serde_json::from_value(fields.clone()).expect("fields");
                    store.create(&actor, &fields).expect("creates")
                };
                for field in FIELDS {
                    self.record_edit(device, customer.id, field, fields[field].clone());
                }
            }
            Op::Edit {
                device,
                pick,
                field,
            } => {
                let device = device % n;
                let customers = self.customers(device);
                let Some(customer) = pick_one(&customers, pick) else {
                    return;
                };
                let field = FIELDS[field];
                let value = match field {
                    "primaryPhone" => json!(format!("+44 20 {step:06}")),
                    _ => json!(format!("{field} {step} on {device}")),
                };
                let patch: FieldMap =
                    serde_json::from_value(json!({ field: value.clone() })).expect("patch");
                let updated = {
                    let mut store = self.laptops[device].store();
                    let actor = store.actor();
                    store.update::<Customer>(&actor, customer.id, &patch)
                };
                if updated.is_ok() {
                    self.record_edit(device, customer.id, field, value);
                }
            }
            Op::Delete(device, pick) => {
                let device = device % n;
                let customers = self.customers(device);
                if let Some(customer) = pick_one(&customers, pick) {
                    let mut store = self.laptops[device].store();
                    let actor = store.actor();
                    store
                        .delete_record(&actor, RecordKind::Customer, customer.id.into())
                        .expect("deletes");
                }
            }
            Op::Restore(device, pick) => {
                let device = device % n;
                let trashed = self.trashed_customers(device);
                if let Some(id) = pick_one(&trashed, pick) {
                    let mut store = self.laptops[device].store();
                    let actor = store.actor();
                    store
                        .restore_record(&actor, RecordKind::Customer, *id)
                        .expect("restores");
                }
            }
            Op::CreateLead(device) => {
                let device = device % n;
                let mut store = self.laptops[device].store();
                let actor = store.actor();
                let fields: FieldMap = serde_json::from_value(json!({
                    "firstName": "Lee", "lastName": format!("Lead {step}"),
                    "company": format!("Prospect {step}"), "email": format!("lead{step}@example.test")
                }))
                .expect("fields");
                let _: Lead = store.create(&actor, &fields).expect("creates");
            }
            Op::Convert(device, pick) => {
                let device = device % n;
                let mut store = self.laptops[device].store();
                let leads = store
                    .list_leads(&LeadQuery {
                        paging: paging(),
                        ..LeadQuery::default()
                    })
                    .expect("lists")
                    .data;
                let Some(lead) = pick_one(&leads, pick).filter(|lead| lead.converted_at.is_none())
                else {
                    return;
                };
                let actor = store.actor();
                let request = ConvertLead {
                    create_customer: true,
                    create_contact: true,
                    create_deal: true,
                    deal_name: Some(format!("Deal {step}")),
                    deal_value: Some(1_000.0 + step as f64),
                    ..ConvertLead::default()
                };
                // A customer like the lead's may exist already (converted on another device, or
                // a customer of the same name): the wizard then offers to link it. A refusal
                // is not an acknowledged edit.
                match store.convert_lead(&actor, lead.id, &request) {
                    Ok(_) | Err(crm_core::CoreError::Validation(_)) => {}
                    Err(error) => panic!("conversion failed: {error}"),
                }
            }
            Op::MoveDeal {
                device,
                pick,
                stage,
            } => {
                let device = device % n;
                let mut store = self.laptops[device].store();
                let deals: Vec<Deal> = store
                    .list_deals(&DealQuery {
                        paging: paging(),
                        ..DealQuery::default()
                    })
                    .expect("lists")
                    .data;
                let Some(deal) = pick_one(&deals, pick) else {
                    return;
                };
                let Ok(pipeline) = store.default_pipeline() else {
                    return;
                };
                let stages = pipeline.ordered_stages();
                let (stage_id, _) = stages[stage % stages.len().min(5)];
                let actor = store.actor();
                let request = MoveDealStage {
                    stage_id,
                    notes: None,
                    update_probability: true,
                };
                // A deal already won or lost refuses to move: that is the rule, not a failure.
                let _ = store.move_deal_stage(&actor, deal.id, &request);
            }
            Op::Sync(device) => self.sync(step, device % n),
            Op::Offline(device) => self.laptops[device % n].online = false,
            Op::Online(device) => self.laptops[device % n].online = true,
            Op::RestartDevice(device) => {
                // The app quits and starts again: the store is opened anew from its file (the
                // old connection closes as the new one replaces it).
                let laptop = &mut self.laptops[device % n];
                let path = laptop.dir.path().join(STORE_FILE_NAME);
                laptop.store = Mutex::new(Store::open(&path).expect("store reopens"));
            }
            Op::RestartServer => {
                if let Some(server) = self.server.take() {
                    self.runtime.block_on(server.stop()).expect("server stops");
                }
                let address = self.address.to_string();
                let server = self.runtime.block_on(start_dev_server(
                    self.server_dir.path(),
                    &address,
                    TOKEN,
                ));
                self.server = Some(server);
            }
        }
    }

    fn sync(&mut self, step: usize, device: usize) {
        if !self.laptops[device].online {
            return;
        }
        let client = SyncClient::new(&self.url(), TOKEN).expect("client");
        let report = self
            .runtime
            .block_on(sync_now(&self.laptops[device].store, &client))
            .expect("sync succeeds while online");
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        for edit in &mut self.edits {
            if edit.device == device && edit.pushed_at.is_none() {
                edit.pushed_at = Some(step);
            }
        }
        self.laptops[device].last_sync = Some(step);
    }

    /// Everything a device shows that must be the same everywhere.
    fn snapshot(store: &Store) -> Snapshot {
        let customers = store
            .list_customers(&CustomerQuery {
                paging: paging(),
                ..CustomerQuery::default()
            })
            .expect("lists")
            .data;
        let deals = store
            .list_deals(&DealQuery {
                paging: paging(),
                ..DealQuery::default()
            })
            .expect("lists")
            .data;
        let leads = store
            .list_leads(&LeadQuery {
                paging: paging(),
                ..LeadQuery::default()
            })
            .expect("lists")
            .data;
        let trash = store
            .list_trash()
            .expect("trash")
            .into_iter()
            .map(|item| (item.id, item.title, item.deleted_at))
            .collect();
        let conflicts = store
            .list_conflicts()
            .expect("conflicts")
            .into_iter()
            .map(|conflict| {
                let values = conflict
                    .values
                    .iter()
                    .map(|value| (value.value.to_string(), value.shown))
                    .collect();
                ((conflict.record_id, conflict.field), values)
            })
            .collect();
        Snapshot {
            customers: serde_json::to_value(customers).expect("json"),
            deals: serde_json::to_value(deals).expect("json"),
            leads: serde_json::to_value(leads).expect("json"),
            trash,
            conflicts,
        }
    }

    fn finish_and_check(mut self, steps: usize) -> Result<(), TestCaseError> {
        for laptop in &mut self.laptops {
            laptop.online = true;
        }
        // Two passes: the first pushes everything, the second pulls what later devices pushed.
        for pass in 0..2 {
            for device in 0..self.laptops.len() {
                self.sync(steps + pass * self.laptops.len() + device, device);
            }
        }
        let snapshots: Vec<Snapshot> = self
            .laptops
            .iter()
            .map(|laptop| World::snapshot(&laptop.store()))
            .collect();
        for (device, snapshot) in snapshots.iter().enumerate().skip(1) {
            prop_assert_eq!(
                snapshot,
                &snapshots[0],
                "device {} differs from device 0",
                device
            );
        }
        // The server holds the same: a new device bootstraps to the same records.
        let newcomer = Laptop::open(tempfile::tempdir().expect("temp dir"));
        newcomer
            .store()
            .join_server(
                &self.url(),
                &dev_account(TOKEN),
                "dev@localhost",
                FirstSync::StartFromServer,
            )
            .expect("joins");
        let client = SyncClient::new(&self.url(), TOKEN).expect("client");
        self.runtime
            .block_on(sync_now(&newcomer.store, &client))
            .expect("bootstraps");
        prop_assert_eq!(
            &World::snapshot(&newcomer.store()),
            &snapshots[0],
            "the server differs"
        );

        // Every acknowledged edit is shown, overwritten by an edit that saw it, or a conflict.
        let shown: BTreeMap<CustomerId, Json> = {
            let store = self.laptops[0].store();
            let mut shown = BTreeMap::new();
            for edit in &self.edits {
                if let Ok(customer) = store.get::<Customer>(edit.record) {
                    shown.insert(edit.record, serde_json::to_value(customer).expect("json"));
                }
            }
            shown
        };
        let overwritten: BTreeSet<usize> = self
            .edits
            .iter()
            .flat_map(|edit| edit.overwrites.iter().copied())
            .collect();
        let mut latest: BTreeMap<(CustomerId, &str), BTreeSet<String>> = BTreeMap::new();
        for (index, edit) in self.edits.iter().enumerate() {
            if !overwritten.contains(&index) {
                latest
                    .entry((edit.record, edit.field))
                    .or_default()
                    .insert(edit.value.to_string());
            }
        }
        let conflicts = &snapshots[0].conflicts;
        if std::env::var_os("CONVERGENCE_STATS").is_some() {
            let concurrent = latest.values().filter(|values| values.len() > 1).count();
            eprintln!(
                "{} devices, {steps} steps: {} edits, {} fields, {concurrent} with concurrent edits, {} conflicts, {} trashed",
                self.laptops.len(),
                self.edits.len(),
                latest.len(),
                conflicts.len(),
                snapshots[0].trash.len(),
            );
        }
        for ((record, field), values) in latest {
            let Some(customer) = shown.get(&record) else {
                continue;
            };
            let value = customer[field].to_string();
            prop_assert!(
                values.contains(&value),
                "{record:?}.{field} shows {value}, not one of its latest edits {values:?}"
            );
            let conflict = conflicts.get(&(RecordId::from(record), field.to_owned()));
            if values.len() == 1 {
                prop_assert!(
                    conflict.is_none(),
                    "{record:?}.{field}: a conflict without concurrent edits"
                );
            } else {
                let Some(conflict) = conflict else {
                    return Err(TestCaseError::fail(format!(
                        "{record:?}.{field}: concurrent edits {values:?} but no conflict"
                    )));
                };
                let listed: BTreeSet<String> =
                    conflict.iter().map(|(value, _)| value.clone()).collect();
                prop_assert_eq!(&listed, &values, "{:?}.{} conflict values", record, field);
            }
        }
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop()).expect("server stops");
        }
        Ok(())
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    customers: Json,
    deals: Json,
    leads: Json,
    trash: BTreeSet<(RecordId, String, String)>,
    conflicts: BTreeMap<(RecordId, String), Vec<(String, bool)>>,
}

fn pick_one<T>(items: &[T], pick: usize) -> Option<&T> {
    (!items.is_empty()).then(|| &items[pick % items.len()])
}

fn cases() -> u32 {
    std::env::var("CONVERGENCE_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_device_and_the_server_converge_and_no_acknowledged_edit_is_lost(
        devices in 3..=5usize,
        ops in proptest::collection::vec(op(), 10..64),
    ) {
        // A team shares some records before the random part: three customers every device has.
        let shared = (0..3)
            .map(|_| Op::CreateCustomer(0))
            .chain((0..devices).map(Op::Sync));
        let ops: Vec<Op> = shared.chain(ops).collect();
        let mut world = World::new(devices);
        for (step, op) in ops.iter().enumerate() {
            world.apply(step, op);
        }
        world.finish_and_check(ops.len())?;
    }
}
