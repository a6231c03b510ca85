import crypto from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { getNamedType, isInterfaceType, isObjectType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Redis } from 'ioredis';
import type { GatewayContext } from '../context.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { localApiSchema } from './authorization.ts';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';
import { connectRedis } from '../stores/redis.ts';

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

/** Answers in Redis, shared by every replica; an invalidation on one replica holds for all. */
export class RedisResponseCacheStore implements ResponseCacheStore {
  private readonly redis: Redis;
  constructor(url: string, private readonly prefix = 'plaza:response-cache') {
    this.redis = connectRedis(url);
  }
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
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Options of the response cache. */
export interface ResponseCacheOptions {
  /** Where answers are kept. Default: in memory, `maxBytes` large. */
  store?: ResponseCacheStore;
  /** Memory budget of the in-memory store, in bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Longest time an answer is kept, whatever the hints say, in seconds. Default 300. */
  maxAgeCapSeconds?: number;
  /** Types whose change (a mutation returning one) invalidates every cached answer. Default ['Placement']. */
  invalidatingTypes?: string[];
  /** Called when the store fails; the request is then served uncached. Default: ignore. */
  onStoreError?: (error: unknown) => void;
}

export const RESPONSE_CACHE_DEFAULTS = { maxBytes: 64 * 1024 * 1024, maxAgeCapSeconds: 300, invalidatingTypes: ['Placement'] } as const;

/** Response header telling whether the answer came from the cache (`hit`) or not (`miss`). */
export const RESPONSE_CACHE_HEADER = 'x-plaza-cache';
const GENERATION_TAG = 'feed';

/** Whether a mutation touches one of the types: a root field returning it, or a payload holding it. */
function mutationTouches(schema: GraphQLSchema, operation: OperationDefinitionNode, types: readonly string[]): boolean {
  const mutation = schema.getMutationType();
  if (!mutation || operation.operation !== 'mutation') return false;
  const fields = mutation.getFields();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== 'Field') continue;
    const field = fields[selection.name.value];
    if (!field) continue;
    const named = getNamedType(field.type);
    if (types.includes(named.name)) return true;
    if ((isObjectType(named) || isInterfaceType(named)) && Object.values(named.getFields()).some((f) => types.includes(getNamedType(f.type).name))) return true;
  }
  return false;
}

/**
 * Caches whole answers to anonymous queries (the public homepage feed of a city) for as
 * long as every subgraph's cache hints allow: only answers without errors whose overall
 * policy is cacheable and PUBLIC. A successful mutation returning a Placement invalidates
 * every cached answer (in every replica, with Redis). Signed-in callers are never cached.
 */
export function useResponseCache(options: ResponseCacheOptions = {}): GatewayPlugin {
  const settings = { ...RESPONSE_CACHE_DEFAULTS, ...options };
  const store: ResponseCacheStore = options.store ?? new MemoryResponseCacheStore(settings.maxBytes);
  const onStoreError = options.onStoreError ?? (() => {});

  const apollo: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let key: string | undefined;
      let hit = false;
      return {
        async responseForOperation(rc) {
          const { contextValue: context } = rc;
          if (rc.operation.operation !== 'query' || context.viewer?.userId) return null;
          try {
            const generation = await store.generation(GENERATION_TAG);
            key = crypto
              .createHash('sha256')
              .update(JSON.stringify([generation, rc.queryHash, rc.operationName ?? '', rc.request.variables ?? {}, context.client?.kind ?? '', context.client?.name ?? '']))
              .digest('base64url');
            const cached = await store.get(key);
            if (!cached) return null;
            const { data, expires } = JSON.parse(cached) as { data: Record<string, unknown>; expires: number };
            const maxAge = Math.max(0, Math.floor((expires - Date.now()) / 1000));
            hit = true;
            rc.overallCachePolicy.replace({ maxAge, scope: 'PUBLIC' });
            return { http: { status: undefined, headers: new HeaderMap([[RESPONSE_CACHE_HEADER, 'hit']]) }, body: { kind: 'single', singleResult: { data } } };
          } catch (error) {
            onStoreError(error);
            key = undefined;
            return null;
          }
        },
        async willSendResponse(rc) {
          const { response } = rc;
          if (rc.operation && mutationTouches(localApiSchema(rc.schema), rc.operation, settings.invalidatingTypes)) {
            const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
            if (body?.data) await store.bump(GENERATION_TAG).catch(onStoreError);
            return;
          }
          if (!key || hit || response.body.kind !== 'single') return;
          response.http.headers.set(RESPONSE_CACHE_HEADER, 'miss');
          const { data, errors } = response.body.singleResult;
          const policy = rc.overallCachePolicy.policyIfCacheable();
          if (!data || errors?.length || !policy || policy.scope === 'PRIVATE') return;
          const ttl = Math.min(policy.maxAge, settings.maxAgeCapSeconds);
          await store.set(key, JSON.stringify({ data, expires: Date.now() + ttl * 1000 }), ttl).catch(onStoreError);
        },
      };
    },
  };

  return {
    name: 'response-cache',
    apollo,
    async stop() {
      await store.close?.();
    },
  };
}

/** The store a configuration asks for: Redis when a URL is given, memory otherwise. */
export function responseCacheStore(redisUrl: string | null | undefined, maxBytes: number): ResponseCacheStore {
  return redisUrl ? new RedisResponseCacheStore(redisUrl) : new MemoryResponseCacheStore(maxBytes);
}
