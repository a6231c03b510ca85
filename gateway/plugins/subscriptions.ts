/**
 * Subscriptions over the two transports that stream, on the GraphQL path itself:
 * - GraphQL over WebSocket, the `graphql-transport-ws` protocol (graphql-ws's server on a
 *   `ws` socket): credentials travel in the `connection_init` payload (`Authorization`,
 *   `x-api-key`, client headers) or the upgrade request's headers;
 * - GraphQL over server-sent events (graphql-sse's "distinct connections" mode): a POST
 *   accepting `text/event-stream`, answered with `next` events and a final `complete`.
 *
 * Every operation sent over either runs the whole HTTP pipeline, exactly as a POST would:
 * a WebSocket `subscribe` is passed through the gateway's Fastify app (`inject`) with the
 * connection's headers and address, so the per-IP and per-client rate limits, operation
 * limits, persisted-document modes, identity, authorization, cost, logs and metrics apply
 * to it; the engine leaves the subscription's events in the request's `live` state, which
 * the transport then writes. A plain HTTP request for a subscription gets 400.
 *
 * Lifecycle: most subscriptions per connection and per user; WebSocket pings (a socket
 * that misses one is closed) and SSE keep-alive comments; a client that cannot keep up is
 * dropped with SLOW_CONSUMER (WebSocket close 4008); a connection whose credentials
 * expire is closed (4401, or a TOKEN_EXPIRED event on SSE); draining at shutdown closes
 * sockets with 1012 (service restart: reconnect) and ends event streams.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { parse, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { Counter, Gauge } from 'prom-client';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { isGraphQLRequest, pathOf, serveWebSockets } from '../../platform/http.ts';
import { mapEvents } from '../../platform/events.ts';
import type { GatewayContext, LiveRequest } from '../context.ts';
import { formattedError } from '../engine/defer.ts';
import { WrittenData } from '../engine/answer-text.ts';
import { gatewayRegistry } from '../metrics.ts';
import type { GatewayPlugin } from '../plugin.ts';

export interface SubscriptionsOptions {
  subscriptionsPerConnection: number;
  subscriptionsPerUser: number;
  keepAliveMs: number;
  /** Largest WebSocket message accepted, in bytes (the HTTP body limit). */
  maxMessageBytes: number;
}

/** WebSocket close code of a client dropped for not reading its events (SLOW_CONSUMER). */
export const SLOW_CONSUMER_CLOSE = 4008;
/** WebSocket close code of a connection whose credentials expired: sign in again, then reconnect. */
export const TOKEN_EXPIRED_CLOSE = CloseCode.Unauthorized;
/** WebSocket close code at shutdown: the client reconnects (to another replica). */
export const SERVICE_RESTART_CLOSE = 1012;

/** The header a WebSocket operation passes through the HTTP pipeline with, naming its hand-over (never trusted from outside: an unknown value is ignored). */
const HANDOVER_HEADER = 'x-plaza-live';
/** Headers of the upgrade request that do not describe the operation. */
const UPGRADE_ONLY = /^(connection|upgrade|sec-websocket-.*|content-length|content-type|accept|transfer-encoding)$/;
/** A document standing for an operation graphql-ws's server hands back to Plaza (it never executes it). */
const SUBSCRIPTION_STANDIN = parse('subscription { __typename }');
const QUERY_STANDIN = parse('{ __typename }');

const metric = {
  connections: new Gauge({ name: 'plaza_live_connections', help: 'Open WebSocket connections and SSE streams, by transport', labelNames: ['transport'], registers: [gatewayRegistry] }),
  subscriptions: new Gauge({ name: 'plaza_live_subscriptions', help: 'Active subscriptions, by transport', labelNames: ['transport'], registers: [gatewayRegistry] }),
  events: new Counter({ name: 'plaza_live_events_total', help: 'Subscription events delivered to clients, by transport', labelNames: ['transport'], registers: [gatewayRegistry] }),
  dropped: new Counter({ name: 'plaza_live_dropped_total', help: 'Subscriptions or connections ended by the gateway, by reason (slow_consumer, token_expired, draining, limit)', labelNames: ['reason'], registers: [gatewayRegistry] }),
};

