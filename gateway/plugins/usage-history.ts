import { ErrorCode } from '../../platform/errors.ts';
import { sendError, sendJson } from '../../platform/http.ts';
import type { GatewayPlugin } from '../plugin.ts';
import type { ClientIdentity } from '../context.ts';
import { coordinatesOf } from '../operation-fields.ts';
import { USAGE_SUBJECTS, usesOf, type Use, type UsageHistory, type UsageSubject } from '../stores/usage-history.ts';
import { BYPASS_HEADER, secretMatches } from './persisted-documents.ts';
import { localApiSchema } from '../analysis/api-schema.ts';

/** Options of usage over time. */
export interface UsageHistoryOptions {
  /** Where uses are recorded (Redis when shared, memory otherwise; see gateway/stores/usage-history.ts). */
  history: UsageHistory;
  /** The app version of a client's operation when the client does not say (e.g. from the one manifest shipping it). Default the client's own, else `unknown`. */
  appVersionOf?(client: ClientIdentity, operationId: string): string;
  /** Operators read the history at HISTORY_PATH with this secret in `x-plaza-pq-bypass`. Default none (not served). */
  operatorSecret?: string | null;
}

/** Where operators read usage over time: `?subject=client|app|operation|field&days=30`. */
export const HISTORY_PATH = '/persisted-queries/usage/history';

/**
 * Records every operation the gateway executes: a use of its client, app version,
 * operation and of each field it reads, per day, with first and last seen
 * (`npm run pq -- usage --operation|--app-version|--field` reads them back).
 */
export function useUsageHistory(options: UsageHistoryOptions): GatewayPlugin {
  const appVersionOf = options.appVersionOf ?? ((client: ClientIdentity) => client.version ?? 'unknown');
  // Recording does not change the answer, so it stays off the request's path: the uses of the
  // operations that started executing in one turn of the event loop are recorded together
  // once that turn is over (one store call, one Redis script, for all of them).
  let waiting: Use[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    const uses = waiting;
    waiting = [];
    if (uses.length) options.history.record(uses);
  };
  return {
    name: 'usage-history',
    routes: (app) => {
      app.get(HISTORY_PATH, async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        if (!secretMatches(request.headers[BYPASS_HEADER], options.operatorSecret ?? null)) {
          return sendError(reply, 403, ErrorCode.FORBIDDEN, `Send the operator secret in ${BYPASS_HEADER}`);
        }
        const subject = query.subject ?? '';
        const days = Number(query.days ?? '30');
        if (!(USAGE_SUBJECTS as readonly string[]).includes(subject) || !Number.isInteger(days) || days < 1 || days > 92) {
          return sendError(reply, 400, ErrorCode.BAD_REQUEST, `subject must be one of ${USAGE_SUBJECTS.join(', ')} and days a whole number 1-92`);
        }
        return sendJson(reply, 200, { trails: await options.history.read(subject as UsageSubject, days) });
      });
    },
    apollo: {
      async requestDidStart() {
        return {
          async executionDidStart({ contextValue, document, schema, queryHash, operationName }) {
            const client = contextValue.client;
            const fields = coordinatesOf(localApiSchema(schema), document);
            for (const use of usesOf(client.name, appVersionOf(client, queryHash), queryHash, operationName ?? undefined, fields)) waiting.push(use);
            scheduled ??= setImmediate(flush);
          },
        };
      },
    },
    stop: async () => {
      if (scheduled) clearImmediate(scheduled);
      flush();
      await options.history.close?.();
    },
  };
}
