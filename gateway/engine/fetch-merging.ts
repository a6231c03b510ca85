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
 * Only fetches of the same client request are merged (nothing is shared between callers).
 * Fetches that are the same operation apart from its name and representations become one
 * `_entities` call; fetches with different selections go out in one operation, each
 * under an alias of its own (combineEntityFetches). Which fetches may wait for a later
 * one to go out with it is read off the query plan (trailingFetches).
 */
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';
import { representationText } from './json-text.ts';
import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  visit,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';

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

/**
 * The JSON texts of a fetch's representations, by its `representations` list: the engine
 * wrote each to send each distinct one once, so merging fetches tells them apart by the same
 * texts and the body splices them in, without writing them again. Kept per list, not per
 * representation: one entry per fetch.
 */
export const representationTexts = new WeakMap<readonly unknown[], readonly string[]>();

/** Representations told apart by their JSON text, each distinct one kept once, with its text (noted in representationTexts). */
export class DistinctRepresentations<T> {
  readonly list: T[] = [];
  private readonly texts: string[] = [];
  private readonly placeOf = new Map<string, number>();
  /** Places of the representations with one key field of a string or a number, by typename, field and value (see addEntity). */
  private readonly byKey = new Map<string, Map<string, Map<string | number, number>>>();

  constructor() {
    representationTexts.set(this.list, this.texts);
  }

  /** The place of `representation`, written as `text`, among the distinct ones (added when new). */
  add(representation: T, text: string): number {
    let at = this.placeOf.get(text);
    if (at === undefined) {
      at = this.list.length;
      this.placeOf.set(text, at);
      this.list.push(representation);
      this.texts.push(text);
    }
    return at;
  }

