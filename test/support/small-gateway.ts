/**
 * The real gateway (gateway/server.ts with every real plugin) in front of one small
 * in-process subgraph with no database: for tests of the gateway's own behaviour (limits,
 * CORS, identity, persisted queries, error masking, refusals of bad requests) that need a
 * graph to answer but no real data. It starts in a fraction of the time startPlaza takes.
 *
 * The subgraph's schema is a small slice shaped like Plaza's (merchants with offers and
 * services, search, the homepage, the viewer, placements for review), with the same
 * @cost/@listSize, @authenticated/@requiresScopes and partner @tag the real subgraphs
 * declare on those fields. It is composed into a supergraph with @apollo/composition when
 * the test starts. Like every real subgraph (subgraphs/kit/server.ts) it answers only
 * requests carrying the gateway's internal token, masks unexpected errors and refuses
 * control characters in its inputs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { parse } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { RunningGateway } from '../../gateway/server.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import { createHttpApp, listen, serveGraphQL } from '../../platform/http.ts';
import { INTERNAL_TOKEN_HEADER, verifyInternalToken, type Viewer } from '../../platform/internal-token.ts';
import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import { maskUnexpectedError } from '../../platform/error-masking.ts';
import { refuseControlCharacters } from '../../platform/control-characters.ts';
import { startTestGateways, testGatewayConfig, TEST_INTERNAL_SECRET, type GraphQLResponse } from './plaza.ts';

/** The small subgraph's schema. */
export const SMALL_SCHEMA = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@tag", "@cost", "@listSize", "@authenticated", "@requiresScopes"])

type Merchant @key(fields: "id") {
  id: ID! @tag(name: "partner")
  name: String! @tag(name: "partner")
  city: String! @tag(name: "partner")
  services: [MerchantService!]! @tag(name: "partner")
  offers(first: Int = 10, after: ID): [CouponTemplate!] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) @tag(name: "partner")
}

type MerchantService {
  id: ID! @tag(name: "partner")
  title: String! @tag(name: "partner")
  merchant: Merchant! @tag(name: "partner")
}

type CouponTemplate @key(fields: "id") {
  id: ID! @tag(name: "partner")
  title: String! @tag(name: "partner")
  merchant: Merchant! @tag(name: "partner")
}

type MerchantSearchEdge {
  node: Merchant!
  cursor: String!
}

type SearchPageInfo {
  hasNextPage: Boolean!
  endCursor: String
}

type MerchantSearchConnection {
  edges: [MerchantSearchEdge!]!
  pageInfo: SearchPageInfo!
}

type User @key(fields: "id") {
  id: ID!
  nickname: String!
}

type Banner {
  title: String!
}

type Homepage {
  city: String!
  banners: [Banner!]!
}

enum Slot {
  BANNER
  TILE
}

type Placement @key(fields: "id") {
  id: ID!
  title: String!
}

input SubmitPlacementInput {
  merchantId: ID!
  serviceId: ID!
  slot: Slot!
  title: String!
  subtitle: String!
  imageUrl: String!
}

type Query {
  merchant(id: ID!): Merchant @tag(name: "partner")
  offer(id: ID!): CouponTemplate
  search(query: String!, city: String, first: Int = 10, after: String): MerchantSearchConnection!
    @cost(weight: 5)
    @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
  homepage(city: String!): Homepage!
  me: User
  placementsForReview(first: Int = 20): [Placement!]! @requiresScopes(scopes: [["platform:review"]])
}

