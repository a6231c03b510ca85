/**
 * The gateway's Prometheus metrics, in one registry served at `/metrics`. Other gateway
 * concerns import what they report through, e.g. the persisted-document store:
 *   cacheLookups.inc({ cache: 'persisted_document', outcome: 'hit' })
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, serviceRegistry } from '../platform/metrics.ts';

export const gatewayRegistry = serviceRegistry('gateway');

/** Caches whose hit ratio is reported. */
export type CacheName = 'query_plan' | 'persisted_document' | 'response';

export const requests = new Counter<'operation' | 'client' | 'outcome'>({
  name: 'plaza_gateway_requests_total',
  help: 'Requests by operation (unknown ones fold into "other"), client name and outcome (ok, partial, error, refused)',
  labelNames: ['operation', 'client', 'outcome'],
  registers: [gatewayRegistry],
});

export const requestDuration = new Histogram<'operation' | 'outcome'>({
  name: 'plaza_gateway_request_duration_seconds',
  help: 'Time from the first byte of a request to the last byte of its answer',
  labelNames: ['operation', 'outcome'],
  buckets: LATENCY_BUCKETS,
  registers: [gatewayRegistry],
});

export const requestErrors = new Counter<'code'>({
  name: 'plaza_gateway_errors_total',
  help: 'GraphQL errors returned to clients, by extensions.code',
  labelNames: ['code'],
  registers: [gatewayRegistry],
});

export const refusals = new Counter<'client' | 'code'>({
  name: 'plaza_gateway_refusals_total',
  help: 'Requests the gateway refused (HTTP 400 and above, below 500), by client name and extensions.code',
  labelNames: ['client', 'code'],
  registers: [gatewayRegistry],
});

export const manifestsRefused = new Gauge<'client' | 'app_version'>({
  name: 'plaza_persisted_manifests_refused',
  help: 'Published manifests this gateway refused to register at its last load (1 each), by client and app version; see /ready',
  labelNames: ['client', 'app_version'],
  registers: [gatewayRegistry],
});

export const subgraphFetchDuration = new Histogram<'subgraph' | 'outcome'>({
  name: 'plaza_subgraph_fetch_duration_seconds',
  help: 'Time of one subgraph fetch as the gateway sees it, by subgraph and outcome (ok, error, timeout, unavailable, circuit_open)',
  labelNames: ['subgraph', 'outcome'],
  buckets: LATENCY_BUCKETS,
  registers: [gatewayRegistry],
});

export const subgraphFetchErrors = new Counter<'subgraph' | 'reason'>({
  name: 'plaza_subgraph_fetch_errors_total',
  help: 'Failed subgraph fetch attempts, by subgraph and reason (timeout, unavailable, http_5xx, circuit_open)',
  labelNames: ['subgraph', 'reason'],
  registers: [gatewayRegistry],
});

export const subgraphFetchRetries = new Counter<'subgraph'>({
  name: 'plaza_subgraph_fetch_retries_total',
  help: 'Subgraph queries sent again after a failed attempt',
  labelNames: ['subgraph'],
  registers: [gatewayRegistry],
});

export const subgraphFetchShared = new Counter<'subgraph'>({
  name: 'plaza_subgraph_fetch_deduplicated_total',
  help: 'Subgraph fetches answered by an identical fetch already in flight',
  labelNames: ['subgraph'],
  registers: [gatewayRegistry],
});

export const subgraphFetchMerged = new Counter<'subgraph'>({
  name: 'plaza_subgraph_fetch_merged_total',
  help: 'Entity fetches of one request sent as part of another fetch to the same subgraph',
  labelNames: ['subgraph'],
  registers: [gatewayRegistry],
});

export const circuitOpen = new Gauge<'subgraph'>({
  name: 'plaza_subgraph_circuit_open',
  help: '1 while a subgraph circuit is open (failing fast), else 0',
  labelNames: ['subgraph'],
  registers: [gatewayRegistry],
});

export const cacheLookups = new Counter<'cache' | 'outcome'>({
  name: 'plaza_cache_lookups_total',
  help: 'Cache lookups by cache (query_plan, persisted_document, response) and outcome (hit, miss)',
  labelNames: ['cache', 'outcome'],
  registers: [gatewayRegistry],
});

/** Records one lookup of a gateway cache (for hit-ratio panels). */
export function recordCacheLookup(cache: CacheName, hit: boolean): void {
  cacheLookups.inc({ cache, outcome: hit ? 'hit' : 'miss' });
}

export const supergraphReloads = new Counter<'outcome'>({
  name: 'plaza_supergraph_reloads_total',
  help: 'Supergraph file changes, by outcome (applied, rejected)',
  labelNames: ['outcome'],
  registers: [gatewayRegistry],
});
