//! The traces drill-down (`data-panel="traces"`): the traces of the window in the URL
//! (`drill=`, `traces=`, `op=`) as a `TraceList`, and the `Waterfall` of the trace in the URL
//! (`trace=`). What to search and what to keep is decided by `core::drill`; this file fetches and
//! shows.

use std::sync::Arc;

use leptos::html::{Div, Section};
use leptos::prelude::*;

use crate::core::drill::{self, ReplicaTag, Target, TraceFilter, WaterfallChoice, WATERFALL_ROW_PX};
use crate::core::html::options_html;
use crate::core::jaeger::{Trace, TraceSummary};
use crate::core::links;
use crate::core::waterfall;
use crate::web::context::{use_dash, Dash};
use crate::web::http::AbortSlot;
use crate::web::jaeger::Jaeger;
use crate::web::{activates, event_closest, on_change, row_data, utc_offset_at};


/// What a part of the drill-down shows; `data-state` in the DOM.
#[derive(Clone)]
enum Load<T> {
    Idle,
    Loading,
    Ready(T),
    Error(String),
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

/// The list: its rows and how many traces matched before the cut.
type Listing = Arc<(Vec<TraceSummary>, usize)>;
/// An opened trace and its waterfall rows, laid out once when it arrives.
type Opened = (Arc<Trace>, Arc<Vec<waterfall::Row>>);

fn laid_out(trace: Arc<Trace>) -> Load<Opened> {
    let rows = Arc::new(waterfall::layout(&trace));
    Load::Ready((trace, rows))
}

/// A link that opens in a new tab, without access to this page.
#[component]
fn OutLink(kind: &'static str, text: &'static str, href: Option<String>) -> impl IntoView {
    href.map(|href| view! { <a class="link" href=href target="_blank" rel="noopener noreferrer" data-link=kind>{text}</a> })
}

/// The drill-down section. Hidden while the URL has neither a window nor a trace.
#[component]
pub fn DrillDown() -> impl IntoView {
    let dash = use_dash();
    let view = dash.view;
    let asked_nothing = Signal::derive(move || view.with(|v| v.drill.is_none() && v.trace.is_none()));
    let Some(jaeger) = dash.jaeger.clone() else {
        // Not configured: its own state, and a drill-down in the URL says why it shows nothing.
        return view! {
            <section class="panel traces" data-panel="traces" data-state="off" hidden=asked_nothing>
                <h2>"Traces"</h2>
                <p class="message">"Traces are not configured: add a `jaeger` section to config.json."</p>
            </section>
        }
        .into_any();
    };
    let section = NodeRef::<Section>::new();
    // A window opened from a chart further down brings the list into view.
    on_change(move || view.with(|v| v.drill), move |window, previous| {
        if window.is_some() && previous.is_some() {
            if let Some(s) = section.get_untracked() {
                s.scroll_into_view();
            }
        }
    });
    let fetched = StoredValue::new(Vec::<Arc<Trace>>::new());
    let listing = use_listing(jaeger.clone(), fetched);
    let opened = use_opened(jaeger, fetched);
    let state = Signal::derive(move || {
        listing.with(|l| match l {
            Load::Ready(rows) if rows.0.is_empty() => "empty",
            other => other.name(),
        }
        .to_owned())
    });
    let traces = Signal::derive(move || listing.with(|l| match l {
        Load::Ready(rows) => Some(rows.0.len().to_string()),
        _ => None,
    }));
    view! {
        <section class="panel traces" data-panel="traces" node_ref=section hidden=asked_nothing
            data-state=state data-traces=traces>
            <TraceList listing/>
            <Waterfall opened/>
        </section>
    }
    .into_any()
}

/// An open drill-down window as the view says it: its times (Unix seconds), the list filter,
/// the operation or route it is narrowed to, and the replica the page is narrowed to.
type DrillWindow = ((i64, i64), TraceFilter, Option<String>, Option<ReplicaTag>);

/// The view's drill-down window, `None` when none is open (tracked: for keys and derived text).
fn drill_window(dash: &Dash) -> impl Fn() -> Option<DrillWindow> + Clone + 'static {
    let view = dash.view;
    let key = dash.cfg.jaeger.as_ref().map(|j| j.instance_attribute.clone()).unwrap_or_default();
    move || {
        view.with(|v| {
            let replica = ReplicaTag::of_scope(&key, &v.instances);
            v.drill.map(|w| (w, v.trace_filter, v.drill_op.clone(), replica))
        })
    }
}