  /**
   * `add` for an entity's representation, its text written only when needed. Most are
   * `{ __typename, <key field>: <string or number> }`, and most of a list's repeat one
   * another (the same product under many reviews): those are found by their typename, field
   * and value, and only a new one's text is written. Any other shape goes by its text.
   */
  addEntity(representation: T & Record<string, unknown>): number {
    let typename: unknown;
    let field: string | undefined;
    let fields = 0;
    for (const key in representation) {
      if (++fields > 2) break;
      if (key === '__typename') typename = representation[key];
      else field = key;
    }
    const value = field === undefined ? undefined : representation[field];
    if (fields !== 2 || typeof typename !== 'string' || field === undefined || !(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
      return this.add(representation, representationText(representation));
    }
    let ofType = this.byKey.get(typename);
    if (!ofType) this.byKey.set(typename, (ofType = new Map()));
    let ofField = ofType.get(field);
    if (!ofField) ofType.set(field, (ofField = new Map()));
    let at = ofField.get(value);
    if (at === undefined) {
      // the same representation may have come by its text (key order aside, a text is one shape)
      at = this.add(representation, representationText(representation));
      ofField.set(value, at);
    }
    return at;
  }
}

/** Merges two or more entity fetches that share a mergeKey. */
export function mergeEntityFetches(requests: readonly GatewayGraphQLRequest[]): MergedFetch {
  const distinct = new DistinctRepresentations<unknown>();
  const representations = distinct.list;
  const slotsOf: Slot[][] = [];
  const sizes = requests.map((request) => (request.variables!.representations as unknown[]).length);
  requests.forEach((request, member) => {
    const list = request.variables!.representations as unknown[];
    const known = representationTexts.get(list);
    list.forEach((representation, index) => {
      const at = distinct.add(representation, known?.[index] ?? JSON.stringify(representation));
      if (at === slotsOf.length) slotsOf.push([]);
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
      // one object for every place: the engine's merges only add to the tree, so places may share it
      for (const { member, index } of slotsOf[at]) answers[member].entities[index] = entity;
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

// ------------------------------------------------------------ fetches nothing waits for

/**
 * The fetch operations of a plan worth holding back: nothing else in the plan waits for
 * them (each is the last step of every Sequence around it; Parallels and Flattens pass
 * that on), so the rest of the plan runs the same whenever they answer, and the plan has
 * a later fetch to the same subgraph (one that waits for an earlier step) that they can
 * go out with: one that nothing waits for either, since a held fetch never rides along
 * with a fetch the plan waits for (see SubgraphSource.flush). Held with no such fetch to
 * join, a fetch would go out alone once everything else had answered: one more round
 * trip at the end of the request. An operation that also appears where something waits
 * for it is left out. Nothing under @defer is included.
 */
export function trailingFetches(plan: QueryPlan): ReadonlySet<string> {
  const trailing = new Map<string, string>();
  const waitedFor = new Set<string>();
  /** Subgraphs with a fetch that waits for an earlier step and that nothing waits for: what a held fetch can join. */
  const laterFetches = new Map<string, Set<string>>();
  const walk = (node: PlanNode | undefined, last: boolean, afterAStep: boolean): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Fetch':
        if (last) trailing.set(node.operation, node.serviceName);
        else waitedFor.add(node.operation);
        if (afterAStep && last) {
          const operations = laterFetches.get(node.serviceName) ?? new Set<string>();
          laterFetches.set(node.serviceName, operations.add(node.operation));
        }
        return;
      case 'Sequence':
        node.nodes.forEach((child, i) => walk(child, last && i === node.nodes.length - 1, afterAStep || i > 0));
        return;
      case 'Parallel':
        for (const child of node.nodes) walk(child, last, afterAStep);
        return;
      case 'Flatten':
        walk(node.node, last, afterAStep);
        return;
      case 'Condition':
        walk(node.ifClause, last, afterAStep);
        walk(node.elseClause, last, afterAStep);
        return;
      case 'Defer':
        walk(node.primary.node, false, afterAStep);
        for (const deferred of node.deferred) walk(deferred.node, false, true);
        return;
    }
  };
  if (plan.node && plan.node.kind !== 'Subscription') walk(plan.node, true, false);
  const holdable = new Set<string>();
  for (const [operation, service] of trailing) {
    const later = laterFetches.get(service);
    if (!waitedFor.has(operation) && later && [...later].some((other) => other !== operation && !waitedFor.has(other))) holdable.add(operation);
  }
  return holdable;
}

/**
 * The subgraphs a plan fetches from at one place only: one Fetch node, which sends one
 * request each time it runs (a node whose entities take values from their contexts may
 * send several, and counts as more). Such a fetch has nothing of its request to go out
 * with, so it is sent at once, not gathered first.
 */
export function singleFetchSubgraphs(plan: QueryPlan): ReadonlySet<string> {
  const fetches = new Map<string, number>();
  const walk = (node: PlanNode | undefined): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Fetch':
        fetches.set(node.serviceName, (fetches.get(node.serviceName) ?? 0) + (node.contextRewrites?.length ? 2 : 1));
        return;
      case 'Sequence':
      case 'Parallel':
        for (const child of node.nodes) walk(child);
        return;
      case 'Flatten':
        walk(node.node);
        return;
      case 'Condition':
        walk(node.ifClause);
        walk(node.elseClause);
        return;
      case 'Defer':
        walk(node.primary.node);
        for (const deferred of node.deferred) walk(deferred.node);
        return;
    }
  };
  if (plan.node && plan.node.kind !== 'Subscription') walk(plan.node);
  return new Set([...fetches].filter(([, count]) => count === 1).map(([service]) => service));
}

/** What the subgraph sources are told of a request's plan (see notePlan in subgraph-source.ts). */
export interface PlanFetches {
  /** Fetch operations that may be held back (trailingFetches). */
  trailing: ReadonlySet<string>;
  /** Subgraphs fetched from at one place only (singleFetchSubgraphs). */
  single: ReadonlySet<string>;
}

const fetchesByPlan = new WeakMap<QueryPlan, PlanFetches>();

/** trailingFetches and singleFetchSubgraphs, worked out once per plan (plans are cached and shared by requests). */
export function planFetchesOf(plan: QueryPlan): PlanFetches {
  let fetches = fetchesByPlan.get(plan);
  if (!fetches) fetchesByPlan.set(plan, (fetches = { trailing: trailingFetches(plan), single: singleFetchSubgraphs(plan) }));
  return fetches;
}

// ------------------------------------------------------------ different selections, one request

type Combined = { query: string; renames: Map<string, string>[] };
/** Combined operations kept, by the operations they combine (false: they cannot be combined); reported in /metrics as `fetch_merging`. */
const combinedCache = new BoundedCache<string, Combined | false>('fetch_merging', { maxEntries: 500, maxBytes: 4 * 1024 * 1024 }, (key, combined) =>
  // the renames are a few short names per fetch
  ENTRY_BYTES + stringBytes(key) + (combined ? stringBytes(combined.query) + 200 * combined.renames.length : 0),
);

/**
 * One operation asking for the entities of several entity fetches with different
 * selections: each fetch's `_entities` under an alias of its own (`_e0`, `_e1`, …), its
 * variables and fragments renamed apart. Null when an operation is not a plain entity
 * fetch (one `_entities` field and nothing else).
 */
function combinedOperation(queries: readonly string[]): { query: string; renames: Map<string, string>[] } | null {
  const cacheKey = queries.join('\u0000');
  const cached = combinedCache.get(cacheKey);
  if (cached !== undefined) return cached || null;
  let combined: Combined | null = null;
  try {
    const variables: VariableDefinitionNode[] = [];
    const fields: FieldNode[] = [];
    const fragments: FragmentDefinitionNode[] = [];
    const renames: Map<string, string>[] = [];
    let plain = true;
    queries.forEach((query, k) => {
      const document = parse(query);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const root = operation?.selectionSet.selections;
      if (!operation || operation.operation !== 'query' || root?.length !== 1 || root[0].kind !== Kind.FIELD || root[0].name.value !== '_entities' || root[0].alias) {
        plain = false;
        return;
      }
      const variableNames = new Map((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, `e${k}_${v.variable.name.value}`]));
      const fragmentNames = new Map(
        document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, `${f.name.value}_e${k}`]),
      );
      renames.push(variableNames);
      const renamed = visit(document, {
        Variable: (node) => ({ ...node, name: { ...node.name, value: variableNames.get(node.name.value) ?? node.name.value } }),
        FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: fragmentNames.get(node.name.value) ?? node.name.value } }),
        FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: fragmentNames.get(node.name.value) ?? node.name.value } }),
      });
      for (const definition of renamed.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        variables.push(...(definition.variableDefinitions ?? []));
        const field = definition.selectionSet.selections[0] as FieldNode;
        fields.push({ ...field, alias: { kind: Kind.NAME, value: `_e${k}` } });
      }
    });
    if (plain) {
      const operation: OperationDefinitionNode = {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: { kind: Kind.NAME, value: 'PlazaCombinedEntities' },
        variableDefinitions: variables,
        selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
      };
      combined = { query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }), renames };
    }
  } catch {
    combined = null;
  }
  combinedCache.set(cacheKey, combined ?? false);
  return combined;
}

