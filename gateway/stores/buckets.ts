/**
 * Rate-limit buckets with rate-limiter-flexible: in this process's memory (one replica's
 * view, bounded) or in Redis (shared by every replica, on the gateway's one client).
 *
 * A bucket of `burst` requests refilled at `perSecond` is modelled as rate-limiter-flexible's
 * BurstyRateLimiter: a steady limiter of `perSecond` requests per window (one request per
 * `1 / perSecond` seconds when slower than one a second), and a burst limiter holding the
 * rest of the burst, refilled whole every `burst / perSecond` seconds. A refused request
 * may retry once the steady window ends. Windows are fixed, not a continuous refill: a
 * caller that keeps both windows spent gets `perSecond` plus the burst window's refill,
 * less than twice `perSecond`.
 */
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ENTRY_BYTES, reportCache, stringBytes, type CacheFigures } from '../../platform/caches.ts';
import type { BucketSettings } from '../config.ts';

/** The answer of a bucket to one request. */
export interface BucketDecision {
  allowed: boolean;
  /** Whole requests left after this one. */
  remaining: number;
  /** When refused: how long until a request is let through again, in ms. */
  retryAfterMs: number;
}

/** Where buckets live: in this process, or in Redis shared by every replica. */
export interface BucketStore {
  take(key: string, bucket: BucketSettings): Promise<BucketDecision>;
  close(): Promise<void>;
}

/** Points and window (whole seconds, as RateLimiterRedis counts them) of the steady and the burst limiter of a bucket. */
export function bucketWindows(bucket: BucketSettings): { steady: { points: number; duration: number }; burst: { points: number; duration: number } | null } {
  const duration = Math.max(1, Math.ceil(1 / bucket.perSecond));
  const points = Math.min(bucket.burst, Math.max(1, Math.round(bucket.perSecond * duration)));
  const extra = bucket.burst - points;
  return {
    steady: { points, duration },
    burst: extra > 0 ? { points: extra, duration: Math.max(duration, Math.ceil(bucket.burst / bucket.perSecond)) } : null,
  };
}

/** The limiters of one bucket setting. */
interface Limiters {
  /** Steady then burst. */
  take: BurstyRateLimiter | RateLimiterAbstract;
  steady: RateLimiterAbstract;
  burst: RateLimiterAbstract | null;
  steadyPoints: number;
  burstPoints: number;
}

function limitersOf(bucket: BucketSettings, make: (name: string, points: number, duration: number) => RateLimiterAbstract): Limiters {
  const windows = bucketWindows(bucket);
  const id = `${bucket.burst}/${bucket.perSecond}`;
  const steady = make(id, windows.steady.points, windows.steady.duration);
  const burst = windows.burst ? make(`${id}:burst`, windows.burst.points, windows.burst.duration) : null;
  return { take: burst ? new BurstyRateLimiter(steady, burst) : steady, steady, burst, steadyPoints: windows.steady.points, burstPoints: windows.burst?.points ?? 0 };
}

/** Consumes one request; a refusal is an answer, any other rejection (the store failing) is thrown. */
async function takeFrom(limiters: Limiters, key: string): Promise<BucketDecision> {
  try {
    // what the burst limiter held before this request (read beside the consume: RateLimit-Remaining counts both limiters)
    const [res, burstBefore] = await Promise.all([limiters.take.consume(key), limiters.burst ? limiters.burst.get(key) : null]);
    const burstUsed = burstBefore?.consumedPoints ?? 0;
    const throughSteady = res.consumedPoints <= limiters.steadyPoints;
    const remaining = throughSteady ? res.remainingPoints + Math.max(0, limiters.burstPoints - burstUsed) : Math.max(0, limiters.burstPoints - burstUsed - 1);
    return { allowed: true, remaining, retryAfterMs: 0 };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { allowed: false, remaining: 0, retryAfterMs: Math.max(0, rejection.msBeforeNext) };
    throw rejection;
  }
}

/** Heap of one remembered key: its place in the index, and a record with its timer in each of the two limiters. */
function keyBytes(key: string): number {
  return 3 * (ENTRY_BYTES + stringBytes(key)) + 2 * 96;
}

/**
 * Buckets in this process's memory (one replica's view; RateLimiterMemory): at most
 * `maxKeys` keys, the least recently used forgotten first (a forgotten key starts again
 * with a full bucket); reported in /metrics as `rate_limit`.
 */
export class MemoryBucketStore implements BucketStore, CacheFigures {
  readonly name = 'rate_limit';
  readonly maxBytes = null;
  private readonly limiters = new Map<string, Limiters>();
  /** The keys remembered, under their setting: evicting one deletes its records from the limiters. */
  private readonly keys: LRUCache<string, Limiters>;
  private readonly unreport: () => void;

  constructor(readonly maxEntries = 100_000) {
    this.keys = new LRUCache<string, Limiters>({
      max: maxEntries,
      // sizes are counted for /metrics only
      maxSize: Number.MAX_SAFE_INTEGER,
      sizeCalculation: (_, indexKey) => keyBytes(indexKey),
      dispose: (limiters, indexKey, reason) => {
        if (reason === 'set') return;
        const key = indexKey.slice(indexKey.indexOf('\t') + 1);
        void limiters.steady.delete(key);
        void limiters.burst?.delete(key);
      },
    });
    this.unreport = reportCache(this);
  }

  entries(): number {
    return this.keys.size;
  }

  bytes(): number {
    return this.keys.calculatedSize;
  }

  async take(key: string, bucket: BucketSettings): Promise<BucketDecision> {
    const id = `${bucket.burst}/${bucket.perSecond}`;
    let limiters = this.limiters.get(id);
    if (!limiters) this.limiters.set(id, (limiters = limitersOf(bucket, (keyPrefix, points, duration) => new RateLimiterMemory({ keyPrefix, points, duration }))));
    const indexKey = `${id}\t${key}`;
    if (!this.keys.get(indexKey)) this.keys.set(indexKey, limiters);
    return takeFrom(limiters, key);
  }

  async close(): Promise<void> {
    this.keys.clear();
    this.unreport();
  }
}

/**
 * Buckets in Redis (RateLimiterRedis), shared by every gateway replica. When Redis fails or
 * does not answer within `timeoutMs` (RLWrapperTimeouts), requests are let through.
 * The client is the gateway's shared one: closing the store leaves it open.
 */
export class RedisBucketStore implements BucketStore {
  private readonly limiters = new Map<string, Limiters>();
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'plaza:rate:',
    private readonly onError: (error: unknown) => void = () => {},
    private readonly timeoutMs = 500,
  ) {}

  async take(key: string, bucket: BucketSettings): Promise<BucketDecision> {
    const id = `${bucket.burst}/${bucket.perSecond}`;
    let limiters = this.limiters.get(id);
    if (!limiters) {
      limiters = limitersOf(
        bucket,
        (name, points, duration) =>
          new RLWrapperTimeouts({
            limiter: new RateLimiterRedis({ storeClient: this.redis, keyPrefix: this.prefix + name, points, duration }),
            timeoutMs: this.timeoutMs,
          }),
      );
      this.limiters.set(id, limiters);
    }
    try {
      return await takeFrom(limiters, key);
    } catch (error) {
      // A rate limiter that is down must not take the API down with it.
      this.onError(error);
      return { allowed: true, remaining: 0, retryAfterMs: 0 };
    }
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }
}
