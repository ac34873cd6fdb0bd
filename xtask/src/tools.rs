//! Installs, idempotently, everything the demo and the tests need on a fresh machine that has
//! only the Rust toolchain: the wasm32 target, trunk 0.21, wasm-bindgen-cli at the version in
//! Cargo.lock, a working wasm-opt (binaryen from the npm registry; Debian's 108 produces modules
//! Chromium rejects), esbuild (npm registry, minifies the build's JS and CSS), and Debian's
//! prometheus, nginx, chromium and chromedriver.
//! Every step either succeeds or stops the command with a message: nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{repo_root, run, Result};

/// trunk 0.22 needs a newer rustc than these machines have.
const TRUNK_VERSION_REQ: &str = "^0.21";
const TRUNK_VERSION_PREFIX: &str = "trunk 0.21.";
/// binaryen from the npm registry; Trunk.toml's `[tools] wasm_opt` names the same version.
pub const BINARYEN_VERSION: &str = "132";
/// esbuild from the npm registry: minifies the JS glue, the loader and the CSS of the build.
pub const ESBUILD_VERSION: &str = "0.28.2";
/// uPlot from the npm registry: the peer that `cargo xtask bench` draws the same data with.
pub const UPLOT_VERSION: &str = "1.6.32";
/// axe-core, the accessibility checker the browser tests run in the page.
pub const AXE_CORE_VERSION: &str = "4.10.3";
pub const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    // (package, a file it installs)
    ("prometheus", "/usr/bin/prometheus"),
    ("nginx", "/usr/sbin/nginx"),
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    (
        "prometheus-node-exporter",
        "/usr/bin/prometheus-node-exporter",
    ),
    // A Prometheus-compatible distributed backend (single-node; also brings vmalert).
    ("victoria-metrics", "/usr/bin/victoria-metrics"),
    // Where the stacks' Prometheus sends its alerts (with amtool, which checks its config).
    ("prometheus-alertmanager", "/usr/bin/prometheus-alertmanager"),
];

/// The folder of locally installed tools (binaryen).
pub fn tools_dir() -> PathBuf {
    repo_root().join(".tools")
}

/// The PATH that the build uses: cargo's bin folder and the local tools first.
pub fn build_path() -> String {
    let cargo_bin = home_cargo_bin();
    let binaryen_bin = tools_dir().join("binaryen/node_modules/.bin");
    let old = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{old}", binaryen_bin.display(), cargo_bin.display())
}

