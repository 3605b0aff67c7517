// The signed-in session of the web app: tokens, refresh-token rotation, and fetch with them.
//
// Tokens live in localStorage so that a reopened tab is still signed in (a resumable upload
// is resumed after the tab was closed). Refresh tokens rotate and a reused one ends the whole
// session, so only one refresh runs at a time across every tab (Web Locks), and a tab that
// finds another already refreshed uses the new pair.
const KEY = 'tessera.session';
const EARLY_MS = 30_000; // refresh this long before the access token expires

export const session = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || 'null');
    } catch {
      return null;
    }
  },
  set(pair) {
    const value = {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    };
    localStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
};

/** A problem+json answer (or a network failure) as an Error whose message is its detail. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || (status ? `The server answered ${status}.` : 'The server cannot be reached.'));
    this.status = status;
    this.code = body?.code;
    this.body = body;
  }
  static async of(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: the status says enough
    }
    return new Problem(response.status, body);
  }
}

let refreshing = null;

/** A fresh access token after `failed` was refused or is about to expire; null when signed out. */
function refresh(failed) {
  refreshing ??= (
    navigator.locks ? navigator.locks.request('tessera-refresh', () => rotate(failed)) : rotate(failed)
  ).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate(failed) {
  const current = session.get();
  if (!current) return null;
  // Another tab (or an earlier call) already rotated: use its pair.
  if (current.accessToken !== failed && current.expiresAt - Date.now() > EARLY_MS) return current.accessToken;
  let response;
  try {
    response = await fetch('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: current.refreshToken }),
    });
  } catch {
    return current.accessToken; // offline: keep the session, the request will fail on its own
  }
  if (!response.ok) {
    session.clear();
    dispatchEvent(new Event('tessera:signed-out'));
    return null;
  }
  session.set(await response.json());
  return session.get().accessToken;
}

/** The access token to send now (refreshed first when it is about to expire). */
export async function accessToken() {
  const current = session.get();
  if (!current) return null;
  if (current.expiresAt - Date.now() < EARLY_MS) return refresh(current.accessToken);
  return current.accessToken;
}

/**
 * fetch with the bearer token; a 401 refreshes once and retries. `json` sends a JSON body.
 * Network failures become a Problem with status 0.
 */
export async function api(path, { json, headers = {}, ...init } = {}) {
  const send = (token) =>
    fetch(path, {
      ...init,
      headers: {
        ...headers,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    }).catch((error) => {
      if (error?.name === 'AbortError') throw error;
      throw new Problem(0, null);
    });
  let token = await accessToken();
  let response = await send(token);
  if (response.status === 401 && token) {
    token = await refresh(token);
    if (token) response = await send(token);
  }
  return response;
}

/** api(), then the JSON body; anything but 2xx throws its Problem. */
export async function apiJson(path, init) {
  const response = await api(path, init);
  if (!response.ok) throw await Problem.of(response);
  return response.status === 204 ? null : response.json();
}

/** POSTs credentials without a session; anything but 2xx throws its Problem. */
async function sendCredentials(path, email, password) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw await Problem.of(response);
  return response.json();
}

export async function signIn(email, password) {
  session.set(await sendCredentials('/v1/auth/login', email, password));
}

export async function register(email, password) {
  await sendCredentials('/v1/auth/register', email, password);
  await signIn(email, password);
}

/** Ends the session on the server (its whole refresh-token family), then here. */
export async function signOut() {
  const current = session.get();
  if (current)
    await api('/v1/auth/logout', { method: 'POST', json: { refreshToken: current.refreshToken } }).catch(
      () => undefined,
    );
  session.clear();
}

/**
 * Follows a Server-Sent Events stream with the bearer header (EventSource cannot send one),
 * calling onEvent(name, data) for each event, until the stream ends or `signal` aborts.
 * Reconnects after a dropped connection unless the last event was final.
 */
export async function follow(path, onEvent, signal, isFinal = () => false) {
  for (let attempt = 0; !signal.aborted; attempt++) {
    let last = null;
    try {
      const response = await api(path, { headers: { accept: 'text/event-stream' }, signal });
      if (!response.ok) throw await Problem.of(response);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
          if (data.length === 0) continue;
          const name =
            lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim() || 'message';
          last = { name, data: JSON.parse(data.join('\n')) };
          onEvent(last.name, last.data);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Problem && error.status >= 400 && error.status < 500) return;
    }
    if (last && isFinal(last.name, last.data)) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1000 * 2 ** attempt)));
  }
}
