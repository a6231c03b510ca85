/**
 * Every setting of Plaza, stated once: its variable, type, range, default and meaning, as
 * one zod schema. A process parses the variables of its own parts once at start-up (the
 * gateway through gateway/config.ts, a subgraph through platform/config.ts, the CLIs, the
 * bench, the heap target and the logger through `settingsFor()` below, which keeps what it
 * parsed from process.env); a wrong value throws ConfigError naming the variable and what
 * it expects. Rules that depend on production (published secrets refused, the sandbox
 * provider and the playground off, secrets required) are part of each setting's schema,
 * built for production or development. docs/settings.md's table is generated from this
 * schema (`npx tsx platform/settings.ts --write-docs`; test/config.test.ts checks it is current).
 *
 * Why a module of its own and not platform/config.ts: this file is the declarative table
 * (what each variable is); config.ts and gateway/config.ts turn parsed values into the
 * SubgraphConfig and GatewayConfig shapes and hold the rules that span several settings
 * or need more than a variable (the partners' tiers, the keys file, the header rules'
 * JSON), which platform/ may not know about (it imports neither the gateway nor the
 * subgraphs). Keeping the table apart lets the docs generator and the bench read it
 * without either.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The five subgraphs, in start order, with their default ports. */
export const SUBGRAPH_PORTS = {
  users: 4001,
  merchants: 4002,
  coupons: 4003,
  membership: 4004,
  placements: 4005,
} as const;

export type SubgraphName = keyof typeof SUBGRAPH_PORTS;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_PORTS) as SubgraphName[];

export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

/** The development-only internal secret; production refuses to start without a real one. */
export const DEV_INTERNAL_SECRET = 'plaza-dev-internal-secret-do-not-use-in-production';
/** The development-only bearer-token secret; production never uses it. */
export const DEV_JWT_SECRET = 'plaza-dev-jwt-secret-do-not-use-in-production';
/** The development-only provider key; production refuses to start without a real one. */
export const SANDBOX_PROVIDER_KEY = 'plaza-sandbox-payment-provider-key-dev-only';

/**
 * Secrets anyone can read in this repository: the development defaults and the
 * placeholders of the example deployment. Production refuses each of them.
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  DEV_INTERNAL_SECRET,
  DEV_JWT_SECRET,
  SANDBOX_PROVIDER_KEY,
  // gateway/deploy/kubernetes/secrets.example.yaml
  'replace-with-at-least-32-random-characters',
  'replace-with-the-bearer-token-secret',
  'replace-with-the-key-your-payment-provider-signs-with',
]);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How a client's operations are checked against the registered (persisted) ones. */
export type ClientMode = 'allow' | 'audit' | 'safelist' | 'require-id';
export const CLIENT_MODES: readonly ClientMode[] = ['allow', 'audit', 'safelist', 'require-id'];

/** A rate-limit bucket: `burst` requests at once, `perSecond` a second after that (gateway/stores/buckets.ts says how the two are counted). */
export interface BucketSettings {
  burst: number;
  perSecond: number;
}

/** Where the repository's pages are built (`npm run build:pages`). */
const PAGES_DIR = path.resolve(import.meta.dirname, '..', 'dist', 'pages');

// ---------------------------------------------------------------------------------------
// Value types. Each takes the variable's text (undefined when unset); an empty text counts
// as unset. A failed check's message is what the variable expects (ConfigError's words).

/** What a bad value shows in the ConfigError, when not the variable's text. */
interface Shown {
  /** Show this instead of the text. */
  got?: string;
  /** Show nothing (a required value missing). */
  missing?: boolean;
}

type Ctx = z.RefinementCtx<unknown>;

function problem(ctx: Ctx, expected: string, shown: Shown = {}): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message: expected, params: shown });
  return z.NEVER;
}

/** The production flag the schema of the moment is built for (defaults and rules depend on it). */
interface Mode {
  production: boolean;
}

/** A default that differs in production. */
interface ByMode<T> {
  development: T;
  production: T;
}

type Fallback<T> = T | ByMode<T>;

function isByMode<T>(value: Fallback<T>): value is ByMode<T> {
  return typeof value === 'object' && value !== null && 'development' in value && 'production' in value;
}

function pick<T>(fallback: Fallback<T>, mode: Mode): T {
  return isByMode(fallback) ? (mode.production ? fallback.production : fallback.development) : fallback;
}

const blank = (raw: unknown) => (raw === '' ? undefined : raw);

/** A variable: `check` turns a set text into a value; unset (or empty) gives the default. */
function variable<T>(check: (raw: string, ctx: Ctx, mode: Mode) => T, fallback: (mode: Mode, ctx: Ctx) => T) {
  return (mode: Mode) =>
    z
      .string()
      .optional()
      .transform((raw, ctx): T => (raw === undefined || raw === '' ? fallback(mode, ctx) : check(raw, ctx, mode)));
}

function shownDefault(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return `\`${JSON.stringify(value)}\``;
  return `\`${String(value)}\``;
}

function shownFallback<T>(fallback: Fallback<T>, show: (value: T) => string = shownDefault): string {
  if (!isByMode(fallback)) return show(fallback);
  if (show(fallback.development) === show(fallback.production)) return show(fallback.development);
  return `${show(fallback.development)} (production: ${show(fallback.production)})`;
}

