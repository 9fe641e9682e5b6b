// The signed-in user's quotas, shared by everything on a page: loaded from GET /api/usage/current, then
// kept current by the live feed (GET /api/usage/live, server-sent events named "quota"). Listeners get a
// "change" event whenever the quotas change, with the update's kind ("loaded", "consumed",
// "settings_changed", ...).
import { getJson } from './api.js';

const key = (q) => `${q.type}|${q.period}`;

class QuotaStore extends EventTarget {
  constructor() {
    super();
    this.userId = '';
    this.tier = '';
    this.quotas = new Map();
    this.loaded = null;
    this.source = null;
  }

  /** Loads the quotas once (later calls share the first load) and opens the live feed. */
  start() {
    if (!this.loaded) {
      this.loaded = this.reload().then(() => this.connect());
    }
    return this.loaded;
  }

  /** Reads the quotas again from the server. */
  async reload() {
    const current = await getJson('/api/usage/current');
    this.userId = current.userId;
    this.tier = current.tier;
    this.quotas = new Map(current.quotas.map((q) => [key(q), q]));
    this.emit('loaded');
    return current;
  }

  connect() {
    if (this.source) {
      return;
    }
    this.source = new EventSource('/api/usage/live');
    this.source.addEventListener('open', () => {
      // changes made before the stream opened (or while it was down) were not pushed: read them once
      this.reload().catch(() => {}).finally(() => { document.documentElement.dataset.live = 'open'; });
    });
    this.source.addEventListener('error', () => {
      document.documentElement.dataset.live = 'reconnecting';
    });
    this.source.addEventListener('quota', (e) => this.apply(JSON.parse(e.data)));
  }

  /** Merges a live update: each quota it carries replaces the one of the same type and period. */
  apply(update) {
    if (update.userId !== this.userId) {
      return;
    }
    const next = new Map(this.quotas);
    (update.quotas || []).forEach((q) => next.set(key(q), q));
    this.quotas = next;
    if (update.kind === 'settings_changed') {
      // a new limit or tier may add or drop quotas: the full list comes from the server
      this.reload().catch(() => {});
    }
    this.emit(update.kind || 'update');
  }

  /** The quotas, in the server's order. */
  list() {
    return [...this.quotas.values()];
  }

  emit(kind) {
    this.dispatchEvent(new CustomEvent('change', { detail: { kind } }));
  }
}

/** The page's one store. */
export const quotaStore = new QuotaStore();
