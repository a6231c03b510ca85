import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { PersistedQueriesConfig } from '../gateway/config.ts';
import { manifestFromDocuments, sha256 } from '../gateway/manifests.ts';
import { hashApiKey } from '../gateway/plugins/clients.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { connectRedis, DEFAULT_REDIS_PREFIX, REDIS_KEYS, RedisManifestStore, RedisUsageCounter } from '../gateway/stores/redis.ts';
import { usageKey } from '../gateway/stores/types.ts';
import { byHash, eventually, postJson, startPlaza, type Plaza } from './support/plaza.ts';
import { REDIS, serviceAvailable } from './support/services.ts';

const run = randomBytes(4).toString('hex');
const partnerName = `redis-partner-${run}`;
const partnerKey = `pk_test_${run}_0123456789abcdefghij`;

describe('two gateway replicas share persisted queries through Redis', async () => {
  const redisUp = await serviceAvailable('Redis');
  let plaza: Plaza | undefined;
  let second: RunningGateway | undefined;
  const redis = redisUp ? connectRedis(REDIS.url) : undefined;

  afterAll(async () => {
    if (redis) {
      await new RedisManifestStore(redis).retire(partnerName, '1.0.0');
      const ours = (await new RedisUsageCounter(redis).report()).filter((r) => r.client === partnerName);
      for (const r of ours) await redis.hdel(REDIS_KEYS.usage(DEFAULT_REDIS_PREFIX), usageKey(r.client, r.appVersion, r.operationId, r.outcome));
    }
    // stops the second replica too
    await plaza?.stop();
    await redis?.quit();
  });

  async function replicas(): Promise<[string, string]> {
    const persistedQueries: Partial<PersistedQueriesConfig> = {
      partners: [{ name: partnerName, keySha256: hashApiKey(partnerKey), mode: 'require-id', revoked: false }],
    };
    plaza ??= await startPlaza({ redisUrl: REDIS.url, persistedQueries });
    second ??= await plaza.replica();
    return [plaza.gateway.url, second.url];
  }

  it.runIf(redisUp)('a query registered through one replica is served by hash by the other', async () => {
    const [a, b] = await replicas();
    const query = `query SharedApq { merchant(id: "m1") { name } } # ${run}`;
    const hash = sha256(query);
    expect((await postJson(b, byHash(hash))).body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await postJson(a, byHash(hash, { query }));
    expect(registered.body.errors).toBeUndefined();
    const hit = await postJson(b, byHash(hash));
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual(registered.body);
  });

  it.runIf(redisUp)('a manifest published to Redis reaches both running replicas, and both count into one tally', async () => {
    const [a, b] = await replicas();
    const manifest = manifestFromDocuments([{ path: 'p.graphql', text: 'query RedisPartnerMerchant($id: ID!) { merchant(id: $id) { name } }' }], partnerName, '1.0.0');
    const id = manifest.operations[0].id;
    const headers = { 'x-api-key': partnerKey, 'apollographql-client-version': '1.0.0' };
    expect((await postJson(a, byHash(id, { variables: { id: 'm1' } }), headers)).body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    await new RedisManifestStore(redis!).publish({ client: partnerName, appVersion: '1.0.0', json: JSON.stringify(manifest) });
    for (const url of [a, b]) {
      const res = await eventually(() => postJson(url, byHash(id, { variables: { id: 'm1' } }), headers), (r) => r.status === 200);
      expect(res.status).toBe(200);
      expect(res.body.data.merchant.name).toEqual(expect.any(String));
    }
    // Counting is fire-and-forget: the tally is read until both counts have reached Redis.
    const rows = async () => (await new RedisUsageCounter(redis!).report()).filter((r) => r.client === partnerName);
    await expect.poll(rows, { timeout: 10_000 }).toEqual([{ client: partnerName, appVersion: '1.0.0', operationId: id, outcome: 'registered', count: 2 }]);
  });
});
