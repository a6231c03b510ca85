import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheTotals } from '../platform/caches.ts';
import { connectRedis } from '../gateway/stores/redis.ts';
import { parse } from 'graphql';
import { graphql } from '../gateway/engine/graphql.ts';
import { isOperation, MemoryUsageHistory, RedisUsageHistory, retirementVerdict, usesOf, type Use, type UsageHistory } from '../gateway/stores/usage-history.ts';
import { useUsageHistory } from '../gateway/plugins/usage-history.ts';
import { REDIS } from './support/services.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-12-03T12:00:00Z');

/** Forty days of one app: its old version used until 35 days ago, the new one since. */
function recordForty(history: UsageHistory): void {
  for (let ago = 39; ago >= 0; ago--) {
    const version = ago >= 35 ? '1.0.0' : '1.1.0';
    const fields = ago >= 35 ? ['Merchant.name', 'Merchant.popularity'] : ['Merchant.name'];
    history.record(usesOf('acme-travel', version, 'a'.repeat(64), 'PartnerMerchant', fields), NOW - ago * DAY);
  }
}

const redis = connectRedis(REDIS.url);
const prefix = `plaza-test-${randomBytes(4).toString('hex')}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.each([
  ['in memory', (_test: string) => new MemoryUsageHistory()],
  ['in Redis', (test: string) => new RedisUsageHistory(redis, `${prefix}${test}:`)],
] as const)('usage over time, %s', (_, make) => {
  it('a field unused for the window is safe to retire; one used yesterday is not', async () => {
    const history = make('fields');
    recordForty(history);
    await redis.ping(); // recorded uses are sent before this answer comes back
    const fields = await history.read('field', 30, NOW);
    const popularity = retirementVerdict(fields, (t) => t.key === 'Merchant.popularity');
    expect(popularity).toMatchObject({ safe: true, uses: 0 });
    expect(popularity.trails[0]).toMatchObject({ firstSeen: new Date(NOW - 39 * DAY).toISOString(), lastSeen: new Date(NOW - 35 * DAY).toISOString(), days: {} });
    const name = retirementVerdict(fields, (t) => t.key === 'Merchant.name');
    expect(name).toMatchObject({ safe: false, uses: 30 });
    expect(name.trails[0].days['2026-12-03']).toBe(1);
    expect(Object.keys(name.trails[0].days)).toHaveLength(30);
  });

  it('answers for an app version and an operation, by name or id', async () => {
    const history = make('apps');
    recordForty(history);
    await redis.ping();
    const apps = await history.read('app', 30, NOW);
    expect(retirementVerdict(apps, (t) => t.key === 'acme-travel@1.0.0').safe).toBe(true);
    expect(retirementVerdict(apps, (t) => t.key === 'acme-travel@1.1.0')).toMatchObject({ safe: false, uses: 30 });
    const operations = await history.read('operation', 7, NOW);
    expect(retirementVerdict(operations, (t) => isOperation(t, 'PartnerMerchant')).uses).toBe(7);
    expect(retirementVerdict(operations, (t) => isOperation(t, 'a'.repeat(64), 'acme-travel')).uses).toBe(7);
    expect(retirementVerdict(operations, (t) => isOperation(t, 'PartnerMerchant', 'other-partner')).trails).toEqual([]);
  });
});

describe('usage over time, bounded', () => {
  it('in memory holds at most its budget of trails, keeps counting those it holds, and shows its size in metrics', async () => {
    const history = new MemoryUsageHistory(10);
    for (let i = 0; i < 50; i++) history.record([{ subject: 'field', key: `Type.field${i}` }], NOW);
    history.record([{ subject: 'field', key: 'Type.field0' }], NOW);
    expect(history.entries()).toBe(10);
    expect(history.dropped).toBe(40);
    const first = (await history.read('field', 1, NOW)).find((t) => t.key === 'Type.field0');
    expect(first?.days['2026-12-03']).toBe(2);
    expect(cacheTotals().find((c) => c.cache === 'usage_history')).toMatchObject({ entries: expect.any(Number) });
    await history.close();
  });

  it('in Redis holds at most its budget of trails per subject', async () => {
    const history = new RedisUsageHistory(redis, `${prefix}bounded:`, undefined, 5);
    for (let i = 0; i < 20; i++) history.record([{ subject: 'field', key: `Type.field${i}` }], NOW);
    await redis.ping();
    expect(await history.read('field', 1, NOW)).toHaveLength(5);
  });
});

describe('usage over time, as the gateway records it', () => {
  it('records after the request, the operations of one turn of the event loop in one call, each use once per request', async () => {
    const calls: Use[][] = [];
    const history: UsageHistory = { record: (uses) => void calls.push(uses), read: async () => [] };
    const plugin = useUsageHistory({ history });
    // the gateway's schema, built as Apollo Server's graphql-js builds it
    const schema = graphql.buildSchema('type Query { merchant: Merchant } type Merchant { name: String popularity: Int }');
    const document = parse('query M { merchant { name } }');
    const execute = async (client: string) => {
      const listener = await plugin.apollo!.requestDidStart!({} as never);
      await listener!.executionDidStart!({ contextValue: { client: { name: client, version: '1.0.0' } }, document, schema, queryHash: 'h', operationName: 'M' } as never);
    };
    await Promise.all([execute('acme-travel'), execute('acme-travel'), execute('homepage')]);
    // nothing on the requests' own path
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    const counted = (subject: string, key: string) => calls[0].filter((u) => u.subject === subject && u.key === key).length;
    expect(counted('client', 'acme-travel')).toBe(2);
    expect(counted('client', 'homepage')).toBe(1);
    expect(counted('field', 'Merchant.name')).toBe(3);
    expect(counted('field', 'Merchant.popularity')).toBe(0);
    // what is waiting when the gateway stops is recorded, not lost
    await execute('homepage');
    await plugin.stop!();
    expect(calls).toHaveLength(2);
  });
});
