//! The browser shell: fetches, holds signals, hands canvases to the core. No logic that could
//! be a plain function lives here.

mod dom;
mod embed;
mod health;
mod http;
/// Public only so that the bench-only wasm (`bench/render`) draws with the panel's own code.
pub mod panel;
mod text_panel;
mod traces;

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::config::{parse_config, Config, DEFAULT_TIMEOUT_SECS};
use crate::core::metrics::{resolve, MetricNames};
use crate::core::panels::{panel as find_panel, Group};
use crate::core::prom::decode_label_values;
use crate::core::state::{self, RangeSpec, Refresh, Theme, ViewState, PRESETS, REFRESH_CHOICES};
use crate::core::time::format_datetime_local;
use dom::{effect, el, listen, on_change, set_attr, spawn, text_el, Watched};
use panel::{panel, PanelContext};
use wasm_bindgen::JsCast;

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
    // The page is built by plain DOM calls under one reactive owner that lives as long as the
    // tab (no `view!` tree: it costs more wasm than the few elements it would build).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| {
        let body = dom::document().body().expect("a page has a body");
        app(&body);
    });
    std::mem::forget(owner);
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

pub(crate) fn now_secs() -> f64 {
    js_sys::Date::now() / 1_000.0
}

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Loads and validates `config.json` (beside index.html).
async fn load_config() -> Result<Config, String> {
    let (status, body) = http::get_text("config.json", None, DEFAULT_TIMEOUT_SECS)
        .await
        .map_err(|e| format!("config.json could not be loaded: {e}"))?;
    if !(200..300).contains(&status) {
        return Err(format!("config.json could not be loaded: HTTP {status}"));
    }
    parse_config(&body).map_err(|e| e.to_string())
}

/// Asks Prometheus which metric names exist and resolves the ones the panels need. If the list
/// cannot be had, the first spelling of each is assumed and each panel reports what it gets.
/// The names that exist come back too (empty when unknown), for rule health.
async fn discover_metrics(cfg: &Config) -> (MetricNames, Vec<String>) {
    let url = crate::core::prom::label_values_url(&cfg.prometheus.url, "__name__", None);
    match http::get_text(&url, None, cfg.prometheus.timeout_secs).await {
        Ok((status, body)) => match decode_label_values(status, &body) {
            Ok(answer) => (resolve(&answer.data, &cfg.metrics), answer.data),
            Err(_) => (MetricNames::assumed(), Vec::new()),
        },
        Err(_) => (MetricNames::assumed(), Vec::new()),
    }
}

