// Tessera web app: sign in, upload (tus, or straight to S3 when the server offers it; both
// resumable), the library with live status, a
// panorama's page (2D or 360° viewer, share links, downloads, renditions). Plain modules, no
// build step: the libraries are the npm packages' own browser builds, served by the API.
import { Problem, accessToken, api, apiJson, follow, register, session, signIn, signOut } from '/app/session.js';
import { flatViewer, sphereViewer } from '/app/viewers.js';
import { DirectUpload, forgetDirectUpload, rememberedDirectUploads } from '/app/direct-upload.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 24;
const CHUNK_BYTES = 32 * 1024 * 1024;
const VIEW_LINK_SECONDS = 12 * 3600;

// ---- small helpers --------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function bytes(n) {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

function duration(seconds) {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function message(text, kind = 'error') {
  $('message').textContent = text;
  $('message').className = kind;
  $('message').hidden = !text;
}

/** A message for the next view (routing clears the current one). */
let flash = null;

/** Runs an action from a button or form, showing its Problem (the server's detail) if it fails. */
async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    if (error?.name === 'AbortError') return undefined;
    message(error instanceof Problem ? error.message : `Something went wrong: ${error?.message ?? error}`);
    return undefined;
  }
}

/** Saves a response's body as a file (for downloads that need the bearer header). */
async function save(path, fallbackName) {
  const response = await api(path);
  if (!response.ok) throw await Problem.of(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const link = el('a', {
    href: URL.createObjectURL(await response.blob()),
    download: name ? decodeURIComponent(name) : fallbackName,
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** An image the API serves only with the bearer header, as an object URL. */
async function imageUrl(path) {
  const response = await api(path);
  if (!response.ok) throw await Problem.of(response);
  return URL.createObjectURL(await response.blob());
}

/**
 * Live status streams, at most MAX_STREAMS at once: each holds one of the browser's six
 * connections to this origin, and the page still needs the others.
 */
const MAX_STREAMS = 3;
const streams = { running: 0, waiting: [] };
function watch(path, onEvent, signal) {
  const run = async () => {
    streams.running++;
    try {
      await follow(path, onEvent, signal, (name) => name === 'ready' || name === 'failed');
    } finally {
      streams.running--;
      streams.waiting.shift()?.();
    }
  };
  if (streams.running < MAX_STREAMS) void run();
  else streams.waiting.push(() => void (signal.aborted ? streams.waiting.shift()?.() : run()));
}

// ---- views and routing ----------------------------------------------------------------

let me = null;
let viewAbort = new AbortController();

function show(view) {
  for (const id of ['auth-view', 'library-view', 'panorama-view', 'collections-view', 'collection-view'])
    $(id).hidden = id !== view;
  $('sign-out').hidden = view === 'auth-view';
  $('collections-link').hidden = view === 'auth-view';
}

async function route() {
  viewAbort.abort();
  viewAbort = new AbortController();
  message(flash?.text ?? '', flash?.kind);
  flash = null;
  if (!session.get()) {
    me = null;
    $('who').textContent = '';
    return show('auth-view');
  }
  if (!me) {
    const response = await api('/v1/users/me');
    if (!response.ok) {
      session.clear();
      return show('auth-view');
    }
    me = await response.json();
    $('who').textContent = me.email;
    offering = offerUnfinishedUploads().catch(() => undefined);
  }
  const [, kind, id] = location.hash.split('/');
  if (kind === 'p' && id) return panoramaView(decodeURIComponent(id), viewAbort.signal);
  if (kind === 'collections') return collectionsView(viewAbort.signal);
  if (kind === 'c' && id) return collectionView(decodeURIComponent(id), viewAbort.signal);
  return libraryView(viewAbort.signal);
}

addEventListener('hashchange', () => void attempt(route));
addEventListener('tessera:signed-out', () => {
  me = null;
  message('Your session ended: please sign in again.', 'info');
  show('auth-view');
});

// ---- sign in, register, sign out ------------------------------------------------------

/** Both forms: send the credentials, then show the library (the sign-in form again next time). */
for (const [id, send] of [
  ['sign-in', signIn],
  ['register', register],
])
  $(id).addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    void attempt(async () => {
      await send(form.get('email'), form.get('password'));
      event.target.reset();
      $('register').hidden = true;
      $('sign-in').hidden = false;
      await route();
    });
  });
$('show-register').addEventListener('click', () => {
  $('sign-in').hidden = true;
  $('register').hidden = false;
  $('register').querySelector('input').focus();
});
$('show-sign-in').addEventListener('click', () => {
  $('register').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in').querySelector('input').focus();
});
$('sign-out').addEventListener('click', async () => {
  for (const item of uploads) item.upload.abort();
  await signOut();
  me = null;
  location.hash = '#/';
  await route();
});

// ---- uploads (tus, or direct to the bucket) --------------------------------------------

const uploads = new Set();
/** Whether the server takes uploads straight into its bucket (GET /v1/direct-uploads says). */
let directUploads = false;
/** Settles once that is known (at sign-in), so that the first upload takes the right way. */
let offering = Promise.resolve();

$('choose').addEventListener('click', () => $('files').click());
$('files').addEventListener('change', (event) => {
  for (const file of event.target.files) startUpload(file);
  event.target.value = '';
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  for (const file of event.dataTransfer.files) startUpload(file);
});

/** The user's own resumable uploads only: the fingerprint names the account. */
const fingerprint = (file) =>
  Promise.resolve(['tessera', me?.id, file.name, file.type, file.size, file.lastModified].join(':'));

/**
 * Uploads a file, straight to the bucket when the server offers it, else over tus; `into`: a
 * collection's id and the list showing its uploads.
 */
function startUpload(file, into = null) {
  void offering.then(() => beginUpload(file, into));
}

function beginUpload(file, into) {
  const node = $('upload-item').content.firstElementChild.cloneNode(true);
  const [name, state, bar, stats, pause, cancel] = ['.name', '.state', 'progress', '.stats', '.pause', '.cancel'].map(
    (s) => node.querySelector(s),
  );
  name.textContent = file.name;
  state.textContent = 'starting';
  (into?.list ?? $('uploads')).prepend(node);

  const projection = $('projection').value;
  // Speed from the bytes sent since the last reading (null: none yet, e.g. after resuming).
  const speed = { at: 0, sent: null, rate: 0 };
  const item = {};
  const fields = {
    ...(projection ? { projection } : {}),
    ...(into ? { collectionId: into.collectionId } : {}),
  };
  const callbacks = {
    onProgress(sent, total) {
      const now = performance.now();
      if (speed.sent === null) {
        speed.at = now;
        speed.sent = sent;
      } else if (now - speed.at >= 1000) {
        const rate = ((sent - speed.sent) * 1000) / (now - speed.at);
        speed.rate = speed.rate ? speed.rate * 0.6 + rate * 0.4 : rate;
        speed.at = now;
        speed.sent = sent;
      }
      bar.value = total ? sent / total : 0;
      state.textContent = `${Math.floor((bar.value || 0) * 100)}%`;
      const left = speed.rate > 0 ? (total - sent) / speed.rate : NaN;
      stats.textContent = `${bytes(sent)} of ${bytes(total)} · ${speed.rate ? `${bytes(speed.rate)}/s` : '…'} · ${
        speed.rate ? `${duration(left)} left` : 'estimating'
      }`;
    },
    onSuccess({ lastResponse }) {
      uploads.delete(item);
      const id = lastResponse.getHeader('Tessera-Panorama-Id');
      bar.value = 1;
      bar.hidden = true; // the tiles' own line follows
      state.textContent = 'uploaded';
      stats.replaceChildren(id ? el('a', { href: `#/p/${id}` }, 'Open') : 'Cutting tiles in the background.');
      pause.remove();
      cancel.textContent = 'Dismiss';
      if (id) void followTiles(id);
      if (!$('library-view').hidden) void libraryView(viewAbort.signal);
    },
    onError(error) {
      uploads.delete(item);
      bar.hidden = true; // not a full bar that looks like success
      state.textContent = 'failed';
      pause.remove();
      cancel.textContent = 'Dismiss';
      let detail = error.message;
      try {
        const body = JSON.parse(error.originalResponse?.getBody?.() ?? '');
        detail = body.detail || body.title || detail;
      } catch {
        // not problem+json: the client's own message
      }
      stats.textContent = detail;
      node.classList.add('failed');
    },
  };
  const upload = directUploads
    ? new DirectUpload(file, { userId: me.id, fields: { filename: file.name, ...fields }, ...callbacks })
    : new globalThis.tus.Upload(file, {
        endpoint: '/v1/uploads',
        chunkSize: CHUNK_BYTES,
        retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000],
        metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', ...fields },
        fingerprint,
        removeFingerprintOnSuccess: true,
        async onBeforeRequest(request) {
          const token = await accessToken();
          if (token) request.setHeader('Authorization', `Bearer ${token}`);
        },
        onShouldRetry(error) {
          const status = error?.originalResponse?.getStatus?.() ?? 0;
          if (status === 401) return session.get() !== null; // onBeforeRequest refreshes the token
          // Conflicts (a stale offset), locks, rate limits and outages pass; refusals do not.
          return status === 0 || status === 409 || status === 423 || status === 429 || status >= 500;
        },
        ...callbacks,
      });
  Object.assign(item, { upload, file });
  uploads.add(item);

  let paused = false;
  pause.addEventListener('click', () => {
    paused = !paused;
    if (paused) {
      void upload.abort();
      state.textContent = `paused at ${Math.floor((bar.value || 0) * 100)}%`;
      pause.textContent = 'Resume';
    } else {
      speed.sent = null;
      speed.rate = 0;
      upload.start();
      pause.textContent = 'Pause';
    }
  });
  // After the upload: the tiles' own status, live until ready (or failed), on this card.
  const following = new AbortController();
  const followTiles = (id) =>
    attempt(async () => {
      const panorama = await apiJson(`/v1/panoramas/${encodeURIComponent(id)}`, { signal: following.signal });
      const set = panorama?.tileSets.find((s) => (s.layout ?? 'deepzoom') === 'deepzoom');
      if (set) node.append(tileSetStatus(set, following.signal));
    });
  cancel.addEventListener('click', () => {
    following.abort();
    if (uploads.has(item)) {
      uploads.delete(item);
      void upload.abort(true).catch(() => undefined); // terminate: the server drops the bytes
    }
    node.remove();
  });

  void upload.findPreviousUploads().then((previous) => {
    if (previous.length > 0) {
      upload.resumeFromPreviousUpload(previous[0]);
      state.textContent = 'resuming';
    }
    upload.start();
  });
}

/**
 * Unfinished uploads from an earlier visit (tus, and direct ones, which also tell whether
 * the server offers direct uploads): choose the same file to resume, or discard.
 */
async function offerUnfinishedUploads() {
  const response = await api('/v1/direct-uploads').catch(() => null);
  const listed = response?.ok ? await response.json() : null;
  directUploads = listed?.offered === true;
  if (directUploads) {
    const open = new Map(listed.items.map((u) => [u.id, u]));
    for (const entry of rememberedDirectUploads(me.id)) {
      const upload = open.get(entry.id);
      if (!upload) {
        forgetDirectUpload(entry.key); // expired, finished or removed elsewhere
        continue;
      }
      const sent = Object.keys(entry.etags ?? {}).length * upload.partBytes;
      offerUnfinished(entry.key, entry.filename, Math.min(sent, upload.bytes), upload.bytes, async () => {
        await api(`/v1/direct-uploads/${encodeURIComponent(upload.id)}`, { method: 'DELETE' }).catch(() => null);
        forgetDirectUpload(entry.key);
      });
    }
  }
  const storage = globalThis.tus.defaultOptions.urlStorage;
  const previous = (await storage.findAllUploads()).filter((p) => p.urlStorageKey.includes(`tessera:${me.id}:`));
  for (const entry of previous) {
    if ([...$('uploads').children].some((li) => li.dataset.key === entry.urlStorageKey)) continue;
    const head = await api(entry.uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }).catch(
      () => null,
    );
    if (!head?.ok) {
      await storage.removeUpload(entry.urlStorageKey); // expired or finished elsewhere
      continue;
    }
    const offset = Number(head.headers.get('upload-offset'));
    offerUnfinished(entry.urlStorageKey, entry.metadata?.filename, offset, entry.size, async () => {
      await api(entry.uploadUrl, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } }).catch(() => null);
      await storage.removeUpload(entry.urlStorageKey);
    });
  }
}