/// The list's searches, again whenever the window, the filter or the narrowing changes; the
/// traces they fetched are kept in `fetched` (a row opens without another request).
fn use_listing(jaeger: Jaeger, fetched: StoredValue<Vec<Arc<Trace>>>) -> ReadSignal<Load<Listing>> {
    let (listing, set_listing) = signal(Load::Idle);
    let slot = AbortSlot::new();
    on_change(drill_window(&use_dash()), move |asked, _| {
        {
            let Some(((from, to), filter, op, replica)) = asked.clone() else {
                slot.abort();
                set_listing.set(Load::Idle);
                return;
            };
            let Some(signal) = slot.renew() else { return };
            set_listing.set(Load::Loading);
            let (jaeger, target) = (jaeger.clone(), Target::parse(op.as_deref()));
            leptos::task::spawn_local(async move {
                let plan =
                    drill::searches(&jaeger.cfg.service, filter, &target, replica.as_ref(), from * 1_000_000, to * 1_000_000);
                match jaeger.search_all(&plan, Some(&signal)).await {
                    Err(e) if e.is_aborted() => {}
                    Err(e) => {
                        set_listing.try_set(Load::Error(e.to_string()));
                    }
                    Ok(answers) => {
                        let listed = drill::select(filter, &target, &answers);
                        fetched.try_set_value(answers.into_iter().flatten().map(Arc::new).collect());
                        set_listing.try_set(Load::Ready(Arc::new(listed)));
                    }
                }
            });
        }
    });
    listing
}

/// The trace in the URL: from the list's answers when it is there, else asked by id.
fn use_opened(jaeger: Jaeger, fetched: StoredValue<Vec<Arc<Trace>>>) -> ReadSignal<Load<Opened>> {
    let view = use_dash().view;
    let (opened, set_opened) = signal(Load::Idle);
    let slot = AbortSlot::new();
    on_change(move || view.with(|v| v.trace.clone()), move |id, _| {
        let id = id.clone();
        {
            let Some(id) = id else {
                slot.abort();
                set_opened.set(Load::Idle);
                return;
            };
            if let Some(t) = fetched.with_value(|f| f.iter().find(|t| t.trace_id == id).cloned()) {
                set_opened.set(laid_out(t));
                return;
            }
            let Some(signal) = slot.renew() else { return };
            set_opened.set(Load::Loading);
            let jaeger = jaeger.clone();
            leptos::task::spawn_local(async move {
                let load = match jaeger.trace(&id, Some(&signal)).await {
                    Err(e) if e.is_aborted() => return,
                    Err(e) if e.is_not_found() => {
                        Load::Error(format!("Jaeger has no trace {id} (it may have been sampled out or expired)."))
                    }
                    Err(e) => Load::Error(e.to_string()),
                    Ok(t) => laid_out(Arc::new(t)),
                };
                set_opened.try_set(load);
            });
        }
    });
    opened
}

