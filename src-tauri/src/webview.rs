//! How the webview draws the UI.
//!
//! WebKitGTK composites the page with OpenGL. On a machine without a GPU driver (a virtual
//! machine, a remote desktop, a test display) that OpenGL is Mesa's software rasterizer: every
//! frame then costs 70-140 ms, and each click or keystroke waits for one. Painting without
//! compositing is several times quicker there (BENCHMARKS.md, "Desktop UI": lists 40-50 ms
//! instead of 100-120, an idle frame 5 ms instead of 80). `FIELD_CRM_GPU_COMPOSITING=off` turns
//! it on.
//!
//! It is not the default, even without a GPU: in that mode the end-to-end tour's WebDriver
//! session stopped answering in three of three runs, at different steps (every process idle),
//! and until that is understood a rep's app must not risk the same.

/// The environment variable: `off` paints without compositing; `on` (or unset) keeps WebKit's
/// default.
pub(crate) const SETTING_VARIABLE: &str = "FIELD_CRM_GPU_COMPOSITING";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compositing {
    /// WebKit's default: composite with OpenGL.
    Gpu,
    /// Paint without compositing: for software-only OpenGL.
    Off,
}

/// The compositing `setting` (the variable's value, if set) asks for.
pub(crate) fn choose(setting: Option<&str>) -> anyhow::Result<Compositing> {
    match setting.map(str::trim) {
        None | Some("" | "on") => Ok(Compositing::Gpu),
        Some("off") => Ok(Compositing::Off),
        Some(other) => anyhow::bail!("{SETTING_VARIABLE}={other:?}: expected on or off"),
    }
}

/// What this run asks for.
pub(crate) fn compositing() -> anyhow::Result<Compositing> {
    choose(std::env::var(SETTING_VARIABLE).ok().as_deref())
}

/// Applies `compositing` to the window's webview (WebKitGTK's hardware acceleration policy).
pub(crate) fn apply(window: &tauri::WebviewWindow, compositing: Compositing) -> tauri::Result<()> {
    if compositing == Compositing::Gpu {
        return Ok(());
    }
    window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{SettingsExt as _, WebViewExt as _};
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(
                    webkit2gtk::HardwareAccelerationPolicy::Never,
                );
            }
        }
        #[cfg(not(target_os = "linux"))]
        drop(webview);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_stays_on_unless_turned_off() {
        assert_eq!(choose(None).ok(), Some(Compositing::Gpu));
        assert_eq!(choose(Some("on")).ok(), Some(Compositing::Gpu));
        assert_eq!(choose(Some(" off ")).ok(), Some(Compositing::Off));
        let error = choose(Some("yes")).err().map(|error| error.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|text| text.contains(SETTING_VARIABLE)),
            "{error:?}"
        );
    }
}
