// Apache ECharts (served from its WebJar as a classic script, the global "echarts") with the dashboard's
// look. A chart that cannot be drawn says so in its box instead.
import { el, fill } from './format.js';

export const COLORS = ['#2f5bd3', '#1f9d55', '#d97706', '#9333ea', '#0891b2', '#be123c'];
const charts = new Map();

window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

/** Draws (or redraws) the chart in the element with this id. */
export function draw(id, option) {
  const box = document.getElementById(id);
  if (!window.echarts) {
    fill(box, el('p', { class: 'empty', text: 'Charts are unavailable (ECharts did not load).' }));
    return null;
  }
  let chart = charts.get(id);
  if (!chart) {
    chart = window.echarts.init(box, null, { renderer: 'svg' });
    charts.set(id, chart);
  }
  chart.setOption({
    color: COLORS,
    // figures that change live: redraw at once rather than animate from the old ones
    animation: false,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    grid: { left: 56, right: 24, top: 40, bottom: 36 },
    tooltip: { trigger: 'axis' },
    ...option,
  }, true);
  box.dataset.drawn = String(Date.now());
  return chart;
}

/** Replaces a chart's box with a message, e.g. when there is nothing to show. */
export function message(id, text) {
  const chart = charts.get(id);
  if (chart) {
    chart.dispose();
    charts.delete(id);
  }
  fill(document.getElementById(id), el('p', { class: 'empty', text }));
}
