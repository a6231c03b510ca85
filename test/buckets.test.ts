import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketWindows, MemoryBucketStore, RedisBucketStore } from '../gateway/stores/buckets.ts';
import { gatewayStores, SharedRedis } from '../gateway/stores/index.ts';
import { connectRedis } from '../gateway/stores/redis.ts';
import { REDIS, serviceAvailable } from './support/services.ts';

const redisUp = await serviceAvailable('Redis');

describe('rate-limit buckets (rate-limiter-flexible)', () => {
  it('a bucket is a steady window of its rate and a burst window holding the rest of the burst', () => {
    expect(bucketWindows({ burst: 600, perSecond: 300 })).toEqual({ steady: { points: 300, duration: 1 }, burst: { points: 300, duration: 2 } });
    expect(bucketWindows({ burst: 3, perSecond: 0.25 })).toEqual({ steady: { points: 1, duration: 4 }, burst: { points: 2, duration: 12 } });
    expect(bucketWindows({ burst: 100, perSecond: 100 })).toEqual({ steady: { points: 100, duration: 1 }, burst: null });
  });

  it('in memory: the burst, then a refusal whose wait ends with the steady window; remaining counts both windows', async () => {
    const store = new MemoryBucketStore(10);
    const bucket = { burst: 3, perSecond: 0.25 };
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await store.take('ip:a', bucket));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3].retryAfterMs).toBeGreaterThan(0);
    expect(decisions[3].retryAfterMs).toBeLessThanOrEqual(4000);
    // another key has its own bucket
    expect((await store.take('ip:b', bucket)).allowed).toBe(true);
    await store.close();
  });

  it.runIf(redisUp)('in Redis: one bucket for every store on it, and closing a store leaves the shared client open', async () => {
    const redis = connectRedis(REDIS.url);
    const prefix = `plaza-test-${randomBytes(4).toString('hex')}:rate:`;
    const a = new RedisBucketStore(redis, prefix);
    const b = new RedisBucketStore(redis, prefix);
    const bucket = { burst: 4, perSecond: 0.1 };
    const allowed = [];
    for (const store of [a, b, a, b, a]) allowed.push((await store.take('client:shared', bucket)).allowed);
    expect(allowed).toEqual([true, true, true, true, false]);
    await a.close();
    expect(await redis.ping()).toBe('PONG');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('in Redis that does not answer: requests are let through and the failure reported', async () => {
    const redis = connectRedis('redis://127.0.0.1:1');
    redis.on('error', () => {});
    const errors: unknown[] = [];
    const store = new RedisBucketStore(redis, 'plaza:rate:', (error) => errors.push(error), 200);
    const started = Date.now();
    expect(await store.take('ip:a', { burst: 1, perSecond: 1 })).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errors.length).toBe(1);
    redis.disconnect();
  });
});

describe('one Redis client for every store', () => {
  it.runIf(redisUp)('is closed once, when the last store built on it closes', async () => {
    const shared = new SharedRedis(REDIS.url);
    let client: import('ioredis').Redis | undefined;
    const first = shared.hold((redis) => ((client = redis), new RedisBucketStore(redis)));
    const second = shared.hold((redis) => {
      expect(redis).toBe(client);
      return new RedisBucketStore(redis);
    });
    await first.close();
    await first.close();
    expect(await client!.ping()).toBe('PONG');
    await second.close();
    // quit: the socket closes once Redis has answered it
    await expect.poll(() => client!.status).toBe('end');
  });

  it('every plugin built from one configuration gets its stores from the same place', () => {
    const config = { redisUrl: null };
    expect(gatewayStores(config)).toBe(gatewayStores(config));
    expect(gatewayStores({ redisUrl: null })).not.toBe(gatewayStores(config));
    const buckets = gatewayStores(config).buckets();
    expect(buckets).toBeInstanceOf(MemoryBucketStore);
    return buckets.close();
  });
});
