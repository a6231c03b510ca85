import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Route } from '../platform/http.ts';
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
  /** Endpoints served beside GraphQL (e.g. the playground); return true when handled. */
  routes?: Route[];
  /**
   * Endpoints for operators only (e.g. `/metrics`): on the operators' listener when
   * `PLAZA_METRICS_PORT` is set, else beside GraphQL in development, never on the public
   * port in production.
   */
  operatorRoutes?: Route[];
  /**
   * Runs on every GraphQL HTTP request, before Apollo, in plugin order: returns the body
   * to execute (e.g. a persisted id replaced by its document), or throws an HttpRefusal.
   */
  prepare?(req: IncomingMessage, body: unknown, url: URL): Promise<unknown> | unknown;
  /** Adds what this concern knows about the request to its context. */
  context?(req: IncomingMessage, context: GatewayContext): Promise<void> | void;
  /** Apollo Server lifecycle hooks (parse, validate, plan, response…). */
  apollo?: ApolloServerPlugin<GatewayContext>;
  /** Rewrites each error of an answer as the client will read it (Apollo's `formatError`, applied in plugin order). */
  formatError?(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Told of every request the gateway refused before GraphQL ran, with its code and client (logs and metrics record it). */
  refused?(req: IncomingMessage, refusal: Refusal): void;
  /** Runs first on every HTTP request, before routes (request ids, logs, metrics watch the response finish). */
  onRequest?(req: IncomingMessage, res: ServerResponse): void;
  /** Releases what the plugin holds (connections, timers) at shutdown. */
  stop?(): Promise<void>;
}

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
