import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLIENT_MODES,
  ConfigError,
  DEV_JWT_SECRET,
  HTTP_URL,
  isProduction,
  settingsFor,
  settingsOf,
  type BucketSettings,
  type ClientMode,
  type Part,
  type SettingName,
  type Settings,
} from '../platform/settings.ts';
import { NAME_PATTERN } from './stores/types.ts';
import { parseHeaderRules, type HeaderRules } from './header-rules.ts';

// Every variable, its default and its check live in platform/settings.ts (one zod schema);
// this module turns the parsed settings into the GatewayConfig shape, and holds what needs
// more than one variable or the gateway's own parsers (partner keys and tiers, header rules).
export { CLIENT_MODES, DEV_JWT_SECRET, type BucketSettings, type ClientMode };

/**
 * A gateway's configuration. Hand-built configurations (tests, the bench) may leave sections
 * out, or give part of one: `securityOf(config)` and the like fill in the defaults, which
 * are the schema's. readGatewayConfig always returns every section complete
 * (CompleteGatewayConfig).
 */
export interface GatewayConfig {
  /** Composed supergraph SDL file served. `--supergraph` / `PLAZA_SUPERGRAPH`; default schema/supergraph.graphql. */
  supergraphPath: string;
  /** Port to listen on (0 picks a free one). `--port` / `PLAZA_GATEWAY_PORT`; default 4000. */
  port: number;
  /** Interface to bind. `PLAZA_HOST`; default 127.0.0.1. */
  host: string;
  /** Per-subgraph URL overrides by subgraph name. `--subgraph name=url` / `PLAZA_SUBGRAPH_URL_<NAME>`; default: the URLs in the supergraph. */
  subgraphUrls: Record<string, string>;
  /** Secret shared with subgraphs for signed internal tokens. `PLAZA_INTERNAL_SECRET`; a dev default outside production. */
  internalSecret: string;
  /** HS256 secret for development bearer tokens. `PLAZA_JWT_SECRET`; a dev default outside production, off in production unless set. */
  jwtSecret: string | null;
  /** Largest accepted request body in bytes. `PLAZA_MAX_BODY_BYTES`; default 1 MiB. */
  maxBodyBytes: number;
  /** `NODE_ENV=production`: no stack traces, no introspection, no development defaults. */
  production: boolean;
  /** Operations settings (subgraph fetcher, resilience, logs, tracing, reload, shutdown); see OperationsConfig. Default OPERATIONS_DEFAULTS. */
  operations?: Partial<OperationsConfig>;
  /** Shared gateway state (rate-limit buckets, persisted documents) lives here when set. `PLAZA_REDIS_URL`; default none (in memory, per replica). */
  redisUrl?: string | null;
  /** Identity, authorization, limits and quotas; see SecurityConfig. Default SECURITY_DEFAULTS. */
  security?: Partial<SecurityConfig>;
  /** Persisted queries, trusted documents, client modes and partner keys; see PersistedQueriesConfig. Default PERSISTED_QUERIES_DEFAULTS. */
  persistedQueries?: Partial<PersistedQueriesConfig>;
  /** Developer and client pages; see PagesConfig. Default: all off (readGatewayConfig turns them on outside production). */
  pages?: Partial<PagesConfig>;
  /** Whole-answer cache of anonymous queries, honouring cache hints; see ResponseCacheConfig. Default RESPONSE_CACHE_CONFIG_DEFAULTS (off). */
  responseCache?: Partial<ResponseCacheConfig>;
  /** Request headers passed to subgraphs (propagated, renamed, inserted, removed), for all and per subgraph; see gateway/header-rules.ts. `PLAZA_HEADER_RULES` (JSON); default none (subgraphs get only Plaza's own headers). */
  headerRules?: HeaderRules;
}

/** The playground and the first-party pages the gateway serves (built by `npm run build:pages`). */
export interface PagesConfig {
  /** GraphiQL at /playground/ (and a browser's GET on /graphql), with development tokens. `PLAZA_PLAYGROUND`; default on outside production; never in production. */
  playground: boolean;
  /** The homepage and mini-program pages at /homepage/ and /miniprogram/. `PLAZA_CLIENT_PAGES`; default on outside production. */
  clientPages: boolean;
  /** Folder of the built pages. `PLAZA_PAGES_DIR`; default dist/pages. */
  dir: string;
}

