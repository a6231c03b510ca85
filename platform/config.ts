import path from 'node:path';

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

export type SeedScale = 'small' | 'large';

/** Everything a subgraph process needs, read once from the environment. */
export interface SubgraphConfig {
  name: SubgraphName;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** `file:<path>` for SQLite, or a `postgres://` URL naming this subgraph's own database. */
  databaseUrl: string;
  /** Shared secret the gateway signs internal tokens with. */
  internalSecret: string;
  /** Seed the database on start when it is empty. */
  seedIfEmpty: boolean;
  /** Volume of the generated seed. */
  seedScale: SeedScale;
  production: boolean;
  /** The placements subgraph counts the impressions it serves. `PLAZA_COUNT_IMPRESSIONS`; default true. */
  countImpressions?: boolean;
  /** pino log level (`fatal` … `trace`, or `silent`). `PLAZA_LOG_LEVEL`; default info. */
  logLevel?: string;
  /**
   * Where the other subgraphs answer, for the few calls a subgraph makes to another
   * directly (`PLAZA_SUBGRAPH_URL_<NAME>`, else `http://<host>:<PLAZA_<NAME>_PORT>/graphql`).
   * Read at call time: a harness may fill it in after every subgraph listens.
   */
  peers?: Partial<Record<SubgraphName, string>>;
  /** The payment provider (coupons only: it confirms orders' payments). See payment-provider.ts. */
  paymentProvider?: PaymentProviderConfig;
}

/** The development-only internal secret; production refuses to start without a real one. */
export const DEV_INTERNAL_SECRET = 'plaza-dev-internal-secret-do-not-use-in-production';

export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

export function readPort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(variable, 'a port number 0-65535', raw);
  return port;
}

export function readBoolean(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(variable, 'true or false', raw);
}

export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * Secrets anyone can read in this repository: the development defaults and the
 * placeholders of the example deployment. Production refuses each of them.
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  DEV_INTERNAL_SECRET,
  'plaza-dev-jwt-secret-do-not-use-in-production',
  'plaza-sandbox-payment-provider-key-dev-only',
  // gateway/deploy/kubernetes/secrets.example.yaml
  'replace-with-at-least-32-random-characters',
  'replace-with-the-bearer-token-secret',
  'replace-with-the-key-your-payment-provider-signs-with',
]);

/** Stops a production start-up that was given a secret published in this repository. */
export function refusePublishedSecret(env: NodeJS.ProcessEnv, variable: string, secret: string): void {
  if (isProduction(env) && PUBLISHED_SECRETS.has(secret)) {
    throw new ConfigError(variable, 'a secret of your own in production, not one published in the Plaza repository', '<hidden>');
  }
}

export function readInternalSecret(env: NodeJS.ProcessEnv): string {
  const secret = env.PLAZA_INTERNAL_SECRET;
  if (secret) {
    if (secret.length < 32) throw new ConfigError('PLAZA_INTERNAL_SECRET', 'at least 32 characters', '<hidden>');
    refusePublishedSecret(env, 'PLAZA_INTERNAL_SECRET', secret);
    return secret;
  }
  if (isProduction(env)) throw new ConfigError('PLAZA_INTERNAL_SECRET', 'a secret shared by gateway and subgraphs (required in production)', undefined);
  return DEV_INTERNAL_SECRET;
}

/**
 * Where a subgraph's data lives: `PLAZA_<NAME>_DATABASE_URL` wins; otherwise a
 * `postgres://` `PLAZA_DATABASE_URL` gives each subgraph its own `plaza_<name>` database;
 * otherwise a SQLite file `<PLAZA_DATA_DIR>/<name>.db`.
 */
export function databaseUrlFor(name: SubgraphName, env: NodeJS.ProcessEnv): string {
  const own = env[`PLAZA_${name.toUpperCase()}_DATABASE_URL`];
  if (own) return checkDatabaseUrl(`PLAZA_${name.toUpperCase()}_DATABASE_URL`, own);
  const shared = env.PLAZA_DATABASE_URL;
  if (shared) {
    checkDatabaseUrl('PLAZA_DATABASE_URL', shared);
    if (!shared.startsWith('postgres')) throw new ConfigError('PLAZA_DATABASE_URL', 'a postgres:// server URL', shared);
    const url = new URL(shared);
    url.pathname = `/plaza_${name}`;
    return url.toString();
  }
  const dir = path.resolve(env.PLAZA_DATA_DIR || 'data');
  return `file:${path.join(dir, `${name}.db`)}`;
}

