/**
 * Hive Gateway (The Guild's @graphql-hive/gateway) with its Rust query planner
 * (@graphql-hive/router-runtime) as a process of its own: the benchmark's second point of
 * comparison. Started from its runtime (createGatewayRuntime) on node:http, as its own CLI
 * serves it, over the same supergraph file and subgraph URLs as the other gateways:
 *
 *   node --import tsx bench/hive-gateway.ts [--supergraph <file>] [--subgraph name=url ...]
 *   (or PLAZA_SUPERGRAPH, PLAZA_SUBGRAPH_URL_<NAME>; PLAZA_GATEWAY_PORT, PLAZA_HOST, PLAZA_INTERNAL_SECRET, PLAZA_JWT_SECRET)
 *
 * Production-like: no logging, no landing page or GraphiQL, GraphQL on /graphql, Hive's
 * other defaults kept (error masking, request ids). Nothing of Plaza's but what Plaza's
 * subgraphs require, as in bench/plain-gateway.ts: every subgraph request carries an internal
 * token vouching for the bearer token's user (anonymous without one), added through Hive's
 * header propagation (`propagateHeaders.fromClientToSubgraphs`), so its in-flight
 * deduplication keys on it too.
 *
 * BENCH_HIVE_DEDUP=false turns off Hive's deduplication of identical in-flight subgraph
 * requests (on by default), with its HTTP transport's `deduplicateInflightRequests: false`.
 * Hive's inbound deduplication of whole client requests (`inboundInflightRequestDeduplication`)
 * is off by default and stays off: Plaza's gateway has no counterpart.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createGatewayRuntime, type HTTPTransportOptions, type TransportEntryAdditions } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { jwtVerify } from 'jose';
import { readGatewayConfig, subgraphUrlOverride } from '../gateway/config.ts';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken, type Viewer } from '../platform/internal-token.ts';
import { plainSupergraph } from './plain-gateway.ts';
import { settingsFor } from '../platform/settings.ts';

const config = readGatewayConfig();
const dedup = settingsFor(['BENCH_HIVE_DEDUP']).BENCH_HIVE_DEDUP;
const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');

/** Subgraph names of the supergraph (its join__Graph values), in order. */
function subgraphNames(sdl: string): string[] {
  return [...sdl.matchAll(/@join__graph\(\s*name:\s*"([^"]+)"/g)].map((m) => m[1]);
}

// where each subgraph is (the URL override, else the supergraph's own), and how every HTTP subgraph is called
const transportEntries: TransportEntryAdditions = {
  '*.http': { options: { deduplicateInflightRequests: dedup } satisfies HTTPTransportOptions },
};
for (const name of subgraphNames(supergraphSdl)) {
  const url = subgraphUrlOverride(config, name);
  if (url) transportEntries[name] = { location: url };
}

const jwtKey = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : null;
/** The caller of a bearer token; anonymous without one (a bad token is refused). */
async function viewerOf(authorization: string | null): Promise<Viewer> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!bearer || !jwtKey) return ANONYMOUS;
  const { payload } = await jwtVerify(bearer, jwtKey, { issuer: 'plaza', audience: 'plaza-api', algorithms: ['HS256'] });
  return { userId: typeof payload.sub === 'string' ? payload.sub : undefined, scopes: [] };
}

// Internal tokens live 60 s: one per caller, renewed after 20 s, so signing stays off the hot path
// (and identical subgraph requests of one caller carry identical headers, as deduplication needs).
const tokens = new Map<string, { token: Promise<string>; until: number }>();
function internalToken(viewer: Viewer): Promise<string> {
  const key = viewer.userId ?? '';
  const cached = tokens.get(key);
  if (cached && cached.until > Date.now()) return cached.token;
  const token = signInternalToken(viewer, config.internalSecret);
  tokens.set(key, { token, until: Date.now() + 20_000 });
  return token;
}

/** The headers every subgraph request of one client request carries, worked out once per client request. */
const headersByRequest = new WeakMap<Request, Promise<Record<string, string>>>();
function subgraphHeaders(request: Request): Promise<Record<string, string>> {
  let headers = headersByRequest.get(request);
  if (!headers) {
    headers = viewerOf(request.headers.get('authorization')).then(async (viewer) => ({ [INTERNAL_TOKEN_HEADER]: await internalToken(viewer) }));
    headersByRequest.set(request, headers);
  }
  return headers;
}

const runtime = createGatewayRuntime({
  // @apollo/gateway's reading of Plaza's `for: SECURITY` links, as the plain gateway gets it
  supergraph: plainSupergraph(supergraphSdl),
  unifiedGraphHandler,
  transportEntries,
  propagateHeaders: { fromClientToSubgraphs: ({ request }) => subgraphHeaders(request) },
  graphqlEndpoint: '/graphql',
  logging: false,
  landingPage: false,
  graphiql: false,
});
// plan the first request with the schema ready, as Hive's CLI does before it listens
await runtime.getSchema();

const server = http.createServer(runtime);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, config.host, resolve);
});
const { port } = server.address() as { port: number };
console.log(`hive gateway ready at http://${config.host}:${port}/graphql (subgraph dedup ${dedup ? 'on' : 'off'})`);

const stop = async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
