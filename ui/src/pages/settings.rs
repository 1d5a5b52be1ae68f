//! Settings: the account this laptop syncs with (sign in, sync now, sign out), CSV import and
//! export, the pipelines and their stages, lead scoring rules, custom fields, tags, the users directory, demo
//! data for a first look, and the theme.

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::PageHeader;
use crate::components::palette::load_demo_data;
use crate::hooks::{use_app, use_sync};
use crate::pages::account::AccountSection;
use crate::pages::directory::{CustomFieldsSection, ScoringSection, TagsSection, UsersSection};
use crate::pages::pipeline_settings::PipelineSettings;
use crate::pages::transfer::{ExportSection, ImportWizard};
use crate::state::AppAction;

#[component]
pub(crate) fn SettingsPage() -> Html {
    let app = use_app();
    let sync = use_sync();
    let loading = use_state(|| false);
    let load = {
        let app = app.clone();
        let loading = loading.clone();
        Callback::from(move |_: MouseEvent| {
            let app = app.clone();
            let loading = loading.clone();
            loading.set(true);
            spawn_local(async move {
                load_demo_data(app).await;
                loading.set(false);
            });
        })
    };
    let toggle_theme = app.dispatch.reform(|_: MouseEvent| AppAction::ToggleTheme);
    html! {
        <>
            <PageHeader title="Settings" subtitle="This laptop's CRM" />
            <div class="page-body grid-2">
                <AccountSection {sync} />
                <ImportWizard />
                <ExportSection />
                <PipelineSettings />
                <ScoringSection />
                <CustomFieldsSection />
                <TagsSection />
                <UsersSection />
                <section class="card">
                    <h2 class="card-title">{ "Demo data" }</h2>
                    <p class="muted">{ "Fill the CRM with a realistic company: about 2,000 customers, contacts, leads, deals, communications and activities, owned by a small sales team. Useful for a first look; it adds to what is already here." }</p>
                    <button type="button" class="button primary" onclick={load} disabled={*loading} data-testid="settings-load-demo">
                        { if *loading { "Loading demo data…" } else { "Load demo data" } }
                    </button>
                </section>
                <section class="card">
                    <h2 class="card-title">{ "Appearance" }</h2>
                    <p class="muted">{ "Light or dark; Ctrl+K opens search and commands from anywhere." }</p>
                    <button type="button" class="button" onclick={toggle_theme}>{ "Switch theme" }</button>
                </section>
            </div>
        </>
    }
}
