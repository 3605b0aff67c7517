import net from 'node:net';
import { type ApiHarness, expectProblem, startApi } from './support/api-harness.js';

/**
 * What Node answers itself, before a request exists (headers too large, not HTTP, headers
 * too slow), is problem+json like every other error; timeouts come from configuration and
 * are enforced promptly.
 */
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ HTTP_HEADERS_TIMEOUT_SECONDS: '2', HTTP_IDLE_TIMEOUT_SECONDS: '5' });
});
afterAll(() => api?.close());

/** Writes raw bytes (optionally in pieces, `pauseMs` apart) and collects everything the server sends. */
function rawExchange(pieces: (string | Buffer)[], pauseMs = 0): Promise<{ text: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text }));
    const queue = [...pieces];
    const next = () => {
      const piece = queue.shift();
      if (piece !== undefined && !socket.destroyed) socket.write(piece, () => setTimeout(next, pauseMs));
    };
    next();
  });
}

function parse(text: string) {
  const [head, body = ''] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = new Headers(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

it('answers headers that are too large with 431 problem+json', async () => {
  const { text } = await rawExchange([`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
  expectProblem(parse(text), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
});

it('answers bytes that are not HTTP with 400 problem+json', async () => {
  const { text } = await rawExchange(['GARBAGE\r\n\r\n']);
  expectProblem(parse(text), 400, 'BAD_REQUEST');
});

it('answers headers that trickle in too slowly with 408 problem+json, within seconds', async () => {
  const pieces = ['GET /health/live HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: y\r\n`)];
  // 2 s allowed, checked every 0.5 s; unchecked, the client would finish after 8 s and get a 200.
  const { text } = await rawExchange(pieces, 200);
  expectProblem(parse(text), 408, 'REQUEST_TIMEOUT');
});

it('serves ordinary requests meanwhile', async () => {
  expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200);
});