/** The settings of the given parts of the gateway, from `env` (parsed once for process.env). */
function gatewaySettings(env: NodeJS.ProcessEnv, parts: Part[], extra: SettingName[] = []): Settings {
  return settingsFor([...settingsOf(...parts), ...extra], env) as Settings;
}

/** A config section's fields that are settings as they are: each field, its setting's value. */
function fieldsFrom<const Fields extends Record<string, SettingName>>(s: Settings, fields: Fields): { [Field in keyof Fields]: Settings[Fields[Field]] } {
  const section: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(fields)) section[field] = s[name];
  return section as { [Field in keyof Fields]: Settings[Fields[Field]] };
}

function pagesFrom(s: Settings): PagesConfig {
  return { playground: s.PLAZA_PLAYGROUND, clientPages: s.PLAZA_CLIENT_PAGES, dir: s.PLAZA_PAGES_DIR };
}

/** The pages settings from the environment; the playground cannot be turned on in production. */
export function readPagesConfig(env: NodeJS.ProcessEnv = process.env): PagesConfig {
  return pagesFrom(gatewaySettings(env, ['pages']));
}

/** The pages of a hand-built configuration: all off (production's defaults), the schema's folder. */
export const PAGES_DEFAULTS: PagesConfig = Object.freeze(readPagesConfig({ NODE_ENV: 'production' }));

/** The pages settings of a configuration, defaults filled in. */
export function pagesOf(config: Pick<GatewayConfig, 'pages'>): PagesConfig {
  return { ...PAGES_DEFAULTS, ...config.pages };
}

/** What a partner tier may do: a token bucket and daily and monthly quotas (null: no such quota). */
export interface PartnerTier {
  /** Requests per second, refilled continuously. */
  rate: number;
  /** Requests at once. */
  burst: number;
  /** Requests per UTC day and per UTC month. */
  dailyRequests: number | null;
  monthlyRequests: number | null;
  /** Estimated cost (the demand-control estimate) per UTC day and per UTC month. */
  dailyCost: number | null;
  monthlyCost: number | null;
}

/**
 * Partner tiers from JSON: `{"free":{"rate":5,"burst":10,"dailyRequests":1000,"monthlyRequests":20000,"dailyCost":null,"monthlyCost":null}}`
 * (rate and burst required, each quota a positive whole number or absent).
 */
export function parsePartnerTiers(variable: string, text: string): Record<string, PartnerTier> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'JSON: {"<tier>":{"rate","burst","dailyRequests"?,"monthlyRequests"?,"dailyCost"?,"monthlyCost"?}}', text.slice(0, 80));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(variable, 'a JSON object of tiers by name', text.slice(0, 80));
  const tiers: Record<string, PartnerTier> = {};
  for (const [name, value] of Object.entries(raw)) {
    const t = (value ?? {}) as Record<string, unknown>;
    if (!NAME_PATTERN.test(name)) throw new ConfigError(`${variable} tier "${name}"`, 'a name of letters, digits and ._+-', name);
    const positive = (field: string, required: boolean): number | null => {
      const v = t[field];
      if ((v === undefined || v === null) && !required) return null;
      if (typeof v !== 'number' || !(v > 0) || (field !== 'rate' && !Number.isInteger(v))) throw new ConfigError(`${variable} tier "${name}" ${field}`, required ? 'a positive number' : 'a positive whole number or null', String(v));
      return v;
    };
    for (const key of Object.keys(t)) {
      if (!['rate', 'burst', 'dailyRequests', 'monthlyRequests', 'dailyCost', 'monthlyCost'].includes(key)) throw new ConfigError(`${variable} tier "${name}"`, 'only rate, burst, dailyRequests, monthlyRequests, dailyCost and monthlyCost', key);
    }
    tiers[name] = {
      rate: positive('rate', true)!,
      burst: positive('burst', true)!,
      dailyRequests: positive('dailyRequests', false),
      monthlyRequests: positive('monthlyRequests', false),
      dailyCost: positive('dailyCost', false),
      monthlyCost: positive('monthlyCost', false),
    };
  }
  return tiers;
}

