//! The app embedded in a portal's iframe, across origins, through the shipped nginx site: a
//! portal listed in `frame-ancestors` shows it in kiosk mode with one panel, drawn, and talks to
//! it by postMessage (its `embedding.allowed_origins`); a portal that is not listed cannot
//! frame it at all.

use e2e::{env, Browser};
use serde_json::Value;

#[tokio::test]
async fn a_listed_portal_frames_one_panel_in_kiosk_mode() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_PORTAL_URL")).await;
    browser
        .wait_true(
            "const f = document.getElementById('dash'); return !!f && f.src.includes('kiosk')",
            "portal-page",
        )
        .await;
    browser.client.enter_frame(0).await.unwrap();
    browser
        .wait_true(
            "const p = document.querySelector(\"[data-panel='request-rate']\"); return !!p && p.dataset.state === 'ready' && Number(p.dataset.series) > 0",
            "framed-ready",
        )
        .await;
    // Kiosk: no header; one panel: nothing else drawn.
    let facts = browser
        .js("const h = document.querySelector('header'); return [!h || h.hidden || getComputedStyle(h).display === 'none', Array.from(document.querySelectorAll('[data-panel]')).filter(p => !p.hidden && p.dataset.panel !== 'traces').map(p => p.dataset.panel)]")
        .await;
    assert_eq!(facts, serde_json::json!([true, ["request-rate"]]));
    let start_1h: i64 = browser
        .js("return Number(document.querySelector(\"[data-panel='request-rate']\").dataset.start)")
        .await
        .as_i64()
        .unwrap();
    browser.client.enter_parent_frame().await.unwrap();
    browser.screenshot("portal").await;

    // The page said it is ready, and how high its content is.
    let received = "window.received.filter(m => m.origin === new URL(document.getElementById('dash').src).origin).map(m => m.data)";
    browser
        .wait_true(
            &format!("const r = {received}; return r.some(m => m.type === 'arrwdb-ops:ready' && m.query.includes('kiosk')) && r.some(m => m.type === 'arrwdb-ops:height' && m.height > 100)"),
            "ready-and-height",
        )
        .await;
    // A frame of another origin in the portal asks for 24 hours: ignored. Then the portal sets
    // the range: the panel asks Prometheus again for six hours, and the page tells the portal its
    // new view (never a 24-hour one).
    browser.client.enter_frame(1).await.unwrap();
    browser
        .js("parent.frames[0].postMessage({type: 'arrwdb-ops:set', query: 'range=24h'}, '*'); return true")
        .await;
    browser.client.enter_parent_frame().await.unwrap();
    browser
        .js("document.getElementById('dash').contentWindow.postMessage({type: 'arrwdb-ops:set', query: 'range=6h'}, '*'); return true")
        .await;
    browser
        .wait_true(
            &format!("return {received}.some(m => m.type === 'arrwdb-ops:view' && m.query.includes('range=6h') && m.query.includes('kiosk'))"),
            "view-message",
        )
        .await;
    let views = browser
        .js(&format!(
            "return {received}.filter(m => m.type === 'arrwdb-ops:view').map(m => m.query)"
        ))
        .await;
    assert!(
        !views.to_string().contains("range=24h"),
        "a message from an origin not allowed was obeyed: {views}"
    );
    browser.client.enter_frame(0).await.unwrap();
    browser
        .wait_true(
            &format!("const p = document.querySelector(\"[data-panel='request-rate']\"); return location.search.includes('range=6h') && p.dataset.state === 'ready' && Number(p.dataset.start) < {start_1h} - 4 * 3600"),
            "requeried-6h",
        )
        .await;
    // A link followed in the page is told to the portal, absolute.
    browser
        .js("const a = document.createElement('a'); a.href = '#followed'; a.textContent = 'link'; document.body.append(a); a.click(); return true")
        .await;
    browser.client.enter_parent_frame().await.unwrap();
    browser
        .wait_true(
            &format!("return {received}.some(m => m.type === 'arrwdb-ops:link' && m.href.startsWith('http://127.0.0.1:') && m.href.endsWith('#followed'))"),
            "link-message",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_portal_not_listed_cannot_frame_the_app() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_STRANGER_PORTAL_URL")).await;
    browser
        .wait_true("return !!document.getElementById('dash')", "stranger-page")
        .await;
    browser.client.enter_frame(0).await.unwrap();
    // Chromium replaces a frame refused by frame-ancestors with its error page.
    browser
        .wait_true(
            "return location.href.startsWith('chrome-error:')",
            "stranger-refused",
        )
        .await;
    let panels = browser
        .js("return document.querySelectorAll('[data-panel]').length")
        .await;
    assert_eq!(panels, Value::from(0));
    browser.close().await;
}
