// The dashboard (index.html): the signed-in user's quotas as cards and banners (kept current by the live
// feed), the "Correct a text" form, daily and monthly charts, and the closed periods.
import { getJson, postJson, query, ProblemError } from './api.js';
import { quotaStore } from './quota-store.js';
import { draw, message } from './charts.js';
import { date, el, fill, int, isoDay, label, meter, percent, periodLabel } from './format.js';

const $ = (id) => document.getElementById(id);

/* quota cards and banners */

function renderQuotas() {
  const quotas = quotaStore.list();
  const cards = $('quota-cards');
  cards.removeAttribute('aria-busy');
  fill(cards, quotas.map((q) => el('article', {
    class: 'quota-card',
    dataset: { quota: q.type, level: q.level, used: q.used, limit: q.limit },
    'aria-labelledby': `card-${q.type}`,
  },
  el('div', { class: 'card-head' },
    el('h3', { id: `card-${q.type}`, text: `${label(q.type)} ${periodLabel(q.period)}` }),
    el('span', { class: 'level-badge', dataset: { level: q.level }, text: percent(q.utilisation) })),
  el('div', { class: 'figure' }, int(q.used + q.reserved), ' ', el('small', { text: `of ${int(q.limit)}` })),
  meter(q.utilisation, q.level, `${label(q.type)} used`),
  el('div', { class: 'details' },
    `${int(q.remaining)} left · resets ${date(q.resetAt)}`,
    q.reserved > 0 ? ` · ${int(q.reserved)} held` : '',
    q.carriedIn > 0 ? ` · ${int(q.carriedIn)} carried in` : '',
    q.enforcement !== 'hard' ? ` · ${q.enforcement} limit` : ''))));

  const warnings = quotas.filter((q) => q.level === 'yellow' || q.level === 'red')
    .sort((a, b) => b.utilisation - a.utilisation);
  fill($('quota-banners'), warnings.map((q) => el('div', {
    class: 'banner', dataset: { level: q.level, quota: q.type },
  },
  el('strong', { text: q.level === 'red' ? 'Limit reached.' : 'Nearly there.' }),
  q.level === 'red'
    ? `You have used all ${int(q.limit)} ${q.type} of ${periodLabel(q.period)}; requests that need more are refused until ${date(q.resetAt)}.`
    : `You have used ${percent(q.utilisation)} of your ${q.type} ${periodLabel(q.period)} (${int(q.used + q.reserved)} of ${int(q.limit)}).`)));
}

quotaStore.addEventListener('change', (e) => {
  renderQuotas();
  scheduleHistory();
  if (e.detail.kind === 'settings_changed' && $('correct-error').dataset.status === '429') {
    // the limits changed: the refusal no longer says what another try would get
    $('correct-error').hidden = true;
  }
});

/* correct a text */

const form = $('correct-form');
const text = $('correct-text');
text.addEventListener('input', () => { $('correct-length').textContent = `${int(text.value.length)} characters`; });

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = $('correct-submit');
  button.disabled = true;
  $('correct-error').hidden = true;
  try {
    const c = await postJson('/api/correct', { text: text.value });
    $('corrected-text').textContent = c.corrected;
    // the same fix made many times is listed once, with its count
    const counted = new Map();
    c.changes.forEach((ch) => {
      const k = `${ch.from}\u0000${ch.to}`;
      counted.set(k, { ...ch, n: (counted.get(k)?.n || 0) + 1 });
    });
    fill($('correct-changes'), counted.size
      ? [...counted.values()].map((ch) => el('li', {}, el('del', { text: ch.from }), ' → ', el('ins', { text: ch.to }),
        ch.n > 1 ? el('span', { class: 'muted', text: ` ×${ch.n}` }) : null))
      : [el('li', { text: 'Nothing to correct.' })]);
    const cost = $('correct-cost');
    cost.textContent = `Cost: ${int(c.characters)} characters, 1 request, ${int(c.tokens.input + c.tokens.output)} tokens `
      + `(${int(c.tokens.input)} in, ${int(c.tokens.output)} out, ${c.tokenizer}).`;
    cost.dataset.characters = String(c.characters);
    $('correct-result').hidden = false;
    $('correct-result').dataset.count = String(Number($('correct-result').dataset.count || 0) + 1);
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
});

