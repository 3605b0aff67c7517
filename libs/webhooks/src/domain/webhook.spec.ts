import { isDelivered, retryDelaySeconds, WebhookEndpoint, type WebhookEndpointProps } from './webhook.js';

const OWNER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const endpoint = (props: Partial<WebhookEndpointProps> = {}) =>
  new WebhookEndpoint({
    id: '33333333-3333-4333-8333-333333333333',
    ownerId: OWNER,
    url: 'https://example.com/hook',
    events: ['tileset.ready'],
    description: null,
    allUsers: false,
    enabled: true,
    secret: 'whsec_x',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...props,
  });

describe('WebhookEndpoint.wants', () => {
  it("takes its owner's subscribed events while enabled", () => {
    expect(endpoint().wants({ type: 'tileset.ready', ownerId: OWNER })).toBe(true);
    expect(endpoint().wants({ type: 'tileset.failed', ownerId: OWNER })).toBe(false);
    expect(endpoint().wants({ type: 'tileset.ready', ownerId: OTHER })).toBe(false);
    expect(endpoint().wants({ type: 'tileset.ready', ownerId: null })).toBe(false);
    expect(endpoint({ enabled: false }).wants({ type: 'tileset.ready', ownerId: OWNER })).toBe(false);
  });

  it("takes everyone's when it is for all users", () => {
    expect(endpoint({ allUsers: true }).wants({ type: 'tileset.ready', ownerId: OTHER })).toBe(true);
  });
});

describe('retries', () => {
  it('doubles from the first delay and stops growing at an hour', () => {
    expect([1, 2, 3, 4, 10, 20].map((n) => retryDelaySeconds(n, 10))).toEqual([10, 20, 40, 80, 3600, 3600]);
    expect(retryDelaySeconds(5, 0)).toBe(0);
  });

  it('counts only 2xx as delivered', () => {
    const at = (statusCode: number | null) => isDelivered({ statusCode, error: null, durationMs: 1 });
    expect([200, 204, 299].map(at)).toEqual([true, true, true]);
    expect([null, 199, 301, 410, 500].map(at)).toEqual([false, false, false, false, false]);
  });
});