/// The window's heading, its bar and its list of traces (a row opens its trace).
#[component]
fn TraceList(listing: ReadSignal<Load<Listing>>) -> impl IntoView {
    let dash = use_dash();
    let (view, cfg) = (dash.view, dash.cfg.clone());
    let service = cfg.jaeger.as_ref().map(|j| j.service.clone()).unwrap_or_default();
    let window = drill_window(&dash);
    let title = Signal::derive(move || {
        window().map(|((from, to), filter, op, replica)| {
            drill::window_title(from, to, utc_offset_at(from as f64), op.as_deref(), &service, replica.as_ref(), filter)
        })
    });
    let message = Signal::derive(move || {
        let filter = view.with(|v| v.trace_filter);
        listing.with(|l| match l {
            Load::Idle => None,
            Load::Loading => Some("Searching Jaeger…".to_owned()),
            Load::Error(m) => Some(m.clone()),
            Load::Ready(rows) => drill::list_note(filter, rows.0.len(), rows.1),
        })
    });
    let rows_html = move || {
        let open = view.with(|v| v.trace.clone());
        listing.with(|l| match l {
            Load::Ready(rows) => drill::trace_rows_html(&rows.0, open.as_deref(), utc_offset_at),
            _ => String::new(),
        })
    };
    let open_row = move |ev: &web_sys::Event| {
        if let Some(id) = row_data(ev, "tr", "data-trace-id") {
            view.update(|v| *v = v.with_trace(&id));
            true
        } else {
            false
        }
    };
    view! {
        <h2>"Traces" <span class="sub">{title}</span></h2>
        <WindowBar/>
        <p class="message">{message}</p>
        // Not shown while it has no row (see the style sheet): the message says why.
        <table class="trace-list">
            <thead><tr>
                {["start", "root operation", "duration", "spans", "errors", "HTTP"].iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}
            </tr></thead>
            <tbody inner_html=rows_html on:click=move |ev| { open_row(&ev); }
                on:keydown=move |ev| if activates(&ev) && open_row(&ev) { ev.prevent_default() }></tbody>
        </table>
    }
}

/// The drill-down window's bar: which traces to list, its Jaeger and Sentry links, Close.
#[component]
fn WindowBar() -> impl IntoView {
    let dash = use_dash();
    let (view, cfg) = (dash.view, dash.cfg.clone());
    let service = cfg.jaeger.as_ref().map(|j| j.service.clone()).unwrap_or_default();
    let window = drill_window(&dash);
    let no_window = Signal::derive(move || view.with(|v| v.drill.is_none()));
    let window_links = move || {
        window().map(|((from, to), filter, op, replica)| {
            let target = Target::parse(op.as_deref());
            let search = drill::window_search_link(&cfg.links, &service, filter, &target, replica.as_ref(), from, to);
            let sentry = links::sentry_issues_link(&cfg.links, from as f64, to as f64, None);
            view! {
                <OutLink kind="jaeger-search" text="Search in Jaeger" href=search/>
                <OutLink kind="sentry" text="Sentry issues" href=sentry/>
            }
        })
    };
    let filters: Vec<(String, String)> =
        TraceFilter::ALL.iter().map(|f| (f.as_str().to_owned(), f.label().to_owned())).collect();
    view! {
        <div class="bar">
            // Its options are markup, rebuilt with the chosen one selected (as the header's).
            <select data-control="trace-filter" aria-label="Which traces" hidden=no_window
                inner_html=Signal::derive(move || view.with(|v| options_html(&filters, v.trace_filter.as_str())))
                on:change=move |ev| {
                    if let Some(f) = TraceFilter::parse(&event_target_value(&ev)) {
                        view.update(|v| v.trace_filter = f);
                    }
                }>
            </select>
            <span class="links">{window_links}</span>
            <button data-control="close-traces" on:click=move |_| view.update(|v| *v = v.without_drill())>"Close"</button>
        </div>
    }
}

