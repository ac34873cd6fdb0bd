//! A chart panel: a canvas the core draws on (one effect hands it the data, the look and the
//! size), its legend, and the overlays its spec's capabilities choose.

use std::sync::Arc;

use leptos::html::{Canvas, Div};
use leptos::prelude::*;

use wasm_bindgen::JsCast;

use crate::core::config::PrometheusConfig;
use crate::core::export::{read_range_answer, series_csv, FormulaGuard};
use crate::core::panel_view::{
    contract, displayed, drawn_series, headline, hidden_note, inspect_html, legend, legend_html, message, notes, Drawn,
    Loaded, PanelData, LEGEND_COLUMNS,
};
use crate::core::url::encode_component;
use crate::core::panels::PanelSpec;
use crate::core::state::ViewState;
use crate::web::{activates, canvas, changes, event_closest, on_change, prom, row_data};
use crate::web::context::{is_light, use_dash};
use crate::web::overlays::{AlertBands, Pointer, PointerOverlays, SpikeMarks, TraceDots};
use crate::web::panel_load::{use_panel_load, PanelFrame};

/// What a chart's drawing takes from the view besides the data: a change of any redraws the
/// chart and none re-queries it.
#[derive(Clone, PartialEq)]
struct Look {
    isolated: Option<String>,
    stacked: bool,
    light: bool,
}

#[component]
pub fn ChartPanel(spec: &'static PanelSpec) -> impl IntoView {
    let chart_ref = NodeRef::<Div>::new();
    let canvas_ref = NodeRef::<Canvas>::new();
    let load = use_panel_load(spec, chart_ref);
    let data = load.data;
    let (drawn, draw_error) = use_drawing(spec, canvas_ref, data);
    let late = load.late;
    let facts = changes(move |_| {
        let drawn_series = drawn.with(|d| d.as_ref().map(|d| d.series));
        data.with(|d| contract(spec, d, drawn_series, late.get()))
    });
    let text = Signal::derive(move || draw_error.get().or_else(|| data.with(|d| message(d, late.get()))));
    let note = Signal::derive(move || data.with(|d| d.last.as_deref().and_then(notes)));
    let title_extra = view! {
        <span class="headline">{Signal::derive(move || data.with(|d| d.last.as_deref().map(headline)))}</span>
        {spec.stackable.then(|| view! {
            <ViewToggle control="stack" label=" stacked" get=|v| v.stacked set=|v, on| v.stacked = on/>
        })}
        {spec.by_replica.is_some().then(|| view! {
            <ViewToggle control="by-replica" label=" by replica" get=|v| v.by_replica set=|v, on| v.by_replica = on/>
        })}
    }
    .into_any();
    let pointer = Pointer::new();
    view! {
        <PanelFrame spec class="panel" facts title_extra>
            <div class="chart" node_ref=chart_ref>
                <canvas node_ref=canvas_ref role="img"
                    aria-label=format!("{} chart; its figures are in the legend below", spec.title)
                    on:pointerdown=move |ev| pointer.down(&ev)
                    on:pointermove=move |ev| pointer.moved(&ev, drawn)
                    on:pointerup=move |ev| pointer.up(&ev, drawn)
                    on:pointerleave=move |_| pointer.left()></canvas>
                <p class="message">{text}</p>
                <PointerOverlays spec drawn pointer/>
                {spec.trace_scatter.then(|| view! { <TraceDots drawn data/> })}
                <AlertBands spec drawn/>
                {spec.spike_markers.then(|| view! { <SpikeMarks spec drawn data/> })}
            </div>
            <Legend spec drawn/>
            <p class="notes">{note}</p>
            <Inspect spec data drawn/>
        </PanelFrame>
    }
}

/// Draws the last answer in `data` on the canvas whenever it, the look (isolation, stacking,
/// theme) or the window size changes, and only then; answers what was drawn (for the overlays
/// and the legend) and why a drawing failed.
fn use_drawing(
    spec: &'static PanelSpec,
    canvas_ref: NodeRef<Canvas>,
    data: ReadSignal<PanelData>,
) -> (ReadSignal<Option<Arc<Drawn>>>, ReadSignal<Option<String>>) {
    let (drawn, set_drawn) = signal(None::<Arc<Drawn>>);
    let (draw_error, set_draw_error) = signal(None::<String>);
    let dash = use_dash();
    let (view, resized) = (dash.view, dash.resized);
    let key = move || {
        let look = view.with(|v| Look {
            isolated: v.isolated_series(spec.id).map(str::to_owned),
            stacked: spec.stackable && v.stacked,
            light: is_light(v.theme),
        });
        (resized.get(), canvas_ref.get().is_some(), look, data.with(|d| d.last.clone()))
    };
    on_change(key, move |(_, _, look, last), _| {
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let Some(l) = last.clone() else {
            set_drawn.set(None);
            return;
        };
        let (shown, hidden) = displayed(&l, look.isolated.as_deref());
        let series = drawn_series(&shown, look.stacked);
        match canvas::draw(&canvas, spec, &l.window, &series, look.light) {
            Ok((summary, ratio)) => {
                set_drawn.set(Some(Arc::new(Drawn::new(&summary, ratio, &l.window, shown, hidden))));
                set_draw_error.set(None);
            }
            Err(e) => set_draw_error.set(Some(e)),
        }
    });
    (drawn, draw_error)
}

