/**
 * Boots the whole graph in-process for a test: five subgraphs on ephemeral ports,
 * each with a fresh SQLite file in a temporary folder (or, in the PostgreSQL test project,
 * fresh PostgreSQL databases: see ./databases.ts), and the gateway in front.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { issueToken } from '../../gateway/plugins/identity.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { SUBGRAPH_NAMES, type SubgraphConfig, type SubgraphName } from '../../platform/config.ts';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server.ts';
import { definitionOf } from '../../subgraphs/registry.ts';
import { startPlainGateway, type PlainGateway } from '../../bench/plain-gateway.ts';
import { dropTestDatabases, testDatabaseUrl } from './databases.ts';

export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef';
export const TEST_JWT_SECRET = 'test-jwt-secret';
/** The payment provider's key in tests: notifications signed with it are genuine. */
export const TEST_PROVIDER_KEY = 'test-payment-provider-key-0123456789abcdef';

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[] };
}

export interface Plaza {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  dataDir: string;
  /** Runs an operation through the gateway, as `user` when given. */
  query<T = any>(query: string, variables?: Record<string, unknown>, options?: { user?: string; scopes?: string[]; headers?: Record<string, string> }): Promise<GraphQLResponse<T>>;
  tokenFor(user: string, scopes?: string[]): Promise<string>;
  /** Another gateway replica in front of the same subgraphs; stopped with the rest. */
  replica(overrides?: Partial<GatewayConfig>): Promise<RunningGateway>;
  stop(): Promise<void>;
}

/** The configuration of a test gateway in front of these subgraphs. */
export function testGatewayConfig(subgraphs: { name: string; url: string }[], overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    supergraphPath: SUPERGRAPH_PATH,
    port: 0,
    host: '127.0.0.1',
    subgraphUrls: Object.fromEntries(subgraphs.map((sg) => [sg.name, sg.url])),
    internalSecret: TEST_INTERNAL_SECRET,
    jwtSecret: TEST_JWT_SECRET,
    maxBodyBytes: 1024 * 1024,
    production: false,
    ...overrides,
    // quiet, and no watcher on the checked-in supergraph (nothing edits it) unless a test asks for one
    operations: { logLevel: process.env.PLAZA_LOG_LEVEL || 'silent', watchSupergraph: false, ...overrides.operations },
  };
}

export function subgraphTestConfig(name: SubgraphName, dataDir: string): SubgraphConfig {
  return {
    name,
    port: 0,
    host: '127.0.0.1',
    // a SQLite file in dataDir, or under the PostgreSQL test project a database of its own
    databaseUrl: testDatabaseUrl(name, dataDir),
    internalSecret: TEST_INTERNAL_SECRET,
    seedIfEmpty: true,
    seedScale: 'small',
    production: false,
    // request logs stay quiet in tests unless PLAZA_LOG_LEVEL asks for them
    logLevel: process.env.PLAZA_LOG_LEVEL || 'silent',
    paymentProvider: { key: TEST_PROVIDER_KEY, sandbox: true },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) };
}

/** A request body naming a persisted query by its hash (APQ or a registered id), with any other fields. */
export function byHash(hash: string, extra: Record<string, unknown> = {}) {
  return { extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, ...extra };
}

/** Runs `attempt` every 50 ms until `ok` holds for its value or `timeoutMs` has passed; returns the last value. */
export async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (ok(value) || Date.now() > deadline) return value;
    // the interval between two looks at the condition (a poll, as vitest's expect.poll): never a wait for time to pass
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface StartPlazaOptions {
  /** Adjusts one subgraph's configuration before it starts (e.g. `seedIfEmpty: false` for an empty database). */
  subgraph?: (config: SubgraphConfig) => SubgraphConfig;
}

/**
 * A gateway started for a test, with what tests do with it: a token per user, a query as a
 * user, replicas over the same subgraphs, and one stop for them all.
 */
export async function startTestGateways(configOf: (overrides: Partial<GatewayConfig>) => GatewayConfig, overrides: Partial<GatewayConfig>) {
  const gateway = await startGateway(configOf(overrides));
  const replicas: RunningGateway[] = [];
  const tokenFor = (user: string, scopes: string[] = []) => issueToken(TEST_JWT_SECRET, { userId: user, scopes });
  return {
    gateway,
    tokenFor,
    async query<T = any>(query: string, variables?: Record<string, unknown>, options: { user?: string; scopes?: string[]; headers?: Record<string, string> } = {}): Promise<GraphQLResponse<T>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.user) headers.authorization = `Bearer ${await tokenFor(options.user, options.scopes)}`;
      return postJson(gateway.url, { query, variables }, headers) as Promise<GraphQLResponse<T>>;
    },
    async replica(replicaOverrides: Partial<GatewayConfig> = {}) {
      const replica = await startGateway(configOf({ ...overrides, ...replicaOverrides }));
      replicas.push(replica);
      return replica;
    },
    async stopGateways() {
      for (const replica of replicas) await replica.stop();
      await gateway.stop();
    },
  };
}

export async function startPlaza(overrides: Partial<GatewayConfig> = {}, options: StartPlazaOptions = {}): Promise<Plaza> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-test-'));
  const configure = options.subgraph ?? ((config: SubgraphConfig) => config);
  // one object every subgraph reads its peers' URLs from, filled in once they all listen
  const peers: SubgraphConfig['peers'] = {};
  const started = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => startSubgraph(await definitionOf(name), configure({ ...subgraphTestConfig(name, dataDir), peers }))),
  );
  for (const sg of started) peers[sg.name] = sg.url;
  const subgraphs = Object.fromEntries(started.map((sg) => [sg.name, sg])) as Record<SubgraphName, RunningSubgraph>;
  const gateways = await startTestGateways((more) => testGatewayConfig(started, more), overrides);
  return {
    ...gateways,
    subgraphs,
    dataDir,
    async stop() {
      await gateways.stopGateways();
      await Promise.all(started.map((sg) => sg.stop()));
      fs.rmSync(dataDir, { recursive: true, force: true });
      await dropTestDatabases(dataDir);
    },
  };
}

/**
 * A plain @apollo/gateway over the same subgraphs (the differential tests' reference), with
 * the test secrets: over Plaza's supergraph unless another is given.
 */
export function startPlainGatewayOver(subgraphs: readonly { name: string; url: string }[], supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8')): Promise<PlainGateway> {
  return startPlainGateway({
    supergraphSdl,
    subgraphUrls: Object.fromEntries(subgraphs.map((sg) => [sg.name, sg.url])),
    internalSecret: TEST_INTERNAL_SECRET,
    jwtSecret: TEST_JWT_SECRET,
    port: 0,
    host: '127.0.0.1',
  });
}
