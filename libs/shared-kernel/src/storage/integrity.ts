import { createHash } from 'node:crypto';
import { ObjectNotFoundError } from './storage.errors.js';
import type { ObjectStorage } from './object-storage.port.js';

/** What a stored object should be, as recorded when it was written. */
export interface ExpectedObject {
  bytes: number;
  sha256: string;
}

/** A stored object that is not what was recorded. */
export interface DamagedObject {
  key: string;
  problem: 'missing' | 'size' | 'checksum';
  expected: ExpectedObject;
  /** What is there instead (absent when missing). */
  found?: ExpectedObject;
}

/**
 * Reads a stored object whole and compares its size and SHA-256 with what was recorded.
 * Returns the damage, or null when the object is intact. Storage outages are thrown.
 */
export async function verifyStoredObject(
  storage: ObjectStorage,
  key: string,
  expected: ExpectedObject,
): Promise<DamagedObject | null> {
  let body: NodeJS.ReadableStream;
  try {
    ({ body } = await storage.get(key));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return { key, problem: 'missing', expected };
    throw error;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  const found = { bytes, sha256: hash.digest('hex') };
  if (found.bytes !== expected.bytes) return { key, problem: 'size', expected, found };
  if (found.sha256 !== expected.sha256) return { key, problem: 'checksum', expected, found };
  return null;
}
