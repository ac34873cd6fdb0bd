// Runs `count` refresh cycles of the whole dashboard: the clock moves one step, "refresh now"
// is clicked, and the cycle ends when no request or body read has been in flight for two
// frames. Counts each cycle's requests by endpoint kind (Resource Timing, cleared each cycle)
// against the queries the panels publish (`data-query`).
const [count, stepSecs, historySecs] = arguments;
const button = document.querySelector('[data-control="refresh-now"]');
if (!button) throw new Error('no refresh-now button');
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const macrotask = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(0);
});
const kindOf = (url) => {
  const path = new URL(url).pathname;
  if (path.endsWith('/api/v1/query_range')) return 'query_range';
  if (path.endsWith('/api/v1/query')) return 'query';
  if (path.endsWith('/api/v1/query_exemplars')) return 'query_exemplars';
  if (/\/api\/v1\/(label\/|labels|series|metadata|status)/.test(path)) return 'metadata';
  if (path.includes('/jaeger/')) return 'jaeger';
  return 'other';
};
const panelQueries = () => [...document.querySelectorAll('[data-panel][data-query]')]
  .flatMap((p) => p.dataset.query.split('\n').filter((q) => q));
const requests = {};
const jaegerPerCycle = [];
const cycleMs = [];
let matching = 0;
let mismatch = null;
for (let i = 0; i < count; i++) {
  window.__benchClock.advance(stepSecs, historySecs);
  performance.clearResourceTimings();
  const start = performance.now();
  button.click();
  await macrotask();
  for (;;) {
    await frame();
    if (window.__benchPending !== 0) continue;
    await frame();
    if (window.__benchPending === 0) break;
  }
  cycleMs.push(performance.now() - start);
  const kinds = {};
  const asked = [];
  for (const e of performance.getEntriesByType('resource')) {
    const kind = kindOf(e.name);
    kinds[kind] = (kinds[kind] || 0) + 1;
    if (kind === 'query_range' || kind === 'query') asked.push(new URL(e.name).searchParams.get('query'));
  }
  for (const [kind, n] of Object.entries(kinds)) requests[kind] = (requests[kind] || 0) + n;
  jaegerPerCycle.push(kinds.jaeger || 0);
  // A panel publishes its queries once drawn; an empty one ("No data in this range") asked
  // them but publishes none, so a query asked and not published must belong to such a panel.
  const published = panelQueries();
  const silentPanels = document.querySelectorAll(
    '[data-panel]:not([data-panel="traces"]):not([data-query])').length;
  const repeats = (list) => list.length - new Set(list).size;
  const unpublished = asked.filter((q) => !published.includes(q));
  const unasked = published.filter((q) => !asked.includes(q));
  const exact = repeats(asked) === repeats(published) && unasked.length === 0
    && (unpublished.length === 0 || silentPanels > 0) && !kinds.metadata;
  if (exact) matching++;
  else if (!mismatch) {
    mismatch = {
      cycle: i, asked: asked.length, published: published.length, kinds, silent_panels: silentPanels,
      asked_not_published: unpublished, published_not_asked: unasked,
    };
  }
}
return { cycles: count, requests, jaeger_per_cycle: jaegerPerCycle, cycles_matching: matching, first_mismatch: mismatch, cycle_ms: cycleMs };
