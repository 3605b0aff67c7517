const MAX_FILENAME_LENGTH = 255;

// C0/C1 controls, and the invisible characters that reorder or hide text: bidi embeddings,
// overrides and isolates (U+202A-202E, U+2066-2069), marks (U+200E/F, U+061C), zero-width
// characters (U+200B-200D, U+2060, U+FEFF).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/**
 * A client's filename as safe metadata: the last path segment only, no control or
 * direction-changing characters, NFC, trimmed, at most 255 characters (keeping the
 * extension when it has to cut). Never used to build a storage key.
 */
export function sanitiseFilename(raw: string | undefined): string {
  const lastSegment = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = lastSegment.normalize('NFC').replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  name = name.replace(/^\.+/, '').trim(); // no hidden-file or ".." names
  if (name.length > MAX_FILENAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = [...name.slice(0, MAX_FILENAME_LENGTH - extension.length)].join('').trimEnd() + extension;
  }
  return name || 'upload';
}

export const TITLE_MAX_LENGTH = 200;

/** A default title from a filename: without its extension, at most TITLE_MAX_LENGTH characters. */
export function titleFromFilename(filename: string): string {
  const dot = filename.lastIndexOf('.');
  const title = (dot > 0 ? filename.slice(0, dot) : filename).trim() || filename;
  return [...title].slice(0, TITLE_MAX_LENGTH).join('').trimEnd();
}
