/**
 * The gateway's Prometheus metrics, in one registry served at `/metrics`. Other gateway
 * concerns import what they report through, e.g. the persisted-document store:
 *   cacheLookups.inc({ cache: 'persisted_document', outcome: 'hit' })
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, serviceRegistry } from '../platform/metrics.ts';

export const gatewayRegistry = serviceRegistry('gateway');

/** A counter in the gateway's registry. */
function counter<Label extends string>(name: string, help: string, labelNames: Label[]): Counter<Label> {
  return new Counter({ name, help, labelNames, registers: [gatewayRegistry] });
}

/** A gauge in the gateway's registry. */
function gauge<Label extends string>(name: string, help: string, labelNames: Label[]): Gauge<Label> {
  return new Gauge({ name, help, labelNames, registers: [gatewayRegistry] });
}

/** A histogram of durations in seconds (LATENCY_BUCKETS) in the gateway's registry. */
function histogram<Label extends string>(name: string, help: string, labelNames: Label[]): Histogram<Label> {
  return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [gatewayRegistry] });
}

/** Caches whose hit ratio is reported. */
export type CacheName = 'query_plan' | 'persisted_document' | 'response';

export const requests = counter('plaza_gateway_requests_total', 'Requests by operation (unknown ones fold into "other"), client name and outcome (ok, partial, error, refused)', ['operation', 'client', 'outcome']);

export const requestDuration = histogram('plaza_gateway_request_duration_seconds', 'Time from the first byte of a request to the last byte of its answer', ['operation', 'outcome']);

export const requestErrors = counter('plaza_gateway_errors_total', 'GraphQL errors returned to clients, by extensions.code', ['code']);

export const refusals = counter('plaza_gateway_refusals_total', 'Requests the gateway refused (HTTP 400 and above, below 500), by client name and extensions.code', ['client', 'code']);

export const manifestsRefused = gauge('plaza_persisted_manifests_refused', 'Published manifests this gateway refused to register at its last load (1 each), by client and app version; see /ready', ['client', 'app_version']);

export const subgraphFetchDuration = histogram('plaza_subgraph_fetch_duration_seconds', 'Time of one subgraph fetch as the gateway sees it, by subgraph and outcome (ok, error, timeout, unavailable, circuit_open)', ['subgraph', 'outcome']);

export const subgraphFetchErrors = counter('plaza_subgraph_fetch_errors_total', 'Failed subgraph fetch attempts, by subgraph and reason (timeout, unavailable, http_5xx, circuit_open)', ['subgraph', 'reason']);

export const subgraphFetchRetries = counter('plaza_subgraph_fetch_retries_total', 'Subgraph queries sent again after a failed attempt', ['subgraph']);

export const subgraphFetchShared = counter('plaza_subgraph_fetch_deduplicated_total', 'Subgraph fetches answered by an identical fetch already in flight', ['subgraph']);

export const subgraphFetchMerged = counter('plaza_subgraph_fetch_merged_total', 'Entity fetches of one request sent as part of another fetch to the same subgraph', ['subgraph']);

export const circuitOpen = gauge('plaza_subgraph_circuit_open', '1 while a subgraph circuit is open (failing fast), else 0', ['subgraph']);

export const cacheLookups = counter('plaza_cache_lookups_total', 'Cache lookups by cache (query_plan, persisted_document, response) and outcome (hit, miss)', ['cache', 'outcome']);

/** Records one lookup of a gateway cache (for hit-ratio panels). */
export function recordCacheLookup(cache: CacheName, hit: boolean): void {
  cacheLookups.inc({ cache, outcome: hit ? 'hit' : 'miss' });
}

export const supergraphReloads = counter('plaza_supergraph_reloads_total', 'Supergraph file changes, by outcome (applied, rejected)', ['outcome']);
