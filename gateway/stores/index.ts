import type { Redis } from 'ioredis';
import { MemoryBucketStore, RedisBucketStore, type BucketStore } from './buckets.ts';
import { FolderManifestStore, MemoryDocumentStore, MemoryUsageCounter } from './memory.ts';
import { MemoryQuotaStore, RedisQuotaStore, type QuotaStore } from './quotas.ts';
import { connectRedis, RedisDocumentStore, RedisManifestStore, RedisUsageCounter } from './redis.ts';
import { responseCacheStore, type ResponseCacheStore } from './response-cache.ts';
import type { DocumentStore, ManifestStore, UsageCounter } from './types.ts';
import { MemoryUsageHistory, RedisUsageHistory, type UsageHistory } from './usage-history.ts';

/**
 * One Redis client for several stores: connected when the first store is built on it, and
 * closed once, when the last of those stores has closed (each store's `close` leaves the
 * client to this).
 */
export class SharedRedis {
  private client: Redis | null = null;
  private holders = 0;

  constructor(readonly url: string) {}

  /** Builds a store on the client; the store's `close` then also lets go of the client. */
  hold<T extends object>(make: (redis: Redis) => T): T {
    const redis = (this.client ??= connectRedis(this.url));
    this.holders++;
    const store = make(redis) as T & { close?(): Promise<void> };
    const closeStore = store.close?.bind(store);
    let held = true;
    store.close = async () => {
      await closeStore?.();
      if (!held) return;
      held = false;
      if (--this.holders > 0 || this.client !== redis) return;
      this.client = null;
      await redis.quit().catch(() => redis.disconnect());
    };
    return store;
  }
}

export interface PersistedQueryStores {
  documents: DocumentStore;
  manifests: ManifestStore | null;
  usage: UsageCounter;
  /** Uses per day and first/last seen of clients, app versions, operations and fields. */
  history: UsageHistory;
  close(): Promise<void>;
}

/** Settings of the persisted query stores. */
export interface PersistedQueryStoreSettings {
  redisUrl?: string | null;
  apqMaxBytes: number;
  apqTtlSeconds: number;
  manifestDir: string | null;
}

/**
 * The stores of persisted queries: all in Redis when `redisUrl` is set (shared by every
 * replica, on one client: `shared`, or one of their own), otherwise APQ texts and counts
 * in memory and manifests in a watched folder.
 */
export function openPersistedQueryStores(
  settings: PersistedQueryStoreSettings,
  shared: SharedRedis | null = settings.redisUrl ? new SharedRedis(settings.redisUrl) : null,
): PersistedQueryStores {
  if (shared) {
    return shared.hold((redis) => ({
      documents: new RedisDocumentStore(redis, settings.apqTtlSeconds),
      manifests: new RedisManifestStore(redis),
      usage: new RedisUsageCounter(redis, undefined, (error) => console.error('persisted-query use count failed:', error)),
      history: new RedisUsageHistory(redis, undefined, (error) => console.error('usage history failed:', error)),
      async close() {},
    }));
  }
  return {
    documents: new MemoryDocumentStore(settings.apqMaxBytes),
    manifests: settings.manifestDir ? new FolderManifestStore(settings.manifestDir) : null,
    usage: new MemoryUsageCounter(),
    history: new MemoryUsageHistory(),
    async close() {},
  };
}

/**
 * Every store of one gateway, each in Redis when the configuration names one (all on one
 * client, made here from `redisUrl` and closed when the last store closes at stop), in
 * memory otherwise.
 */
export interface GatewayStores {
  /** Persisted queries: APQ texts, manifests, use counts, usage history. */
  persisted(settings: Omit<PersistedQueryStoreSettings, 'redisUrl'>): PersistedQueryStores;
  /** Rate-limit buckets (per IP, per client, per partner tier): a store of their own for each caller. */
  buckets(): BucketStore;
  /** Partner quota counters. */
  quotas(): QuotaStore;
  /** Whole answers of the response cache; `maxBytes` bounds the in-memory store. */
  responseCache(maxBytes: number): ResponseCacheStore;
}

const storesOfConfig = new WeakMap<object, GatewayStores>();

/** The stores of a gateway configuration: the same object (and Redis client) for every plugin built from it. */
export function gatewayStores(config: { redisUrl?: string | null }): GatewayStores {
  let stores = storesOfConfig.get(config);
  if (!stores) {
    const shared = config.redisUrl ? new SharedRedis(config.redisUrl) : null;
    stores = {
      persisted: (settings) => openPersistedQueryStores(settings, shared),
      buckets: () => (shared ? shared.hold((redis) => new RedisBucketStore(redis)) : new MemoryBucketStore()),
      quotas: () => (shared ? shared.hold((redis) => new RedisQuotaStore(redis)) : new MemoryQuotaStore()),
      responseCache: (maxBytes) => (shared ? shared.hold((redis) => responseCacheStore(redis, maxBytes)) : responseCacheStore(null, maxBytes)),
    };
    storesOfConfig.set(config, stores);
  }
  return stores;
}
