/**
 * A subgraph's subscriptions, served to the gateway over WebSocket on the GraphQL path
 * (same port as HTTP) with the graphql-transport-ws protocol, by the graphql-ws library.
 *
 * - `connection_init` carries `{ token }`, an internal token proving the gateway is the
 *   caller; without a valid one the socket is closed with 4403 Forbidden.
 * - Each `subscribe` carries the viewer of that one subscription (the gateway multiplexes
 *   many viewers over one socket) in `extensions.plaza.token`; without a valid one the
 *   operation gets an `error` message with GATEWAY_TOKEN_REQUIRED.
 * - Only subscriptions are served here; queries and mutations go over HTTP.
 * - Each event is executed with a context of its own (a fresh EntityManager fork and
 *   fresh DataLoaders): nothing read for one event is reused for the next.
 * - Errors are masked as on HTTP: an unexpected one reaches the gateway as
 *   INTERNAL_SERVER_ERROR with no message, SQL or stack.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { ExecutionArgs, ExecutionResult, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { useServer } from 'graphql-ws/use/ws';
import { ErrorCode } from '../../platform/errors.ts';
import { isUnexpectedError, maskUnexpectedError, rootCauseOf } from '../../platform/error-masking.ts';
import { serveWebSockets } from '../../platform/http.ts';
import { mapEvents } from '../../platform/events.ts';
import { verifyInternalToken, type Viewer } from '../../platform/internal-token.ts';
import type { Logger } from '../../platform/log.ts';

// graphql-js as @apollo/subgraph loads it (CommonJS), so the schema it built and these functions are of one copy,
// whichever build an ESM import of 'graphql' would pick under a bundler
const { createSourceEventStream, execute, getOperationAST, GraphQLError, parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
type GraphQLError = import('graphql').GraphQLError;

/** Close code when the subgraph stops: the gateway reconnects (to another replica, or to this one once it is back). */
export const CLOSE_GOING_AWAY = 1001;

export interface SubscriptionServerOptions<Context> {
  schema: GraphQLSchema;
  /** The secret internal tokens are signed with. */
  internalSecret: string;
  /** A new context for the viewer: built for the subscription, and again for each of its events. */
  contextFor(viewer: Viewer): Context;
  logger: Logger;
  /** Path served; default `/graphql`. */
  path?: string;
  /** Largest subscription document accepted, in characters; default 64 KiB. */
  maxDocumentLength?: number;
}

export const SUBSCRIPTION_SERVER_DEFAULTS = { path: '/graphql', maxDocumentLength: 64 * 1024 } as const;

export interface SubscriptionServer {
  /** Closes every socket (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

/** A refusal of the operation, as graphql-ws sends it in an `error` message (an error of the same graphql-js copy it checks against). */
function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

/** The viewer token a subscribe message carries, or undefined. */
function viewerTokenOf(extensions: Record<string, unknown> | null | undefined): string | undefined {
  const plaza = extensions?.plaza;
  const token = typeof plaza === 'object' && plaza !== null ? (plaza as { token?: unknown }).token : undefined;
  return typeof token === 'string' ? token : undefined;
}

/** Serves subscriptions on `server`'s upgrade requests to `path`; other paths are refused. */
export function serveSubscriptions<Context extends { viewer: Viewer }>(server: Server, options: SubscriptionServerOptions<Context>): SubscriptionServer {
  const path = options.path ?? SUBSCRIPTION_SERVER_DEFAULTS.path;
  const maxDocumentLength = options.maxDocumentLength ?? SUBSCRIPTION_SERVER_DEFAULTS.maxDocumentLength;
  const { schema, logger } = options;
  // graphql-transport-ws messages are small: a subscribe is a document and its variables
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  const mask = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      if (isUnexpectedError(error)) logger.error({ path: error.path, err: rootCauseOf(error) }, 'unexpected error in a subscription');
      return maskUnexpectedError(error.toJSON(), error);
    });

  const graphqlWs = useServer<{ token?: unknown }>(
    {
      schema,
      // the gateway proves itself once per socket
      onConnect: async (ctx) => Boolean(await verifyInternalToken(typeof ctx.connectionParams?.token === 'string' ? ctx.connectionParams.token : undefined, options.internalSecret)),
      onSubscribe: async (_ctx, _id, payload) => {
        const viewer = await verifyInternalToken(viewerTokenOf(payload.extensions), options.internalSecret);
        if (!viewer) return [refusal(ErrorCode.GATEWAY_TOKEN_REQUIRED, 'Each subscription needs the internal token of its viewer in extensions.plaza.token')];
        if (typeof payload.query !== 'string' || payload.query.length > maxDocumentLength) {
          return [refusal(ErrorCode.BAD_REQUEST, `A subscription document is a string of at most ${maxDocumentLength} characters`)];
        }
        // the codes Apollo Server gives the same refusals over HTTP
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode(error instanceof GraphQLError ? error : new GraphQLError('The document could not be parsed'), ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
        }
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.map((error) => withCode(error, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [refusal(ErrorCode.BAD_REQUEST, 'The document names no single operation to run')];
        if (operation.operation !== 'subscription') return [refusal(ErrorCode.BAD_REQUEST, 'Only subscriptions are served over WebSocket; queries and mutations go over HTTP')];
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: options.contextFor(viewer),
        } satisfies ExecutionArgs;
      },
      // each event runs with a context of its own, so no loader or identity map outlives its event
      subscribe: async (args) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const viewer = (args.contextValue as Context).viewer;
        return mapEvents(source[Symbol.asyncIterator](), (event) => execute({ ...args, rootValue: event, contextValue: options.contextFor(viewer) }) as Promise<ExecutionResult>);
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => mask(errors),
    },
    sockets,
  );

  const detach = serveWebSockets(server, path, sockets);

  return {
    async close() {
      detach();
      await graphqlWs.dispose();
    },
  };
}
