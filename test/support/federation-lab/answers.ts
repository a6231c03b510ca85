/**
 * What differential tests compare of two gateways' answers to the same request.
 */
import { postJson, type GraphQLResponse } from '../plaza.ts';

export interface SeenError {
  message: string;
  path?: readonly (string | number)[];
  code?: unknown;
  serviceName?: unknown;
}

export interface SeenAnswer {
  status: number;
  data: unknown;
  errors?: SeenError[];
  /**
   * Errors found while shaping the answer (a null in a non-null field, an enum value the
   * API does not have): @apollo/gateway reports them in `extensions.valueCompletion`, and
   * only when no fetch failed.
   */
  valueCompletion?: SeenError[];
}

function seenErrors(errors: unknown): SeenError[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  const seen = errors.map((e: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }) => {
    const error: SeenError = { message: e.message, path: e.path, code: e.extensions?.code };
    if (e.extensions?.serviceName !== undefined) error.serviceName = e.extensions.serviceName;
    return error;
  });
  // GraphQL leaves the order of errors open, and errors of parallel fetches arrive in
  // whichever order the fetches finish, in a plain gateway too: compared in path order
  const order = (e: SeenError) => `${JSON.stringify(e.path ?? [])} ${e.message}`;
  return seen.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** What a client sees of an answer: status, data, and each error's message, path, code and subgraph. */
export function seen(response: GraphQLResponse): SeenAnswer {
  const body = response.body as GraphQLResponse['body'] & { extensions?: { valueCompletion?: unknown } };
  const answer: SeenAnswer = { status: response.status, data: body.data };
  const errors = seenErrors(body.errors);
  if (errors) answer.errors = errors;
  const valueCompletion = seenErrors(body.extensions?.valueCompletion);
  if (valueCompletion) answer.valueCompletion = valueCompletion;
  return answer;
}

/** Sends the same request to both gateways at once; what each answered. */
export async function askBoth(
  urls: { ours: string; theirs: string },
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Record<string, string> = {},
): Promise<{ ours: SeenAnswer; theirs: SeenAnswer }> {
  const [ours, theirs] = await Promise.all([postJson(urls.ours, body, headers), postJson(urls.theirs, body, headers)]);
  return { ours: seen(ours), theirs: seen(theirs) };
}

/** Runs `work` over `items`, at most `concurrency` at a time, keeping their order. */
export async function inBatches<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(workers);
  return results;
}
