//! `cargo xtask bundle`: the `.deb` and `.rpm` with the npm Tauri CLI (a release build with
//! Tauri's `custom-protocol`; building release any other way would rebuild every time), then a
//! check of the `.deb`: its contents, an install with apt, and the installed app starting under
//! Xvfb.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail, ensure};

use crate::context::{Context, HEADLESS_PREFIX, execute, output};
use crate::report::Steps;
use crate::setup;

const BINARY: &str = "field-crm";
const WINDOW_TITLE: &str = "Field CRM";

pub(crate) fn run(context: &Context, steps: &mut Steps) -> anyhow::Result<()> {
    setup::run(context, steps)?;
    let checks = build_and_check(context, steps)?;
    println!("\nbundle: {checks} checks passed");
    Ok(())
}

/// Builds the bundles and checks the `.deb`; returns how many checks passed.
pub(crate) fn build_and_check(context: &Context, steps: &mut Steps) -> anyhow::Result<u64> {
    let packages = steps.run("bundle: tauri build --bundles deb,rpm", || build(context))?;
    let mut checks = 0;
    steps.run("bundle: check .deb control and contents", || {
        check_deb(context, &packages)
    })?;
    checks += 3;
    steps.run("bundle: check .rpm", || check_rpm(&packages))?;
    checks += 1;
    steps.run("bundle: install .deb, start it under Xvfb", || {
        install_and_start(context, &packages)
    })?;
    checks += 1;
    Ok(checks)
}

struct Packages {
    deb: PathBuf,
    rpm: PathBuf,
    /// Scratch space for the checks.
    work: PathBuf,
}

fn build(context: &Context) -> anyhow::Result<Packages> {
    let tauri = context.root.join("node_modules").join(".bin").join("tauri");
    // beforeBuildCommand in tauri.conf.json builds the UI first. The CLI would look for a
    // tauri.conf.json under the current directory and may find the root one before
    // src-tauri's link to it: name both directories.
    execute(
        context
            .command(tauri)
            .args(["build", "--bundles", "deb,rpm"])
            .env("TAURI_APP_PATH", context.root.join("src-tauri"))
            .env("TAURI_FRONTEND_PATH", &context.root),
    )?;
    let bundle = context.target_dir.join("release").join("bundle");
    let work = context.target_dir.join("bundle-check");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("clearing {}", work.display()))?;
    }
    std::fs::create_dir_all(&work)?;
    Ok(Packages {
        deb: newest(&bundle.join("deb"), "deb")?,
        rpm: newest(&bundle.join("rpm"), "rpm")?,
        work,
    })
}

/// The most recently written `*.<extension>` in `directory`.
fn newest(directory: &Path, extension: &str) -> anyhow::Result<PathBuf> {
    let mut found: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in
        std::fs::read_dir(directory).with_context(|| format!("listing {}", directory.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|found| found == extension) {
            let modified = std::fs::metadata(&path)?.modified()?;
            if found.as_ref().is_none_or(|(time, _)| modified > *time) {
                found = Some((modified, path));
            }
        }
    }
    let (_, path) = found.with_context(|| format!("no .{extension} in {}", directory.display()))?;
    println!("built {}", path.display());
    Ok(path)
}

