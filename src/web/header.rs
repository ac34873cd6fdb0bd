//! The header: title, range, absolute from/to, cluster, replica, handler, refresh and theme
//! controls. Every control writes the view state and shows it (URL, back/forward, zoom).


use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::html::{checks_html, chosen_summary, options_html};
use crate::core::state::{self, RangeSpec, Refresh, Theme, ViewState, PRESETS, REFRESH_CHOICES};
use crate::core::time::{format_datetime_local, parse_datetime_local};
use crate::web::context::{use_dash, Discovered};
use crate::web::{now_secs, on_change, prom, utc_offset_at};

/// Unix seconds of a `datetime-local` value, read in the browser's time zone (which knows its
/// daylight-saving rules); `None` when the value is not a valid one.
fn local_input_secs(value: &str) -> Option<i64> {
    let c = parse_datetime_local(value)?;
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

/// The value of the `<select>` or `<input>` an event came from.
fn event_value(ev: &web_sys::Event) -> String {
    let target = ev.target();
    if let Some(select) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlSelectElement>()) {
        return select.value();
    }
    target
        .as_ref()
        .and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// A labelled `<select>`; `options` is its `<option>` markup (from [`options_html`]), the
/// chosen one selected.
#[component]
fn Choice(
    label: &'static str,
    control: &'static str,
    #[prop(into)] options: Signal<String>,
    #[prop(into)] on_pick: Callback<String>,
) -> impl IntoView {
    view! {
        <label>
            {label} " "
            <select data-control=control on:change=move |ev| on_pick.run(event_value(&ev)) inner_html=options></select>
        </label>
    }
}

/// A multi-value picker: checkboxes in a `<details>` whose summary says what is chosen
/// (nothing chosen is all). Not shown while the backend knows no value and none is chosen (its
/// list is then empty: see the style sheet).
#[component]
fn MultiChoice(
    label: &'static str,
    control: &'static str,
    values: ReadSignal<Vec<String>>,
    chosen: fn(&ViewState) -> &Vec<String>,
    chosen_mut: fn(&mut ViewState) -> &mut Vec<String>,
) -> impl IntoView {
    let view = use_dash().view;
    let toggle = move |ev: web_sys::Event| {
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            view.update(|v| state::toggle(chosen_mut(v), input.value(), input.checked()));
        }
    };
    view! {
        <details class="multi" data-control=control>
            <summary>{label} ": " {Signal::derive(move || view.with(|v| chosen_summary(chosen(v))))}</summary>
            <div on:change=toggle inner_html=Signal::derive(move || values.with(|vs| view.with(|v| checks_html(vs, chosen(v)))))></div>
        </details>
    }
}

/// The values of `label` for a picker over the range chosen, asked once the metric names are
/// known and the charts have had their first answers (a picker never slows a chart), again when
/// the user chooses another range (not at every refresh) and, when `by_cluster`, whenever the
/// chosen clusters change (only the newest answer is kept).
fn use_values(discovered: Discovered, label: String, by_cluster: bool) -> ReadSignal<Vec<String>> {
    let dash = use_dash();
    let (view, first_round) = (dash.view, dash.first_round);
    let (values, set_values) = signal(Vec::new());
    let scope = move || {
        view.with(|v| (v.range, if by_cluster { v.clusters.clone() } else { Vec::new() }))
    };
    let asked = move || discovered.get().filter(|_| first_round.get()).map(|(names, _)| (names, scope()));
    on_change(asked, move |asked, _| {
        let Some((names, (chosen, clusters))) = asked.clone() else { return };
        let (cfg, label, range) = (dash.cfg.clone(), label.clone(), chosen.resolve(now_secs()));
        leptos::task::spawn_local(async move {
            let found = prom::picker_values(&cfg, &names, &label, &clusters, range).await;
            // The answer for a range or clusters no longer chosen is dropped: a newer one is on
            // its way.
            let current = view.try_with_untracked(|v| v.range == chosen && (!by_cluster || v.clusters == clusters));
            if current == Some(true) {
                set_values.try_set(found);
            }
        });
    });
    values
}

