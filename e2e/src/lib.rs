//! Helpers for driving the real desktop app end to end: start `tauri-driver` (which runs
//! WebKitWebDriver, which runs the app), open WebDriver sessions on a data directory, wait for
//! elements and save a screenshot of each step.
//!
//! The app binary comes from `CRM_APP_BINARY`, set by `cargo xtask test` after it built the UI
//! and the app; the tests need an X display (the xtask runs them under Xvfb).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// `tauri-driver`'s port; WebKitWebDriver gets [`NATIVE_PORT`], since its default (4445) would
/// collide with a `tauri-driver --port 4445`.
const DRIVER_PORT: u16 = 4444;
const NATIVE_PORT: u16 = 4446;

/// How long the app may take to show something: a cold WebKit start under Xvfb on 2 cores.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The app binary under test, from `CRM_APP_BINARY`.
pub fn app_binary() -> anyhow::Result<PathBuf> {
    let Some(path) = std::env::var_os("CRM_APP_BINARY") else {
        bail!(
            "CRM_APP_BINARY is not set. Run the end-to-end tests with `cargo xtask test`, which \
             builds the UI and the app, sets CRM_APP_BINARY and starts an X display."
        );
    };
    let path = PathBuf::from(path);
    if !path.is_file() {
        bail!(
            "CRM_APP_BINARY={} is not a file; run `cargo xtask test`",
            path.display()
        );
    }
    Ok(path)
}

/// A running `tauri-driver`. Dropping it stops it with SIGTERM, which lets it stop
/// WebKitWebDriver too (SIGKILL would leave WebKitWebDriver running).
///
/// One driver runs at a time: they all listen on [`DRIVER_PORT`], and two apps painting at once
/// on 2 cores would make each other's waits time out. The tests of one binary run on parallel
/// threads (`cargo xtask test` runs the whole workspace in one `cargo test`), so each driver
/// holds its turn until it is dropped.
pub struct Driver {
    child: Child,
    /// Released after `drop` has stopped the child: fields drop after `Drop::drop`.
    _turn: MutexGuard<'static, ()>,
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

impl Driver {
    /// A driver whose apps paint as they would for a rep on this machine (composited with a
    /// GPU, not composited without one: `src-tauri/src/webview.rs`).
    pub fn start() -> anyhow::Result<Driver> {
        Driver::start_with_env(&[])
    }

    /// [`Driver::start`], with environment variables that reach the apps it starts (they
    /// inherit them through WebKitWebDriver).
    pub fn start_with_env(variables: &[(&str, &std::ffi::OsStr)]) -> anyhow::Result<Driver> {
        // A test that failed while holding its turn poisons the lock; the next may still run.
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let program = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let child = Command::new(&program)
            .envs(variables.iter().copied())
            .args([
                "--port",
                &DRIVER_PORT.to_string(),
                "--native-port",
                &NATIVE_PORT.to_string(),
            ])
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (installed by `cargo xtask setup` under ~/.cache/crm/tools/bin)",
                    program.to_string_lossy()
                )
            })?;
        let driver = Driver { child, _turn: turn };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", DRIVER_PORT)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {DRIVER_PORT}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    /// Opens a session: WebKitWebDriver starts the app with `--data-dir data_dir`.
    pub async fn open_app(&self, app: &Path, data_dir: &Path) -> anyhow::Result<Client> {
        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": {
                "application": app,
                "args": ["--data-dir", data_dir],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be a JSON object");
        };
        ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{DRIVER_PORT}"))
            .await
            .context("opening a WebDriver session on the app")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if !stopped {
            eprintln!("could not SIGTERM tauri-driver; killing it");
            if let Err(error) = self.child.kill() {
                eprintln!("could not kill tauri-driver: {error}");
            }
        }
        if let Err(error) = self.child.wait() {
            eprintln!("tauri-driver did not exit cleanly: {error}");
        }
    }
}

/// Fails unless the test runs with an unlocked Secret Service (gnome-keyring, which
/// `cargo xtask test` starts and announces with `CRM_TEST_KEYRING`): signing in keeps the
/// device token there, and a locked keyring would open an unlock dialog instead.
pub fn require_test_keyring() -> anyhow::Result<()> {
    anyhow::ensure!(
        std::env::var_os("CRM_TEST_KEYRING").is_some(),
        "this test needs an unlocked Secret Service: run it with `cargo xtask test`"
    );
    Ok(())
}