/** Which processes read a variable: a process parses the settings of its parts only. */
export type Part =
  | 'common'
  | 'subgraph'
  | 'coupons'
  | 'gateway'
  | 'pages'
  | 'security'
  | 'operations'
  | 'persisted-queries'
  | 'response-cache'
  | 'heap'
  | 'cli'
  | 'bench'
  | `database:${SubgraphName}`;

export interface Setting<T> {
  /** What the variable does, as docs/settings.md says it. */
  readonly description: string;
  /** The default, as docs/settings.md shows it. */
  readonly shown: string;
  /** The docs row this variable is listed under (`PLAZA_<NAME>_PORT` for the five ports). */
  readonly row?: string;
  readonly part: Part;
  /** A secret: its text is never shown in an error. */
  readonly secret?: boolean;
  readonly schema: (mode: Mode) => z.ZodType<T, unknown>;
}

function setting<T>(part: Part, description: string, shown: string, schema: (mode: Mode) => z.ZodType<T, unknown>, extra: Partial<Pick<Setting<T>, 'row' | 'secret'>> = {}): Setting<T> {
  return { part, description, shown, schema, ...extra };
}

// The value types, each with its own default.

function bool(part: Part, fallback: Fallback<boolean>, description: string, rule?: (value: boolean, ctx: Ctx, mode: Mode, raw: string | undefined) => void): Setting<boolean> {
  return setting(part, description, shownFallback(fallback), (mode) =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        let value: boolean;
        if (raw === undefined || raw === '') value = pick(fallback, mode);
        else if (['1', 'true', 'yes'].includes(raw)) value = true;
        else if (['0', 'false', 'no'].includes(raw)) value = false;
        else return problem(ctx, 'true or false');
        rule?.(value, ctx, mode, raw);
        return value;
      }),
  );
}

const PORT = z.coerce.number({ error: 'a port number 0-65535' }).int({ error: 'a port number 0-65535' }).min(0, { error: 'a port number 0-65535' }).max(65535, { error: 'a port number 0-65535' });

function port<T extends number | null>(part: Part, fallback: T, description: string, extra: { row?: string; shown?: string } = {}): Setting<number | T> {
  return setting(part, description, extra.shown ?? shownFallback(fallback), () => z.preprocess(blank, PORT.optional()).transform((v) => v ?? fallback), { row: extra.row });
}

function positive(part: Part, fallback: number, description: string, shown?: string): Setting<number> {
  const expected = 'a positive whole number';
  return setting(part, description, shown ?? shownFallback(fallback), () =>
    z.preprocess(blank, z.coerce.number({ error: expected }).int({ error: expected }).positive({ error: expected }).default(fallback)),
  );
}

/** Plain text; an empty value counts as unset. */
function text<T extends string | null>(part: Part, fallback: T, description: string, shown?: string): Setting<string | T> {
  return setting(part, description, shown ?? shownFallback(fallback), () => z.preprocess(blank, z.string().default(fallback as string)) as z.ZodType<string | T, unknown>);
}

function oneOf<const T extends string>(part: Part, values: readonly T[], fallback: T, description: string, expected = values.join(', ')): Setting<T> {
  return setting(part, description, shownFallback(fallback), () => z.preprocess(blank, z.enum(values as [T, ...T[]], { error: expected }).default(fallback as never)) as z.ZodType<T, unknown>);
}

/** A path, resolved against the working directory when read. */
function filePath<T extends string | null>(part: Part, fallback: T, description: string, shown?: string): Setting<string | T> {
  return setting(part, description, shown ?? shownFallback(fallback), () =>
    z.preprocess(blank, z.string().optional()).transform((v) => (v !== undefined ? path.resolve(v) : fallback === null ? fallback : (path.resolve(fallback) as T))),
  );
}

function httpUrl(raw: string, ctx: Ctx): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // reported below
  }
  return problem(ctx, 'an http(s) URL');
}

/** An http(s) URL check on its own, for the gateway's overrides of subgraphs not among the five. */
export const HTTP_URL = z.string().transform((raw, ctx) => httpUrl(raw, ctx));

function url(part: Part, description: string, shown = '—', extra: { row?: string } = {}): Setting<string | null> {
  return setting(part, description, shown, variable(httpUrl, () => null), extra);
}

/** A secret of 32+ characters; production refuses the published ones. */
function secret(
  part: Part,
  fallback: ByMode<string | null>,
  rules: { minLength: number; missingInProduction: string | null },
  description: string,
  shown: string,
): Setting<string | null> {
  return setting(
    part,
    description,
    shown,
    variable(
      (raw, ctx, mode) => {
        if (raw.length < rules.minLength) return problem(ctx, `at least ${rules.minLength} characters`, { got: '<hidden>' });
        if (mode.production && PUBLISHED_SECRETS.has(raw)) {
          return problem(ctx, 'a secret of your own in production, not one published in the Plaza repository', { got: '<hidden>' });
        }
        return raw;
      },
      (mode, ctx) => {
        if (mode.production && rules.missingInProduction) return problem(ctx, rules.missingInProduction, { missing: true });
        return pick(fallback, mode);
      },
    ),
    { secret: true },
  );
}

/** A secret of 32+ characters production cannot start without (`what`, then "(required in production)"); development falls back to `development`. */
function requiredSecret(part: Part, development: string, what: string, shown: string, description: string): Setting<string> {
  return secret(part, { development, production: null }, { minLength: 32, missingInProduction: `${what} (required in production)` }, description, shown) as Setting<string>;
}

