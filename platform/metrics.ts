import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Routes } from './http.ts';
import { registerCacheMetrics } from './caches.ts';

/** Seconds buckets for request and fetch latency: 2 ms to 10 s. */
export const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label of every operation outside the known set, so label cardinality stays bounded. */
export const OTHER_OPERATION = 'other';

/**
 * Maps operation names to metric labels: names in `known` keep their name, the first
 * `limit` other names too, and everything after folds into `other`.
 */
export function operationLabeler(known: Iterable<string> = [], limit = 100): (name: string | null | undefined) => string {
  const names = new Set(known);
  let learned = 0;
  return (name) => {
    if (!name) return OTHER_OPERATION;
    if (names.has(name)) return name;
    if (learned >= limit || !/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name)) return OTHER_OPERATION;
    learned++;
    names.add(name);
    return name;
  };
}

/** A Prometheus registry with Node's process metrics and the sizes of the process's bounded caches, labelled with the service name. */
export function serviceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  registerCacheMetrics(registry);
  return registry;
}

/** Serves a registry at `/metrics` in the Prometheus text format. */
export function metricsRoute(registry: Registry): Routes {
  return (app) => {
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  };
}

/** What a subgraph measures about the requests the gateway sends it. */
export interface SubgraphMetrics {
  registry: Registry;
  requests: Counter<'operation' | 'outcome'>;
  duration: Histogram<'operation' | 'outcome'>;
  sqlStatements: Histogram<'operation'>;
  /** How long a transaction that moves money held its row locks, by operation (reported by the service that runs it). */
  rowLockHold: Histogram<'operation'>;
}

/** Seconds buckets for row-lock hold: 0.25 ms to 10 s (a commit's flush alone is a millisecond or more). */
export const LOCK_HOLD_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function subgraphMetrics(subgraph: string): SubgraphMetrics {
  const registry = serviceRegistry(`subgraph-${subgraph}`);
  return {
    registry,
    requests: new Counter({
      name: 'plaza_subgraph_requests_total',
      help: 'GraphQL requests served by this subgraph, by operation and outcome (ok, error)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'plaza_subgraph_request_duration_seconds',
      help: 'Time to answer one GraphQL request, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sqlStatements: new Histogram({
      name: 'plaza_subgraph_sql_statements_per_request',
      help: 'SQL statements one GraphQL request ran, by operation',
      labelNames: ['operation'],
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100],
      registers: [registry],
    }),
    rowLockHold: new Histogram({
      name: 'plaza_subgraph_row_lock_hold_seconds',
      help: 'Time a money transaction held its row locks, from the lock taken to the commit, by operation',
      labelNames: ['operation'],
      buckets: LOCK_HOLD_BUCKETS,
      registers: [registry],
    }),
  };
}
