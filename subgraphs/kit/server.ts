import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parse, type DocumentNode } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { EntitySchema } from '@mikro-orm/core';
import { ErrorCode, plazaError } from './errors.ts';
import { graphqlRequestListener, listen, sendJson, type Route } from './http.ts';
import { INTERNAL_TOKEN_HEADER, verifyInternalToken, type Viewer } from './internal-token.ts';
import { openDatabase, type Database, type EntityManager } from './orm.ts';
import type { SeedScale, SubgraphConfig, SubgraphName } from './config.ts';

/** What every resolver of every subgraph receives. */
export interface SubgraphContext<Loaders> {
  /** A request-scoped fork of the EntityManager: no identity map shared between requests. */
  em: EntityManager;
  /** Request-scoped DataLoaders built over `em`. */
  loaders: Loaders;
  /** The caller, as vouched for by the gateway. */
  viewer: Viewer;
  /** The secret gateway and subgraphs share, for signed passes between subgraphs (e.g. membership passes). */
  internalSecret: string;
}

/** A reference to an entity another subgraph owns: its key, nothing else. */
export interface EntityRef {
  id: string;
}

/** One subgraph, described the same way for all five. */
export interface SubgraphDefinition<Loaders> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<Loaders>>;
  entities: EntitySchema<any, any>[];
  createLoaders(em: EntityManager, viewer: Viewer): Loaders;
  /** Inserts this subgraph's slice of the seed world into an empty database. */
  seed(em: EntityManager, scale: SeedScale): Promise<void>;
}

/** Reads a subgraph's SDL file (the single source of its types). */
export function readSchema(url: URL): DocumentNode {
  return parse(fs.readFileSync(url, 'utf8'));
}

export interface RunningSubgraph {
  name: SubgraphName;
  url: string;
  port: number;
  database: Database;
  stop(): Promise<void>;
}

export async function isEmpty(em: EntityManager, entity: EntitySchema<any, any>): Promise<boolean> {
  return (await em.fork().count(entity, {})) === 0;
}

export async function startSubgraph<Loaders>(
  definition: SubgraphDefinition<Loaders>,
  config: SubgraphConfig,
): Promise<RunningSubgraph> {
  const database = await openDatabase(config.databaseUrl, definition.entities);
  const rootEm = database.orm.em as unknown as EntityManager;
  if (config.seedIfEmpty && (await isEmpty(rootEm, definition.entities[0]))) {
    await definition.seed(rootEm.fork(), config.seedScale);
  }

  const server = new ApolloServer<SubgraphContext<Loaders>>({
    schema: buildSubgraphSchema({
      typeDefs: definition.typeDefs,
      resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
    }),
    includeStacktraceInErrorResponses: !config.production,
    introspection: !config.production,
    // Plaza's entry points own the process lifecycle (see kit/process.ts).
    stopOnTerminationSignals: false,
    // Inline traces are for Apollo's hosted studio; Plaza measures with its own metrics.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();

  async function context(req: IncomingMessage): Promise<SubgraphContext<Loaders>> {
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    const viewer = await verifyInternalToken(typeof header === 'string' ? header : undefined, config.internalSecret);
    if (!viewer) {
      throw plazaError(ErrorCode.GATEWAY_TOKEN_REQUIRED, 'Subgraphs answer only requests signed by the Plaza gateway', {
        httpStatus: 401,
      });
    }
    const em = rootEm.fork();
    return { em, loaders: definition.createLoaders(em, viewer), viewer, internalSecret: config.internalSecret };
  }

  const routes: Route[] = [
    (req, res) => {
      if (req.url !== '/health') return false;
      sendJson(res, 200, { status: 'ok', subgraph: definition.name });
      return true;
    },
    async (req, res) => {
      if (req.url !== '/ready') return false;
      try {
        await rootEm.getConnection().execute('select 1');
        sendJson(res, 200, { status: 'ready', subgraph: definition.name, database: database.kind });
      } catch {
        sendJson(res, 503, { status: 'database unreachable', subgraph: definition.name });
      }
      return true;
    },
  ];

  const http = await listen(graphqlRequestListener(server, { context, routes }), config.port, config.host);
  return {
    name: definition.name,
    url: http.url,
    port: http.port,
    database,
    async stop() {
      await http.close();
      await server.stop();
      await database.close();
    },
  };
}