fn check_deb(context: &Context, packages: &Packages) -> anyhow::Result<()> {
    let info = output(context.command("dpkg-deb").arg("-I").arg(&packages.deb))?;
    println!("{info}");
    ensure!(
        info.contains(&format!("Package: {BINARY}")),
        "the package is not named {BINARY}"
    );
    let depends = info
        .lines()
        .find_map(|line| line.trim().strip_prefix("Depends:"))
        .context("the package declares no dependencies")?;
    for dependency in ["libwebkit2gtk-4.1-0", "libgtk-3-0"] {
        ensure!(
            depends.contains(dependency),
            "the package does not depend on {dependency}"
        );
    }

    let contents = output(context.command("dpkg-deb").arg("-c").arg(&packages.deb))?;
    // `dpkg-deb -c` prints `perms owner size date time path`; the path may hold spaces (the
    // .desktop entry is named after the product) and may or may not start with `./`.
    let paths: Vec<String> = contents
        .lines()
        .filter_map(|line| {
            let mut rest = line.trim_start();
            for _ in 0..5 {
                let end = rest.find(char::is_whitespace)?;
                rest = rest[end..].trim_start();
            }
            Some(format!("./{}", rest.trim_start_matches("./")))
        })
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    println!("{}", paths.join("\n"));
    ensure!(
        paths.contains(&"./usr/bin/field-crm"),
        "no ./usr/bin/{BINARY} in the package"
    );
    let desktop_entries: Vec<&&str> = paths
        .iter()
        .filter(|path| path.starts_with("./usr/share/applications/") && path.ends_with(".desktop"))
        .collect();
    ensure!(
        desktop_entries.len() == 1,
        "expected one .desktop entry, found {desktop_entries:?}"
    );
    let icons = paths
        .iter()
        .filter(|path| path.starts_with("./usr/share/icons/hicolor/") && path.ends_with(".png"))
        .count();
    ensure!(
        icons >= 2,
        "expected icons under /usr/share/icons/hicolor, found {icons}"
    );

    let extracted = packages.work.join("deb");
    execute(
        context
            .command("dpkg-deb")
            .arg("-x")
            .arg(&packages.deb)
            .arg(&extracted),
    )?;
    let entry_path = extracted.join(desktop_entries[0].trim_start_matches("./"));
    let entry = std::fs::read_to_string(&entry_path)
        .with_context(|| format!("reading {}", entry_path.display()))?;
    println!("{entry}");
    for line in [
        format!("Name={WINDOW_TITLE}"),
        format!("Exec={BINARY}"),
        format!("Icon={BINARY}"),
    ] {
        ensure!(
            entry.lines().any(|entry_line| entry_line == line),
            "the .desktop entry lacks `{line}`"
        );
    }
    Ok(())
}

fn check_rpm(packages: &Packages) -> anyhow::Result<()> {
    let size = std::fs::metadata(&packages.rpm)?.len();
    ensure!(
        size > 1024 * 1024,
        "{} is only {size} bytes",
        packages.rpm.display()
    );
    println!("{} ({} KiB)", packages.rpm.display(), size / 1024);
    Ok(())
}

/// Installs the `.deb` with apt (which also installs its dependencies), starts the installed
/// binary on a fresh data directory under Xvfb, waits for its window, takes a screenshot and
/// stops it; then checks the store was created.
fn install_and_start(context: &Context, packages: &Packages) -> anyhow::Result<()> {
    // apt-get needs a path that looks like a file ("./x.deb") and chokes on none of ours, but
    // the bundle's name has a space; a plain copy keeps the command line simple.
    let deb = packages.work.join(format!("{BINARY}.deb"));
    std::fs::copy(&packages.deb, &deb)?;
    execute(
        context
            .privileged("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--reinstall", "--no-install-recommends"])
            .arg(&deb),
    )?;
    let installed = PathBuf::from("/usr/bin").join(BINARY);
    ensure!(
        installed.is_file(),
        "{} is not installed",
        installed.display()
    );

    let data_dir = packages.work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let screenshot = packages.work.join("installed-app.png");
    let script = r#"
"$1" & app=$!
found=""
tries=0
while [ "$tries" -lt 120 ]; do
  if xwininfo -root -tree 2>/dev/null | grep -q "\"$2\""; then found=yes; break; fi
  if ! kill -0 "$app" 2>/dev/null; then echo "the app exited before showing a window"; break; fi
  sleep 0.5
  tries=$((tries + 1))
done
if [ -n "$found" ]; then
  echo "window \"$2\" is shown"
  sleep 3
  import -window root "$3"
fi
kill -TERM "$app" 2>/dev/null
wait "$app"
[ -n "$found" ]
"#;
    let mut command = context.command(HEADLESS_PREFIX[0]);
    command
        .args(&HEADLESS_PREFIX[1..])
        .args(["sh", "-c", script, "sh"])
        .arg(&installed)
        .arg(WINDOW_TITLE)
        .arg(&screenshot)
        .env("CRM_DATA_DIR", &data_dir);
    execute(&mut command).context("the installed app did not show its window")?;
    println!("screenshot of the installed app: {}", screenshot.display());
    let created = std::fs::read_dir(&data_dir)?.count();
    if created == 0 {
        bail!(
            "the installed app created no store in {}",
            data_dir.display()
        );
    }
    Ok(())
}
