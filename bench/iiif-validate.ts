/**
 * Runs the official IIIF Presentation API validator (IIIF/presentation-validator, its own
 * `check_manifest` for version 3.0) on what Tessera answers: an owner's manifest, the same
 * panorama's manifest under a share link, a page of the owner's Collection, a shared
 * collection's Collection and a manifest from it, and, as a control, a manifest broken on
 * purpose, which must fail.
 *
 *   npm run bench:iiif-validate -- <a checkout of github.com/IIIF/presentation-validator>
 *
 * Needs a Python (PYTHON, default python3; PYTHONPATH is kept) with the validator's
 * dependencies but `iiif_prezi` (only its Presentation 2 path imports it; a stub stands in):
 * jsonschema and referencing, bottle, jsonpath_rw, requests, Pillow, pyld. The validator's
 * code is not part of this repository.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeBusyJpeg, report, startDeployment, uploadFile, whenReady } from './support.ts';

const validator = process.argv[2] && resolve(process.argv[2]);
if (!validator) {
  console.error('usage: npm run bench:iiif-validate -- <checkout of IIIF/presentation-validator>');
  process.exit(2);
}

const root = await mkdtemp(join(tmpdir(), 'tessera-iiif-validate-'));
const deployment = await startDeployment(join(root, 'deployment'), { WORKER_EMBEDDED: 'true' });
try {
  const { base, auth } = deployment;
  const image = join(root, 'harbour.jpg');
  await makeBusyJpeg(image, 3000, 1500);
  const upload = await uploadFile(base, auth, image, (await stat(image)).size, 'image/jpeg', {
    title: 'Harbour <at> "dawn" & dusk',
    description: 'A test panorama for the validator.',
    presets: 'thumb',
  });
  if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${upload.body}`);
  const panorama = JSON.parse(upload.body) as { id: string; tileSets: { id: string }[] };
  await whenReady(base, auth, panorama.tileSets[0].id);
  const json = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const share = await fetch(`${base}/v1/tilesets/${panorama.tileSets[0].id}/share`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'validator' }),
  });
  const { iiifManifestUrl } = (await share.json()) as { iiifManifestUrl: string };
  const collection = await fetch(`${base}/v1/collections`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '<Harbours> & "coasts"' }),
  });
  const { id: collectionId } = (await collection.json()) as { id: string };
  await fetch(`${base}/v1/collections/${collectionId}/panoramas`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ panoramaIds: [panorama.id] }),
  });
  const collectionShare = await fetch(`${base}/v1/collections/${collectionId}/share`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  const { iiifCollectionUrl } = (await collectionShare.json()) as { iiifCollectionUrl: string };
  const sharedCollection = await json(iiifCollectionUrl);
  const [member] = sharedCollection.items as { id: string }[];
  const owner = await json(`${base}/v1/panoramas/${panorama.id}/iiif-manifest`, auth);
  const cases: [name: string, document: unknown, shouldPass: boolean][] = [
    ['owner manifest', owner, true],
    ['shared manifest', await json(iiifManifestUrl), true],
    ['collection page', await json(`${base}/v1/iiif/collection`, auth), true],
    ['shared collection', sharedCollection, true],
    ["a shared collection's manifest", await json(member.id), true],
    ['control: a manifest without items', { ...owner, items: undefined }, false],
  ];

  // iiif_prezi (Presentation 2 only) is not packaged for Debian: a stub lets the module load.
  const stub = join(root, 'stub');
  await mkdir(join(stub, 'iiif_prezi'), { recursive: true });
  await writeFile(join(stub, 'iiif_prezi', '__init__.py'), '');
  await writeFile(join(stub, 'iiif_prezi', 'loader.py'), 'class ManifestReader:\n    pass\n');
  const results = [];
  for (const [name, document, shouldPass] of cases) {
    const file = join(root, `${name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, JSON.stringify(document));
    const { stdout } = await promisify(execFile)(
      process.env.PYTHON ?? 'python3',
      [
        '-c',
        'import json, sys\n' +
          'from presentation_validator.validator import check_manifest\n' +
          'from presentation_validator.enum import IIIFVersion\n' +
          'result = check_manifest(json.load(open(sys.argv[1])), IIIFVersion.from_string("3.0"), sys.argv[1], [])\n' +
          'print(json.dumps(result.json()))',
        file,
      ],
      {
        env: { ...process.env, PYTHONPATH: [stub, validator, process.env.PYTHONPATH].filter(Boolean).join(':') },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout) as { okay: number; errorList?: { title: string; path: string }[] };
    const passed = result.okay === 1;
    console.log(`${passed === shouldPass ? 'as expected' : 'UNEXPECTED'}: ${name}: ${passed ? 'valid' : 'invalid'}`);
    for (const error of result.errorList ?? []) console.log(`    ${error.title.split('\n')[0]} at ${error.path}`);
    results.push({
      bench: 'iiif-validate',
      what: name,
      value: passed ? 'valid' : 'invalid',
      goal: shouldPass ? 'valid' : 'invalid (control)',
      met: passed === shouldPass,
    });
  }
  report(results);
  if (results.some((r) => !r.met)) process.exitCode = 1;
} finally {
  await deployment.close();
  await rm(root, { recursive: true, force: true });
}
