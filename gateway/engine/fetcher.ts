/**
 * How the gateway reaches subgraphs: a keep-alive connection pool (undici Agent.request)
 * or Node's built-in fetch, behind per-subgraph cockatiel policies (a timeout per attempt,
 * retries with exponential backoff of queries, never mutations, and a circuit breaker)
 * and the sharing of identical in-flight requests. Everything here is transport; GraphQL
 * meaning lives in datasource.ts.
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleType,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { Agent } from 'undici';
import type { OperationsConfig } from '../config.ts';
import {
  circuitOpen,
  subgraphFetchDuration,
  subgraphFetchErrors,
  subgraphFetchRetries,
  subgraphFetchShared,
} from '../metrics.ts';

/** A subgraph's answer before parsing: shared as text so every waiter parses its own copy. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  text: string;
}

/** Sends one POST and reads the whole answer, or rejects (connection refused, reset, `signal` aborted when the attempt's time is up). */
export type Transport = (url: string, headers: Record<string, string>, body: string, signal: AbortSignal) => Promise<RawResponse>;

/** Why a subgraph could not answer. */
export type UnavailableReason = 'timeout' | 'unavailable' | 'http_5xx' | 'circuit_open';

/** A subgraph that did not answer: down, too slow, failing, or its circuit is open. */
export class SubgraphUnavailableError extends Error {
  constructor(
    readonly subgraph: string,
    readonly reason: UnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'SubgraphUnavailableError';
  }
}

/** A keep-alive pool shared by every subgraph; `close()` at shutdown. */
export function undiciTransport(): { send: Transport; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });
  const send: Transport = async (url, headers, body, signal) => {
    const target = new URL(url);
    const res = await agent.request({ origin: target.origin, path: target.pathname + target.search, method: 'POST', headers, body, signal });
    const text = await res.body.text();
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
    return { status: res.statusCode, statusText: '', headers: flat, text };
  };
  return { send, close: () => agent.close() };
}

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  headers: { forEach(cb: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

/** A fetch function (Node's built-in one), for comparison runs. */
export function fetchTransport(fetcher: FetchLike): Transport {
  return async (url, headers, body, signal) => {
    const res = await fetcher(url, { method: 'POST', headers, body, signal });
    const flat: Record<string, string> = {};
    res.headers.forEach((value, key) => (flat[key] = value));
    return { status: res.status, statusText: res.statusText, headers: flat, text: await res.text() };
  };
}

/**
 * Waits between two attempts of a query: exponential with jitter (cockatiel's decorrelated
 * jitter), from about `initialDelay` ms, never more than `maxDelay` ms.
 */
export const RETRY_BACKOFF = { initialDelay: 25, maxDelay: 500 } as const;

export interface SubgraphFetchOptions {
  /** Queries may be retried and shared; mutations are sent exactly once. */
  isQuery: boolean;
  /** Identical in-flight requests with the same key share one answer; undefined never shares. */
  dedupKey?: string;
}

/** One subgraph as the gateway reaches it: its URL, its policies (built once), its in-flight requests. */
export class SubgraphClient {
  /**
   * The subgraph's circuit: after `breakerFailures` consecutive failed attempts it opens
   * and fails fast; after `breakerResetMs` one probe goes through (requests meanwhile wait
   * for its outcome), and its success closes the circuit again.
   */
  readonly circuit: CircuitBreakerPolicy;
  /** Time allowed for one attempt; its end aborts the request. */
  private readonly deadline: TimeoutPolicy;
  /** Queries: retried with backoff (a retry never goes through an open circuit). Mutations use the circuit alone. */
  private readonly queryPolicy: IPolicy;
  private readonly inFlight = new Map<string, Promise<RawResponse>>();

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly transport: Transport,
    private readonly settings: Pick<OperationsConfig, 'subgraphTimeoutMs' | 'subgraphRetries' | 'breakerFailures' | 'breakerResetMs'>,
  ) {
    this.deadline = timeout(settings.subgraphTimeoutMs, TimeoutStrategy.Aggressive);
    this.circuit = circuitBreaker(handleType(SubgraphUnavailableError), {
      halfOpenAfter: settings.breakerResetMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    this.circuit.onBreak(() => circuitOpen.set({ subgraph: name }, 1));
    this.circuit.onReset(() => circuitOpen.set({ subgraph: name }, 0));
    const retries = retry(handleType(SubgraphUnavailableError), { maxAttempts: settings.subgraphRetries, backoff: new ExponentialBackoff(RETRY_BACKOFF) });
    retries.onRetry(() => subgraphFetchRetries.inc({ subgraph: name }));
    this.queryPolicy = wrap(retries, this.circuit);
  }

  /** The circuit as /health reads it: open from its first failing fast until a probe succeeds. */
  get breaker(): { readonly isOpen: boolean } {
    return { isOpen: this.circuit.state !== CircuitState.Closed };
  }

  fetch(headers: Record<string, string>, body: string, options: SubgraphFetchOptions): Promise<RawResponse> {
    const key = options.dedupKey;
    if (key === undefined) return this.attempt(headers, body, options.isQuery);
    const pending = this.inFlight.get(key);
    if (pending) {
      subgraphFetchShared.inc({ subgraph: this.name });
      return pending;
    }
    const started = this.attempt(headers, body, options.isQuery).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private async attempt(headers: Record<string, string>, body: string, isQuery: boolean): Promise<RawResponse> {
    let last: SubgraphUnavailableError | undefined;
    try {
      return await (isQuery ? this.queryPolicy : this.circuit).execute(() =>
        this.once(headers, body).catch((error: SubgraphUnavailableError) => {
          last = error;
          throw error;
        }),
      );
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      subgraphFetchErrors.inc({ subgraph: this.name, reason: 'circuit_open' });
      subgraphFetchDuration.observe({ subgraph: this.name, outcome: 'circuit_open' }, 0);
      // a retry that met the open circuit reports why its first attempt failed
      throw last ?? new SubgraphUnavailableError(this.name, 'circuit_open', `Subgraph "${this.name}" is unavailable (circuit open)`);
    }
  }

  /** One attempt within its time; a subgraph that did not answer (502, 503, 504 included) rejects with SubgraphUnavailableError. */
  private async once(headers: Record<string, string>, body: string): Promise<RawResponse> {
    const start = performance.now();
    let failure: SubgraphUnavailableError;
    try {
      const res = await this.deadline.execute(({ signal }) => this.transport(this.url, headers, body, signal));
      if (res.status !== 502 && res.status !== 503 && res.status !== 504) {
        subgraphFetchDuration.observe({ subgraph: this.name, outcome: res.status < 400 ? 'ok' : 'error' }, (performance.now() - start) / 1000);
        return res;
      }
      failure = new SubgraphUnavailableError(this.name, 'http_5xx', `Subgraph "${this.name}" answered HTTP ${res.status}`);
    } catch (error) {
      // only the deadline aborts a request
      const timedOut = error instanceof TaskCancelledError || (error as { name?: string }).name === 'AbortError';
      failure = new SubgraphUnavailableError(
        this.name,
        timedOut ? 'timeout' : 'unavailable',
        timedOut ? `Subgraph "${this.name}" did not answer within ${this.settings.subgraphTimeoutMs} ms` : `Subgraph "${this.name}" is unreachable`,
      );
    }
    subgraphFetchErrors.inc({ subgraph: this.name, reason: failure.reason });
    subgraphFetchDuration.observe({ subgraph: this.name, outcome: failure.reason }, (performance.now() - start) / 1000);
    throw failure;
  }
}