function checkDatabaseUrl(variable: string, url: string): string {
  if (/^(postgres|postgresql):\/\//.test(url) || url.startsWith('file:')) return url;
  throw new ConfigError(variable, 'a postgres:// URL or file:<path>', url);
}

export function readSeedScale(env: NodeJS.ProcessEnv): SeedScale {
  const raw = env.PLAZA_SEED_SCALE || 'small';
  if (raw !== 'small' && raw !== 'large') throw new ConfigError('PLAZA_SEED_SCALE', 'small or large', raw);
  return raw;
}

export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  return {
    name,
    port: readPort(env, `PLAZA_${name.toUpperCase()}_PORT`, SUBGRAPH_PORTS[name]),
    host: env.PLAZA_HOST || '127.0.0.1',
    databaseUrl: databaseUrlFor(name, env),
    internalSecret: readInternalSecret(env),
    seedIfEmpty: readBoolean(env, 'PLAZA_SEED', true),
    seedScale: readSeedScale(env),
    production: isProduction(env),
    countImpressions: readBoolean(env, 'PLAZA_COUNT_IMPRESSIONS', true),
    logLevel: readLogLevel(env),
    peers: readPeerUrls(env),
    ...(name === 'coupons' ? { paymentProvider: readPaymentProviderConfig(env) } : {}),
  };
}

/** The URL of every subgraph, as the other subgraphs reach it (see SubgraphConfig.peers). */
export function readPeerUrls(env: NodeJS.ProcessEnv): Partial<Record<SubgraphName, string>> {
  const host = env.PLAZA_HOST || '127.0.0.1';
  return Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => {
      const own = env[`PLAZA_SUBGRAPH_URL_${name.toUpperCase()}`];
      if (own && !/^https?:\/\//.test(own)) throw new ConfigError(`PLAZA_SUBGRAPH_URL_${name.toUpperCase()}`, 'an http(s):// URL', own);
      return [name, own || `http://${host}:${readPort(env, `PLAZA_${name.toUpperCase()}_PORT`, SUBGRAPH_PORTS[name])}/graphql`];
    }),
  );
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `PLAZA_LOG_LEVEL`: one of pino's levels, or `silent`; default info. */
export function readLogLevel(env: NodeJS.ProcessEnv): string {
  const level = env.PLAZA_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError('PLAZA_LOG_LEVEL', LOG_LEVELS.join(', '), level);
  return level;
}

export interface PaymentProviderConfig {
  /** Shared HMAC key (`PLAZA_PAYMENT_PROVIDER_KEY`, 32+ characters; required in production). */
  key: string;
  /** Whether the development sandbox may play the provider (`PLAZA_PAYMENT_SANDBOX`; never in production). */
  sandbox: boolean;
}

/** The development-only provider key; production refuses to start without a real one. */
export const SANDBOX_PROVIDER_KEY = 'plaza-sandbox-payment-provider-key-dev-only';

export function readPaymentProviderConfig(env: NodeJS.ProcessEnv): PaymentProviderConfig {
  const production = isProduction(env);
  const sandbox = readBoolean(env, 'PLAZA_PAYMENT_SANDBOX', !production);
  if (production && sandbox) throw new ConfigError('PLAZA_PAYMENT_SANDBOX', 'false in production (the sandbox provider is for development)', env.PLAZA_PAYMENT_SANDBOX);
  const key = env.PLAZA_PAYMENT_PROVIDER_KEY;
  if (key) {
    if (key.length < 32) throw new ConfigError('PLAZA_PAYMENT_PROVIDER_KEY', 'at least 32 characters', '<hidden>');
    refusePublishedSecret(env, 'PLAZA_PAYMENT_PROVIDER_KEY', key);
    return { key, sandbox };
  }
  if (production) throw new ConfigError('PLAZA_PAYMENT_PROVIDER_KEY', "the payment provider's notification key (required in production)", undefined);
  return { key: SANDBOX_PROVIDER_KEY, sandbox };
}
