import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { parse, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { HttpRefusal, sendError, sendJson } from '../../platform/http.ts';
import type { ClientMode } from '../config.ts';
import type { ClientIdentity } from '../context.ts';
import { manifestsRefused } from '../metrics.ts';
import { partnerContractFor } from '../contract.ts';
import { InvalidManifestError, normalizedId, readManifest, registerManifest, sha256, type OperationLimits, type RegisteredOperation } from '../manifests.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import type { DocumentStore, ManifestStore, UsageCounter } from '../stores/types.ts';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

/** Header operators send the bypass secret in. */
export const BYPASS_HEADER = 'x-plaza-pq-bypass';
/** Where operators read the use counts (with the bypass header). */
export const USAGE_PATH = '/persisted-queries/usage';

/** Options of persisted documents (APQ and trusted documents). */
export interface PersistedDocumentsOptions {
  /** The calling app of a request (from the clients plugin). */
  clientOf(req: FastifyRequest): ClientIdentity;
  /** Mode of a partner (from its key entry); undefined for a non-partner. */
  partnerMode(name: string): ClientMode | undefined;
  /** Query texts registered through automatic persisted queries. */
  documents: DocumentStore;
  /** Published manifests (trusted documents); null for none. */
  manifests: ManifestStore | null;
  /** Counts uses per client, app version and operation id. */
  usage: UsageCounter;
  /** Releases the stores at shutdown. Default nothing to release. */
  close?(): Promise<void>;
  /** Automatic persisted queries on. Default true. */
  apq?: boolean;
  /** Mode of first-party and unknown clients. Default allow. */
  defaultMode?: ClientMode;
  /** Modes of named first-party clients. Default none. */
  clientModes?: Record<string, ClientMode>;
  /** Secret that skips mode checks in `x-plaza-pq-bypass`. Default none (no bypass). */
  bypassSecret?: string | null;
  /** Limits a registered operation must stay within (the gateway's depth, shape and cost limits). */
  limits: OperationLimits;
  /** The supergraph SDL the gateway starts with: a partner's manifests are checked against its partner contract. Default none (partners checked against the whole API schema). */
  supergraphSdl?: string;
  /** Reports an unregistered operation a client in audit mode ran. Default: a warning line on stderr. */
  onUnregistered?(event: { client: string; appVersion: string; operationId: string; operationName?: string }): void;
  /** Reports a manifest the gateway refused to register (the others still load). Default console.error. */
  onInvalidManifest?(error: unknown): void;
}

/** The cache of normalized ids of full texts (safelist and audit modes): entries and estimated heap. */
export const NORMALIZED_CACHE_BUDGET = { maxEntries: 2000, maxBytes: 4 * 1024 * 1024 };

export const PERSISTED_DOCUMENTS_DEFAULTS = {
  apq: true,
  defaultMode: 'allow' as ClientMode,
  clientModes: {} as Record<string, ClientMode>,
  bypassSecret: null as string | null,
  onUnregistered: (event: object) => console.warn(JSON.stringify({ msg: 'unregistered operation', ...event })),
  onInvalidManifest: (error: unknown) => console.error(error instanceof Error ? error.message : error),
};

/** A published manifest this gateway refused to register (its operations do not run here). */
export interface RefusedManifest {
  client: string;
  appVersion: string;
  /** Why, one line per problem (as `pq validate` would print it). */
  problems: string[];
}

/** A manifest as registered: whose it is and its operations. */
export interface PublishedManifest {
  client: string;
  appVersion: string;
  operations: RegisteredOperation[];
}

/** Persisted documents plus what other concerns may use: the registered operations (to warm plans). */
export interface PersistedDocumentsPlugin extends GatewayPlugin {
  /** The published manifests the last load refused (an invalid operation, a tighter budget than the publisher's…). */
  refusedManifests(): RefusedManifest[];
  /** Every registered operation, parsed and validated. */
  operations(): RegisteredOperation[];
  /** The app version a client's use of a registered operation counts under: the client's own, else the one manifest shipping it, else `unknown`. */
  appVersionOf(client: ClientIdentity, operationId: string): string;
  /** The manifests registered at the last load, each with its client, app version and operations (e.g. for the playground). */
  published(): PublishedManifest[];
  /** Calls `listener` with every registered operation after each (re)load, e.g. to warm query plans. */
  onRegistered(listener: (operations: RegisteredOperation[]) => void): void;
}

/** The registered operations, indexed for lookup. Replaced whole on each reload. */
interface Registry {
  all: RegisteredOperation[];
  manifests: PublishedManifest[];
  byId: Map<string, RegisteredOperation>;
  byNormalized: Map<string, RegisteredOperation>;
  /** Per client: ids and normalized ids of its own manifests, and the app versions shipping each id. */
  clients: Map<string, { byId: Map<string, RegisteredOperation>; byNormalized: Map<string, RegisteredOperation>; versions: Map<string, Set<string>> }>;
}

const EMPTY_REGISTRY: Registry = { all: [], manifests: [], byId: new Map(), byNormalized: new Map(), clients: new Map() };

/** What a request asks for, wherever it came from (JSON body or GET parameters). */
interface RequestParams {
  query?: string;
  hash?: string;
  pqVersion?: unknown;
  /** Whether `extensions.persistedQuery` is there at all (an object or not). */
  persisted: boolean;
  extensions?: Record<string, unknown>;
}

function readParams(method: string, body: unknown, url: URL): RequestParams | 'unreadable' {
  if (method === 'GET') {
    const query = url.searchParams.get('query') ?? undefined;
    const rawExtensions = url.searchParams.get('extensions');
    let extensions: Record<string, unknown> | undefined;
    if (rawExtensions) {
      try {
        extensions = JSON.parse(rawExtensions);
      } catch {
        return 'unreadable';
      }
    }
    return paramsOf(query, extensions);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'unreadable';
  const b = body as { query?: unknown; extensions?: unknown };
  if (b.query !== undefined && typeof b.query !== 'string') return 'unreadable';
  if (b.extensions !== undefined && (typeof b.extensions !== 'object' || b.extensions === null)) return 'unreadable';
  return paramsOf(b.query as string | undefined, b.extensions as Record<string, unknown> | undefined);
}

function paramsOf(query: string | undefined, extensions: Record<string, unknown> | undefined): RequestParams {
  const raw = extensions?.persistedQuery;
  const pq = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { version?: unknown; sha256Hash?: unknown }) : undefined;
  const hash = typeof pq?.sha256Hash === 'string' ? pq.sha256Hash : undefined;
  return { query: query || undefined, hash, pqVersion: pq?.version, persisted: raw !== undefined && raw !== null, extensions };
}

/** The request with `text` as its query and no persisted-query extension, so Apollo runs it as is. */
function withQuery(method: string, body: unknown, url: URL, params: RequestParams, text: string): unknown {
  const { persistedQuery: _, ...extensions } = params.extensions ?? {};
  if (method === 'GET') {
    url.searchParams.set('query', text);
    if (Object.keys(extensions).length) url.searchParams.set('extensions', JSON.stringify(extensions));
    else url.searchParams.delete('extensions');
    return body;
  }
  return { ...(body as object), query: text, extensions };
}

function refuse(status: number, code: string, message: string, headers?: Record<string, string>): never {
  throw new HttpRefusal(status, code, message, headers);
}

/** Whether the operator secret was given (compared in constant time). */
export function secretMatches(given: string | string[] | undefined, secret: string | null): boolean {
  if (!secret || typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Persisted documents: automatic persisted queries (Apollo's protocol), trusted documents
 * from published manifests, and per-client modes (allow, audit, safelist, require-id).
 * Runs before Apollo: swaps an id for its registered text, or refuses with Apollo's codes.
 */
export function usePersistedDocuments(options: PersistedDocumentsOptions): PersistedDocumentsPlugin {
  const settings = { ...PERSISTED_DOCUMENTS_DEFAULTS, ...options };
  let registry = EMPTY_REGISTRY;
  let refused: RefusedManifest[] = [];
  let schema: GraphQLSchema | undefined;
  let supergraphSdl = settings.supergraphSdl;
  let unwatch: (() => Promise<void>) | undefined;
  const listeners: ((operations: RegisteredOperation[]) => void)[] = [];
  // Normalized ids of full texts seen recently ('' for a text that does not parse): safelist and audit parse each distinct text once.
  const normalizedCache = new BoundedCache<string, string>('normalized_id', NORMALIZED_CACHE_BUDGET, (text, id) => ENTRY_BYTES + stringBytes(text) + stringBytes(id));

  async function reload(): Promise<void> {
    if (!schema || !settings.manifests) return;
    const next: Registry = { all: [], manifests: [], byId: new Map(), byNormalized: new Map(), clients: new Map() };
    const nextRefused: RefusedManifest[] = [];
    for (const stored of await settings.manifests.list()) {
      const source = `manifest ${stored.client}@${stored.appVersion}`;
      let operations: RegisteredOperation[];
      try {
        // a partner's operations may ask only for what the partner contract holds
        const against = supergraphSdl && settings.partnerMode(stored.client) !== undefined ? partnerContractFor(schema, supergraphSdl) : schema;
        operations = registerManifest(source, readManifest(source, stored.json), against, settings.limits, stored.client);
      } catch (error) {
        settings.onInvalidManifest(error);
        const problems =
          error instanceof InvalidManifestError ? error.problems.map((p) => `operation "${p.operation}": ${p.message}`) : [error instanceof Error ? error.message : String(error)];
        nextRefused.push({ client: stored.client, appVersion: stored.appVersion, problems });
        continue;
      }
      next.manifests.push({ client: stored.client, appVersion: stored.appVersion, operations });
      let client = next.clients.get(stored.client);
      if (!client) next.clients.set(stored.client, (client = { byId: new Map(), byNormalized: new Map(), versions: new Map() }));
      for (const op of operations) {
        if (!next.byId.has(op.id)) next.all.push(op);
        next.byId.set(op.id, op);
        next.byNormalized.set(op.normalizedId, op);
        client.byId.set(op.id, op);
        client.byNormalized.set(op.normalizedId, op);
        if (!client.versions.has(op.id)) client.versions.set(op.id, new Set());
        client.versions.get(op.id)!.add(stored.appVersion);
      }
    }
    registry = next;
    refused = nextRefused;
    manifestsRefused.reset();
    for (const m of refused) manifestsRefused.set({ client: m.client, app_version: m.appVersion }, 1);
    for (const listener of listeners) listener(next.all);
  }

  function modeOf(client: ClientIdentity): ClientMode {
    if (client.kind === 'partner') return settings.partnerMode(client.name) ?? 'require-id';
    return settings.clientModes[client.name] ?? settings.defaultMode;
  }

  /** Partners see only their own manifests; everyone else every registered operation. */
  function visible(client: ClientIdentity) {
    if (client.kind === 'partner') return registry.clients.get(client.name) ?? { byId: new Map(), byNormalized: new Map(), versions: new Map() };
    return registry;
  }

  function appVersionOf(client: ClientIdentity, id: string): string {
    if (client.version) return client.version;
    const versions = registry.clients.get(client.name)?.versions.get(id);
    return versions?.size === 1 ? [...versions][0] : 'unknown';
  }

  function normalizedIdOf(text: string): string | null {
    let id = normalizedCache.get(text);
    if (id === undefined) {
      try {
        id = normalizedId(parse(text));
      } catch {
        id = '';
      }
      normalizedCache.set(text, id);
    }
    return id || null;
  }

  /** Audit mode: counts a full text as registered or, when it is not, reports and counts it as unregistered. */
  function audit(client: ClientIdentity, text: string): void {
    const normalized = normalizedIdOf(text);
    if (normalized === null) return; // Apollo answers the parse error
    const op = visible(client).byNormalized.get(normalized);
    if (op) {
      settings.usage.add(client.name, appVersionOf(client, op.id), op.id, 'registered');
      return;
    }
    const appVersion = client.version ?? 'unknown';
    settings.usage.add(client.name, appVersion, normalized, 'unregistered');
    settings.onUnregistered({ client: client.name, appVersion, operationId: normalized });
  }

  async function prepare(req: FastifyRequest, body: unknown, url: URL): Promise<unknown> {
    const method = req.method ?? 'GET';
    const client = settings.clientOf(req);
    const mode: ClientMode = secretMatches(req.headers[BYPASS_HEADER], settings.bypassSecret) ? 'allow' : modeOf(client);
    const params = readParams(method, body, url);
    const strict = mode === 'safelist' || mode === 'require-id';
    if (params === 'unreadable') {
      if (strict) refuse(400, ErrorCode.BAD_REQUEST, 'Send one operation: a JSON object with a persisted-query id or a query');
      return body; // Apollo answers it with its own error
    }
    const { query, hash } = params;
    const { byId, byNormalized } = visible(client);

    if (params.persisted) {
      if (hash === undefined && params.pqVersion === undefined) refuse(400, ErrorCode.BAD_REQUEST, 'extensions.persistedQuery must be an object: {"version": 1, "sha256Hash": "<hex>"}');
      if (params.pqVersion !== 1) refuse(400, ErrorCode.BAD_REQUEST, 'Unsupported persisted query version');
      if (hash === undefined) refuse(400, ErrorCode.BAD_REQUEST, 'persistedQuery needs a sha256Hash');
      if (query !== undefined && sha256(query) !== hash) refuse(400, ErrorCode.BAD_REQUEST, 'provided sha does not match query');
      const registered = byId.get(hash);
      if (registered) {
        settings.usage.add(client.name, appVersionOf(client, registered.id), registered.id, 'registered');
        return withQuery(method, body, url, params, registered.body);
      }
      if (strict) {
        if (mode === 'safelist' && query !== undefined) {
          const op = byNormalized.get(normalizedIdOf(query) ?? '');
          if (op) {
            settings.usage.add(client.name, appVersionOf(client, op.id), op.id, 'registered');
            return withQuery(method, body, url, params, query);
          }
          refuse(403, ErrorCode.QUERY_NOT_IN_SAFELIST, 'The operation is not in the safelist of this client');
        }
        refuse(400, ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, `Persisted query ${hash} is not in the list of client "${client.name}"`);
      }
      if (!settings.apq) {
        // Apollo's protocol for a server without APQ: a hash alone is not supported (the client then sends the query
        // without it); a query with its matching hash simply runs, as a query would
        if (query === undefined) refuse(200, ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, 'PersistedQueryNotSupported', { 'cache-control': 'private, no-cache, must-revalidate' });
        if (mode === 'audit') audit(client, query);
        return withQuery(method, body, url, params, query);
      }
      let text = query;
      if (text !== undefined) await settings.documents.set(hash, text);
      else {
        text = await settings.documents.get(hash);
        if (text === undefined) refuse(200, ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound', { 'cache-control': 'private, no-cache, must-revalidate' });
      }
      if (mode === 'audit') audit(client, text);
      else settings.usage.add(client.name, client.version ?? 'unknown', hash, 'apq');
      return withQuery(method, body, url, params, text);
    }

    if (query === undefined) return body; // Apollo answers the missing query
    switch (mode) {
      case 'allow':
        return body;
      case 'audit':
        audit(client, query);
        return body;
      case 'safelist': {
        const op = byNormalized.get(normalizedIdOf(query) ?? '');
        if (!op) refuse(403, ErrorCode.QUERY_NOT_IN_SAFELIST, 'The operation is not in the safelist of this client');
        settings.usage.add(client.name, appVersionOf(client, op.id), op.id, 'registered');
        return body;
      }
      case 'require-id':
        refuse(400, ErrorCode.PERSISTED_QUERY_ID_REQUIRED, `Client "${client.name}" must send a registered operation id (extensions.persistedQuery.sha256Hash), not a query`);
    }
  }

  return {
    name: 'persisted-documents',
    operations: () => registry.all,
    refusedManifests: () => refused,
    published: () => registry.manifests,
    appVersionOf,
    onRegistered(listener) {
      listeners.push(listener);
    },
    prepare,
    routes: (app) => {
      app.get(USAGE_PATH, async (request, reply) => {
        if (!secretMatches(request.headers[BYPASS_HEADER], settings.bypassSecret)) {
          return sendError(reply, 403, ErrorCode.FORBIDDEN, `Send the operator secret in ${BYPASS_HEADER}`);
        }
        return sendJson(reply, 200, { uses: await settings.usage.report() });
      });
    },
    apollo: {
      async serverWillStart({ schema: started }) {
        // Registered operations are checked against the schema they will run on, once per schema.
        schema = localApiSchema(started);
        await reload();
        if (settings.manifests) unwatch = await settings.manifests.watch(() => void reload().catch(settings.onInvalidManifest));
        return {
          schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
            if (coreSupergraphSdl && supergraphSdl) supergraphSdl = coreSupergraphSdl;
            const local = localApiSchema(apiSchema);
            if (local === schema) return;
            schema = local;
            reload().catch(settings.onInvalidManifest);
          },
        };
      },
      async requestDidStart({ request }) {
        const headers = request.http?.headers;
        if (!headers?.get('authorization') && !headers?.get('cookie')) return;
        return {
          // A signed-in answer may be ranked or filtered for that user: never for a shared cache.
          async didResolveOperation({ overallCachePolicy }) {
            overallCachePolicy.restrict({ scope: 'PRIVATE' });
          },
        };
      },
    },
    async stop() {
      normalizedCache.close();
      await unwatch?.();
      await settings.documents.close?.();
      await settings.manifests?.close?.();
      await settings.usage.close?.();
      await settings.close?.();
    },
  };
}

/** The persisted-documents plugin among a gateway's plugins (e.g. to warm the plans of registered operations at start). */
export function persistedDocumentsIn(plugins: GatewayPlugin[]): PersistedDocumentsPlugin | undefined {
  return plugins.find((p): p is PersistedDocumentsPlugin => p.name === 'persisted-documents' && 'operations' in p);
}