function databaseUrl(raw: string, ctx: Ctx): string {
  if (/^(postgres|postgresql):\/\//.test(raw) || raw.startsWith('file:')) return raw;
  return problem(ctx, 'a postgres:// URL or file:<path>');
}

const BUCKET = /^(\d+)\/(\d+(?:\.\d+)?)$/;

function bucket(fallback: BucketSettings, description: string): Setting<BucketSettings> {
  return setting(
    'security',
    description,
    `\`${fallback.burst}/${fallback.perSecond}\``,
    variable(
      (raw, ctx) => {
        const match = BUCKET.exec(raw);
        if (!match || Number(match[1]) < 1 || Number(match[2]) <= 0) return problem(ctx, 'burst/perSecond, e.g. 600/300');
        return { burst: Number(match[1]), perSecond: Number(match[2]) };
      },
      () => ({ ...fallback }),
    ),
  );
}

/** `name=value,name=value` pairs. */
function pairs<T>(
  part: Part,
  description: string,
  expected: string,
  valuePattern: string,
  value: (text: string, ctx: Ctx) => T | undefined,
  options: { skipEmpty: boolean },
): Setting<Record<string, T>> {
  const pair = new RegExp(`^\\s*([^=\\s]+)\\s*=\\s*(${valuePattern})\\s*$`);
  return setting(
    part,
    description,
    '—',
    variable(
      (raw, ctx) => {
        const result: Record<string, T> = {};
        for (const item of raw.split(',').filter((p) => !options.skipEmpty || p.trim())) {
          const match = pair.exec(item);
          const parsed = match ? value(match[2], ctx) : undefined;
          if (!match) return problem(ctx, expected);
          if (parsed === undefined) return z.NEVER;
          result[match[1]] = parsed;
        }
        return result;
      },
      () => ({}),
    ),
  );
}

/** The five variables of one kind, one per subgraph (`PLAZA_USERS_PORT` …), listed as one docs row. */
function perSubgraph<P extends string, S extends string, T>(prefix: P, suffix: S, make: (name: SubgraphName, row: string) => Setting<T>) {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${prefix}${name.toUpperCase()}${suffix}`, make(name, `${prefix}<NAME>${suffix}`)])) as {
    [N in SubgraphName as `${P}${Uppercase<N>}${S}`]: Setting<T>;
  };
}

const MiB = 1024 * 1024;

/** A local PostgreSQL server, as the development setup and CI run it. */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432';

/** Text taken as given: unlike the others, an empty value is a value (an empty CPU list: no pinning). */
function verbatim(part: Part, fallback: string, description: string, shown?: string): Setting<string> {
  return setting(part, description, shown ?? shownFallback(fallback), () => z.string().optional().transform((v) => v ?? fallback));
}

/** A number of at least `min`; `whole` for counts. */
function benchNumber<T extends number | null>(fallback: T, description: string, options: { whole?: boolean; min?: number; shown?: string } = {}): Setting<number | T> {
  const min = options.min ?? 0;
  const expected = options.whole ? `a whole number of at least ${min}` : `a number of at least ${min}`;
  return setting('bench', description, options.shown ?? shownFallback(fallback), () => {
    let number = z.coerce.number({ error: expected }).min(min, { error: expected });
    if (options.whole) number = number.int({ error: expected });
    return z.preprocess(blank, number.optional()).transform((v) => v ?? fallback);
  });
}

/** A comma-separated list (items trimmed), or null when unset. */
function list(part: Part, description: string, shown = '— (all)'): Setting<string[] | null> {
  return setting(part, description, shown, () => z.string().optional().transform((v) => (v === undefined ? null : v.split(',').map((item) => item.trim()))));
}

/** What `npm run bench` measures by default, and with `--quick`. */
export const BENCH_RUN_DEFAULTS = { duration: { full: 6, quick: 4 }, rounds: { full: 5, quick: 1 }, guildRounds: { full: 5, quick: 1 } } as const;
export const BENCH_SECTIONS = ['gateways', 'overhead', 'money', 'hostile', 'memory', 'impressions', 'subscriptions'] as const;
const CORES = os.cpus().length;

/** Old-generation heap a process aims to stay under, in MiB, by kind of process (see platform/heap.ts). */
export const HEAP_TARGET_DEFAULTS = { gateway: 96, subgraph: 72 } as const;

// ---------------------------------------------------------------------------------------
// The settings. Order is the order of the docs table, and of the checks at start-up.

export const SETTINGS = {
  NODE_ENV: setting<string | null>(
    'common',
    '`production` turns off stack traces, introspection, validation suggestions, `/metrics` on the public port and every development default below',
    '—',
    () => z.preprocess(blank, z.string().optional()).transform((v) => v ?? null),
  ),
  PLAZA_HOST: text('common', '127.0.0.1', 'interface every server binds'),
  PLAZA_LOG_LEVEL: oneOf('common', LOG_LEVELS, 'info', "pino's log level of every process (`fatal` … `trace`, or `silent`)"),
  PLAZA_INTERNAL_SECRET: requiredSecret('common', DEV_INTERNAL_SECRET, 'a secret shared by gateway and subgraphs', 'a development secret',
    'secret (32+ characters) shared by gateway and subgraphs; required in production, where the development secret and the example deployment\'s placeholder stop start-up',
  ),
  PLAZA_HEAP_TARGET_MIB: setting<number | null>(
    'heap',
    'old-generation heap a process aims to stay under, in MiB (`0`: V8 decides); see platform/heap.ts',
    `gateway \`${HEAP_TARGET_DEFAULTS.gateway}\`, subgraphs \`${HEAP_TARGET_DEFAULTS.subgraph}\``,
    () => {
      const expected = 'a whole number of MiB (0: V8 decides)';
      return z.preprocess(blank, z.coerce.number({ error: expected }).int({ error: expected }).min(0, { error: expected }).max(1_048_576, { error: expected }).optional()).transform((v) => v ?? null);
    },
  ),

  // the gateway
  PLAZA_GATEWAY_PORT: port('gateway', 4000, 'gateway port (`--port` on `npm run gateway`)'),
  PLAZA_SUPERGRAPH: filePath('gateway', 'schema/supergraph.graphql', 'supergraph the gateway serves (`--supergraph`)'),
  ...perSubgraph('PLAZA_SUBGRAPH_URL_', '', (_name, row) =>
    url(
      'common',
      'where the gateway reaches subgraph `<name>` (`--subgraph name=url`), and where the subgraphs reach each other; any `PLAZA_SUBGRAPH_URL_<NAME>` names a subgraph of the supergraph for the gateway',
      'URL in the supergraph (subgraphs: `http://<PLAZA_HOST>:<PLAZA_<NAME>_PORT>/graphql`)',
      { row },
    ),
  ),
  PLAZA_JWT_SECRET: secret(
    'gateway',
    { development: DEV_JWT_SECRET, production: null },
    { minLength: 1, missingInProduction: null },
    'HS256 secret of bearer tokens; without it in production, HS256 bearer tokens are refused; the development secret and the example placeholder stop a production start-up',
    'a development secret (production: none)',
  ),
  PLAZA_MAX_BODY_BYTES: positive('gateway', MiB, 'largest request body the gateway accepts (`413 REQUEST_TOO_LARGE` above)'),
  PLAZA_REDIS_URL: setting<string | null>(
    'common',
    'Redis for state gateway replicas share (APQ, manifests, use counts, rate limits, the response cache) and for the events subgraphs publish to subscriptions (pub/sub; without it, events stay in their process)',
    '—',
    variable((raw, ctx) => (/^rediss?:\/\/\S+$/.test(raw) ? raw : problem(ctx, 'a redis:// or rediss:// URL')), () => null),
  ),
  PLAZA_HEADER_RULES: text('gateway', null, 'request headers passed to subgraphs and answer headers passed back (JSON; see docs/header-rules.md)'),

  // the subgraphs
  ...perSubgraph('PLAZA_', '_PORT', (name, row) =>
    port('subgraph', SUBGRAPH_PORTS[name], "a subgraph's port", { row, shown: SUBGRAPH_NAMES.map((n) => `${n} ${SUBGRAPH_PORTS[n]}`).join(', ') }),
  ),
  PLAZA_DATA_DIR: text('common', 'data', 'folder of the SQLite files (`<name>.db`) and of published manifests (`manifests/`)'),
  PLAZA_DATABASE_URL: setting<string | null>(
    'subgraph',
    'a `postgres://` server URL: each subgraph then uses its own database `plaza_<name>` on it',
    '—',
    variable((raw, ctx) => {
      if (!/^(postgres|postgresql):\/\//.test(raw) && !raw.startsWith('file:')) return problem(ctx, 'a postgres:// URL or file:<path>');
      if (!raw.startsWith('postgres')) return problem(ctx, 'a postgres:// server URL');
      return raw;
    }, () => null),
  ),
  ...perSubgraph('PLAZA_', '_DATABASE_URL', (name, row) =>
    setting<string | null>(`database:${name}`, "one subgraph's own database (`postgres://…` or `file:<path>`), wins over the two above", '—', variable(databaseUrl, () => null), { row }),
  ),
  PLAZA_SEED: bool('subgraph', true, "seed a subgraph's database when it is empty"),
  PLAZA_SEED_SCALE: oneOf('subgraph', ['small', 'large'] as const, 'small', '`small` (3,000 users, 300 merchants) or `large`', 'small or large'),
  PLAZA_COUNT_IMPRESSIONS: bool('subgraph', true, 'the placements subgraph counts the impressions it serves'),
  PLAZA_PEER_TIMEOUT_MS: positive('subgraph', 5_000, 'time allowed for one call a subgraph makes to another (a confirmed payment crediting points), in ms'),
  PLAZA_PAYMENT_SANDBOX: bool('coupons', { development: true, production: false }, 'the development sandbox may play the payment provider (never in production)', (value, ctx, mode, raw) => {
    if (mode.production && value) problem(ctx, 'false in production (the sandbox provider is for development)', raw === undefined ? { missing: true } : {});
  }),
  PLAZA_PAYMENT_PROVIDER_KEY: requiredSecret('coupons', SANDBOX_PROVIDER_KEY, "the payment provider's notification key", 'the sandbox key',
    'HMAC key (32+ characters) the payment provider signs its notifications with (coupons subgraph); required in production',
  ),

  // pages
  PLAZA_PLAYGROUND: bool('pages', { development: true, production: false }, 'GraphiQL at /playground/ (and a browser\'s GET on /graphql), with development tokens; never in production', (value, ctx, mode, raw) => {
    if (mode.production && value) problem(ctx, 'false in production (the playground is a development tool)', { got: raw ?? '' });
  }),
  PLAZA_CLIENT_PAGES: bool('pages', { development: true, production: false }, 'the homepage, mini-program and console pages at /homepage/, /miniprogram/ and /console/'),
  PLAZA_PAGES_DIR: filePath('pages', PAGES_DIR, 'folder of the built pages (`npm run build:pages`)', '`dist/pages`'),

  // security
  PLAZA_JWKS_URL: url('security', 'JWKS endpoint of the identity provider (RS256/ES256 tokens, keys by `kid`)'),
  PLAZA_JWKS_FILE: filePath('security', null, 'local JSON Web Key Set file, re-read when a token names an unknown `kid`'),
  PLAZA_JWKS_COOLDOWN_MS: positive('security', 30_000, 'shortest wait between two JWKS fetches caused by unknown `kid`s, in ms'),
  PLAZA_JWT_ISSUER: text('security', 'plaza', 'expected `iss` claim of bearer tokens'),
  PLAZA_JWT_AUDIENCE: text('security', 'plaza-api', 'expected `aud` claim of bearer tokens'),
  PLAZA_JWT_SCOPE_CLAIM: text('security', 'scope', "claim holding the caller's scopes (space-separated string or array)"),
  PLAZA_MAX_DEPTH: positive('security', 12, 'deepest field nesting accepted'),
  PLAZA_MAX_ALIASES: positive('security', 30, 'most aliases in one document'),
  PLAZA_MAX_ROOT_FIELDS: positive('security', 20, 'most root fields in one operation'),
  PLAZA_MAX_TOKENS: positive('security', 5000, 'most lexical tokens in one document'),
  PLAZA_MAX_DOCUMENT_LENGTH: positive('security', 65_536, 'longest GraphQL document, in characters (variables not counted)'),
  PLAZA_MAX_SELECTIONS: positive('security', 1000, 'most selections in one operation once its fragments are expanded'),
  PLAZA_MAX_REPEATED_FIELDS: positive('security', 20, 'most fields sharing one response path, fragments expanded'),
  PLAZA_COST_BUDGET: positive('security', 10_000, 'estimated cost (@cost/@listSize) allowed per operation for clients without their own budget'),
  PLAZA_COST_BUDGETS: pairs('security', 'per-client cost budgets: `name=n,name=n`', 'client=budget pairs separated by commas', '\\d+', (n, ctx) =>
    Number(n) > 0 ? Number(n) : (problem(ctx, 'client=budget pairs separated by commas'), undefined),
    { skipEmpty: false },
  ),
  PLAZA_COST_LIST_SIZE: positive('security', 10, 'assumed size of a list without @listSize or slicing argument'),
  PLAZA_RATE_LIMIT: bool('security', { development: false, production: true }, 'rate limiting per IP and per client'),
  PLAZA_RATE_LIMIT_IP: bucket({ burst: 600, perSecond: 300 }, 'rate-limit bucket per client IP: `burst/perSecond`'),
  PLAZA_RATE_LIMIT_CLIENT: bucket({ burst: 3000, perSecond: 1500 }, 'rate-limit bucket per known client (partner or first-party app): `burst/perSecond`'),
  PLAZA_TRUST_PROXY: bool('security', false, 'take the client IP from the last `X-Forwarded-For` entry (behind a trusted load balancer)'),
  PLAZA_PARTNER_TIERS: text('security', null, "partner tiers by name (JSON: rate, burst and daily and monthly quotas); a partner's keys entry names its tier (else `default`)", '— (no partner quotas)'),
  PLAZA_PARTNER_INTROSPECTION: bool('security', false, 'partners may introspect the partner contract (never the whole graph)'),
  PLAZA_CORS_ORIGINS: setting<string[] | null>(
    'security',
    'origins allowed to call from a browser: `https://a,https://b`',
    'any in development, none in production',
    variable(
      (raw, ctx) => {
        const origins = raw.split(',').map((o) => o.trim());
        if (origins.some((origin) => !/^https?:\/\/[^/\s]+$/.test(origin))) return problem(ctx, 'origins like https://app.example.com separated by commas');
        return origins;
      },
      () => null,
    ),
  ),

  // operations
  PLAZA_SUBGRAPH_FETCHER: oneOf('operations', ['undici', 'default'] as const, 'undici', "HTTP client of subgraph fetches: `undici` (keep-alive pool) or `default` (Node's fetch)", 'undici or default'),
  PLAZA_DEDUP: bool('operations', true, 'share one subgraph answer between identical in-flight queries of the same caller'),
  PLAZA_MERGE_FETCHES: bool('operations', true, 'send the entity fetches one request makes to one subgraph at the same moment as one request'),
  PLAZA_QUERY_PLAN_CACHE_MIB: positive('operations', 16, 'memory budget of the query-plan cache, in MiB of estimated heap'),
  PLAZA_DOCUMENT_CACHE_MIB: positive('operations', 12, 'memory budget of the cache of parsed and validated documents, in MiB of estimated heap'),
  PLAZA_SUBGRAPH_TIMEOUT_MS: positive('operations', 10_000, 'time allowed for one subgraph fetch, in ms'),
  PLAZA_SUBGRAPH_RETRIES: setting<number>('operations', 'extra attempts of a failed subgraph query (never a mutation), 0-9', '`1`', () =>
    z.preprocess(blank, z.string().regex(/^[0-9]$/, { error: 'a whole number 0-9' }).transform(Number).default(1)),
  ),
  PLAZA_BREAKER_FAILURES: positive('operations', 5, "consecutive failures that open a subgraph's circuit (fail fast)"),
  PLAZA_BREAKER_RESET_MS: positive('operations', 250, 'how long an open circuit fails fast before one probe request, in ms'),
  PLAZA_OTLP_ENDPOINT: url('operations', 'OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); tracing is off without it', '— (off)'),
  PLAZA_SUPERGRAPH_WATCH: bool('operations', true, 'switch to a new supergraph when the file changes'),
  PLAZA_DRAIN_TIMEOUT_MS: positive('operations', 25_000, 'longest wait for in-flight requests at shutdown, in ms'),
  PLAZA_METRICS_PORT: port('operations', null, "port of the operators' listener, which alone serves `/metrics` (0 picks a free one)", {
    shown: '— (`/metrics` beside GraphQL in development, not served in production)',
  }),

  PLAZA_SUBSCRIPTIONS_PER_CONNECTION: positive('operations', 20, 'most subscriptions one WebSocket connection may hold at once'),
  PLAZA_SUBSCRIPTIONS_PER_USER: positive('operations', 50, 'most subscriptions one signed-in user may hold at once on one gateway replica'),
  PLAZA_SUBSCRIPTION_KEEPALIVE_MS: positive('operations', 12_000, 'interval of WebSocket pings and SSE keep-alive comments, in ms; a WebSocket that misses a ping is closed'),
  PLAZA_SUBSCRIPTION_BACKLOG: positive('operations', 64, "most events of one subscription waiting for a slow client before it is dropped (SLOW_CONSUMER)"),

  // persisted queries
  PLAZA_APQ: bool('persisted-queries', true, 'automatic persisted queries (register by hash, then send only the hash)'),
  PLAZA_APQ_MAX_BYTES: positive('persisted-queries', 8 * MiB, 'largest total size of APQ texts kept in memory (without Redis), in bytes of estimated heap'),
  PLAZA_APQ_TTL_SECONDS: positive('persisted-queries', 7 * 24 * 3600, 'how long an APQ text stays in Redis after its last registration, in seconds'),
  PLAZA_PQ_MANIFEST_DIR: setting<string | null | undefined>(
    'persisted-queries',
    'folder of published manifests the gateway watches (without Redis); empty for none',
    '`<PLAZA_DATA_DIR>/manifests`',
    // unlike the others an empty value means something here: no folder
    () => z.string().optional().transform((v) => (v === undefined ? undefined : v === '' ? null : path.resolve(v))),
  ),
  PLAZA_PQ_MODE: oneOf('persisted-queries', CLIENT_MODES, 'allow', 'mode of first-party and unknown clients'),
  PLAZA_PQ_CLIENT_MODES: pairs('persisted-queries', 'modes of named first-party clients: `homepage=safelist,miniprogram=audit`', 'client=mode pairs separated by commas', '\\S+', (mode, ctx) =>
    (CLIENT_MODES as readonly string[]).includes(mode) ? (mode as ClientMode) : (problem(ctx, CLIENT_MODES.join(', '), { got: mode }), undefined),
    { skipEmpty: true },
  ),
  PLAZA_PARTNER_KEYS_FILE: filePath('persisted-queries', null, 'partner API keys, hashed (JSON file, re-read when it changes)'),
  PLAZA_PARTNER_KEYS: text('persisted-queries', null, 'the same JSON inline (when there is no keys file)'),
  PLAZA_PQ_BYPASS_SECRET: setting<string | null>(
    'persisted-queries',
    'operators sending this secret (32+ characters) in `x-plaza-pq-bypass` skip every mode check',
    '—',
    variable((raw, ctx) => (raw.length < 32 ? problem(ctx, 'at least 32 characters', { got: '<hidden>' }) : raw), () => null),
    { secret: true },
  ),

  // response cache
  PLAZA_RESPONSE_CACHE: bool('response-cache', false, 'cache whole answers to anonymous queries as long as the cache hints allow'),
  PLAZA_RESPONSE_CACHE_MAX_BYTES: positive('response-cache', 64 * MiB, 'memory budget of the response cache without Redis, in bytes'),

  // command-line tools
  PLAZA_MIGRATIONS_POSTGRES_URL: text('cli', LOCAL_POSTGRES, 'PostgreSQL server of the scratch databases `npm run migrations -- create` and `check` replay migrations on'),

  // the bench (npm run bench; see bench/)
  BENCH_DURATION: benchNumber(null, 'seconds measured per round; each target is measured once per round', {
    shown: `\`${BENCH_RUN_DEFAULTS.duration.full}\` (\`${BENCH_RUN_DEFAULTS.duration.quick}\` with \`--quick\`)`,
  }),
  BENCH_ROUNDS: benchNumber(null, 'rounds measured', { whole: true, min: 1, shown: `\`${BENCH_RUN_DEFAULTS.rounds.full}\` (\`${BENCH_RUN_DEFAULTS.rounds.quick}\` with \`--quick\`)` }),
  BENCH_WARMUP: benchNumber(5, 'seconds of each warm-up window a gateway gets before the measured rounds, until its CPU per request stops falling (1 s more of load before each round)'),
  BENCH_OVERHEAD_REQUESTS: benchNumber(null, 'requests measured per row of the unloaded overhead of the headline query (`overhead` section)', { whole: true, min: 10, shown: '`300` (`150` with `--quick`)' }),
  BENCH_OVERHEAD_WARMUP: benchNumber(null, 'requests each row of the unloaded overhead gets first, 4 at a time, so that its JIT has compiled the request path', { whole: true, min: 0, shown: '`3000` (`1000` with `--quick`)' }),
  BENCH_CONNECTIONS: benchNumber(10, 'connections of the load generator', { whole: true, min: 1 }),
  BENCH_GUILD_CONNECTIONS: benchNumber(50, 'connections of scenario G, as in the public gateways benchmark', { whole: true, min: 1 }),
  BENCH_GUILD_WARMUP: benchNumber(5, 'seconds of load before every round of scenario G'),
  BENCH_GUILD_ROUNDS: benchNumber(null, 'rounds measured of scenario G', {
    whole: true,
    min: 1,
    shown: `\`${BENCH_RUN_DEFAULTS.guildRounds.full}\` (\`BENCH_ROUNDS\` when set; \`${BENCH_RUN_DEFAULTS.guildRounds.quick}\` with \`--quick\`)`,
  }),
  BENCH_GATEWAY_CPUS: verbatim('bench', CORES >= 2 ? '0' : '', 'taskset CPU list of the gateway (empty: not pinned)', '`0` on 2 cores or more, else not pinned'),
  BENCH_OTHER_CPUS: verbatim(
    'bench',
    CORES > 2 ? `1-${CORES - 1}` : CORES === 2 ? '1' : '',
    'taskset CPU list of the subgraphs and the load generator (empty: not pinned)',
    'the cores but the first (not pinned on one core)',
  ),
  BENCH_SHARE_GATEWAY_CORE: bool('bench', true, "under a gateway CPU quota, the gateways section's subgraphs and load generator may run on every core, the gateway's too (its quota leaves most of it idle); false keeps them on BENCH_OTHER_CPUS"),
  BENCH_GATEWAY_CPU_QUOTA: setting<number>('bench', "the gateway's CPU quota, in cores (0: no quota)", '`0.4`', () => {
    const expected = '0 (no quota) or a number of cores of at least 0.05';
    return z.preprocess(blank, z.coerce.number({ error: expected }).refine((v) => v === 0 || v >= 0.05, { error: expected }).default(0.4));
  }),
  BENCH_OUT: verbatim('bench', path.resolve(import.meta.dirname, '..', 'bench', 'RESULTS.md'), 'file the results are written to', '`bench/RESULTS.md`'),
  BENCH_PROFILE_SCENARIO: verbatim('bench', '2', 'the scenario `--profile` profiles Plaza under'),
  BENCH_PROFILE_VARIANT: verbatim('bench', 'plaza', 'the Plaza variant `--profile` profiles'),
  BENCH_CHECKOUTS: list(
    'bench',
    'other Plaza checkouts whose gateways run beside this one, as `label=directory` separated by commas (e.g. `before=/tmp/plaza-before`, a git worktree of an earlier commit with its node_modules linked): variants `plaza (label)` and `plaza (label) dedup-off`',
    '—',
  ),
  BENCH_SECTIONS: setting<string[]>('bench', `sections run, separated by commas: ${BENCH_SECTIONS.join(', ')}`, '— (all)', () =>
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const sections = (v ?? BENCH_SECTIONS.join(',')).split(',').map((section) => section.trim());
        const wrong = sections.find((section) => !(BENCH_SECTIONS as readonly string[]).includes(section));
        return wrong === undefined ? sections : problem(ctx, `sections among ${BENCH_SECTIONS.join(', ')}, separated by commas`, { got: wrong });
      }),
  ),
  BENCH_SCENARIOS: list('bench', 'scenarios of the gateways section run (ids, separated by commas)'),
  BENCH_VARIANTS: list('bench', 'gateway variants measured besides the baseline (names, separated by commas)'),
  BENCH_HIVE_DEDUP: bool('bench', true, "the Hive gateway variant's deduplication of identical in-flight subgraph requests"),
  BENCH_RECORD: bool('bench', false, 'the baseline gateway records what it sends, served on `BENCH_RECORD_PORT`'),
  BENCH_RECORD_PORT: port('bench', 0, "port of the baseline gateway's record (0 picks a free one)"),
  BENCH_MEMORY_OPERATIONS: benchNumber(100_000, 'persisted operations of the memory flood', { whole: true }),
  BENCH_MEMORY_CITIES: benchNumber(100_000, 'cities asked about in the memory flood', { whole: true }),
  BENCH_MEMORY_EVERY: benchNumber(10_000, 'requests between two memory samples', { whole: true, min: 1 }),
  BENCH_MEMORY_CONCURRENCY: benchNumber(16, 'requests in flight during the memory flood', { whole: true, min: 1 }),
  BENCH_MONEY_ROUNDS: benchNumber(5, 'rounds of the money-under-contention bench, after the warm-up round', { whole: true, min: 1 }),
  BENCH_MONEY_EXCHANGES: benchNumber(100, 'exchanges sent at once in a round of the money bench', { whole: true, min: 1 }),
  BENCH_MONEY_BUSY: benchNumber(2 * CORES, 'processes spinning on the CPU during the second set of money rounds (0: no second set)', { whole: true, shown: 'twice the cores' }),
  BENCH_POSTGRES_URL: verbatim('bench', LOCAL_POSTGRES, 'PostgreSQL server of the money bench'),
  BENCH_HOSTILE_REPEATS: benchNumber(3, 'repeats of each hostile document family', { whole: true, min: 1 }),
  BENCH_HOSTILE_SENDERS: benchNumber(2, 'connections sending hostile documents', { whole: true, min: 1 }),
  BENCH_HOSTILE_PROBE_MS: benchNumber(10, 'interval of the probe requests during the hostile bench, in ms'),
  BENCH_HOSTILE_FAMILIES: setting<string[]>('bench', 'hostile document families run (names, separated by commas)', '— (all)', () =>
    z.string().optional().transform((v) => (v ?? '').split(',').map((f) => f.trim()).filter(Boolean)),
  ),
  IMPRESSIONS_ROUNDS: benchNumber(3, 'rounds of the impression-counting bench (`bench/impressions.ts`)', { whole: true, min: 1 }),
  IMPRESSIONS_DURATION: benchNumber(10, 'seconds measured per round of the impression-counting bench'),
  IMPRESSIONS_CONNECTIONS: benchNumber(10, 'connections of the impression-counting bench', { whole: true, min: 1 }),
  SUBSCRIPTIONS_SUBSCRIBERS: benchNumber(5000, 'WebSocket subscribers of the subscription bench (`bench/subscriptions.ts`), two per user', { whole: true, min: 2 }),
  SUBSCRIPTIONS_RATE: benchNumber(500, 'events published per second in the subscription bench (each reaches its user\'s two subscribers: 1,000 deliveries a second)', { whole: true, min: 1 }),
  SUBSCRIPTIONS_DURATION: benchNumber(20, 'seconds measured in the subscription bench'),
} as const;

