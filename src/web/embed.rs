//! The postMessage API of a page in a portal's iframe (`core::embed` says what the messages
//! are): read only from config's `embedding.allowed_origins`, posted only to them.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::config::Config;
use crate::core::embed;
use crate::core::state::{self, ViewState};

/// Connects the page to its host when it is in a frame and config names the host's origin.
pub fn connect(cfg: &Arc<Config>, view: RwSignal<ViewState>) {
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

    follow_host(view, origins);
    post(embed::ready_message(&state::encode(&view.get_untracked())));
    tell_views(view, post.clone());
    tell_links(post.clone());
    tell_height(&window, post);
}

/// The host's messages (from an allowed origin) change the view.
fn follow_host(view: RwSignal<ViewState>, origins: Vec<String>) {
    let messages = window_event_listener(leptos::ev::message, move |ev: web_sys::MessageEvent| {
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
    on_cleanup(move || messages.remove());
}

/// Every change of the view, after the state `ready` told.
fn tell_views(view: RwSignal<ViewState>, post: impl Fn(String) + 'static) {
    Effect::new(move |previous: Option<()>| {
        let query = view.with(state::encode);
        if previous.is_some() {
            post(embed::view_message(&query));
        }
    });
}

/// Links followed (the Jaeger and Sentry links of the drill-down): absolute, as opened.
fn tell_links(post: impl Fn(String) + 'static) {
    let clicks = window_event_listener(leptos::ev::click, move |ev: web_sys::MouseEvent| {
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
    on_cleanup(move || clicks.remove());
}

/// The content height, whenever it changes (panels load, a drill-down opens).
fn tell_height(window: &web_sys::Window, post: impl Fn(String) + 'static) {
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
