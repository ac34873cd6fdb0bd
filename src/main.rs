/// std's default allocator on wasm (dlmalloc) is several times the size of talc's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    arrwdb_ops::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("arrwdb-ops is a WebAssembly page: build it with `trunk build` (see README).");
}
