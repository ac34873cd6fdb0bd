//! A few DOM helpers for the parts of the page that are built imperatively (the header and the
//! panels). Leptos's `view!` costs wasm per distinct tree and per reactive closure; these
//! parts are rebuilt by a handful of effects instead, which keeps the page within its size
//! budget. Text always goes in through `textContent`, never as markup.

use std::any::Any;
use std::marker::PhantomData;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement};

pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a page has a document")
}

/// A new element `tag` with `class` (none when empty), appended to `parent` when given.
pub fn el(tag: &str, class: &str, parent: Option<&Element>) -> HtmlElement {
    let e: HtmlElement = document()
        .create_element(tag)
        .expect("a valid tag name")
        .unchecked_into();
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if let Some(p) = parent {
        let _ = p.append_child(&e);
    }
    e
}

/// Like [`el`], with a text content.
pub fn text_el(tag: &str, class: &str, text: &str, parent: Option<&Element>) -> HtmlElement {
    let e = el(tag, class, parent);
    e.set_text_content(Some(text));
    e
}

/// Sets or (with `None`) removes an attribute.
pub fn set_attr(el: &Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(v) => el.set_attribute(name, v),
        None => el.remove_attribute(name),
    };
}

/// Runs `body` now and again after every change of a signal it reads, for as long as the
/// current reactive owner lives. Every effect of the page goes through this one instantiation of
/// `Effect::new`: each instantiation carries its own copy of leptos's effect task (1–2 KB of
/// wasm apiece).
pub fn effect(body: impl FnMut() + 'static) {
    effect_boxed(Box::new(body));
}

fn effect_boxed(mut body: Box<dyn FnMut()>) {
    Effect::new(move |_| body());
}

/// Runs `body` with the value `part` computes, now and again whenever that value changes.
/// `part` is tracked like an effect (it runs again after every change of a signal it reads);
/// `body` runs untracked, and only when the value differs from the one it last had. It is what
/// an effect reading a `Memo` does, without a `Memo` of each value's type: every one carries
/// its own copy of leptos's memo machinery (about 1 KB of wasm apiece). Unlike such an effect,
/// `body` must not create what an owner disposes (effects, signals, listeners, `on_cleanup`):
/// the effect's owner is cleaned before each run of `part`, changed value or not.
pub fn on_change<T: PartialEq + 'static>(
    part: impl Fn() -> T + 'static,
    mut body: impl FnMut(&T) + 'static,
) {
    let mut last: Option<T> = None;
    effect(move || {
        let now = part();
        if last.as_ref() != Some(&now) {
            untrack(|| body(&now));
            last = Some(now);
        }
    });
}

/// A value that effects can follow: reading it in an effect tracks it, setting it runs the
/// effects that read it, as with `RwSignal`. The value is kept type-erased beside a `Trigger`,
/// so every `Watched` of the page shares one instantiation of leptos's storage and change
/// tracking; each `RwSignal<T>` carries its own copy of them (1–2 KB of wasm per type `T`). It
/// lives as long as the owner it was created under: reading it after that panics (as reading a
/// disposed signal does), writing it does nothing.
pub struct Watched<T> {
    value: StoredValue<Box<dyn Any>, LocalStorage>,
    changed: Trigger,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for Watched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Watched<T> {}

impl<T: 'static> Watched<T> {
    pub fn new(value: T) -> Self {
        Watched {
            value: StoredValue::new_local(Box::new(value)),
            changed: Trigger::new(),
            kind: PhantomData,
        }
    }

    /// `f` of the value, tracked.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.changed.track();
        self.with_untracked(f)
    }

    /// `f` of the value, untracked.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let (mut f, mut result) = (Some(f), None);
        read_erased(self.value, &mut |any| {
            if let (Some(f), Some(value)) = (f.take(), any.downcast_ref::<T>()) {
                result = Some(f(value));
            }
        });
        result.expect("a Watched read while its owner lives")
    }

    /// A clone of the value, tracked.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// A clone of the value, untracked.
    pub fn get_untracked(&self) -> T
    where
        T: Clone,
    {
        self.with_untracked(T::clone)
    }

    /// Changes the value with `f` and runs the effects that read it.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        let mut f = Some(f);
        write_erased(self.value, &mut |any| {
            if let (Some(f), Some(value)) = (f.take(), any.downcast_mut::<T>()) {
                f(value);
            }
        });
        self.changed.notify();
    }

    /// Replaces the value and runs the effects that read it.
    pub fn set(&self, value: T) {
        self.update(move |v| *v = value);
    }
}

