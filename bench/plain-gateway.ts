/**
 * A plain @apollo/gateway on @apollo/server's standalone server: the benchmark's point of
 * comparison and the differential tests' reference. Nothing of Plaza's but what the
 * subgraphs require: the internal token header, vouching for the bearer token's user.
 */
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { jwtVerify } from 'jose';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken, type Viewer } from '../subgraphs/kit/internal-token.ts';

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
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port, host: options.host },
    context: async ({ req }) => ({ viewer: await viewerOf(req.headers.authorization) }),
  });
  return {
    url,
    takeRecorded: () => recorded.splice(0),
    async stop() {
      await server.stop();
    },
  };
}
