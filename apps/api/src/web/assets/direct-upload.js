// Direct uploads (the server's storage is S3): the file's parts go from this page straight to
// the bucket with URLs the API signs; the API then checks and stores the panorama. The same
// few methods and callbacks as tus-js-client's Upload, so the upload card drives either.
// An upload's id and the ETags of the parts already sent are kept in localStorage per file,
// so a closed tab resumes where it stopped (only the missing parts are sent again).
import { Problem, api } from '/app/session.js';

const KEY_PREFIX = 'tessera.direct:';
const PARALLEL_PARTS = 3;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000, 20_000];

const remembered = (key) => {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
};

/** The direct uploads this browser remembers for a user: `{ key, id, filename, bytes }`. */
export function rememberedDirectUploads(userId) {
  const found = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!key?.startsWith(`${KEY_PREFIX}${userId}:`)) continue;
    const entry = remembered(key);
    if (entry?.id) found.push({ key, ...entry });
  }
  return found;
}

export const forgetDirectUpload = (key) => localStorage.removeItem(key);

/** A network failure or an answer worth trying again (rate limit, outage). */
const retryable = (status) => status === 0 || status === 408 || status === 429 || status >= 500;

export class DirectUpload {
  /**
   * `options`: `userId`, `fields` (filename and the upload fields), and the callbacks
   * `onProgress(sent, total)`, `onSuccess({ lastResponse })` (the panorama's id in the
   * Tessera-Panorama-Id header, as tus's last PATCH has it) and `onError(error)`.
   */
  constructor(file, options) {
    this.file = file;
    this.options = options;
    this.key = `${KEY_PREFIX}${options.userId}:${[file.name, file.type, file.size, file.lastModified].join(':')}`;
    this.requests = new Set();
    this.stopped = false;
  }

  /** As tus's: the earlier upload of this very file, if this browser has one. */
  async findPreviousUploads() {
    const entry = remembered(this.key);
    return entry?.id ? [entry] : [];
  }

  resumeFromPreviousUpload(entry) {
    this.entry = entry;
  }

  start() {
    this.stopped = false;
    void this.run().catch((error) => {
      if (this.stopped) return; // paused or cancelled: not a failure
      void this.abort(); // the other parts under way stop too (those sent are remembered)
      this.options.onError(error);
    });
  }

  /** Stops sending (a pause); with `terminate`, the upload and its parts are removed. */
  async abort(terminate = false) {
    this.stopped = true;
    for (const request of this.requests) request.abort();
    this.requests.clear();
    if (terminate) {
      const id = this.entry?.id;
      forgetDirectUpload(this.key);
      this.entry = null;
      if (id) await api(`/v1/direct-uploads/${encodeURIComponent(id)}`, { method: 'DELETE' });
    }
  }

  async run() {
    const upload = await this.open();
    if (upload.state === 'completed') return this.succeeded(upload.panoramaId); // the answer was lost
    const etags = this.entry.etags;
    const pending = upload.parts.filter((part) => !etags[part.partNumber]);
    const progress = new Map(upload.parts.filter((p) => etags[p.partNumber]).map((p) => [p.partNumber, p.bytes]));
    const report = () =>
      this.options.onProgress(
        [...progress.values()].reduce((sum, n) => sum + n, 0),
        this.file.size,
      );
    report();
    const next = async () => {
      for (let part = pending.shift(); part && !this.stopped; part = pending.shift()) {
        etags[part.partNumber] = await this.sendPart(upload, part, (sent) => {
          progress.set(part.partNumber, sent);
          report();
        });
        this.save();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_PARTS }, next));
    if (this.stopped) return;
    const parts = upload.parts.map((p) => ({ partNumber: p.partNumber, etag: etags[p.partNumber] }));
    const response = await this.withRetries(() =>
      api(`/v1/direct-uploads/${encodeURIComponent(upload.id)}/complete`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ parts }),
      }),
    );
    if (!response.ok) {
      const problem = await Problem.of(response);
      // Refused (or gone): nothing to resume. Incomplete: the parts are sent again.
      if (problem.code === 'UPLOAD_INCOMPLETE' && response.status === 400 && this.entry) this.entry.etags = {};
      if (problem.code !== 'UPLOAD_INCOMPLETE') forgetDirectUpload(this.key);
      else this.save();
      throw problem;
    }
    this.succeeded((await response.json()).id);
  }

  /** Done: forgotten here, and the card told the panorama's id (where tus's last PATCH has it). */
  succeeded(panoramaId) {
    forgetDirectUpload(this.key);
    this.options.onSuccess({
      lastResponse: { getHeader: (name) => (name.toLowerCase() === 'tessera-panorama-id' ? panoramaId : null) },
    });
  }

  /** The upload to send to: the remembered one with fresh part URLs, else a new one. */
  async open() {
    if (this.entry?.id) {
      const response = await this.withRetries(() => api(`/v1/direct-uploads/${encodeURIComponent(this.entry.id)}`));
      if (response.ok) {
        const upload = await response.json();
        if (upload.state === 'open' || (upload.state === 'completed' && upload.panoramaId)) return upload;
        // Assembled already (a complete was interrupted): completing again finishes it.
        if (upload.state === 'assembled') return { ...upload, parts: [] };
      }
      forgetDirectUpload(this.key); // expired or removed elsewhere
    }
    const response = await this.withRetries(() =>
      api('/v1/direct-uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...this.options.fields, bytes: this.file.size }),
      }),
    );
    if (!response.ok) throw await Problem.of(response);
    const upload = await response.json();
    this.entry = { id: upload.id, filename: this.file.name, bytes: this.file.size, etags: {} };
    this.save();
    return upload;
  }

  save() {
    if (this.entry) localStorage.setItem(this.key, JSON.stringify(this.entry));
  }

  /** PUTs one part to its presigned URL (XMLHttpRequest: upload progress); answers its ETag. */
  async sendPart(upload, part, onProgress) {
    const start = (part.partNumber - 1) * upload.partBytes;
    const body = this.file.slice(start, start + part.bytes);
    for (let attempt = 0; ; attempt++) {
      const { status, etag } = await new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        const request = { abort: () => xhr.abort() };
        this.requests.add(request);
        xhr.open('PUT', part.url);
        xhr.upload.onprogress = (event) => onProgress(event.loaded);
        xhr.onloadend = () => {
          this.requests.delete(request);
          resolve({ status: xhr.status, etag: xhr.getResponseHeader('ETag') });
        };
        xhr.send(body);
      });
      if (this.stopped) throw new DOMException('Paused', 'AbortError');
      if (status >= 200 && status < 300) {
        if (!etag) throw new Error('The bucket does not show this page the ETag header: its CORS must expose ETag.');
        return etag;
      }
      // 403: the URL may have expired while paused; the next run signs fresh ones.
      if (!retryable(status) || attempt >= RETRY_DELAYS.length - 1) {
        throw new Problem(status, { detail: `The bucket refused a part (${status || 'no answer'}).` });
      }
      onProgress(0);
      await new Promise((done) => setTimeout(done, RETRY_DELAYS[attempt + 1]));
    }
  }

  async withRetries(call) {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await call();
      } catch (error) {
        if (attempt >= RETRY_DELAYS.length - 1) throw error;
      }
      if (this.stopped) throw new DOMException('Paused', 'AbortError');
      if (response && (!retryable(response.status) || attempt >= RETRY_DELAYS.length - 1)) return response;
      await new Promise((done) => setTimeout(done, RETRY_DELAYS[attempt + 1]));
    }
  }
}
