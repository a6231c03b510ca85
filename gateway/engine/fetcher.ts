/**
 * How the gateway reaches subgraphs: a keep-alive connection pool (undici Agent.request)
 * or Node's built-in fetch, behind per-subgraph timeouts, retries of
 * queries (never mutations), a circuit breaker and the sharing of identical in-flight
 * requests. Everything here is transport; GraphQL meaning lives in datasource.ts.
 */
import { Agent, errors as undiciErrors } from 'undici';
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

/** Sends one POST and reads the whole answer, or rejects (connection refused, reset, timeout). */
export type Transport = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<RawResponse>;

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

class TimeoutError extends Error {}

/** A keep-alive pool shared by every subgraph; `close()` at shutdown. */
export function undiciTransport(): { send: Transport; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });
  const send: Transport = async (url, headers, body, timeoutMs) => {
    const target = new URL(url);
    try {
      const res = await agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      const flat: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
      return { status: res.statusCode, statusText: '', headers: flat, text };
    } catch (error) {
      if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) throw new TimeoutError(String(error));
      throw error;
    }
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
  return async (url, headers, body, timeoutMs) => {
    try {
      const res = await fetcher(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const flat: Record<string, string> = {};
      res.headers.forEach((value, key) => (flat[key] = value));
      return { status: res.status, statusText: res.statusText, headers: flat, text: await res.text() };
    } catch (error) {
      if ((error as { name?: string }).name === 'TimeoutError') throw new TimeoutError(String(error));
      throw error;
    }
  };
}

/**
 * Fails fast while a subgraph is down: after `failures` consecutive failures the circuit
 * opens; after `resetMs` one probe goes through, and its success closes the circuit.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    readonly subgraph: string,
    private readonly failures: number,
    private readonly resetMs: number,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== 0;
  }

  /** Whether a request may go out now; an open circuit lets one probe through per reset period. */
  allow(now = Date.now()): boolean {
    if (!this.isOpen) return true;
    if (this.probing || now - this.openedAt < this.resetMs) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.probing = false;
    if (this.isOpen) {
      this.openedAt = 0;
      circuitOpen.set({ subgraph: this.subgraph }, 0);
    }
  }

  failed(now = Date.now()): void {
    this.consecutiveFailures++;
    const wasProbe = this.probing;
    this.probing = false;
    if (wasProbe || (!this.isOpen && this.consecutiveFailures >= this.failures)) {
      this.openedAt = now;
      circuitOpen.set({ subgraph: this.subgraph }, 1);
    }
  }
}

export interface SubgraphFetchOptions {
  /** Queries may be retried and shared; mutations are sent exactly once. */
  isQuery: boolean;
  /** Identical in-flight requests with the same key share one answer; undefined never shares. */
  dedupKey?: string;
}

/** One subgraph as the gateway reaches it: its URL, its circuit, its in-flight requests. */
export class SubgraphClient {
  readonly breaker: CircuitBreaker;
  private readonly inFlight = new Map<string, Promise<RawResponse>>();

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly transport: Transport,
    private readonly settings: Pick<OperationsConfig, 'subgraphTimeoutMs' | 'subgraphRetries' | 'breakerFailures' | 'breakerResetMs'>,
  ) {
    this.breaker = new CircuitBreaker(name, settings.breakerFailures, settings.breakerResetMs);
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
    const attempts = isQuery ? 1 + this.settings.subgraphRetries : 1;
    let last: SubgraphUnavailableError | undefined;
    for (let i = 0; i < attempts; i++) {
      if (!this.breaker.allow()) {
        subgraphFetchErrors.inc({ subgraph: this.name, reason: 'circuit_open' });
        subgraphFetchDuration.observe({ subgraph: this.name, outcome: 'circuit_open' }, 0);
        throw last ?? new SubgraphUnavailableError(this.name, 'circuit_open', `Subgraph "${this.name}" is unavailable (circuit open)`);
      }
      if (i > 0) subgraphFetchRetries.inc({ subgraph: this.name });
      const start = performance.now();
      try {
        const res = await this.transport(this.url, headers, body, this.settings.subgraphTimeoutMs);
        if (res.status === 502 || res.status === 503 || res.status === 504) {
          last = new SubgraphUnavailableError(this.name, 'http_5xx', `Subgraph "${this.name}" answered HTTP ${res.status}`);
        } else {
          this.breaker.succeeded();
          subgraphFetchDuration.observe({ subgraph: this.name, outcome: res.status < 400 ? 'ok' : 'error' }, (performance.now() - start) / 1000);
          return res;
        }
      } catch (error) {
        const timeout = error instanceof TimeoutError;
        last = new SubgraphUnavailableError(
          this.name,
          timeout ? 'timeout' : 'unavailable',
          timeout ? `Subgraph "${this.name}" did not answer within ${this.settings.subgraphTimeoutMs} ms` : `Subgraph "${this.name}" is unreachable`,
        );
      }
      this.breaker.failed();
      subgraphFetchErrors.inc({ subgraph: this.name, reason: last.reason });
      subgraphFetchDuration.observe({ subgraph: this.name, outcome: last.reason }, (performance.now() - start) / 1000);
    }
    throw last!;
  }
}
