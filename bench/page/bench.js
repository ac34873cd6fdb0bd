// The render benchmark of `cargo xtask bench`: the same data drawn by the app's own panel code
// (render_bench.wasm: web::panel::draw, the core's draw_timeseries with its M4 downsampling,
// plotters-canvas) and by uPlot, on a 1920×600 canvas, alternating runs. A run is timed twice
// (performance.now()): the draw itself, from the hand-over of the data until the canvas has
// rasterised it (a one-pixel getImageData, which waits for every pending draw; uPlot draws in
// a microtask after setData, awaited first), which ranks finely; and until the second
// animation frame after the hand-over, which includes the paint but moves in 16.7 ms frames.
import init, { draw_panel } from './render_bench.js';

const WIDTH_PX = 1920;
const HEIGHT_PX = 600;
const COLORS = ['#4e9af1', '#f29e4c', '#56b881', '#e05d5d', '#a47ce0', '#d9c24a'];

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

// Deterministic data: one point a minute, each series a random walk around its own level.
function dataset(seriesCount, pointsPerSeries) {
  const times = new Float64Array(pointsPerSeries);
  for (let i = 0; i < pointsPerSeries; i++) times[i] = 1_700_000_000 + i * 60;
  const values = new Float64Array(seriesCount * pointsPerSeries);
  let seed = 12345;
  for (let s = 0; s < seriesCount; s++) {
    let v = 10 + s;
    for (let i = 0; i < pointsPerSeries; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      v = Math.max(0, v + (seed / 4294967296 - 0.5));
      values[s * pointsPerSeries + i] = v;
    }
  }
  // uPlot's own format: [times, series…] as plain arrays, prepared before any timing.
  const uplotData = [Array.from(times)];
  for (let s = 0; s < seriesCount; s++) {
    uplotData.push(Array.from(values.subarray(s * pointsPerSeries, (s + 1) * pointsPerSeries)));
  }
  return { times, values, uplotData, seriesCount, pointsPerSeries };
}

function stage() {
  const el = document.getElementById('stage');
  el.textContent = '';
  return el;
}

async function runOurs(data) {
  const canvas = document.createElement('canvas');
  canvas.className = 'ours';
  stage().appendChild(canvas);
  await frame();
  const start_ms = performance.now();
  const [points_drawn, series_hidden] = draw_panel(canvas, data.times, data.values);
  const call_ms = performance.now() - start_ms;
  canvas.getContext('2d').getImageData(0, 0, 1, 1);
  const draw_ms = performance.now() - start_ms;
  await frame();
  await frame();
  return { ms: performance.now() - start_ms, call_ms, draw_ms, points_drawn, series_hidden };
}

async function runUplot(data) {
  const series = [{}];
  for (let s = 0; s < data.seriesCount; s++) {
    // The app's line: 1.5 CSS px, which it rounds to 2 device px at a pixel ratio of 1.
    series.push({ label: `series ${s}`, stroke: COLORS[s % COLORS.length], width: 2 });
  }
  const empty = data.uplotData.map(() => []);
  const chart = new uPlot({ width: WIDTH_PX, height: HEIGHT_PX, series }, empty, stage());
  await frame();
  const start_ms = performance.now();
  chart.setData(data.uplotData);
  // uPlot commits its redraw in a microtask queued by setData: it runs before this one.
  await Promise.resolve();
  chart.ctx.getImageData(0, 0, 1, 1);
  const draw_ms = performance.now() - start_ms;
  await frame();
  await frame();
  const ms = performance.now() - start_ms;
  chart.destroy();
  return { ms, draw_ms };
}

// `runs` timed pairs after one untimed warm-up pair; the order alternates each pair.
window.benchRender = async (seriesCount, pointsPerSeries, runs) => {
  const data = dataset(seriesCount, pointsPerSeries);
  await runOurs(data);
  await runUplot(data);
  const ours_ms = [];
  const ours_call_ms = [];
  const ours_draw_ms = [];
  const uplot_ms = [];
  const uplot_draw_ms = [];
  let ours = null;
  const oursRun = async () => {
    ours = await runOurs(data);
    ours_ms.push(ours.ms);
    ours_call_ms.push(ours.call_ms);
    ours_draw_ms.push(ours.draw_ms);
  };
  const uplotRun = async () => {
    const u = await runUplot(data);
    uplot_ms.push(u.ms);
    uplot_draw_ms.push(u.draw_ms);
  };
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      await oursRun();
      await uplotRun();
    } else {
      await uplotRun();
      await oursRun();
    }
  }
  return {
    series: seriesCount,
    points_per_series: pointsPerSeries,
    ours_ms,
    ours_call_ms,
    ours_draw_ms,
    uplot_ms,
    uplot_draw_ms,
    ours_points_drawn: ours.points_drawn,
    ours_series_hidden: ours.series_hidden,
    uplot_version: uPlot.version ?? null,
  };
};

await init();
window.benchReady = true;