/** A card for an unfinished upload: how far it got, "Choose file" to resume, "Discard". */
function offerUnfinished(key, filename, sent, size, discard) {
  if ([...$('uploads').children].some((li) => li.dataset.key === key)) return;
  const node = el(
    'li',
    { class: 'upload card' },
    el(
      'div',
      { class: 'row' },
      el('strong', {}, filename ?? 'an earlier file'),
      el('span', { class: 'spacer' }),
      el('span', { class: 'muted' }, 'unfinished'),
    ),
    el('progress', { max: 1, value: size ? sent / size : 0 }),
    el(
      'div',
      { class: 'row wrap' },
      el('span', { class: 'muted' }, `${bytes(sent)} of ${bytes(size)} sent. Choose the same file to resume.`),
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', onclick: () => $('files').click() }, 'Choose file'),
      el(
        'button',
        {
          type: 'button',
          onclick: async () => {
            await discard();
            node.remove();
          },
        },
        'Discard',
      ),
    ),
  );
  node.dataset.key = key;
  node.classList.add('unfinished');
  $('uploads').append(node);
}
// A resumed upload replaces its "unfinished" entry.
$('files').addEventListener('change', () => {
  for (const node of document.querySelectorAll('#uploads li.unfinished')) node.remove();
});

// ---- the library ----------------------------------------------------------------------

