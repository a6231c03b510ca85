import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, isProduction, readInternalSecret, readPort } from '../subgraphs/kit/config.ts';

/** Everything the gateway needs, read once at start-up from arguments and environment. */
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
}

export const DEV_JWT_SECRET = 'plaza-dev-jwt-secret-do-not-use-in-production';

/** Subgraph names as they appear in variable names: lower case, `_` for anything else. */
function normalized(subgraph: string): string {
  return subgraph.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

function checkUrl(variable: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new ConfigError(variable, 'an http(s) URL', value);
}

function readPositiveInt(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(variable, 'a positive whole number', raw);
  return n;
}

export function readGatewayConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      supergraph: { type: 'string' },
      port: { type: 'string' },
      subgraph: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const production = isProduction(env);
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('PLAZA_SUBGRAPH_URL_') && value) subgraphUrls[normalized(key.slice('PLAZA_SUBGRAPH_URL_'.length))] = checkUrl(key, value);
  }
  for (const pair of values.subgraph ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new ConfigError('--subgraph', 'name=url', pair);
    subgraphUrls[normalized(pair.slice(0, eq))] = checkUrl('--subgraph', pair.slice(eq + 1));
  }
  const portEnv = values.port !== undefined ? { PLAZA_GATEWAY_PORT: values.port } : env;
  return {
    supergraphPath: path.resolve(values.supergraph ?? env.PLAZA_SUPERGRAPH ?? 'schema/supergraph.graphql'),
    port: readPort(portEnv, 'PLAZA_GATEWAY_PORT', 4000),
    host: env.PLAZA_HOST || '127.0.0.1',
    subgraphUrls,
    internalSecret: readInternalSecret(env),
    jwtSecret: env.PLAZA_JWT_SECRET || (production ? null : DEV_JWT_SECRET),
    maxBodyBytes: readPositiveInt(env, 'PLAZA_MAX_BODY_BYTES', 1024 * 1024),
    production,
  };
}

/** The URL override for a subgraph, matched by name case-insensitively. */
export function subgraphUrlOverride(config: Pick<GatewayConfig, 'subgraphUrls'>, name: string): string | undefined {
  return config.subgraphUrls[normalized(name)];
}
