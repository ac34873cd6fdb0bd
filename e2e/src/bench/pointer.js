// `moves` pointer moves across the request-rate chart; each timed from the event to the
// crosshair and tooltip laid out (the app's effects run in microtasks, done by the next task).
const [moves] = arguments;
const panel = document.querySelector('[data-panel="request-rate"]');
const canvas = panel.querySelector('canvas');
const tooltip = panel.querySelector('.tooltip');
const rect = canvas.getBoundingClientRect();
const macrotask = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(0);
});
const ms = [];
let emptyTooltips = 0;
for (let i = 0; i < moves; i++) {
  const x = rect.left + rect.width * (0.1 + (0.8 * i) / moves);
  const y = rect.top + rect.height / 2;
  const start = performance.now();
  canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true, pointerType: 'mouse' }));
  await macrotask();
  void tooltip.offsetHeight;
  ms.push(performance.now() - start);
  if (!tooltip.textContent) emptyTooltips++;
}
canvas.dispatchEvent(new PointerEvent('pointerleave', { bubbles: true }));
return {
  ms,
  empty_tooltips: emptyTooltips,
  charts: document.querySelectorAll('[data-panel] canvas').length,
  series: Number(panel.dataset.series),
  step_secs: Number(panel.dataset.step),
  range_secs: Number(panel.dataset.end) - Number(panel.dataset.start),
};
