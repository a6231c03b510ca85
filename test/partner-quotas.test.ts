import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig, type PartnerKey } from '../gateway/config.ts';
import { hashApiKey } from '../gateway/plugins/clients.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { connectRedis } from '../gateway/stores/redis.ts';
import { USAGE_SUBJECTS } from '../gateway/stores/usage-history.ts';
import { postJson, startPlaza, type Plaza } from './support/plaza.ts';
import { REDIS } from './support/services.ts';

const run = randomBytes(4).toString('hex');
const trial = { name: `quota-trial-${run}`, key: `pk_test_trial_${run}_0123456789abcdefghij` };
const bursty = { name: `quota-burst-${run}`, key: `pk_test_burst_${run}_0123456789abcdefghij` };
const QUERY = { query: '{ merchant(id: "m1") { name } }' };

const partners: PartnerKey[] = [
  { name: trial.name, keySha256: hashApiKey(trial.key), mode: 'allow', revoked: false, tier: 'trial' },
  { name: bursty.name, keySha256: hashApiKey(bursty.key), mode: 'allow', revoked: false, tier: 'bursty' },
];
const partnerTiers = {
  trial: { rate: 100, burst: 100, dailyRequests: 3, monthlyRequests: 1000, dailyCost: null, monthlyCost: null },
  bursty: { rate: 0.01, burst: 2, dailyRequests: null, monthlyRequests: null, dailyCost: null, monthlyCost: null },
};

const redis = connectRedis(REDIS.url);
let plaza: Plaza;
let a: string;
let b: string;
let second: RunningGateway;

beforeAll(async () => {
  plaza = await startPlaza({ redisUrl: REDIS.url, persistedQueries: { partners }, security: { partnerTiers } });
  second = await plaza.replica();
  a = plaza.gateway.url;
  b = second.url;
});

afterAll(async () => {
  await plaza?.stop();
  // this run's keys in the shared Redis
  for (const p of [trial.name, bursty.name]) {
    const keys = [...(await redis.keys(`plaza:quota:${p}:*`)), ...(await redis.keys(`plaza:rate:*${p}*`))];
    if (keys.length) await redis.del(...keys);
    for (const subject of USAGE_SUBJECTS) {
      for (const hash of await redis.keys(`plaza:usage:${subject}:*`)) {
        const ours = (await redis.hkeys(hash)).filter((k) => k.startsWith(p));
        if (ours.length) await redis.hdel(hash, ...ours);
      }
    }
  }
  redis.disconnect();
});

describe('partner quotas across two replicas on one Redis', () => {
  it('a tier daily request quota holds across replicas: answers carry RateLimit headers, the next one is 429 QUOTA_EXCEEDED with Retry-After', async () => {
    const headers = { 'x-api-key': trial.key };
    const remaining: string[] = [];
    for (const url of [a, b, a]) {
      const res = await postJson(url, QUERY, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await postJson(b, QUERY, headers);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(refused.body.errors?.[0].message).toMatch(/spent its daily request quota of 3 \(tier trial\)/);
    const untilMidnight = Math.ceil((Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) / 1000);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(untilMidnight - 60);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(untilMidnight + 1);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-policy')).toMatch(/^100;w=1, 3;w=86400, 1000;w=\d+$/);
    expect(refused.body.data).toBeUndefined();
  });

  it('the operator sees a partner\u2019s remaining quota', async () => {
    const res = await fetch(a.replace('/graphql', '/partners/quotas'));
    const body = (await res.json()) as { partners: { name: string; tier: string; quotas: { window: string; kind: string; limit: number; remaining: number }[] }[] };
    const ours = body.partners.find((p) => p.name === trial.name);
    expect(ours?.tier).toBe('trial');
    expect(ours?.quotas.find((q) => q.window === 'daily' && q.kind === 'requests')).toMatchObject({ limit: 3, remaining: 0 });
    expect(ours?.quotas.find((q) => q.window === 'monthly' && q.kind === 'requests')).toMatchObject({ limit: 1000, remaining: 996 });
  });

  it('a tier burst is one bucket across replicas: past it, 429 RATE_LIMITED with Retry-After', async () => {
    const headers = { 'x-api-key': bursty.key };
    expect((await postJson(a, QUERY, headers)).status).toBe(200);
    expect((await postJson(b, QUERY, headers)).status).toBe(200);
    const refused = await postJson(a, QUERY, headers);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // a first-party app is not held to a partner tier
    expect((await postJson(a, QUERY, { 'apollographql-client-name': 'homepage' })).headers.get('ratelimit-limit')).toBeNull();
  });

  it('a partner naming a tier that is not configured stops start-up with a message naming it', () => {
    const env = { PLAZA_PARTNER_TIERS: JSON.stringify({ trial: partnerTiers.trial }), PLAZA_PARTNER_KEYS: JSON.stringify([{ name: 'acme', keySha256: 'c'.repeat(64), tier: 'gold' }]) };
    expect(() => readGatewayConfig([], env)).toThrow(/partner "acme" tier.*one of the tiers in PLAZA_PARTNER_TIERS \(trial\)/);
    expect(() => readGatewayConfig([], { PLAZA_PARTNER_TIERS: '{"free":{"rate":5}}' })).toThrow(/PLAZA_PARTNER_TIERS tier "free" burst/);
  });
});
