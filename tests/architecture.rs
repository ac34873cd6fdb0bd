//! Architecture invariants, checked on the source text (rust-analyzer keeps its own this way):
//! the core is pure. It names no browser crate and does no IO, so it compiles and is tested
//! natively, and the browser shell stays thin.

use std::path::Path;

/// Words that must never appear in the core's code.
const FORBIDDEN_IN_CORE: &[&str] = &[
    "leptos",
    "web_sys",
    "js_sys",
    "gloo",
    "wasm_bindgen",
    "plotters_canvas", // browser crates
    "std::fs",
    "std::net",
    "std::process",
    "std::thread",
    "std::time::SystemTime",
    "Instant::now", // IO, clocks
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_names_no_browser_crate_and_does_no_io() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    assert!(
        files.len() >= 5,
        "the core was not found at {}",
        core.display()
    );
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN_IN_CORE {
                if code.contains(word) {
                    offences.push(format!("{}:{}: {word}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the core must stay pure:\n{}",
        offences.join("\n")
    );
}

#[test]
fn browser_dependencies_are_only_for_wasm32() {
    // The manifest keeps every browser crate under the wasm32 target table, so a native build of
    // the core cannot reach them.
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let (common, rest) = manifest
        .split_once("[target.'cfg(target_arch = \"wasm32\")'.dependencies]")
        .unwrap();
    let wasm_only = rest.split("\n[").next().unwrap();
    for krate in [
        "leptos",
        "plotters-canvas",
        "web-sys",
        "wasm-bindgen",
        "wasm-bindgen-futures",
        "js-sys",
    ] {
        assert!(
            wasm_only.contains(&format!("\n{krate} =")),
            "{krate} belongs in the wasm32-only table"
        );
        let deps = common.split("[dependencies]").nth(1).unwrap_or("");
        assert!(
            !deps.contains(&format!("\n{krate} =")),
            "{krate} must not be a common dependency"
        );
    }
}
