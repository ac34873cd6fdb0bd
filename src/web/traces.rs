//! The traces drill-down (`data-panel="traces"`): the traces of the window in the URL
//! (`drill=`, `traces=`, `op=`) as a list, and the waterfall of the trace in the URL (`trace=`).
//! What to search and what to keep is decided by `core::drill`; this file fetches and shows.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, Element, HtmlElement};

use crate::core::config::{Config, JaegerApi, JaegerConfig};
use crate::core::drill::{self, Target, TraceFilter};
use crate::core::jaeger::{self as j, ApiVersion, JaegerError, SearchParams, Trace, TraceSummary};
use crate::core::links;
use crate::core::state::ViewState;
use crate::core::waterfall;
use crate::web::dom::{effect, el, keyboard_clicks, listen, on_change, set_attr, spawn, text_el, Watched};
use crate::web::http::{get_text, FetchFailure};
use crate::web::utc_offset_at;

/// Height of one waterfall row in CSS pixels (style/main.css agrees).
const ROW_PX: i32 = 22;
/// Rows drawn above and below the visible ones.
const OVERSCAN_ROWS: usize = 10;

/// What a part of the drill-down shows; `data-state` in the DOM.
#[derive(Clone)]
enum Load<T> {
    Idle,
    Loading,
    Ready(T),
    Error(String),
}

/// Two loads are the same when in the same state with the same answer: the same `Arc`, not an
/// equal one (comparing two answers would cost more than showing one again).
impl<T> PartialEq for Load<Arc<T>> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Load::Idle, Load::Idle) | (Load::Loading, Load::Loading) => true,
            (Load::Ready(a), Load::Ready(b)) => Arc::ptr_eq(a, b),
            (Load::Error(a), Load::Error(b)) => a == b,
            _ => false,
        }
    }
}

impl<T> Load<T> {
    fn name(&self) -> &'static str {
        match self {
            Load::Idle => "idle",
            Load::Loading => "loading",
            Load::Ready(_) => "ready",
            Load::Error(_) => "error",
        }
    }
}

/// An opened trace and its waterfall rows, laid out once when it arrives.
type Opened = (Arc<Trace>, Arc<Vec<waterfall::Row>>);

fn laid_out(trace: Arc<Trace>) -> Load<Opened> {
    let rows = Arc::new(waterfall::layout(&trace));
    Load::Ready((trace, rows))
}

/// What the user did to the opened trace's waterfall; cleared (but the scroll) when another
/// trace opens.
#[derive(Clone, Default)]
struct WaterfallView {
    /// The span ids whose children are hidden.
    collapsed: HashSet<String>,
    /// The span whose details are shown, by index in the trace.
    selected_span: Option<usize>,
    scroll_top_px: i32,
}

/// The list: its rows and how many traces matched before the cut.
type Listing = (Vec<TraceSummary>, usize);

async fn fetch(url: &str, jc: &JaegerConfig, signal: &AbortSignal) -> Result<(u16, String), JaegerError> {
    let base = &jc.url;
    match get_text(url, Some(signal), jc.timeout_secs).await {
        Ok(answer) => Ok(answer),
        Err(FetchFailure::Aborted) => Err(JaegerError::aborted()),
        Err(FetchFailure::TimedOut) => Err(JaegerError::timeout(base, jc.timeout_secs)),
        Err(FetchFailure::Network(detail)) => Err(JaegerError::unreachable(base, &detail)),
    }
}

thread_local! {
    /// The API version the auto probe found, for the life of the page.
    static KNOWN_API: std::cell::Cell<Option<ApiVersion>> = const { std::cell::Cell::new(None) };
}

/// The API to speak: the configured one, or (auto) what one probe of api_v3 says, remembered.
async fn api_version(jc: &JaegerConfig, signal: &AbortSignal) -> Result<ApiVersion, JaegerError> {
    if let JaegerApi::Fixed(v) = jc.api {
        return Ok(v);
    }
    if let Some(v) = KNOWN_API.with(|k| k.get()) {
        return Ok(v);
    }
    let probe = fetch(&j::v3_services_url(&jc.url), jc, signal)
        .await
        .and_then(|(status, body)| j::decode_v3_services(status, &body));
    match j::choose_api_version(&probe) {
        Some(v) => {
            KNOWN_API.with(|k| k.set(Some(v)));
            Ok(v)
        }
        None => Err(probe.err().unwrap_or_else(JaegerError::aborted)),
    }
}

