//! The release build of the page (trunk, offline) and its size budget.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::tools::build_path;
use crate::{imports, repo_root, run, Result};

/// Everything the page downloads at first load must fit in this many gzip bytes.
pub const BUDGET_GZIP_BYTES: u64 = 256_000;

/// The built page: `dist/`.
pub fn dist_dir() -> PathBuf {
    repo_root().join("dist")
}

/// What the build reads: when none of it changed since the last build, nothing is rebuilt.
/// The steps after trunk's are inputs too: a page built before one of them changed is stale.
const INPUTS: &[&str] = &[
    "src",
    "style",
    "index.html",
    "Cargo.toml",
    "Cargo.lock",
    "Trunk.toml",
    "config.json",
    "xtask/Cargo.toml",
    "xtask/src/wasm_build.rs",
    "xtask/src/imports.rs",
];
const STAMP: &str = ".build-stamp";

/// The page's std is compiled with the page, for size (`-Zbuild-std` with std's
/// `optimize_for_size`: 6.8 KB gzip less than the prebuilt std, docs/size-history.md). These
/// are cargo's unstable options, allowed on the installed stable toolchain by
/// `RUSTC_BOOTSTRAP=1`; `tools::ensure_std_source` installs std's source and its dependencies
/// (the build is offline). The fourth compiles `{:?}` to nothing in the page (`-Zfmt-debug=none`:
/// 4.3 KB gzip; the page writes no user-visible text with `Debug`, only its native tests do) and
/// leaves the source locations out of panics (`-Zlocation-detail=none`: 4.8 KB; the panic screen,
/// `web::start`'s hook, shows the message only, as it always has). Without these variables the page
/// builds the same, only heavier.
pub const STD_FOR_SIZE: [(&str, &str); 4] = [
    ("RUSTC_BOOTSTRAP", "1"),
    ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
    ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
    ("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "-Zfmt-debug=none -Zlocation-detail=none"),
];

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| newest_mtime(&e.path()))
            .max()
    } else {
        meta.modified().ok()
    }
}

fn up_to_date() -> bool {
    let Some(stamp) = newest_mtime(&dist_dir().join(STAMP)) else {
        return false;
    };
    INPUTS
        .iter()
        .filter_map(|p| newest_mtime(&repo_root().join(p)))
        .all(|m| m <= stamp)
}

/// Builds the page in release (unless it is up to date), precompresses it for nginx's
/// gzip_static, prints the size of what a first load downloads and fails above the budget.
pub fn build_release(force: bool) -> Result<()> {
    if force || !up_to_date() {
        eprintln!("xtask: building the page (trunk build --release --offline)");
        run(Command::new("trunk")
            // No subresource integrity: the files are minified after trunk hashed them, and
            // they come from the page's own origin anyway.
            .args(["build", "--release", "--offline", "--no-sri"])
            .current_dir(repo_root())
            .env("PATH", build_path())
            // Trunk's own colour codes are noise in CI logs.
            .env("NO_COLOR", "true")
            .envs(STD_FOR_SIZE))?;
        let index = dist_dir().join("index.html");
        let html = std::fs::read_to_string(&index)?;
        let (html, loader_name, loader) = externalize_loader(&html)?;
        std::fs::write(&index, html)?;
        std::fs::write(dist_dir().join(loader_name), loader)?;
        minify(&dist_dir())?;
        // Only on trunk's fresh output (the stamp is written last), so never twice; a second
        // run would find no wasm-bindgen name left to shorten anyway.
        shorten_imports(&dist_dir())?;
        std::fs::write(dist_dir().join(STAMP), b"")?;
    } else {
        eprintln!("xtask: the page is up to date (dist/)");
    }
    let report = size_report(&dist_dir())?;
    print!("{report}");
    if report.total_gzip_bytes > BUDGET_GZIP_BYTES {
        return Err(format!(
            "the page is {} bytes gzip, over the budget of {BUDGET_GZIP_BYTES}",
            report.total_gzip_bytes
        )
        .into());
    }
    Ok(())
}

/// Moves trunk's inline loader (`<script type="module">import init … </script>`) to a file of
/// its own, named by a hash of its text, so the Content-Security-Policy allows scripts from
/// `'self'` only (no `'unsafe-inline'`, no per-build hash in the nginx config). Answers the new
/// index.html, the file's name and its text.
pub fn externalize_loader(html: &str) -> Result<(String, String, String)> {
    const OPEN: &str = "<script type=\"module\">";
    let start = html
        .find(OPEN)
        .ok_or("index.html has no inline module script (trunk's loader)")?;
    let body_start = start + OPEN.len();
    let end = body_start
        + html[body_start..]
            .find("</script>")
            .ok_or("trunk's loader script is not closed")?;
    if html[end..].contains(OPEN) {
        return Err("index.html has more than one inline module script".into());
    }
    let loader = html[body_start..end].trim().to_owned() + "\n";
    // FNV-1a: a stable name that changes with the text (immutable caching), not a security hash.
    let hash = loader.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let name = format!("start-{hash:016x}.js");
    let tag = format!("<script type=\"module\" src=\"./{name}\"></script>");
    let html = format!(
        "{}{tag}{}",
        &html[..start],
        &html[end + "</script>".len()..]
    );
    Ok((html, name, loader))
}

/// Minifies the page's JS (wasm-bindgen's glue, the loader) and CSS in place with esbuild.
/// Their names keep trunk's hash of the source, which still changes whenever they do.
fn minify(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !matches!(ext, "js" | "css") {
            continue;
        }
        let mut cmd = Command::new(crate::tools::esbuild_bin());
        cmd.arg(&path)
            .arg("--minify")
            .arg("--log-level=warning")
            .arg("--allow-overwrite")
            .arg(format!("--outfile={}", path.display()));
        if ext == "js" {
            cmd.arg("--format=esm");
        }
        run(&mut cmd)?;
    }
    Ok(())
}

