//! The part of wasm-streams' API that server_fn calls, without the exported JS classes (see
//! Cargo.toml for why). arrwdb-ops has no server functions, so none of this runs.

use futures_util::Stream;
use wasm_bindgen::JsValue;

const UNUSED: &str = "arrwdb-ops has no server functions: wasm-streams is a stand-in";

/// A JS `ReadableStream`.
pub struct ReadableStream(web_sys::ReadableStream);

impl ReadableStream {
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self(raw)
    }

    pub fn from_stream<St>(_stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        panic!("{UNUSED}")
    }

    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.0
    }

    pub fn into_stream(self) -> futures_util::stream::Empty<Result<JsValue, JsValue>> {
        panic!("{UNUSED}")
    }
}