/** Who may do what, and how much of it (see docs/security.md). */
export interface SecurityConfig {
  /** JWKS endpoint of the identity provider (RS256/ES256 tokens, keys by `kid`). `PLAZA_JWKS_URL`; default none. */
  jwksUrl: string | null;
  /** Local JSON Web Key Set file, re-read when a token names an unknown `kid`. `PLAZA_JWKS_FILE`; default none. */
  jwksFile: string | null;
  /** Shortest wait between two JWKS fetches caused by unknown `kid`s, in ms. `PLAZA_JWKS_COOLDOWN_MS`; default 30000. */
  jwksCooldownMs: number;
  /** Expected `iss` claim of bearer tokens. `PLAZA_JWT_ISSUER`; default plaza. */
  jwtIssuer: string;
  /** Expected `aud` claim of bearer tokens. `PLAZA_JWT_AUDIENCE`; default plaza-api. */
  jwtAudience: string;
  /** Claim holding the caller's scopes (space-separated string or array). `PLAZA_JWT_SCOPE_CLAIM`; default scope. */
  scopeClaim: string;
  /** Deepest field nesting accepted. `PLAZA_MAX_DEPTH`; default 12. */
  maxDepth: number;
  /** Most aliases in one document. `PLAZA_MAX_ALIASES`; default 30. */
  maxAliases: number;
  /** Most root fields in one operation. `PLAZA_MAX_ROOT_FIELDS`; default 20. */
  maxRootFields: number;
  /** Most lexical tokens in one document. `PLAZA_MAX_TOKENS`; default 5000. */
  maxTokens: number;
  /** Longest GraphQL document, in characters (variables not counted). `PLAZA_MAX_DOCUMENT_LENGTH`; default 65536. */
  maxDocumentLength: number;
  /** Most selections in one operation once its fragments are expanded. `PLAZA_MAX_SELECTIONS`; default 1000. */
  maxSelections: number;
  /** Most fields sharing one response path, fragments expanded. `PLAZA_MAX_REPEATED_FIELDS`; default 20. */
  maxRepeatedFields: number;
  /** Estimated cost (@cost/@listSize) allowed per operation for clients without their own budget. `PLAZA_COST_BUDGET`; default 10000. */
  costBudget: number;
  /** Per-client cost budgets by client name. `PLAZA_COST_BUDGETS=name=n,name=n`; default none. */
  costBudgets: Record<string, number>;
  /** Assumed size of a list without @listSize or slicing argument. `PLAZA_COST_LIST_SIZE`; default 10. */
  costListSize: number;
  /** Rate limiting on or off. `PLAZA_RATE_LIMIT`; default on in production, off otherwise. */
  rateLimit: boolean;
  /** Token bucket per client IP. `PLAZA_RATE_LIMIT_IP=burst/perSecond`; default 600/300. */
  rateLimitIp: BucketSettings;
  /** Token bucket per known client (partner or first-party app). `PLAZA_RATE_LIMIT_CLIENT=burst/perSecond`; default 3000/1500. */
  rateLimitClient: BucketSettings;
  /** Take the client IP from the last `X-Forwarded-For` entry (behind a trusted load balancer). `PLAZA_TRUST_PROXY`; default false. */
  trustProxy: boolean;
  /** Partner tiers by name; a partner's keys entry names its `tier` (else `default`, when there is one). `PLAZA_PARTNER_TIERS` (JSON); default none (no partner quotas). */
  partnerTiers: Record<string, PartnerTier>;
  /** Partners may introspect the partner contract (never the whole graph; production turns introspection off for everyone). `PLAZA_PARTNER_INTROSPECTION`; default false. */
  partnerIntrospection: boolean;
  /** Origins allowed to call from a browser. `PLAZA_CORS_ORIGINS=https://a,https://b`; default: any in development, none in production. */
  corsOrigins: string[] | null;
}

