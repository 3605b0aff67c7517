import type { RenditionRequest } from './rendition-spec.js';
import { RENDITION_FORMATS } from './rendition-spec.js';
import { UnknownPresetError } from './renditions.errors.js';

/** A named rendition every upload gets (unless it asks otherwise). */
export interface RenditionPreset {
  name: string;
  request: RenditionRequest;
}

const PRESET_FORMATS: readonly string[] = [...RENDITION_FORMATS, 'original'];
const ENTRY = /^([a-z][a-z0-9-]{0,31}):(\d{1,5})(?:x(\d{1,5})(\^)?)?:([a-z]+)(?::(\d{1,3}))?$/;

/**
 * Parses RENDITION_PRESETS: comma-separated `name:size:format[:quality]`, where size is
 * `W` (that width), `WxH` (inside that box) or `WxH^` (covering that box, centred), and
 * format one of jpeg, png, webp, avif or original (the original's, JPEG for TIFF). E.g. `thumb:320:webp,preview:2048:jpeg:85,card:600x400^:jpeg`.
 * `none`: no presets. Throws an Error naming the first bad entry.
 */
export function parsePresets(text: string): RenditionPreset[] {
  const presets: RenditionPreset[] = [];
  if (text.trim() === 'none') return presets;
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = ENTRY.exec(entry);
    if (!match || !PRESET_FORMATS.includes(match[5])) {
      throw new Error(
        `"${entry}" is not name:size:format[:quality] (size W, WxH or WxH^; format ${PRESET_FORMATS.join('|')})`,
      );
    }
    const [, name, width, height, cover, format, quality] = match;
    if (presets.some((p) => p.name === name)) throw new Error(`preset "${name}" is given twice`);
    presets.push({
      name: name,
      request: {
        width: Number(width),
        ...(height ? { height: Number(height) } : {}),
        ...(cover ? { fit: 'cover' as const } : {}),
        format: format as RenditionRequest['format'],
        ...(quality ? { quality: Number(quality) } : {}),
      },
    });
  }
  return presets;
}

/**
 * The presets an upload asks for with its `presets` field: absent = all of them; empty or
 * `none` = none; else a comma-separated list of preset names (each must exist).
 * Throws UnknownPresetError.
 */
export function selectPresets(all: readonly RenditionPreset[], field: string | undefined): RenditionPreset[] {
  if (field === undefined) return [...all];
  const names = field
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0 || (names.length === 1 && names[0] === 'none')) return [];
  return names.map((name) => {
    const preset = all.find((p) => p.name === name);
    if (!preset)
      throw new UnknownPresetError(
        name,
        all.map((p) => p.name),
      );
    return preset;
  });
}
