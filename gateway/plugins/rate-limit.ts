import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { ErrorCode } from '../../platform/errors.ts';
import { HttpRefusal } from '../../platform/http.ts';
import type { BucketSettings } from '../config.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

/** The answer of a token bucket to one request. */
export interface BucketDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: how long until a token is back, in ms. */
  retryAfterMs: number;
}

/** Where buckets live: in this process, or in Redis shared by every replica. */
export interface BucketStore {
  take(key: string, bucket: BucketSettings): Promise<BucketDecision>;
  close(): Promise<void>;
}

/**
 * Buckets in this process's memory (one replica's view): at most `maxKeys`, the least
 * recently used forgotten first (a forgotten key starts again with a full bucket);
 * reported in /metrics as `rate_limit`.
 */
export class MemoryBucketStore implements BucketStore {
  private readonly buckets: BoundedCache<string, { tokens: number; at: number }>;
  constructor(
    maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    // a bucket is two numbers in an object besides its key
    this.buckets = new BoundedCache('rate_limit', { maxEntries: maxKeys }, (key) => ENTRY_BYTES + stringBytes(key) + 32);
  }

  async take(key: string, bucket: BucketSettings): Promise<BucketDecision> {
    const now = this.now();
    const perMs = bucket.perSecond / 1000;
    const state = this.buckets.get(key);
    let tokens = state ? Math.min(bucket.burst, state.tokens + (now - state.at) * perMs) : bucket.burst;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    return { allowed, remaining: Math.floor(tokens), retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / perMs) };
  }

  async close(): Promise<void> {
    this.buckets.close();
  }
}

/**
 * Refill and take in one atomic step on the Redis server, with the server's clock, so
 * replicas share one bucket per key. Returns {allowed, remaining, retryAfterMs}.
 */
const TAKE_TOKEN_LUA = `
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / perMs) + 1000)
return {allowed, math.floor(tokens), retry}
`;

/** Buckets in Redis, shared by every gateway replica; when Redis cannot answer in time, requests are let through. */
export class RedisBucketStore implements BucketStore {
  private readonly redis: Redis;
  constructor(
    url: string,
    private readonly prefix = 'plaza:rate:',
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, enableAutoPipelining: true });
    this.redis.on('error', (error) => this.onError(error));
    this.redis.defineCommand('plazaTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
  }

  async take(key: string, bucket: BucketSettings): Promise<BucketDecision> {
    try {
      const take = (this.redis as unknown as { plazaTakeToken(key: string, burst: number, perMs: number): Promise<[number, number, number]> })
        .plazaTakeToken;
      const [allowed, remaining, retryAfterMs] = await take.call(this.redis, this.prefix + key, bucket.burst, bucket.perSecond / 1000);
      return { allowed: allowed === 1, remaining, retryAfterMs };
    } catch (error) {
      // A rate limiter that is down must not take the API down with it.
      this.onError(error);
      return { allowed: true, remaining: 0, retryAfterMs: 0 };
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Options of rate limiting. */
export interface RateLimitOptions {
  /** Bucket per client IP address. Default 600 burst, 300 per second. */
  perIp?: BucketSettings;
  /** Bucket per known client app (`context.client.name`; unknown clients only meet the IP bucket). Default 3000 burst, 1500 per second. */
  perClient?: BucketSettings;
  /** Where buckets live. Default: this process's memory. */
  store?: BucketStore;
  /** Take the client IP from the last `X-Forwarded-For` entry. Default false. */
  trustProxy?: boolean;
}

export const RATE_LIMIT_DEFAULTS = {
  perIp: { burst: 600, perSecond: 300 },
  perClient: { burst: 3000, perSecond: 1500 },
  trustProxy: false,
};

/** The caller's address: the socket's, or the one a trusted proxy appended last. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function retryAfterSeconds(decision: BucketDecision): string {
  return String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
}

/**
 * Token buckets per IP (checked first, before any other work) and per client app;
 * an empty bucket answers HTTP 429 RATE_LIMITED with `Retry-After` in seconds.
 */
export function useRateLimit(options: RateLimitOptions = {}): GatewayPlugin {
  const settings = { ...RATE_LIMIT_DEFAULTS, ...options };
  const store = options.store ?? new MemoryBucketStore();
  return {
    name: 'rate-limit',
    async prepare(req, body) {
      const decision = await store.take(`ip:${clientIp(req, settings.trustProxy)}`, settings.perIp);
      if (!decision.allowed) {
        throw new HttpRefusal(429, ErrorCode.RATE_LIMITED, 'Too many requests from this address; retry later', {
          'retry-after': retryAfterSeconds(decision),
        });
      }
      return body;
    },
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue }) {
            if (contextValue.client.kind === 'unknown') return;
            const decision = await store.take(`client:${contextValue.client.name}`, settings.perClient);
            if (decision.allowed) return;
            // Apollo Server reads the status and headers of the answer from `extensions.http`
            const extensions: Record<string, unknown> = {
              code: ErrorCode.RATE_LIMITED,
              http: { status: 429, headers: new HeaderMap([['retry-after', retryAfterSeconds(decision)]]) },
            };
            throw new GraphQLError(`Too many requests from client ${contextValue.client.name}; retry later`, { extensions });
          },
        };
      },
    },
    stop: () => store.close(),
  };
}
