import { childTraceparent, createLogger, requestIdOf, type Logger } from '../../platform/log.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of the request log. */
export interface LoggingOptions {
  /** Logger the request lines go to. Default: a pino JSON logger on stdout at PLAZA_LOG_LEVEL. */
  logger?: Logger;
}

/** Paths that are not client requests: probes and scrapes stay out of request logs and metrics. */
export const OPERATIONS_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * One JSON log line per request: request id, client name and version, operation name and
 * id, duration, HTTP status and error codes. Gives every request its id (the caller's
 * `x-request-id` when sane) and trace context, both forwarded to subgraphs.
 */
export function useLogging(options: LoggingOptions = {}): GatewayPlugin {
  const logger = options.logger ?? createLogger('gateway');
  return {
    name: 'logging',
    onRequest(request, reply) {
      const start = performance.now();
      const incoming = request.headers.traceparent;
      const state = request.plaza;
      state.requestId = requestIdOf(request.raw);
      state.traceparent = childTraceparent(typeof incoming === 'string' ? incoming : undefined);
      reply.header('x-request-id', state.requestId);
      if (OPERATIONS_PATHS.has(request.url)) return;
      const res = reply.raw;
      res.once('close', () => {
        const client = state.refusal?.client ?? state.client;
        const { operationName, operationId } = state.observed ?? {};
        const errorCodes = state.observed?.errorCodes ?? (state.refusal ? [state.refusal.code] : undefined);
        logger.info(
          {
            requestId: state.requestId,
            traceId: state.traceparent?.slice(3, 35),
            method: request.method,
            path: request.url,
            client: client.name,
            clientVersion: client.version,
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
  };
}
