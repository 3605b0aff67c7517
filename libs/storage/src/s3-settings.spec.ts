import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { isS3Outage, isS3ServiceError, s3ErrorStatus } from './s3-settings.js';

/** isS3Outage reads the SDK's errors by their shape (this module must not load the SDK): the SDK's own classes here. */
const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

describe('an S3 failure', () => {
  it("is the server's (an outage) when S3 answers 5xx", () => {
    expect(isS3Outage(serviceError('InternalError', 500))).toBe(true);
    expect(isS3Outage(serviceError('SlowDown', 503))).toBe(true);
    expect(s3ErrorStatus(serviceError('SlowDown', 503))).toBe(503);
  });

  it("is the request's when S3 answers 4xx, whatever its message says", () => {
    const missing = new NoSuchKey({ message: 'socket hang up', $metadata: { httpStatusCode: 404 } });
    expect(isS3ServiceError(missing)).toBe(true);
    expect(s3ErrorStatus(missing)).toBe(404);
    expect(isS3Outage(missing)).toBe(false);
    expect(isS3Outage(serviceError('AccessDenied', 403))).toBe(false);
  });

  it('is an outage when the server cannot be reached', () => {
    expect(isS3Outage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isS3Outage(Object.assign(new Error('request timed out'), { name: 'TimeoutError' }))).toBe(true);
  });

  it('is no outage for anything else, an object with a status alone included', () => {
    expect(isS3Outage(new Error('bad input'))).toBe(false);
    expect(isS3ServiceError(new Error('bad input'))).toBe(false);
    expect(isS3ServiceError({ name: 'NoSuchKey', $fault: 'client', $metadata: {} })).toBe(false);
    expect(s3ErrorStatus({ $metadata: { httpStatusCode: 503 } })).toBeUndefined();
    expect(isS3Outage({ $metadata: { httpStatusCode: 503 } })).toBe(false);
    expect(isS3Outage(null)).toBe(false);
    expect(isS3Outage('ECONNRESET')).toBe(false);
  });
});