/// A checkbox beside a chart's title for one switch of the view (`get`, `set`): stacked, by
/// replica.
#[component]
fn ViewToggle(
    control: &'static str,
    label: &'static str,
    get: fn(&ViewState) -> bool,
    set: fn(&mut ViewState, bool),
) -> impl IntoView {
    let view = use_dash().view;
    view! {
        <label class="toggle">
            <input type="checkbox" data-control=control prop:checked=Signal::derive(move || view.with(get))
                on:change=move |ev| view.update(|v| set(v, event_target_checked(&ev)))/>
            {label}
        </label>
    }
}

/// A chart's "Inspect", closed until opened: the core's account of what the panel asked and
/// what came back (`inspect_html`), "Copy PromQL" and "Download CSV" (the drawn series asked
/// again, so that the file holds Prometheus's own text of every value).
#[component]
fn Inspect(spec: &'static PanelSpec, data: ReadSignal<PanelData>, drawn: ReadSignal<Option<Arc<Drawn>>>) -> impl IntoView {
    let prom = use_dash().cfg.prometheus.clone();
    let ui = prom.ui.clone();
    let markup = Signal::derive(move || {
        data.with(|d| d.last.as_deref().map(|l| drawn.with(|dr| inspect_html(l, dr.as_deref(), ui.as_ref()))))
    });
    let act = move |ev: web_sys::MouseEvent| {
        let Some(button) = event_closest(&ev, "button[data-action]") else { return };
        let Some(last) = data.with_untracked(|d| d.last.clone()) else { return };
        let prom = prom.clone();
        leptos::task::spawn_local(async move {
            let said = match button.get_attribute("data-action").as_deref() {
                Some("copy-promql") => copy_text(&last.promql).await,
                Some("download-csv") => download_csv(&prom, spec.id, &last).await,
                _ => return,
            };
            button.set_text_content(Some(&said));
        });
    };
    view! {
        <details class="inspect">
            <summary>"Inspect"</summary>
            <div inner_html=markup on:click=act></div>
        </details>
    }
}

/// Puts `text` on the clipboard; what the button says then.
async fn copy_text(text: &str) -> String {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return "Not copied: select the text above".to_owned();
    };
    match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text)).await {
        Ok(_) => "Copied".to_owned(),
        Err(_) => "Not copied: select the text above".to_owned(),
    }
}

/// Asks the drawn series again and saves them as `<panel>.csv`; what the button says then.
async fn download_csv(prom: &PrometheusConfig, panel_id: &str, last: &Loaded) -> String {
    let mut series = Vec::new();
    for url in last.csv_urls(&prom.url) {
        let read = match prom::fetch(prom, &url, None).await {
            Ok((_, body)) => read_range_answer(&body),
            Err(e) => Err(e.to_string()),
        };
        match read {
            Ok(found) => series.extend(found),
            Err(why) => return format!("No CSV: {why}"),
        }
    }
    let csv = series_csv(&series, FormulaGuard::Apostrophe);
    let link = document().create_element("a").ok().and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    let Some(link) = link else { return "No CSV: the browser refused".to_owned() };
    link.set_href(&format!("data:text/csv;charset=utf-8,{}", encode_component(&csv)));
    link.set_download(&format!("{panel_id}.csv"));
    link.click();
    "Downloaded".to_owned()
}

/// The legend: a row per shown series with its figures; a row (click or Enter) isolates its
/// series, again restores them all.
#[component]
fn Legend(spec: &'static PanelSpec, drawn: ReadSignal<Option<Arc<Drawn>>>) -> impl IntoView {
    let view = use_dash().view;
    // The rows' markup, set only when it changes (a keyboard user's focus stays); empty when
    // there is no row (the style sheet then hides the table).
    let rows = changes(move |_| {
        let isolated = view.with(|v| v.isolated_series(spec.id).map(str::to_owned));
        let rows = drawn.with(|d| d.as_ref().map(|d| legend(spec.unit, &d.shown, isolated.as_deref())));
        rows.filter(|r| !r.is_empty()).map(|r| legend_html(&r)).unwrap_or_default()
    });
    let toggle = move |name: &str| view.update(|v| *v = v.toggled_isolation(spec.id, name));
    view! {
        <table class="legend">
            <thead><tr>{LEGEND_COLUMNS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
            <tbody inner_html=rows
                on:click=move |ev| if let Some(name) = row_data(&ev, "tr", "data-series-name") { toggle(&name) }
                on:keydown=move |ev| if activates(&ev) {
                    if let Some(name) = row_data(&ev, "tr", "data-series-name") {
                        ev.prevent_default();
                        toggle(&name);
                    }
                }></tbody>
            {move || hidden_note(drawn.with(|d| d.as_ref().map_or(0, |d| d.hidden))).map(|note| view! {
                <tfoot><tr><td colspan="5" data-hidden-series="">{note}</td></tr></tfoot>
            })}
        </table>
    }
}
