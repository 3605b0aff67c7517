import { InvalidRenditionSpecError, UnknownPresetError } from './renditions.errors.js';
import { parsePresets, selectPresets } from './presets.js';
import { normaliseSpec, type RenditionRequest, specKey } from './rendition-spec.js';
import { canTransition } from '#shared-kernel';
import { RENDITION_TRANSITIONS } from './rendition.js';

const pano = { width: 8000, height: 4000, format: 'jpeg' as const };

describe('normaliseSpec', () => {
  it('keeps the aspect ratio for a width alone, a height alone, and a box', () => {
    expect(normaliseSpec({ width: 320 }, pano)).toMatchObject({ width: 320, height: 160, fit: 'inside' });
    expect(normaliseSpec({ height: 333 }, pano)).toMatchObject({ width: 666, height: 333 });
    // A box: the tighter side wins.
    expect(normaliseSpec({ width: 1000, height: 1000 }, pano)).toMatchObject({ width: 1000, height: 500 });
    expect(normaliseSpec({ width: 1000, height: 100 }, pano)).toMatchObject({ width: 200, height: 100 });
  });

  it('rounds odd sizes to the nearest pixel, never to zero', () => {
    const odd = { width: 7001, height: 3, format: 'png' as const };
    expect(normaliseSpec({ width: 997 }, odd)).toMatchObject({ width: 997, height: 1 });
    expect(normaliseSpec({ width: 1 }, odd)).toMatchObject({ width: 1, height: 1 });
    expect(normaliseSpec({ width: 333 }, { width: 1000, height: 999, format: 'png' })).toMatchObject({
      width: 333,
      height: 333,
    });
  });

  it('never enlarges: a box larger than the image gives the image size', () => {
    expect(normaliseSpec({ width: 16_000 }, pano)).toMatchObject({ width: 8000, height: 4000 });
  });

  it('normalises two requests for the same pixels to the same key', () => {
    const a = normaliseSpec({ width: 320 }, pano);
    const b = normaliseSpec({ width: 320, height: 5000, fit: 'inside', format: 'jpeg', quality: 82 }, pano);
    const c = normaliseSpec({ height: 160, format: 'original' }, pano);
    expect(specKey(a)).toBe(specKey(b));
    expect(specKey(a)).toBe(specKey(c));
    expect(specKey(normaliseSpec({ width: 320, quality: 83 }, pano))).not.toBe(specKey(a));
  });

  it('turns a cover box with the image aspect into an inside rendition (nothing is cut)', () => {
    const spec = normaliseSpec({ width: 400, height: 200, fit: 'cover', position: 'top' }, pano);
    expect(spec).toMatchObject({ width: 400, height: 200, fit: 'inside', position: null });
    expect(specKey(spec)).toBe(specKey(normaliseSpec({ width: 400 }, pano)));
  });

  it('ignores a crop position where nothing is cropped', () => {
    expect(specKey(normaliseSpec({ width: 10, position: 'top' }, pano))).toBe(
      specKey(normaliseSpec({ width: 10 }, pano)),
    );
  });

  it('crops with cover, centred by default, scaling an oversized box down to the image', () => {
    expect(normaliseSpec({ width: 300, height: 300, fit: 'cover' }, pano)).toMatchObject({
      width: 300,
      height: 300,
      fit: 'cover',
      position: 'center',
    });
    expect(normaliseSpec({ width: 9000, height: 9000, fit: 'cover', position: 'entropy' }, pano)).toMatchObject({
      width: 4000,
      height: 4000,
      position: 'entropy',
    });
  });

  it('applies the format defaults: quality for lossy formats, effort for WebP and AVIF, JPEG for a TIFF original', () => {
    expect(normaliseSpec({ width: 10, format: 'avif' }, pano)).toMatchObject({ quality: 50, effort: 2 });
    expect(normaliseSpec({ width: 10, format: 'webp' }, pano)).toMatchObject({ quality: 80, effort: 4 });
    expect(normaliseSpec({ width: 10, format: 'png', quality: 10 }, pano)).toMatchObject({
      quality: null,
      effort: null,
    });
    expect(normaliseSpec({ width: 10 }, { ...pano, format: 'tiff' })).toMatchObject({ format: 'jpeg', quality: 82 });
    expect(normaliseSpec({ width: 10 }, { ...pano, format: 'png' })).toMatchObject({ format: 'png' });
  });

  it.each<[RenditionRequest, RegExp]>([
    [{}, /width, a height or both/],
    [{ width: 0 }, /width must be/],
    [{ width: 1.5 }, /width must be/],
    [{ height: 16_385 }, /height must be/],
    [{ width: Number.NaN }, /width must be/],
    [{ width: 10, quality: 0 }, /quality/],
    [{ width: 10, quality: 101 }, /quality/],
    [{ width: 10, format: 'avif', effort: 10 }, /effort must be a whole number from 0 to 9 for avif/],
    [{ width: 10, format: 'webp', effort: -1 }, /effort/],
  ])('refuses %j', (request, message) => {
    expect(() => normaliseSpec(request, pano)).toThrow(InvalidRenditionSpecError);
    expect(() => normaliseSpec(request, pano)).toThrow(message);
  });
});

describe('presets', () => {
  it('parses width, box, cover box, quality and original', () => {
    expect(parsePresets(' thumb:320:webp, card:600x400^:jpeg:70 ,box:100x50:png,same:2048:original')).toEqual([
      { name: 'thumb', request: { width: 320, format: 'webp' } },
      { name: 'card', request: { width: 600, height: 400, fit: 'cover', format: 'jpeg', quality: 70 } },
      { name: 'box', request: { width: 100, height: 50, format: 'png' } },
      { name: 'same', request: { width: 2048, format: 'original' } },
    ]);
    expect(parsePresets('')).toEqual([]);
    expect(parsePresets('none')).toEqual([]);
  });

  it.each(['thumb', 'thumb:320', 'thumb:320:gif', 'Thumb:320:jpeg', 'a:320:jpeg:5:6', 'a:x:jpeg', 'a:1:jpeg,a:2:png'])(
    'refuses %s, naming it',
    (text) => {
      expect(() => parsePresets(text)).toThrow(/"|twice/);
    },
  );

  it('selects all, none or a subset for an upload', () => {
    const all = parsePresets('thumb:320:webp,preview:2048:jpeg');
    expect(selectPresets(all, undefined).map((p) => p.name)).toEqual(['thumb', 'preview']);
    expect(selectPresets(all, '')).toEqual([]);
    expect(selectPresets(all, 'none')).toEqual([]);
    expect(selectPresets(all, ' preview ').map((p) => p.name)).toEqual(['preview']);
    expect(() => selectPresets(all, 'thumb,poster')).toThrow(UnknownPresetError);
  });
});

describe('rendition transitions', () => {
  it('only a processing rendition becomes ready; a ready one never fails or restarts', () => {
    expect(canTransition(RENDITION_TRANSITIONS, 'processing', 'finish')).toBe(true);
    expect(canTransition(RENDITION_TRANSITIONS, 'queued', 'finish')).toBe(false);
    expect(canTransition(RENDITION_TRANSITIONS, 'ready', 'fail')).toBe(false);
    expect(canTransition(RENDITION_TRANSITIONS, 'ready', 'start')).toBe(false);
    expect(canTransition(RENDITION_TRANSITIONS, 'failed', 'start')).toBe(false);
    expect(canTransition(RENDITION_TRANSITIONS, 'failed', 'requeue')).toBe(true);
    expect(canTransition(RENDITION_TRANSITIONS, 'processing', 'start')).toBe(true);
  });
});
