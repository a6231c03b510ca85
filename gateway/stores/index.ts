import type { Redis } from 'ioredis';
import { FolderManifestStore, MemoryDocumentStore, MemoryUsageCounter } from './memory.ts';
import { connectRedis, RedisDocumentStore, RedisManifestStore, RedisUsageCounter } from './redis.ts';
import type { DocumentStore, ManifestStore, UsageCounter } from './types.ts';
import { MemoryUsageHistory, RedisUsageHistory, type UsageHistory } from './usage-history.ts';

export interface PersistedQueryStores {
  documents: DocumentStore;
  manifests: ManifestStore | null;
  usage: UsageCounter;
  /** Uses per day and first/last seen of clients, app versions, operations and fields. */
  history: UsageHistory;
  close(): Promise<void>;
}

/**
 * The stores of persisted queries: all in Redis when `redisUrl` is set (shared by every
 * replica), otherwise APQ texts and counts in memory and manifests in a watched folder.
 */
export function openPersistedQueryStores(settings: {
  redisUrl?: string | null;
  apqMaxBytes: number;
  apqTtlSeconds: number;
  manifestDir: string | null;
}): PersistedQueryStores {
  if (settings.redisUrl) {
    const redis: Redis = connectRedis(settings.redisUrl);
    return {
      documents: new RedisDocumentStore(redis, settings.apqTtlSeconds),
      manifests: new RedisManifestStore(redis),
      usage: new RedisUsageCounter(redis, undefined, (error) => console.error('persisted-query use count failed:', error)),
      history: new RedisUsageHistory(redis, undefined, (error) => console.error('usage history failed:', error)),
      async close() {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  return {
    documents: new MemoryDocumentStore(settings.apqMaxBytes),
    manifests: settings.manifestDir ? new FolderManifestStore(settings.manifestDir) : null,
    usage: new MemoryUsageCounter(),
    history: new MemoryUsageHistory(),
    async close() {},
  };
}
