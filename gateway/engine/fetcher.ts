/**
 * How the gateway reaches subgraphs: a keep-alive connection pool (undici's dispatch)
 * or Node's built-in fetch, with a time allowed per attempt, behind per-subgraph cockatiel
 * policies (retries with exponential backoff of queries, never mutations, and a circuit
 * breaker) and the sharing of identical in-flight requests. Everything here is transport;
 * GraphQL meaning lives in datasource.ts.
 *
 * A request that succeeds at once costs the circuit's bookkeeping and one timer: the attempt's
 * time is kept by the transport (no AbortController, no cockatiel timeout policy, nothing
 * aborted once the answer is in), and the retry policy is entered only once a query's first
 * attempt failed.
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleType,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from 'cockatiel';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { OperationsConfig } from '../config.ts';
import {
  circuitOpen,
  subgraphFetchDuration,
  subgraphFetchErrors,
  subgraphFetchRetries,
  subgraphFetchShared,
} from '../metrics.ts';

/** A subgraph's answer before parsing (see jsonOf for how fetches sharing it take its data). */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  text: string;
  /** How many fetches took this answer: more than one when identical in-flight requests shared it (set before any of them resumes). */
  takers?: number;
  /** The text parsed once, when several fetches take it; never handed out, only copied (see jsonOf). */
  parsed?: unknown;
}

/**
 * A copy of parsed JSON: new objects and lists, the same strings (immutable, so shared).
 * Own `__proto__` keys stay own keys, as JSON.parse makes them.
 */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const list = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) list[i] = copyJson(value[i]);
    return list;
  }
  const object: Record<string, unknown> = {};
  for (const key in value) {
    const copied = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(object, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else object[key] = copied;
  }
  return object;
}

/**
 * The answer's JSON for one fetch that took it, to merge into its request's data as it
 * likes: a fetch alone parses the text; fetches sharing one answer parse it once between
 * them and each gets a copy of that (objects copied, strings shared: a copy costs a fifth of
 * a parse and allocates no text). Throws as JSON.parse does.
 */
export function jsonOf(raw: RawResponse): unknown {
  if ((raw.takers ?? 1) <= 1) return JSON.parse(raw.text);
  raw.parsed ??= JSON.parse(raw.text);
  return copyJson(raw.parsed);
}

/** Sends one POST and reads the whole answer within `timeoutMs`, or rejects (connection refused, reset; TransportTimeoutError when the time is up). */
export type Transport = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<RawResponse>;

/** A transport's attempt that ran out of time. */
export class TransportTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportTimeoutError';
  }
}

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

/**
 * A keep-alive pool shared by every subgraph; `close()` at shutdown. Each request goes
 * through undici's `dispatch` with a handler of its own that keeps the answer's chunks and
 * decodes them once at the end: no body stream per request (Agent.request's body is a
 * Readable whose buffering and events cost more than the parse of a small answer). The
 * attempt's time is one timer whose end aborts the request through its dispatch controller
 * (undici's own headersTimeout and bodyTimeout count in whole seconds, and an
 * AbortController costs about ten times a timer).
 */
export function undiciTransport(): { send: Transport; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });
  // a handful of subgraph URLs, each parsed once
  const targets = new Map<string, { origin: string; path: string }>();
  const send: Transport = (url, headers, body, timeoutMs) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      targets.set(url, (target = { origin: parsed.origin, path: parsed.pathname + parsed.search }));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      agent.dispatch({ origin: target.origin, path: target.path, method: 'POST', headers, body }, new AnswerHandler(timeoutMs, resolve, reject));
    });
  };
  return { send, close: () => agent.close() };
}

