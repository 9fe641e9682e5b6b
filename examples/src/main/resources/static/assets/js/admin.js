// The admin page (admin.html): system figures, every active user with their quotas (kept current by the
// all-users live feed), the quota change form (PUT /api/admin/quota/user/{id}), peak hours, capacity
// forecast, tiers and revenue, error rates and unusual-usage alerts (GET /api/admin/analytics).
import { getJson, putJson, ProblemError } from './api.js';
import { draw, message } from './charts.js';
import { dateTime, el, fill, int, label, meter, money, num, percent, stat, table, worstLevel } from './format.js';

const $ = (id) => document.getElementById(id);
const users = new Map();
const quotaKey = (q) => `${q.type}|${q.period}`;

/* users, kept current by the live feed */

function userRow(u) {
  const quotas = [...u.quotas.values()];
  const level = worstLevel(quotas.map((q) => q.level));
  const monthly = quotas.filter((q) => ['characters', 'requests', 'tokens'].includes(q.type));
  const edit = el('button', { type: 'button', class: 'secondary', text: 'Edit', 'aria-label': `Edit ${u.userId}'s quota` });
  edit.addEventListener('click', () => {
    $('change-user').value = u.userId;
    $('change-tier').value = '';
    $('limit-characters').focus();
  });
  return el('tr', { dataset: { user: u.userId, level } },
    el('td', {}, el('strong', { text: u.userId }), el('div', { class: 'hint', text: u.tier })),
    el('td', {}, el('span', { class: 'level-badge', dataset: { level }, text: level })),
    monthly.map((q) => el('td', { class: 'num', dataset: { quota: q.type } },
      `${int(q.used + q.reserved)} / ${int(q.limit)}`, meter(q.utilisation, q.level, `${u.userId} ${q.type}`))),
    el('td', { class: 'num', text: int(u.events) }),
    el('td', {}, edit));
}

function renderUsers() {
  const rows = [...users.values()].map(userRow);
  fill($('users'), table(['User', 'Level', 'Characters', 'Requests', 'Tokens', 'Events', ''], rows, { numericFrom: 2, attrs: { id: 'users-table' } }));
  fill($('known-users'), [...users.keys()].map((id) => el('option', { value: id })));
}

async function loadUsers() {
  const list = await getJson('/api/admin/usage/users?by=characters');
  users.clear();
  list.forEach((u) => users.set(u.userId, {
    userId: u.userId, tier: u.tier, events: u.totals.events, quotas: new Map(u.quotas.map((q) => [quotaKey(q), q])),
  }));
  renderUsers();
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadUsers().catch(() => {}), 500);
}

function live() {
  const source = new EventSource('/api/usage/live?all=true');
  source.addEventListener('quota', (e) => {
    const update = JSON.parse(e.data);
    const u = users.get(update.userId);
    if (u) {
      update.quotas.forEach((q) => u.quotas.set(quotaKey(q), q));
      renderUsers();
    }
    if (!u || update.kind === 'settings_changed') {
      reloadSoon();
    }
    const log = $('live-log');
    log.querySelector('.empty')?.remove();
    log.prepend(el('li', {},
      el('span', { class: 'muted', text: `${dateTime(update.at)} ` }), el('strong', { text: update.userId }),
      ` ${update.kind.replace('_', ' ')}: `,
      update.quotas.map((q) => `${q.type} ${percent(q.utilisation)}`).join(', ')));
    while (log.children.length > 30) {
      log.lastElementChild.remove();
    }
  });
}

/* the quota change form */

$('change-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const result = $('change-result');
  const user = $('change-user').value.trim();
  const limits = {};
  for (const type of ['characters', 'requests', 'tokens']) {
    const v = $(`limit-${type}`).value.trim();
    if (v !== '') {
      limits[type] = Number(v);
    }
  }
  const body = { reason: $('change-reason').value.trim(), limits };
  if ($('change-tier').value) {
    body.tier = $('change-tier').value;
  }
  $('change-submit').disabled = true;
  try {
    const settings = await putJson(`/api/admin/quota/user/${encodeURIComponent(user)}`, body);
    result.dataset.status = 'ok';
    fill(result, el('div', { class: 'result' },
      el('strong', { text: `${settings.userId}: ` }),
      `tier ${settings.tier}`,
      settings.overrides.length
        ? `; own limits ${settings.overrides.map((o) => `${o.type} ${int(o.limit)}/${o.period}`).join(', ')}`
        : '; the tier\'s limits',
      '. ',
      el('span', { class: 'muted', text: settings.quotas.map((q) => `${q.type} ${percent(q.utilisation)} (${q.level})`).join(' · ') })));
    reloadSoon();
  } catch (err) {
    result.dataset.status = 'error';
    const p = err instanceof ProblemError ? err.problem : {};
    const fields = Array.isArray(p.errors) ? p.errors.map((x) => `${x.field || x.pointer || ''} ${x.detail || x.message || ''}`.trim()) : [];
    fill(result, el('div', { class: 'error', role: 'alert' },
      el('strong', { text: `Not changed (${err.status || 'error'}): ` }), err.message, fields.length ? el('br') : null,
      fields.join('; ')));
  } finally {
    $('change-submit').disabled = false;
  }
});