const library = { title: '', cursor: null, signal: null, abort: new AbortController() };

$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  library.title = new FormData(event.target).get('title').trim();
  void libraryView(viewAbort.signal);
});
$('more').addEventListener('click', () => void attempt(() => loadPage(library.signal, true)));

/** The library's first page; the cards it replaces stop following their streams. */
async function libraryView(signal) {
  show('library-view');
  library.abort.abort();
  library.abort = new AbortController();
  library.signal = AbortSignal.any([signal, library.abort.signal]);
  library.cursor = null;
  $('panoramas').replaceChildren();
  await attempt(() => loadPage(library.signal, false));
}

async function loadPage(signal, more) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (library.title) query.set('title', library.title);
  if (more && library.cursor) query.set('cursor', library.cursor);
  const page = await apiJson(`/v1/panoramas?${query}`, { signal });
  if (!more) $('panoramas').replaceChildren();
  for (const panorama of page.items) $('panoramas').append(card(panorama, signal));
  library.cursor = page.nextCursor ?? null;
  $('more').hidden = !library.cursor;
  $('empty').hidden = $('panoramas').children.length > 0;
  $('empty').textContent = library.title
    ? `No panorama has "${library.title}" in its title.`
    : 'No panoramas yet: drop one above.';
}

function card(panorama, signal) {
  const thumb = el('a', { class: 'thumb', href: `#/p/${panorama.id}`, 'aria-label': `Open ${panorama.title}` });
  const statuses = el('div', { class: 'sets' });
  const node = el(
    'li',
    { 'data-id': panorama.id },
    thumb,
    el(
      'div',
      { class: 'body' },
      el('a', { class: 'title', href: `#/p/${panorama.id}` }, panorama.title),
      el(
        'span',
        { class: 'muted' },
        `${panorama.width}×${panorama.height} · ${bytes(panorama.bytes)} `,
        panorama.projection === 'equirectangular' ? el('span', { class: 'badge' }, '360°') : null,
      ),
      statuses,
    ),
  );
  for (const set of panorama.tileSets) statuses.append(tileSetStatus(set, signal));
  showThumbnail(panorama, thumb, signal);
  return node;
}