fn read_erased(value: StoredValue<Box<dyn Any>, LocalStorage>, f: &mut dyn FnMut(&dyn Any)) {
    value.try_with_value(|v| f(v.as_ref()));
}

fn write_erased(value: StoredValue<Box<dyn Any>, LocalStorage>, f: &mut dyn FnMut(&mut dyn Any)) {
    value.try_update_value(|v| f(v.as_mut()));
}

/// Runs `task` on the page's executor. Every task of the page goes through this one
/// instantiation of the spawner, as every effect through [`effect`].
pub fn spawn(task: impl std::future::Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(task));
}

fn spawn_boxed(task: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    leptos::task::spawn_local(task);
}

/// Listens to `event` on `target` for as long as the current reactive owner lives (the
/// closure is dropped with it, so a rebuilt panel leaves nothing behind).
pub fn listen<E: JsCast + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    mut f: impl FnMut(E) + 'static,
) {
    listen_boxed(
        target,
        event,
        Box::new(move |e: Event| f(e.unchecked_into())),
    );
}

/// Enter or Space on an element of `container` matching `selector` clicks it: rows that act on a
/// click (legend, trace list, waterfall) work from the keyboard too.
pub fn keyboard_clicks(container: &Element, selector: &'static str) {
    listen(container, "keydown", move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Enter" && ev.key() != " " {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .filter(|t| t.matches(selector).unwrap_or(false));
        if let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
            ev.prevent_default();
            el.click();
        }
    });
}

fn listen_boxed(target: &web_sys::EventTarget, event: &str, f: Box<dyn FnMut(Event)>) {
    let closure = Closure::wrap(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    StoredValue::new_local(closure);
}

/// Replaces `parent`'s children with a table: `head` cells, then `rows` (each with an optional
/// swatch colour for its first cell and `data-series-name` = its first cell), then an optional
/// footer line.
pub fn fill_table(table: &Element, head: &[&str], rows: &[Row], foot: Option<&str>) {
    table.set_text_content(None);
    let thead = el("thead", "", Some(table));
    let tr = el("tr", "", Some(&thead));
    for h in head {
        text_el("th", "", h, Some(&tr));
    }
    let tbody = el("tbody", "", Some(table));
    for row in rows {
        let tr = el(
            "tr",
            if row.selected { "selected" } else { "" },
            Some(&tbody),
        );
        let mut cells = row.cells.iter();
        let first = cells.next().map_or("", String::as_str);
        set_attr(&tr, "data-series-name", Some(first));
        if row.focusable {
            set_attr(&tr, "tabindex", Some("0"));
        }
        set_attr(
            &tr,
            "data-last",
            row.value.map(|v| v.to_string()).as_deref(),
        );
        let td = el("td", "name", Some(&tr));
        if let Some(style) = &row.swatch_css {
            set_attr(&el("span", "swatch", Some(&td)), "style", Some(style));
        }
        let _ = td.append_with_str_1(first);
        for c in cells {
            text_el("td", "num", c, Some(&tr));
        }
    }
    if let Some(f) = foot {
        let tr = el("tr", "", Some(&el("tfoot", "", Some(table))));
        let td = text_el("td", "", f, Some(&tr));
        set_attr(&td, "colspan", Some(&head.len().to_string()));
        set_attr(&td, "data-hidden-series", Some(""));
    }
}

/// One row of a table drawn by [`fill_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub selected: bool,
    /// The row acts when clicked: it takes the keyboard focus too (see [`keyboard_clicks`]).
    pub focusable: bool,
    /// CSS for a colour swatch before the first cell.
    pub swatch_css: Option<String>,
    /// The row's value as a number, published as `data-last`.
    pub value: Option<f64>,
    pub cells: Vec<String>,
}
