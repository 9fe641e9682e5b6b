// Small helpers shared by the pages: building elements safely (text only, never HTML from data) and
// formatting numbers, dates and quota names.

/**
 * An element with attributes and children. Strings become text nodes, so nothing from the server is ever
 * parsed as HTML. Attributes whose value is null, undefined or false are left out.
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (v === null || v === undefined || v === false) {
      return;
    }
    if (k === 'text') {
      e.textContent = String(v);
    } else if (k === 'dataset') {
      Object.entries(v).forEach(([dk, dv]) => { e.dataset[dk] = String(dv); });
    } else if (k === 'style') {
      Object.assign(e.style, v);
    } else {
      e.setAttribute(k, v === true ? '' : String(v));
    }
  });
  children.flat().forEach((c) => {
    if (c !== null && c !== undefined && c !== false) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  });
  return e;
}

/**
 * A figure: its name, its value and, if given, a line below: a string (shown muted) or an element such as a
 * change against a previous range.
 */
export function stat(name, value, extra, attrs = {}) {
  return el('div', { class: 'stat', ...attrs },
    el('div', { class: 'label', text: name }), el('div', { class: 'value', text: value }),
    extra ? (typeof extra === 'string' ? el('div', { class: 'delta muted', text: extra }) : extra) : null);
}

/**
 * A table with a header row. A row is an array of cells (strings or elements) or a ready {@code <tr>}; the
 * columns from {@code numericFrom} on are numbers, aligned right. Without rows, a note saying so ({@code empty}).
 */
export function table(headers, rows, { numericFrom = 1, attrs = {}, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) {
    return el('p', { class: 'empty', text: empty });
  }
  const numeric = (i) => (i >= numericFrom ? 'num' : null);
  return el('table', attrs,
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: numeric(i), text: h })))),
    el('tbody', {}, rows.map((cells) => (cells instanceof Node ? cells
      : el('tr', {}, cells.map((c, i) => el('td', { class: numeric(i) }, c)))))));
}

/** Replaces an element's children. */
export function fill(target, ...children) {
  target.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const int = (n) => integer.format(Number(n) || 0);
export const num = (n) => decimal.format(Number(n) || 0);
export const percent = (ratio) => `${integer.format(Math.floor((Number(ratio) || 0) * 100))}\u00a0%`;
export const money = (amount, currency = 'USD') =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(Number(amount) || 0);

export function date(iso) {
  return iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }) : '';
}

export function dateTime(iso) {
  return iso
    ? new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }) + ' UTC'
    : '';
}

/** "characters" -> "Characters", "tracked-events" -> "Tracked events". */
export function label(type) {
  const s = String(type || '').replace(/[-_]/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const PERIODS = { minute: 'this minute', hour: 'this hour', day: 'today', week: 'this week', month: 'this month', year: 'this year' };
export const periodLabel = (period) => PERIODS[period] || String(period || '');

const RANK = { green: 0, yellow: 1, red: 2 };
/** The worst of some levels ("green" when there are none). */
export function worstLevel(levels) {
  return levels.reduce((worst, l) => ((RANK[l] ?? 0) > (RANK[worst] ?? 0) ? l : worst), 'green');
}

/** A meter (a styled progressbar) for a utilisation ratio at a level. */
export function meter(utilisation, level, name) {
  const pct = Math.max(0, Math.min(100, Math.round((Number(utilisation) || 0) * 100)));
  return el('div', {
    class: 'meter', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct,
    'aria-label': name, dataset: { level },
  }, el('span', { style: { width: `${pct}%` } }));
}

/** YYYY-MM-DD of a Date, in UTC. */
export const isoDay = (d) => d.toISOString().slice(0, 10);
