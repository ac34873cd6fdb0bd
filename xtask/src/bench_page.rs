//! The render benchmark's page, built apart from the app (the app's download does not change):
//! `bench/render` (the app's own panel drawing, exposed to JS) compiled to wasm in the app's
//! release profile, through wasm-bindgen and the same wasm-opt passes as the app's index.html,
//! beside uPlot's browser build (npm registry) and the harness `bench/page/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{build_path, uplot_dir};
use crate::{repo_root, run, Result};

/// Where the bench page is written.
pub fn bench_page_dir() -> PathBuf {
    repo_root().join("target/bench/page")
}

/// The wasm-opt arguments of the app's build, read from index.html's
/// `data-wasm-opt="…"` and `data-wasm-opt-params="…"` so that both wasm get the same passes.
pub fn app_wasm_opt_args(index_html: &str) -> Result<Vec<String>> {
    let attr = |name: &str| -> Result<String> {
        let key = format!("{name}=\"");
        let start = index_html
            .find(&key)
            .ok_or_else(|| format!("index.html has no {name}"))?
            + key.len();
        let len = index_html[start..]
            .find('"')
            .ok_or_else(|| format!("index.html's {name} is not closed"))?;
        Ok(index_html[start..start + len].to_owned())
    };
    let mut args = vec![format!("-O{}", attr("data-wasm-opt")?)];
    args.extend(
        attr("data-wasm-opt-params")?
            .split_whitespace()
            .map(str::to_owned),
    );
    Ok(args)
}

/// Builds the bench page into [`bench_page_dir`].
pub fn build_bench_page() -> Result<PathBuf> {
    let root = repo_root();
    let out = bench_page_dir();
    std::fs::create_dir_all(&out)?;
    eprintln!("xtask: building the render bench wasm (bench/render, the app's release profile)");
    run(Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--target=wasm32-unknown-unknown",
            "-p",
            "render-bench",
        ])
        .current_dir(&root)
        .env("PATH", build_path())
        .envs(crate::wasm_build::STD_FOR_SIZE))?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let built = target_dir.join("wasm32-unknown-unknown/release/render_bench.wasm");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(&built)
        .env("PATH", build_path()))?;
    let bound = out.join("render_bench_bg.wasm");
    let index = std::fs::read_to_string(root.join("index.html"))?;
    run(Command::new("wasm-opt")
        .arg(format!("--output={}", bound.display()))
        .args(app_wasm_opt_args(&index)?)
        .arg(&bound)
        .env("PATH", build_path()))?;
    copy_into(&uplot_dir().join("dist/uPlot.iife.min.js"), &out)?;
    copy_into(&uplot_dir().join("dist/uPlot.min.css"), &out)?;
    for entry in std::fs::read_dir(root.join("bench/page"))? {
        copy_into(&entry?.path(), &out)?;
    }
    Ok(out)
}

fn copy_into(file: &Path, dir: &Path) -> Result<()> {
    let name = file
        .file_name()
        .ok_or_else(|| format!("{} has no file name", file.display()))?;
    std::fs::copy(file, dir.join(name))
        .map_err(|e| format!("cannot copy {} into {}: {e}", file.display(), dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_wasm_gets_the_app_wasm_opt_passes() {
        let html = r#"<link data-trunk rel="rust" data-wasm-opt="z"
      data-wasm-opt-params="--flatten  -Oz --converge" />"#;
        assert_eq!(
            app_wasm_opt_args(html).unwrap(),
            ["-Oz", "--flatten", "-Oz", "--converge"]
        );
        assert!(app_wasm_opt_args("<link data-wasm-opt=\"z\">").is_err());
    }
}
