import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJson } from './support/plaza.ts';
import { startSmallGateway, type SmallGateway } from './support/small-gateway.ts';
import { REDIS, serviceAvailable } from './support/services.ts';

let plaza: SmallGateway;
beforeAll(async () => {
  plaza = await startSmallGateway();
});
afterEach(() => {
  vi.useRealTimers();
});
// stops the replicas too
afterAll(() => plaza?.stop());

const QUERY = { query: '{ merchant(id: "m1") { name } }' };

describe('rate limits answer 429 with Retry-After', () => {
  it('an address that spends its bucket gets 429 RATE_LIMITED with Retry-After, then the gateway answers again after refill', async () => {
    // the buckets read the time from Date (rate-limiter-flexible's memory store): a fake Date, still running, is moved past Retry-After
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const gateway = await plaza.replica({ security: { rateLimit: true, rateLimitIp: { burst: 3, perSecond: 0.25 } } });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await postJson(gateway.url, QUERY);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(4);
    vi.setSystemTime(Date.now() + retryAfter * 1000);
    expect((await postJson(gateway.url, QUERY)).status).toBe(200);
  });

  it('a client app that spends its bucket gets 429 RATE_LIMITED while other clients still answer', async () => {
    const gateway = await plaza.replica({
      security: { rateLimit: true, rateLimitIp: { burst: 1000, perSecond: 1000 }, rateLimitClient: { burst: 2, perSecond: 0.1 } },
    });
    const busy = { 'apollographql-client-name': 'busy-app' };
    expect((await postJson(gateway.url, QUERY, busy)).status).toBe(200);
    expect((await postJson(gateway.url, QUERY, busy)).status).toBe(200);
    const refused = await postJson(gateway.url, QUERY, busy);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await postJson(gateway.url, QUERY, { 'apollographql-client-name': 'calm-app' })).status).toBe(200);
  });
});

describe('two gateway replicas share rate limits through Redis', async () => {
  const redisUp = await serviceAvailable('Redis');

  it.runIf(redisUp)('a client gets its burst once across both replicas, not once per replica', async () => {
    const security = { rateLimit: true, rateLimitIp: { burst: 1000, perSecond: 1000 }, rateLimitClient: { burst: 4, perSecond: 0.1 } };
    const a = await plaza.replica({ redisUrl: REDIS.url, security });
    const b = await plaza.replica({ redisUrl: REDIS.url, security });
    const client = { 'apollographql-client-name': `shared-${randomBytes(4).toString('hex')}` };
    const statuses = [];
    for (const gateway of [a, b, a, b, a, b]) statuses.push((await postJson(gateway.url, QUERY, client)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it.runIf(redisUp)('without Redis each replica keeps its own buckets (the contrast)', async () => {
    const security = { rateLimit: true, rateLimitIp: { burst: 1000, perSecond: 1000 }, rateLimitClient: { burst: 2, perSecond: 0.1 } };
    const a = await plaza.replica({ security });
    const b = await plaza.replica({ security });
    const client = { 'apollographql-client-name': `own-${randomBytes(4).toString('hex')}` };
    const statuses = [];
    for (const gateway of [a, b, a, b, a]) statuses.push((await postJson(gateway.url, QUERY, client)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});
