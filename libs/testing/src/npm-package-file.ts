import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';

export interface PackageFile {
  name: string;
  version: string;
  /** The registry's `dist.integrity` of that version (`npm view name@version dist.integrity`). */
  integrity: string;
  /** The file's path inside the package; ending in `/`, a whole directory. */
  file: string;
}

/**
 * One file of an npm package that the project does not install: a self-contained browser
 * bundle whose package would pull hundreds of megabytes of dependencies the bundle already
 * holds (Mirador 4: 2.3 MB of `dist/mirador.min.js`, about 350 MB installed). The tarball
 * comes through `npm pack` (the registry, proxy and cache npm is configured with), is
 * checked against the pinned integrity, and the file is kept in the temp directory for the
 * next run. Returns the file's (or directory's) path.
 */
export async function npmPackageFile({ name, version, integrity, file }: PackageFile): Promise<string> {
  const target = join(tmpdir(), 'tessera-test-packages', `${name}-${version}`, file);
  if (
    await access(target).then(
      () => true,
      () => false,
    )
  )
    return target;
  const work = await mkdtemp(join(tmpdir(), 'tessera-pack-'));
  try {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', `${name}@${version}`, '--json', '--pack-destination', work, '--ignore-scripts'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0].filename);
    const actual = `sha512-${createHash('sha512')
      .update(await readFile(tarball))
      .digest('base64')}`;
    if (actual !== integrity) throw new Error(`${name}@${version}: integrity ${actual}, expected ${integrity}`);
    const wanted = `package/${file}`;
    await tar.x({
      file: tarball,
      cwd: work,
      filter: (path) => (wanted.endsWith('/') ? path.startsWith(wanted) : path === wanted),
    });
    await mkdir(dirname(target), { recursive: true });
    // Renamed into place whole: a test running beside this one sees the file complete or not at all.
    await rename(join(work, 'package', file), target).catch(async (error: unknown) => {
      if (!(await exists(target))) throw error; // else: another test put it there first
    });
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
