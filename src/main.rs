#[cfg(target_arch = "wasm32")]
fn main() {
    arrwdb_ops::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("arrwdb-ops is a WebAssembly page: build it with `trunk build` (see README).");
}