async fn search(
    jc: &JaegerConfig,
    version: ApiVersion,
    p: &SearchParams,
    signal: &AbortSignal,
) -> Result<Vec<Trace>, JaegerError> {
    let (status, body) = fetch(&version.search_url(&jc.url, p), jc, signal).await?;
    version.decode_search(p, status, &body).map_err(|e| e.at_url(&jc.url))
}

async fn trace_by_id(
    jc: &JaegerConfig,
    version: ApiVersion,
    id: &str,
    signal: &AbortSignal,
) -> Result<Trace, JaegerError> {
    let (status, body) = fetch(&version.trace_url(&jc.url, id), jc, signal).await?;
    version.decode_trace(status, &body).map_err(|e| e.at_url(&jc.url))
}

/// A link that opens in a new tab, without access to this page; not made when `href` is none.
fn link(parent: &Element, kind: &str, text: &str, href: Option<String>) {
    if let Some(href) = href {
        let a = text_el("a", "link", text, Some(parent));
        set_attr(&a, "href", Some(&href));
        set_attr(&a, "target", Some("_blank"));
        set_attr(&a, "rel", Some("noopener noreferrer"));
        set_attr(&a, "data-link", Some(kind));
    }
}

/// The dots of the latency chart's trace scatter for `[from_secs, to_secs]`.
pub(crate) async fn scatter_dots(
    jc: &JaegerConfig,
    from_secs: i64,
    to_secs: i64,
    signal: &AbortSignal,
) -> Result<Vec<drill::Dot>, JaegerError> {
    let version = api_version(jc, signal).await?;
    let mut answers = Vec::new();
    for p in drill::scatter_searches(&jc.service, from_secs * 1_000_000, to_secs * 1_000_000) {
        answers.push(search(jc, version, &p, signal).await?);
    }
    Ok(drill::trace_dots(&answers))
}

/// Aborts the request of a slot, if any (also when the slot is already disposed).
pub(crate) fn abort(slot: StoredValue<Option<AbortController>, LocalStorage>) {
    slot.try_update_value(|s| {
        if let Some(c) = s.take() {
            c.abort();
        }
    });
}

/// Aborts the previous request of a slot and starts a new one.
pub(crate) fn restart(
    slot: StoredValue<Option<AbortController>, LocalStorage>,
) -> Option<AbortController> {
    let controller = AbortController::new().ok()?;
    slot.update_value(|s| {
        if let Some(previous) = s.replace(controller.clone()) {
            previous.abort();
        }
    });
    Some(controller)
}

