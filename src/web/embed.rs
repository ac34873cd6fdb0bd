//! The postMessage API of a page in a portal's iframe (`core::embed` says what the messages
//! are): read only from config's `embedding.allowed_origins`, posted only to them.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::config::Config;
use crate::core::embed;
use crate::core::state::{self, ViewState};
use crate::web::dom::{effect, listen, Watched};

/// Connects the page to its host when it is in a frame and config names the host's origin.
pub fn connect(cfg: &Arc<Config>, view: Watched<ViewState>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten() else {
        return;
    };
    if cfg.embed_origins.is_empty() || js_sys::Object::is(&parent, &window) {
        return;
    }
    let origins = cfg.embed_origins.clone();
    // Posted to each allowed origin: the browser delivers it only if the host is that origin.
    let post = {
        let origins = origins.clone();
        move |text: String| {
            let Ok(data) = js_sys::JSON::parse(&text) else {
                return;
            };
            for origin in &origins {
                let _ = parent.post_message(&data, origin);
            }
        }
    };

    listen(&window, "message", move |ev: web_sys::MessageEvent| {
        if !embed::origin_allowed(&ev.origin(), &origins) {
            return;
        }
        let text = js_sys::JSON::stringify(&ev.data())
            .ok()
            .and_then(|s| s.as_string());
        if let Some(patch) = text.as_deref().and_then(embed::host_query) {
            let current = state::encode(&view.get_untracked());
            let (wanted, _) = state::decode(&embed::merge_query(&current, &patch));
            view.set(wanted);
        }
    });

    post(embed::ready_message(&state::encode(&view.get_untracked())));
    {
        let post = post.clone();
        let mut first = true;
        effect(move || {
            let query = state::encode(&view.get());
            // The first run is the state `ready` already told.
            if !std::mem::take(&mut first) {
                post(embed::view_message(&query));
            }
        });
    }
    // Links followed (the Jaeger and Sentry links of the drill-down): absolute, as opened.
    {
        let post = post.clone();
        if let Some(document) = window.document() {
            listen(&document, "click", move |ev: web_sys::Event| {
                let href = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|t| t.closest("a[href]").ok().flatten())
                    .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                    .map(|a| a.href());
                if let Some(href) = href {
                    post(embed::link_message(&href));
                }
            });
        }
    }
    // The content height, whenever it changes (panels load, a drill-down opens).
    let Some(root) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    let measured = root.clone();
    let mut last = 0;
    let on_resize = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        let height = measured.scroll_height().max(0) as u32;
        if height != last {
            last = height;
            post(embed::height_message(height));
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&root);
        if let Some(body) = window.document().and_then(|d| d.body()) {
            observer.observe(&body);
        }
        StoredValue::new_local((observer, on_resize));
    }
}
