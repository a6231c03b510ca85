import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { childTraceparent, createLogger, errorCodesOf, requestIdOf, type Logger } from '../../platform/log.ts';
import type { GatewayContext, ObservedRequest } from '../context.ts';
import type { GatewayPlugin, Refusal } from '../plugin.ts';

/** Options of the request log. */
export interface LoggingOptions {
  /** Logger the request lines go to. Default: a pino JSON logger on stdout at PLAZA_LOG_LEVEL. */
  logger?: Logger;
}

interface RequestRecord {
  requestId: string;
  traceparent: string;
  context?: GatewayContext;
  observed: ObservedRequest;
  /** Set when the gateway refused the request before GraphQL ran. */
  refusal?: Refusal;
}

/** Paths that are not client requests: probes and scrapes stay out of request logs and metrics. */
export const OPERATIONS_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Fills `context.observed` as the pipeline learns the operation and its errors (logs and metrics read it). */
export const observeOperation: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, operationName, queryHash, response }) {
        const observed = contextValue.observed;
        if (!observed) return;
        observed.operationName = operationName ?? undefined;
        observed.operationId = queryHash;
        if (response.body.kind === 'single') {
          observed.errorCodes = errorCodesOf(response.body.singleResult.errors);
          observed.hasData = response.body.singleResult.data != null;
        }
      },
    };
  },
};

/**
 * One JSON log line per request: request id, client name and version, operation name and
 * id, duration, HTTP status and error codes. Gives every request its id (the caller's
 * `x-request-id` when sane) and trace context, both forwarded to subgraphs.
 */
export function useLogging(options: LoggingOptions = {}): GatewayPlugin {
  const logger = options.logger ?? createLogger('gateway');
  const records = new WeakMap<IncomingMessage, RequestRecord>();
  return {
    name: 'logging',
    onRequest(req, res) {
      const start = performance.now();
      const incoming = req.headers.traceparent;
      const record: RequestRecord = {
        requestId: requestIdOf(req),
        traceparent: childTraceparent(typeof incoming === 'string' ? incoming : undefined),
        observed: {},
      };
      records.set(req, record);
      res.setHeader('x-request-id', record.requestId);
      if (OPERATIONS_PATHS.has(req.url ?? '')) return;
      res.once('close', () => {
        const client = record.context?.client ?? record.refusal?.client;
        const { operationName, operationId } = record.observed;
        const errorCodes = record.observed.errorCodes ?? (record.refusal ? [record.refusal.code] : undefined);
        logger.info(
          {
            requestId: record.requestId,
            traceId: record.traceparent.slice(3, 35),
            method: req.method,
            path: req.url,
            client: client?.name ?? 'unknown',
            clientVersion: client?.version,
            operationName,
            operationId,
            status: res.statusCode,
            durationMs: Math.round((performance.now() - start) * 100) / 100,
            errorCodes: errorCodes ?? [],
            // an answer cut before it was complete (client gone, or shutdown timeout)
            aborted: !res.writableFinished || undefined,
          },
          'request',
        );
      });
    },
    refused(req, refusal) {
      const record = records.get(req);
      if (record) record.refusal = refusal;
    },
    context(req, context) {
      const record = records.get(req);
      if (!record) return;
      record.context = context;
      context.requestId = record.requestId;
      context.traceparent = record.traceparent;
      context.observed = record.observed;
    },
    apollo: observeOperation,
  };
}