/** One tile set's status line, kept live over SSE while it is queued or cutting. */
function tileSetStatus(set, signal, onReady) {
  const label = el('span', { class: 'label' });
  const bar = el('progress', { max: 1 });
  const line = el('div', { class: 'tileset', 'data-tileset': set.id, 'data-status': set.status }, label, bar);
  const render = (s) => {
    line.dataset.status = s.status;
    const kind = set.layout === 'sphere' ? '360° tiles' : 'tiles';
    label.textContent =
      s.status === 'processing'
        ? `${kind}: cutting ${Math.round((s.progress ?? 0) * 100)}%`
        : `${kind}: ${s.status}${s.status === 'failed' && s.errorCode ? ` (${s.errorCode})` : ''}`;
    bar.hidden = s.status !== 'processing' && s.status !== 'queued';
    if (s.status === 'processing') bar.value = s.progress ?? 0;
    else bar.removeAttribute('value'); // indeterminate while queued
  };
  render(set);
  if (set.status === 'queued' || set.status === 'processing')
    watch(
      `/v1/tilesets/${set.id}/events`,
      (_name, data) => {
        render(data);
        if (data.status === 'ready') onReady?.();
      },
      signal,
    );
  return line;
}

function showThumbnail(panorama, container, signal) {
  // The thumb preset, else the smallest rendition there is (never a large one for a card).
  const thumb =
    panorama.renditions?.find((r) => r.name === 'thumb') ??
    [...(panorama.renditions ?? [])].filter((r) => r.width && r.width <= 1024).sort((a, b) => a.width - b.width)[0];
  if (!thumb) return;
  const load = () =>
    imageUrl(thumb.links.file)
      .then((src) => container.replaceChildren(el('img', { src, alt: '', loading: 'lazy' })))
      .catch(() => undefined);
  if (thumb.status === 'ready') void load();
  else if (thumb.status !== 'failed') watch(thumb.links.events, (name) => name === 'ready' && void load(), signal);
}

// ---- a panorama's page ----------------------------------------------------------------

const current = { panorama: null, shown: null, viewer: null, links: new Map() };

/** A share link for a tile set (kept for the page's life): the viewers load tiles through it. */
async function viewLink(tileSetId) {
  if (!current.links.has(tileSetId))
    current.links.set(
      tileSetId, // (the server caps the lifetime at its SHARE_MAX_TTL_SECONDS)
      // Unlisted: the page's own, not one the owner handed out (not in the list of links).
      await apiJson(`/v1/tilesets/${tileSetId}/share`, {
        method: 'POST',
        json: { ttlSeconds: VIEW_LINK_SECONDS, listed: false },
      }),
    );
  return current.links.get(tileSetId);
}

/**
 * The panorama page's own controls (all but the way back): inert while the panorama loads,
 * so that a click then (Rename, Delete, Share...) never acts on nothing or on the last one.
 */
const panoramaControls = (inert) => {
  for (const node of [...$('panorama-view').children].slice(1)) node.inert = inert;
};

