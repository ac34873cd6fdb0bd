//! The release build of the page (trunk, offline) and its size budget.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::tools::build_path;
use crate::{repo_root, run, Result};

/// Everything the page downloads at first load must fit in this many gzip bytes.
pub const BUDGET_GZIP_BYTES: u64 = 200_000;

/// The built page: `dist/`.
pub fn dist_dir() -> PathBuf {
    repo_root().join("dist")
}

/// What the build reads: when none of it changed since the last build, nothing is rebuilt.
const INPUTS: &[&str] = &[
    "src",
    "style",
    "index.html",
    "Cargo.toml",
    "Cargo.lock",
    "Trunk.toml",
    "config.json",
];
const STAMP: &str = ".build-stamp";

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
            .args(["build", "--release", "--offline"])
            .current_dir(repo_root())
            .env("PATH", build_path())
            // Trunk's own colour codes are noise in CI logs.
            .env("NO_COLOR", "true"))?;
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
