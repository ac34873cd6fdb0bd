//! The browser shell: Leptos components over the core's view model. Components fetch through
//! one client per external API (`prom`, `jaeger`), hold what came back in signals and
//! resources, and put the core's values into the page; no logic that could be a plain function
//! lives here.
//!
//! Module order (no cycles): `http` ← `prom`, `jaeger` ← `context` ← the components
//! (`header`, `chart`, `overlays`, `table`, `text_panels`, `health`, `drill_down`) ← `app`.

mod app;
/// Public only so that the bench-only wasm (`bench/render`) draws with the panel's own code.
pub mod canvas;
mod chart;
mod context;
mod drill_down;
mod embed;
mod header;
mod health;
mod http;
mod jaeger;
mod overlays;
mod panel_load;
mod prom;
mod table;
mod text_panels;
mod url_state;

/// Entry point: installs the panic screen, then mounts the app.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unexpected internal error".to_owned());
        show_panic(&message);
    }));
    // Numbers are parsed by the browser's own correctly rounded parser (the syntax is checked
    // by the core first), so the wasm carries none of its own.
    crate::core::units::set_number_parser(|text| Some(js_sys::parse_float(text)));
    leptos::mount::mount_to_body(app::App);
}

/// A Rust panic must never leave a blank page: say what happened, in place.
fn show_panic(message: &str) {
    web_sys::console::error_1(&format!("arrwdb-ops panicked: {message}").into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("panic") {
        el.set_text_content(Some(&format!(
            "arrwdb-ops stopped because of an internal error. Reload the page to start again.\n\n{message}"
        )));
        let _ = el.remove_attribute("hidden");
    }
}

/// The time now, in Unix seconds.
pub(crate) fn now_secs() -> f64 {
    js_sys::Date::now() / 1_000.0
}

/// The browser's UTC offset at `unix_secs`, in seconds (local time on axes, labels and inputs).
pub(crate) fn utc_offset_at(unix_secs: f64) -> i64 {
    -(js_sys::Date::new(&(unix_secs * 1_000.0).into()).get_timezone_offset() as i64) * 60
}

/// The element under `ev` (its target or an ancestor) that matches `selector`. Lists whose rows
/// are markup (`core::html`) handle their rows' events once, on the list, with this.
pub(crate) fn event_closest(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest(selector).ok()?
}

/// `attr` of the row under `ev` (see [`event_closest`]).
pub(crate) fn row_data(ev: &web_sys::Event, row_selector: &str, attr: &str) -> Option<String> {
    event_closest(ev, row_selector)?.get_attribute(attr)
}

/// Whether a key press activates a focused row as a click does (Enter or Space).
pub(crate) fn activates(ev: &web_sys::KeyboardEvent) -> bool {
    let key = ev.key();
    key == "Enter" || key == " "
}

/// `Effect::new` for an effect that keeps nothing between runs. Leptos compiles one copy of its
/// effect machinery (a task that waits for changes) per closure type; boxed, every effect of
/// the page shares one.
pub(crate) fn effect(run: impl FnMut() + 'static) {
    let mut run = run;
    let boxed: Box<dyn FnMut(Option<()>)> = Box::new(move |_| run());
    leptos::prelude::Effect::new(boxed);
}

/// A signal that holds what `value(previous)` computes and is set only when that changes:
/// `Memo::new`'s behaviour (and signature) at an effect's cost (a `Memo` of a value type no
/// other memo has costs about 1 KB of the page). The first value is computed at once, so
/// nothing is drawn twice.
pub(crate) fn changes<T: Clone + PartialEq + Send + Sync + 'static>(
    value: impl Fn(Option<&T>) -> T + 'static,
) -> leptos::prelude::ReadSignal<T> {
    use leptos::prelude::*;
    let (read, write) = signal(untrack(|| value(None)));
    effect(move || {
        let previous = read.get_untracked();
        let next = value(Some(&previous));
        if next != previous {
            write.set(next);
        }
    });
    read
}

/// Runs `run(next, previous)` once at the start and again whenever `key` gives another value:
/// `Effect::watch` with an equality check, for an effect that only depends on a slice of a
/// signal (no `Memo` of its own). `key` is tracked, `run` is not. Nothing `run` registers with
/// `on_cleanup` survives the next change of what `key` reads: use a `Memo` for such effects.
pub(crate) fn on_change<K: PartialEq + 'static>(
    key: impl Fn() -> K + 'static,
    mut run: impl FnMut(&K, Option<&K>) + 'static,
) {
    let mut last: Option<K> = None;
    effect(move || {
        let next = key();
        if last.as_ref() != Some(&next) {
            leptos::prelude::untrack(|| run(&next, last.as_ref()));
            last = Some(next);
        }
    });
}