async function panoramaView(id, signal) {
  show('panorama-view');
  destroyViewer();
  panoramaControls(true);
  $('compare').hidden = true;
  $('share-result').hidden = true;
  $('rename-form').hidden = true;
  const panorama = await attempt(() => apiJson(`/v1/panoramas/${encodeURIComponent(id)}`, { signal }));
  if (!panorama) return;
  current.panorama = panorama;
  panoramaControls(false);
  current.links.clear();
  $('p-title').textContent = panorama.title;
  $('p-facts').textContent = [
    `${panorama.width}×${panorama.height} px`,
    bytes(panorama.bytes),
    panorama.format.toUpperCase(),
    panorama.projection === 'equirectangular' ? '360° equirectangular' : 'flat',
    `uploaded ${new Date(panorama.createdAt).toLocaleString()}`,
  ].join(' · ');
  $('projection-switch').textContent = panorama.projection === 'equirectangular' ? 'Make it flat' : 'Make it 360°';
  $('tilesets').replaceChildren(
    ...panorama.tileSets.map((set) =>
      el(
        'li',
        {},
        tileSetStatus(set, signal, () => {
          set.status = 'ready';
          if (!current.viewer) void showBest(signal);
          updateModes();
        }),
        el('span', { class: 'muted' }, `${set.tileSize} px ${set.format}`),
      ),
    ),
  );
  renderRenditions(panorama, signal);
  updateModes();
  await showBest(signal);
}

const readySet = (layout) =>
  current.panorama?.tileSets.find((s) => s.status === 'ready' && (s.layout ?? 'deepzoom') === layout);

function updateModes() {
  $('mode-flat').disabled = !readySet('deepzoom');
  $('mode-sphere').disabled = !readySet('sphere');
  $('mode-sphere').hidden = current.panorama?.projection !== 'equirectangular' && !readySet('sphere');
  $('mode-flat').setAttribute('aria-pressed', String(current.shown === 'deepzoom'));
  $('mode-sphere').setAttribute('aria-pressed', String(current.shown === 'sphere'));
  const waiting = current.panorama?.tileSets.some((s) => s.status === 'queued' || s.status === 'processing');
  $('stage-status').textContent = current.shown
    ? ''
    : waiting
      ? 'The tiles are being cut; the view opens when they are ready.'
      : '';
}

async function showBest(signal) {
  const preferSphere = current.panorama.projection === 'equirectangular' && readySet('sphere');
  const layout = preferSphere ? 'sphere' : readySet('deepzoom') ? 'deepzoom' : readySet('sphere') ? 'sphere' : null;
  if (layout) await showLayout(layout, signal);
}

function destroyViewer() {
  current.viewer?.destroy?.();
  current.viewer = null;
  current.shown = null;
  window.viewer = undefined;
  $('stage').replaceChildren();
}

async function showLayout(layout, signal) {
  const set = readySet(layout);
  if (!set) return;
  await attempt(async () => {
    const link = await viewLink(set.id);
    if (signal.aborted) return;
    destroyViewer();
    const holder = el('div', { style: 'width:100%;height:100%' });
    $('stage').append(holder);
    if (layout === 'sphere') {
      const descriptor = await fetch(link.dziUrl.replace(/\/image\.dzi$/, '/sphere')).then((r) =>
        r.ok ? r.json() : Problem.of(r).then((p) => Promise.reject(p)),
      );
      current.viewer = await sphereViewer(holder, descriptor);
    } else {
      current.viewer = flatViewer(holder, link.dziUrl);
    }
    current.shown = layout;
    window.viewer = current.viewer; // for the browser tests and the curious
  });
  updateModes();
}

$('mode-flat').addEventListener('click', () => void showLayout('deepzoom', viewAbort.signal));
$('mode-sphere').addEventListener('click', () => void showLayout('sphere', viewAbort.signal));

$('rename').addEventListener('click', () => {
  $('rename-form').hidden = false;
  $('rename-form').title.value = current.panorama.title;
  $('rename-form').title.focus();
});
$('rename-cancel').addEventListener('click', () => ($('rename-form').hidden = true));
$('rename-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void attempt(async () => {
    const title = event.target.title.value.trim();
    const updated = await apiJson(`/v1/panoramas/${current.panorama.id}`, { method: 'PATCH', json: { title } });
    current.panorama.title = updated.title;
    $('p-title').textContent = updated.title;
    $('rename-form').hidden = true;
  });
});

// Flat or 360°: the detection can be wrong either way (a 2:1 crop, a sphere without XMP).
$('projection-switch').addEventListener('click', () => {
  const { id, projection } = current.panorama;
  void attempt(async () => {
    await apiJson(`/v1/panoramas/${id}`, {
      method: 'PATCH',
      json: { projection: projection === 'equirectangular' ? 'flat' : 'equirectangular' },
    });
    await panoramaView(id, viewAbort.signal);
  });
});

