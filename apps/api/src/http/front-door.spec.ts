import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { expressFrontDoor, type Middleware } from './http-server.js';

/** A real Express app behind a real HTTP server, with the front door taking paths under /door/. */
async function serve(before: Middleware[]) {
  const app = express();
  app.use((_req, res) => void res.status(200).send('express'));
  const door = expressFrontDoor(
    app,
    (req) => req.path.startsWith('/door/'),
    before,
    (req: Request, res: Response) => void res.status(200).send(`answered ${req.path}`),
    (error: unknown, _req: Request, res: Response) => void res.status(500).send(`failed: ${(error as Error).message}`),
  );
  const server: Server = createServer((req, res) => {
    if (!door(req, res)) void app(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const response = await fetch(base + path);
    return [response.status, await response.text(), response.headers.get('x-seen')];
  };
  return { get, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('expressFrontDoor', () => {
  it('runs the middleware in order, then the answer, and leaves other requests to Express', async () => {
    const seen: Middleware = (req, res, next) => {
      res.setHeader('x-seen', `${req.originalUrl}`);
      next();
    };
    const { get, close } = await serve([seen]);
    try {
      expect(await get('/door/a?x=1')).toEqual([200, 'answered /door/a', '/door/a?x=1']);
      expect(await get('/elsewhere')).toEqual([200, 'express', null]);
    } finally {
      await close();
    }
  });

  it('answers with `fail` when a middleware calls next(error) or throws, and never runs the answer then', async () => {
    const passing: Middleware = (_req, res, next) => {
      res.setHeader('x-seen', 'yes');
      next();
    };
    const refusing: Middleware = (_req, _res, next) => next(new Error('refused'));
    const throwing: Middleware = () => {
      throw new Error('thrown');
    };
    const refused = await serve([passing, refusing, passing]);
    const thrown = await serve([throwing]);
    try {
      expect(await refused.get('/door/a')).toEqual([500, 'failed: refused', 'yes']);
      expect(await thrown.get('/door/a')).toEqual([500, 'failed: thrown', null]);
    } finally {
      await Promise.all([refused.close(), thrown.close()]);
    }
  });
});