export type SettingName = keyof typeof SETTINGS;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
/** The parsed settings: every variable's value, defaults filled in. */
export type Settings = { -readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

/** The names of the settings of the given parts (and always NODE_ENV). */
export function settingsOf(...parts: Part[]): SettingName[] {
  return (Object.keys(SETTINGS) as SettingName[]).filter((name) => name === 'NODE_ENV' || parts.includes(SETTINGS[name].part));
}

/** A setting's default (outside production), as the schema states it. */
export function defaultOf<K extends SettingName>(name: K): Settings[K] {
  return parseSettings({}, [name])[name];
}

export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production';
}

const schemas = new Map<string, z.ZodType>();

/** The zod schema of the named settings, for production or development. */
export function settingsSchema<K extends SettingName>(names: readonly K[], production: boolean): z.ZodType<Pick<Settings, K>> {
  const key = `${production}:${names.join(',')}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = z.object(Object.fromEntries(names.map((name) => [name, SETTINGS[name].schema({ production })])));
    schemas.set(key, schema);
  }
  return schema as z.ZodType<Pick<Settings, K>>;
}

/**
 * Parses the named settings (default: all) from `env`; the first wrong value throws a
 * ConfigError naming its variable and what it expects.
 */
export function parseSettings<K extends SettingName>(env: NodeJS.ProcessEnv, names: readonly K[]): Pick<Settings, K> {
  const input = Object.fromEntries(names.map((name) => [name, env[name]]));
  const result = settingsSchema(names, isProduction(env)).safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue.path[0]) as SettingName;
  const shown = ((issue as { params?: Shown }).params ?? {}) as Shown;
  const raw = env[name];
  const got = shown.missing ? undefined : shown.got !== undefined ? shown.got : SETTINGS[name]?.secret ? (raw ? '<hidden>' : undefined) : raw;
  throw new ConfigError(name, issue.message, got);
}

const parsedFromProcess = new Map<string, unknown>();

/**
 * The named settings of this process: parsed from process.env the first time they are
 * asked for, then kept (a process reads only the settings of its own parts, so a gateway
 * never fails on a subgraph's variable). With another `env` (tests, a child's
 * environment), parsed from it each time.
 */
export function settingsFor<K extends SettingName>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Pick<Settings, K> {
  if (env !== process.env) return parseSettings(env, names);
  const key = names.join(',');
  let parsed = parsedFromProcess.get(key) as Pick<Settings, K> | undefined;
  if (!parsed) {
    parsed = parseSettings(env, names);
    parsedFromProcess.set(key, parsed);
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------
// docs/settings.md

const TABLE_START = '<!-- GENERATED from platform/settings.ts by `npx tsx platform/settings.ts --write-docs`: edit the schema, not this table -->';
const TABLE_END = '<!-- end of GENERATED table -->';

/** The settings table of docs/settings.md, one row per variable (one for each set of five per-subgraph variables). */
export function settingsTable(): string {
  const lines = ['| variable | default | meaning |', '|---|---|---|'];
  const seen = new Set<string>();
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const row = spec.row ?? name;
    if (seen.has(row)) continue;
    seen.add(row);
    lines.push(`| \`${row}\` | ${spec.shown} | ${spec.description} |`);
  }
  return [TABLE_START, ...lines, TABLE_END].join('\n');
}

export const SETTINGS_DOC = path.resolve(import.meta.dirname, '..', 'docs', 'settings.md');

/** docs/settings.md with its table regenerated. */
export function settingsDoc(current: string): string {
  const start = current.indexOf(TABLE_START);
  const end = current.indexOf(TABLE_END);
  if (start < 0 || end < 0) throw new Error(`${SETTINGS_DOC}: no GENERATED table markers`);
  return current.slice(0, start) + settingsTable() + current.slice(end + TABLE_END.length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--write-docs')) {
  fs.writeFileSync(SETTINGS_DOC, settingsDoc(fs.readFileSync(SETTINGS_DOC, 'utf8')));
  console.log(`wrote ${SETTINGS_DOC}`);
}
