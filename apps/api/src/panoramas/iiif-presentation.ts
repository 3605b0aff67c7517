import type { Request, Response } from 'express';
import type { Panorama } from '#panoramas';
import type { TileSet } from '#tiles';
import { sendJsonLd } from '../http/json-ld.js';

/** IIIF Presentation API 3.0 (https://iiif.io/api/presentation/3.0/). */
export const PRESENTATION_CONTEXT = 'http://iiif.io/api/presentation/3/context.json';

/** The OpenAPI schema of a Presentation resource: open JSON-LD, its three fixed members named. */
export const PRESENTATION_SCHEMA = {
  type: 'object' as const,
  description: 'A IIIF Presentation API 3.0 resource (JSON-LD).',
  additionalProperties: true,
  required: ['@context', 'id', 'type'],
  properties: {
    '@context': { type: 'string' as const, example: 'http://iiif.io/api/presentation/3/context.json' },
    id: { type: 'string' as const, format: 'uri' },
    type: { type: 'string' as const },
  },
};

type LanguageMap = Record<string, string[]>;

export interface PresentationThumbnail {
  url: string;
  /** Media type. */
  format: string;
  width: number;
  height: number;
}

export interface ManifestInput {
  manifestUrl: string;
  /** The tile set's IIIF Image API base URI (no trailing slash). */
  imageService: string;
  dziUrl: string;
  /** A page that shows the panorama to people (the web app, or a share link's page). */
  homepage: string;
  panorama: Panorama;
  tileSet: TileSet;
  /** Defaults to a 320 px wide image from the image service. */
  thumbnail?: PresentationThumbnail;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * What the user typed, as plain text: its language is not known ("none", as the specification
 * says). A value that starts with `<` and ends with `>` is HTML to a IIIF client; such a
 * title is sent as HTML whose text is the title, escaped, so that it shows as typed.
 */
export function plainText(value: string): string {
  return /^<[\s\S]*>$/.test(value) ? `<span>${value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])}</span>` : value;
}
const text = (value: string): LanguageMap => ({ none: [plainText(value)] });
const en = (value: string): LanguageMap => ({ en: [value] });

const serviceOf = (imageService: string) => [{ id: imageService, type: 'ImageService3', profile: 'level2' }];

/** A thumbnail drawn from the image service itself (works wherever the service does). */
export function serviceThumbnail(imageService: string, width: number, height: number): PresentationThumbnail {
  const w = Math.min(320, width);
  return {
    url: `${imageService}/full/${w},/0/default.jpg`,
    format: 'image/jpeg',
    width: w,
    height: Math.max(1, Math.round((height * w) / width)),
  };
}

/**
 * The Manifest of one panorama: label, summary, metadata, a thumbnail, one Canvas painted
 * with the tile set's image (its IIIF Image service attached, which deep-zoom viewers use),
 * the Deep Zoom descriptor as `seeAlso` and a page for people as `homepage`.
 */
export function presentationManifest(input: ManifestInput) {
  const { panorama: p, tileSet, manifestUrl, imageService } = input;
  const [width, height] = [tileSet.sourceWidth, tileSet.sourceHeight];
  const canvas = `${manifestUrl}/canvas/1`;
  const thumbnail = input.thumbnail ?? serviceThumbnail(imageService, width, height);
  return {
    '@context': PRESENTATION_CONTEXT,
    id: manifestUrl,
    type: 'Manifest',
    label: text(p.title),
    ...(p.description ? { summary: text(p.description) } : {}),
    metadata: [
      { label: en('Dimensions'), value: en(`${width} × ${height} pixels`) },
      { label: en('Projection'), value: en(p.projection === 'equirectangular' ? '360° equirectangular' : 'flat') },
      { label: en('Original file'), value: text(p.originalFilename ?? p.title) },
      { label: en('Uploaded'), value: en(p.createdAt.toISOString()) },
    ],
    thumbnail: [
      { id: thumbnail.url, type: 'Image', format: thumbnail.format, width: thumbnail.width, height: thumbnail.height },
    ],
    homepage: [{ id: input.homepage, type: 'Text', label: text(p.title), format: 'text/html' }],
    seeAlso: [
      {
        id: input.dziUrl,
        type: 'Dataset',
        label: en('Deep Zoom descriptor'),
        format: 'application/xml',
        profile: 'http://schemas.microsoft.com/deepzoom/2008',
      },
    ],
    items: [
      {
        id: canvas,
        type: 'Canvas',
        label: text(p.title),
        width,
        height,
        items: [
          {
            id: `${canvas}/page`,
            type: 'AnnotationPage',
            items: [
              {
                id: `${canvas}/page/image`,
                type: 'Annotation',
                motivation: 'painting',
                body: {
                  id: `${imageService}/full/max/0/default.jpg`,
                  type: 'Image',
                  format: 'image/jpeg',
                  width,
                  height,
                  service: serviceOf(imageService),
                },
                target: canvas,
              },
            ],
          },
        ],
      },
    ],
  };
}

export interface CollectionItem {
  manifestUrl: string;
  title: string;
  thumbnail?: PresentationThumbnail;
}

/**
 * A page of manifests; `nextUrl`, when there are more, is the next page as a nested
 * Collection. `label`: ours (English), or what a user typed (a collection's name).
 */
export function presentationCollection(
  url: string,
  label: { en: string } | { typed: string },
  items: CollectionItem[],
  nextUrl?: string,
) {
  const name = 'en' in label ? label.en : label.typed;
  return {
    '@context': PRESENTATION_CONTEXT,
    id: url,
    type: 'Collection',
    label: 'en' in label ? en(name) : text(name),
    items: [
      ...items.map(({ manifestUrl, title, thumbnail: t }) => ({
        id: manifestUrl,
        type: 'Manifest',
        label: text(title),
        ...(t ? { thumbnail: [{ id: t.url, type: 'Image', format: t.format, width: t.width, height: t.height }] } : {}),
      })),
      ...(nextUrl
        ? [{ id: nextUrl, type: 'Collection', label: 'en' in label ? en(`${name}: more`) : text(name) }]
        : []),
    ],
  };
}

/** Sends a Presentation resource (JSON-LD with the Presentation context when asked for). */
export const sendPresentation = (req: Request, res: Response, resource: object, cacheControl: string) =>
  sendJsonLd(req, res, resource, PRESENTATION_CONTEXT, cacheControl);