$('delete').addEventListener('click', () => {
  const { id, title } = current.panorama;
  if (!confirm(`Delete "${title}" with its tiles and renditions? This cannot be undone.`)) return;
  void attempt(async () => {
    const response = await api(`/v1/panoramas/${id}`, { method: 'DELETE' });
    if (!response.ok) throw await Problem.of(response);
    destroyViewer();
    flash = { text: `Deleted "${title}".`, kind: 'info' };
    location.hash = '#/';
  });
});

// Share: the tile set on screen (the sphere's when viewing 360°).
/** The public viewer page of a tile set's share link. */
function viewerUrl(link) {
  const viewer = new URL(link.dziUrl);
  viewer.pathname = viewer.pathname.replace(/^\/v1\/s\//, '/s/').replace(/\/image\.dzi$/, '');
  return viewer.href;
}

$('share-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const set = readySet(current.shown ?? 'deepzoom') ?? readySet('sphere');
  if (!set) return message('There is nothing to share until the tiles are ready.');
  void attempt(async () => {
    const form = new FormData(event.target);
    const label = String(form.get('label') ?? '').trim();
    const json = { ttlSeconds: Number(form.get('ttl')), ...(label ? { label } : {}) };
    const link = await apiJson(`/v1/tilesets/${set.id}/share`, { method: 'POST', json });
    $('share-viewer').value = viewerUrl(link);
    $('share-dzi').value = link.dziUrl;
    $('share-manifest').value = link.iiifManifestUrl;
    $('share-iiif').value = `${link.iiifUrl}/info.json`;
    $('share-embed').value =
      `<iframe src="${viewerUrl(link)}" width="960" height="540" allowfullscreen style="border:0"></iframe>`;
    $('share-expiry').textContent =
      `Anyone with these links can view the panorama until ${new Date(link.expiresAt).toLocaleString()}.`;
    $('share-result').hidden = false;
    event.target.elements.label.value = '';
    await renderShareLinks();
  });
});
$('share-panel').addEventListener('toggle', () => $('share-panel').open && void attempt(renderShareLinks));

/** The active links of every ready tile set of the panorama on screen, newest first. */
async function renderShareLinks() {
  const panorama = current.panorama;
  const sets = panorama?.tileSets.filter((s) => s.status === 'ready') ?? [];
  const lists = await Promise.all(
    sets.map(async (set) => (await apiJson(`/v1/tilesets/${set.id}/shares`)).items.map((link) => ({ set, link }))),
  );
  if (current.panorama !== panorama) return; // another panorama meanwhile
  const links = lists.flat().sort((a, b) => b.link.createdAt.localeCompare(a.link.createdAt));
  $('share-none').hidden = links.length > 0;
  $('share-links').replaceChildren(...links.map(({ set, link }) => shareLinkLine(set, link)));
}

function shareLinkLine(set, link) {
  return linkLine(link, {
    path: `/v1/tilesets/${set.id}/shares/${link.id}`,
    url: viewerUrl(link),
    what: (set.layout ?? 'deepzoom') === 'sphere' ? '360°' : '2D',
    refresh: renderShareLinks,
  });
}

/** One active share link in a list: who it is for, its dates, copy, rename, revoke. */
function linkLine(link, { path, url, what, refresh }) {
  const when = (iso) => new Date(iso).toLocaleString();
  const name = link.label ?? 'No label';
  const facts = [
    ...(what ? [what] : []),
    `made ${when(link.createdAt)}`,
    `until ${when(link.expiresAt)}`,
    link.lastUsedAt ? `last used ${when(link.lastUsedAt)}` : 'not used yet',
  ].join(' · ');
  return el(
    'li',
    { 'data-link': link.id },
    el('strong', { class: link.label ? '' : 'muted' }, name),
    el('span', { class: 'muted' }, ` ${facts} `),
    el('button', {
      type: 'button',
      textContent: 'Copy link',
      onclick: async (event) => {
        try {
          await navigator.clipboard.writeText(url);
          event.target.textContent = 'Copied';
        } catch {
          prompt('The link:', url); // no clipboard on plain http
        }
      },
    }),
    el('button', {
      type: 'button',
      textContent: 'Rename',
      onclick: () => {
        const label = prompt('Who is this link for?', link.label ?? '');
        if (label === null) return;
        void attempt(async () => {
          await apiJson(path, { method: 'PATCH', json: { label: label.trim() || null } });
          await refresh();
        });
      },
    }),
    el('button', {
      type: 'button',
      class: 'danger',
      textContent: 'Revoke',
      onclick: () => {
        if (!confirm(`Revoke the link "${name}"? Whoever has it loses access; your other links keep working.`)) return;
        void attempt(async () => {
          const response = await api(path, { method: 'DELETE' });
          if (!response.ok) throw await Problem.of(response);
          message(`The link "${name}" stopped working.`, 'info');
          await refresh();
        });
      },
    }),
  );
}