/** The fields of SecurityConfig that are a setting as it is, and their settings. */
const SECURITY_FIELDS = {
  jwksUrl: 'PLAZA_JWKS_URL',
  jwksFile: 'PLAZA_JWKS_FILE',
  jwksCooldownMs: 'PLAZA_JWKS_COOLDOWN_MS',
  jwtIssuer: 'PLAZA_JWT_ISSUER',
  jwtAudience: 'PLAZA_JWT_AUDIENCE',
  scopeClaim: 'PLAZA_JWT_SCOPE_CLAIM',
  maxDepth: 'PLAZA_MAX_DEPTH',
  maxAliases: 'PLAZA_MAX_ALIASES',
  maxRootFields: 'PLAZA_MAX_ROOT_FIELDS',
  maxTokens: 'PLAZA_MAX_TOKENS',
  maxDocumentLength: 'PLAZA_MAX_DOCUMENT_LENGTH',
  maxSelections: 'PLAZA_MAX_SELECTIONS',
  maxRepeatedFields: 'PLAZA_MAX_REPEATED_FIELDS',
  costBudget: 'PLAZA_COST_BUDGET',
  costBudgets: 'PLAZA_COST_BUDGETS',
  costListSize: 'PLAZA_COST_LIST_SIZE',
  rateLimit: 'PLAZA_RATE_LIMIT',
  rateLimitIp: 'PLAZA_RATE_LIMIT_IP',
  rateLimitClient: 'PLAZA_RATE_LIMIT_CLIENT',
  trustProxy: 'PLAZA_TRUST_PROXY',
  partnerIntrospection: 'PLAZA_PARTNER_INTROSPECTION',
  corsOrigins: 'PLAZA_CORS_ORIGINS',
} as const satisfies Partial<Record<keyof SecurityConfig, SettingName>>;

function securityFrom(s: Settings): SecurityConfig {
  return {
    ...fieldsFrom(s, SECURITY_FIELDS),
    partnerTiers: s.PLAZA_PARTNER_TIERS ? parsePartnerTiers('PLAZA_PARTNER_TIERS', s.PLAZA_PARTNER_TIERS) : {},
  };
}

/** The security settings from the environment; a wrong value names its variable. */
export function readSecurityConfig(env: NodeJS.ProcessEnv = process.env): SecurityConfig {
  return securityFrom(gatewaySettings(env, ['security']));
}

/** The security settings of a hand-built configuration: the schema's defaults (development's). */
export const SECURITY_DEFAULTS: SecurityConfig = Object.freeze(readSecurityConfig({}));

/** The security settings of a gateway config, defaults filled in. */
export function securityOf(config: Pick<GatewayConfig, 'security'>): SecurityConfig {
  return { ...SECURITY_DEFAULTS, ...config.security };
}

/** How the gateway talks to subgraphs and reports on itself. */
export interface OperationsConfig {
  /** HTTP client for subgraph fetches: `undici` (keep-alive pool, undici's dispatch) or `default` (Node's built-in fetch). `PLAZA_SUBGRAPH_FETCHER`; default undici. */
  subgraphFetcher: 'undici' | 'default';
  /** Share one subgraph answer between identical in-flight queries of the same caller. `PLAZA_DEDUP`; default true. */
  dedup: boolean;
  /** Send the entity fetches one request makes to one subgraph at the same moment as one request, holding back fetches nothing waits for to join the next. `PLAZA_MERGE_FETCHES`; default true. */
  mergeFetches: boolean;
  /** Memory budget of the query-plan cache, in MiB of estimated heap (see gateway/engine/plan-cache.ts). `PLAZA_QUERY_PLAN_CACHE_MIB`; default 16. */
  queryPlanCacheMiB: number;
  /** Memory budget of the cache of parsed and validated documents (Apollo's documentStore), in MiB of estimated heap. `PLAZA_DOCUMENT_CACHE_MIB`; default 12. */
  documentCacheMiB: number;
  /** Time allowed for one subgraph fetch, in ms. `PLAZA_SUBGRAPH_TIMEOUT_MS`; default 10000. */
  subgraphTimeoutMs: number;
  /** Extra attempts of a failed subgraph query (never a mutation). `PLAZA_SUBGRAPH_RETRIES`; default 1. */
  subgraphRetries: number;
  /** Consecutive failures that open a subgraph's circuit (fail fast). `PLAZA_BREAKER_FAILURES`; default 5. */
  breakerFailures: number;
  /** How long an open circuit fails fast before one probe request is let through, in ms. `PLAZA_BREAKER_RESET_MS`; default 250. */
  breakerResetMs: number;
  /** pino log level (`fatal` … `trace`, or `silent`). `PLAZA_LOG_LEVEL`; default info. */
  logLevel: string;
  /** OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); tracing is off without it. `PLAZA_OTLP_ENDPOINT`; default off. */
  otlpEndpoint: string | null;
  /** Switch to a new supergraph when the file changes. `PLAZA_SUPERGRAPH_WATCH`; default true. */
  watchSupergraph: boolean;
  /** Longest wait for in-flight requests at shutdown, in ms. `PLAZA_DRAIN_TIMEOUT_MS`; default 25000. */
  drainTimeoutMs: number;
  /** Port of the operators' listener, which alone serves `/metrics` (0 picks a free one). `PLAZA_METRICS_PORT`; default none: `/metrics` beside GraphQL in development, not served in production. */
  metricsPort: number | null;
  /** Most subscriptions one WebSocket connection may hold. `PLAZA_SUBSCRIPTIONS_PER_CONNECTION`; default 20. */
  subscriptionsPerConnection: number;
  /** Most subscriptions one user may hold on one replica. `PLAZA_SUBSCRIPTIONS_PER_USER`; default 50. */
  subscriptionsPerUser: number;
  /** WebSocket ping and SSE keep-alive interval, in ms. `PLAZA_SUBSCRIPTION_KEEPALIVE_MS`; default 12000. */
  subscriptionKeepAliveMs: number;
  /** Events of one subscription that may wait for its client before it is dropped. `PLAZA_SUBSCRIPTION_BACKLOG`; default 64. */
  subscriptionBacklog: number;
}

