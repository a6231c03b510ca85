import { Redis } from 'ioredis';
import { manifestKey, OTHER_USES, USAGE_ROW_BUDGET, usageKey, usageRow, type DocumentStore, type ManifestStore, type StoredManifest, type UsageCounter, type UsageRow, type UseOutcome } from './types.ts';

/** Redis key names, all under one prefix. */
export const REDIS_KEYS = {
  apq: (prefix: string, id: string) => `${prefix}apq:${id}`,
  manifests: (prefix: string) => `${prefix}pq:manifests`,
  manifestChannel: (prefix: string) => `${prefix}pq:manifests:changed`,
  usage: (prefix: string) => `${prefix}pq:uses`,
} as const;

export const DEFAULT_REDIS_PREFIX = 'plaza:';

/** A Redis connection that fails requests fast instead of queueing them while Redis is away. */
export function connectRedis(url: string, onError: (error: Error) => void = (error) => console.error(`redis ${url}: ${error.message}`)): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
  // the stores answer for their own failed commands; a connection that drops is said once until it is back
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    onError(error);
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

/** Query texts in Redis, shared by every gateway replica, each expiring `ttlSeconds` after its last registration. */
export class RedisDocumentStore implements DocumentStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = DEFAULT_REDIS_PREFIX,
  ) {}

  async get(id: string): Promise<string | undefined> {
    return (await this.redis.get(REDIS_KEYS.apq(this.prefix, id))) ?? undefined;
  }

  async set(id: string, document: string): Promise<void> {
    await this.redis.set(REDIS_KEYS.apq(this.prefix, id), document, 'EX', this.ttlSeconds);
  }
}

/** Manifests in one Redis hash (`<client>@<appVersion>` → JSON); changes announced on a channel. */
export class RedisManifestStore implements ManifestStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_REDIS_PREFIX,
  ) {}

  async list(): Promise<StoredManifest[]> {
    const all = await this.redis.hgetall(REDIS_KEYS.manifests(this.prefix));
    return Object.entries(all)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, json]) => {
        const at = key.lastIndexOf('@');
        return { client: key.slice(0, at), appVersion: key.slice(at + 1), json };
      });
  }

  async publish(manifest: StoredManifest): Promise<void> {
    const key = manifestKey(manifest.client, manifest.appVersion);
    await this.redis.hset(REDIS_KEYS.manifests(this.prefix), key, manifest.json);
    await this.redis.publish(REDIS_KEYS.manifestChannel(this.prefix), key);
  }

  async retire(client: string, appVersion: string): Promise<boolean> {
    const key = manifestKey(client, appVersion);
    const removed = await this.redis.hdel(REDIS_KEYS.manifests(this.prefix), key);
    await this.redis.publish(REDIS_KEYS.manifestChannel(this.prefix), key);
    return removed > 0;
  }

  async watch(onChange: () => void): Promise<() => Promise<void>> {
    // A subscribed connection can do nothing else: it gets one of its own.
    const subscriber = this.redis.duplicate();
    await subscriber.subscribe(REDIS_KEYS.manifestChannel(this.prefix));
    subscriber.on('message', () => onChange());
    return async () => {
      subscriber.disconnect();
    };
  }
}

/** Adds one use to its row, or, once the hash holds its budget of rows, a new row's use to the `(other)` row of its outcome. */
const COUNT_USE_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[3]) then
  return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
end
return redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
`;

/** Uses counted in one Redis hash, summed over every replica; at most `maxRows` distinct rows, as in memory (see MemoryUsageCounter). */
export class RedisUsageCounter implements UsageCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_REDIS_PREFIX,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly maxRows: number = USAGE_ROW_BUDGET.redis,
  ) {
    this.redis.defineCommand('plazaCountUse', { numberOfKeys: 1, lua: COUNT_USE_LUA });
  }

  add(client: string, appVersion: string, operationId: string, outcome: UseOutcome): void {
    const count = (this.redis as unknown as { plazaCountUse(key: string, row: string, other: string, maxRows: number): Promise<number> }).plazaCountUse;
    const row = usageKey(client, appVersion, operationId, outcome);
    const other = usageKey(OTHER_USES, OTHER_USES, OTHER_USES, outcome);
    // Counting never slows down or fails a request.
    count.call(this.redis, REDIS_KEYS.usage(this.prefix), row, other, this.maxRows).catch(this.onError);
  }

  async report(): Promise<UsageRow[]> {
    const all = await this.redis.hgetall(REDIS_KEYS.usage(this.prefix));
    return Object.entries(all).map(([key, count]) => usageRow(key, Number(count)));
  }
}
