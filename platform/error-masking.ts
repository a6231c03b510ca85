import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors.ts';
import type { Logger } from './log.ts';

/** What a client reads instead of an error nobody meant to show it. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * Whether a value is a GraphQL error, from whichever copy of graphql-js made it (a
 * bundler may load its ESM build beside the CommonJS one Apollo uses, and each has its
 * own class): graphql-js tags its errors `[object GraphQLError]`.
 */
export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof GraphQLError || Object.prototype.toString.call(value) === '[object GraphQLError]';
}

/** What was thrown in the end: the innermost `originalError` behind GraphQL's wrappers. */
export function rootCauseOf(error: unknown): unknown {
  let cause = error;
  while (isGraphQLError(cause) && cause.originalError) cause = cause.originalError;
  return cause;
}

/**
 * Whether an error is one nobody meant a client to read: without a code of its own
 * (or with INTERNAL_SERVER_ERROR) and not raised as a GraphQL error, e.g. a database
 * error whose message is the SQL with its values, or a bug. Domain refusals
 * (plazaError), parse, validation and input errors keep their codes and messages.
 */
export function isUnexpectedError(error: unknown): boolean {
  const code = isGraphQLError(error) ? error.extensions?.code : undefined;
  if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) return false;
  return !isGraphQLError(rootCauseOf(error));
}

/**
 * Apollo Server's `formatError` for subgraphs: an unexpected error reaches the caller as
 * INTERNAL_SERVER_ERROR with its path and nothing else (no message, no stack), in every
 * mode; the log has the detail (see logUnexpectedErrors).
 */
export function maskUnexpectedError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (!isUnexpectedError(error)) return formatted;
  return {
    message: INTERNAL_ERROR_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** Logs every unexpected error of a request with the gateway's request id, its path and its whole cause (message, stack). */
export function logUnexpectedErrors(logger: Logger): ApolloServerPlugin<any> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, request, operationName }) {
          for (const error of errors) {
            if (!isUnexpectedError(error)) continue;
            const cause = rootCauseOf(error);
            logger.error({ requestId: request.http?.headers.get('x-request-id'), operationName, path: error.path, err: cause }, 'unexpected error');
          }
        },
      };
    },
  };
}
