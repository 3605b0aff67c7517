import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '#config';
import type { AttemptResult, WebhookEvent } from '../domain/webhook.js';
import { WebhookUrlForbiddenError } from '../domain/webhooks.errors.js';
import { WebhookSender } from '../application/ports/webhook-sender.port.js';

/** Bytes of a receiver's answer read at most (the rest is not waited for). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'Tessera-Webhooks/1';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Whether an address may be delivered to: a public unicast address, or one inside an
 * allowed range (WEBHOOK_ALLOWED_CIDRS). Loopback, private, link-local, unique-local,
 * carrier-grade NAT, multicast, unspecified and reserved addresses are not public.
 */
export function addressAllowed(address: string, allowed: readonly Cidr[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address); // an IPv4-mapped IPv6 address is judged as IPv4
  if (allowed.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits))) return true;
  return ip.range() === 'unicast';
}

export function parseAllowedCidrs(cidrs: readonly string[]): Cidr[] {
  return cidrs.map((cidr) => {
    try {
      const [range, bits] = ipaddr.parseCIDR(cidr);
      return [
        range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()
          ? (range as ipaddr.IPv6).toIPv4Address()
          : range,
        bits,
      ] as Cidr;
    } catch {
      throw new Error(`WEBHOOK_ALLOWED_CIDRS: "${cidr}" is not a CIDR range`);
    }
  });
}

/**
 * Deliveries over Node's http(s), signed with the `standardwebhooks` package. The receiver's
 * address is resolved here and checked before connecting, and the connection goes to that
 * checked address (a name that resolves to a public address for the check and a private one
 * for the connection cannot slip through). No redirects; one deadline for the whole attempt;
 * at most MAX_RESPONSE_BYTES read back.
 */
@Injectable()
export class HttpWebhookSender extends WebhookSender {
  private readonly allowed: Cidr[];
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    super();
    this.allowed = parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS);
    this.timeoutMs = config.WEBHOOK_TIMEOUT_SECONDS * 1000;
  }

  checkUrl(raw: string): void {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlForbiddenError('it is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new WebhookUrlForbiddenError('only http and https');
    if (url.username || url.password) throw new WebhookUrlForbiddenError('credentials in the URL are not sent');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, this.allowed)) {
      throw new WebhookUrlForbiddenError(`address ${host} is not public`);
    }
  }

  async send(target: { url: string; secret: string }, event: WebhookEvent): Promise<AttemptResult> {
    const started = performance.now();
    const body = JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.data });
    const sentAt = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(target.secret).sign(event.id, sentAt, body),
    };
    try {
      this.checkUrl(target.url);
      const statusCode = await this.post(new URL(target.url), headers, body);
      return {
        statusCode,
        error: statusCode >= 200 && statusCode < 300 ? null : `answered ${statusCode}`,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      return { statusCode: null, error: describe(error, this.timeoutMs), durationMs: performance.now() - started };
    }
  }

  private post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    const lookup: LookupFunction = (hostname, options, callback) =>
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = addresses.find((a) => !addressAllowed(a.address, this.allowed));
        if (refused) return callback(new WebhookUrlForbiddenError(`address ${refused.address} is not public`), '', 0);
        // The address checked is the address used.
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const request = client.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          signal: AbortSignal.timeout(this.timeoutMs),
          agent: false,
        },
        (response) => {
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            // Enough: the status is what counts, and a receiver cannot make us read forever.
            if (read > MAX_RESPONSE_BYTES) response.destroy();
          });
          response.on('error', () => resolve(response.statusCode ?? 0));
          response.on('close', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** An attempt's failure in one line. */
function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof WebhookUrlForbiddenError) return error.message;
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  if (name === 'AbortError' || name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return (code ? `${code}: ` : '') + (message ?? String(error)).slice(0, 200);
}