/** The fields of OperationsConfig, each a setting as it is, and their settings. */
const OPERATIONS_FIELDS = {
  subgraphFetcher: 'PLAZA_SUBGRAPH_FETCHER',
  dedup: 'PLAZA_DEDUP',
  mergeFetches: 'PLAZA_MERGE_FETCHES',
  queryPlanCacheMiB: 'PLAZA_QUERY_PLAN_CACHE_MIB',
  documentCacheMiB: 'PLAZA_DOCUMENT_CACHE_MIB',
  subgraphTimeoutMs: 'PLAZA_SUBGRAPH_TIMEOUT_MS',
  subgraphRetries: 'PLAZA_SUBGRAPH_RETRIES',
  breakerFailures: 'PLAZA_BREAKER_FAILURES',
  breakerResetMs: 'PLAZA_BREAKER_RESET_MS',
  logLevel: 'PLAZA_LOG_LEVEL',
  otlpEndpoint: 'PLAZA_OTLP_ENDPOINT',
  watchSupergraph: 'PLAZA_SUPERGRAPH_WATCH',
  drainTimeoutMs: 'PLAZA_DRAIN_TIMEOUT_MS',
  metricsPort: 'PLAZA_METRICS_PORT',
  subscriptionsPerConnection: 'PLAZA_SUBSCRIPTIONS_PER_CONNECTION',
  subscriptionsPerUser: 'PLAZA_SUBSCRIPTIONS_PER_USER',
  subscriptionKeepAliveMs: 'PLAZA_SUBSCRIPTION_KEEPALIVE_MS',
  subscriptionBacklog: 'PLAZA_SUBSCRIPTION_BACKLOG',
} as const satisfies Partial<Record<keyof OperationsConfig, SettingName>>;

/** The operations settings from the environment; a wrong value names its variable. */
export function readOperationsConfig(env: NodeJS.ProcessEnv = process.env): OperationsConfig {
  return fieldsFrom(gatewaySettings(env, ['operations'], ['PLAZA_LOG_LEVEL']), OPERATIONS_FIELDS);
}

/** The operations settings of a hand-built configuration: the schema's defaults. */
export const OPERATIONS_DEFAULTS: OperationsConfig = Object.freeze(readOperationsConfig({}));

/** The operations settings of a gateway config, defaults filled in. */
export function operationsOf(config: Pick<GatewayConfig, 'operations'>): OperationsConfig {
  return { ...OPERATIONS_DEFAULTS, ...config.operations };
}

