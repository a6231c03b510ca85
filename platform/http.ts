/**
 * The HTTP layer of the gateway and of every subgraph: a Fastify app with Plaza's answers
 * to bad requests (a GraphQL error with a stable `extensions.code`, never Fastify's own
 * error shape), Apollo Server on the GraphQL path through @as-integrations/fastify, and a
 * drain on close.
 *
 * The order a request meets things is Fastify's: `onRequest` hooks (request ids, logs,
 * metrics, cheap refusals that need only the headers: origin, IP rate limit, method),
 * then the body (refused over `maxBodyBytes` before it is read when Content-Length says
 * so), then the GraphQL route's `preHandler` (the gateway's `prepare` steps), then Apollo.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { ErrorCode } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The GraphQL context built for this request, once Apollo asked for it. */
    graphqlContext: unknown;
  }
}

/** Endpoints served beside GraphQL (health, readiness, metrics, pages…), registered on the app. */
export type Routes = (app: FastifyInstance) => void;

/** A request refused before GraphQL execution, answered as a GraphQL error with this status. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The answer's whole `errors` list, when it holds more than this one error (an earlier answer replayed). */
    readonly errors?: readonly unknown[],
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

/** Answers with a JSON body. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Answers with one GraphQL error: its message and `extensions.code`, with this HTTP status. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  reply.headers(headers);
  return sendJson(reply, status, { errors: [{ message, extensions: { code } }] });
}

export interface HttpAppOptions {
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Where GraphQL is served, named in the answer to an unknown path. Default `/graphql`. */
  graphqlPath?: string;
  /** Called with errors that escaped everything else (answered as a bare 500). */
  onError?: (error: unknown) => void;
  /** The message of the 404 answer to an unknown path. Default: names the GraphQL path. */
  notFound?: (path: string) => string;
  /** Told of every request answered with a refusal before GraphQL ran: its status and code. */
  onRefused?: (request: FastifyRequest, status: number, code: string) => void;
}

const JSON_TYPE = /json/i;

/** A body that is not JSON although its content type says so. */
class NotJson extends Error {
  readonly statusCode = 400;
}

/** Creates the app with Plaza's body parsing, refusals and last line of defence. */
export function createHttpApp(options: HttpAppOptions = {}): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const app = Fastify({
    bodyLimit: maxBodyBytes,
    keepAliveTimeout: 65_000,
    // requests that arrive while draining are answered (with `connection: close`), not refused
    return503OnClosing: false,
    logger: false,
  });
  app.decorateRequest('graphqlContext', null);
  // one parser for every content type: JSON when the type says so (an empty body is no body), else the text
  // (Apollo Server answers a body it cannot use; its CSRF prevention refuses simple requests)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, text, done) => {
    if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) return done(null, text);
    try {
      done(null, (text as string).length ? JSON.parse(text as string) : undefined);
    } catch {
      done(new NotJson('Request body is not valid JSON'), undefined);
    }
  });
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string, headers?: Record<string, string>, errors?: readonly unknown[]) => {
    options.onRefused?.(request, status, code);
    if (errors) {
      reply.headers(headers ?? {});
      return sendJson(reply, status, { errors });
    }
    return sendError(reply, status, code, message, headers);
  };
  const notFound = options.notFound ?? ((path: string) => `Nothing is served at ${path}; GraphQL is at ${graphqlPath}`);
  app.setNotFoundHandler((request, reply) => refuse(request, reply, 404, ErrorCode.NOT_FOUND, notFound(pathOf(request))));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpRefusal) return refuse(request, reply, error.status, error.code, error.message, error.headers, error.errors);
    const code = (error as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(request, reply, 413, ErrorCode.REQUEST_TOO_LARGE, `Request body exceeds ${maxBodyBytes} bytes`);
    if (error instanceof NotJson) return refuse(request, reply, 400, ErrorCode.BAD_REQUEST, error.message);
    if (code?.startsWith('FST_ERR_CTP_')) return refuse(request, reply, 400, ErrorCode.BAD_REQUEST, 'The request body could not be read');
    // last line of defence: never crash the process, never leak a stack trace
    options.onError?.(error);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return sendError(reply, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
  });
  return app;
}

