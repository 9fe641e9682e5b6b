// Usage analytics (analytics.html): a range of days and filters, the range against the previous range of
// the same length and against the user's tier, per-feature sums, the forecast of the current periods, and
// CSV / JSON downloads of the range's events (GET /api/usage/export).
import { getJson, query } from './api.js';
import { draw, message } from './charts.js';
import { dateTime, el, fill, int, isoDay, label, num, percent, stat, table } from './format.js';

const $ = (id) => document.getElementById(id);
const DAY = 86400000;

function initialRange() {
  const params = new URLSearchParams(window.location.search);
  const today = isoDay(new Date());
  const to = params.get('to') || today;
  const from = params.get('from') || isoDay(new Date(Date.parse(to) - 29 * DAY));
  $('from').value = from;
  $('to').value = to;
  if (params.get('type')) { $('quota-type').value = params.get('type'); }
  return params.get('feature') || '';
}

/** The range of the same length that ends the day before {@code from}. */
function previousRange(from, to) {
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY) + 1;
  return { from: isoDay(new Date(Date.parse(from) - days * DAY)), to: isoDay(new Date(Date.parse(from) - DAY)), days };
}

const unitsOf = (totals, type) => (type === 'events' ? totals.events : (totals.units[type] || 0));
const dayValue = (d, type) => d[type] || 0;

function delta(current, previous) {
  if (!previous) {
    return el('div', { class: 'delta muted', text: current ? 'nothing in the previous range' : 'no change' });
  }
  const change = (current - previous) / previous;
  return el('div', {
    class: `delta ${change > 0 ? 'up' : change < 0 ? 'down' : ''}`,
    text: `${change > 0 ? '+' : ''}${num(change * 100)} % vs previous (${int(previous)})`,
  });
}

const IN_RANGE = { empty: 'Nothing in this range.' };

let latest = 0;

/** Reads the filters and draws the range; of loads that overlap, only the last one started draws. */
async function load(feature = $('feature').value) {
  const run = ++latest;
  const from = $('from').value;
  const to = $('to').value;
  const type = $('quota-type').value;
  const prev = previousRange(from, to);
  $('range-note').textContent = `${prev.days} days, compared with ${prev.from} to ${prev.to}. Days are UTC.`;
  for (const [id, format] of [['export-csv', 'csv'], ['export-json', 'json']]) {
    $(id).href = `/api/usage/export${query({ format, from, to })}`;
  }
  window.history.replaceState(null, '', query({ from, to, type, feature }) || window.location.pathname);

  let analytics;
  let days;
  let before;
  try {
    [analytics, days, before] = await Promise.all([
      getJson(`/api/usage/analytics${query({ from, to })}`),
      getJson(`/api/usage/history${query({ from, to })}`),
      getJson(`/api/usage/history${query({ from: prev.from, to: prev.to })}`),
    ]);
  } catch (err) {
    if (run === latest) {
      fill($('summary'), el('p', { class: 'error', role: 'alert', text: `Analytics unavailable: ${err.message}` }));
    }
    return;
  }
  if (run !== latest) {
    return;
  }

  const features = Object.keys(analytics.byFeature);
  fill($('feature'), el('option', { value: '', text: 'All features' }),
    features.map((f) => el('option', { value: f, text: f })));
  $('feature').value = features.includes(feature) ? feature : '';
  const chosen = $('feature').value;
  const totals = chosen ? analytics.byFeature[chosen] : analytics.totals;

  const current = unitsOf(totals, type);
  const previous = chosen ? null : before.reduce((s, d) => s + dayValue(d, type), 0);
  const monthly = analytics.periods.filter((p) => p.type === type && !p.closed);
  fill($('summary'),
    stat(`${label(type)}${chosen ? ` (${chosen})` : ''}`, int(current),
      previous === null ? el('div', { class: 'delta muted', text: 'no comparison for one feature' }) : delta(current, previous),
      { id: 'summary-units', dataset: { type, feature: chosen, value: current } }),
    stat('Events', int(totals.events), el('div', { class: 'delta muted', text: `${int(totals.failedEvents)} refused or failed` }),
      { id: 'summary-events', dataset: { value: totals.events } }),
    stat('Error rate', percent(totals.errorRate)),
    stat('Mean processing time', totals.meanProcessingMillis != null ? `${num(totals.meanProcessingMillis)} ms` : '–'),
    monthly.map((p) => stat(`Current ${p.period}, ${label(p.type)}`, percent(p.utilisation),
      el('div', { class: 'delta muted', text: `${int(p.used)} of ${int(p.limit)}` }))));

  if (type === 'events' || !chosen) {
    draw('compare-chart', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: days.map((_, i) => String(i + 1)) },
      yAxis: { type: 'value', name: type },
      tooltip: { trigger: 'axis' },
      series: [
        { name: `${from} – ${to}`, type: 'bar', data: days.map((d) => dayValue(d, type)) },
        { name: `${prev.from} – ${prev.to}`, type: 'line', smooth: true, data: before.map((d) => dayValue(d, type)) },
      ],
    });
  } else {
    message('compare-chart', 'Daily figures are kept for all features together: clear the feature filter to compare days.');
  }

  fill($('tier-table'), table(['Quota', 'You', `Average of ${analytics.tier}`, 'Users', 'Your rank'],
    analytics.vsTier.map((v) => [label(v.type), int(v.units), num(v.tierAverage), int(v.tierUsers), `${num(v.percentileRank)}th percentile`]), IN_RANGE));

  fill($('feature-table'), table(['Feature', 'Events', 'Refused or failed', 'Error rate', label(type)],
    Object.entries(analytics.byFeature).filter(([f]) => !chosen || f === chosen)
      .map(([f, t]) => [f, int(t.events), int(t.failedEvents), percent(t.errorRate), int(unitsOf(t, type))]), IN_RANGE));

  fill($('forecast-table'), table(['Quota', 'Used', 'Limit', 'Projected', 'Runs out'],
    analytics.forecast.map((f) => [label(f.type), int(f.used + f.reserved), int(f.limit), int(f.projected),
      f.exhausted ? 'reached' : (f.runsOutAt ? dateTime(f.runsOutAt) : 'not this period')]), IN_RANGE));
  $('summary').dataset.loaded = String(Date.now());
}

const feature = initialRange();
$('filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
$('quota-type').addEventListener('change', () => load());
$('feature').addEventListener('change', () => load());
load(feature);
