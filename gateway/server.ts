import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createHttpApp, listen, sendJson, serveGraphQL, type Listening } from '../platform/http.ts';
import { signInternalToken } from '../platform/internal-token.ts';
import { operationsOf, subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { newRequestState, observeOperation, UNKNOWN_CLIENT, type GatewayContext } from './context.ts';
import { PlazaEngine } from './engine/index.ts';
import { stringifyResult } from './engine/answer-text.ts';
import { SubgraphSource } from './engine/subgraph-source.ts';
import { UpstreamSubscriptions } from './engine/upstream.ts';
import { HeaderRulesSubgraphSource } from './header-rules-source.ts';
import { parseHeaderRules, passedBack, pickHeaders, propagatedHeaders } from './header-rules.ts';
import { payloadTexts } from './engine/defer.ts';
import type { GraphQLFormattedError } from 'graphql';
import { undiciTransport } from './engine/fetcher.ts';
import { reachability, watchSupergraph } from './operations.ts';
import { createLogger } from '../platform/log.ts';
import type { GatewayPlugin } from './plugin.ts';
import { clientsIn } from './plugins/clients.ts';
import { gatewayPlugins } from './plugins/index.ts';
import { persistedDocumentsIn } from './plugins/persisted-documents.ts';
import type { RegisteredOperation } from './manifests.ts';
import { boundedDocumentStore, GATEWAY_BYTES_PER_TOKEN } from '../platform/document-cache.ts';

const MiB = 1024 * 1024;

export interface RunningGateway {
  url: string;
  port: number;
  /** `/metrics` on the operators' listener, when `PLAZA_METRICS_PORT` is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** Writes the subgraph answer headers the header rules chose onto the client's answer. */
const passBackHeaders: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        for (const [name, value] of contextValue.passedHeaders ?? []) response.http.headers.set(name, value);
      },
    };
  },
};

/** The subgraph names a supergraph's text declares (`@join__graph(name:)`). */
function subgraphNamesOf(supergraphSdl: string): string[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((m) => m[1]);
}