type Format = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** One event as the client reads it: data as the engine wrote it, errors through the gateway's formatting. */
export function eventText(result: GatewayExecutionResult, format: Format): string {
  const errors = result.errors?.length ? `"errors":${JSON.stringify(result.errors.map((error) => formattedError(error, format)))}` : '';
  if (result.data === undefined) return `{${errors}}`;
  const data = result.data instanceof WrittenData ? result.data.text : JSON.stringify(result.data);
  return `{${errors ? `${errors},` : ''}"data":${data}}`;
}

/** Whether an event drops its client for not reading fast enough. */
function isSlowConsumer(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): boolean {
  return result.errors?.[0]?.extensions?.code === ErrorCode.SLOW_CONSUMER;
}

/** What graphql-ws's server is given back to send: the events, or the one answer. */
function handedBack(handed: { events: AsyncIterableIterator<FormattedExecutionResult> } | { answer: FormattedExecutionResult }): never {
  return ('events' in handed ? handed.events : handed.answer) as never;
}

/** Counts one user's subscriptions on this replica. */
class PerUser {
  private readonly held = new Map<string, number>();
  constructor(private readonly limit: number) {}

  /** Takes a place for `userId` (anonymous subscribers are limited per connection only), or false when they hold the most already. */
  take(userId: string | undefined): boolean {
    if (!userId) return true;
    const held = this.held.get(userId) ?? 0;
    if (held >= this.limit) return false;
    this.held.set(userId, held + 1);
    return true;
  }

  release(userId: string | undefined): void {
    if (!userId) return;
    const held = (this.held.get(userId) ?? 1) - 1;
    if (held <= 0) this.held.delete(userId);
    else this.held.set(userId, held);
  }
}

/** The events of one subscription as the client reads them, counted while they flow; `release` when they end. */
function counted(events: AsyncIterator<GatewayExecutionResult>, transport: 'ws' | 'sse', format: Format, release: () => void): AsyncIterableIterator<string> {
  metric.subscriptions.inc({ transport });
  return mapEvents(
    events,
    (event) => {
      metric.events.inc({ transport });
      if (isSlowConsumer(event)) metric.dropped.inc({ reason: 'slow_consumer' });
      return eventText(event, format);
    },
    () => {
      metric.subscriptions.dec({ transport });
      release();
    },
  );
}

/** Texts as objects, for graphql-ws (which writes each message itself). */
const parsed = (texts: AsyncIterator<string>) => mapEvents(texts, (text) => JSON.parse(text) as FormattedExecutionResult);

interface Handover {
  live: LiveRequest;
  state?: GatewayContext;
}

