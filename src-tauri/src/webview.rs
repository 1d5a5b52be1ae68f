//! How the webview draws the UI.
//!
//! WebKitGTK composites the page with OpenGL. On a machine without a GPU (a virtual machine, a
//! remote desktop, a test display) that OpenGL is Mesa's software rasterizer: every frame then
//! costs 70-140 ms, and each click or keystroke waits for one. Painting without compositing is
//! several times quicker there (BENCHMARKS.md, "Desktop UI": lists 40-50 ms instead of 100-120,
//! a Customer 360 19 ms instead of 80, an idle frame 5 ms instead of 80). So the app paints
//! without compositing when the machine has no GPU render node, and keeps WebKit's default
//! when it has one. `FIELD_CRM_GPU_COMPOSITING=on|off` overrides the choice.
//!
//! The end-to-end tests run the app as shipped. Without compositing an idle page paints no
//! frame, and WebKitWebDriver answers a screenshot only after the next one, so the tests'
//! `Screenshots::take` repaints one pixel while it waits (BENCHMARKS.md, session 10).

/// The environment variable: `off` paints without compositing, `on` keeps WebKit's default;
/// unset, the machine's GPU decides.
pub(crate) const SETTING_VARIABLE: &str = "FIELD_CRM_GPU_COMPOSITING";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compositing {
    /// WebKit's default: composite with OpenGL.
    Gpu,
    /// Paint without compositing: for software-only OpenGL.
    Off,
}

/// The compositing for a machine that has a GPU (`gpu`) or not, unless `setting` (the
/// variable's value, if set) chooses.
pub(crate) fn choose(setting: Option<&str>, gpu: bool) -> anyhow::Result<Compositing> {
    match setting.map(str::trim) {
        None | Some("") if gpu => Ok(Compositing::Gpu),
        None | Some("") => Ok(Compositing::Off),
        Some("on") => Ok(Compositing::Gpu),
        Some("off") => Ok(Compositing::Off),
        Some(other) => anyhow::bail!("{SETTING_VARIABLE}={other:?}: expected on or off"),
    }
}

/// Whether the machine has a GPU WebKit could composite with: a DRM render node in `dri` (on
/// Linux, `/dev/dri`). Without one, Mesa's OpenGL is the software rasterizer.
pub(crate) fn has_gpu(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// What this run uses.
pub(crate) fn compositing() -> anyhow::Result<Compositing> {
    // Elsewhere than Linux the policy is not applied (`apply`), so the answer does not matter.
    let gpu = !cfg!(target_os = "linux") || has_gpu(std::path::Path::new("/dev/dri"));
    choose(std::env::var(SETTING_VARIABLE).ok().as_deref(), gpu)
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
    fn compositing_follows_the_gpu_unless_chosen() {
        assert_eq!(choose(None, true).ok(), Some(Compositing::Gpu));
        assert_eq!(choose(None, false).ok(), Some(Compositing::Off));
        assert_eq!(choose(Some(""), false).ok(), Some(Compositing::Off));
        assert_eq!(choose(Some("on"), false).ok(), Some(Compositing::Gpu));
        assert_eq!(choose(Some(" off "), true).ok(), Some(Compositing::Off));
        let error = choose(Some("yes"), true)
            .err()
            .map(|error| error.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|text| text.contains(SETTING_VARIABLE)),
            "{error:?}"
        );
    }

    #[test]
    fn a_render_node_is_a_gpu() {
        let dri = tempfile::tempdir().expect("temp dir");
        assert!(!has_gpu(dri.path()));
        std::fs::write(dri.path().join("card0"), b"").expect("card");
        assert!(!has_gpu(dri.path()), "a card without a render node");
        std::fs::write(dri.path().join("renderD128"), b"").expect("render node");
        assert!(has_gpu(dri.path()));
        assert!(!has_gpu(&dri.path().join("missing")));
    }
}