/// The `handler` values of arrwDB's requests counter, for the handler picker; empty when they
/// cannot be had (the picker then offers "all handlers" only).
async fn handler_values(cfg: &Config, names: &MetricNames) -> Vec<String> {
    let Ok(requests) = names.get(crate::core::metrics::Metric::RequestsTotal) else {
        return Vec::new();
    };
    let selector = crate::core::promql::Selector::new(requests).with(
        "job",
        crate::core::promql::MatchOp::Equal,
        &cfg.prometheus.job,
    );
    let url = crate::core::prom::label_values_url(&cfg.prometheus.url, "handler", Some(&selector.to_string()));
    match http::get_text(&url, None, cfg.prometheus.timeout_secs).await {
        Ok((status, body)) => decode_label_values(status, &body)
            .map(|a| a.data)
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The whole page: the configuration first, then the dashboard or what is wrong with it.
fn app(root: &web_sys::HtmlElement) {
    let loading = text_el("p", "screen", "Loading configuration…", Some(root));
    let root = root.clone();
    spawn(async move {
        let loaded = load_config().await;
        loading.remove();
        match loaded {
            Ok(cfg) => dashboard(Arc::new(cfg), &root),
            Err(message) => {
                let screen = el("div", "screen", Some(&root));
                set_attr(&screen, "data-screen", Some("config-error"));
                set_attr(&screen, "role", Some("alert"));
                text_el(
                    "h2",
                    "",
                    "The configuration could not be used",
                    Some(&screen),
                );
                text_el("p", "", &message, Some(&screen));
                text_el(
                    "p",
                    "",
                    "Fix config.json beside index.html and reload; see the README's Configuration section.",
                    Some(&screen),
                );
            }
        }
    });
}

/// Writes `query` into the address bar when it differs: a new history entry (`push`) or in
/// place.
fn write_url(query: &str, push: bool) {
    let wanted = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    if location_search() == wanted {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) else {
        return;
    };
    let url = format!("{path}{wanted}");
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The view state lives in the URL: read at start and on back/forward, written on every change
/// the user makes (one history entry per change, none when nothing changed). A URL the page
/// loads or comes back to is put in its canonical form in place (`replaceState`): Back leaves
/// the page as it would any other.
fn url_state() -> (Watched<ViewState>, Watched<Vec<String>>) {
    let (initial, warnings) = state::decode(&location_search());
    write_url(&state::encode(&initial), false);
    let view = Watched::new(initial);
    let warnings = Watched::new(
        warnings
            .into_iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>(),
    );
    // Set by back/forward: the state it brings is the URL's already.
    let from_history = std::rc::Rc::new(std::cell::Cell::new(false));
    {
        let from_history = from_history.clone();
        effect(move || {
            let query = state::encode(&view.get());
            write_url(&query, !from_history.replace(false));
        });
    }
    let popstate = window_event_listener_untyped("popstate", move |_| {
        let (decoded, w) = state::decode(&location_search());
        write_url(&state::encode(&decoded), false);
        warnings.set(w.into_iter().map(|w| w.to_string()).collect());
        from_history.set(true);
        view.set(decoded);
    });
    on_cleanup(move || popstate.remove());
    (view, warnings)
}

/// The panels, refreshed together; the header's controls; in `root`.
fn dashboard(cfg: Arc<Config>, root: &web_sys::HtmlElement) {
    let (view, warnings) = url_state();
    embed::connect(&cfg, view);
    // Notified by the refresh timer and the refresh button: the range is resolved again.
    let tick = Trigger::new();
    let refresh_default = Refresh::from_config_secs(cfg.refresh_secs);
    let refresh = move || view.with(|v| v.effective_refresh(refresh_default));
    // The refresh timer: restarted when the period changes, skipped while the tab is hidden
    // (and caught up as soon as it is visible again).
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let stop_timer = move || {
        timer.update_value(|t| {
            if let Some(h) = t.take() {
                h.clear();
            }
        })
    };
    on_change(refresh, move |refresh| {
        stop_timer();
        if let Some(period) = refresh.period_secs() {
            let handle = set_interval_with_handle(
                move || {
                    if !page_hidden() {
                        tick.notify();
                    }
                },
                std::time::Duration::from_secs(period),
            );
            timer.set_value(handle.ok());
        }
    });
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        if !page_hidden() && untrack(refresh).period_secs().is_some() {
            tick.notify();
        }
    });
    on_cleanup(move || {
        visibility.remove();
        stop_timer();
    });

    // The range follows the refresh tick and the range the user chose, nothing else of the
    // view: a relative range resolved again (a new "now") would re-query every panel when the
    // theme, a legend row or the drill-down changes.
    let range_chosen = Trigger::new();
    let mut first_range = true;
    on_change(
        move || view.with(|v| v.range),
        move |_| {
            // The first value is the one the memo starts from, not a change.
            if !std::mem::take(&mut first_range) {
                range_chosen.notify();
            }
        },
    );
    let range = Memo::new(move |_| {
        tick.track();
        range_chosen.track();
        untrack(|| view.with(|v| v.range.resolve(now_secs())))
    });
    let handlers = Watched::new(Vec::new());
    // The theme applies to the whole document.
    effect(move || {
        let (theme, transparent) = view.with(|v| (v.theme, v.transparent));
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.as_str());
            let _ =
                root.set_attribute("data-bg", if transparent { "transparent" } else { "solid" });
        }
    });

    let hover_secs = Watched::new(None);
    let bar = header(view, tick, refresh_default, range, handlers);
    let _ = root.append_child(&bar);
    on_change(
        move || view.with(|v| v.kiosk),
        move |kiosk| set_attr(&bar, "hidden", kiosk.then_some("")),
    );
    // One `main` landmark holds everything below the header.
    let main = el("main", "", Some(root));
    let root = &main;
    let warning_list = el("ul", "warnings", Some(root));
    set_attr(&warning_list, "role", Some("status"));
    effect(move || {
        warning_list.set_text_content(None);
        warnings.with(|w| {
            set_attr(&warning_list, "hidden", w.is_empty().then_some(""));
            for w in w {
                text_el("li", "", w, Some(&warning_list));
            }
        });
    });
    let asking = text_el(
        "p",
        "screen",
        "Asking Prometheus which metrics exist…",
        Some(root),
    );
    let _ = root.append_child(&traces::drill_down(cfg.clone(), view));
    let body = el("div", "panels", Some(root));
    // The panels are built once the metrics are known, under the dashboard's owner (a task
    // has none of its own).
    let owner = Owner::current();
    spawn(async move {
        let (found, existing) = discover_metrics(&cfg).await;
        let names = Arc::new(found);
        {
            let (cfg, names) = (cfg.clone(), names.clone());
            spawn(async move { handlers.set(handler_values(&cfg, &names).await) });
        }
        asking.remove();
        let build = move || {
            let health = health::load(cfg.clone(), names.clone(), Arc::new(existing), range);
            let ctx = PanelContext {
                cfg,
                names,
                range,
                view,
                hover_secs,
                health,
            };
            panels(body, ctx, view);
        };
        match owner {
            Some(owner) => owner.with(build),
            None => build(),
        }
    });
}