#[component]
pub fn Header(discovered: Discovered) -> impl IntoView {
    let dash = use_dash();
    let p = &dash.cfg.prometheus;
    let clusters = use_values(discovered, p.cluster_label.clone(), false);
    let instances = use_values(discovered, p.instance_label.clone(), true);
    let handlers = use_values(discovered, "handler".to_owned(), false);
    let (view, refreshes) = (dash.view, dash.refreshes);
    let refresh_default = Refresh::from_config_secs(dash.cfg.refresh_secs);

    let mut ranges: Vec<(String, String)> =
        PRESETS.iter().map(|(name, _)| (name.to_string(), format!("last {name}"))).collect();
    ranges.push(("zoomed".to_owned(), "zoomed".to_owned()));
    let range_options = Signal::derive(move || {
        let chosen = match view.with(|v| v.range) {
            RangeSpec::Relative { duration_secs } => state::format_duration(duration_secs),
            RangeSpec::Absolute { .. } => "zoomed".to_owned(),
        };
        options_html(&ranges, &chosen)
    });
    let pick_range = move |value: String| {
        if let Some(secs) = state::parse_duration_secs(&value) {
            view.update(|v| *v = v.with_range(RangeSpec::Relative { duration_secs: secs }));
        }
    };

    let handler_options = Signal::derive(move || {
        let current = view.with(|v| v.handler.clone());
        let mut options = vec![(String::new(), "all handlers".to_owned())];
        handlers.with(|hs| options.extend(hs.iter().map(|h| (h.clone(), h.clone()))));
        // The one in the URL even if Prometheus knows none.
        if let Some(h) = current.as_ref().filter(|h| !options.iter().any(|(v, _)| v == *h)) {
            options.push((h.clone(), h.clone()));
        }
        options_html(&options, current.as_deref().unwrap_or_default())
    });
    let pick_handler = move |value: String| view.update(|v| v.handler = (!value.is_empty()).then_some(value));

    let refresh_options: Vec<(String, String)> =
        REFRESH_CHOICES.iter().map(|c| (c.to_string(), c.to_string())).collect();
    let refresh_options = Signal::derive(move || {
        options_html(&refresh_options, &view.with(|v| v.effective_refresh(refresh_default).to_string()))
    });
    let pick_refresh = move |value: String| {
        if let Some(choice) = REFRESH_CHOICES.iter().find(|c| c.to_string() == value) {
            view.update(|v| v.refresh = Some(*choice));
        }
    };

    let theme_options: Vec<(String, String)> =
        Theme::ALL.iter().map(|t| (t.as_str().to_owned(), t.as_str().to_owned())).collect();
    let theme_options = Signal::derive(move || options_html(&theme_options, view.with(|v| v.theme.as_str())));
    let pick_theme = move |value: String| {
        if let Some(theme) = Theme::ALL.iter().find(|t| t.as_str() == value) {
            view.update(|v| v.theme = *theme);
        }
    };

    let range_label = Signal::derive(move || view.with(|v| v.range.label_in(utc_offset_at(now_secs()))));

    view! {
        <header hidden=Signal::derive(move || view.with(|v| v.kiosk))>
            <h1>"arrwDB ops"</h1>
            <span class="sub" data-range-label="">{range_label}</span>
            <span class="spacer"></span>
            <Choice label="Range" control="range" options=range_options on_pick=pick_range/>
            <AbsoluteRange/>
            <MultiChoice label="Cluster" control="cluster" values=clusters chosen=|v| &v.clusters chosen_mut=|v| &mut v.clusters/>
            <MultiChoice label="Replica" control="instance" values=instances chosen=|v| &v.instances chosen_mut=|v| &mut v.instances/>
            <Choice label="Handler" control="handler" options=handler_options on_pick=pick_handler/>
            <Choice label="Refresh" control="refresh" options=refresh_options on_pick=pick_refresh/>
            <button data-control="refresh-now" title="Refresh now" aria-label="Refresh now"
                on:click=move |_| refreshes.update(|n| *n += 1)>"↻"</button>
            <Choice label="Theme" control="theme" options=theme_options on_pick=pick_theme/>
        </header>
    }
}

/// The range as two local times (the keyboard's way to zoom): applied when both are valid and
/// in order; they show the range in use.
#[component]
fn AbsoluteRange() -> impl IntoView {
    let dash = use_dash();
    let (view, range) = (dash.view, dash.range);
    let (from_input, to_input) = (NodeRef::<leptos::html::Input>::new(), NodeRef::<leptos::html::Input>::new());
    let apply_absolute = move |_| {
        let value = |n: NodeRef<leptos::html::Input>| n.get().map(|i| i.value()).unwrap_or_default();
        if let (Some(from), Some(to)) = (local_input_secs(&value(from_input)), local_input_secs(&value(to_input))) {
            if from < to {
                view.update(|v| *v = v.zoomed(from, to));
            }
        }
    };
    let shown_end = move |end: bool| {
        let r = range.get();
        let t = if end { r.end_secs() } else { r.start_secs() };
        format_datetime_local(t, utc_offset_at(t))
    };
    view! {
        <label>"From " <input type="datetime-local" data-control="from" node_ref=from_input
            prop:value=Signal::derive(move || shown_end(false)) on:change=apply_absolute/></label>
        <label>"to " <input type="datetime-local" data-control="to" node_ref=to_input
            prop:value=Signal::derive(move || shown_end(true)) on:change=apply_absolute/></label>
    }
}
