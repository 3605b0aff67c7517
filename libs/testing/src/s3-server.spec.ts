import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startS3Server, type TestS3Server } from './s3-server.js';

/**
 * The operations the loopback S3 adds to s3rver, read back through the AWS SDK (the client
 * @tus/s3-store and our adapters use): ListParts as S3 documents it, page by page, and
 * NoSuchUpload once an upload is over or under another key.
 */
let s3: TestS3Server;
let client: S3Client;
const Bucket = 'parts';

beforeAll(async () => {
  s3 = await startS3Server();
  client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  client?.destroy();
  await s3?.dispose();
});

it('lists the parts of a multipart upload by number, a page at a time, until it is completed', async () => {
  const Key = 'tus/some upload';
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const etags: string[] = [];
  // Sent out of order: listed by number.
  for (const [PartNumber, bytes] of [
    [3, 30],
    [1, 10],
    [2, 20],
  ]) {
    const sent = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: Buffer.alloc(bytes, PartNumber) }),
    );
    etags[PartNumber] = sent.ETag!;
  }
  const first = await client.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2 }));
  expect(first.Parts!.map(({ PartNumber, Size, ETag }) => ({ PartNumber, Size, ETag }))).toEqual([
    { PartNumber: 1, Size: 10, ETag: etags[1] },
    { PartNumber: 2, Size: 20, ETag: etags[2] },
  ]);
  expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', Key, UploadId });
  const rest = await client.send(
    new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: first.NextPartNumberMarker }),
  );
  expect(rest.Parts!.map((p) => [p.PartNumber, p.Size])).toEqual([[3, 30]]);
  expect(rest.IsTruncated).toBe(false);

  await expect(client.send(new ListPartsCommand({ Bucket, Key: 'another key', UploadId }))).rejects.toMatchObject({
    name: 'NoSuchUpload',
  });
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: [1, 2, 3].map((PartNumber) => ({ PartNumber, ETag: etags[PartNumber] })) },
    }),
  );
  await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toMatchObject({
    name: 'NoSuchUpload',
  });
});

it('aborts a multipart upload: its parts go, and it is listed no more', async () => {
  const Key = 'tus/abandoned';
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(5) }));
  expect(await s3.pendingMultipartUploads(Bucket)).toBe(1);
  await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  expect(await s3.pendingMultipartUploads(Bucket)).toBe(0);
  await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toMatchObject({
    name: 'NoSuchUpload',
  });
});

it('records every request it receives, in order, by method and path', async () => {
  const before = s3.requests.length;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'tus/a/b' }));
  await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'tus/a/b', UploadId }));
  expect(s3.requests.slice(before)).toEqual([`POST /${Bucket}/tus/a/b`, `DELETE /${Bucket}/tus/a/b`]);
});
