//! The view state lives in the URL: read at start and on back/forward, written on every change
//! the user makes (one history entry per change, none when nothing changed).

use leptos::prelude::*;

use crate::core::state::{self, StateWarning, ViewState};

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes `query` into the address bar: a new history entry (`push`) or in place.
fn write_url(query: &str, push: bool) {
    let Some(window) = web_sys::window() else { return };
    let wanted = if query.is_empty() { String::new() } else { format!("?{query}") };
    if location_search() == wanted {
        return;
    }
    let path = window.location().pathname().unwrap_or_default();
    let Ok(history) = window.history() else { return };
    let url = format!("{path}{wanted}");
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The view state and the warnings about the URL it came from. A URL the page loads or comes
/// back to is put in its canonical form in place; a change the user makes is a new entry.
pub fn url_view() -> (RwSignal<ViewState>, RwSignal<Vec<StateWarning>>) {
    let (initial, warnings) = state::decode(&location_search());
    write_url(&state::encode(&initial), false);
    let view = RwSignal::new(initial);
    let warnings = RwSignal::new(warnings);
    // Set by back/forward: the state it brings is already the URL's.
    let from_history = StoredValue::new(false);
    Effect::new(move |previous: Option<()>| {
        let query = view.with(state::encode);
        if previous.is_some() {
            let push = !from_history.get_value();
            write_url(&query, push);
        }
        from_history.set_value(false);
    });
    let popstate = window_event_listener_untyped("popstate", move |_| {
        let (decoded, w) = state::decode(&location_search());
        write_url(&state::encode(&decoded), false);
        warnings.set(w);
        from_history.set_value(true);
        view.set(decoded);
    });
    on_cleanup(move || popstate.remove());
    (view, warnings)
}
