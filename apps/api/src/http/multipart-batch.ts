import { PassThrough, type Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { UploadAbortedError } from '#panoramas';
import { acceptField, MULTIPART_LIMITS } from './multipart-upload.js';
import { HttpProblem } from './problem/http-problem.js';

/** One file part of a batch, handed to the handler in turn. */
export interface BatchFilePart {
  filename: string | undefined;
  content: Readable;
}

/** What happened to one file part (or, filename null, to the rest of the request). */
export type BatchOutcome<R> = { filename: string | null; result: R } | { filename: string | null; error: unknown };

/**
 * Reads a `multipart/form-data` batch: up to ten text fields first, then up to `maxFiles`
 * file parts named `files`, each streamed to `handle` one after another as the body
 * arrives (nothing is buffered here: the next part waits in the socket until the previous
 * one has been read). The fields are parsed once, when the first file starts.
 *
 * Before the first file, anything wrong (not multipart, malformed, invalid fields) rejects
 * the whole request. After it, every file part gets its own outcome, in order: the
 * handler's result or error, or a problem for a part with another name or past `maxFiles`
 * (its bytes are read and dropped). A failure of the request itself after that (malformed
 * body, a text field after a file, the client going away) ends the batch: the parts
 * already handled keep their outcomes, and one last outcome with filename null says why.
 */
export function readMultipartBatch<F, R>(
  req: Request,
  options: { maxFiles: number; parseFields: (raw: Record<string, string>) => Promise<F> },
  handle: (part: BatchFilePart, fields: F) => Promise<R>,
): Promise<BatchOutcome<R>[]> {
  return new Promise<BatchOutcome<R>[]>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          fields: MULTIPART_LIMITS.fields,
          // Each extra part costs a problem item; beyond this many, the request is refused.
          parts: MULTIPART_LIMITS.fields + 2 * options.maxFiles,
          fieldSize: MULTIPART_LIMITS.fieldSizeBytes,
          fieldNameSize: 100,
        },
      });
    } catch {
      reject(
        new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the batch as multipart/form-data with "files" parts.'),
      );
      return;
    }

    const raw = new Map<string, string>();
    const outcomes: BatchOutcome<R>[] = [];
    let fields: Promise<F> | undefined;
    let files = 0;
    let failure: Error | undefined;
    // Parts are handled strictly in order.
    let queue: Promise<void> = Promise.resolve();

    // The file part whose bytes are arriving (a later part means it is complete).
    let arriving: PassThrough | undefined;

    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      req.unpipe(parser);
      req.resume(); // drain whatever the client still sends until we answer and close
      // A part cut off by the failure ends as an aborted upload; those complete are still handled.
      arriving?.destroy(new UploadAbortedError());
      arriving = undefined;
      // The parts already queued finish first; then the request's own outcome.
      void queue.then(() => {
        if (outcomes.length === 0) reject(error);
        else resolve([...outcomes, { filename: null, error }]);
      });
    };

    parser.on('file', (name, stream, info) => {
      arriving = undefined;
      stream.on('error', () => undefined);
      if (failure) {
        stream.resume();
        return;
      }
      const filename = info.filename ?? null;
      const refuse = (problem: HttpProblem) => {
        stream.resume();
        queue = queue.then(() => void outcomes.push({ filename, error: problem }));
      };
      if (name !== 'files') {
        refuse(
          new HttpProblem(400, 'UNEXPECTED_FILE', `Files go in parts named "files" (got "${name.slice(0, 100)}").`),
        );
        return;
      }
      if (++files > options.maxFiles) {
        refuse(new HttpProblem(400, 'TOO_MANY_FILES', `At most ${options.maxFiles} files per batch.`));
        return;
      }
      if (!fields) {
        fields = options.parseFields(Object.fromEntries(raw));
        fields.catch((error: unknown) => fail(error as Error)); // invalid fields: the request's own failure
      }
      // The handler may stop reading (destroy) its content: the part is then drained here,
      // never left half-read, which would stall the parser for every part after it.
      const content = new PassThrough();
      stream.pipe(content);
      content.on('close', () => {
        if (!stream.readableEnded) {
          stream.unpipe(content);
          stream.resume();
        }
      });
      content.on('error', () => undefined); // observed by the handler, if it still reads
      arriving = content;
      const parsed = fields;
      queue = queue.then(async () => {
        let ready: F;
        try {
          ready = await parsed;
        } catch {
          content.destroy();
          return; // reported as the request's failure
        }
        try {
          outcomes.push({ filename, result: await handle({ filename: info.filename, content }, ready) });
        } catch (error) {
          outcomes.push({ filename, error });
        } finally {
          content.destroy();
        }
      });
    });
    parser.on('field', (name, value, info) => {
      arriving = undefined;
      if (failure) return;
      if (files > 0)
        fail(
          new HttpProblem(
            400,
            'FIELD_AFTER_FILES',
            `Text fields go before the files (got "${name.slice(0, 100)}" after one).`,
          ),
        );
      else {
        const problem = acceptField(raw, name, value, info);
        if (problem) fail(problem);
      }
    });
    const tooMany = () =>
      fail(
        new HttpProblem(
          400,
          'TOO_MANY_PARTS',
          `At most ${options.maxFiles} files and ${MULTIPART_LIMITS.fields} text fields are accepted.`,
        ),
      );
    parser.on('fieldsLimit', tooMany);
    parser.on('partsLimit', tooMany);
    parser.on('error', () => fail(new HttpProblem(400, 'MALFORMED_MULTIPART', 'The multipart body is malformed.')));
    parser.on('close', () => {
      if (failure) return;
      void queue.then(() => {
        if (failure) return; // its own answer
        if (files === 0 && outcomes.length === 0)
          reject(new HttpProblem(400, 'MISSING_FILE', 'The multipart body has no "files" part.'));
        else resolve(outcomes);
      });
    });
    req.on('close', () => {
      if (!req.complete) fail(new UploadAbortedError());
    });
    req.pipe(parser);
  });
}
