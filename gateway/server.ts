import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { graphqlRequestListener, HttpRefusal, listen, sendError, sendJson, type Listening, type Route } from '../platform/http.ts';
import { ErrorCode } from '../platform/errors.ts';
import { ANONYMOUS, signInternalToken } from '../platform/internal-token.ts';
import { operationsOf, subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { UNKNOWN_CLIENT, type GatewayContext } from './context.ts';
import { PlazaEngine } from './engine/index.ts';
import { stringifyResult } from './engine/answer-text.ts';
import { SubgraphSource } from './engine/subgraph-source.ts';
import { HeaderRulesSubgraphSource } from './header-rules-source.ts';
import { parseHeaderRules, passedBack, pickHeaders, propagatedHeaders } from './header-rules.ts';
import { payloadTexts } from './engine/defer.ts';
import type { GraphQLFormattedError } from 'graphql';
import { undiciTransport } from './engine/fetcher.ts';
import { reachability, watchSupergraph } from './operations.ts';
import { createLogger } from '../platform/log.ts';
import type { GatewayPlugin, Refusal } from './plugin.ts';
import { clientsIn } from './plugins/clients.ts';
import { gatewayPlugins } from './plugins/index.ts';
import { persistedDocumentsIn } from './plugins/persisted-documents.ts';
import type { RegisteredOperation } from './manifests.ts';
import { boundedDocumentStore, GATEWAY_BYTES_PER_TOKEN } from '../platform/document-cache.ts';

const MiB = 1024 * 1024;

/**
 * The codes the HTTP layer (subgraphs/kit/http.ts) answers with before the gateway's own
 * steps run, by status: a path other than /graphql, a body over the limit, a body that is not JSON.
 */
const HTTP_LAYER_CODES: Record<number, string> = {
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.REQUEST_TOO_LARGE,
  400: ErrorCode.BAD_REQUEST,
};

export interface RunningGateway {
  url: string;
  port: number;
  /** `/metrics` on the operators' listener, when `PLAZA_METRICS_PORT` is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** The operators' listener: their routes (`/metrics`) and nothing else. */
function operatorListener(routes: Route[], onError: (error: unknown) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      for (const route of routes) if (await route(req, res)) return;
      sendError(res, 404, ErrorCode.NOT_FOUND, `Nothing is served at ${req.url} on the operators' port`);
    })().catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      else res.destroy();
    });
  };
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
    // one hook object may serve several concerns (logging and metrics observe operations together): added once
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ...new Set(plugins.flatMap((p) => (p.apollo ? [p.apollo] : []))),
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

  async function context(req: IncomingMessage): Promise<GatewayContext> {
    const context: GatewayContext = { viewer: ANONYMOUS, client: UNKNOWN_CLIENT, incremental: {} };
    for (const plugin of plugins) await plugin.context?.(req, context);
    if (headerRules) {
      context.ruleHeaders = pickHeaders(req, ruleHeaderNames);
      if (headerRules.response) context.passedHeaders = new Map();
    }
    context.internalToken = signInternalToken(context.viewer, config.internalSecret);
    return context;
  }

  // refusals are logged and counted with the calling app, as far as its headers tell
  const clients = clientsIn(plugins);
  const clientOf = (req: IncomingMessage) => {
    try {
      return clients?.clientOf(req) ?? UNKNOWN_CLIENT;
    } catch {
      return UNKNOWN_CLIENT; // its own headers were refused
    }
  };
  const reported = new WeakSet<IncomingMessage>();
  const reportRefusal = (req: IncomingMessage, status: number, code: string) => {
    if (reported.has(req)) return;
    reported.add(req);
    const refusal: Refusal = { status, code, client: clientOf(req) };
    for (const plugin of plugins) plugin.refused?.(req, refusal);
  };

  async function prepare(req: IncomingMessage, body: unknown, url: URL): Promise<unknown> {
    reported.add(req); // past the HTTP layer: from here on the plugins see the request
    try {
      for (const plugin of plugins) if (plugin.prepare) body = await plugin.prepare(req, body, url);
    } catch (error) {
      if (error instanceof HttpRefusal) {
        reported.delete(req);
        reportRefusal(req, error.status, error.code);
      }
      throw error;
    }
    return body;
  }

  const routes: Route[] = [
    (req, res) => {
      if (req.url !== '/health') return false;
      sendJson(res, 200, { status: 'ok' });
      return true;
    },
    async (req, res) => {
      if (req.url !== '/ready') return false;
      if (stopping) {
        sendJson(res, 503, { status: 'stopping' });
        return true;
      }
      const sources = engine.sources();
      const subgraphs = await reachability(sources);
      const down = Object.entries(subgraphs).filter(([, up]) => !up).map(([name]) => name);
      // one subgraph down degrades answers; only a gateway that can reach none is unready
      const status = down.length === 0 ? 'ready' : down.length < sources.length ? 'degraded' : 'unavailable';
      // a manifest this gateway refused leaves its operations unanswered here: operators see it on the probe they watch
      const refusedManifests = persisted?.refusedManifests() ?? [];
      sendJson(res, status === 'unavailable' ? 503 : 200, { status, subgraphs, ...(refusedManifests.length ? { refusedManifests } : {}) });
      return true;
    },
    ...plugins.flatMap((p) => p.routes ?? []),
  ];
  // operators' routes never share the public port in production
  const operatorRoutes = plugins.flatMap((p) => p.operatorRoutes ?? []);
  let operatorHttp: Listening | undefined;
  if (operations.metricsPort !== null) {
    operatorHttp = await listen(operatorListener(operatorRoutes, (error) => logger.error({ err: error }, 'operators request failed')), operations.metricsPort, config.host, '/metrics');
  } else if (!config.production) {
    routes.push(...operatorRoutes);
  } else if (operatorRoutes.length) {
    logger.warn('/metrics is not served: set PLAZA_METRICS_PORT to serve it on a port of its own');
  }

  const http: Listening = await listen(
    graphqlRequestListener(server, {
      context,
      prepare,
      routes,
      maxBodyBytes: config.maxBodyBytes,
      // the later parts of an answer deferred in parts, their errors formatted as the first part's
      subsequent: (context) => context.incremental?.subsequent && payloadTexts(context.incremental.subsequent(), formatError),
      onRequest: (req, res) => {
        // before the plugins' own listeners, so a refusal of the HTTP layer is known when they log and count
        res.once('close', () => {
          const code = HTTP_LAYER_CODES[res.statusCode];
          if (code && !reported.has(req)) reportRefusal(req, res.statusCode, code);
        });
        for (const plugin of plugins) plugin.onRequest?.(req, res);
      },
      onError: (error) => logger.error({ err: error }, 'request failed'),
    }),
    config.port,
    config.host,
  );
  return {
    url: http.url,
    port: http.port,
    metricsUrl: operatorHttp?.url,
    async stop() {
      // readiness fails first, then in-flight requests drain before anything closes
      stopping = true;
      await http.close(operations.drainTimeoutMs);
      await operatorHttp?.close(operations.drainTimeoutMs);
      await server.stop();
      watcher?.close();
      for (const plugin of plugins) await plugin.stop?.();
      await pool.close();
      documents.close();
    },
  };
}
