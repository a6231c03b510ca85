import path from 'node:path';
import {
  ConfigError,
  DEV_INTERNAL_SECRET,
  isProduction,
  PUBLISHED_SECRETS,
  SANDBOX_PROVIDER_KEY,
  settingsFor,
  settingsOf,
  SUBGRAPH_NAMES,
  SUBGRAPH_PORTS,
  type SettingName,
  type Settings,
  type SubgraphName,
} from './settings.ts';

// Every variable, its default and its check live in platform/settings.ts; this module
// turns the parsed settings into a subgraph's configuration.
export { ConfigError, DEV_INTERNAL_SECRET, isProduction, PUBLISHED_SECRETS, SANDBOX_PROVIDER_KEY, SUBGRAPH_NAMES, SUBGRAPH_PORTS, type SubgraphName };

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
  /** Time allowed for one call to another subgraph, in ms. `PLAZA_PEER_TIMEOUT_MS`; default 5000. */
  peerTimeoutMs?: number;
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
  /** Redis the subgraph publishes its events through and its subscriptions listen on. `PLAZA_REDIS_URL`; default none (events stay in the process). */
  redisUrl?: string | null;
}

/** The settings a subgraph reads (a coupons subgraph also its payment provider's; each its own database's). */
function subgraphSettingNames(name: SubgraphName): SettingName[] {
  return settingsOf('common', 'subgraph', `database:${name}`, ...(name === 'coupons' ? (['coupons'] as const) : []));
}

function subgraphSettings(name: SubgraphName, env: NodeJS.ProcessEnv): Settings {
  return settingsFor(subgraphSettingNames(name), env) as Settings;
}

/** `PLAZA_INTERNAL_SECRET`: 32+ characters, required in production (and never a published one); the development secret otherwise. */
export function readInternalSecret(env: NodeJS.ProcessEnv): string {
  return settingsFor(['PLAZA_INTERNAL_SECRET'], env).PLAZA_INTERNAL_SECRET;
}

/**
 * Where a subgraph's data lives: `PLAZA_<NAME>_DATABASE_URL` wins; otherwise a
 * `postgres://` `PLAZA_DATABASE_URL` gives each subgraph its own `plaza_<name>` database;
 * otherwise a SQLite file `<PLAZA_DATA_DIR>/<name>.db`.
 */
export function databaseUrlFor(name: SubgraphName, env: NodeJS.ProcessEnv): string {
  const own = `PLAZA_${name.toUpperCase() as Uppercase<SubgraphName>}_DATABASE_URL` as const;
  const settings = settingsFor([own, 'PLAZA_DATABASE_URL', 'PLAZA_DATA_DIR'], env);
  if (settings[own]) return settings[own];
  if (settings.PLAZA_DATABASE_URL) {
    const url = new URL(settings.PLAZA_DATABASE_URL);
    url.pathname = `/plaza_${name}`;
    return url.toString();
  }
  return `file:${path.join(path.resolve(settings.PLAZA_DATA_DIR), `${name}.db`)}`;
}

export function readSeedScale(env: NodeJS.ProcessEnv): SeedScale {
  return settingsFor(['PLAZA_SEED_SCALE'], env).PLAZA_SEED_SCALE;
}

export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const settings = subgraphSettings(name, env);
  return {
    name,
    port: settings[`PLAZA_${name.toUpperCase() as Uppercase<SubgraphName>}_PORT`],
    host: settings.PLAZA_HOST,
    databaseUrl: databaseUrlFor(name, env),
    internalSecret: settings.PLAZA_INTERNAL_SECRET,
    seedIfEmpty: settings.PLAZA_SEED,
    seedScale: settings.PLAZA_SEED_SCALE,
    production: isProduction(env),
    countImpressions: settings.PLAZA_COUNT_IMPRESSIONS,
    peerTimeoutMs: settings.PLAZA_PEER_TIMEOUT_MS,
    logLevel: settings.PLAZA_LOG_LEVEL,
    peers: peerUrls(settings),
    redisUrl: settings.PLAZA_REDIS_URL,
    ...(name === 'coupons' ? { paymentProvider: { key: settings.PLAZA_PAYMENT_PROVIDER_KEY, sandbox: settings.PLAZA_PAYMENT_SANDBOX } } : {}),
  };
}

function peerUrls(settings: Pick<Settings, 'PLAZA_HOST' | `PLAZA_${Uppercase<SubgraphName>}_PORT` | `PLAZA_SUBGRAPH_URL_${Uppercase<SubgraphName>}`>): Partial<Record<SubgraphName, string>> {
  return Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => {
      const upper = name.toUpperCase() as Uppercase<SubgraphName>;
      return [name, settings[`PLAZA_SUBGRAPH_URL_${upper}`] || `http://${settings.PLAZA_HOST}:${settings[`PLAZA_${upper}_PORT`]}/graphql`];
    }),
  );
}

/** The URL of every subgraph, as the other subgraphs reach it (see SubgraphConfig.peers). */
export function readPeerUrls(env: NodeJS.ProcessEnv): Partial<Record<SubgraphName, string>> {
  return peerUrls(settingsFor(settingsOf('common', 'subgraph'), env) as Settings);
}

/** `PLAZA_LOG_LEVEL`: one of pino's levels, or `silent`; default info. */
export function readLogLevel(env: NodeJS.ProcessEnv): string {
  return settingsFor(['PLAZA_LOG_LEVEL'], env).PLAZA_LOG_LEVEL;
}

export interface PaymentProviderConfig {
  /** Shared HMAC key (`PLAZA_PAYMENT_PROVIDER_KEY`, 32+ characters; required in production). */
  key: string;
  /** Whether the development sandbox may play the provider (`PLAZA_PAYMENT_SANDBOX`; never in production). */
  sandbox: boolean;
}

export function readPaymentProviderConfig(env: NodeJS.ProcessEnv): PaymentProviderConfig {
  const settings = settingsFor(['PLAZA_PAYMENT_SANDBOX', 'PLAZA_PAYMENT_PROVIDER_KEY'], env);
  return { key: settings.PLAZA_PAYMENT_PROVIDER_KEY, sandbox: settings.PLAZA_PAYMENT_SANDBOX };
}
