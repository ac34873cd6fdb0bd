//! A table panel: one instant query at the end of the range, its rows ranked as Prometheus
//! answered them, at most the spec's limit and a row saying how many more there are.

use leptos::html::Div;
use leptos::prelude::*;

use crate::core::panel_view::{contract, message, table_html, table_view, TABLE_COLUMNS};
use crate::core::panels::PanelSpec;
use crate::web::changes;
use crate::web::panel_load::{use_panel_load, PanelFrame};

#[component]
pub fn TablePanel(spec: &'static PanelSpec, max_rows: usize) -> impl IntoView {
    let body_ref = NodeRef::<Div>::new();
    let load = use_panel_load(spec, body_ref);
    let (data, late) = (load.data, load.late);
    let facts = changes(move |_| data.with(|d| contract(spec, d, None, late.get())));
    // The rows' markup; empty before the first answer (the style sheet then hides the table).
    let rows = changes(move |_| {
        data.with(|d| d.last.as_deref().map(|l| table_html(&table_view(l, spec.unit, max_rows))).unwrap_or_default())
    });
    let text = Signal::derive(move || data.with(|d| message(d, late.get())));
    view! {
        <PanelFrame spec class="panel table" facts>
            <div class="chart" node_ref=body_ref>
                // Above the rows: during an outage the stale note must not cover them.
                <p class="message">{text}</p>
                <table class="ranked">
                    <thead><tr>{TABLE_COLUMNS.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                    <tbody inner_html=rows></tbody>
                </table>
            </div>
        </PanelFrame>
    }
}
