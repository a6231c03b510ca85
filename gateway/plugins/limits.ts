import type { FastifyRequest } from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { HttpRefusal } from '../../platform/http.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { LRUCache } from 'lru-cache';
import { checkLimits, LIMITS_DEFAULTS, type LimitRefusal, type LimitsOptions } from '../analysis/limits.ts';

/** The GraphQL document and operation name a request carries (POST body or GET query string). */
function documentOf(body: unknown, url: URL): { query: string; operationName?: string } | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { query, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string') return null;
    return { query, operationName: typeof operationName === 'string' ? operationName : undefined };
  }
  const query = url.searchParams.get('query');
  if (query === null) return null;
  return { query, operationName: url.searchParams.get('operationName') ?? undefined };
}

/** Largest number of distinct verdicts remembered (repeated operations skip the analysis). */
const VERDICT_CACHE_SIZE = 2000;
/** Largest number of documents remembered as failing validation. */
const FAILED_VALIDATION_CACHE_SIZE = 1000;
/** Documents longer than this are analysed every time rather than remembered. */
const CACHEABLE_LENGTH = 16 * 1024;

/** Apollo's answer to a document that failed validation, replayed to the next request sending it. */
interface FailedValidation {
  status: number;
  errors: readonly GraphQLFormattedError[];
}

/**
 * Refuses operations that are too deep, too wide or too long before GraphQL parses
 * and validates them: HTTP 400 with QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_ROOT_FIELDS,
 * TOO_MANY_TOKENS, DOCUMENT_TOO_LARGE, TOO_MANY_SELECTIONS or TOO_MANY_REPEATED_FIELDS.
 * An operation name the document does not hold is a 400 BAD_REQUEST.
 *
 * graphql-js validates overlapping fields (OverlappingFieldsCanBeMerged) by comparing
 * every pair of fields that share a response path, so its time grows with the square of
 * the repeats: bounding the repeats per path (maxRepeatedFields) and the expansion
 * (maxSelections) bounds that work to about maxRepeatedFields × maxSelections
 * comparisons, whatever the document. On top of that, a document that failed validation
 * is remembered and refused with Apollo's own answer (GRAPHQL_VALIDATION_FAILED, 400)
 * before Apollo parses it again: Apollo keeps only documents that passed.
 */
export function useLimits(options: LimitsOptions = {}): GatewayPlugin {
  const limits = { ...LIMITS_DEFAULTS, ...options };
  // `false`: the document is within the limits
  const verdicts = new LRUCache<string, LimitRefusal | false>({ max: VERDICT_CACHE_SIZE });
  const failedValidations = new LRUCache<string, FailedValidation>({ max: FAILED_VALIDATION_CACHE_SIZE });
  function verdictFor(query: string, operationName: string | undefined): LimitRefusal | null {
    if (query.length > CACHEABLE_LENGTH) return checkLimits(query, operationName, limits);
    const key = `${operationName ?? ''}\n${query}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = checkLimits(query, operationName, limits) ?? false;
      verdicts.set(key, verdict);
    }
    return verdict || null;
  }
  return {
    name: 'limits',
    prepare(_req: FastifyRequest, body: unknown, url: URL) {
      const document = documentOf(body, url);
      if (!document) return body;
      const refusal = verdictFor(document.query, document.operationName);
      if (refusal) throw new HttpRefusal(400, refusal.code, refusal.message);
      const failed = document.query.length <= CACHEABLE_LENGTH ? failedValidations.get(document.query) : undefined;
      if (failed) {
        const first = failed.errors[0];
        throw new HttpRefusal(failed.status, String(first?.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED'), first?.message ?? '', {}, failed.errors);
      }
      return body;
    },
    apollo: {
      async serverWillStart() {
        return {
          // a document invalid against one schema may be valid against the next
          schemaDidLoadOrUpdate() {
            failedValidations.clear();
          },
        };
      },
      async requestDidStart() {
        let failedValidation = false;
        return {
          async validationDidStart() {
            return async (errors) => {
              failedValidation = Boolean(errors?.length);
            };
          },
          // Apollo hands an unresolvable operation name to the gateway, which answers 500; it is the caller's mistake.
          async didResolveOperation({ operation, request }) {
            if (operation) return;
            const message = request.operationName
              ? `Unknown operation named "${request.operationName.slice(0, 100)}"`
              : 'The document holds several operations: name the one to run in operationName';
            throw plazaError(ErrorCode.BAD_REQUEST, message, { httpStatus: 400 });
          },
          async willSendResponse({ source, response }) {
            if (!failedValidation || source === undefined || source.length > CACHEABLE_LENGTH || response.body.kind !== 'single') return;
            const errors = response.body.singleResult.errors;
            if (errors?.length) failedValidations.set(source, { status: response.http.status ?? 400, errors });
          },
        };
      },
    },
  };
}
