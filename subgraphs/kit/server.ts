import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { parse, type DocumentNode } from 'graphql';
import { Gauge } from 'prom-client';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { EntitySchema } from '@mikro-orm/core';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { logUnexpectedErrors, maskUnexpectedError } from '../../platform/error-masking.ts';
import { refuseControlCharacters } from '../../platform/control-characters.ts';
import { createLogger } from '../../platform/log.ts';
import { metricsRoute, subgraphMetrics, type SubgraphMetrics } from '../../platform/metrics.ts';
import { observeRequests } from './observe.ts';
import { createHttpApp, listen, sendJson, serveGraphQL } from '../../platform/http.ts';
import { INTERNAL_TOKEN_HEADER, verifyInternalToken, type Viewer } from '../../platform/internal-token.ts';
import { peerClient, type Peers } from './peers.ts';
import { boundedDocumentStore } from '../../platform/document-cache.ts';
import { currentStatementScope, openDatabase, withStatementScope, type Database, type Dialect, type EntityManager } from './orm.ts';
import type { SeedScale, SubgraphConfig, SubgraphName } from '../../platform/config.ts';
import { defaultOf } from '../../platform/settings.ts';
import { createBroker, type Broker } from '../../platform/broker.ts';
import { subgraphEvents, type SubgraphEvents } from './events.ts';
import { serveSubscriptions, type SubscriptionServer } from './subscriptions.ts';

/** What every resolver of every subgraph receives. */
export interface SubgraphContext<Loaders> {
  /** A request-scoped fork of the EntityManager: no identity map shared between requests. */
  em: EntityManager;
  /** The SQL dialect of this subgraph's database. */
  dialect: Dialect;
  /** Request-scoped DataLoaders built over `em`. */
  loaders: Loaders;
  /** The caller, as vouched for by the gateway. */
  viewer: Viewer;
  /** The secret gateway and subgraphs share, for signed passes between subgraphs (e.g. membership passes). */
  internalSecret: string;
  /** This subgraph's client for server-to-server calls to other subgraphs. */
  peers: Peers;
  /** This subgraph's configuration, as it started. */
  config: SubgraphConfig;
  /** This subgraph's metrics, for what a service measures itself (e.g. how long a transaction held its row locks). */
  metrics: SubgraphMetrics;
  /** Publishes committed changes to subscriptions, and lets subscription fields listen to them (see events.ts). */
  events: SubgraphEvents;
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
  /**
   * Builds a request's DataLoaders. `shared` is what createShared made for this running
   * subgraph (caches that outlive a request), or undefined.
   */
  createLoaders(em: EntityManager, shared?: any): Loaders;
  /**
   * State shared by every request of one running subgraph (e.g. a short-lived cache), given
   * the subgraph's root EntityManager for background writes. Optional; its `close()`, if it
   * has one, runs when the subgraph stops, after the last request and before the database closes.
   */
  createShared?(em: EntityManager, config: SubgraphConfig): unknown;
  /** Inserts this subgraph's slice of the seed world into an empty database. */
  seed(em: EntityManager, scale: SeedScale): Promise<void>;
  /** Runs after migrations and seeding, before serving (e.g. building a search index). Optional. */
  prepare?(em: EntityManager, dialect: Database['kind']): Promise<void>;
}

/** Memory budget of a subgraph's parsed and validated documents (Apollo's documentStore), in bytes of estimated heap. */
export const SUBGRAPH_DOCUMENT_CACHE_BYTES = 8 * 1024 * 1024;

/** Reads a subgraph's SDL file (the single source of its types). */
export function readSchema(url: URL): DocumentNode {
  return parse(fs.readFileSync(url, 'utf8'));
}

/** A subgraph's definition, its types read from the `schema.graphql` beside the module at `moduleUrl` (its import.meta.url). */
export function defineSubgraph<Loaders>(moduleUrl: string, parts: Omit<SubgraphDefinition<Loaders>, 'typeDefs'>): SubgraphDefinition<Loaders> {
  return { ...parts, typeDefs: readSchema(new URL('./schema.graphql', moduleUrl)) };
}

export interface RunningSubgraph {
  name: SubgraphName;
  url: string;
  port: number;
  database: Database;
  /** SQL statements run serving GraphQL requests since start (each response also carries its own in `x-plaza-sql-statements`). */
  statements(): number;
  /** HTTP requests received since start, on any route. */
  requests(): number;
  /** What the definition's createShared made (e.g. a cache), for operators' tools and tests. */
  shared: unknown;
  /** The broker its events travel on. */
  broker: Broker;
  /** Subscriptions listening now (each has its broker topic subscribed). */
  subscriptions(): number;
  stop(): Promise<void>;
}

export interface StartSubgraphOptions {
  /**
   * The broker to publish and listen on; default one made from `config.redisUrl` (Redis, or
   * in-process for this subgraph alone), closed when the subgraph stops. One given here is
   * the caller's to close (e.g. one in-process broker shared by two replicas in a test).
   */
  broker?: Broker;
}

export async function isEmpty(em: EntityManager, entity: EntitySchema<any, any>): Promise<boolean> {
  return (await em.fork().count(entity, {})) === 0;
}