$('revoke').addEventListener('click', () => {
  const sets = current.panorama.tileSets.filter((s) => s.status === 'ready');
  if (!confirm('Stop every link to this panorama (including the ones you sent)?')) return;
  void attempt(async () => {
    for (const set of sets) await apiJson(`/v1/tilesets/${set.id}/share`, { method: 'DELETE' });
    current.links.clear();
    $('share-result').hidden = true;
    message('Every share link of this panorama stopped working.', 'info');
    await renderShareLinks();
    if (current.shown) await showLayout(current.shown, viewAbort.signal); // our own view needs a new one
  });
});
for (const button of document.querySelectorAll('[data-copy]'))
  button.addEventListener('click', async () => {
    const input = $(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Press Ctrl+C'; // no clipboard on plain http: the text is selected
    }
    setTimeout(() => (button.textContent = 'Copy'), 2000);
  });

$('download-original').addEventListener('click', () =>
  attempt(() => save(`/v1/panoramas/${current.panorama.id}/original`, current.panorama.originalFilename)),
);
$('download-archive').addEventListener('click', () =>
  attempt(async () => {
    const set = readySet(current.shown ?? 'deepzoom') ?? readySet('deepzoom');
    if (!set) throw new Problem(409, { detail: 'The tiles are not ready yet.' });
    // Through a share link: the browser downloads it straight to disk, however large.
    const link = await viewLink(set.id);
    const a = el('a', { href: link.archiveUrl, download: '' });
    document.body.append(a);
    a.click();
    a.remove();
  }),
);

// Renditions: list, make (resize, compress, convert), compare with the original.
function renderRenditions(panorama, signal) {
  $('renditions').replaceChildren(...(panorama.renditions ?? []).map((r) => renditionLine(r, signal)));
}

function renditionLine(rendition, signal) {
  const info = el('span', {});
  const line = el(
    'li',
    { 'data-rendition': rendition.id },
    info,
    el('span', { class: 'spacer' }),
    el('button', { type: 'button', onclick: () => attempt(() => compare(rendition)) }, 'Compare'),
    el(
      'button',
      {
        type: 'button',
        onclick: () =>
          attempt(() => save(rendition.links.file, `${rendition.name ?? 'rendition'}.${rendition.format}`)),
      },
      'Download',
    ),
    el(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () =>
          attempt(async () => {
            const response = await api(rendition.links.self, { method: 'DELETE' });
            if (!response.ok) throw await Problem.of(response);
            line.remove();
          }),
      },
      'Delete',
    ),
  );
  const render = (r) => {
    Object.assign(rendition, r);
    line.dataset.status = rendition.status;
    const size = rendition.width ? `${rendition.width}×${rendition.height}` : '';
    info.textContent = [
      rendition.name ?? 'custom',
      size,
      rendition.format,
      rendition.status === 'ready' ? bytes(rendition.bytes) : rendition.status,
    ]
      .filter(Boolean)
      .join(' · ');
  };
  render(rendition);
  if (rendition.status === 'queued' || rendition.status === 'processing')
    watch(
      rendition.links.events,
      (_name, data) => {
        render(data);
        if (data.status === 'ready' && line.dataset.compare === 'yes') void attempt(() => compare(rendition));
      },
      signal,
    );
  return line;
}

$('rendition-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const spec = { format: form.get('format'), quality: Number(form.get('quality')) };
  if (form.get('width')) spec.width = Number(form.get('width'));
  if (form.get('height')) spec.height = Number(form.get('height'));
  void attempt(async () => {
    const rendition = await apiJson(`/v1/panoramas/${current.panorama.id}/renditions`, { method: 'POST', json: spec });
    let line = $('renditions').querySelector(`[data-rendition="${rendition.id}"]`);
    if (!line) {
      line = renditionLine(rendition, viewAbort.signal);
      $('renditions').append(line);
    }
    line.dataset.compare = 'yes';
    if (rendition.status === 'ready') await compare(rendition);
  });
});

/** Before (the original, drawn from its pyramid at the same size) and after, with their bytes. */
async function compare(rendition) {
  if (rendition.status !== 'ready') return;
  const panorama = current.panorama;
  const after = await imageUrl(rendition.links.file);
  $('compare-after').src = after;
  $('compare-after-caption').textContent = `${rendition.width}×${rendition.height} ${rendition.format}, ${bytes(
    rendition.bytes,
  )} (${((100 * rendition.bytes) / panorama.bytes).toFixed(1)}% of the original)`;
  const set = readySet('deepzoom');
  if (set) {
    const width = Math.min(rendition.width, 1600);
    $('compare-before').src = await imageUrl(`/v1/tilesets/${set.id}/iiif/full/${width},/0/default.png`);
  } else $('compare-before').removeAttribute('src');
  $('compare-before-caption').textContent = `original: ${panorama.width}×${panorama.height} ${panorama.format}, ${bytes(
    panorama.bytes,
  )}`;
  $('compare').hidden = false;
}

