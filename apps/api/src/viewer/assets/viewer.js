// Tessera viewer: sign in, pick a panorama, explore its tile pyramid with OpenSeadragon.
// Tokens live in sessionStorage (this tab only); tiles are fetched with the bearer header.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const session = {
    get: () => JSON.parse(sessionStorage.getItem('tessera') || 'null'),
    set: (value) => sessionStorage.setItem('tessera', JSON.stringify(value)),
    clear: () => sessionStorage.removeItem('tessera'),
  };

  async function api(path, init = {}, retried = false) {
    const tokens = session.get();
    const headers = { ...(init.headers || {}), ...(tokens ? { authorization: `Bearer ${tokens.accessToken}` } : {}) };
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401 && tokens && !retried) {
      const refreshed = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
      if (refreshed.ok) {
        session.set(await refreshed.json());
        return api(path, init, true);
      }
      session.clear();
      show('sign-in');
    }
    return response;
  }

  function show(view) {
    for (const id of ['sign-in', 'library', 'stage']) $(id).hidden = id !== view;
    $('sign-out').hidden = view === 'sign-in';
  }

  function text(tag, content, className) {
    const node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  async function library() {
    show('library');
    const list = $('panoramas');
    list.replaceChildren();
    const response = await api('/v1/panoramas?limit=100');
    if (!response.ok) return;
    const page = await response.json();
    if (page.items.length === 0)
      list.append(text('li', 'No panoramas yet: upload one through the API (Swagger UI at /docs).'));
    for (const panorama of page.items) {
      const item = text('li', `${panorama.title} (${panorama.width}x${panorama.height})`);
      const sets = document.createElement('div');
      sets.className = 'sets';
      for (const set of panorama.tileSets) {
        const label = `${set.tileSize}px ${set.format}: ${set.status}${set.status === 'processing' ? ` ${Math.round(set.progress * 100)}%` : ''}`;
        if (set.status === 'ready') {
          const link = text('a', label);
          link.href = `/viewer?tileset=${set.id}`;
          sets.append(link);
        } else sets.append(text('span', label));
      }
      item.append(sets);
      list.append(item);
    }
  }

  async function stage(tileSetId) {
    show('stage');
    const response = await api(`/v1/tilesets/${tileSetId}`);
    if (!response.ok) {
      $('caption').textContent = `This tile set cannot be shown (${response.status}).`;
      return;
    }
    const tileSet = await response.json();
    $('caption').textContent = `${tileSet.tileCount} tiles, ${tileSet.levels} levels`;
    // Tiles through a share link: no header, so nothing stops loading when the access token
    // expires. Someone else's tile set (an admin looking) cannot be shared: bearer header then.
    const shared = await api(`/v1/tilesets/${tileSetId}/share`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 12 * 3600 }),
    });
    const source = shared.ok
      ? { tileSources: (await shared.json()).dziUrl }
      : {
          tileSources: `/v1/tilesets/${tileSetId}/image.dzi`,
          loadTilesWithAjax: true,
          ajaxHeaders: { Authorization: `Bearer ${session.get().accessToken}` },
        };
    window.viewer = OpenSeadragon({
      id: 'viewer',
      prefixUrl: '/viewer/images/',
      ...source,
      showNavigator: true,
      maxZoomPixelRatio: 2,
      drawer: 'canvas', // as the web app's viewer, for the same reason (web/assets/viewers.js)
    });
  }

  $('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const response = await fetch('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
    });
    if (!response.ok) {
      $('sign-in-error').textContent = (await response.json()).detail || 'Sign-in failed.';
      return;
    }
    session.set(await response.json());
    route();
  });
  $('sign-out').addEventListener('click', async () => {
    const tokens = session.get();
    if (tokens)
      await api('/v1/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
    session.clear();
    route();
  });

  async function route() {
    if (!session.get()) return show('sign-in');
    const me = await api('/v1/users/me');
    if (!me.ok) return show('sign-in');
    $('who').textContent = (await me.json()).email;
    const tileSetId = new URLSearchParams(location.search).get('tileset');
    return tileSetId ? stage(tileSetId) : library();
  }
  route();
})();
