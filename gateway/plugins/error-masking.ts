import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { INTERNAL_ERROR_MESSAGE, isGraphQLError, rootCauseOf } from '../../platform/error-masking.ts';
import { ErrorCode } from '../../platform/errors.ts';
import { createLogger, type Logger } from '../../platform/log.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of error masking. */
export interface ErrorMaskingOptions {
  /** Mask what clients must not read (production). Default false: development keeps messages and stack traces (never SQL: subgraphs mask it). */
  production?: boolean;
  /** Where the detail of a masked error goes, with the request id. Default: a pino JSON logger on stdout. */
  logger?: Logger;
}

/** Codes a client may read as they are: Plaza's (subgraphs/kit/errors.ts) and Apollo Server's request errors. */
const PUBLISHED_CODES: ReadonlySet<unknown> = new Set([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)]);
/** What a subgraph may tell a client: Plaza's own codes (a subgraph's parse or validation error is the gateway's problem, not the client's). */
const SUBGRAPH_CODES: ReadonlySet<unknown> = new Set(Object.values(ErrorCode));
/** Extensions that describe the servers, not the request: never in a production answer. */
const INTERNAL_EXTENSIONS = ['stacktrace', 'exception', 'serviceName', 'response'];

/**
 * Whether an error is internal: INTERNAL_SERVER_ERROR, no code, a code Plaza does not
 * publish (e.g. the federation's INVALID_GRAPHQL), or a subgraph's error without a
 * Plaza code.
 */
export function isInternalError(extensions: Record<string, unknown> | undefined): boolean {
  const code = extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
  if (code === ErrorCode.INTERNAL_SERVER_ERROR) return true;
  return typeof extensions?.serviceName === 'string' ? !SUBGRAPH_CODES.has(code) : !PUBLISHED_CODES.has(code);
}

/** graphql-js's suggestions (` Did you mean "nickname"?`): they spell out the schema that production hides with introspection. */
const SUGGESTION = / ?Did you mean [^]*\?$/;

/** An error as a production client reads it: internal ones masked, no suggestions, no server details. */
export function productionError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (isInternalError(formatted.extensions)) {
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  const extensions = { ...formatted.extensions };
  for (const key of INTERNAL_EXTENSIONS) delete extensions[key];
  return { ...formatted, message: formatted.message.replace(SUGGESTION, ''), extensions };
}

function withRequestId(errors: readonly GraphQLFormattedError[] | undefined, requestId: string | undefined): GraphQLFormattedError[] | undefined {
  if (!errors || !requestId || !errors.some((e) => e.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR)) return errors as GraphQLFormattedError[] | undefined;
  return errors.map((e) => (e.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR ? { ...e, extensions: { ...e.extensions, requestId } } : e));
}

/**
 * What a client reads of errors. Every internal error (see isInternalError) is logged
 * with the request id, its subgraph and its whole cause, and its answer carries the
 * request id (`extensions.requestId`, also the `x-request-id` header) so a report can be
 * matched to the log. In production an internal error reads only `Internal server
 * error` with INTERNAL_SERVER_ERROR, and no error carries a stack trace, a subgraph's
 * name (`serviceName`), a subgraph's raw answer, or validation suggestions.
 */
export function useErrorMasking(options: ErrorMaskingOptions = {}): GatewayPlugin {
  const production = options.production ?? false;
  const logger = options.logger ?? createLogger('gateway');
  return {
    name: 'error-masking',
    formatError: (formatted) => (production ? productionError(formatted) : formatted),
    apollo: {
      async contextCreationDidFail({ error }) {
        if (!isGraphQLError(rootCauseOf(error))) logger.error({ err: rootCauseOf(error) }, 'internal error');
      },
      async requestDidStart() {
        return {
          async didEncounterErrors({ errors, contextValue, operationName }) {
            for (const error of errors) {
              if (!isInternalError(error.extensions)) continue;
              const { serviceName, code } = error.extensions;
              const cause = rootCauseOf(error);
              logger.error(
                { requestId: contextValue.requestId, operationName, path: error.path, serviceName, code, message: error.message, err: cause instanceof Error ? cause : undefined },
                'internal error',
              );
            }
          },
          async willSendResponse({ contextValue, response }) {
            const body = response.body;
            if (body.kind === 'single') body.singleResult.errors = withRequestId(body.singleResult.errors, contextValue.requestId);
            else body.initialResult.errors = withRequestId(body.initialResult.errors, contextValue.requestId);
          },
        };
      },
    },
  };
}
