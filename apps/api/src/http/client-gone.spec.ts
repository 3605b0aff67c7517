import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { whenClientGone } from './client-gone.js';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** A server that never answers by itself, and the response of the one request it gets, with its client. */
async function heldRequest() {
  const responses: ServerResponse[] = [];
  server = createServer((_req, res) => responses.push(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.write('GET /held HTTP/1.1\r\nHost: t\r\n\r\n');
  await once(server, 'request');
  return { client, res: responses[0] };
}

describe('whenClientGone', () => {
  it('aborts when the client leaves before the answer is complete', async () => {
    const { client, res } = await heldRequest();
    const signal = whenClientGone(res);
    expect(signal.aborted).toBe(false);
    client.destroy();
    await once(signal, 'abort');
    expect(signal.aborted).toBe(true);
  });

  it('is aborted already when the client left before it was asked for', async () => {
    const { client, res } = await heldRequest();
    client.destroy();
    await once(res, 'close');
    expect(whenClientGone(res).aborted).toBe(true);
  });

  it('never aborts for an answer that was complete', async () => {
    const { client, res } = await heldRequest();
    const socket = res.socket!;
    const signal = whenClientGone(res);
    res.end('done');
    await once(res, 'finish');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    client.end();
    await closed;
    expect(signal.aborted).toBe(false);
    expect(whenClientGone(res).aborted).toBe(false);
  });
});