/// The panels by group, or the one panel `?panel=` names, in `container`. Rebuilt (with their
/// effects) only when `?panel=` changes.
fn panels(container: web_sys::HtmlElement, ctx: PanelContext, view: Watched<ViewState>) {
    // Each build runs under its own owner, disposed before the next one: a child of the current
    // owner, not of the effect's (which `on_change` cleans at every change of the view state).
    let parent = Owner::current().unwrap_or_default();
    let mut built: Option<Owner> = None;
    on_change(
        move || view.with(|v| v.panel.clone()),
        move |single| {
            if let Some(previous) = built.take() {
                previous.cleanup();
            }
            container.set_text_content(None);
            let owner = parent.with(Owner::new);
            let ctx = ctx.clone();
            let container = container.clone();
            let single = single.clone();
            owner.with(move || match single {
                Some(id) => match find_panel(&id) {
                    Some(spec) => {
                        let grid = el("div", "grid single", Some(&container));
                        let _ = grid.append_child(&panel(spec, ctx));
                    }
                    None => {
                        let p = text_el(
                            "p",
                            "screen",
                            &format!("There is no panel named “{id}”."),
                            Some(&container),
                        );
                        set_attr(&p, "role", Some("alert"));
                    }
                },
                None => {
                    for group in Group::ALL {
                        let section = el("section", "group", Some(&container));
                        set_attr(&section, "aria-label", Some(group.title()));
                        text_el("h2", "group", group.title(), Some(&section));
                        let grid = el("div", "grid", Some(&section));
                        for spec in group.panels() {
                            let _ = grid.append_child(&panel(spec, ctx.clone()));
                        }
                    }
                }
            });
            built = Some(owner);
        },
    );
}

/// A labelled `<select>` in `parent`; `on_change` gets the chosen value.
fn choice(
    parent: &web_sys::Element,
    label: &str,
    control: &str,
    options: &[(String, String)],
    on_change: impl Fn(String) + 'static,
) -> web_sys::HtmlSelectElement {
    let l = text_el("label", "", &format!("{label} "), Some(parent));
    let select: web_sys::HtmlSelectElement = el("select", "", Some(&l)).unchecked_into();
    set_attr(&select, "data-control", Some(control));
    set_options(&select, options);
    let target = select.clone();
    listen(&select, "change", move |_: web_sys::Event| {
        on_change(target.value())
    });
    select
}

/// Replaces a `<select>`'s options with (value, text) pairs.
fn set_options(select: &web_sys::HtmlSelectElement, options: &[(String, String)]) {
    select.set_text_content(None);
    for (value, text) in options {
        set_attr(
            &text_el("option", "", text, Some(select)),
            "value",
            Some(value),
        );
    }
}

/// A `datetime-local` input in `parent`, for one end of an absolute range.
fn datetime_input(
    parent: &web_sys::Element,
    label: &str,
    control: &str,
) -> web_sys::HtmlInputElement {
    let l = text_el("label", "", &format!("{label} "), Some(parent));
    let input: web_sys::HtmlInputElement = el("input", "", Some(&l)).unchecked_into();
    input.set_type("datetime-local");
    set_attr(&input, "data-control", Some(control));
    input
}

/// Unix seconds of a `datetime-local` value, read in the browser's time zone (which knows its
/// daylight-saving rules); `None` when the value is not a valid one.
fn local_input_secs(value: &str) -> Option<i64> {
    let c = crate::core::time::parse_datetime_local(value)?;
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        c.year as u32,
        c.month as i32 - 1,
        c.day as i32,
        c.hour as i32,
        c.minute as i32,
        c.second as i32,
    );
    let ms = date.get_time();
    ms.is_finite().then(|| (ms / 1_000.0).floor() as i64)
}

/// The browser's UTC offset at `unix_secs`, in seconds (local time on axes, labels and inputs).
pub(crate) fn utc_offset_at(unix_secs: f64) -> i64 {
    -(js_sys::Date::new(&(unix_secs * 1_000.0).into()).get_timezone_offset() as i64) * 60
}

