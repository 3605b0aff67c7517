// The public page of a collection's share link, /s/{token}/collections/{id}: its panoramas,
// each opening in its own public viewer page. Everything comes through the link's prefix.
import { refusal } from '/app/share-page.js';

const $ = (id) => document.getElementById(id);
const [, , token, , id] = location.pathname.split('/');
const GONE = 'The collection behind this link no longer exists.';
const base = `/v1/s/${encodeURIComponent(token)}/collections/${encodeURIComponent(id)}`;
const PAGE_SIZE = 24;

function fail(text, state) {
  $('message').textContent = text;
  $('message').dataset.state = state;
  $('message').hidden = false;
}

/** A panorama's card: its thumbnail and title, opening its viewer page once it has tiles. */
function card(panorama) {
  const li = document.createElement('li');
  li.dataset.panorama = panorama.id;
  const thumb = document.createElement(panorama.pageUrl ? 'a' : 'span');
  thumb.className = 'thumb';
  if (panorama.pageUrl) thumb.href = panorama.pageUrl;
  if (panorama.thumbnailUrl) {
    const img = document.createElement('img');
    img.src = panorama.thumbnailUrl;
    img.alt = '';
    img.loading = 'lazy';
    thumb.append(img);
  }
  const body = document.createElement('div');
  body.className = 'body';
  const title = document.createElement(panorama.pageUrl ? 'a' : 'span');
  title.className = 'title';
  title.textContent = panorama.title;
  if (panorama.pageUrl) title.href = panorama.pageUrl;
  const facts = document.createElement('span');
  facts.className = 'muted';
  const sphere = panorama.projection === 'equirectangular' ? ' · 360°' : '';
  facts.textContent = panorama.pageUrl
    ? `${panorama.width} × ${panorama.height}${sphere}`
    : 'Being prepared: come back in a few minutes.';
  body.append(title, facts);
  li.append(thumb, body);
  return li;
}

async function load(cursor) {
  const response = await fetch(`${base}?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  if (!response.ok) return fail(...refusal(response.status, await response.json().catch(() => null), GONE));
  const page = await response.json();
  document.title = `${page.name} · Tessera`;
  $('name').textContent = page.name;
  $('description').textContent = page.description ?? '';
  $('expiry').textContent = `link valid until ${new Date(page.expiresAt).toLocaleString()}`;
  $('iiif').href = page.iiifCollectionUrl;
  $('iiif').hidden = false;
  $('panoramas').append(...page.items.map(card));
  if (!cursor && page.items.length === 0) fail('This collection is empty for now.', 'empty');
  $('more').hidden = !page.nextCursor;
  $('more').onclick = () => void load(page.nextCursor).catch((error) => fail(error.message, 'error'));
}

load().catch((error) => fail(error.message, 'error'));
