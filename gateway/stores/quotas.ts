/**
 * Quota counters: amounts added up over a fixed window (a UTC day, a UTC month) that ends
 * at a known time. In memory (one replica, bounded) or in Redis (every replica's sum).
 *
 * These stay plain counters rather than rate-limiter-flexible limiters: its windows start
 * at a key's first request and last a whole number of seconds, while a quota's window is a
 * calendar day or month ending at UTC midnight whatever the first request; a limiter holds
 * one limit, while a counter here is compared with the tier's limit of the moment (a tier
 * changed in PLAZA_PARTNER_TIERS applies at once to what was counted); and the operators'
 * route reads every counter without counting anything.
 */
import type { Redis } from 'ioredis';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

export interface QuotaStore {
  /** Adds `amount` to the counter `key` (which ends at `endsAt`, ms) and returns its total; `amount` 0 only reads it. */
  add(key: string, amount: number, endsAt: number): Promise<number>;
  close(): Promise<void>;
}

/** Counters in this process: at most `maxKeys`, least recently used forgotten first; `quota` in /metrics. */
export class MemoryQuotaStore implements QuotaStore {
  private readonly counters: BoundedCache<string, { total: number; endsAt: number }>;
  constructor(
    maxKeys = 20_000,
    private readonly now: () => number = Date.now,
  ) {
    this.counters = new BoundedCache('quota', { maxEntries: maxKeys }, (key) => ENTRY_BYTES + stringBytes(key) + 32);
  }

  async add(key: string, amount: number, endsAt: number): Promise<number> {
    let counter = this.counters.get(key);
    if (!counter || counter.endsAt <= this.now()) counter = { total: 0, endsAt };
    counter.total += amount;
    this.counters.set(key, counter);
    return counter.total;
  }

  async close(): Promise<void> {
    this.counters.close();
  }
}

/** Adds to a counter and lets it expire when its window ends: KEYS[1], ARGV amount and end (ms since the epoch). */
const ADD_LUA = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return total
`;

/** Counters in Redis, summed over every replica; the client is the gateway's shared one (closing the store leaves it open). */
export class RedisQuotaStore implements QuotaStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'plaza:quota:',
  ) {
    this.redis.defineCommand('plazaAddQuota', { numberOfKeys: 1, lua: ADD_LUA });
  }

  async add(key: string, amount: number, endsAt: number): Promise<number> {
    const add = (this.redis as unknown as { plazaAddQuota(key: string, amount: number, endsAt: number): Promise<number> }).plazaAddQuota;
    return add.call(this.redis, this.prefix + key, amount, endsAt);
  }

  async close(): Promise<void> {}
}
