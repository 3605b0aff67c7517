import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What s3rver 3.7 lacks of S3's multipart API and this project uses, added as middleware in
 * front of its own: AbortMultipartUpload (direct uploads, tus) and ListParts (tus's S3
 * store). No relative imports: the benchmarks load this file as it is.
 */
export interface S3rverStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}

export type KoaMiddleware = (
  ctx: {
    method: string;
    path: string;
    query: Record<string, string | undefined>;
    status: number;
    body: unknown;
    type: string;
  },
  next: () => Promise<void>,
) => Promise<void>;

const NO_SUCH_UPLOAD = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code></Error>';

/**
 * S3's AbortMultipartUpload (`DELETE /{bucket}/{key}?uploadId=`: the upload's parts go,
 * 204, idempotent), which s3rver 3.7 lacks (it answers 405): s3rver keeps an upload's parts
 * in a directory of its own, which this removes (without s3rver's signature check, which
 * checks no SigV4 signature anyway). Everything else is s3rver's.
 */
function abortMultipartUpload(store: S3rverStore): KoaMiddleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const bucket = ctx.path.split('/')[1];
    if (ctx.method !== 'DELETE' || !uploadId || !bucket) return next();
    if (!/^[0-9a-f]{32}$/.test(uploadId)) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = NO_SUCH_UPLOAD;
      return;
    }
    await rm(join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId), { recursive: true, force: true });
    ctx.status = 204;
    ctx.body = null;
  };
}

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * S3's ListParts (`GET /{bucket}/{key}?uploadId=`: the parts a multipart upload holds, by
 * part number, `max-parts` at a time after `part-number-marker`), which s3rver 3.7 lacks
 * (405) and tus's S3 store asks on every request. Read from s3rver's own record of the upload
 * (a directory per upload: its key, and each part with its MD5, which is the part's ETag);
 * NoSuchUpload (404) once the upload is completed or aborted, or under another key.
 */
function listParts(store: S3rverStore): KoaMiddleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const [, bucket, ...key] = ctx.path.split('/');
    if (ctx.method !== 'GET' || !uploadId || !bucket || key.length === 0) return next();
    const directory = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const recordedKey = /^[0-9a-f]{32}$/.test(uploadId)
      ? await readFile(join(directory, 'key'), 'utf8').catch(() => null)
      : null;
    if (recordedKey === null || recordedKey !== decodeURIComponent(key.join('/'))) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = NO_SUCH_UPLOAD;
      return;
    }
    const marker = Number(ctx.query['part-number-marker'] ?? 0);
    const maxParts = Math.min(Number(ctx.query['max-parts'] ?? 1000), 1000);
    const numbers = (await readdir(directory))
      .filter((name) => /^[1-9][0-9]*$/.test(name))
      .map(Number)
      .filter((n) => n > marker)
      .sort((a, b) => a - b);
    const page = numbers.slice(0, maxParts);
    const parts = await Promise.all(
      page.map(async (n) => {
        const [info, md5] = await Promise.all([
          stat(join(directory, String(n))),
          readFile(join(directory, `${n}.md5`), 'utf8'),
        ]);
        return (
          `<Part><PartNumber>${n}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified>` +
          `<ETag>&quot;${md5.trim()}&quot;</ETag><Size>${info.size}</Size></Part>`
        );
      }),
    );
    const truncated = numbers.length > page.length;
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${xmlText(bucket)}</Bucket><Key>${xmlText(recordedKey)}</Key><UploadId>${uploadId}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker>` +
      `<NextPartNumberMarker>${page.at(-1) ?? 0}</NextPartNumberMarker>` +
      `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
      parts.join('') +
      '</ListPartsResult>';
  };
}

/** Adds the missing operations to an s3rver instance (before its `run()`). */
export function addMissingOperations(instance: { middleware: KoaMiddleware[]; store: S3rverStore }): void {
  instance.middleware.unshift(abortMultipartUpload(instance.store), listParts(instance.store));
}
