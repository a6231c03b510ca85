/**
 * A plain @apollo/gateway on @apollo/server (on node:http, as its standalone server): the benchmark's point of
 * comparison and the differential tests' reference. Nothing of Plaza's but what the
 * subgraphs require: the internal token header, vouching for the bearer token's user.
 */
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken, type Viewer } from '../platform/internal-token.ts';

export interface PlainGatewayOptions {
  supergraphSdl: string;
  /** Subgraph URL by subgraph name; the supergraph's own URL for names not listed. */
  subgraphUrls: Record<string, string>;
  /** Secret the subgraphs check internal tokens with. */
  internalSecret: string;
  port: number;
  host: string;
  /** HS256 secret of bearer tokens (`sub` = user id, issuer plaza, audience plaza-api); null: every caller is anonymous. Default null. */
  jwtSecret?: string | null;
  /** Remember every subgraph request sent (for replaying single fetches). Default false. */
  record?: boolean;
}

interface PlainContext {
  viewer: Viewer;
}

export interface RecordedFetch {
  subgraph: string;
  /** The user the fetch was vouched for (absent: anonymous). */
  userId?: string;
  url: string;
  body: { query: string; variables?: Record<string, unknown> };
}

export interface PlainGateway {
  url: string;
  /** Subgraph requests sent since the last call (only with `record`). */
  takeRecorded(): RecordedFetch[];
  stop(): Promise<void>;
}

/**
 * The supergraph as a plain gateway accepts it: @apollo/gateway refuses `for: SECURITY`
 * features it does not enforce (@authenticated, @requiresScopes); Plaza enforces them in
 * its own plugins, so the plain gateway reads them as ordinary metadata.
 */
export function plainSupergraph(sdl: string): string {
  return sdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/[^"]+")\s*,\s*for:\s*SECURITY\s*\)/g, '$1)');
}

export async function startPlainGateway(options: PlainGatewayOptions): Promise<PlainGateway> {
  const recorded: RecordedFetch[] = [];
  const jwtKey = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : null;
  // Internal tokens live 60 s: one per caller, renewed after 20 s, so signing stays off the hot path.
  const tokens = new Map<string, { token: Promise<string>; until: number }>();
  function internalToken(viewer: Viewer): Promise<string> {
    const key = viewer.userId ?? '';
    const cached = tokens.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const token = signInternalToken(viewer, options.internalSecret);
    tokens.set(key, { token, until: Date.now() + 20_000 });
    return token;
  }
  /** The caller of a bearer token; anonymous without one (a bad token is refused). */
  async function viewerOf(authorization: string | undefined): Promise<Viewer> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer || !jwtKey) return ANONYMOUS;
    const { payload } = await jwtVerify(bearer, jwtKey, { issuer: 'plaza', audience: 'plaza-api', algorithms: ['HS256'] });
    return { userId: typeof payload.sub === 'string' ? payload.sub : undefined, scopes: [] };
  }

  class PlainDataSource extends RemoteGraphQLDataSource<PlainContext> {
    constructor(private readonly subgraph: string, url: string) {
      super({ url });
    }
    override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<PlainContext>): Promise<void> {
      request.http?.headers.set(INTERNAL_TOKEN_HEADER, await internalToken(context.viewer ?? ANONYMOUS));
      if (options.record) recorded.push({ subgraph: this.subgraph, userId: context.viewer?.userId, url: this.url!, body: { query: request.query!, variables: request.variables } });
    }
  }

  // @apollo/gateway reports usage to Apollo and probes cloud metadata endpoints to label it unless told not to
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: plainSupergraph(options.supergraphSdl),
    buildService: ({ name, url }) => new PlainDataSource(name, options.subgraphUrls[name] ?? url!),
  });
  const server = new ApolloServer<PlainContext>({ gateway });
  await server.start();
  // Apollo Server's own HTTP entry point on node:http (what its standalone server does), with
  // idle keep-alive connections kept for a minute: a caller reusing one just as the server
  // closes it (Node's default is 5 s, and a busy machine runs timers late) would read ECONNRESET
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        const response = await server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: new URL(req.url ?? '/', 'http://localhost').search, body: text ? JSON.parse(text) : undefined },
          context: async () => ({ viewer: await viewerOf(req.headers.authorization) }),
        });
        res.writeHead(response.status ?? 200, Object.fromEntries(response.headers));
        if (response.body.kind === 'complete') res.end(response.body.string);
        else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        }
      })().catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'bad request' }] }));
      });
    });
  });
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => http.listen(options.port, options.host, resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/`,
    takeRecorded: () => recorded.splice(0),
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.stop();
    },
  };
}
