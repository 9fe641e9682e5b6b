// Calls to the example's REST API from a signed-in page: the session cookie goes along by itself; writes
// echo the XSRF-TOKEN cookie in the X-XSRF-TOKEN header, as the security configuration asks.

/** A refused call: the HTTP status and its RFC 9457 problem body (an empty object when there was none). */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function cookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith(prefix));
  return found ? decodeURIComponent(found.substring(prefix.length)) : '';
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

async function call(method, url, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (method !== 'GET') {
    headers['X-XSRF-TOKEN'] = cookie('XSRF-TOKEN');
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    // the session ended: sign in again, then come back here
    window.location.assign('/login');
    throw new ProblemError(401, await problemOf(response));
  }
  if (!response.ok) {
    throw new ProblemError(response.status, await problemOf(response));
  }
  return response.status === 204 ? {} : response.json();
}

export const getJson = (url) => call('GET', url);
export const postJson = (url, body) => call('POST', url, body);
export const putJson = (url, body) => call('PUT', url, body);

/** Signs out (POST /logout with the CSRF header) and goes to the sign-in page. */
export async function signOut() {
  await fetch('/logout', {
    method: 'POST',
    headers: { 'X-XSRF-TOKEN': cookie('XSRF-TOKEN') },
    credentials: 'same-origin',
    redirect: 'manual',
  });
  window.location.assign('/login?logout');
}

/** A query string of the given pairs, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, String(v));
    }
  });
  const s = q.toString();
  return s ? `?${s}` : '';
}
