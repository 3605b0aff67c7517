import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What `standardwebhooks` said of the signature, with the endpoint's secret. */
  verified: boolean;
}

/** What the receiver does with the n-th request (0-based): answer a status, or never answer. */
export type Behaviour = (n: number) => number | 'hang';

/**
 * A webhook receiver on loopback, as an integrator writes one: it checks every signature
 * with the npm verifier (`standardwebhooks`) and records what came. Tests wait for events
 * with `waitFor`, never for time.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  secret = '';
  behaviour: Behaviour = () => 200;
  private requests = 0;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: boolean;
      try {
        new Webhook(this.secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      this.received.push({ id: String(req.headers['webhook-id']), ...parsed, headers: req.headers, body, verified });
      const answer = this.behaviour(this.requests++);
      if (answer === 'hang') this.hanging.add(res);
      else res.writeHead(answer).end();
      this.wake();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves once `check` holds for what was received. */
  waitFor(check: (received: Received[]) => boolean): Promise<void> {
    if (check(this.received)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check: () => check(this.received), resolve }));
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private wake() {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.check()) return true;
      waiter.resolve();
      return false;
    });
  }
}
