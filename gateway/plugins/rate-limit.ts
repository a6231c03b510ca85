import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { HttpRefusal, isGraphQLRequest } from '../../platform/http.ts';
import { SECURITY_DEFAULTS, type BucketSettings } from '../config.ts';
import { MemoryBucketStore, type BucketDecision, type BucketStore } from '../stores/buckets.ts';
import type { GatewayPlugin } from '../plugin.ts';


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

/** The schema's defaults (PLAZA_RATE_LIMIT_IP, PLAZA_RATE_LIMIT_CLIENT, PLAZA_TRUST_PROXY; platform/settings.ts). */
export const RATE_LIMIT_DEFAULTS = {
  perIp: SECURITY_DEFAULTS.rateLimitIp,
  perClient: SECURITY_DEFAULTS.rateLimitClient,
  trustProxy: SECURITY_DEFAULTS.trustProxy,
};

/** The caller's address: the socket's, or the one a trusted proxy appended last. */
export function clientIp(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string {
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
    // per IP: GraphQL requests, before their body is read
    async onRequest(req) {
      if (!isGraphQLRequest(req)) return;
      const decision = await store.take(`ip:${clientIp(req, settings.trustProxy)}`, settings.perIp);
      if (!decision.allowed) {
        throw new HttpRefusal(429, ErrorCode.RATE_LIMITED, 'Too many requests from this address; retry later', {
          'retry-after': retryAfterSeconds(decision),
        });
      }
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