/** One request's answer, collected from undici's dispatch callbacks; settles once, within `timeoutMs`. */
class AnswerHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Set when the time ran out: the error the request failed with, and aborts with. */
  private expired: TransportTimeoutError | undefined;
  private settled = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    timeoutMs: number,
    private readonly resolve: (raw: RawResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.timer = setTimeout(() => {
      this.expired = new TransportTimeoutError(`no answer within ${timeoutMs} ms`);
      // not yet on a connection: aborted as soon as it is (onRequestStart)
      this.controller?.abort(this.expired);
      this.fail(this.expired);
    }, timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.expired) controller.abort(this.expired);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // called again after a 1xx: only the last one is the answer's
    this.status = statusCode;
    const flat: Record<string, string> = {};
    for (const key in headers) {
      const value = headers[key];
      if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.headers = flat;
    this.chunks = [];
    this.bytes = 0;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
    // as undici's body.text(): UTF-8, a byte order mark left out
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    this.resolve({ status: this.status, statusText: '', headers: this.headers, text: bytes.toString('utf8', bom ? 3 : 0) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.expired ?? error);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }
}

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  headers: { forEach(cb: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

/** A fetch function (Node's built-in one), for comparison runs. */
export function fetchTransport(fetcher: FetchLike): Transport {
  return async (url, headers, body, timeoutMs) => {
    try {
      const res = await fetcher(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const flat: Record<string, string> = {};
      res.headers.forEach((value, key) => (flat[key] = value));
      return { status: res.status, statusText: res.statusText, headers: flat, text: await res.text() };
    } catch (error) {
      // AbortSignal.timeout aborts with a TimeoutError; only it aborts these requests
      if ((error as { name?: string }).name === 'TimeoutError' || (error as { name?: string }).name === 'AbortError') throw new TransportTimeoutError(String(error));
      throw error;
    }
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
  /**
   * A query whose first attempt failed: the later attempts, each through the circuit (a retry
   * never goes through an open circuit), after a backoff. Mutations use the circuit alone.
   */
  private readonly retries: RetryPolicy;
  /** Identical in-flight requests by sharing key: the one answer, and how many fetches take it so far. */
  private readonly inFlight = new Map<string, { answer: Promise<RawResponse>; takers: number }>();

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly transport: Transport,
    private readonly settings: Pick<OperationsConfig, 'subgraphTimeoutMs' | 'subgraphRetries' | 'breakerFailures' | 'breakerResetMs'>,
  ) {
    this.circuit = circuitBreaker(handleType(SubgraphUnavailableError), {
      halfOpenAfter: settings.breakerResetMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    this.circuit.onBreak(() => circuitOpen.set({ subgraph: name }, 1));
    this.circuit.onReset(() => circuitOpen.set({ subgraph: name }, 0));
    this.retries = retry(handleType(SubgraphUnavailableError), { maxAttempts: settings.subgraphRetries, backoff: new ExponentialBackoff(RETRY_BACKOFF) });
    this.retries.onRetry(() => subgraphFetchRetries.inc({ subgraph: name }));
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
      pending.takers++;
      return pending.answer;
    }
    const entry = { answer: undefined as unknown as Promise<RawResponse>, takers: 1 };
    // no longer shareable and its takers counted in one step, before any taker resumes
    entry.answer = this.attempt(headers, body, options.isQuery).then(
      (raw) => {
        this.inFlight.delete(key);
        raw.takers = entry.takers;
        return raw;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, entry);
    return entry.answer;
  }

  private async attempt(headers: Record<string, string>, body: string, isQuery: boolean): Promise<RawResponse> {
    let last: SubgraphUnavailableError | undefined;
    try {
      try {
        return await this.circuit.execute(() => this.once(headers, body));
      } catch (error) {
        if (!isQuery || this.settings.subgraphRetries === 0 || !(error instanceof SubgraphUnavailableError)) throw error;
        last = error;
      }
      // the first attempt's failure is the retry policy's own first attempt: it waits its backoff before the next
      const first = last;
      return await this.retries.execute(({ attempt }) =>
        attempt === 0
          ? Promise.reject(first)
          : this.circuit.execute(() =>
              this.once(headers, body).catch((error: SubgraphUnavailableError) => {
                last = error;
                throw error;
              }),
            ),
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
      const res = await this.transport(this.url, headers, body, this.settings.subgraphTimeoutMs);
      if (res.status !== 502 && res.status !== 503 && res.status !== 504) {
        subgraphFetchDuration.observe({ subgraph: this.name, outcome: res.status < 400 ? 'ok' : 'error' }, (performance.now() - start) / 1000);
        return res;
      }
      failure = new SubgraphUnavailableError(this.name, 'http_5xx', `Subgraph "${this.name}" answered HTTP ${res.status}`);
    } catch (error) {
      const timedOut = error instanceof TransportTimeoutError;
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
