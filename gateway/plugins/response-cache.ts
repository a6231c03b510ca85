import crypto from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { getNamedType, isInterfaceType, isObjectType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import { MemoryResponseCacheStore, type ResponseCacheStore } from '../stores/response-cache.ts';


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
