/**
 * Subscriptions: the planner gives a Subscription node, whose `primary` fetch is the
 * subscription itself, sent to the subgraph that owns the field (upstream.ts), and whose
 * `rest` fetches what other subgraphs add to each event. Each event the subgraph sends
 * stands in for the primary fetch's answer, the rest runs over it as any plan does, and
 * the event's answer is written like a query's. Events wait in a bounded queue while an
 * earlier one is still being completed or written: a client that cannot keep up is
 * dropped with SLOW_CONSUMER rather than buffered without bound.
 */
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { ExecutionResult } from 'graphql-ws';
import { ErrorCode } from '../../platform/errors.ts';
import { runNode, type FetchSource, type Run } from './execute.ts';
import { graphql } from './graphql.ts';
import type { UpstreamSubscriptions } from './upstream.ts';

/** Age at which a subscription's internal token is renewed before its next event's fetches (tokens live 60 s). */
const TOKEN_RENEWAL_MS = 30_000;

/** Events of one subscription, as they wait to be completed and written. */
class EventQueue implements AsyncIterable<ExecutionResult> {
  private readonly waiting: ExecutionResult[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: unknown;

  constructor(private readonly maxPending: number) {}

  next(event: ExecutionResult): void {
    if (this.ended) return;
    if (this.waiting.length >= this.maxPending) {
      // what waits is dropped with the client: the error is the next thing it reads
      this.waiting.length = 0;
      this.fail(new graphql.GraphQLError(`More than ${this.maxPending} events waited for this client: it is not reading them fast enough`, { extensions: { code: ErrorCode.SLOW_CONSUMER } }));
      return;
    }
    this.waiting.push(event);
    this.wake?.();
  }

  error(error: unknown): void {
    this.fail(error);
  }

  complete(): void {
    this.ended = true;
    this.wake?.();
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.failure = error;
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExecutionResult> {
    for (;;) {
      const event = this.waiting.shift();
      if (event) {
        yield event;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** An upstream failure as the client's error: the subgraph's own errors (a refusal), or the subgraph unreachable. */
export function upstreamError(error: unknown, serviceName: string): Error {
  if (error instanceof graphql.GraphQLError || (error instanceof Error && (error as { extensions?: { code?: unknown } }).extensions?.code)) return error;
  if (Array.isArray(error) && error.length > 0) {
    const first = error[0] as { message?: string; extensions?: Record<string, unknown> };
    return new graphql.GraphQLError(first.message ?? 'The subscription was refused', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...first.extensions, serviceName } });
  }
  return new graphql.GraphQLError(`Subgraph "${serviceName}" closed the subscription`, { extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName } });
}

export interface LiveRun {
  /** The viewer's identity: subscriptions of one identity to the same document and variables share one upstream. */
  key?: string;
  /** The plan's run (request, variables, operation, sources); each event runs with errors of its own. */
  run: Run;
  primary: FetchNode;
  rest: PlanNode | undefined;
  upstream: UpstreamSubscriptions;
  /** The viewer's current internal token (renewed as the subscription lives on). */
  token(): string;
  /** Most events that may wait for a client. */
  maxPending: number;
  /** The answer for one event, from its merged data and its errors. */
  respond(run: Run, data: Record<string, unknown>): GatewayExecutionResult;
  /**
   * Signs the viewer a new internal token: before an event whose fetches would carry one
   * half its lifetime old, and before the subscription is sent again after a reconnection.
   */
  renew(): Promise<void>;
}

/**
 * The events of a subscription as answers for the client. The subscription goes out when
 * they are first read; `return()` ends it upstream at once, even while no event comes (an
 * async generator's would wait for the next event before its `finally` ran).
 */
export function liveEvents(live: LiveRun): AsyncIterableIterator<GatewayExecutionResult> {
  const { run, primary, rest, upstream } = live;
  const variables: Record<string, unknown> = {};
  for (const name of primary.variableUsages ?? []) if (run.variables[name] !== undefined) variables[name] = run.variables[name];
  const queue = new EventQueue(live.maxPending);
  const waiting = queue[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  let stop: (() => void) | undefined;
  let finished = false;
  // tokens live 60 s (platform/internal-token.ts): one a subscription holds is renewed once it is 30 s old and a fetch needs it
  let renewedAt = performance.now();
  const renew = async () => {
    await live.renew();
    renewedAt = performance.now();
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    stop?.();
    // a read waiting for an event ends now
    queue.complete();
  };
  const answerFor = async (event: ExecutionResult): Promise<GatewayExecutionResult> => {
    if (rest && performance.now() - renewedAt > TOKEN_RENEWAL_MS) await renew();
    const eventRun: Run = { ...run, errors: [] };
    const data = Object.create(null) as Record<string, unknown>;
    const cursor = { path: [], data, root: data };
    // the event is the primary fetch's answer: merged (and its errors placed) as any fetch's
    const answer: FetchSource = { process: async () => event as GatewayGraphQLResponse };
    await runNode({ ...eventRun, sources: new Map([[primary.serviceName, answer]]) }, primary, cursor);
    if (rest) await runNode(eventRun, rest, cursor);
    return live.respond(eventRun, data);
  };
  return {
    async next(): Promise<IteratorResult<GatewayExecutionResult>> {
      if (finished) return done;
      if (!stop) {
        const key = live.key === undefined ? undefined : JSON.stringify([live.key, primary.operation, primary.operationName ?? null, variables]);
        stop = upstream.subscribe({ key, query: primary.operation, operationName: primary.operationName, variables, token: live.token, renew }, queue);
      }
      try {
        const event = await waiting.next();
        if (event.done || finished) {
          finish();
          return done;
        }
        const value = await answerFor(event.value);
        return finished ? done : { value, done: false };
      } catch (error) {
        // the subscription's last answer: the subgraph's refusal, the subgraph gone, or the client too slow
        finish();
        return { value: { errors: [upstreamError(error, primary.serviceName) as InstanceType<typeof graphql.GraphQLError>] }, done: false };
      }
    },
    async return(): Promise<IteratorResult<GatewayExecutionResult>> {
      finish();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
