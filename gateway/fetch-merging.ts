/**
 * Merging the entity fetches one client request makes to one subgraph at the same moment.
 *
 * A query plan often fetches the same entities with the same selection from several
 * places at once: the services of the grid, of the banners and of the cards are three
 * `_entities` fetches to merchants in one Parallel node. Sent as they are, the subgraph
 * pays its per-request cost (HTTP, parsing, context, one SQL statement per loader) three
 * times. Merged, it answers one `_entities` call over every representation, each distinct
 * representation once, and each fetch gets back exactly its own entities and errors.
 *
 * Only fetches of the same client request are merged (nothing is shared between callers),
 * and only when they are the same operation apart from its name and representations.
 */
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

/** An entity fetch as the gateway sends it: `query X($representations: [_Any!]!, …) { _entities(…) { … } }`. */
export function isEntityFetch(request: GatewayGraphQLRequest): boolean {
  return Array.isArray(request.variables?.representations) && /^\s*query\b/.test(request.query ?? '') && /\b_entities\s*\(/.test(request.query ?? '');
}

/**
 * Fetches with the same key can be merged: the same query text once its operation name is
 * dropped, and the same variables besides the representations.
 */
export function mergeKey(request: GatewayGraphQLRequest): string {
  const query = (request.query ?? '').replace(/^\s*query\s+[A-Za-z_][A-Za-z0-9_]*/, 'query');
  const { representations: _, ...rest } = request.variables ?? {};
  return `${query}\n${JSON.stringify(rest)}`;
}

interface Slot {
  /** Which fetch, and where in its own representations. */
  member: number;
  index: number;
}

export interface MergedFetch {
  /** The one request to send: the first fetch's operation over every distinct representation. */
  request: GatewayGraphQLRequest;
  /** How many representations the merge saved (duplicates across fetches). */
  duplicates: number;
  /** Each fetch's own answer, cut from the merged one. */
  split(response: GatewayGraphQLResponse): GatewayGraphQLResponse[];
}

type GraphQLErrorLike = NonNullable<GatewayGraphQLResponse['errors']>[number];

/** Merges two or more entity fetches that share a mergeKey. */
export function mergeEntityFetches(requests: readonly GatewayGraphQLRequest[]): MergedFetch {
  const representations: unknown[] = [];
  const slotsOf: Slot[][] = [];
  const indexOf = new Map<string, number>();
  const sizes = requests.map((request) => (request.variables!.representations as unknown[]).length);
  requests.forEach((request, member) => {
    (request.variables!.representations as unknown[]).forEach((representation, index) => {
      const key = JSON.stringify(representation);
      let at = indexOf.get(key);
      if (at === undefined) {
        at = representations.length;
        indexOf.set(key, at);
        representations.push(representation);
        slotsOf.push([]);
      }
      slotsOf[at].push({ member, index });
    });
  });
  const first = requests[0];
  const request: GatewayGraphQLRequest = { ...first, variables: { ...first.variables, representations } };

  function split(response: GatewayGraphQLResponse): GatewayGraphQLResponse[] {
    const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    const errors = response.errors ?? [];
    const extensions = response.extensions;
    const withExtensions = (answer: GatewayGraphQLResponse) => (extensions ? { ...answer, extensions } : answer);
    if (!Array.isArray(entities) || entities.length !== representations.length) {
      // no usable entity list (the whole request failed): every fetch gets the errors as they are
      return requests.map(() => withExtensions({ data: response.data === undefined ? undefined : null, errors }));
    }
    const answers = sizes.map((size) => ({ entities: new Array<unknown>(size).fill(null), errors: [] as { at: number; error: GraphQLErrorLike }[] }));
    entities.forEach((entity, at) => {
      // the gateway merges into the objects it receives: a shared entity gets its own copy per place
      slotsOf[at].forEach(({ member, index }, use) => {
        answers[member].entities[index] = use === 0 ? entity : structuredClone(entity);
      });
    });
    for (const error of errors) {
      const path = error.path;
      if (path && path[0] === '_entities' && typeof path[1] === 'number' && slotsOf[path[1]]) {
        for (const { member, index } of slotsOf[path[1]]) answers[member].errors.push({ at: index, error: { ...error, path: ['_entities', index, ...path.slice(2)] } });
      } else {
        for (const answer of answers) answer.errors.push({ at: -1, error });
      }
    }
    return answers.map((answer) => {
      if (!answer.errors.length) return withExtensions({ data: { _entities: answer.entities } });
      // in the order the fetch alone would have had them: by its own representation (a stable sort)
      const errors = answer.errors.sort((a, b) => a.at - b.at).map((e) => e.error);
      return withExtensions({ data: { _entities: answer.entities }, errors });
    });
  }

  return { request, duplicates: sizes.reduce((a, b) => a + b, 0) - representations.length, split };
}
