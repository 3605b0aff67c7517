import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertStorageKey,
  DirectUploadStorage,
  PartsRejectedError,
  type SentPart,
  type SignedPart,
} from '#shared-kernel';
import { callS3, isNotFound, s3Client } from './s3-object-storage.js';
import { isS3ServiceError, type S3Settings } from './s3-settings.js';

/** What S3 answers when the part list cannot make the object: the client's mistake, not an outage. */
const PART_REFUSALS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'NoSuchUpload', 'MalformedXML']);

/**
 * Direct uploads on S3: multipart uploads begun, completed and aborted by the API, with
 * part URLs presigned (SigV4 query auth) for exactly each part's Content-Length, so S3
 * refuses a part of any other size. The URLs point at `publicEndpoint` (S3_PUBLIC_ENDPOINT)
 * when set: where the clients reach the bucket, which a compose network's name is not.
 */
export class S3DirectUploads extends DirectUploadStorage {
  readonly offered = true;
  readonly origins: readonly string[];
  private readonly client: S3Client;
  private readonly signer: S3Client;

  constructor(
    private readonly settings: S3Settings,
    publicEndpoint?: string,
  ) {
    super();
    this.client = s3Client(settings);
    // The API's own client signs too, unless clients reach the bucket elsewhere.
    this.signer = publicEndpoint ? s3Client(settings, publicEndpoint) : this.client;
    const endpoint = publicEndpoint ?? settings.endpoint;
    // AWS itself (no endpoint): the SDK picks the regional host, virtual-hosted or path-style.
    this.origins = endpoint
      ? [new URL(endpoint).origin]
      : [
          `https://${settings.bucket}.s3.${settings.region}.amazonaws.com`,
          `https://s3.${settings.region}.amazonaws.com`,
          `https://${settings.bucket}.s3.amazonaws.com`,
        ];
  }

  async begin(key: string, contentType: string): Promise<string> {
    assertStorageKey(key);
    const created = await callS3(() =>
      this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.settings.bucket,
          Key: this.fullKey(key),
          ContentType: contentType,
        }),
      ),
    );
    if (!created.UploadId) throw new Error('S3 began a multipart upload without an upload id');
    return created.UploadId;
  }

  signParts(
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; bytes: number }[],
    expiresInSeconds: number,
  ): Promise<SignedPart[]> {
    assertStorageKey(key);
    return Promise.all(
      parts.map(async ({ partNumber, bytes }) => ({
        partNumber,
        bytes,
        url: await getSignedUrl(
          this.signer,
          new UploadPartCommand({
            Bucket: this.settings.bucket,
            Key: this.fullKey(key),
            UploadId: uploadId,
            PartNumber: partNumber,
            ContentLength: bytes,
          }),
          // Signed: a part of any other length does not match the signature.
          { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-length']) },
        ),
      })),
    );
  }

  async complete(key: string, uploadId: string, parts: readonly SentPart[]): Promise<void> {
    assertStorageKey(key);
    try {
      await callS3(() =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.settings.bucket,
            Key: this.fullKey(key),
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [...parts]
                .sort((a, b) => a.partNumber - b.partNumber)
                .map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
            },
          }),
        ),
      );
    } catch (error) {
      if (isS3ServiceError(error) && PART_REFUSALS.has(error.name))
        throw new PartsRejectedError(error.message || error.name);
      throw error;
    }
  }

  async abort(key: string, uploadId: string): Promise<void> {
    assertStorageKey(key);
    try {
      await callS3(() =>
        this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: this.fullKey(key), UploadId: uploadId }),
        ),
      );
    } catch (error) {
      if (!(isNotFound(error) || (isS3ServiceError(error) && error.name === 'NoSuchUpload'))) throw error;
    }
  }

  override close(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }

  private fullKey(key: string): string {
    return this.settings.keyPrefix + key;
  }
}