/** Builds and starts the gateway over a composed supergraph. */
export async function startGateway(config: GatewayConfig, plugins: GatewayPlugin[] = gatewayPlugins(config)): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const operations = operationsOf(config);
  const logger = createLogger('gateway', operations.logLevel);
  const pool = undiciTransport();
  // bounded by the estimated heap of its entries (and what hangs off them), reported in /metrics
  // header rules name only subgraphs of the supergraph: checked again with its names, before anything starts
  const headerRules = config.headerRules && parseHeaderRules('PLAZA_HEADER_RULES', JSON.stringify(config.headerRules), subgraphNamesOf(supergraphSdl));
  const ruleHeaderNames = headerRules ? propagatedHeaders(headerRules) : [];
  const documents = boundedDocumentStore('document', operations.documentCacheMiB * MiB, GATEWAY_BYTES_PER_TOKEN);
  const engine = new PlazaEngine({
    supergraphSdl,
    planCacheBytes: operations.queryPlanCacheMiB * MiB,
    tracing: !!operations.otlpEndpoint,
    // the sources hold back fetches nothing in the plan waits for (see SubgraphSource.flush)
    mergeFetches: operations.mergeFetches,
    maxPendingEvents: operations.subscriptionBacklog,
    upstream: ({ name, url }) => new UpstreamSubscriptions(name, subgraphUrlOverride(config, name) ?? url, config.internalSecret),
    source: ({ name, url }) => {
      const target = subgraphUrlOverride(config, name) ?? url;
      if (!target) throw new Error(`Subgraph "${name}" has no URL in the supergraph; set PLAZA_SUBGRAPH_URL_${name.toUpperCase()}`);
      const back = headerRules ? passedBack(headerRules, name) : [];
      const onResponseHeaders = back.length
        ? (headers: Record<string, string>, context: GatewayContext) => {
            for (const header of back) if (headers[header] !== undefined) context.passedHeaders?.set(header, headers[header]);
          }
        : undefined;
      const options = { name, url: target, operations, transport: pool.send, onResponseHeaders };
      return headerRules ? new HeaderRulesSubgraphSource(options, headerRules) : new SubgraphSource(options);
    },
  });
  // the engine switches supergraphs while serving; a rejected file leaves the current one
  const watcher = operations.watchSupergraph ? watchSupergraph(config.supergraphPath, supergraphSdl, (sdl) => engine.update(sdl), logger) : undefined;
  // what a client reads of each error (gateway/plugins/error-masking.ts masks internal errors in production)
  const formatError = (formatted: GraphQLFormattedError, error: unknown) => plugins.reduce((f, plugin) => plugin.formatError?.(f, error) ?? f, formatted);
  let stopping = false;
  // stopping twice (a test's replica stopped early, then with the rest) waits for the one stop
  let stopped: Promise<void> | undefined;
  const server = new ApolloServer<GatewayContext>({
    gateway: engine,
    includeStacktraceInErrorResponses: !config.production,
    introspection: !config.production,
    // Plaza's entry points own the process lifecycle (see kit/process.ts).
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    documentStore: documents,
    formatError,
    // answers the engine wrote as text are spliced in, not stringified again
    stringifyResult,
    // the playground plugin serves Plaza's own offline GraphiQL; Apollo's landing page would load a CDN
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // what the request turned out to be, in its state, for the logs and metrics
      observeOperation,
      ...plugins.flatMap((p) => (p.apollo ? [p.apollo] : [])),
      // the subgraph answer headers the header rules pass back
      ...(headerRules?.response ? [passBackHeaders] : []),
    ],
  });
  await server.start();

  // registered operations never wait for their plan: planned at start and after every reload of the manifests,
  // which a supergraph change causes too (the gateway's plan cache starts empty then)
  const persisted = persistedDocumentsIn(plugins);
  if (persisted) {
    const warm = async (why: string, operations: RegisteredOperation[]) => {
      const started = performance.now();
      const planned = await engine.warm(operations, (operation, error) =>
        logger.warn({ operation, err: error }, 'could not plan a registered operation ahead'),
      );
      if (planned) logger.info({ planned, why, ms: Math.round(performance.now() - started) }, 'query plans warmed');
    };
    await warm('start', persisted.operations());
    persisted.onRegistered((operations) => void warm('manifests reloaded', operations));
  }

  async function context(request: FastifyRequest): Promise<GatewayContext> {
    const context = request.plaza;
    for (const plugin of plugins) await plugin.context?.(request, context);
    if (headerRules) {
      context.ruleHeaders = pickHeaders(request.raw, ruleHeaderNames);
      if (headerRules.response) context.passedHeaders = new Map();
    }
    context.internalToken = signInternalToken(context.viewer, config.internalSecret);
    // a subscription's later events are completed with fetches of their own, each with a token signed then
    if (context.live) context.live.renewToken = (live) => void (live.internalToken = signInternalToken(live.viewer, config.internalSecret));
    return context;
  }

  // refusals are logged and counted with the calling app, as far as its headers tell
  const clients = clientsIn(plugins);
  const clientOf = (request: FastifyRequest) => {
    try {
      return clients?.clientOf(request) ?? UNKNOWN_CLIENT;
    } catch {
      return UNKNOWN_CLIENT; // its own headers were refused
    }
  };
  // logs and metrics read the refusal from the request's state
  const onRefused = (request: FastifyRequest, status: number, code: string) => {
    request.plaza.refusal = { status, code, client: clientOf(request) };
  };
  const onError = (error: unknown) => logger.error({ err: error }, 'request failed');

  // The pipeline, in the order a request meets it:
  // 1. every plugin's onRequest, in plugin order, before the body is read (request id, logs, metrics,
  //    browser origin, per-IP rate limit): gateway/plugins/index.ts lists them in that order;
  // 2. the body, refused over PLAZA_MAX_BODY_BYTES (platform/http.ts);
  // 3. every plugin's prepare, in plugin order (operation limits, client identity, persisted documents, per-client rate limit);
  // 4. Apollo Server with its plugins' hooks (parse, validate, identity, authorization, cost, plan) and the engine.
  const app = createHttpApp({ maxBodyBytes: config.maxBodyBytes, onRefused, onError });
  app.decorateRequest('plaza', null as unknown as GatewayContext);
  // callback hooks: Fastify runs one that finishes at once without a promise and a turn of microtasks
  app.addHook('onRequest', (request, _reply, done) => {
    request.plaza = newRequestState();
    done();
  });
  for (const plugin of plugins) {
    const hook = plugin.onRequest;
    if (!hook) continue;
    app.addHook('onRequest', (request, reply, done) => {
      let pending: Promise<void> | void;
      try {
        pending = hook(request, reply);
      } catch (error) {
        done(error as Error);
        return;
      }
      if (pending) pending.then(() => done(), done);
      else done();
    });
  }
  app.get('/health', (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (stopping) return sendJson(reply, 503, { status: 'stopping' });
    const sources = engine.sources();
    const subgraphs = await reachability(sources);
    const down = Object.entries(subgraphs).filter(([, up]) => !up).map(([name]) => name);
    // one subgraph down degrades answers; only a gateway that can reach none is unready
    const status = down.length === 0 ? 'ready' : down.length < sources.length ? 'degraded' : 'unavailable';
    // a manifest this gateway refused leaves its operations unanswered here: operators see it on the probe they watch
    const refusedManifests = persisted?.refusedManifests() ?? [];
    return sendJson(reply, status === 'unavailable' ? 503 : 200, { status, subgraphs, ...(refusedManifests.length ? { refusedManifests } : {}) });
  });
  for (const plugin of plugins) plugin.routes?.(app);
  // operators' routes never share the public port in production
  const operatorRoutes = plugins.flatMap((p) => (p.operatorRoutes ? [p.operatorRoutes] : []));
  let operatorHttp: Listening | undefined;
  if (operations.metricsPort !== null) {
    const operators = createHttpApp({ notFound: (path) => `Nothing is served at ${path} on the operators' port`, onError: (error) => logger.error({ err: error }, 'operators request failed') });
    for (const routes of operatorRoutes) routes(operators);
    operatorHttp = await listen(operators, operations.metricsPort, config.host, '/metrics');
  } else if (!config.production) {
    for (const routes of operatorRoutes) routes(app);
  } else if (operatorRoutes.length) {
    logger.warn('/metrics is not served: set PLAZA_METRICS_PORT to serve it on a port of its own');
  }
  for (const plugin of plugins) plugin.serveLive?.(app, formatError);
  const streams = plugins.flatMap((p) => (p.streamAnswer ? [p.streamAnswer.bind(p)] : []));
  serveGraphQL(app, server, {
    context,
    prepare: async (request, body, url) => {
      for (const plugin of plugins) if (plugin.prepare) body = await plugin.prepare(request, body, url);
      return body;
    },
    // the later parts of an answer deferred in parts, their errors formatted as the first part's
    subsequent: (context) => context.incremental?.subsequent && payloadTexts(context.incremental.subsequent(), formatError),
    // a subscription's events over SSE (WebSockets are served by serveLive)
    stream: (context, first) => {
      for (const stream of streams) {
        const answer = stream(context, first, formatError);
        if (answer) return answer;
      }
      return undefined;
    },
  });
  const http = await listen(app, config.port, config.host);
  async function shutdown(): Promise<void> {
    // readiness fails first, live connections are told to reconnect, then in-flight requests drain before anything closes
    stopping = true;
    for (const plugin of plugins) await plugin.drain?.();
    await http.close(operations.drainTimeoutMs);
    await operatorHttp?.close(operations.drainTimeoutMs);
    await server.stop();
    watcher?.close();
    for (const plugin of plugins) await plugin.stop?.();
    await pool.close();
    documents.close();
  }
  return {
    url: http.url,
    port: http.port,
    metricsUrl: operatorHttp?.url,
    stop: () => (stopped ??= shutdown()),
  };
}