export async function startSubgraph<Loaders>(
  definition: SubgraphDefinition<Loaders>,
  config: SubgraphConfig,
  options: StartSubgraphOptions = {},
): Promise<RunningSubgraph> {
  const database = await openDatabase(config.databaseUrl, definition.entities, definition.name);
  const rootEm = database.orm.em as unknown as EntityManager;
  if (config.seedIfEmpty && (await isEmpty(rootEm, definition.entities[0]))) {
    await definition.seed(rootEm.fork(), config.seedScale);
  }
  await definition.prepare?.(rootEm.fork(), database.kind);
  const logger = createLogger(`subgraph-${definition.name}`, config.logLevel);
  const metrics = subgraphMetrics(definition.name);
  let stopping = false;
  // the gateway's fetches are a bounded set of operations, but one per distinct literal (a city asked for inline): bounded by heap
  const documents = boundedDocumentStore('subgraph_document', SUBGRAPH_DOCUMENT_CACHE_BYTES);

  const schema = buildSubgraphSchema({
    typeDefs: definition.typeDefs,
    resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
  });
  const server = new ApolloServer<SubgraphContext<Loaders>>({
    documentStore: documents,
    schema,
    includeStacktraceInErrorResponses: !config.production,
    introspection: !config.production,
    // a database error's message is its SQL with the values: no caller reads it, the log does
    formatError: maskUnexpectedError,
    // Plaza's entry points own the process lifecycle (see kit/process.ts).
    stopOnTerminationSignals: false,
    // Inline traces are for Apollo's hosted studio; Plaza measures with its own metrics.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // the gateway refuses these with 400 first; a subgraph's callers read its refusals from the answer's errors
      refuseControlCharacters({ httpStatus: 200 }),
      logUnexpectedErrors(logger),
      sqlStatementsHeader(),
      observeRequests(logger, metrics),
    ],
  });
  await server.start();

  const shared = definition.createShared?.(rootEm, config);
  const peers = peerClient(definition.name, (config.peers ??= {}), config.internalSecret, config.peerTimeoutMs ?? defaultOf('PLAZA_PEER_TIMEOUT_MS'));
  const broker = options.broker ?? createBroker({ redisUrl: config.redisUrl, registry: metrics.registry, onError: (error, what) => logger.error({ err: error }, `event broker: ${what}`) });
  const events = subgraphEvents(broker, logger);
  new Gauge({
    name: 'plaza_subgraph_subscriptions_active',
    help: 'Subscriptions this subgraph serves now',
    registers: [metrics.registry],
    collect() {
      this.set(events.active());
    },
  });

  /**
   * A request's (or a subscription event's) context: its own EntityManager fork and
   * DataLoaders, made when first used (an event whose reads another subscription already
   * made needs neither).
   */
  function contextFor(viewer: Viewer): SubgraphContext<Loaders> {
    let em: EntityManager | undefined;
    let loaders: Loaders | undefined;
    return {
      get em() {
        return (em ??= rootEm.fork());
      },
      get loaders() {
        return (loaders ??= definition.createLoaders(this.em, shared));
      },
      dialect: database.kind,
      viewer,
      internalSecret: config.internalSecret,
      peers,
      config,
      metrics,
      events,
    };
  }

  async function context(request: FastifyRequest): Promise<SubgraphContext<Loaders>> {
    const header = request.headers[INTERNAL_TOKEN_HEADER];
    const viewer = await verifyInternalToken(typeof header === 'string' ? header : undefined, config.internalSecret);
    if (!viewer) {
      throw plazaError(ErrorCode.GATEWAY_TOKEN_REQUIRED, 'Subgraphs answer only requests signed by the Plaza gateway', {
        httpStatus: 401,
      });
    }
    return contextFor(viewer);
  }

  const app = createHttpApp({ onError: (error) => logger.error({ err: error }, 'request failed') });
  let requests = 0;
  app.addHook('onRequest', async () => {
    requests++;
  });
  app.get('/health', (_request, reply) => sendJson(reply, 200, { status: 'ok', subgraph: definition.name }));
  metricsRoute(metrics.registry)(app);
  app.get('/ready', async (_request, reply) => {
    if (stopping) return sendJson(reply, 503, { status: 'stopping', subgraph: definition.name });
    try {
      await rootEm.getConnection().execute('select 1');
      return sendJson(reply, 200, { status: 'ready', subgraph: definition.name, database: database.kind });
    } catch {
      return sendJson(reply, 503, { status: 'database unreachable', subgraph: definition.name });
    }
  });
  // every request counts its own SQL statements (see sqlStatementsHeader)
  serveGraphQL(app, server, { context, around: (run) => withStatementScope({ statements: 0 }, run) });
  const http = await listen(app, config.port, config.host);
  // a subgraph with a Subscription type serves it over WebSocket on the same port
  const subscriptions: SubscriptionServer | null = schema.getSubscriptionType()
    ? serveSubscriptions(http.server, { schema, internalSecret: config.internalSecret, contextFor, logger })
    : null;
  let stopped: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    // readiness fails first; in-flight requests finish before the database closes
    stopping = true;
    // subscribers are told to go elsewhere (1001) before the listener closes
    await subscriptions?.close();
    await http.close();
    await server.stop();
    // after the last request: what it committed is still published
    if (!options.broker) await broker.close();
    events.close();
    await (shared as { close?(): unknown } | undefined)?.close?.();
    await database.close();
    documents.close();
  }
  return {
    name: definition.name,
    url: http.url,
    port: http.port,
    database,
    statements: () => database.requestStatements(),
    requests: () => requests,
    shared,
    broker,
    subscriptions: () => events.active(),
    // stopping twice (a test stops a subgraph, then everything) waits for the one stop
    stop: () => (stopped ??= shutdown()),
  };
}

/** The response header carrying how many SQL statements the subgraph ran for the request. */
export const SQL_STATEMENTS_HEADER = 'x-plaza-sql-statements';

/** Reports the request's SQL statement count in a response header, for the benchmark and the batching tests. */
function sqlStatementsHeader(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const scope = currentStatementScope();
          if (scope) response.http.headers.set(SQL_STATEMENTS_HEADER, String(scope.statements));
        },
      };
    },
  };
}