/// Gives wasm-bindgen's imports short names in the page's wasm and its JS glue (see
/// [`imports`]). Trunk writes them as `<name>-<hash>_bg.wasm` and `<name>-<hash>.js`, and
/// wasm-bindgen, run with `--out-name=<name>`, has the wasm import from `./<name>_bg.js`.
fn shorten_imports(dist: &Path) -> Result<()> {
    let mut wasm_names = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with("_bg.wasm") {
            wasm_names.push(name);
        }
    }
    let [wasm_name] = wasm_names.as_slice() else {
        return Err(format!(
            "{} should hold one wasm-bindgen module (*_bg.wasm), not {wasm_names:?}",
            dist.display()
        )
        .into());
    };
    let hashed = wasm_name.trim_end_matches("_bg.wasm");
    let js_path = dist.join(format!("{hashed}.js"));
    let wasm_path = dist.join(wasm_name);
    let out = imports::shorten_imports(
        &std::fs::read(&wasm_path)?,
        &std::fs::read_to_string(&js_path)
            .map_err(|e| format!("cannot read the glue of {wasm_name}: {e}"))?,
        &glue_module(hashed)?,
    )?;
    std::fs::write(&js_path, out.js)?;
    std::fs::write(&wasm_path, out.wasm)?;
    eprintln!("xtask: {} wasm-bindgen import names shortened", out.renamed);
    Ok(())
}

/// The module wasm-bindgen's wasm imports its glue from, for trunk's `<name>-<hash>` (the hash
/// in hex, as trunk prints a u64: at most 16 digits).
fn glue_module(hashed: &str) -> Result<String> {
    match hashed.rsplit_once('-') {
        Some((name, hash))
            if !name.is_empty()
                && (1..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(format!("./{name}_bg.js"))
        }
        _ => Err(format!(
            "{hashed:?} is not trunk's <name>-<hash>: is filehash off in Trunk.toml?"
        )
        .into()),
    }
}

/// Sizes of the files a first load downloads.
pub struct SizeReport {
    pub files: Vec<(String, u64, u64)>,
    pub total_gzip_bytes: u64,
}

impl std::fmt::Display for SizeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<48} {:>10} {:>10}",
            "file (first load)", "bytes", "gzip"
        )?;
        for (name, raw, gz) in &self.files {
            writeln!(f, "{name:<48} {raw:>10} {gz:>10}")?;
        }
        writeln!(
            f,
            "{:<48} {:>10} {:>10}  (budget {BUDGET_GZIP_BYTES})",
            "total",
            self.files.iter().map(|f| f.1).sum::<u64>(),
            self.total_gzip_bytes
        )
    }
}

/// Gzips every file of the page with zopfli (plain gzip that any client inflates, a few percent
/// smaller than level 9), writes the `.gz` beside it, which nginx serves as is (`gzip_static on`
/// in deploy/nginx), and sums the sizes.
pub fn size_report(dist: &Path) -> Result<SizeReport> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !path.is_file() || name.ends_with(".gz") || name.starts_with('.') {
            continue;
        }
        let raw = std::fs::read(&path)?;
        let mut gz = Vec::new();
        zopfli::compress(
            zopfli::Options::default(),
            zopfli::Format::Gzip,
            raw.as_slice(),
            &mut gz,
        )?;
        std::fs::write(dist.join(format!("{name}.gz")), &gz)?;
        files.push((name, raw.len() as u64, gz.len() as u64));
    }
    if files.is_empty() {
        return Err(format!(
            "{} holds no files: the build did not produce the page",
            dist.display()
        )
        .into());
    }
    files.sort();
    let total_gzip_bytes = files.iter().map(|f| f.2).sum();
    Ok(SizeReport {
        files,
        total_gzip_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_moves_to_a_file_named_by_its_text() {
        let html = "<head><link rel=\"stylesheet\" href=\"./main.css\"/>\n<script type=\"module\">\nimport init from './app-1.js';\nawait init();\n</script>\n<link rel=\"modulepreload\" href=\"./app-1.js\"></head>";
        let (out, name, loader) = externalize_loader(html).unwrap();
        assert_eq!(loader, "import init from './app-1.js';\nawait init();\n");
        assert!(
            name.starts_with("start-") && name.ends_with(".js") && name.len() == 25,
            "{name}"
        );
        assert_eq!(
            out,
            format!("<head><link rel=\"stylesheet\" href=\"./main.css\"/>\n<script type=\"module\" src=\"./{name}\"></script>\n<link rel=\"modulepreload\" href=\"./app-1.js\"></head>")
        );
        // Another text, another name; no loader or two loaders are build errors.
        let other = html.replace("app-1", "app-2");
        assert_ne!(externalize_loader(&other).unwrap().1, name);
        assert!(externalize_loader("<head></head>").is_err());
        let twice = format!("{html}<script type=\"module\">x</script>");
        assert!(externalize_loader(&twice).is_err());
    }

    #[test]
    fn the_glue_module_is_named_after_trunks_name_without_the_hash() {
        assert_eq!(
            glue_module("arrwdb-ops-a4f15020931e9c65").unwrap(),
            "./arrwdb-ops_bg.js"
        );
        assert_eq!(glue_module("app-fe3").unwrap(), "./app_bg.js");
        for unhashed in ["arrwdb-ops", "app", "-a4f1", "app-a4f15020931e9c650"] {
            assert!(glue_module(unhashed).is_err(), "{unhashed}");
        }
    }
}
