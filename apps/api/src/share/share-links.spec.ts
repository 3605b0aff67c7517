import { loadConfig } from '#config';
import type { ShareGrant } from '#shared-kernel';
import { HttpProblem } from '../http/problem/http-problem.js';
import { ShareLinks } from './share-links.js';

const JWT_SECRET = 'unit-secret-'.padEnd(48, 'x');
const links = (SHARE_KEYS = '') => new ShareLinks(loadConfig({ NODE_ENV: 'test', JWT_SECRET, SHARE_KEYS }));
const grant: ShareGrant = { share: 'tileset', id: '0e6f2d6c-7a6e-4d8e-9a43-0b4d3c1f2a10', epoch: 3 };
const OLD = `old:${'o'.repeat(40)}`;
const NEW = `new:${'n'.repeat(40)}`;

function refusal(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    if (error instanceof HttpProblem) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'accepted';
}

describe('ShareLinks', () => {
  it('verifies its own token for the granted resource, with its epoch and expiry', () => {
    const signer = links(OLD);
    const { token, expiresAt } = signer.sign(grant, 600, 1_000_000_000_000);
    expect(token).toMatch(/^old\.[0-9a-z]+\.3\.[A-Za-z0-9_-]{22}$/);
    expect(signer.verify(token, 'tileset', grant.id, 1_000_000_000_000)).toEqual({ grant, expiresAt, keyId: 'old' });
  });

  it('keeps old links working after a rotation (new key first), and signs with the new one', () => {
    const before = links(OLD).sign(grant, 600).token;
    const rotated = links(`${NEW},${OLD}`);
    expect(rotated.verify(before, 'tileset', grant.id).grant).toEqual(grant);
    expect(rotated.sign(grant, 600).token.startsWith('new.')).toBe(true);
    // Once the old key is dropped, its links stop.
    expect(refusal(() => links(NEW).verify(before, 'tileset', grant.id))).toBe('403 SHARE_LINK_INVALID');
  });

  it('refuses a token for anything else than what it was signed for', () => {
    const signer = links();
    const { token } = signer.sign(grant, 600);
    const [kid, expiry, epoch, mac] = token.split('.');
    const cases: [string, () => unknown][] = [
      ['another id', () => signer.verify(token, 'tileset', grant.id.replace('0e6f', '0e6e'))],
      ['another kind', () => signer.verify(token, 'rendition', grant.id)],
      [
        'a later expiry',
        () => signer.verify([kid, (parseInt(expiry, 36) + 1).toString(36), epoch, mac].join('.'), 'tileset', grant.id),
      ],
      ['another epoch', () => signer.verify([kid, expiry, '4', mac].join('.'), 'tileset', grant.id)],
      ['a truncated mac', () => signer.verify(token.slice(0, -1), 'tileset', grant.id)],
      // Every spelling of the last character (its two spare bits decode to the same bytes).
      ...[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
        .filter((c) => c !== mac.at(-1))
        .map((c): [string, () => unknown] => [
          `last character ${c}`,
          () => signer.verify([kid, expiry, epoch, mac.slice(0, -1) + c].join('.'), 'tileset', grant.id),
        ]),
      ['a leading zero', () => signer.verify([kid, `0${expiry}`, epoch, mac].join('.'), 'tileset', grant.id)],
      ['an unknown key', () => signer.verify(['k9', expiry, epoch, mac].join('.'), 'tileset', grant.id)],
      ['another secret', () => links(NEW).verify(token, 'tileset', grant.id)],
      ['garbage', () => signer.verify('..\u0000..', 'tileset', grant.id)],
    ];
    for (const [label, verify] of cases) expect([label, refusal(verify)]).toEqual([label, '403 SHARE_LINK_INVALID']);
  });

  it("signs a listed link's id into its token: the same token again from its record, refused once altered", () => {
    const signer = links(OLD);
    const listed: ShareGrant = { ...grant, link: '5b7c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4' };
    const expiresAt = new Date(1_000_000_600_000);
    const token = signer.signUntil(listed, expiresAt, 'old')!;
    expect(token).toMatch(/^old\.[0-9a-z]+\.3\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(signer.signUntil(listed, expiresAt, 'old')).toBe(token);
    expect(signer.signUntil(listed, expiresAt, 'gone')).toBeNull();
    expect(signer.verify(token, 'tileset', grant.id, 1_000_000_000_000)).toEqual({
      grant: listed,
      expiresAt,
      keyId: 'old',
    });
    const [kid, expiry, epoch, link, mac] = token.split('.') as [string, string, string, string, string];
    const other = Buffer.from('6b7c0d1e2f3a4b5c8d6e7f8091a2b3c4', 'hex').toString('base64url');
    const spare = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`; // the same bytes, or another id
    const cases: [string, string][] = [
      ['another link', [kid, expiry, epoch, other, mac].join('.')],
      ['another spelling of the link', [kid, expiry, epoch, spare, mac].join('.')],
      ['the link dropped', [kid, expiry, epoch, mac].join('.')],
      [
        'an unlisted token given a link',
        [...signer.sign(grant, 600).token.split('.').slice(0, 3), link, mac].join('.'),
      ],
    ];
    for (const [label, altered] of cases) {
      expect([label, refusal(() => signer.verify(altered, 'tileset', grant.id, 1_000_000_000_000))]).toEqual([
        label,
        '403 SHARE_LINK_INVALID',
      ]);
    }
  });

  it("signs a shared collection's member with the link and the collection: for that member only, each field bound", () => {
    const signer = links(OLD);
    const member: ShareGrant = {
      ...grant,
      link: '5b7c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4',
      collection: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    };
    const expiresAt = new Date(1_000_000_600_000);
    const now = 1_000_000_000_000;
    const token = signer.signUntil(member, expiresAt, 'old')!;
    expect(token.split('.')).toHaveLength(6);
    expect(signer.verify(token, 'tileset', grant.id, now)).toEqual({ grant: member, expiresAt, keyId: 'old' });
    const [kid, expiry, epoch, link, collection, mac] = token.split('.') as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const other = Buffer.from('6b7c0d1e2f3a4b5c8d6e7f8091a2b3c4', 'hex').toString('base64url');
    const collectionToken = signer.signUntil(
      { share: 'collection', id: member.collection!, epoch: 0, link: member.link },
      expiresAt,
      'old',
    )!;
    const cases: [string, () => unknown][] = [
      [
        'another collection',
        () => signer.verify([kid, expiry, epoch, link, other, mac].join('.'), 'tileset', grant.id, now),
      ],
      [
        'another link',
        () => signer.verify([kid, expiry, epoch, other, collection, mac].join('.'), 'tileset', grant.id, now),
      ],
      [
        'the collection dropped',
        () => signer.verify([kid, expiry, epoch, link, mac].join('.'), 'tileset', grant.id, now),
      ],
      ['another member', () => signer.verify(token, 'tileset', member.collection!, now)],
      ['a rendition of that id', () => signer.verify(token, 'rendition', grant.id, now)],
      ['the collection itself', () => signer.verify(token, 'collection', member.collection!, now)],
      ["the collection's token on the member", () => signer.verify(collectionToken, 'tileset', grant.id, now)],
      [
        "the collection's token given a collection field",
        () =>
          signer.verify(
            [...collectionToken.split('.').slice(0, 4), collection, collectionToken.split('.')[4]].join('.'),
            'collection',
            member.collection!,
            now,
          ),
      ],
    ];
    for (const [label, verify] of cases) expect([label, refusal(verify)]).toEqual([label, '403 SHARE_LINK_INVALID']);
    // A member needs its link (revoking the collection's link must end it).
    expect(() => signer.signUntil({ ...grant, collection: member.collection }, expiresAt, 'old')).toThrow();
  });

  it('remembers a verified token without letting anything else through', () => {
    const signer = links(OLD);
    const now = 1_000_000_000_000;
    const { token } = signer.sign(grant, 600, now);
    expect(signer.verify(token, 'tileset', grant.id, now).grant).toEqual(grant);
    // Once remembered: the same token still expires, and its variants are still refused.
    const [kid, expiry, epoch, mac] = token.split('.') as [string, string, string, string];
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(refusal(() => signer.verify(`${kid}.${expiry}.${epoch}.${flipped}`, 'tileset', grant.id, now))).toBe(
      '403 SHARE_LINK_INVALID',
    );
    expect(refusal(() => signer.verify(token, 'rendition', grant.id, now))).toBe('403 SHARE_LINK_INVALID');
    expect(refusal(() => signer.verify(token, 'tileset', grant.id.replace(/.$/, '1'), now))).toBe(
      '403 SHARE_LINK_INVALID',
    );
    expect(signer.verify(token, 'tileset', grant.id, now + 599_000).grant).toEqual(grant);
    expect(refusal(() => signer.verify(token, 'tileset', grant.id, now + 600_000))).toBe('403 SHARE_LINK_EXPIRED');
  });

  it('refuses an expired token, and caps a long life at SHARE_MAX_TTL_SECONDS', () => {
    const signer = links();
    const { token } = signer.sign(grant, 60, Date.now() - 61_000);
    expect(refusal(() => signer.verify(token, 'tileset', grant.id))).toBe('403 SHARE_LINK_EXPIRED');
    const { expiresAt } = signer.sign(grant, 10 ** 9, 0);
    expect(expiresAt.getTime()).toBe(30 * 86_400_000);
  });

  it('derives its key from JWT_SECRET without SHARE_KEYS: another secret, another key', () => {
    const { token } = links().sign(grant, 600);
    const other = new ShareLinks(loadConfig({ NODE_ENV: 'test', JWT_SECRET: JWT_SECRET.replace('unit', 'test') }));
    expect(refusal(() => other.verify(token, 'tileset', grant.id))).toBe('403 SHARE_LINK_INVALID');
  });

  it('refuses malformed SHARE_KEYS at start-up', () => {
    expect(() => links('short:secret')).toThrow(/SHARE_KEYS/);
    expect(() => links(`${OLD},${OLD}`)).toThrow(/SHARE_KEYS/);
    expect(() => links(`UPPER:${'x'.repeat(40)}`)).toThrow(/SHARE_KEYS/);
  });
});
