// Installed by `cargo xtask bench` before the app's own scripts (DevTools
// Page.addScriptToEvaluateOnNewDocument); the app itself is unchanged.
(() => {
  // When each overview panel (not the drill-down, `traces`) first leaves `loading`, in ms
  // since navigation start. Every batch of DOM changes rescans them: a panel can be attached
  // already drawn, or inside a group attached later.
  // A scan on every frame as well, for 30 s: a safety net should a batch be missed.
  window.__benchPanelDone = {};
  const scan = () => {
    for (const el of document.querySelectorAll('[data-panel]:not([data-panel="traces"])')) {
      const id = el.dataset.panel;
      const state = el.dataset.state;
      if (state && state !== 'loading' && !(id in window.__benchPanelDone)) {
        window.__benchPanelDone[id] = { ms: performance.now(), state };
      }
    }
  };
  new MutationObserver(scan)
    .observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  const everyFrame = () => { scan(); if (performance.now() < 30000) requestAnimationFrame(everyFrame); };
  requestAnimationFrame(everyFrame);

  // The accelerated clock: Date.now() (the app's only clock) runs `offsetMs` ahead; each
  // refresh cycle moves it one step, within the backfilled history (wrapping back to its start).
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  Date.now = () => realNow() + offsetMs;
  window.__benchClock = {
    advance(stepSecs, historySecs) {
      offsetMs += stepSecs * 1000;
      if (offsetMs > 0 || offsetMs < -historySecs * 1000) offsetMs = -historySecs * 1000;
    },
  };

  // Requests in flight, body reads included: a cycle is over when none is left.
  window.__benchPending = 0;
  const tracked = (run) => {
    window.__benchPending++;
    return run().finally(() => { window.__benchPending--; });
  };
  const fetchBefore = window.fetch;
  window.fetch = function (...args) { return tracked(() => fetchBefore.apply(this, args)); };
  for (const method of ['text', 'json', 'arrayBuffer']) {
    const before = Response.prototype[method];
    Response.prototype[method] = function (...args) { return tracked(() => before.apply(this, args)); };
  }

  // The wasm instance's memory, from trunk's start event.
  addEventListener('TrunkApplicationStarted', (e) => { window.__benchWasmMemory = e.detail.wasm.memory; });
})();
