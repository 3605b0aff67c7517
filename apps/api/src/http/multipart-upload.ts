import type { Request } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { MissingFileError, UploadAbortedError } from '#panoramas';
import type { ProblemCode } from './problem/error-status.js';
import { HttpProblem } from './problem/http-problem.js';

export const MULTIPART_LIMITS = { fields: 16, fieldSizeBytes: 64 * 1024 } as const;

/** The problems reading a one-file multipart upload can answer (for its route's ApiProblems). */
export const MULTIPART_UPLOAD_PROBLEMS = [
  'MALFORMED_MULTIPART',
  'DUPLICATE_FIELD',
  'FIELD_TOO_LARGE',
  'TOO_MANY_PARTS',
  'UNEXPECTED_FILE',
  'MISSING_FILE',
  'EMPTY_UPLOAD',
  'UPLOAD_ABORTED',
  'UPLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly ProblemCode[];

/** The file part of a multipart request, handed over as soon as it starts. */
export interface MultipartFile<F> {
  filename: string | undefined;
  content: Readable;
  /** Upper bound from Content-Length, if the client sent one. */
  declaredBytes?: number;
  /** The text fields, parsed, once the whole body has been read. */
  fields(): Promise<F>;
}

/**
 * Reads a `multipart/form-data` upload with exactly one part named `file` and up to ten
 * text fields, before or after it (an empty text field counts as absent). As soon as the file part starts it is handed to
 * `start` as a stream (nothing is buffered here); the text fields reach it through
 * `source.fields()` once the whole body has been read and `parseFields` accepted them.
 *
 * Anything wrong with the request (not multipart, malformed, a second file, too many or too
 * large fields, the client going away) fails the upload with a problem; if the file is
 * already streaming, its stream is destroyed with that error so the use case cleans up.
 */
export function readMultipartUpload<F, T>(
  req: Request,
  parseFields: (raw: Record<string, string>) => Promise<F>,
  start: (source: MultipartFile<F>) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Browsers and fetch send UTF-8 filenames; busboy's default would read them as latin1.
        defParamCharset: 'utf8',
        limits: {
          files: 1,
          fields: MULTIPART_LIMITS.fields,
          parts: MULTIPART_LIMITS.fields + 1,
          fieldSize: MULTIPART_LIMITS.fieldSizeBytes,
          fieldNameSize: 100,
        },
      });
    } catch {
      reject(
        new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the upload as multipart/form-data with a "file" part.'),
      );
      return;
    }

    // A Map, so that a field named __proto__ is just an (unknown, hence rejected) field.
    const raw = new Map<string, string>();
    let file: (NodeJS.ReadableStream & { destroy(error?: Error): void; readableEnded: boolean }) | undefined;
    let failure: Error | undefined;
    let resolveFields!: (fields: F) => void;
    let rejectFields!: (error: Error) => void;
    const fields = new Promise<F>((ok, ko) => ((resolveFields = ok), (rejectFields = ko)));
    fields.catch(() => undefined); // observed through source.fields(); avoid an unhandled rejection

    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      rejectFields(error);
      req.unpipe(parser);
      req.resume(); // drain whatever the client still sends until we answer and close
      if (!file) reject(error);
      else if (!file.readableEnded) file.destroy(error);
    };

    parser.on('file', (name, stream, info) => {
      // Errors are observed by the consumer (the staging pipeline) or by fail(); a late one,
      // after the consumer let go, must not become an unhandled 'error' event.
      stream.on('error', () => undefined);
      // Busboy still parses what it was given before fail() unpiped it: a part that starts
      // after the request was refused (and answered) must not start an upload that would
      // wait forever for the rest of its bytes, holding a temp file.
      if (failure) {
        stream.resume();
        return;
      }
      if (name !== 'file' || file) {
        stream.resume();
        fail(
          new HttpProblem(
            400,
            'UNEXPECTED_FILE',
            `Only one file, in the part named "file", is accepted (got "${name.slice(0, 100)}").`,
          ),
        );
        return;
      }
      file = stream;
      const declared = Number(req.headers['content-length']);
      start({
        filename: info.filename,
        content: stream,
        declaredBytes: Number.isFinite(declared) && declared > 0 ? declared : undefined,
        fields: () => fields,
      }).then(resolve, (error: unknown) =>
        reject(failure ?? (error instanceof Error ? error : new Error(String(error)))),
      );
    });
    parser.on('field', (name, value, info) => {
      if (failure) return;
      const problem = acceptField(raw, name, value, info);
      if (problem) fail(problem);
    });
    const tooMany = () =>
      fail(
        new HttpProblem(
          400,
          'TOO_MANY_PARTS',
          `At most one file and ${MULTIPART_LIMITS.fields} text fields are accepted.`,
        ),
      );
    parser.on('filesLimit', tooMany);
    parser.on('fieldsLimit', tooMany);
    parser.on('partsLimit', tooMany);
    parser.on('error', () => fail(new HttpProblem(400, 'MALFORMED_MULTIPART', 'The multipart body is malformed.')));
    parser.on('close', () => {
      if (failure) return;
      if (!file) return fail(new MissingFileError());
      parseFields(Object.fromEntries(raw)).then(resolveFields, fail);
    });
    req.on('close', () => {
      if (!req.complete) fail(new UploadAbortedError());
    });
    req.pipe(parser);
  });
}

/**
 * Records one text field of a multipart body in `raw`, or answers why it is refused: cut
 * off by the size limit, or given twice. An empty field is an absent one: forms (Swagger
 * UI's too) send every input, filled or not.
 */
export function acceptField(
  raw: Map<string, string>,
  name: string,
  value: string,
  info: { nameTruncated: boolean; valueTruncated: boolean },
): HttpProblem | null {
  if (info.nameTruncated || info.valueTruncated)
    return new HttpProblem(
      400,
      'FIELD_TOO_LARGE',
      `Text field "${name.slice(0, 100)}" is larger than ${MULTIPART_LIMITS.fieldSizeBytes} bytes.`,
    );
  if (raw.has(name)) return new HttpProblem(400, 'DUPLICATE_FIELD', `Field "${name.slice(0, 100)}" is given twice.`);
  if (value !== '') raw.set(name, value);
  return null;
}