function showError(err) {
  const box = $('correct-error');
  const p = err instanceof ProblemError ? err.problem : {};
  box.dataset.status = String(err.status || '');
  if (err.status === 429) {
    const which = (p.violated || []).join(', ') || 'a quota';
    if (p.retryable === false) {
      // no reset makes room for it: say so rather than when the quota resets
      const beyond = (p.beyondLimit || []).join(', ') || which;
      fill(box,
        el('strong', { text: `${p.title || 'Quota exceeded'}: ` }),
        `this text needs more ${beyond} than your plan allows in a whole period. Nothing was corrected and`
          + ' nothing was charged; send a shorter text.');
    } else {
      fill(box,
        el('strong', { text: `${p.title || 'Quota exceeded'}: ` }),
        `this text needs more ${which} than you have left. Nothing was corrected and nothing was charged.`,
        p.resetAt ? ` Your quota resets on ${date(p.resetAt)}.` : '');
    }
  } else if (err.status === 400 && p.detail) {
    fill(box, el('strong', { text: 'Not accepted: ' }), p.detail);
  } else {
    fill(box, el('strong', { text: 'The correction failed: ' }), err.message || String(err));
  }
  $('correct-result').hidden = true;
  box.hidden = false;
}

/* history and trend */

let historyTimer = null;
let historyRun = 0;
function scheduleHistory() {
  clearTimeout(historyTimer);
  // events are recorded in the background: read the history a moment after a change
  historyTimer = setTimeout(loadHistory, 800);
}

async function loadHistory() {
  const run = ++historyRun;
  const today = new Date();
  const thirtyAgo = new Date(today.getTime() - 29 * 86400000);
  const chars = quotaStore.list().find((q) => q.type === 'characters');
  const monthStart = chars ? new Date(chars.periodStart) : new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const from = monthStart < thirtyAgo ? monthStart : thirtyAgo;
  let days;
  try {
    days = await getJson(`/api/usage/history${query({ from: isoDay(from), to: isoDay(today) })}`);
  } catch (err) {
    message('daily-chart', `History unavailable: ${err.message}`);
    message('trend-chart', `History unavailable: ${err.message}`);
    return;
  }
  if (run !== historyRun) {
    return; // a later read is on its way
  }
  const recent = days.filter((d) => d.date >= isoDay(thirtyAgo));
  draw('daily-chart', {
    legend: { top: 0 },
    xAxis: { type: 'category', data: recent.map((d) => d.date.slice(5)) },
    yAxis: [{ type: 'value', name: 'characters / tokens' }, { type: 'value', name: 'requests', splitLine: { show: false } }],
    series: [
      { name: 'Characters', type: 'bar', data: recent.map((d) => d.characters) },
      { name: 'Tokens', type: 'bar', data: recent.map((d) => d.tokens) },
      { name: 'Requests', type: 'line', yAxisIndex: 1, data: recent.map((d) => d.requests), smooth: true },
    ],
  });

  if (!chars) {
    message('trend-chart', 'No monthly character quota.');
    return;
  }
  const month = days.filter((d) => d.date >= isoDay(monthStart));
  let sum = 0;
  const cumulative = month.map((d) => { sum += d.characters; return sum; });
  draw('trend-chart', {
    legend: { top: 0 },
    xAxis: { type: 'category', data: month.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value', name: 'characters', max: (v) => Math.max(v.max, chars.limit) * 1.1 },
    series: [
      { name: 'Characters used', type: 'line', areaStyle: { opacity: 0.15 }, data: cumulative },
      {
        name: `Limit (${int(chars.limit)})`, type: 'line', symbol: 'none',
        lineStyle: { type: 'dashed', color: '#c53030' }, itemStyle: { color: '#c53030' },
        data: month.map(() => chars.limit),
      },
    ],
  });
}

async function loadClosedPeriods() {
  const box = $('closed-periods');
  let periods;
  try {
    periods = await getJson('/api/quota/history');
  } catch (err) {
    fill(box, el('p', { class: 'empty', text: `Closed periods unavailable: ${err.message}` }));
    return;
  }
  if (!periods.length) {
    const next = quotaStore.list().find((q) => q.period === 'month');
    fill(box, el('p', { class: 'empty', text: next
      ? `No period has closed yet; this month's closes on ${date(next.resetAt)}.`
      : 'No period has closed yet.' }));
    return;
  }
  fill(box, el('table', {},
    el('thead', {}, el('tr', {},
      ['Quota', 'Period', 'Used', 'Limit', 'Utilisation', 'Carried in', 'Rolled over']
        .map((h, i) => el('th', { scope: 'col', class: i >= 2 ? 'num' : null, text: h })))),
    el('tbody', {}, periods.map((p) => el('tr', {},
      el('td', { text: label(p.type) }),
      el('td', { text: `${date(p.periodStart)} – ${date(p.periodEnd)}` }),
      el('td', { class: 'num', text: int(p.used) }),
      el('td', { class: 'num', text: int(p.limit) }),
      el('td', { class: 'num', text: p.limit > 0 ? percent(p.used / p.limit) : '–' }),
      el('td', { class: 'num', text: int(p.carriedIn) }),
      el('td', { class: 'num', text: int(p.rolledOver) }))))));
}

quotaStore.start()
  .then(() => { loadHistory(); loadClosedPeriods(); })
  .catch((err) => fill($('quota-cards'), el('p', { class: 'empty', text: `Quotas unavailable: ${err.message}` })));