fn home_cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cargo")
        })
        .join("bin")
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.env("PATH", build_path()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The wasm-bindgen version that Cargo.lock pins; wasm-bindgen-cli must be exactly this one.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock ({e}); run `cargo generate-lockfile`"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// Makes sure every tool is there; installs what is missing.
pub fn ensure_all() -> Result<()> {
    ensure_debian_packages()?;
    ensure_wasm_target()?;
    ensure_std_source()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_esbuild()?;
    ensure_npm_package("uplot", UPLOT_VERSION)?;
    ensure_npm_package("axe-core", AXE_CORE_VERSION)?;
    ensure_twiggy()?;
    check_trunk_toml()?;
    Ok(())
}

pub fn ensure_debian_packages() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(p, _)| *p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    for (package, file) in DEBIAN_PACKAGES {
        if !Path::new(file).exists() {
            return Err(format!("apt-get installed {package}, but {file} is still missing").into());
        }
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    eprintln!("xtask: adding the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// std's source (rustup's `rust-src`) and the crates it depends on, for the page's
/// `-Zbuild-std` (see `wasm_build::STD_FOR_SIZE`); fetched here because trunk builds offline.
fn ensure_std_source() -> Result<()> {
    let installed = output_of(Command::new("rustup").args(["component", "list", "--installed"]))
        .unwrap_or_default();
    if !installed.lines().any(|l| l.trim().starts_with("rust-src")) {
        eprintln!("xtask: adding the rust-src component (the page compiles its own std)");
        run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    let sysroot = output_of(Command::new("rustc").args(["--print", "sysroot"]))
        .ok_or("`rustc --print sysroot` failed")?;
    let library = Path::new(&sysroot).join("lib/rustlib/src/rust/library/Cargo.toml");
    // Downloads only what the registry cache lacks (nothing on a second run).
    run(Command::new(env!("CARGO"))
        .args(["fetch", "--quiet", "--manifest-path"])
        .arg(&library)
        .envs(crate::wasm_build::STD_FOR_SIZE))
}

fn ensure_trunk() -> Result<()> {
    let version = output_of(Command::new("trunk").arg("--version")).unwrap_or_default();
    if version.starts_with(TRUNK_VERSION_PREFIX) {
        return Ok(());
    }
    eprintln!("xtask: installing trunk {TRUNK_VERSION_REQ} (about 6 minutes on 2 cores)");
    run(Command::new("cargo").args([
        "install",
        "--locked",
        "trunk",
        "--version",
        TRUNK_VERSION_REQ,
    ]))
}

fn ensure_wasm_bindgen() -> Result<()> {
    let wanted = locked_wasm_bindgen_version()?;
    let version = output_of(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if version == format!("wasm-bindgen {wanted}") {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {wanted} (Cargo.lock's version)");
    // Not --locked: the registry lacks one of its locked dependencies (see shared/docs/toolchain.md).
    run(Command::new("cargo").args([
        "install",
        "--force",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
    ]))
}

/// Installs `package@version` from the npm registry into `.tools/<package>`.
fn npm_install(package: &str, version: &str) -> Result<()> {
    eprintln!("xtask: installing {package} {version} from the npm registry");
    let dir = tools_dir().join(package);
    std::fs::create_dir_all(&dir)?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("{package}@{version}")))
}

fn ensure_wasm_opt() -> Result<()> {
    let version = output_of(Command::new("wasm-opt").arg("--version")).unwrap_or_default();
    let bin = tools_dir().join("binaryen/node_modules/.bin/wasm-opt");
    if bin.exists() && version.contains(&format!("version {BINARYEN_VERSION}")) {
        return Ok(());
    }
    npm_install("binaryen", BINARYEN_VERSION)?;
    let version = output_of(Command::new(&bin).arg("--version")).unwrap_or_default();
    if !version.contains(&format!("version {BINARYEN_VERSION}")) {
        return Err(format!("{} --version says {version:?}", bin.display()).into());
    }
    Ok(())
}

/// The esbuild binary the build uses.
pub fn esbuild_bin() -> PathBuf {
    tools_dir().join("esbuild/node_modules/.bin/esbuild")
}

fn ensure_esbuild() -> Result<()> {
    let bin = esbuild_bin();
    let version = || output_of(Command::new(esbuild_bin()).arg("--version")).unwrap_or_default();
    if bin.exists() && version().trim() == ESBUILD_VERSION {
        return Ok(());
    }
    npm_install("esbuild", ESBUILD_VERSION)?;
    let found = version();
    if found.trim() != ESBUILD_VERSION {
        return Err(format!("{} --version says {found:?}", bin.display()).into());
    }
    Ok(())
}

/// twiggy (crates.io): the benchmark's breakdown of the wasm by crate and function.
pub const TWIGGY_VERSION: &str = "0.8.0";

fn ensure_twiggy() -> Result<()> {
    let version = output_of(Command::new("twiggy").arg("--version")).unwrap_or_default();
    // It names itself `twiggy-opt <version>`.
    if version.starts_with("twiggy") && version.ends_with(&format!(" {TWIGGY_VERSION}")) {
        return Ok(());
    }
    eprintln!("xtask: installing twiggy {TWIGGY_VERSION}");
    run(Command::new("cargo").args(["install", "--locked", "twiggy", "--version", TWIGGY_VERSION]))
}

/// An npm package's folder under `.tools/`.
pub fn npm_package_dir(package: &str) -> PathBuf {
    tools_dir().join(package).join("node_modules").join(package)
}

/// uPlot's package folder (its `dist/` holds the browser build the bench page loads).
pub fn uplot_dir() -> PathBuf {
    npm_package_dir("uplot")
}

/// The version of an npm package installed under `.tools/`, from its package.json.
fn installed_npm_version(package: &str) -> Option<String> {
    let json = std::fs::read_to_string(npm_package_dir(package).join("package.json")).ok()?;
    let after = json.split("\"version\"").nth(1)?;
    Some(after.split('"').nth(1)?.to_owned())
}

/// Installs `package@version` under `.tools/` unless that version is there.
fn ensure_npm_package(package: &str, version: &str) -> Result<()> {
    if installed_npm_version(package).as_deref() == Some(version) {
        return Ok(());
    }
    npm_install(package, version)?;
    let found = installed_npm_version(package);
    if found.as_deref() != Some(version) {
        return Err(format!(
            "npm installed {package}, but {} says version {found:?}",
            npm_package_dir(package).join("package.json").display()
        )
        .into());
    }
    Ok(())
}

/// Trunk.toml pins the tool versions trunk may use offline; they must be the installed ones.
fn check_trunk_toml() -> Result<()> {
    let toml = std::fs::read_to_string(repo_root().join("Trunk.toml"))?;
    let wanted = locked_wasm_bindgen_version()?;
    if !toml.contains(&format!("wasm_bindgen = \"{wanted}\"")) {
        return Err(format!(
            "Trunk.toml must say wasm_bindgen = \"{wanted}\" (the version in Cargo.lock)"
        )
        .into());
    }
    if !toml.contains(&format!("wasm_opt = \"version_{BINARYEN_VERSION}\"")) {
        return Err(
            format!("Trunk.toml must say wasm_opt = \"version_{BINARYEN_VERSION}\"").into(),
        );
    }
    Ok(())
}
