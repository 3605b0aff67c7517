// The public page of a share link, /s/{token}/tilesets/{id}: shows the tile set with no
// account, as a sphere when it is one, else flat. Everything comes through the link's prefix.
import { refusal } from '/app/share-page.js';
import { flatViewer, sphereViewer } from '/app/viewers.js';

const $ = (id) => document.getElementById(id);
const [, , token, , id] = location.pathname.split('/');
const GONE = 'The panorama behind this link no longer exists.';
const base = `/v1/s/${encodeURIComponent(token)}/tilesets/${encodeURIComponent(id)}`;

function fail(text, state) {
  $('message').textContent = text;
  $('message').dataset.state = state;
  $('message').hidden = false;
  $('stage').hidden = true;
}

async function show() {
  const manifest = await fetch(`${base}/manifest`);
  if (!manifest.ok) return fail(...refusal(manifest.status, await manifest.json().catch(() => null), GONE));
  // A link that works: the token is key id . expiry (base 36 seconds) . epoch . mac.
  const expires = parseInt(token.split('.')[1], 36);
  $('expiry').textContent = `link valid until ${new Date(expires * 1000).toLocaleString()}`;
  if ((await manifest.json()).layout === 'sphere') {
    const sphere = await fetch(`${base}/sphere`);
    if (!sphere.ok) return fail(`The panorama cannot be shown (${sphere.status}).`, 'error');
    window.viewer = await sphereViewer($('stage'), await sphere.json());
  } else {
    window.viewer = flatViewer($('stage'), `${base}/image.dzi`);
  }
  $('iiif').href = `${base}/iiif/info.json`;
  $('archive').href = `${base}/archive`;
  $('iiif').hidden = $('archive').hidden = false;
}

show().catch((error) => fail(error.message, 'error'));
