import fs from 'node:fs';
import path from 'node:path';
import { parse, Kind } from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode } from '../../platform/errors.ts';
import { metricsRoute, operationLabeler } from '../../platform/metrics.ts';
import { OPERATIONS_PATHS } from './logging.ts';
import { gatewayRegistry, refusals, requestDuration, requestErrors, requests } from '../metrics.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of the gateway's Prometheus metrics. */
export interface MetricsOptions {
  /** Operation names that always keep their own label (e.g. the clients' operations). Default: none. */
  knownOperations?: Iterable<string>;
  /** How many other operation names get a label of their own before the rest fold into `other`. Default 50. */
  learnedOperationLimit?: number;
}

export const METRICS_DEFAULTS = { learnedOperationLimit: 50 } as const;

/** How many client names, and error codes outside Plaza's and Apollo's, get a label of their own before the rest fold into `other`. */
export const LEARNED_LABEL_LIMITS = { clients: 20, errorCodes: 20 } as const;

/** Operation names declared in the `.graphql` documents under a folder (the first-party clients). */
export function operationNamesIn(folder: string): string[] {
  const names: string[] = [];
  if (!fs.existsSync(folder)) return names;
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.graphql')) continue;
    try {
      for (const definition of parse(fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8')).definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
      }
    } catch {
      // a document that does not parse names no operation
    }
  }
  return names;
}

/**
 * Prometheus metrics at `/metrics` (an operators' route: see GatewayPlugin.operatorRoutes):
 * requests by operation, client and outcome, latency, error codes, and (from
 * gateway/metrics.ts) subgraph fetches and cache lookups.
 */
export function useMetrics(options: MetricsOptions = {}): GatewayPlugin {
  const label = operationLabeler(options.knownOperations, options.learnedOperationLimit ?? METRICS_DEFAULTS.learnedOperationLimit);
  // first-party client names come from a header: only the first few get labels of their own
  const clientLabel = operationLabeler([], LEARNED_LABEL_LIMITS.clients);
  // a subgraph's error may carry any code: Plaza's and Apollo's keep theirs, a few others too
  const codeLabel = operationLabeler([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)], LEARNED_LABEL_LIMITS.errorCodes);
  return {
    name: 'metrics',
    operatorRoutes: metricsRoute(gatewayRegistry),
    onRequest(request, reply) {
      if (OPERATIONS_PATHS.has(request.url)) return;
      const start = performance.now();
      const state = request.plaza;
      const res = reply.raw;
      res.once('close', () => {
        const { operationName, errorCodes = state.refusal ? [state.refusal.code] : [], hasData } = state.observed ?? {};
        const operation = label(operationName);
        const outcome =
          res.statusCode >= 500 || !res.writableFinished ? 'error' : res.statusCode >= 400 ? 'refused' : errorCodes.length === 0 ? 'ok' : hasData ? 'partial' : 'error';
        const client = clientLabel(state.refusal?.client.name ?? state.client.name);
        requests.inc({ operation, client, outcome });
        requestDuration.observe({ operation, outcome }, (performance.now() - start) / 1000);
        for (const code of errorCodes) requestErrors.inc({ code: codeLabel(code) });
        // answers of 400 and above are the gateway's refusals, whichever step made them
        if (outcome === 'refused') for (const code of errorCodes.length ? errorCodes : ['UNKNOWN']) refusals.inc({ client, code: codeLabel(code) });
      });
    },
  };
}
