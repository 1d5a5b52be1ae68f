//! Settings' "Account & sync" section: the sign-in form while this laptop is not syncing, the
//! account and its last sync with "Sync now" and "Sign out" while it is.

use crm_protocol::ipc::{
    DownloadAttachments, FirstSyncChoice, SignIn, SignOut, SyncNow, SyncState,
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::TextField;
use crate::hooks::{AppContext, use_app};
use crate::ipc;
use crate::state::{
    AppAction, SignInAction, SignInField, SignInForm, bootstrap_progress, last_sync,
    needs_first_sync,
};

/// What the server's device list shows for this laptop until the user changes it.
fn suggested_device_name() -> String {
    let platform = web_sys::window()
        .and_then(|window| window.navigator().platform().ok())
        .filter(|platform| !platform.trim().is_empty());
    match platform {
        Some(platform) => format!("Field CRM on {platform}"),
        None => "Field CRM laptop".to_owned(),
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct AccountSectionProps {
    pub(crate) sync: Option<SyncState>,
}

#[component]
pub(crate) fn AccountSection(props: &AccountSectionProps) -> Html {
    let sync = props.sync.as_ref();
    html! {
        <section class="card account-card" aria-labelledby="account-title" data-testid="account-section">
            <h2 id="account-title" class="card-title">{ "Account & sync" }</h2>
            if let Some(sync) = sync.filter(|sync| sync.signed_in) {
                <SignedIn sync={sync.clone()} />
            } else {
                <SignInFormView sync={props.sync.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SignedInProps {
    sync: SyncState,
}

fn run_and_show<C>(app: &AppContext, busy: &UseStateHandle<bool>, success: &'static str)
where
    C: crm_protocol::ipc::Command<Request = (), Response = SyncState> + 'static,
{
    let app = app.clone();
    let busy = busy.clone();
    busy.set(true);
    spawn_local(async move {
        match ipc::call::<C>(&()).await {
            Ok(state) => {
                app.dispatch.emit(AppAction::SyncLoaded(state));
                app.success(success);
            }
            Err(error) => app.error(error.message),
        }
        busy.set(false);
    });
}

#[component]
fn SignedIn(props: &SignedInProps) -> Html {
    let app = use_app();
    let busy = use_state(|| false);
    let sync_now = {
        let (app, busy) = (app.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            run_and_show::<SyncNow>(&app, &busy, "Syncing now");
        })
    };
    let download = {
        let (app, busy) = (app.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let (app, busy) = (app.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match ipc::call::<DownloadAttachments>(&()).await {
                    Ok(0) => app.success("Every attachment file is already on this laptop."),
                    Ok(1) => app.success("1 attachment file downloaded: it opens offline now."),
                    Ok(count) => app.success(format!(
                        "{count} attachment files downloaded: they open offline now."
                    )),
                    Err(error) => app.error(format!(
                        "The files could not be downloaded: {}",
                        error.message
                    )),
                }
                busy.set(false);
            });
        })
    };
    let sign_out = {
        let (app, busy) = (app.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            run_and_show::<SignOut>(
                &app,
                &busy,
                "Signed out. Your records stay on this laptop; changes sync after you sign in again.",
            );
        })
    };
    let sync = &props.sync;
    let account = sync.account.as_ref();
    html! {
        <>
            <dl class="account-summary" data-testid="account-summary">
                <dt>{ "Server" }</dt>
                <dd data-testid="account-server">{ account.map(|a| a.server_url.clone()).unwrap_or_default() }</dd>
                <dt>{ "Signed in as" }</dt>
                <dd data-testid="account-email">{ account.map(|a| a.email.clone()).unwrap_or_default() }</dd>
                <dt>{ "Role" }</dt>
                <dd>{ account.map(|a| a.role.label()).unwrap_or_default() }</dd>
                <dt>{ "Sync" }</dt>
                <dd data-testid="account-last-sync">{ last_sync(sync) }</dd>
            </dl>
            if let Some(progress) = bootstrap_progress(sync) {
                <p class="muted" data-testid="account-bootstrap">{ progress }</p>
            }
            if let Some(error) = &sync.last_error {
                <p class="banner banner-error">{ error.clone() }</p>
            }
            if sync.session_only {
                <p class="muted">{ "Your sign-in is kept for this session only: you will sign in again after restarting the app." }</p>
            }
            <div class="actions">
                <button type="button" class="button primary" onclick={sync_now} disabled={*busy} data-testid="sync-now">{ "Sync now" }</button>
                <button type="button" class="button" onclick={download} disabled={*busy} data-testid="download-attachments"
                    title="Before a trip: keep every attached file on this laptop">{ "Download all files for offline" }</button>
                <button type="button" class="button" onclick={sign_out} disabled={*busy} data-testid="sign-out">{ "Sign out" }</button>
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SignInFormProps {
    sync: Option<SyncState>,
}

#[component]
fn SignInFormView(props: &SignInFormProps) -> Html {
    let app = use_app();
    let form = use_reducer(|| SignInForm::new(suggested_device_name()));
    {
        let form = form.dispatcher();
        use_effect_with(props.sync.clone(), move |sync| {
            form.dispatch(SignInAction::Prefill(sync.clone()));
        });
    }
    let first_sync_needed = needs_first_sync(props.sync.as_ref(), &form.request);

    let submit = {
        let form = form.clone();
        let app = app.clone();
        Callback::from(move |session_only: bool| {
            if form.submitting {
                return;
            }
            let mut request = match form.validated(first_sync_needed) {
                Ok(request) => request,
                Err(errors) => {
                    form.dispatch(SignInAction::Invalid(errors));
                    return;
                }
            };
            request.session_only |= session_only;
            if session_only {
                form.dispatch(SignInAction::SessionOnly);
            }
            form.dispatch(SignInAction::Submitted);
            let form = form.dispatcher();
            let app = app.clone();
            spawn_local(async move {
                match ipc::call::<SignIn>(&request).await {
                    Ok(state) => {
                        form.dispatch(SignInAction::SignedIn);
                        app.dispatch.emit(AppAction::SyncLoaded(state));
                        app.success("Signed in: this laptop now syncs with the server.");
                    }
                    Err(error) => form.dispatch(SignInAction::Failed(error)),
                }
            });
        })
    };
    let onsubmit = submit.reform(|event: SubmitEvent| {
        event.prevent_default();
        false
    });
    let session_only = submit.reform(|_: MouseEvent| true);

    let field = |field: SignInField, input_type: &'static str| {
        let dispatcher = form.dispatcher();
        let on_input = Callback::from(move |value: String| {
            dispatcher.dispatch(SignInAction::Edit(field, value));
        });
        html! {
            <TextField id={format!("sign-in-{}", field.name())} label={field.label()}
                input_type={input_type} required=true
                value={AttrValue::from(form.value(field).to_owned())}
                error={form.error(field.name())} {on_input} />
        }
    };
    let choice = |value: FirstSyncChoice, label: &'static str, testid: &'static str| {
        let dispatcher = form.dispatcher();
        let onchange = Callback::from(move |_: Event| {
            dispatcher.dispatch(SignInAction::ChooseFirstSync(value));
        });
        html! {
            <label class="check">
                <input type="radio" name="first-sync" checked={form.request.first_sync == Some(value)}
                    {onchange} data-testid={testid} />
                { label }
            </label>
        }
    };
    let earlier = props.sync.as_ref().and_then(|sync| sync.account.as_ref());

    html! {
        <form class="form" {onsubmit} data-testid="sign-in-form" novalidate=true>
            if let Some(account) = earlier {
                <p class="muted">{ format!("This laptop's records sync with {} as {}. Sign in again to resume syncing.", account.server_url, account.email) }</p>
            } else {
                <p class="muted">{ "Sign in to your company's sync server to share records with your team. Everything keeps working offline." }</p>
            }
            { field(SignInField::ServerUrl, "url") }
            { field(SignInField::Tenant, "text") }
            { field(SignInField::Email, "email") }
            { field(SignInField::Password, "password") }
            { field(SignInField::DeviceName, "text") }
            if first_sync_needed {
                <fieldset class="first-sync" data-testid="first-sync">
                    <legend>{ "This laptop already holds records" }</legend>
                    { choice(FirstSyncChoice::UploadLocalData, "Upload them into the company's data", "first-sync-upload") }
                    { choice(FirstSyncChoice::StartFromServer, "Set them aside and start from the server's data", "first-sync-server") }
                    if let Some(error) = form.error("firstSync") {
                        <p class="field-error" data-testid="first-sync-error">{ error }</p>
                    }
                </fieldset>
            }
            if let Some(message) = &form.keyring_unavailable {
                <div class="banner banner-error" data-testid="keyring-unavailable">
                    <p>{ message.clone() }</p>
                    <button type="button" class="button" onclick={session_only} data-testid="sign-in-session-only">
                        { "Keep my sign-in for this session only" }
                    </button>
                </div>
            }
            if let Some(failure) = &form.failure {
                <p class="banner banner-error" data-testid="sign-in-failure">{ failure.clone() }</p>
            }
            <button type="submit" class="button primary" disabled={form.submitting} data-testid="sign-in">
                { if form.submitting { "Signing in…" } else { "Sign in" } }
            </button>
        </form>
    }
}