type Mutation {
  setGrid(serviceIds: [ID!]!): User! @authenticated
  submitPlacement(input: SubmitPlacementInput!): Placement! @authenticated
}
`;

/** The small subgraph's name in the supergraph. */
export const SMALL_SUBGRAPH = 'shop';

/** A database error's message, as a driver writes it: the SQL with its values. */
const DATABASE_ERROR = 'select "m0".* from "merchants" as "m0" where "m0"."id" = \'m1\' - no such table: merchants';

interface Context {
  viewer: Viewer;
}

export interface SmallSubgraph {
  name: string;
  url: string;
  /** Requests received on its GraphQL route since start. */
  requests(): number;
  /** While true, every merchant the subgraph looks up fails as a missing database table would. */
  failing: boolean;
  stop(): Promise<void>;
}

const merchant = (id: string) => ({ id, name: `Merchant ${id}`, city: 'Shanghai' });

/** Starts the small subgraph on an ephemeral port. */
export async function startSmallSubgraph(): Promise<SmallSubgraph> {
  const state = { failing: false, requests: 0 };
  const resolvers = {
    Query: {
      merchant: (_: unknown, { id }: { id: string }) => {
        if (state.failing) throw new Error(DATABASE_ERROR);
        return merchant(id);
      },
      offer: (_: unknown, { id }: { id: string }) => ({ id, title: `Offer ${id}`, merchantId: 'm1' }),
      search: (_: unknown, { first }: { first: number }) => {
        const nodes = Array.from({ length: Math.max(0, Math.min(first, 3)) }, (_, i) => merchant(`m${i + 1}`));
        return { edges: nodes.map((node) => ({ node, cursor: node.id })), pageInfo: { hasNextPage: false, endCursor: nodes.at(-1)?.id ?? null } };
      },
      homepage: (_: unknown, { city }: { city: string }) => ({ city, banners: [{ title: `Hot pot in ${city}` }] }),
      me: (_: unknown, __: unknown, { viewer }: Context) => (viewer.userId ? { id: viewer.userId, nickname: `Nick ${viewer.userId}` } : null),
      placementsForReview: () => [],
    },
    Mutation: {
      setGrid: (_: unknown, __: unknown, { viewer }: Context) => ({ id: viewer.userId, nickname: `Nick ${viewer.userId}` }),
      submitPlacement: (_: unknown, { input }: { input: { title: string } }) => ({ id: 'p-new', title: input.title }),
    },
    Merchant: {
      services: ({ id }: { id: string }) => [1, 2].map((n) => ({ id: `s${id.slice(1)}-${n}`, title: `Service ${n}`, merchantId: id })),
      offers: ({ id }: { id: string }, { first }: { first: number }) => {
        if (first < 1 || first > 50) badUserInput('first', 'first must be between 1 and 50');
        return Array.from({ length: Math.min(first, 3) }, (_, i) => ({ id: `t${i + 1}`, title: `Offer ${i + 1}`, merchantId: id }));
      },
    },
    MerchantService: { merchant: ({ merchantId }: { merchantId: string }) => merchant(merchantId) },
    CouponTemplate: { merchant: ({ merchantId }: { merchantId: string }) => merchant(merchantId) },
  };
  const server = new ApolloServer<Context>({
    schema: buildSubgraphSchema({ typeDefs: parse(SMALL_SCHEMA), resolvers: resolvers as never }),
    includeStacktraceInErrorResponses: true,
    formatError: maskUnexpectedError,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginInlineTraceDisabled(), refuseControlCharacters({ httpStatus: 200 })],
  });
  await server.start();
  // like every real subgraph: only requests the gateway signed are answered
  async function context(request: FastifyRequest): Promise<Context> {
    const header = request.headers[INTERNAL_TOKEN_HEADER];
    const viewer = await verifyInternalToken(typeof header === 'string' ? header : undefined, TEST_INTERNAL_SECRET);
    if (!viewer) throw plazaError(ErrorCode.GATEWAY_TOKEN_REQUIRED, 'Subgraphs answer only requests signed by the Plaza gateway', { httpStatus: 401 });
    return { viewer };
  }
  const app = createHttpApp();
  app.addHook('onRequest', async () => {
    state.requests++;
  });
  serveGraphQL(app, server, { context });
  const http = await listen(app, 0);
  return {
    name: SMALL_SUBGRAPH,
    url: http.url,
    requests: () => state.requests,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    async stop() {
      await http.close();
      await server.stop();
    },
  };
}

/** The supergraph of the small subgraph at `url`, composed now. */
export function composeSmallSupergraph(url: string): string {
  const result = composeServices([{ name: SMALL_SUBGRAPH, url, typeDefs: parse(SMALL_SCHEMA) }]);
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

/** The small gateway: the shape of startPlaza's Plaza, where it makes sense without databases. */
export interface SmallGateway {
  gateway: RunningGateway;
  subgraph: SmallSubgraph;
  supergraphSdl: string;
  query<T = any>(query: string, variables?: Record<string, unknown>, options?: { user?: string; scopes?: string[]; headers?: Record<string, string> }): Promise<GraphQLResponse<T>>;
  tokenFor(user: string, scopes?: string[]): Promise<string>;
  /** Another gateway in front of the same subgraph; stopped with the rest. */
  replica(overrides?: Partial<GatewayConfig>): Promise<RunningGateway>;
  stop(): Promise<void>;
}

/** Starts the small subgraph and the real gateway, with its real plugins, in front of it. */
export async function startSmallGateway(overrides: Partial<GatewayConfig> = {}): Promise<SmallGateway> {
  const subgraph = await startSmallSubgraph();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-small-'));
  const supergraphSdl = composeSmallSupergraph(subgraph.url);
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  fs.writeFileSync(supergraphPath, supergraphSdl);
  const gateways = await startTestGateways((more) => testGatewayConfig([subgraph], { ...more, supergraphPath }), overrides);
  return {
    ...gateways,
    subgraph,
    supergraphSdl,
    async stop() {
      await gateways.stopGateways();
      await subgraph.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
