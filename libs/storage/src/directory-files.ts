import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { assertStorageKey } from '#shared-kernel';

const isMissing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');

/** Every regular file below `directory` with no dot-led path segment, sorted (none if it does not exist). */
export async function listFiles(directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (path) =>
        !relative(directory, path)
          .split(sep)
          .some((segment) => segment.startsWith('.')),
    )
    .sort();
}

export interface PublishEntry {
  file: string;
  key: string;
}

/**
 * What publishing `directory` under `prefix` writes: each file and its key, validated. No
 * `stat` per file: a pyramid of 100 000 tiles that moves into place with one rename should
 * not cost 100 000 of them (the S3 driver takes each size as it uploads the file).
 */
export async function publishPlan(prefix: string, directory: string): Promise<PublishEntry[]> {
  return (await listFiles(directory)).map((file) => {
    const key = prefix + relative(directory, file).split(sep).join('/');
    assertStorageKey(key);
    return { file, key };
  });
}