/* system figures */

async function loadSystem() {
  let a;
  try {
    a = await getJson('/api/admin/analytics');
  } catch (err) {
    fill($('system-stats'), el('p', { class: 'error', role: 'alert', text: `System analytics unavailable: ${err.message}` }));
    return;
  }
  const s = a.system;
  const r = a.revenue;
  fill($('system-stats'),
    stat('Events', int(s.totals.events), `${int(s.totals.failedEvents)} refused or failed`),
    stat('Active users', int(s.totals.users)),
    stat('Error rate', percent(s.totals.errorRate)),
    ['characters', 'requests', 'tokens'].map((t) => stat(label(t), int(s.totals.units[t] || 0))),
    stat(`Revenue ${r.month}`, money(r.totalRevenue, r.currency), `${money(r.overageRevenue, r.currency)} overage`));

  const tiers = [...new Set([...r.tiers.map((t) => t.tier), ...Object.keys(s.byTier), 'free', 'premium', 'enterprise'])];
  fill($('change-tier'), el('option', { value: '', text: '(keep)' }), tiers.map((t) => el('option', { value: t, text: t })));

  fill($('revenue-stats'),
    stat('Subscriptions', money(r.subscriptionRevenue, r.currency)),
    stat('Overage', money(r.overageRevenue, r.currency)),
    stat('Total', money(r.totalRevenue, r.currency)));
  fill($('tiers'), table(['Tier', 'Active users', 'Price', 'Subscriptions', 'Overage', 'Events', 'Error rate'],
    r.tiers.map((t) => {
      const usage = s.byTier[t.tier];
      return [t.tier, int(t.activeUsers), money(t.price, r.currency), money(t.subscriptionRevenue, r.currency),
        money(t.overageRevenue, r.currency), usage ? int(usage.events) : '0', usage ? percent(usage.errorRate) : '–'];
    })));
  fill($('upgrades'), table(['User', 'Tier', 'Quota', 'Used', 'Limit'],
    r.upgradeCandidates.map((c) => [c.userId, c.tier, label(c.type), int(c.used), int(c.limit)]), { numericFrom: 3 }));

  fill($('failures'), table(['Feature', 'Endpoint', 'Events', 'Failed', 'Error rate'],
    s.failures.map((f) => [f.feature, f.endpoint || '–', int(f.events), int(f.failedEvents), percent(f.errorRate)]), { numericFrom: 2 }));
  fill($('error-codes'), table(['Code', 'Events'], Object.entries(s.errorCodes).map(([c, n]) => [c, int(n)])));

  const hours = s.byHourOfDay.map((c) => c.events);
  $('peak-note').textContent = s.totals.events
    ? `Busiest hour ${String(s.peakHour).padStart(2, '0')}:00 ${s.zone}, busiest day ${s.peakDay}.`
    : 'No events yet.';
  draw('peak-chart', {
    xAxis: { type: 'category', data: hours.map((_, h) => String(h).padStart(2, '0')) },
    yAxis: { type: 'value', name: 'events' },
    series: [
      { name: 'Events', type: 'bar', data: hours },
      { name: 'Refused or failed', type: 'bar', data: s.byHourOfDay.map((c) => c.failedEvents) },
    ],
    legend: { top: 0 },
  });

  const c = a.capacity;
  fill($('capacity-trends'), c.trends.length
    ? table(['Quota', 'Mean per day', 'Change per day', 'Fit (R²)'],
      c.trends.map((t) => [label(t.type), num(t.meanPerDay), num(t.slopePerDay), num(t.rSquared)]))
    : null);
  if (c.trends.length && c.months.some((m) => Object.keys(m.units).length)) {
    $('capacity-note').textContent = `From the days ${c.historyFrom} to ${c.historyTo}.`;
    draw('capacity-chart', {
      legend: { top: 0 },
      xAxis: { type: 'category', data: c.months.map((m) => m.month) },
      yAxis: { type: 'value' },
      series: ['characters', 'tokens', 'requests'].map((t) => ({
        name: label(t), type: 'line', smooth: true, data: c.months.map((m) => m.units[t] || 0),
      })),
    });
  } else {
    $('capacity-note').textContent = `History so far: ${c.historyFrom} to ${c.historyTo}.`;
    message('capacity-chart', 'Not enough history for a forecast yet: it needs usage on more than one day.');
  }

  fill($('alerts'), a.alerts.length
    ? a.alerts.map((x) => el('li', { dataset: { user: x.userId } },
      el('strong', { text: `${x.userId}: ` }),
      `${int(x.units)} ${x.type} in the hour from ${dateTime(x.hourStart)}, against a median of ${num(x.baselineMedian)} `
        + `over ${int(x.baselineHours)} hours (score ${x.score > 1e6 ? '∞' : num(x.score)}).`))
    : [el('li', { class: 'empty', style: { borderLeftColor: 'var(--green)', background: 'var(--green-bg)' }, text: 'No unusual usage found since the app started (the check runs hourly).' })]);
}

loadUsers().catch((err) => fill($('users'), el('p', { class: 'error', role: 'alert', text: `Users unavailable: ${err.message}` })));
loadSystem();
live();
