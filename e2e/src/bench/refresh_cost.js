// What one refresh of the whole dashboard downloads from the Prometheus API. Waits until no
// request has been in flight for two frames, clicks "refresh now", waits the same way, then
// sums that refresh's API answers (bytes as sent and decoded, from Resource Timing) and asks
// each again, outside the page's own work, to count the series and points in it.
const button = document.querySelector('[data-control="refresh-now"]');
if (!button) throw new Error('no refresh-now button');
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const quiet = async () => {
  for (;;) {
    await frame();
    if (window.__benchPending !== 0) continue;
    await frame();
    if (window.__benchPending === 0) return;
  }
};
await quiet();
performance.clearResourceTimings();
button.click();
await new Promise((resolve) => setTimeout(resolve, 0));
await quiet();
const answers = performance.getEntriesByType('resource')
  .filter((e) => new URL(e.name).pathname.includes('/api/v1/'));
let series = 0;
let points = 0;
for (const e of answers) {
  const body = await (await fetch(e.name)).json();
  const result = body && body.data && body.data.result;
  if (!Array.isArray(result)) continue;
  series += result.length;
  for (const r of result) {
    points += r.values ? r.values.length : (r.value ? 1 : 0);
    points += r.exemplars ? r.exemplars.length : 0;
  }
}
return {
  requests: answers.length,
  encoded_bytes: answers.reduce((n, e) => n + e.encodedBodySize, 0),
  decoded_bytes: answers.reduce((n, e) => n + e.decodedBodySize, 0),
  series,
  points,
};
