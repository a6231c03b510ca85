/**
 * A second supergraph, independent of Plaza's, built on Federation's hard features (see
 * ./subgraphs.ts): its subgraphs start in-process on 127.0.0.1 (port 0), each a tiny
 * node:http server over @apollo/subgraph's buildSubgraphSchema, and are composed with
 * @apollo/composition at start, failing loudly on any composition error. One subgraph
 * (recommendations) is down: its address resets every connection.
 *
 * The lab subgraphs ignore Plaza's internal token (`x-plaza-gateway-token`): they have
 * nobody to vouch for.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { DOWN_SUBGRAPH, LAB_SUBGRAPHS, resetReviewIds, type LabSubgraphDefinition, type LabSubgraphName } from './subgraphs.ts';
import { resetLabWorld } from './world.ts';

/** graphql as @apollo/subgraph (CommonJS) loads it: its schemas must be executed by the same copy. */
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export { labWorld } from './world.ts';
export type { LabSubgraphName } from './subgraphs.ts';

export interface LabSubgraph {
  name: LabSubgraphName;
  url: string;
}

export interface Lab {
  /** Every subgraph of the supergraph with its URL, the down one included. */
  subgraphs: LabSubgraph[];
  /** The supergraph as composed. */
  supergraphSdl: string;
  /** The supergraph as @apollo/gateway accepts it (see apolloGatewaySupergraph): what both gateways serve. */
  gatewaySupergraphSdl: string;
  /** A temporary file holding gatewaySupergraphSdl (what Plaza's gateway reads), removed by stop(). */
  supergraphPath: string;
  /** Requests a subgraph has answered since the lab started. */
  requests(name: LabSubgraphName): number;
  /** Puts the data back as it started (after mutations). */
  reset(): void;
  stop(): Promise<void>;
}

/** Composes the lab subgraphs at these URLs; throws with every composition error. */
export function composeLab(urls: Record<LabSubgraphName, string>): string {
  const result = composeServices(LAB_SUBGRAPHS.map((sg) => ({ name: sg.name, url: urls[sg.name], typeDefs: graphql.parse(sg.typeDefs) })));
  if (result.errors) throw new Error(`The federation lab does not compose:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

/**
 * The supergraph as @apollo/gateway accepts it. Composition links the context spec (for
 * @context/@fromContext) `for: SECURITY`, and @apollo/gateway refuses to load any
 * supergraph linking a SECURITY feature it does not implement (context is not in
 * federation-internals' DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, only in the Router's). Without
 * the purpose it loads it, and its planner still plans @fromContext (the plan's
 * contextRewrites), which its executor then never applies: the lab's tests show what
 * that answers against what the Federation spec asks for.
 */
export function apolloGatewaySupergraph(sdl: string): string {
  return sdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/context\/[^"]+")\s*,\s*for:\s*SECURITY\s*\)/g, '$1)');
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Serves one subgraph over HTTP: POST /graphql with a JSON body, answered 200 with `{ data, errors }`. */
function subgraphServer(definition: LabSubgraphDefinition, counted: () => void): http.Server {
  const schema = buildSubgraphSchema([{ typeDefs: graphql.parse(definition.typeDefs), resolvers: definition.resolvers }]);
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        counted();
        if (req.method !== 'POST') return send(res, 405, { errors: [{ message: 'POST only' }] });
        let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, 400, { errors: [{ message: 'Request body is not valid JSON' }] });
        }
        let document;
        try {
          document = graphql.parse(body.query ?? '');
        } catch (error) {
          return send(res, 400, { errors: [(error as InstanceType<typeof graphql.GraphQLError>).toJSON()] });
        }
        const invalid = graphql.validate(schema, document);
        if (invalid.length) return send(res, 400, { errors: invalid.map((e) => e.toJSON()) });
        const result = await graphql.execute({ schema, document, variableValues: body.variables, operationName: body.operationName });
        const answer: { data?: any; errors?: unknown[] } = { data: result.data };
        if (result.errors) answer.errors = result.errors.map((e) => e.toJSON());
        definition.tamper?.(answer);
        send(res, 200, answer);
      })().catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { errors: [{ message: String(error) }] });
        else res.destroy();
      });
    });
  });
  // idle keep-alive connections stay open until stop(): a gateway reusing one as the server
  // closes it would read ECONNRESET (Node closes idle ones after 5 s by default)
  server.keepAliveTimeout = 0;
  return server;
}

/** Starts the lab's subgraphs (the down one as an address that resets connections) and composes them. */
export async function startLab(): Promise<Lab> {
  const counts = new Map<LabSubgraphName, number>();
  const servers: net.Server[] = [];
  const urls = {} as Record<LabSubgraphName, string>;
  for (const definition of LAB_SUBGRAPHS) {
    const server =
      definition.name === DOWN_SUBGRAPH
        ? // down: whatever connects is reset before a byte is read
          net.createServer((socket) => socket.destroy())
        : subgraphServer(definition, () => counts.set(definition.name, (counts.get(definition.name) ?? 0) + 1));
    servers.push(server);
    urls[definition.name] = `http://127.0.0.1:${await listen(server)}/graphql`;
  }
  const supergraphSdl = composeLab(urls);
  const gatewaySupergraphSdl = apolloGatewaySupergraph(supergraphSdl);
  if (gatewaySupergraphSdl === supergraphSdl) throw new Error('The lab supergraph no longer links the context spec for SECURITY: review apolloGatewaySupergraph');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-federation-lab-'));
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  fs.writeFileSync(supergraphPath, gatewaySupergraphSdl);
  resetLabWorld();
  resetReviewIds();
  return {
    subgraphs: LAB_SUBGRAPHS.map((sg) => ({ name: sg.name, url: urls[sg.name] })),
    supergraphSdl,
    gatewaySupergraphSdl,
    supergraphPath,
    requests: (name) => counts.get(name) ?? 0,
    reset() {
      resetLabWorld();
      resetReviewIds();
    },
    async stop() {
      for (const server of servers) {
        if (server instanceof http.Server) server.closeAllConnections();
        await close(server);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Argument values for generated operations over the lab: mostly ids of real rows, some of
 * rows that do not exist, search terms that find books, films and products (and one that
 * finds the film the media subgraph cannot show), small list sizes.
 */
export function pickLabArgument({ field, argument, next }: { field: string; argument: string; next: () => number }): unknown {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  switch (argument) {
    case 'upc':
      return pick(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p404']);
    case 'sku':
      return pick(['TBL', 'CCH', 'LMP', 'RUG', 'NOPE']);
    case 'variationId':
      return pick(['v1', 'v2', 'v9']);
    case 'term':
      return pick(['u', 'le', 'm', 'Table', 'zzz', 'heat']);
    case 'first':
      return pick([0, 1, 2, 3, 6]);
    case 'below':
      return pick([1, 3, 5, 12]);
    case 'id':
      if (field === 'review') return pick(['r1', 'r3', 'r5', 'r6', 'r9', 'r404']);
      if (field === 'mediaItem') return pick(['b1', 'b2', 'm1', 'm2', 'x1']);
      if (field === 'node') return pick(['product:p1', 'product:p5', 'product:p404', 'u1']);
      return pick(['u1', 'u2', 'u3', 'u4', 'u404']);
    default:
      return undefined;
  }
}
