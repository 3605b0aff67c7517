import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '#config';
import { addressAllowed, HttpWebhookSender, parseAllowedCidrs } from './http-webhook-sender.js';

/** The sender against real HTTP servers on loopback: signing, the address guard, its bounds. */
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const event = {
  id: '0b7e6f3e-8d2b-4f55-9c61-2d0c8e1f4a10',
  type: 'tileset.ready' as const,
  ownerId: null,
  subjectId: '0b7e6f3e-8d2b-4f55-9c61-2d0c8e1f4a11',
  data: { tileSetId: 'x' },
  createdAt: new Date('2026-12-06T00:00:00Z'),
};

let server: http.Server;
let port: number;
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
const requests: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => (requests.length = 0));

const sender = (env: Record<string, string> = {}) =>
  new HttpWebhookSender(loadConfig({ JWT_SECRET: 'k'.repeat(40), WEBHOOK_TIMEOUT_SECONDS: '1', ...env }));
const loopbackAllowed = () => sender({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8' });

describe('HttpWebhookSender', () => {
  it('POSTs the event signed the Standard Webhooks way', async () => {
    handler = (_, res) => res.writeHead(204).end();
    const result = await loopbackAllowed().send({ url: `http://127.0.0.1:${port}/hook`, secret: SECRET }, event);
    expect(result).toMatchObject({ statusCode: 204, error: null });
    const [{ headers, body }] = requests;
    expect(JSON.parse(body)).toEqual({
      type: 'tileset.ready',
      timestamp: '2026-12-06T00:00:00.000Z',
      data: { tileSetId: 'x' },
    });
    expect(headers['webhook-id']).toBe(event.id);
    expect(new Webhook(SECRET).verify(body, headers as Record<string, string>)).toBeDefined();
  });

  it('refuses a loopback receiver without the allow-list, by literal and by name, before connecting', async () => {
    handler = (_, res) => res.writeHead(200).end();
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const result = await sender().send({ url, secret: SECRET }, event);
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/is not public/);
    }
    expect(requests).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    handler = () => undefined; // never answers
    const result = await loopbackAllowed().send({ url: `http://127.0.0.1:${port}/`, secret: SECRET }, event);
    expect(result).toMatchObject({ statusCode: null, error: 'no answer within 1 s' });
  });

  it('reads at most MAX_RESPONSE_BYTES of an endless answer, and does not follow redirects', async () => {
    handler = (_, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
    };
    // A long deadline: without the cap this would read until it, far past the test's timeout.
    const patient = sender({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8', WEBHOOK_TIMEOUT_SECONDS: '60' });
    const endless = await patient.send({ url: `http://127.0.0.1:${port}/`, secret: SECRET }, event);
    expect(endless.statusCode).toBe(200);

    handler = (_, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    const redirected = await loopbackAllowed().send({ url: `http://127.0.0.1:${port}/`, secret: SECRET }, event);
    expect(redirected).toMatchObject({ statusCode: 302, error: 'answered 302' });
    expect(requests).toHaveLength(2);
  });
});

describe('addressAllowed', () => {
  it.each([
    ['93.184.216.34', true],
    ['2606:2800:220:1:248:1893:25c8:1946', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::ffff:127.0.0.1', false],
    ['fc00::1', false],
    ['fe80::1', false],
    ['224.0.0.1', false],
    ['not an address', false],
  ])('%s: %p', (address, allowed) => expect(addressAllowed(address, [])).toBe(allowed));

  it('lets the allow-list name private ranges, IPv4-mapped addresses included', () => {
    const allowed = parseAllowedCidrs(['10.0.0.0/8', '::1/128']);
    expect(addressAllowed('10.9.9.9', allowed)).toBe(true);
    expect(addressAllowed('::ffff:10.9.9.9', allowed)).toBe(true);
    expect(addressAllowed('::1', allowed)).toBe(true);
    expect(addressAllowed('192.168.0.1', allowed)).toBe(false);
    expect(() => parseAllowedCidrs(['10.0.0.0'])).toThrow(/WEBHOOK_ALLOWED_CIDRS/);
  });
});
