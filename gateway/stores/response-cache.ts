/**
 * Where the response cache keeps whole answers: in memory (one replica) or Redis (shared by
 * replicas, on the gateway's one client).
 */
import type { Redis } from 'ioredis';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

/**
 * Where cached answers live: in memory (one replica) or Redis (shared by replicas).
 * A generation number per tag makes invalidation one increment: keys carry it.
 */
export interface ResponseCacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Current generation of a tag (0 when never bumped). */
  generation(tag: string): Promise<number>;
  /** Invalidates every entry stored under the tag's current generation. */
  bump(tag: string): Promise<void>;
  close?(): Promise<void>;
}

/** Heap one cached answer takes: its key, its text, its expiry and the cache's own share. */
export function responseEntryBytes(key: string, value: string): number {
  return ENTRY_BYTES + stringBytes(key) + stringBytes(value) + 32;
}

/** Answers in process memory, least recently used first out once over `maxBytes` (see responseEntryBytes); reported in /metrics as `response`. */
export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly entries: BoundedCache<string, { value: string; expires: number }>;
  private readonly generations = new Map<string, number>();
  constructor(maxBytes: number, private readonly now: () => number = Date.now) {
    this.entries = new BoundedCache('response', { maxBytes }, (key, entry) => responseEntryBytes(key, entry.value));
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expires: this.now() + ttlSeconds * 1000 });
  }

  async generation(tag: string): Promise<number> {
    return this.generations.get(tag) ?? 0;
  }

  async bump(tag: string): Promise<void> {
    this.generations.set(tag, (this.generations.get(tag) ?? 0) + 1);
  }

  async close(): Promise<void> {
    this.entries.close();
  }
}

/** Answers in Redis, shared by every replica; an invalidation on one replica holds for all. The client is the gateway's shared one (closing the store leaves it open). */
export class RedisResponseCacheStore implements ResponseCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'plaza:response-cache',
  ) {}
  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}:${key}`)) ?? undefined;
  }
  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}:${key}`, value, 'EX', ttlSeconds);
  }
  async generation(tag: string): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}:generation:${tag}`)) ?? 0);
  }
  async bump(tag: string): Promise<void> {
    await this.redis.incr(`${this.prefix}:generation:${tag}`);
  }
}

/** The store a configuration asks for: Redis when the gateway has a client, memory otherwise. */
export function responseCacheStore(redis: Redis | null, maxBytes: number): ResponseCacheStore {
  return redis ? new RedisResponseCacheStore(redis) : new MemoryResponseCacheStore(maxBytes);
}
