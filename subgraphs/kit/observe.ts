import type { ApolloServerPlugin } from '@apollo/server';
import { errorCodesOf, traceIdOf, type Logger } from '../../platform/log.ts';
import { operationLabeler, type SubgraphMetrics } from '../../platform/metrics.ts';
import { currentStatementScope } from './orm.ts';

/**
 * One JSON log line and the metrics of every GraphQL request a subgraph serves: the
 * gateway's request id and trace id (from `x-request-id` and `traceparent`), operation,
 * duration, status, error codes and the SQL statements the request ran.
 */
export function observeRequests(logger: Logger, metrics: SubgraphMetrics): ApolloServerPlugin {
  // the gateway names subgraph operations after client operations; bounded all the same
  const label = operationLabeler([], 100);
  return {
    async requestDidStart({ request }) {
      const start = performance.now();
      return {
        async willSendResponse({ operationName, response }) {
          const durationMs = performance.now() - start;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const errorCodes = errorCodesOf(errors);
          const outcome = errorCodes.length ? 'error' : 'ok';
          const operation = label(operationName);
          const statements = currentStatementScope()?.statements;
          metrics.requests.inc({ operation, outcome });
          metrics.duration.observe({ operation, outcome }, durationMs / 1000);
          if (statements !== undefined) metrics.sqlStatements.observe({ operation }, statements);
          const headers = request.http?.headers;
          logger.info(
            {
              requestId: headers?.get('x-request-id'),
              traceId: traceIdOf(headers?.get('traceparent')),
              operationName,
              status: response.http.status ?? 200,
              durationMs: Math.round(durationMs * 100) / 100,
              errorCodes,
              sqlStatements: statements,
            },
            'request',
          );
        },
      };
    },
  };
}
