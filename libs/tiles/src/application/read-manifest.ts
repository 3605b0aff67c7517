import { ObjectNotFoundError, type ObjectStorage } from '#shared-kernel';
import { manifestKey, type TileManifest } from '../domain/manifest.js';

/** The manifest of a published tile set, or null when it is not (or no longer) stored. */
export async function readManifest(storage: ObjectStorage, tileSetId: string): Promise<TileManifest | null> {
  try {
    const { body } = await storage.get(manifestKey(tileSetId));
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as TileManifest;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
}
