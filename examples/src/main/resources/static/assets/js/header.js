// Every page's header: marks the current page, shows who is signed in, offers the admin page only to
// admins (it answers them 200 and everyone else 403), and signs out.
import './quota-indicator.js';
import { signOut } from './api.js';
import { quotaStore } from './quota-store.js';

const header = document.querySelector('.site-header');
const here = window.location.pathname === '/' ? '/index.html' : window.location.pathname;
header.querySelectorAll('nav a').forEach((a) => {
  if (new URL(a.href).pathname === here) {
    a.setAttribute('aria-current', 'page');
  }
});

const adminLink = header.querySelector('[data-admin-only]');
if (adminLink) {
  fetch('/admin.html', { method: 'HEAD', credentials: 'same-origin' })
    .then((r) => { adminLink.hidden = !r.ok; })
    .catch(() => {});
}

quotaStore.addEventListener('change', () => {
  const who = header.querySelector('.who');
  who.textContent = `${quotaStore.userId} · ${quotaStore.tier}`;
});

header.querySelector('#sign-out').addEventListener('click', () => signOut());
