import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Routes, StreamedAnswer } from '../platform/http.ts';
import type { ClientIdentity, GatewayContext } from './context.ts';

/** A request the gateway answered itself before GraphQL ran (too large, rate limited, unknown key, not in the list…). */
export interface Refusal {
  /** HTTP status of the answer. */
  status: number;
  /** The answer's `extensions.code`. */
  code: string;
  /** The calling app, as far as its headers tell (unknown when they do not, or were themselves refused). */
  client: ClientIdentity;
}

/**
 * One concern of the gateway (identity, persisted documents, limits, metrics…), in a
 * file of its own under gateway/plugins/. A plugin implements only the hooks it needs;
 * gateway/plugins/index.ts lists them in pipeline order.
 */
export interface GatewayPlugin {
  /** Short name, for logs and errors. */
  name: string;
  /** Endpoints served beside GraphQL (e.g. the playground), registered on the gateway's Fastify app. */
  routes?: Routes;
  /**
   * Endpoints for operators only (e.g. `/metrics`): on the operators' listener when
   * `PLAZA_METRICS_PORT` is set, else beside GraphQL in development, never on the public
   * port in production.
   */
  operatorRoutes?: Routes;
  /**
   * Runs on every GraphQL HTTP request once its body is read, before Apollo, in plugin
   * order: returns the body to execute (e.g. a persisted id replaced by its document), or
   * throws an HttpRefusal.
   */
  prepare?(request: FastifyRequest, body: unknown, url: URL): Promise<unknown> | unknown;
  /** Adds what this concern knows about the request to its context. */
  context?(request: FastifyRequest, context: GatewayContext): Promise<void> | void;
  /** Apollo Server lifecycle hooks (parse, validate, plan, response…). */
  apollo?: ApolloServerPlugin<GatewayContext>;
  /** Rewrites each error of an answer as the client will read it (Apollo's `formatError`, applied in plugin order). */
  formatError?(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /**
   * Runs first on every HTTP request, before its body is read, in plugin order (request
   * ids, logs and metrics watch the answer finish; cheap refusals such as a browser origin
   * or the per-IP rate limit throw an HttpRefusal here).
   */
  onRequest?(request: FastifyRequest, reply: FastifyReply): Promise<void> | void;
  /** Releases what the plugin holds (connections, timers) at shutdown. */
  stop?(): Promise<void>;
  /**
   * Serves a transport that streams (WebSocket) on the gateway's app, its operations run
   * through the app like HTTP requests; `format` is the gateway's formatError.
   */
  serveLive?(app: FastifyInstance, format: Format): void;
  /**
   * An answer that continues as a stream (a subscription's events over SSE), when this
   * plugin's transport carries the request; `first` is Apollo Server's answer.
   */
  streamAnswer?(context: GatewayContext, first: string, format: Format): StreamedAnswer | undefined;
  /** Runs first at shutdown, before in-flight requests drain: ends what never finishes by itself (live connections, told to reconnect). */
  drain?(): Promise<void>;
}

/** The gateway's formatting of one error, as a client reads it. */
export type Format = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Something a plugin derives from the supergraph (a policy, a cost model), kept current
 * across hot reloads: spread `hooks` into the plugin's `apollo` hooks and read `current()`.
 */
export function derivedFromSupergraph<T>(supergraphSdl: string, derive: (sdl: string) => T) {
  // derived when first read, once per supergraph the gateway loads (at start-up the gateway's form of the
  // given one, which replaces it before any request reads it)
  let sdl = supergraphSdl;
  let value: { of: T } | undefined;
  return {
    current: () => (value ??= { of: derive(sdl) }).of,
    hooks: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ coreSupergraphSdl }: { coreSupergraphSdl?: string }) {
            if (!coreSupergraphSdl || coreSupergraphSdl === sdl) return;
            sdl = coreSupergraphSdl;
            value = undefined;
          },
        };
      },
    } satisfies ApolloServerPlugin<GatewayContext>,
  };
}

/**
 * A plugin whose every operation reads something derived from the supergraph (a policy,
 * a cost model), kept current across hot reloads: `requestDidStart` gets the value's reader.
 */
export function supergraphPlugin<T>(
  name: string,
  supergraphSdl: string,
  derive: (sdl: string) => T,
  requestDidStart: (current: () => T) => GraphQLRequestListener<GatewayContext>,
): GatewayPlugin {
  const derived = derivedFromSupergraph(supergraphSdl, derive);
  return { name, apollo: { ...derived.hooks, requestDidStart: async () => requestDidStart(derived.current) } };
}
