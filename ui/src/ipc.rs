//! The only module that talks to the Tauri shell.
//!
//! Every call goes through [`call`], typed by a [`Command`] of the protocol crate, so the command
//! name, the request and the response cannot drift from the shell's handler; every event the
//! shell sends is received through [`listen`], typed by an [`Event`] the same way. The shell exposes
//! `window.__TAURI__.core.invoke` because the app is configured with `withGlobalTauri`; the
//! request travels as the single argument named [`REQUEST_ARGUMENT`].
//!
//! Values cross the boundary as JSON text (`serde_json` + `JSON.parse`/`JSON.stringify`) rather
//! than through `serde-wasm-bindgen`: Tauri serializes the arguments as JSON anyway, and this way
//! maps become plain objects and 64-bit numbers keep the JSON meaning the shell expects.

use crm_protocol::ipc::{Command, ErrorKind, Event, IpcError, REQUEST_ARGUMENT};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    async fn tauri_invoke(command: &str, arguments: JsValue) -> Result<JsValue, JsValue>;

    /// Resolves to the function that stops listening.
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "event"], js_name = listen)]
    async fn tauri_listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;
}

/// Listening to an event of the shell; stops when dropped.
pub(crate) struct Listener {
    unlisten: js_sys::Function,
    // Called by Tauri for each event; must live as long as the listening does.
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Err(error) = self.unlisten.call0(&JsValue::NULL) {
            web_sys::console::warn_1(&error);
        }
    }
}

/// Calls `on_event` with the payload of every event `E` the shell sends from now on.
pub(crate) async fn listen<E: Event + 'static>(
    on_event: impl Fn(E::Payload) + 'static,
) -> Result<Listener, IpcError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .and_then(|payload| js_sys::JSON::stringify(&payload))
            .map(String::from);
        match payload.map(|text| decode_response::<E::Payload>(&text)) {
            Ok(Ok(payload)) => on_event(payload),
            Ok(Err(error)) => web_sys::console::warn_1(&error.message.into()),
            Err(error) => web_sys::console::warn_1(&error),
        }
    });
    let unlisten = tauri_listen(E::NAME, handler.as_ref().unchecked_ref())
        .await
        .map_err(|rejection| rejection_to_error(&rejection))?;
    let unlisten = unlisten
        .dyn_into::<js_sys::Function>()
        .map_err(|value| internal(&value))?;
    Ok(Listener {
        unlisten,
        _handler: handler,
    })
}

/// Runs command `C` in the shell and returns its response, or the error it answered with.
pub(crate) async fn call<C: Command>(request: &C::Request) -> Result<C::Response, IpcError> {
    let arguments = encode_arguments(request)?;
    let arguments = js_sys::JSON::parse(&arguments).map_err(|error| internal(&error))?;
    match tauri_invoke(C::NAME, arguments).await {
        Ok(value) => {
            let text = js_sys::JSON::stringify(&value).map_err(|error| internal(&error))?;
            decode_response::<C::Response>(&String::from(text))
        }
        Err(rejection) => Err(rejection_to_error(&rejection)),
    }
}

/// The invoke arguments `{ request: <request> }` as JSON text.
fn encode_arguments<T: serde::Serialize>(request: &T) -> Result<String, IpcError> {
    let request = serde_json::to_value(request).map_err(|error| {
        IpcError::new(
            ErrorKind::Internal,
            format!("could not encode the request: {error}"),
        )
    })?;
    let mut arguments = serde_json::Map::new();
    arguments.insert(REQUEST_ARGUMENT.to_owned(), request);
    Ok(serde_json::Value::Object(arguments).to_string())
}

fn decode_response<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, IpcError> {
    serde_json::from_str(text).map_err(|error| {
        IpcError::new(
            ErrorKind::Internal,
            format!("the app answered in an unexpected shape: {error}"),
        )
    })
}

/// A rejected invoke carries the command's serialized [`IpcError`] when the command failed, a
/// plain string when Tauri itself refused the call (unknown command, bad arguments), and a JS
/// `Error` when there is no Tauri at all (the UI opened in a plain browser).
fn rejection_to_error(rejection: &JsValue) -> IpcError {
    if let Some(error) = rejection.dyn_ref::<js_sys::Error>() {
        return IpcError::new(
            ErrorKind::Unavailable,
            format!(
                "the desktop app did not answer: {}",
                String::from(error.message())
            ),
        );
    }
    match js_sys::JSON::stringify(rejection) {
        Ok(text) => error_from_json(&String::from(text)),
        Err(error) => internal(&error),
    }
}

/// Reads a rejection's JSON: a serialized [`IpcError`] as it is, anything else as an internal
/// error carrying the text.
fn error_from_json(text: &str) -> IpcError {
    if let Ok(error) = serde_json::from_str::<IpcError>(text) {
        return error;
    }
    let message = match serde_json::from_str::<String>(text) {
        Ok(message) => message,
        Err(_) => text.to_owned(),
    };
    IpcError::new(ErrorKind::Internal, message)
}

fn internal(value: &JsValue) -> IpcError {
    IpcError::new(ErrorKind::Internal, format!("{value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_model::{FieldError, Rule};

    #[test]
    fn arguments_wrap_the_request() {
        let text = encode_arguments(&serde_json::json!({"name": "Acme"})).expect("encodes");
        assert_eq!(text, r#"{"request":{"name":"Acme"}}"#);
    }

    #[test]
    fn rejections_become_ipc_errors() {
        let validation = IpcError {
            kind: ErrorKind::Validation,
            message: "Please correct: name is required".into(),
            fields: vec![FieldError {
                field: "name".into(),
                rule: Rule::Required,
            }],
        };
        let cases = [
            (
                serde_json::to_string(&validation).expect("serializes"),
                validation.clone(),
            ),
            (
                r#""command create_customer not found""#.to_owned(),
                IpcError::new(ErrorKind::Internal, "command create_customer not found"),
            ),
            ("{}".to_owned(), IpcError::new(ErrorKind::Internal, "{}")),
        ];
        for (text, expected) in cases {
            assert_eq!(error_from_json(&text), expected, "{text}");
        }
    }

    #[test]
    fn responses_decode_or_say_why_not() {
        assert_eq!(decode_response::<u32>("7"), Ok(7));
        let error = decode_response::<u32>(r#""seven""#).expect_err("not a number");
        assert_eq!(error.kind, ErrorKind::Internal);
    }
}