void attempt(route);

// ---- collections ----------------------------------------------------------------------

$('new-collection').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  void attempt(async () => {
    const made = await apiJson('/v1/collections', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: new FormData(form).get('name').trim() }),
    });
    form.reset();
    location.hash = `#/c/${made.id}`;
  });
});

async function collectionsView(signal) {
  show('collections-view');
  const page = await apiJson('/v1/collections?limit=100', { signal });
  $('collections').replaceChildren(
    ...page.items.map((c) => el('li', { 'data-id': c.id }, el('a', { href: `#/c/${c.id}` }, c.name))),
  );
  $('no-collections').hidden = page.items.length > 0;
}

const collection = { id: null, count: -1 };

$('collection-add').addEventListener('click', () => $('collection-files').click());
$('collection-files').addEventListener('change', (event) => {
  for (const file of event.target.files)
    startUpload(file, { collectionId: collection.id, list: $('collection-uploads') });
  event.target.value = '';
});
$('collection-zip').addEventListener(
  'click',
  () => void attempt(() => save(`/v1/collections/${collection.id}/archive`, `${$('collection-name').textContent}.zip`)),
);

/** A collection: its progress bar and counts, live over SSE, and its panoramas. */
async function collectionView(id, signal) {
  show('collection-view');
  collection.id = id;
  collection.count = -1;
  $('collection-uploads').replaceChildren();
  $('collection-panoramas').replaceChildren();
  $('collection-summary').textContent = '';
  $('collection-progress').value = 0;
  const found = await apiJson(`/v1/collections/${encodeURIComponent(id)}`, { signal });
  $('collection-name').textContent = found.name;
  $('collection-share-panel').open = false;
  $('collection-share-result').hidden = true;
  // The stream stays open (a collection can grow); it reconnects by itself.
  void follow(`/v1/collections/${encodeURIComponent(id)}/events`, (_, status) => showStatus(status, signal), signal);
}

function showStatus(status, signal) {
  const { tileSets: t, renditions: r } = status;
  $('collection-progress').value = status.progress;
  $('collection-progress').dataset.complete = String(status.complete);
  const parts = [
    `${status.panoramas} panorama${status.panoramas === 1 ? '' : 's'}`,
    `tile sets ${t.ready}/${t.queued + t.processing + t.ready + t.failed} ready`,
    `renditions ${r.ready}/${r.queued + r.processing + r.ready + r.failed} ready`,
    `${Math.round(status.progress * 100)} %`,
  ];
  if (t.failed + r.failed > 0) parts.push(`${t.failed + r.failed} failed`);
  $('collection-summary').textContent = (status.complete ? 'Complete · ' : '') + parts.join(' · ');
  if (status.panoramas !== collection.count) {
    collection.count = status.panoramas;
    void attempt(() => loadCollectionPanoramas(signal));
  }
}

async function loadCollectionPanoramas(signal) {
  const page = await apiJson(`/v1/collections/${encodeURIComponent(collection.id)}/panoramas?limit=${PAGE_SIZE}`, {
    signal,
  });
  $('collection-panoramas').replaceChildren(...page.items.map((panorama) => card(panorama, signal)));
}

// Share a collection: a public page of its panoramas and a IIIF Collection, listed links only.
$('collection-share-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void attempt(async () => {
    const form = new FormData(event.target);
    const label = String(form.get('label') ?? '').trim();
    const json = { ttlSeconds: Number(form.get('ttl')), ...(label ? { label } : {}) };
    const link = await apiJson(`/v1/collections/${encodeURIComponent(collection.id)}/share`, { method: 'POST', json });
    $('collection-share-page').value = link.pageUrl;
    $('collection-share-iiif').value = link.iiifCollectionUrl;
    $('collection-share-expiry').textContent =
      `Anyone with these links can view the collection's panoramas until ${new Date(link.expiresAt).toLocaleString()}.`;
    $('collection-share-result').hidden = false;
    event.target.elements.label.value = '';
    await renderCollectionLinks();
  });
});
$('collection-share-panel').addEventListener(
  'toggle',
  () => $('collection-share-panel').open && void attempt(renderCollectionLinks),
);

async function renderCollectionLinks() {
  const id = collection.id;
  const { items } = await apiJson(`/v1/collections/${encodeURIComponent(id)}/shares`);
  if (collection.id !== id) return; // another collection meanwhile
  $('collection-share-none').hidden = items.length > 0;
  $('collection-share-links').replaceChildren(
    ...items.map((link) =>
      linkLine(link, {
        path: `/v1/collections/${encodeURIComponent(id)}/shares/${link.id}`,
        url: link.pageUrl,
        refresh: renderCollectionLinks,
      }),
    ),
  );
}