/// Waits until an element matching `css` exists and returns it.
pub async fn wait_for(client: &Client, css: &str) -> anyhow::Result<Element> {
    client
        .wait()
        .at_most(PATIENCE)
        .every(Duration::from_millis(100))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for `{css}`"))
}

/// Clicks the element matching `css` once it exists.
pub async fn click(client: &Client, css: &str) -> anyhow::Result<()> {
    wait_for(client, css)
        .await?
        .click()
        .await
        .with_context(|| format!("clicking {css}"))
}

/// Replaces the text of the input matching `css` with `text`.
pub async fn type_into(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let input = wait_for(client, css).await?;
    for attempt in 1..=2 {
        input
            .clear()
            .await
            .with_context(|| format!("clearing {css}"))?;
        input
            .send_keys(text)
            .await
            .with_context(|| format!("typing into {css}"))?;
        // WebKitWebDriver now and then loses the first keys it synthesizes (GTK logs
        // "gtk_widget_event: assertion 'WIDGET_REALIZED_FOR_EVENT'" as it drops them): the
        // field then holds the end of the text. Typed again once; a field that changes what is
        // typed in any other way is left for the test to judge.
        let value = input.prop("value").await?.unwrap_or_default();
        let lost_its_start = value.len() < text.len() && text.ends_with(value.as_str());
        if !lost_its_start {
            break;
        }
        eprintln!("typing into {css}: the field holds {value:?} of {text:?}; attempt {attempt}");
    }
    Ok(())
}

/// Signs in from Settings → Account & sync (starting from the server's data when asked) and
/// waits until the account shows.
pub async fn sign_in_from_settings(
    client: &Client,
    server_url: &str,
    tenant: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    click(client, "[data-testid=nav-settings]").await?;
    wait_for(client, "[data-testid=sign-in-form]").await?;
    type_into(client, "[data-testid=sign-in-serverUrl]", server_url).await?;
    type_into(client, "[data-testid=sign-in-tenant]", tenant).await?;
    type_into(client, "[data-testid=sign-in-email]", email).await?;
    type_into(client, "[data-testid=sign-in-password]", password).await?;
    if client
        .find(Locator::Css("[data-testid=first-sync]"))
        .await
        .is_ok()
    {
        click(client, "[data-testid=first-sync-server]").await?;
    }
    click(client, "[data-testid=sign-in]").await?;
    wait_for_text(client, "[data-testid=account-email]", email).await?;
    Ok(())
}