/// The drill-down section. Hidden while the URL has neither a window nor a trace.
pub fn drill_down(cfg: Arc<Config>, view: Watched<ViewState>) -> HtmlElement {
    let root = el("section", "panel traces", None);
    set_attr(&root, "data-panel", Some("traces"));
    let h2 = text_el("h2", "", "Traces", Some(&root));
    let sub = el("span", "sub", Some(&h2));
    let bar = el("div", "bar", Some(&root));
    let filter_select: web_sys::HtmlSelectElement = el("select", "", Some(&bar)).unchecked_into();
    set_attr(&filter_select, "data-control", Some("trace-filter"));
    set_attr(&filter_select, "aria-label", Some("Which traces"));
    for f in TraceFilter::ALL {
        set_attr(
            &text_el("option", "", &f.label(), Some(&filter_select)),
            "value",
            Some(f.as_str()),
        );
    }
    let window_links = el("span", "links", Some(&bar));
    let close = text_el("button", "", "Close", Some(&bar));
    set_attr(&close, "data-control", Some("close-traces"));
    let message = el("p", "message", Some(&root));
    let list = el("table", "trace-list", Some(&root));
    let wf = el("div", "waterfall", Some(&root));
    let wf_head = el("div", "bar", Some(&wf));
    let wf_scroll = el("div", "wf-scroll", Some(&wf));
    let wf_inner = el("div", "wf-inner", Some(&wf_scroll));
    let detail = el("pre", "span-detail", Some(&wf));

    {
        let filter_el = filter_select.clone();
        listen(&filter_select, "change", move |_: web_sys::Event| {
            if let Some(f) = TraceFilter::parse(&filter_el.value()) {
                view.update(|v| v.trace_filter = f);
            }
        });
    }
    listen(&close, "click", move |_: web_sys::Event| view.update(|v| *v = v.without_drill()));
    keyboard_clicks(&list, "tr[data-trace-id]");
    listen(&list, "click", move |ev: web_sys::Event| {
        let id = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("tr[data-trace-id]").ok().flatten())
            .and_then(|tr| tr.get_attribute("data-trace-id"));
        if let Some(id) = id {
            view.update(|v| *v = v.with_trace(&id));
        }
    });

    let Some(jc) = cfg.jaeger.clone() else {
        // Without Jaeger, a drill-down in the URL says why it shows nothing.
        let root2 = root.clone();
        effect(move || {
            let asked = view.with(|v| v.drill.is_some() || v.trace.is_some());
            set_attr(&root2, "hidden", (!asked).then_some(""));
            // Not configured is its own state, not an error.
            set_attr(&root2, "data-state", Some("off"));
            message.set_text_content(Some(
                "Traces are not configured: add a `jaeger` section to config.json.",
            ));
        });
        return root;
    };
    let jc = Arc::new(jc);
    let listing = Watched::new(Load::<Arc<Listing>>::Idle);
    let opened_trace = Watched::new(Load::<Opened>::Idle);
    // The traces the list fetched (a few hundred at most): a row opens without another request.
    // A plain shared cell: nothing reacts to it, so it needs none of leptos's storage.
    let fetched = Rc::new(RefCell::new(Vec::<Arc<Trace>>::new()));
    let list_request = StoredValue::new_local(None::<AbortController>);
    let trace_request = StoredValue::new_local(None::<AbortController>);
    on_cleanup(move || {
        abort(list_request);
        abort(trace_request);
    });

    let asked = move || view.with(|v| (v.drill, v.trace_filter, v.drill_op.clone()));
    // A window opened from a chart further down brings the list into view.
    {
        let root = root.clone();
        let mut previous: Option<Option<(i64, i64)>> = None;
        on_change(
            move || view.with(|v| v.drill),
            move |&window| {
                if window.is_some() && previous.is_some_and(|p| p != window) {
                    root.scroll_into_view();
                }
                previous = Some(window);
            },
        );
    }
    {
        let (jc, fetched) = (jc.clone(), fetched.clone());
        on_change(asked, move |asked| {
            let (window, filter, op) = asked.clone();
            let Some((from, to)) = window else {
                abort(list_request);
                listing.set(Load::Idle);
                return;
            };
            let Some(controller) = restart(list_request) else {
                return;
            };
            listing.set(Load::Loading);
            let (jc, fetched) = (jc.clone(), fetched.clone());
            spawn(async move {
                let signal = controller.signal();
                let target = Target::parse(op.as_deref());
                let plan = drill::searches(
                    &jc.service,
                    filter,
                    &target,
                    from * 1_000_000,
                    to * 1_000_000,
                );
                let result = async {
                    let version = api_version(&jc, &signal).await?;
                    let mut answers = Vec::with_capacity(plan.len());
                    for p in &plan {
                        answers.push(search(&jc, version, p, &signal).await?);
                    }
                    Ok::<_, JaegerError>(answers)
                }
                .await;
                match result {
                    Err(e) if e.is_aborted() => {}
                    Err(e) => listing.set(Load::Error(e.to_string())),
                    Ok(answers) => {
                        let listed = drill::select(filter, &target, &answers);
                        *fetched.borrow_mut() =
                            answers.into_iter().flatten().map(Arc::new).collect();
                        listing.set(Load::Ready(Arc::new(listed)));
                    }
                }
            });
        });
    }

    let trace_id = move || view.with(|v| v.trace.clone());
    let jc_by_id = jc.clone();
    on_change(trace_id, move |id| {
        let Some(id) = id.clone() else {
            abort(trace_request);
            opened_trace.set(Load::Idle);
            return;
        };
        let known = fetched.borrow().iter().find(|t| t.trace_id == id).cloned();
        if let Some(t) = known {
            opened_trace.set(laid_out(t));
            return;
        }
        let Some(controller) = restart(trace_request) else {
            return;
        };
        opened_trace.set(Load::Loading);
        let jc = jc_by_id.clone();
        spawn(async move {
            let signal = controller.signal();
            let result = async {
                let version = api_version(&jc, &signal).await?;
                trace_by_id(&jc, version, &id, &signal).await
            }
            .await;
            match result {
                Err(e) if e.is_aborted() => {}
                Err(e) if e.is_not_found() => opened_trace.set(Load::Error(format!(
                    "Jaeger has no trace {id} (it may have been sampled out or expired)."
                ))),
                Err(e) => opened_trace.set(Load::Error(e.to_string())),
                Ok(t) => opened_trace.set(laid_out(Arc::new(t))),
            }
        });
    });

    // The list, its header and its links.
    {
        let root = root.clone();
        let cfg = cfg.clone();
        let jc = jc.clone();
        // Shown again when the question, the opened trace or the answer changes.
        let shown = move || (asked(), trace_id(), listing.get());
        on_change(shown, move |shown| {
            let ((window, filter, op), shown_trace, load) = shown.clone();
            set_attr(
                &root,
                "hidden",
                (window.is_none() && shown_trace.is_none()).then_some(""),
            );
            filter_select.set_value(filter.as_str());
            window_links.set_text_content(None);
            set_attr(&root, "data-state", Some(load.name()));
            set_attr(&list, "hidden", window.is_none().then_some(""));
            set_attr(&filter_select, "hidden", window.is_none().then_some(""));
            set_attr(&root, "data-traces", None);
            let Some((from, to)) = window else {
                sub.set_text_content(None);
                message.set_text_content(None);
                return;
            };
            let offset = utc_offset_at(from as f64);
            let target = Target::parse(op.as_deref());
            sub.set_text_content(Some(&drill::window_title(from, to, offset, op.as_deref(), &jc.service, filter)));
            link(
                &window_links,
                "jaeger-search",
                "Search in Jaeger",
                drill::window_search_link(&cfg.links, &jc.service, filter, &target, from, to),
            );
            link(
                &window_links,
                "sentry",
                "Sentry issues",
                links::sentry_issues_link(&cfg.links, from as f64, to as f64, None),
            );
            let text = match &load {
                Load::Idle | Load::Ready(_) => None,
                Load::Loading => Some("Searching Jaeger…".to_owned()),
                Load::Error(m) => Some(m.clone()),
            };
            list.set_text_content(None);
            let mut text = text;
            if let Load::Ready(listed) = &load {
                let (rows, matched) = listed.as_ref();
                set_attr(&root, "data-traces", Some(&rows.len().to_string()));
                if rows.is_empty() {
                    set_attr(&root, "data-state", Some("empty"));
                } else {
                    fill_list(&list, rows, shown_trace.as_deref(), offset);
                }
                text = drill::list_note(filter, rows.len(), *matched);
            }
            set_attr(&message, "hidden", text.is_none().then_some(""));
            message.set_text_content(text.as_deref());
        });
    }

    // The waterfall of the opened trace.
    let wf_view = Watched::new(WaterfallView::default());
    on_change(trace_id, move |_| {
        wf_view.update(|w| {
            w.collapsed.clear();
            w.selected_span = None;
        });
    });
    {
        let wf_scroll2 = wf_scroll.clone();
        listen(&wf_scroll, "scroll", move |_: web_sys::Event| {
            wf_view.update(|w| w.scroll_top_px = wf_scroll2.scroll_top())
        });
    }
    keyboard_clicks(&wf_inner, ".wf-row, .caret");
    listen(&wf_inner, "click", move |ev: web_sys::Event| {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Some(row) = target.closest("[data-span-index]").ok().flatten() else {
            return;
        };
        let index = row
            .get_attribute("data-span-index")
            .and_then(|i| i.parse::<usize>().ok());
        if target.closest(".caret").ok().flatten().is_some() {
            if let Some(id) = row.get_attribute("data-span-id") {
                wf_view.update(|w| {
                    if !w.collapsed.remove(&id) {
                        w.collapsed.insert(id);
                    }
                });
            }
        } else {
            wf_view.update(|w| w.selected_span = index);
        }
    });
    {
        let wf = wf.clone();
        let cfg = cfg.clone();
        effect(move || {
            let load = opened_trace.get();
            set_attr(&wf, "data-state", Some(load.name()));
            set_attr(&wf, "hidden", matches!(load, Load::Idle).then_some(""));
            wf_head.set_text_content(None);
            let Load::Ready((trace, rows)) = load else {
                set_attr(&wf, "data-trace-id", None);
                set_attr(&wf, "data-spans", None);
                wf_inner.set_text_content(None);
                set_attr(&wf_inner, "style", Some("height: 0"));
                detail.set_text_content(None);
                let text = match load {
                    Load::Loading => "Loading the trace…".to_owned(),
                    Load::Error(m) => m,
                    _ => String::new(),
                };
                text_el("span", "message", &text, Some(&wf_head));
                return;
            };
            let s = trace.summary();
            set_attr(&wf, "data-trace-id", Some(&trace.trace_id));
            set_attr(&wf, "data-spans", Some(&trace.spans.len().to_string()));
            text_el(
                "span",
                "",
                &format!(
                    "{} · {} · {} spans, {} with errors",
                    trace.trace_id,
                    drill::duration_text(s.duration_us),
                    s.span_count,
                    s.error_span_count
                ),
                Some(&wf_head),
            );
            link(
                &wf_head,
                "jaeger-trace",
                "Open in Jaeger",
                links::jaeger_trace_link(&cfg.links, &trace.trace_id),
            );
            let start = s.start_us as f64 / 1e6;
            link(
                &wf_head,
                "sentry-trace",
                "Sentry issues of this trace",
                links::sentry_trace_link(
                    &cfg.links,
                    &trace.trace_id,
                    start - 3_600.0,
                    start + s.duration_us as f64 / 1e6 + 3_600.0,
                ),
            );
            let wv = wf_view.get();
            let visible = waterfall::visible_rows(&rows, &wv.collapsed);
            set_attr(&wf, "data-rows", Some(&visible.len().to_string()));
            set_attr(
                &wf_inner,
                "style",
                Some(&format!("height: {}px", visible.len() as i32 * ROW_PX)),
            );
            // Only the rows in view (and a few around) are in the DOM: a 10,000-span trace
            // scrolls like a 10-span one.
            let top = wv.scroll_top_px;
            let height = wf_scroll.client_height().max(ROW_PX * 20);
            let first = ((top / ROW_PX).max(0) as usize).saturating_sub(OVERSCAN_ROWS);
            let last = (((top + height) / ROW_PX) as usize + OVERSCAN_ROWS).min(visible.len());
            let chosen = wv.selected_span;
            wf_inner.set_text_content(None);
            for (i, row) in visible.iter().enumerate().take(last).skip(first) {
                let span = &trace.spans[row.span_index];
                let mut class = "wf-row".to_owned();
                if row.is_error {
                    class.push_str(" error");
                }
                if chosen == Some(row.span_index) {
                    class.push_str(" selected");
                }
                let r = el("div", &class, Some(&wf_inner));
                set_attr(&r, "tabindex", Some("0"));
                set_attr(&r, "data-span-index", Some(&row.span_index.to_string()));
                set_attr(&r, "data-span-id", Some(&row.span_id));
                set_attr(&r, "style", Some(&format!("top: {}px", i as i32 * ROW_PX)));
                let name = el("span", "wf-name", Some(&r));
                set_attr(
                    &name,
                    "style",
                    Some(&format!("padding-left: {}px", row.depth.min(40) * 12)),
                );
                if row.has_children || wv.collapsed.contains(&row.span_id) {
                    let open = !wv.collapsed.contains(&row.span_id);
                    text_el("span", "caret", if open { "▾ " } else { "▸ " }, Some(&name));
                }
                let mut label = span.operation.clone();
                if row.orphan {
                    label.push_str(" (parent missing)");
                }
                if row.skewed {
                    label.push_str(" (clock skew)");
                }
                let _ = name.append_with_str_1(&label);
                let lane = el("span", "wf-lane", Some(&r));
                let bar = el("span", "wf-bar", Some(&lane));
                set_attr(
                    &bar,
                    "style",
                    Some(&drill::bar_css(
                        row.offset_us,
                        row.duration_us,
                        s.duration_us,
                    )),
                );
                text_el(
                    "span",
                    "wf-dur",
                    &drill::duration_text(row.duration_us),
                    Some(&lane),
                );
            }
            let lines = chosen
                .and_then(|i| trace.spans.get(i))
                .map(|span| drill::span_detail(span).join("\n"));
            set_attr(&detail, "hidden", lines.is_none().then_some(""));
            detail.set_text_content(lines.as_deref());
        });
    }
    root
}

/// The list's table: one row per trace, `data-trace-id` on each.
fn fill_list(table: &Element, rows: &[TraceSummary], open: Option<&str>, utc_offset_secs: i64) {
    let tr = el("tr", "", Some(&el("thead", "", Some(table))));
    for h in [
        "start",
        "root operation",
        "duration",
        "spans",
        "errors",
        "HTTP",
    ] {
        text_el("th", "", h, Some(&tr));
    }
    let tbody = el("tbody", "", Some(table));
    for s in rows {
        let mut class = String::new();
        if s.has_errors() {
            class.push_str("error");
        }
        if open == Some(s.trace_id.as_str()) {
            class.push_str(" selected");
        }
        let tr = el("tr", class.trim(), Some(&tbody));
        set_attr(&tr, "data-trace-id", Some(&s.trace_id));
        set_attr(&tr, "data-errors", Some(&s.error_span_count.to_string()));
        set_attr(&tr, "tabindex", Some("0"));
        for (i, cell) in drill::row_cells(s, utc_offset_secs).iter().enumerate() {
            text_el("td", if i >= 2 { "num" } else { "" }, cell, Some(&tr));
        }
    }
}