export function useSubscriptions(options: SubscriptionsOptions): GatewayPlugin {
  const perUser = new PerUser(options.subscriptionsPerUser);
  const handovers = new Map<string, Handover>();
  const sockets = new Set<WebSocket>();
  const sse = new Set<{ end(): void }>();
  let draining = false;
  let wss: WebSocketServer | undefined;
  let disposeServer: (() => Promise<void> | void) | undefined;

  /** Refuses a subscription over a plain HTTP request (answered with one result, which a subscription never is). */
  const refuseHttp = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }: { operation?: { operation: string } | null; contextValue: GatewayContext }) {
          if (operation?.operation !== 'subscription' || contextValue.live) return;
          throw plazaError(ErrorCode.BAD_REQUEST, 'Subscriptions are not served over HTTP requests: subscribe over WebSocket (graphql-transport-ws) or server-sent events (Accept: text/event-stream)', { httpStatus: 400 });
        },
      };
    },
  };

  /** Runs one WebSocket operation through the HTTP pipeline; what the engine left in its state comes back. */
  async function throughPipeline(app: FastifyInstance, extra: Extra, params: Record<string, unknown> | undefined, payload: unknown) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(extra.request.headers)) if (typeof value === 'string' && !UPGRADE_ONLY.test(name)) headers[name] = value;
    // credentials and client headers from connection_init, as a browser cannot set headers on a WebSocket
    for (const [name, value] of Object.entries(params ?? {})) if (typeof value === 'string' && !UPGRADE_ONLY.test(name.toLowerCase())) headers[name.toLowerCase()] = value;
    // a persisted operation sent by id carries an empty query (graphql-ws requires the field): it is the id's
    const body = payload as { query?: unknown; extensions?: { persistedQuery?: unknown } };
    if (body.query === '' && body.extensions?.persistedQuery) delete body.query;
    const key = randomUUID();
    const handover: Handover = { live: { transport: 'ws' } };
    handovers.set(key, handover);
    try {
      const response = await app.inject({
        method: 'POST',
        url: pathOf(extra.request),
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json', [HANDOVER_HEADER]: key },
        payload: JSON.stringify(body),
        remoteAddress: extra.request.socket.remoteAddress,
      });
      return { handover, body: response.body };
    } finally {
      handovers.delete(key);
    }
  }

  function attachWebSocket(app: FastifyInstance, format: Format): void {
    wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    /** What graphql-ws is handed back for one operation (it never executes anything itself): events, or one answer (a refusal, a query's or mutation's result). */
    type Handed = { events: AsyncIterableIterator<FormattedExecutionResult> } | { answer: FormattedExecutionResult };
    const refusal = (code: string, message: string): Handed => ({ answer: { errors: [{ message, extensions: { code } }] } });
    const hand = (handed: Handed) => ({ schema: undefined as never, document: 'events' in handed ? SUBSCRIPTION_STANDIN : QUERY_STANDIN, contextValue: handed });
    const server = useServer<Record<string, unknown>, { expiry?: NodeJS.Timeout }>(
      {
        onConnect() {
          return !draining;
        },
        // a refused operation is answered as graphql-js answers a refused subscription: one result with the errors, then complete
        async onSubscribe(ctx, _id, payload) {
          if (Object.keys(ctx.subscriptions).length > options.subscriptionsPerConnection) {
            metric.dropped.inc({ reason: 'limit' });
            return hand(refusal(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `A connection may hold at most ${options.subscriptionsPerConnection} subscriptions`));
          }
          const { handover, body } = await throughPipeline(app, ctx.extra as Extra, ctx.connectionParams, payload);
          const events = handover.live.events;
          if (!events) return hand({ answer: JSON.parse(body) as FormattedExecutionResult });
          const state = handover.state;
          const userId = state?.viewer.userId;
          if (!perUser.take(userId)) {
            metric.dropped.inc({ reason: 'limit' });
            await (events as AsyncGenerator).return?.(undefined);
            return hand(refusal(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `A user may hold at most ${options.subscriptionsPerUser} subscriptions`));
          }
          // the connection closes when the credentials it was opened with expire
          const expiresAt = state?.credentialsExpireAt;
          if (expiresAt && !ctx.extra.expiry) {
            const socket = (ctx.extra as Extra).socket;
            ctx.extra.expiry = setTimeout(() => {
              metric.dropped.inc({ reason: 'token_expired' });
              socket.close(TOKEN_EXPIRED_CLOSE, 'Token expired');
            }, Math.max(0, expiresAt - Date.now()));
            ctx.extra.expiry.unref();
          }
          return hand({ events: parsed(counted(events[Symbol.asyncIterator](), 'ws', format, () => perUser.release(userId))) });
        },
        subscribe: (args) => handedBack(args.contextValue as Handed),
        execute: (args) => handedBack(args.contextValue as Handed),
        onNext(ctx, _id, _payload, _args, result) {
          const event = result as unknown as FormattedExecutionResult;
          // a client that cannot keep up is dropped, not sent more
          if (isSlowConsumer(event)) (ctx.extra as Extra).socket.close(SLOW_CONSUMER_CLOSE, 'Slow consumer');
          return event;
        },
        onClose(ctx) {
          clearTimeout(ctx.extra.expiry);
        },
      },
      wss,
      options.keepAliveMs,
    );
    disposeServer = () => server.dispose();
    wss.on('connection', (socket) => {
      sockets.add(socket);
      metric.connections.inc({ transport: 'ws' });
      socket.once('close', () => {
        sockets.delete(socket);
        metric.connections.dec({ transport: 'ws' });
      });
    });
    serveWebSockets(app.server, '/graphql', wss, () => !draining);
  }

  return {
    name: 'subscriptions',
    onRequest(request: FastifyRequest) {
      if (!isGraphQLRequest(request)) return;
      const key = request.headers[HANDOVER_HEADER];
      if (typeof key === 'string') {
        delete request.headers[HANDOVER_HEADER];
        const handover = handovers.get(key);
        if (handover) {
          request.plaza.live = handover.live;
          handover.state = request.plaza;
        }
        return;
      }
      // graphql-sse's distinct connections: Apollo answers the acknowledgement (or a refusal) as JSON, the stream follows
      if (request.method === 'POST' && /text\/event-stream/i.test(request.headers.accept ?? '')) {
        request.plaza.live = { transport: 'sse' };
        request.headers.accept = 'application/json';
      }
    },
    apollo: refuseHttp,
    serveLive: attachWebSocket,
    streamAnswer(context, first, format) {
      const live = context.live;
      if (!live || live.transport !== 'sse') return undefined;
      const events = live.events;
      if (events && !perUser.take(context.viewer.userId)) {
        metric.dropped.inc({ reason: 'limit' });
        void (events as AsyncGenerator).return?.(undefined);
        const refusal = { message: `A user may hold at most ${options.subscriptionsPerUser} subscriptions`, extensions: { code: ErrorCode.TOO_MANY_SUBSCRIPTIONS } };
        return sseStream(oneText(`{"errors":[${JSON.stringify(refusal)}]}`));
      }
      if (!events) return sseStream(oneText(first.trimEnd()));
      const userId = context.viewer.userId;
      return sseStream(counted(events[Symbol.asyncIterator](), 'sse', format, () => perUser.release(userId)), context.credentialsExpireAt);
    },
    async drain() {
      draining = true;
      for (const stream of sse) stream.end();
      for (const socket of sockets) socket.close(SERVICE_RESTART_CLOSE, 'Service restart');
      if (sockets.size) metric.dropped.inc({ reason: 'draining' }, sockets.size);
      await disposeServer?.();
      wss?.close();
    },
  };

  /**
   * An SSE answer: a comment at once, `next` per text with keep-alive comments between,
   * `complete` at the end. Ended early (the client gone, its credentials expired, the
   * gateway draining: no `complete`, so the client reconnects), it ends the texts at once.
   * A client that does not read holds the writing back; the events then wait in the
   * engine's bounded queue until it drops the client.
   */
  function sseStream(texts: AsyncIterator<string>, expiresAt?: number) {
    const body = new PassThrough();
    const stream = { end: () => body.end() };
    sse.add(stream);
    metric.connections.inc({ transport: 'sse' });
    const keepAlive = setInterval(() => body.write(':\n\n'), options.keepAliveMs);
    const expiry = expiresAt
      ? setTimeout(() => {
          metric.dropped.inc({ reason: 'token_expired' });
          const expired = { message: 'Token has expired: sign in again and resubscribe', extensions: { code: ErrorCode.TOKEN_EXPIRED } };
          body.end(`event: next\ndata: {"errors":[${JSON.stringify(expired)}]}\n\n`);
        }, Math.max(0, expiresAt - Date.now()))
      : undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      clearTimeout(expiry);
      sse.delete(stream);
      metric.connections.dec({ transport: 'sse' });
      void texts.return?.();
    };
    // 'close' comes when the stream is done, whoever ended it
    body.once('close', close);
    body.write(':\n\n');
    void (async () => {
      try {
        for (let next = await texts.next(); !next.done && !closed; next = await texts.next()) {
          if (!body.write(`event: next\ndata: ${next.value}\n\n`)) await once(body, 'drain');
        }
        if (!closed && !body.writableEnded) body.end('event: complete\ndata:\n\n');
      } catch {
        body.destroy();
      }
    })();
    return { contentType: 'text/event-stream; charset=utf-8', headers: { 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }, body };
  }
}

/** One text, as an iterator. */
function oneText(text: string): AsyncIterator<string> {
  let given = false;
  return {
    next: async () => (given ? { value: undefined, done: true } : ((given = true), { value: text, done: false })),
  };
}