/** A partner app and its API key, kept only as a SHA-256 hash. */
export interface PartnerKey {
  /** The partner's client name (counts, budgets and manifests go by it). */
  name: string;
  /** Lower-case hex SHA-256 of the API key. */
  keySha256: string;
  /** How its operations are checked. Default require-id. */
  mode: ClientMode;
  /** A revoked key is refused like an unknown one. Default false. */
  revoked: boolean;
  /** Scopes the partner's operations may ask for (`@requiresScopes`): publishing a manifest needing any other is refused. Default none. */
  scopes?: string[];
  /** The partner's tier (PLAZA_PARTNER_TIERS): its rate and quotas. Default `default`, when that tier exists. */
  tier?: string;
}

/** Persisted queries, trusted documents and partner access (see docs/persisted-queries.md). */
export interface PersistedQueriesConfig {
  /** Automatic persisted queries (register by hash, then send only the hash). `PLAZA_APQ`; default true. */
  apq: boolean;
  /** Largest total size of APQ texts kept in memory, in bytes of estimated heap (without Redis). `PLAZA_APQ_MAX_BYTES`; default 8 MiB. */
  apqMaxBytes: number;
  /** How long an APQ text stays in Redis after its last registration, in seconds. `PLAZA_APQ_TTL_SECONDS`; default 7 days. */
  apqTtlSeconds: number;
  /** Folder of published manifests the gateway watches (without Redis). `PLAZA_PQ_MANIFEST_DIR`; default `<PLAZA_DATA_DIR>/manifests`; null for none. */
  manifestDir: string | null;
  /** Mode of first-party and unknown clients. `PLAZA_PQ_MODE`; default allow. */
  defaultMode: ClientMode;
  /** Modes of named first-party clients. `PLAZA_PQ_CLIENT_MODES=homepage=safelist,miniprogram=audit`; default none. */
  clientModes: Record<string, ClientMode>;
  /** Partner API keys, hashed. `PLAZA_PARTNER_KEYS_FILE` (JSON file, re-read when it changes) or `PLAZA_PARTNER_KEYS` (the same JSON inline); default none. */
  partners: PartnerKey[];
  /** The file partners were read from, watched for revocations. Default none. */
  partnerKeysFile: string | null;
  /** Operators sending this secret in `x-plaza-pq-bypass` skip every mode check. `PLAZA_PQ_BYPASS_SECRET` (32+ characters); default none. */
  bypassSecret: string | null;
}

function readMode(variable: string, raw: string): ClientMode {
  if ((CLIENT_MODES as readonly string[]).includes(raw)) return raw as ClientMode;
  throw new ConfigError(variable, CLIENT_MODES.join(', '), raw);
}

/**
 * Partner keys from JSON: `[{"name":"acme","keySha256":"<64 hex>","mode":"require-id","revoked":false,"scopes":[]}]`
 * (or `{"partners":[…]}`); `variable` names where it came from in errors.
 */
export function parsePartnerKeys(variable: string, text: string): PartnerKey[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'JSON: [{"name","keySha256","mode"?,"revoked"?}, …]', text.slice(0, 80));
  }
  const list = Array.isArray(raw) ? raw : (raw as { partners?: unknown })?.partners;
  if (!Array.isArray(list)) throw new ConfigError(variable, 'a JSON array of partners (or {"partners":[…]})', text.slice(0, 80));
  const names = new Set<string>();
  const hashes = new Set<string>();
  return list.map((entry: unknown, index) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const where = `${variable} partner #${index}`;
    if (typeof e.name !== 'string' || !NAME_PATTERN.test(e.name)) throw new ConfigError(where, 'a name of letters, digits and ._+-', String(e.name));
    if (typeof e.keySha256 !== 'string' || !/^[a-f0-9]{64}$/.test(e.keySha256)) throw new ConfigError(`${where} (${e.name})`, 'keySha256: the lower-case hex SHA-256 of the key', String(e.keySha256));
    if (names.has(e.name)) throw new ConfigError(`${where} (${e.name})`, 'a name used once', e.name);
    if (hashes.has(e.keySha256)) throw new ConfigError(`${where} (${e.name})`, 'a key used once', '<hidden>');
    names.add(e.name);
    hashes.add(e.keySha256);
    const mode = e.mode === undefined ? 'require-id' : readMode(`${where} (${e.name}) mode`, String(e.mode));
    if (e.revoked !== undefined && typeof e.revoked !== 'boolean') throw new ConfigError(`${where} (${e.name}) revoked`, 'true or false', String(e.revoked));
    if (e.scopes !== undefined && !(Array.isArray(e.scopes) && e.scopes.every((s) => typeof s === 'string' && /^\S+$/.test(s)))) {
      throw new ConfigError(`${where} (${e.name}) scopes`, 'a list of scope names, e.g. ["partner:offers"]', JSON.stringify(e.scopes));
    }
    if (e.tier !== undefined && (typeof e.tier !== 'string' || !NAME_PATTERN.test(e.tier))) throw new ConfigError(`${where} (${e.name}) tier`, 'a tier name', String(e.tier));
    return { name: e.name, keySha256: e.keySha256, mode, revoked: e.revoked === true, ...(e.scopes ? { scopes: e.scopes as string[] } : {}), ...(e.tier ? { tier: e.tier as string } : {}) };
  });
}