/**
 * Combines entity fetches with different selections (each already merged by mergeKey)
 * into one request; `split` gives each its own answer: its entities, the errors under
 * its alias re-pathed to `_entities`, and errors without such a path for all. Null when
 * they cannot be combined; they are then sent one by one.
 */
export function combineEntityFetches(requests: readonly GatewayGraphQLRequest[]): Omit<MergedFetch, 'duplicates'> | null {
  const combined = combinedOperation(requests.map((r) => r.query ?? ''));
  if (!combined) return null;
  const variables: Record<string, unknown> = {};
  requests.forEach((request, k) => {
    for (const [name, value] of Object.entries(request.variables ?? {})) {
      const renamed = combined.renames[k].get(name);
      // a variable the operation does not declare is not sent (the subgraph would refuse it)
      if (renamed) variables[renamed] = value;
    }
  });
  const request: GatewayGraphQLRequest = { ...requests[0], query: combined.query, operationName: 'PlazaCombinedEntities', variables };

  function split(response: GatewayGraphQLResponse): GatewayGraphQLResponse[] {
    const data = response.data as Record<string, unknown> | null | undefined;
    const extensions = response.extensions;
    return requests.map((_, k) => {
      const alias = `_e${k}`;
      const errors: GraphQLErrorLike[] = [];
      for (const error of response.errors ?? []) {
        const path = error.path;
        if (!path || typeof path[0] !== 'string' || !/^_e\d+$/.test(path[0])) errors.push(error);
        else if (path[0] === alias) errors.push({ ...error, path: ['_entities', ...path.slice(1)] });
      }
      const answer: GatewayGraphQLResponse = data ? { data: { _entities: data[alias] ?? null } } : { data: data === undefined ? undefined : null };
      if (errors.length) answer.errors = errors;
      if (extensions) answer.extensions = extensions;
      return answer;
    });
  }
  return { request, split };
}