/// The opened trace: its heading and links, its rows (only those in view are in the DOM: a
/// 10,000-span trace scrolls like a 10-span one) and the chosen span's details. A row's caret
/// collapses its children; the rest of the row (click, Enter or Space) shows its details.
#[component]
fn Waterfall(opened: ReadSignal<Load<Opened>>) -> impl IntoView {
    let dash = use_dash();
    let view = dash.view;
    // What the user did to this trace: cleared (but the scroll) when another trace opens.
    let choice = RwSignal::new(WaterfallChoice::default());
    let scroll_top_px = RwSignal::new(0);
    on_change(move || view.with(|v| v.trace.clone()), move |_, previous| {
        if previous.is_some() {
            choice.set(WaterfallChoice::default());
        }
    });
    let scroller = NodeRef::<Div>::new();
    // The opened trace and its rows, when they are there (a plain closure: it is cheap).
    let trace = move || opened.with(|o| match o {
        Load::Ready(o) => Some(o.clone()),
        _ => None,
    });
    // The rows not under a collapsed span (a plain closure: one pass over the rows).
    let visible = move || {
        let (_, rows) = trace()?;
        Some(choice.with(|c| waterfall::visible_rows(&rows, &c.collapsed)))
    };
    let rows_in_view = move || {
        let ((trace, _), visible) = (trace()?, visible()?);
        let height_px = scroller.get().map_or(0, |s| s.client_height());
        let shown = drill::waterfall_rows_in_view(scroll_top_px.get(), height_px, visible.len());
        Some(choice.with(|c| drill::waterfall_html(&trace, &visible[shown.clone()], shown.start, c)))
    };
    let select = move |ev: &web_sys::Event| {
        let index = row_data(ev, ".wf-row", "data-span-index").and_then(|i| i.parse().ok());
        if index.is_some() {
            choice.update(|c| c.selected_span = index);
        }
        index.is_some()
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let caret = event_closest(&ev, ".caret").is_some();
        match row_data(&ev, ".wf-row", "data-span-id") {
            Some(id) if caret => choice.update(|c| {
                if !c.collapsed.remove(&id) {
                    c.collapsed.insert(id);
                }
            }),
            _ => {
                select(&ev);
            }
        }
    };
    let detail = Signal::derive(move || {
        let (trace, _) = trace()?;
        let i = choice.with(|c| c.selected_span)?;
        trace.spans.get(i).map(|span| drill::span_detail(span).join("\n"))
    });
    view! {
        <div class="waterfall" data-state=Signal::derive(move || opened.with(Load::name).to_owned())
            hidden=Signal::derive(move || opened.with(|o| matches!(o, Load::Idle)))
            data-trace-id=Signal::derive(move || trace().map(|(t, _)| t.trace_id.clone()))
            data-spans=Signal::derive(move || trace().map(|(t, _)| t.spans.len().to_string()))
            data-rows=Signal::derive(move || visible().map(|v| v.len().to_string()))>
            <div class="bar"><WaterfallHead opened/></div>
            <div class="wf-scroll" node_ref=scroller
                on:scroll=move |_| {
                    if let Some(s) = scroller.get_untracked() {
                        scroll_top_px.set(s.scroll_top());
                    }
                }>
                <div class="wf-inner"
                    style=Signal::derive(move || format!("height: {}px", visible().map_or(0, |v| v.len()) * WATERFALL_ROW_PX))
                    inner_html=Signal::derive(move || rows_in_view().unwrap_or_default()) on:click=on_click
                    on:keydown=move |ev| if activates(&ev) && select(&ev) { ev.prevent_default() }></div>
            </div>
            <pre class="span-detail">{detail}</pre>
        </div>
    }
}

/// The opened trace's heading and its Jaeger and Sentry links, or how its loading goes.
#[component]
fn WaterfallHead(opened: ReadSignal<Load<Opened>>) -> impl IntoView {
    let links_cfg = use_dash().cfg.links.clone();
    move || match opened.get() {
        Load::Ready((trace, _)) => {
            let s = trace.summary();
            let start = s.start_us as f64 / 1e6;
            let end = start + s.duration_us as f64 / 1e6;
            let jaeger = links::jaeger_trace_link(&links_cfg, &trace.trace_id);
            let sentry = links::sentry_trace_link(&links_cfg, &trace.trace_id, start - 3_600.0, end + 3_600.0);
            view! {
                <span>{drill::trace_heading(&trace)}</span>
                <OutLink kind="jaeger-trace" text="Open in Jaeger" href=jaeger/>
                <OutLink kind="sentry-trace" text="Sentry issues of this trace" href=sentry/>
            }
            .into_any()
        }
        Load::Loading => view! { <span class="message">"Loading the trace…"</span> }.into_any(),
        Load::Error(m) => view! { <span class="message">{m}</span> }.into_any(),
        Load::Idle => ().into_any(),
    }
}
