// <quota-indicator>: the header's quota light. Green, yellow or red by the quota closest to its limit
// (the element's data-level attribute, which tests and styles read); a click opens the per-quota
// breakdown. It draws from the page's quota store, so it follows the live feed.
import { quotaStore } from './quota-store.js';
import { el, fill, int, label, meter, percent, periodLabel, worstLevel } from './format.js';

const WORDS = { green: 'All quotas fine', yellow: 'Near a limit', red: 'Limit reached' };

class QuotaIndicator extends HTMLElement {
  connectedCallback() {
    if (this.button) {
      return;
    }
    this.dataset.level = 'unknown';
    this.button = el('button', { type: 'button', class: 'qi-toggle', 'aria-expanded': 'false', 'aria-controls': 'qi-panel' },
      el('span', { class: 'qi-dot', 'aria-hidden': 'true' }), el('span', { class: 'qi-text', text: 'Quotas…' }));
    this.panel = el('div', { class: 'qi-panel', id: 'qi-panel', role: 'region', 'aria-label': 'Quota breakdown', hidden: true });
    this.append(this.button, this.panel);
    this.button.addEventListener('click', () => this.toggle());
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { this.toggle(false); } });
    document.addEventListener('click', (e) => { if (!this.contains(e.target)) { this.toggle(false); } });
    quotaStore.addEventListener('change', () => this.render());
    quotaStore.start().catch(() => { this.querySelector('.qi-text').textContent = 'Quotas unavailable'; });
    this.render();
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
  }

  render() {
    const quotas = quotaStore.list();
    if (!quotas.length) {
      return;
    }
    const top = quotas.reduce((a, b) => (b.utilisation > a.utilisation ? b : a));
    const level = worstLevel(quotas.map((q) => q.level));
    this.dataset.level = level;
    this.dataset.utilisation = String(top.utilisation);
    this.querySelector('.qi-text').textContent = `${WORDS[level]} · ${percent(top.utilisation)}`;
    this.button.title = `Highest: ${label(top.type)} at ${percent(top.utilisation)}`;
    fill(this.panel,
      el('h3', { text: `Quotas of ${quotaStore.userId} (${quotaStore.tier})` }),
      quotas.map((q) => el('div', { class: 'qi-row', dataset: { quota: q.type, level: q.level } },
        el('span', {}, el('strong', { text: label(q.type) }), ' ', el('span', { class: 'muted', text: periodLabel(q.period) })),
        el('span', { class: 'level-badge', dataset: { level: q.level }, text: percent(q.utilisation) }),
        el('span', { class: 'muted', text: `${int(q.used + q.reserved)} of ${int(q.limit)} used` }),
        meter(q.utilisation, q.level, `${label(q.type)} used`))));
  }
}

customElements.define('quota-indicator', QuotaIndicator);
