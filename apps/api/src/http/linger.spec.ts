import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { lingerIfUnread } from './linger.js';

/** A server that refuses every POST before reading its body, as the upload guards do, and answers any GET. */
async function refusingServer(seconds: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      lingerIfUnread(req, res, seconds);
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"status":401}');
    } else {
      res.end('next');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** A client of `port`, and everything it receives, as text. */
function clientOf(port: number): { client: Socket; text: () => string } {
  const client = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { client, text: () => Buffer.concat(chunks).toString('latin1') };
}

const HEAD = (length: number) => `POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${length}\r\n\r\n`;
const CHUNK = Buffer.alloc(64 * 1024, 7);

describe('lingerIfUnread', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('reads and discards all a client sends after the answer, until the client closes', async () => {
    // A bound far beyond what the test needs: it waits for the client, not for the clock.
    const started = await refusingServer(600);
    server = started.server;
    const { client, text } = clientOf(started.port);
    client.write(HEAD(1024 ** 3));
    // 32 MiB, far more than the kernels' buffers hold: all of it leaves only if the server reads it.
    const flushed = new Promise<boolean>((resolve) => {
      for (let i = 1; i < 512; i++) client.write(CHUNK);
      client.write(CHUNK, (error) => resolve(!error));
    });
    expect(await flushed).toBe(true);
    client.end(); // as fetch and browsers do once they have the answer
    await once(client, 'close');
    expect(text()).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('cuts a client that neither finishes its body nor closes, once the bound has passed', async () => {
    const started = await refusingServer(0.2);
    server = started.server;
    const { client, text } = clientOf(started.port);
    client.on('error', () => undefined); // the cut, seen as ECONNRESET
    client.write(HEAD(1024 ** 3));
    client.write(CHUNK);
    await once(client, 'close'); // the client sends nothing more: only the server's cut ends this
    expect(text()).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('keeps a connection whose client sends the rest of the body: its next request is answered', async () => {
    const started = await refusingServer(60);
    server = started.server;
    const { client, text } = clientOf(started.port);
    const body = Buffer.alloc(4 * 1024 * 1024, 7);
    client.write(HEAD(body.length));
    client.write(body);
    client.write('GET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await once(client, 'end');
    expect(text()).toMatch(/^HTTP\/1\.1 401 [\s\S]*HTTP\/1\.1 200 [\s\S]*next$/);
    client.destroy();
  });
});
