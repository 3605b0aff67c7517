import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { Response } from 'express';
import { clientGone } from './client-gone.js';
import { contentDisposition } from './send-stored-file.js';

/**
 * Appends one entry and waits until the archiver has taken it; rejects when the archiver or
 * the entry's own stream fails (archiver reports neither when a source stream errors, so
 * the download would wait forever). Every listener is removed either way (listeners left
 * behind per entry made archives of more than ten tiles warn of a leak).
 */
export function appendEntry(zip: ZipArchive, body: NodeJS.ReadableStream, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanUp = () => {
      zip.off('entry', onEntry);
      zip.off('error', onError);
      body.off('error', onError);
    };
    const onEntry = () => {
      cleanUp();
      resolve();
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    zip.once('entry', onEntry);
    zip.once('error', onError);
    body.once('error', onError);
    zip.append(body as never, { name });
  });
}

/** A file to put in a zip: read from storage when its turn comes. */
export interface ZipFile {
  name: string;
  /** What it should hold: a stored object of another size is damaged, and ends the download. */
  bytes: number;
  open(): Promise<{ body: NodeJS.ReadableStream & { destroy(): void }; bytes: number }>;
}

/**
 * Streams a zip of `files` (after `texts`, small generated entries) as the response: one
 * stored object open at a time, entries stored uncompressed (images and tiles already are),
 * never built in memory or on disk. A storage failure or a damaged object half-way cuts the
 * connection: the client sees an invalid zip, never a short valid one.
 */
export async function sendZip(
  res: Response,
  filename: string,
  files: Iterable<ZipFile>,
  onFailure: (error: unknown, file: ZipFile) => void,
  texts: { name: string; content: string }[] = [],
): Promise<void> {
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', contentDisposition(filename));
  const zip = new ZipArchive({ store: true });
  const done = pipeline(zip, res).catch(() => undefined);
  for (const text of texts) zip.append(text.content, { name: text.name });
  let current: ZipFile | undefined;
  try {
    for (const file of files) {
      current = file;
      const object = await file.open();
      if (object.bytes !== file.bytes) {
        object.body.destroy();
        throw new Error(`${file.name} has ${object.bytes} bytes where ${file.bytes} were recorded`);
      }
      // One open object at a time: wait until the archiver has taken this entry.
      await appendEntry(zip, object.body, file.name);
    }
    await zip.finalize();
  } catch (error) {
    // A client that hung up is not a failure of the file being sent when it left.
    if (current && !clientGone(res)) onFailure(error, current);
    zip.abort();
    res.destroy();
  }
  await done;
}