/** The path of a request, without its query. */
export function pathOf(request: FastifyRequest | IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export interface GraphQLRouteOptions<TContext extends BaseContext> {
  /** Path GraphQL is served on. Default `/graphql`. */
  path?: string;
  /** Builds the per-request context. */
  context: (request: FastifyRequest) => Promise<TContext>;
  /**
   * Runs after the body is read and before GraphQL execution; returns the body to execute
   * (possibly rewritten; a GET's query rewritten in `url`). Throwing an HttpRefusal answers with it instead.
   */
  prepare?: (request: FastifyRequest, body: unknown, url: URL) => Promise<unknown> | unknown;
  /** Runs Apollo's part of the request inside this (e.g. a scope that counts its SQL statements). */
  around?: <T>(run: () => Promise<T>) => Promise<T>;
  /**
   * The rest of an answer given in parts (@defer), as JSON texts of the payloads after the
   * first, when the request's execution left one: the answer is then written as
   * `multipart/mixed` (deferSpec=20220824), Apollo Server's answer as its first part.
   */
  subsequent?: (context: TContext) => AsyncIterable<{ json: string; hasNext: boolean }> | undefined;
  /**
   * An answer that continues as a stream (a subscription's events), when the request's
   * execution left one: its content type and texts, Apollo Server's answer given as `first`.
   * Ending the stream early (the client went away) returns the iterator.
   */
  stream?: (context: TContext, first: string, request: FastifyRequest) => StreamedAnswer | undefined;
}

/** An answer written as a stream of texts. */
export interface StreamedAnswer {
  contentType: string;
  headers?: Record<string, string>;
  /** The texts; a stream is written as it is, and destroyed the moment the client goes away (an iterator would be returned only after its next text). */
  body: AsyncIterable<string> | Readable;
}

const PART_HEAD = 'content-type: application/json; charset=utf-8\r\n\r\n';

/** An answer in parts: the first (with `hasNext: true`), then each later payload as it comes. */
async function* parts(first: string, rest: AsyncIterable<{ json: string; hasNext: boolean }>): AsyncGenerator<string> {
  const body = first.trimEnd();
  yield `\r\n---\r\n${PART_HEAD}${body.slice(0, -1)}${body.length > 2 ? ',' : ''}"hasNext":true}\r\n---\r\n`;
  for await (const payload of rest) yield `${PART_HEAD}${payload.json}\r\n---${payload.hasNext ? '' : '--'}\r\n`;
}

/** Serves an Apollo Server (gateway or subgraph) on the GraphQL path, GET and POST. */
export function serveGraphQL<TContext extends BaseContext>(app: FastifyInstance, server: ApolloServer<TContext>, options: GraphQLRouteOptions<TContext>): void {
  const path = options.path ?? '/graphql';
  const apollo = fastifyApolloHandler<TContext>(server, {
    context: async (request) => {
      const context = await options.context(request);
      request.graphqlContext = context;
      return context;
    },
  });
  const { prepare, subsequent, stream } = options;
  const around = options.around ?? ((run) => run());
  app.route({
    method: ['GET', 'POST'],
    url: path,
    config: { graphql: true },
    preHandler: prepare
      ? async (request) => {
          const url = new URL(request.url, 'http://localhost');
          const search = url.search;
          request.body = await prepare(request, request.body, url);
          // a GET's operation travels in its query string: Apollo reads the rewritten one
          if (url.search !== search) request.raw.url = `${url.pathname}${url.search}`;
        }
      : undefined,
    handler: (request, reply) =>
      around(async () => {
        // the handler's route type says its reply is a string; this route may answer a stream of parts instead
        const answer = await apollo.call(app, request as Parameters<typeof apollo>[0], reply as Parameters<typeof apollo>[1]);
        const context = request.graphqlContext as TContext | null;
        if (typeof answer !== 'string' || !context || reply.statusCode !== 200) return answer;
        const streamed = stream?.(context, answer, request);
        if (streamed) {
          reply.header('content-type', streamed.contentType);
          for (const [name, value] of Object.entries(streamed.headers ?? {})) reply.header(name, value);
          reply.removeHeader('content-length');
          return streamed.body instanceof Readable ? streamed.body : Readable.from(streamed.body, { objectMode: false });
        }
        const rest = subsequent?.(context);
        // as bytes: the server writes them after its headers as they are (a text would be joined to the headers, and so copied, first)
        if (!rest) return Buffer.from(answer);
        reply.header('content-type', 'multipart/mixed; boundary="-"; deferSpec=20220824');
        reply.removeHeader('content-length');
        return Readable.from(parts(answer as string, rest));
      }),
  });
  // any other method on the GraphQL path is refused before its body is read
  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: path,
    handler: () => {
      throw new HttpRefusal(405, ErrorCode.BAD_REQUEST, 'GraphQL is served over GET and POST', { allow: 'GET, POST' });
    },
  });
}

/** Whether a request is for the GraphQL route (in an `onRequest` hook: a step that concerns only GraphQL requests). */
export function isGraphQLRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { graphql?: boolean } | undefined)?.graphql === true;
}

export interface Listening {
  server: Server;
  port: number;
  url: string;
  /**
   * Stops accepting connections and waits for in-flight requests to finish (answers sent
   * while closing end their connection); after `drainTimeoutMs` the rest are cut.
   */
  close(drainTimeoutMs?: number): Promise<void>;
}

/** Starts the app on 127.0.0.1 (port 0 picks a free one). */
export async function listen(app: FastifyInstance, port: number, host = '127.0.0.1', path = '/graphql'): Promise<Listening> {
  await app.listen({ port, host });
  const server = app.server;
  const actual = (server.address() as { port: number }).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}${path}`,
    async close(drainTimeoutMs = 25_000) {
      // a keep-alive client must not send its next request into a closing server
      server.on('request', (_req: IncomingMessage, res) => res.setHeader('connection', 'close'));
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      try {
        await app.close();
      } finally {
        clearInterval(idle);
        clearTimeout(cut);
      }
    },
  };
}

/**
 * Hands `server`'s WebSocket upgrade requests for `path` to `sockets` (a `ws` server with
 * `noServer`); any other path, or any upgrade while `accepting()` says no, gets 404.
 * Returns what detaches it.
 */
export function serveWebSockets(server: Server, path: string, sockets: WebSocketServer, accepting: () => boolean = () => true): () => void {
  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request) !== path || !accepting()) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  };
  server.on('upgrade', upgrade);
  return () => server.off('upgrade', upgrade);
}
