// The public page of a share link, /s/{token}/tilesets/{id}: shows the tile set with no
// account, as a sphere when it is one, else flat. Everything comes through the link's prefix.
import { flatViewer, sphereViewer } from '/app/viewers.js';

const $ = (id) => document.getElementById(id);
const [, , token, , id] = location.pathname.split('/');
const base = `/v1/s/${encodeURIComponent(token)}/tilesets/${encodeURIComponent(id)}`;

function fail(text) {
  $('message').textContent = text;
  $('message').hidden = false;
  $('stage').hidden = true;
}

async function show() {
  // The token is key id . expiry (base 36 seconds) . epoch . mac: the expiry can be shown.
  const expires = parseInt(token.split('.')[1] ?? '', 36);
  if (Number.isFinite(expires))
    $('expiry').textContent = `link valid until ${new Date(expires * 1000).toLocaleString()}`;
  const manifest = await fetch(`${base}/manifest`);
  if (!manifest.ok) {
    const problem = await manifest.json().catch(() => null);
    return fail(problem?.detail || `This link does not work (${manifest.status}).`);
  }
  if ((await manifest.json()).layout === 'sphere') {
    const sphere = await fetch(`${base}/sphere`);
    if (!sphere.ok) return fail(`The panorama cannot be shown (${sphere.status}).`);
    window.viewer = await sphereViewer($('stage'), await sphere.json());
  } else {
    window.viewer = flatViewer($('stage'), `${base}/image.dzi`);
  }
  $('iiif').href = `${base}/iiif/info.json`;
  $('archive').href = `${base}/archive`;
  $('iiif').hidden = $('archive').hidden = false;
}

show().catch((error) => fail(error.message));