/// Title, time range, handler, refresh and theme controls.
fn header(
    view: Watched<ViewState>,
    tick: Trigger,
    refresh_default: Refresh,
    range: Memo<crate::core::time::TimeRange>,
    handlers: Watched<Vec<String>>,
) -> web_sys::HtmlElement {
    let header = el("header", "", None);
    text_el("h1", "", "arrwDB ops", Some(&header));
    let range_label = el("span", "sub", Some(&header));
    set_attr(&range_label, "data-range-label", Some(""));
    el("span", "spacer", Some(&header));

    let mut ranges: Vec<(String, String)> = PRESETS
        .iter()
        .map(|(name, _)| (name.to_string(), format!("last {name}")))
        .collect();
    ranges.push(("zoomed".to_owned(), "zoomed".to_owned()));
    let range_select = choice(&header, "Range", "range", &ranges, move |value| {
        if let Some(secs) = state::parse_duration_secs(&value) {
            view.update(|v| {
                *v = v.with_range(RangeSpec::Relative {
                    duration_secs: secs,
                })
            });
        }
    });
    // An absolute range: both ends in local time; applied when both are valid and in order.
    let from_input = datetime_input(&header, "From", "from");
    let to_input = datetime_input(&header, "to", "to");
    for input in [&from_input, &to_input] {
        let (from_input, to_input) = (from_input.clone(), to_input.clone());
        listen(input, "change", move |_: web_sys::Event| {
            if let (Some(from), Some(to)) = (
                local_input_secs(&from_input.value()),
                local_input_secs(&to_input.value()),
            ) {
                if from < to {
                    view.update(|v| *v = v.zoomed(from, to));
                }
            }
        });
    }
    let handler_select = choice(&header, "Handler", "handler", &[], move |value| {
        view.update(|v| v.handler = (!value.is_empty()).then_some(value));
    });
    let refreshes: Vec<(String, String)> = REFRESH_CHOICES
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let refresh_select = choice(&header, "Refresh", "refresh", &refreshes, move |value| {
        if let Some(choice) = REFRESH_CHOICES.iter().find(|c| c.to_string() == value) {
            view.update(|v| v.refresh = Some(*choice));
        }
    });
    let now = text_el("button", "", "↻", Some(&header));
    set_attr(&now, "data-control", Some("refresh-now"));
    set_attr(&now, "title", Some("Refresh now"));
    listen(&now, "click", move |_: web_sys::Event| tick.notify());
    let themes: Vec<(String, String)> = Theme::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), t.as_str().to_owned()))
        .collect();
    let theme_select = choice(&header, "Theme", "theme", &themes, move |value| {
        if let Some(theme) = Theme::ALL.iter().find(|t| t.as_str() == value) {
            view.update(|v| v.theme = *theme);
        }
    });

    // The controls follow the view state (URL, back/forward, zoom).
    effect(move || {
        let (spec, theme, refresh) =
            view.with(|v| (v.range, v.theme, v.effective_refresh(refresh_default)));
        let offset_secs = utc_offset_at(now_secs());
        range_label.set_text_content(Some(&spec.label_in(offset_secs)));
        range_select.set_value(&match spec {
            RangeSpec::Relative { duration_secs } => state::format_duration(duration_secs),
            RangeSpec::Absolute { .. } => "zoomed".to_owned(),
        });
        theme_select.set_value(theme.as_str());
        refresh_select.set_value(&refresh.to_string());
        let shown = range.get();
        // Not while the user is typing in them.
        let active = dom::document().active_element();
        if active.as_ref().is_some_and(|a| {
            a == from_input.unchecked_ref::<web_sys::Element>()
                || a == to_input.unchecked_ref::<web_sys::Element>()
        }) {
            return;
        }
        from_input.set_value(&format_datetime_local(
            shown.start_secs(),
            utc_offset_at(shown.start_secs()),
        ));
        to_input.set_value(&format_datetime_local(
            shown.end_secs(),
            utc_offset_at(shown.end_secs()),
        ));
    });
    // The handlers Prometheus knows, and the one in the URL even if it knows none.
    effect(move || {
        let current = view.with(|v| v.handler.clone());
        let mut options = vec![(String::new(), "all handlers".to_owned())];
        handlers.with(|hs| options.extend(hs.iter().map(|h| (h.clone(), h.clone()))));
        if let Some(h) = current
            .as_ref()
            .filter(|h| !options.iter().any(|(v, _)| v == *h))
        {
            options.push((h.clone(), h.clone()));
        }
        set_options(&handler_select, &options);
        handler_select.set_value(current.as_deref().unwrap_or(""));
    });
    header
}