function persistedQueriesFrom(s: Settings): PersistedQueriesConfig {
  const partnerKeysFile = s.PLAZA_PARTNER_KEYS_FILE;
  let partners: PartnerKey[] = [];
  if (partnerKeysFile) {
    let text: string;
    try {
      text = fs.readFileSync(partnerKeysFile, 'utf8');
    } catch {
      throw new ConfigError('PLAZA_PARTNER_KEYS_FILE', 'a readable JSON file', partnerKeysFile);
    }
    partners = parsePartnerKeys('PLAZA_PARTNER_KEYS_FILE', text);
  } else if (s.PLAZA_PARTNER_KEYS) {
    partners = parsePartnerKeys('PLAZA_PARTNER_KEYS', s.PLAZA_PARTNER_KEYS);
  }
  return {
    apq: s.PLAZA_APQ,
    apqMaxBytes: s.PLAZA_APQ_MAX_BYTES,
    apqTtlSeconds: s.PLAZA_APQ_TTL_SECONDS,
    // unset: <PLAZA_DATA_DIR>/manifests; empty: none
    manifestDir: s.PLAZA_PQ_MANIFEST_DIR === undefined ? path.resolve(s.PLAZA_DATA_DIR, 'manifests') : s.PLAZA_PQ_MANIFEST_DIR,
    defaultMode: s.PLAZA_PQ_MODE,
    clientModes: s.PLAZA_PQ_CLIENT_MODES,
    partners,
    partnerKeysFile,
    bypassSecret: s.PLAZA_PQ_BYPASS_SECRET,
  };
}

/** The persisted-query settings from the environment; a wrong value names its variable. */
export function readPersistedQueriesConfig(env: NodeJS.ProcessEnv = process.env): PersistedQueriesConfig {
  return persistedQueriesFrom(gatewaySettings(env, ['persisted-queries'], ['PLAZA_DATA_DIR']));
}

/** The persisted-query settings of a hand-built configuration: the schema's defaults, without a manifest folder. */
export const PERSISTED_QUERIES_DEFAULTS: PersistedQueriesConfig = Object.freeze({ ...readPersistedQueriesConfig({}), manifestDir: null });

/** The persisted-query settings of a gateway config, defaults filled in. */
export function persistedQueriesOf(config: Pick<GatewayConfig, 'persistedQueries'>): PersistedQueriesConfig {
  return { ...PERSISTED_QUERIES_DEFAULTS, ...config.persistedQueries };
}