/// Waits until the element matching `css` shows `expected` in its text.
pub async fn wait_for_text(client: &Client, css: &str, expected: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(expected) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("`{css}` shows {text:?}, expected it to contain {expected:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `script` (a JavaScript expression) is true, for at most `patience`.
pub async fn wait_until(client: &Client, script: &str, patience: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + patience;
    loop {
        let value = client
            .execute(&format!("return Boolean({script});"), Vec::new())
            .await
            .with_context(|| format!("evaluating {script}"))?;
        if value == serde_json::Value::Bool(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("still false after {patience:?}: {script}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Sets the value of the element matching `css` (a `<select>`, a `<textarea>`, an input) and
/// fires `event` (`change` or `input`) as a person's choice or typing does. WebDriver's keys
/// cannot pick an option by value in every case, nor type a line break into a textarea in
/// WebKitWebDriver.
pub async fn set_value(client: &Client, css: &str, value: &str, event: &str) -> anyhow::Result<()> {
    wait_for(client, css).await?;
    client
        .execute(
            "const [css, value, type] = arguments; const element = document.querySelector(css);
             element.value = value; element.dispatchEvent(new Event(type, { bubbles: true }));",
            vec![css.into(), value.into(), event.into()],
        )
        .await
        .with_context(|| format!("setting {css} to {value}"))?;
    Ok(())
}

/// HTML5 drag and drop as the webview delivers it: dragstart on the card, dragover and drop on
/// the column, dragend, sharing one DataTransfer. WebDriver's pointer actions do not start
/// native drags in WebKitWebDriver, so the tests send the same events a person's drag makes.
const DRAG_AND_DROP: &str = r#"
const [cardSelector, columnSelector] = arguments;
const card = document.querySelector(cardSelector);
const column = document.querySelector(columnSelector);
if (!card || !column) { return "missing " + (card ? columnSelector : cardSelector); }
const transfer = new DataTransfer();
const fire = (target, type) => target.dispatchEvent(
    new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
fire(card, "dragstart");
fire(column, "dragenter");
fire(column, "dragover");
fire(column, "drop");
fire(card, "dragend");
return "dropped";
"#;

/// Drags the element matching `card` onto the one matching `column`.
pub async fn drag_and_drop(client: &Client, card: &str, column: &str) -> anyhow::Result<()> {
    let dropped = client
        .execute(DRAG_AND_DROP, vec![card.into(), column.into()])
        .await
        .with_context(|| format!("dragging {card} to {column}"))?;
    if dropped != "dropped" {
        bail!("drag and drop: {dropped}");
    }
    Ok(())
}

/// Saves numbered PNG screenshots of one scenario under
/// `$CARGO_TARGET_DIR/e2e-screenshots/<scenario>/` (or `target/e2e-screenshots` in the
/// workspace when `CARGO_TARGET_DIR` is not set).
pub struct Screenshots {
    directory: PathBuf,
    taken: u32,
}

impl Screenshots {
    pub fn new(scenario: &str) -> anyhow::Result<Screenshots> {
        let root = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(target) => PathBuf::from(target),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        };
        let directory = root.join("e2e-screenshots").join(scenario);
        if directory.exists() {
            std::fs::remove_dir_all(&directory)
                .with_context(|| format!("clearing {}", directory.display()))?;
        }
        std::fs::create_dir_all(&directory)
            .with_context(|| format!("creating {}", directory.display()))?;
        Ok(Screenshots {
            directory,
            taken: 0,
        })
    }

    pub async fn take(&mut self, client: &Client, step: &str) -> anyhow::Result<PathBuf> {
        self.taken += 1;
        // WebKitWebDriver's screenshot is the last frame painted, which lags the DOM the test
        // just checked: wait for two animation frames (one to lay out, one to paint) first.
        client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                Vec::new(),
            )
            .await
            .context("waiting for the page to be painted")?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        // WebKitWebDriver answers a screenshot after the next frame is painted. Painting
        // without compositing (the app's default without a GPU) paints nothing on an idle
        // page, so the screenshot would wait for ever: a 1-pixel change every 50 ms while it
        // waits gives it that frame.
        client
            .execute(NUDGE_START, Vec::new())
            .await
            .context("starting the repaint nudge")?;
        let png = client.screenshot().await.context("taking a screenshot");
        let stopped = client.execute(NUDGE_STOP, Vec::new()).await;
        let png = png?;
        stopped.context("stopping the repaint nudge")?;
        let path = self.directory.join(format!("{:02}-{step}.png", self.taken));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        println!("screenshot: {}", path.display());
        // What a person sees must also be readable: every screenshot is checked for contrast.
        check_contrast(client)
            .await
            .with_context(|| format!("the screen of {}", path.display()))?;
        Ok(path)
    }
}

/// Starts repainting one nearly transparent pixel in the bottom-right corner, every 50 ms.
const NUDGE_START: &str = "
    const nudge = document.createElement('div');
    nudge.id = 'e2e-repaint-nudge';
    nudge.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none';
    document.body.appendChild(nudge);
    let on = false;
    window.__e2eNudge = setInterval(() => {
        on = !on;
        nudge.style.background = on ? 'rgba(0,0,0,0.004)' : 'transparent';
    }, 50);";

/// Stops [`NUDGE_START`] and removes its pixel.
const NUDGE_STOP: &str = "
    clearInterval(window.__e2eNudge);
    document.getElementById('e2e-repaint-nudge')?.remove();";

impl Screenshots {
    /// Takes `step` in the theme shown, then `<step>-dark` (or `-light`) in the other one, and
    /// switches back: every page is seen, and its contrast checked, in both themes.
    pub async fn take_in_both_themes(&mut self, client: &Client, step: &str) -> anyhow::Result<()> {
        self.take(client, step).await?;
        let shown = theme(client).await?;
        let other = if shown == "dark" { "light" } else { "dark" };
        switch_theme_to(client, other).await?;
        self.take(client, &format!("{step}-{other}")).await?;
        switch_theme_to(client, &shown).await
    }
}

async fn theme(client: &Client) -> anyhow::Result<String> {
    let theme = client
        .execute(
            "return document.documentElement.dataset.theme || 'light';",
            Vec::new(),
        )
        .await
        .context("reading the theme")?;
    Ok(theme.as_str().unwrap_or("light").to_owned())
}

/// Switches to `theme` with the sidebar's button (clicked from script: a dialog's backdrop may
/// cover it) and waits for the page to follow.
pub async fn switch_theme_to(client: &Client, theme: &str) -> anyhow::Result<()> {
    client
        .execute(
            "document.querySelector('[data-testid=theme-toggle]').click();",
            Vec::new(),
        )
        .await
        .context("switching the theme")?;
    wait_until(
        client,
        &format!("document.documentElement.dataset.theme === '{theme}'"),
        Duration::from_secs(5),
    )
    .await
}

/// Fails when any text on screen has less contrast with what is painted behind it than WCAG AA
/// asks: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Text is every visible element
/// with text of its own (SVG text by its fill), judged where it is not covered (a dialog's
/// backdrop covers the page); disabled controls are exempt, as WCAG has them. The background is
/// the element's and its ancestors' colours composited; text over a gradient or image is
/// skipped (the app has one: the brand mark's letter).
pub async fn check_contrast(client: &Client) -> anyhow::Result<()> {
    let failures = client
        .execute(CONTRAST_SCRIPT, Vec::new())
        .await
        .context("measuring contrast")?;
    let failures: Vec<String> =
        serde_json::from_value(failures).context("reading the contrast check")?;
    if !failures.is_empty() {
        bail!(
            "{} text(s) fail WCAG AA contrast:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
    Ok(())
}

const CONTRAST_SCRIPT: &str = r#"
const parse = (text) => {
  const m = /rgba?\(([^)]+)\)/.exec(text || '');
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
const luminance = ({ r, g, b }) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const backdrop = (element) => {
  const layers = [];
  for (let e = element; e && e.nodeType === 1; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (style.backgroundImage && style.backgroundImage !== 'none') return null;
    const colour = parse(style.backgroundColor);
    if (colour && colour.a > 0) {
      layers.push(colour);
      if (colour.a >= 1) break;
    }
  }
  let colour = { r: 255, g: 255, b: 255, a: 1 };
  for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
  return colour;
};
const failures = [];
for (const element of document.body.querySelectorAll('*')) {
  const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || element.closest('[disabled], [aria-disabled="true"], [aria-hidden="true"], option, title, script, style')) continue;
  const style = getComputedStyle(element);
  if (style.visibility !== 'visible' || style.display === 'none' || Number(style.opacity) === 0) continue;
  const rect = element.getBoundingClientRect();
  if (rect.width < 1 || rect.height < 1) continue;
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(rect.top + Math.min(rect.height / 2, 8), 0), innerHeight - 1);
  if (rect.bottom <= 0 || rect.right <= 0 || rect.top >= innerHeight || rect.left >= innerWidth) continue;
  const top = document.elementFromPoint(x, y);
  if (!top || !(top === element || element.contains(top) || top.contains(element))) continue;
  const svg = element instanceof SVGElement;
  const text = parse(svg ? style.fill : style.color);
  const background = backdrop(svg ? element.closest('svg').parentElement : element);
  if (!text || !background) continue;
  const shown = over(text, background);
  const [light, dark] = [luminance(shown), luminance(background)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const bold = Number(style.fontWeight) >= 700 || style.fontWeight === 'bold';
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < needed) {
    const words = element.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
    failures.push(`${ratio.toFixed(2)}:1 < ${needed}:1  "${words}"  <${element.tagName.toLowerCase()} class="${element.getAttribute('class') || ''}">  ${style.color} on rgb(${Math.round(background.r)}, ${Math.round(background.g)}, ${Math.round(background.b)})`);
  }
}
return [...new Set(failures)].slice(0, 20);
"#;

/// Answers the app's native file dialog titled `title` (GTK's, outside the webview that
/// WebDriver reaches) with `path`, as a person would: the dialog gets the keyboard focus, its
/// location bar opens (Ctrl+L), the path is typed and Enter pressed. Drives the test's X display
/// with `xdotool` (installed by `cargo xtask setup`); `screenshots`, when given, saves the
/// whole screen with the dialog filled in, before Enter.
pub async fn choose_in_file_dialog(
    title: &str,
    path: &Path,
    screenshots: Option<&mut Screenshots>,
) -> anyhow::Result<()> {
    let window = wait_for_window(title).await?;
    press_key("ctrl+l")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let typed = path.to_str().context("a path in UTF-8")?;
    xdotool(&["type", "--delay", "15", typed])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Some(screenshots) = screenshots {
        screenshots.take_screen(&format!("{title} dialog"))?;
    }
    press_key("Return")?;
    wait_until_closed(title, &window).await
}

/// Waits for a visible window titled exactly `title` (a GTK dialog: the app's own window is
/// driven through WebDriver), gives it the keyboard focus, and answers its X window id.
pub async fn wait_for_window(title: &str) -> anyhow::Result<String> {
    let pattern = format!("^{title}$");
    let deadline = Instant::now() + PATIENCE;
    let window = loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", &pattern])?;
        if let Some(window) = found.lines().next().filter(|line| !line.is_empty()) {
            break window.to_owned();
        }
        if Instant::now() > deadline {
            bail!("no window titled {title:?} opened");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Let GTK fill the dialog before keys arrive; there is no window manager to raise it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    xdotool(&["windowfocus", &window])?;
    Ok(window)
}

/// Presses `key` (an xdotool key name, e.g. `Return`) in the focused window.
pub fn press_key(key: &str) -> anyhow::Result<()> {
    xdotool(&["key", "--clearmodifiers", key]).map(drop)
}

/// Waits until the window `window` (titled `title`) is no longer shown.
pub async fn wait_until_closed(title: &str, window: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    while xdotool(&["search", "--onlyvisible", "--name", &format!("^{title}$")])?
        .lines()
        .any(|line| line == window)
    {
        if Instant::now() > deadline {
            bail!("the window {title:?} stayed open");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Runs `xdotool ARGS` and answers what it printed. `search` exits 1 when nothing matches:
/// that is an empty answer, not a failure.
fn xdotool(arguments: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("xdotool")
        .args(arguments)
        .output()
        .context("running xdotool (installed by `cargo xtask setup`)")?;
    let searched_nothing = arguments.first() == Some(&"search") && output.status.code() == Some(1);
    if !output.status.success() && !searched_nothing {
        bail!(
            "xdotool {arguments:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

impl Screenshots {
    /// Saves the whole X screen (native windows included, which a WebDriver screenshot of the
    /// webview does not show) with ImageMagick's `import`.
    pub fn take_screen(&mut self, step: &str) -> anyhow::Result<PathBuf> {
        self.taken += 1;
        let name: String = step
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let path = self.directory.join(format!("{:02}-{name}.png", self.taken));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .context("running ImageMagick's import (installed by `cargo xtask setup`)")?;
        if !status.success() {
            bail!("import could not save the screen to {}", path.display());
        }
        println!("screenshot: {}", path.display());
        Ok(path)
    }
}

/// A stand-in for the system's PDF viewer, registered the way desktops register viewers: a
/// `.desktop` entry for `application/pdf` in a directory that goes first in `XDG_DATA_DIRS`.
/// Opening a PDF from the app (through `gio open`, as on a desktop) runs it; it copies the file it
/// was given to [`SystemViewer::opened`].
pub struct SystemViewer {
    directory: tempfile::TempDir,
}

impl SystemViewer {
    pub fn install() -> anyhow::Result<SystemViewer> {
        let directory = tempfile::tempdir()?;
        let script = directory.path().join("viewer.sh");
        let opened = directory.path().join("opened");
        std::fs::write(
            &script,
            format!("#!/bin/sh\ncp \"$1\" '{}'\n", opened.display()),
        )?;
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
        let applications = directory.path().join("applications");
        std::fs::create_dir_all(&applications)?;
        std::fs::write(
            applications.join("crm-test-viewer.desktop"),
            format!(
                "[Desktop Entry]\nType=Application\nName=Test PDF viewer\nExec={} %f\n\
                 MimeType=application/pdf;\n",
                script.display()
            ),
        )?;
        std::fs::write(
            applications.join("mimeapps.list"),
            "[Default Applications]\napplication/pdf=crm-test-viewer.desktop\n",
        )?;
        Ok(SystemViewer { directory })
    }

    /// `XDG_DATA_DIRS` with the viewer's directory first, for [`Driver::start_with_env`].
    pub fn data_dirs(&self) -> std::ffi::OsString {
        let rest = std::env::var_os("XDG_DATA_DIRS")
            .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
        let mut dirs = self.directory.path().as_os_str().to_owned();
        dirs.push(":");
        dirs.push(rest);
        dirs
    }

    /// The bytes of the file the viewer was last asked to show, once it was.
    pub async fn opened(&self) -> anyhow::Result<Vec<u8>> {
        let path = self.directory.path().join("opened");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(bytes) = std::fs::read(&path) {
                return Ok(bytes);
            }
            if Instant::now() > deadline {
                bail!("the system viewer was not asked to open a file");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
