import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from './errors.ts';

/** Extra endpoints served beside GraphQL (health, readiness, metrics…). Return false to pass. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  /** Path GraphQL is served on. Default `/graphql`. */
  path?: string;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Builds the per-request context. */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Endpoints tried before GraphQL. */
  routes?: Route[];
  /**
   * Runs after the body is read and before GraphQL execution; returns the body to
   * execute (possibly rewritten). Throwing an HttpRefusal answers with it instead.
   */
  prepare?: (req: IncomingMessage, body: unknown, url: URL) => Promise<unknown> | unknown;
  /** Called with errors that escaped everything else (answered as a bare 500). */
  onError?: (error: unknown) => void;
  /** Called first for every request, before routes (request ids, logs, metrics watch `res` finish). */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * The rest of an answer given in parts (@defer), as JSON texts of the payloads after the
   * first, when the request's execution left one: the answer is then written as
   * `multipart/mixed` (deferSpec=20220824), Apollo Server's answer as its first part.
   */
  subsequent?: (context: TContext) => AsyncIterable<{ json: string; hasNext: boolean }> | undefined;
}

const PART_HEAD = 'content-type: application/json; charset=utf-8\r\n\r\n';

/** Writes an answer in parts: the first (with `hasNext: true`), then each later payload as it comes. */
async function writeParts(res: ServerResponse, first: string, rest: AsyncIterable<{ json: string; hasNext: boolean }>): Promise<void> {
  res.setHeader('content-type', 'multipart/mixed; boundary="-"; deferSpec=20220824');
  res.removeHeader('content-length');
  const body = first.trimEnd();
  res.write(`\r\n---\r\n${PART_HEAD}${body.slice(0, -1)}${body.length > 2 ? ',' : ''}"hasNext":true}\r\n---\r\n`);
  for await (const payload of rest) res.write(`${PART_HEAD}${payload.json}\r\n---${payload.hasNext ? '' : '--'}\r\n`);
  res.end();
}

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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers with one GraphQL error: its message and `extensions.code`, with this HTTP status. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** A Node request listener that serves an Apollo Server (gateway or subgraph) plus extra routes. */
export function graphqlRequestListener<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLHttpOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const path = options.path ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const routes = options.routes ?? [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const route of routes) if (await route(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      sendError(res, 404, 'NOT_FOUND', `Nothing is served at ${url.pathname}; GraphQL is at ${path}`);
      return;
    }
    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendError(res, 413, ErrorCode.REQUEST_TOO_LARGE, `Request body exceeds ${maxBodyBytes} bytes`);
          return;
        }
        throw error;
      }
      const type = req.headers['content-type'] ?? '';
      if (type.includes('json')) {
        try {
          body = text.length ? JSON.parse(text) : undefined;
        } catch {
          sendError(res, 400, ErrorCode.BAD_REQUEST, 'Request body is not valid JSON');
          return;
        }
      } else {
        body = text;
      }
    }
    if (options.prepare) {
      try {
        body = await options.prepare(req, body, url);
      } catch (error) {
        if (error instanceof HttpRefusal) {
          if (error.errors) {
            for (const [key, value] of Object.entries(error.headers)) res.setHeader(key, value);
            sendJson(res, error.status, { errors: error.errors });
          } else sendError(res, error.status, error.code, error.message, error.headers);
          return;
        }
        throw error;
      }
    }
    let context: TContext | undefined;
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: headerMapOf(req), search: url.search, body },
      context: async () => (context = await options.context(req)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const rest = context && res.statusCode === 200 ? options.subsequent?.(context) : undefined;
      if (rest) return writeParts(res, response.body.string, rest);
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    options.onRequest?.(req, res);
    handle(req, res).catch((error: unknown) => {
      // Last line of defence: never crash the process, never leak a stack trace.
      options.onError?.(error);
      if (!res.headersSent) sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      else res.destroy();
    });
  };
}

export interface Listening {
  server: http.Server;
  port: number;
  url: string;
  /**
   * Stops accepting connections and waits for in-flight requests to finish (answers sent
   * while closing end their connection); after `drainTimeoutMs` the rest are cut.
   */
  close(drainTimeoutMs?: number): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (port 0 picks a free one). */
export async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host = '127.0.0.1',
  path = '/graphql',
): Promise<Listening> {
  const server = http.createServer(listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}${path}`,
    close: (drainTimeoutMs = 25_000) =>
      new Promise<void>((resolve) => {
        // a keep-alive client must not send its next request into a closing server
        server.on('request', (_req: IncomingMessage, res: ServerResponse) => res.setHeader('connection', 'close'));
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