/** Subgraph names as they appear in variable names: lower case, `_` for anything else. */
function normalized(subgraph: string): string {
  return subgraph.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

function checkUrl(variable: string, value: string): string {
  if (HTTP_URL.safeParse(value).success) return value;
  throw new ConfigError(variable, 'an http(s) URL', value);
}

/** A configuration as readGatewayConfig reads it: every section complete. */
export interface CompleteGatewayConfig extends GatewayConfig {
  operations: OperationsConfig;
  redisUrl: string | null;
  security: SecurityConfig;
  persistedQueries: PersistedQueriesConfig;
  pages: PagesConfig;
  responseCache: ResponseCacheConfig;
}

/** The settings the gateway reads. */
const GATEWAY_PARTS: Part[] = ['common', 'gateway', 'pages', 'security', 'operations', 'persisted-queries', 'response-cache'];

export function readGatewayConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): CompleteGatewayConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      supergraph: { type: 'string' },
      port: { type: 'string' },
      subgraph: { type: 'string', multiple: true },
    },
    strict: true,
  });
  // a flag wins over its variable (and a wrong value is reported under the variable's name)
  const flagged = values.port !== undefined || values.supergraph !== undefined;
  const s = gatewaySettings(
    flagged
      ? { ...env, ...(values.port !== undefined ? { PLAZA_GATEWAY_PORT: values.port } : {}), ...(values.supergraph !== undefined ? { PLAZA_SUPERGRAPH: values.supergraph } : {}) }
      : env,
    GATEWAY_PARTS,
  );
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('PLAZA_SUBGRAPH_URL_') && value) subgraphUrls[normalized(key.slice('PLAZA_SUBGRAPH_URL_'.length))] = checkUrl(key, value);
  }
  for (const pair of values.subgraph ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new ConfigError('--subgraph', 'name=url', pair);
    subgraphUrls[normalized(pair.slice(0, eq))] = checkUrl('--subgraph', pair.slice(eq + 1));
  }
  const security = securityFrom(s);
  const persistedQueries = persistedQueriesFrom(s);
  for (const partner of persistedQueries.partners) {
    if (partner.tier && !security.partnerTiers[partner.tier]) {
      throw new ConfigError(`partner "${partner.name}" tier`, `one of the tiers in PLAZA_PARTNER_TIERS (${Object.keys(security.partnerTiers).join(', ') || 'none set'})`, partner.tier);
    }
  }
  return {
    supergraphPath: s.PLAZA_SUPERGRAPH,
    port: s.PLAZA_GATEWAY_PORT,
    host: s.PLAZA_HOST,
    subgraphUrls,
    internalSecret: s.PLAZA_INTERNAL_SECRET,
    jwtSecret: s.PLAZA_JWT_SECRET,
    maxBodyBytes: s.PLAZA_MAX_BODY_BYTES,
    production: isProduction(env),
    operations: fieldsFrom(s, OPERATIONS_FIELDS),
    redisUrl: s.PLAZA_REDIS_URL,
    security,
    persistedQueries,
    pages: pagesFrom(s),
    responseCache: responseCacheFrom(s),
    ...(s.PLAZA_HEADER_RULES ? { headerRules: parseHeaderRules('PLAZA_HEADER_RULES', s.PLAZA_HEADER_RULES) } : {}),
  };
}

/** The URL override for a subgraph, matched by name case-insensitively. */
export function subgraphUrlOverride(config: Pick<GatewayConfig, 'subgraphUrls'>, name: string): string | undefined {
  return config.subgraphUrls[normalized(name)];
}

/** The response cache (see gateway/plugins/response-cache.ts). */
export interface ResponseCacheConfig {
  /** Cache whole answers to anonymous queries as long as the subgraphs' cache hints allow. `PLAZA_RESPONSE_CACHE`; default false. */
  enabled: boolean;
  /** Memory budget of the cache without Redis, in bytes (with `PLAZA_REDIS_URL` answers live in Redis). `PLAZA_RESPONSE_CACHE_MAX_BYTES`; default 64 MiB. */
  maxBytes: number;
}

function responseCacheFrom(s: Settings): ResponseCacheConfig {
  return { enabled: s.PLAZA_RESPONSE_CACHE, maxBytes: s.PLAZA_RESPONSE_CACHE_MAX_BYTES };
}

/** The response-cache settings from the environment; a wrong value names its variable. */
export function readResponseCacheConfig(env: NodeJS.ProcessEnv = process.env): ResponseCacheConfig {
  return responseCacheFrom(gatewaySettings(env, ['response-cache']));
}

/** The response-cache settings of a hand-built configuration: the schema's defaults (off). */
export const RESPONSE_CACHE_CONFIG_DEFAULTS: ResponseCacheConfig = Object.freeze(readResponseCacheConfig({}));

/** The response-cache settings of a gateway config, defaults filled in. */
export function responseCacheOf(config: Pick<GatewayConfig, 'responseCache'>): ResponseCacheConfig {
  return { ...RESPONSE_CACHE_CONFIG_DEFAULTS, ...config.responseCache };
}
