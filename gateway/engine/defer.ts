/**
 * @defer: an answer in parts. The planner splits a deferred operation into a Defer node:
 * a primary part (its fetches and the selections answered first) and deferred parts, each
 * with the fetches it waits for (`depends`), the path it belongs at (`queryPath`, response
 * names, lists not marked) and its selections. Parts run on the same tree of merged data as
 * soon as what they wait for is merged, alongside the rest of the plan; each is shaped on
 * its own (nulls propagate within the part) and delivered as an `incremental` item at every
 * place its path reaches in the answer (`path`, `label`, its own errors), in the format
 * Apollo Client and Apollo Router use (deferSpec=20220824).
 */
import { isCompositeType, parseSelectionSet, type CompositeType, type FieldSelection, type Operation, type Schema, type SelectionSet } from '@apollo/federation-internals';
import type { ConditionNode, DeferNode, DeferredNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { deepMerge, runNode, type Run } from './execute.ts';
import { shapePart } from './shaping.ts';

type Data = Record<string, unknown>;

/** One deferred part delivered at one place of the answer. */
export interface IncrementalItem {
  data: Data | null;
  path: (string | number)[];
  label?: string;
  errors?: GraphQLError[];
}

/** A payload after the first: the items completed since the last one; `hasNext` until the last. */
export interface SubsequentPayload {
  hasNext: boolean;
  incremental?: IncrementalItem[];
}

/** The plan's top Defer node, once its Conditions are decided, if the plan defers anything at the top. */
export function topDefer(plan: QueryPlan, decide: (node: ConditionNode) => PlanNode | undefined): DeferNode | undefined {
  let node = plan.node as PlanNode | undefined;
  while (node?.kind === 'Condition') node = decide(node);
  return node?.kind === 'Defer' ? node : undefined;
}

const fetchIdsOf = new WeakMap<PlanNode, readonly string[]>();

/** The ids of the fetches in a subtree (they are settled, fetched or not, once it has run); worked out once per plan node. */
function fetchIds(node: PlanNode | undefined): readonly string[] {
  if (!node) return [];
  let ids = fetchIdsOf.get(node);
  if (!ids) fetchIdsOf.set(node, (ids = collectFetchIds(node, [])));
  return ids;
}

function collectFetchIds(node: PlanNode | undefined, ids: string[]): string[] {
  if (!node) return ids;
  switch (node.kind) {
    case 'Fetch':
      if (node.id !== undefined) ids.push(node.id);
      break;
    case 'Sequence':
    case 'Parallel':
      node.nodes.forEach((child) => collectFetchIds(child, ids));
      break;
    case 'Flatten':
      collectFetchIds(node.node, ids);
      break;
    case 'Condition':
      collectFetchIds(node.ifClause, ids);
      collectFetchIds(node.elseClause, ids);
      break;
    case 'Defer':
      collectFetchIds(node.primary.node, ids);
      node.deferred.forEach((d) => collectFetchIds(d.node, ids));
      break;
  }
  return ids;
}

/** Selection sets parsed from a part's text, per the type they are read at. */
const parsedParts = new WeakMap<object, Map<string, SelectionSet>>();

function partSelection(owner: object, text: string, type: CompositeType, operation: Operation): SelectionSet {
  let byType = parsedParts.get(owner);
  if (!byType) parsedParts.set(owner, (byType = new Map()));
  let selectionSet = byType.get(type.name);
  if (!selectionSet) {
    selectionSet = parseSelectionSet({ parentType: type, source: text, variableDefinitions: operation.variableDefinitions, validate: false });
    byType.set(type.name, selectionSet);
  }
  return selectionSet;
}

/** The type of the objects at a part's path, from the merged data's `__typename` or else the operation's fields. */
function typeAt(schema: Schema, operation: Operation, queryPath: readonly string[], object: Data): CompositeType | undefined {
  const typename = object.__typename;
  if (typeof typename === 'string') {
    const type = schema.type(typename);
    if (type && isCompositeType(type)) return type;
  }
  let selectionSet: SelectionSet | undefined = operation.selectionSet;
  let type: CompositeType | undefined = selectionSet.parentType;
  for (const element of queryPath) {
    if (element.startsWith('... on ')) {
      const named = schema.type(element.slice('... on '.length));
      type = named && isCompositeType(named) ? named : undefined;
      continue;
    }
    const field: FieldSelection | undefined = selectionSet ? findField(selectionSet, element) : undefined;
    if (!field?.selectionSet) return undefined;
    selectionSet = field.selectionSet;
    type = selectionSet.parentType;
  }
  return type;
}

function findField(selectionSet: SelectionSet, responseName: string): FieldSelection | undefined {
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FieldSelection') {
      if (selection.element.responseName() === responseName) return selection;
    } else {
      const found = findField(selection.selectionSet, responseName);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every place a part's path reaches, through lists, where both the merged data and the answer sent so far have an object. */
function placesOf(queryPath: readonly string[], merged: unknown, answered: unknown): { path: (string | number)[]; object: Data }[] {
  const places: { path: (string | number)[]; object: Data }[] = [];
  const walk = (at: number, data: unknown, shown: unknown, path: (string | number)[]) => {
    if (data === null || data === undefined || shown === null || shown === undefined) return;
    if (Array.isArray(data)) {
      if (!Array.isArray(shown)) return;
      data.forEach((item, i) => walk(at, item, shown[i], [...path, i]));
      return;
    }
    if (at === queryPath.length) {
      places.push({ path, object: data as Data });
      return;
    }
    const element = queryPath[at];
    if (element.startsWith('... on ')) {
      walk(at + 1, data, shown, path);
      return;
    }
    walk(at + 1, (data as Data)[element], (shown as Data)[element], [...path, element]);
  };
  walk(0, merged, answered, []);
  return places;
}

/** Merges a delivered item into the answer as the client has it. */
function showAt(shown: Data | null | undefined, path: (string | number)[], data: Data): void {
  let at: unknown = shown;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return;
    at = (at as Record<string | number, unknown>)[key];
  }
  // the same list the item's path runs through, so lists line up element by element
  if (at && typeof at === 'object') deepMerge(at as Data, data);
}

/** A promise per fetch id, settled when the fetch has been merged or its subtree has run. */
class Fetches {
  private readonly waiting = new Map<string, { promise: Promise<void>; resolve(): void }>();

  private entry(id: string) {
    let entry = this.waiting.get(id);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiting.set(id, (entry = { promise, resolve }));
    }
    return entry;
  }

  settled(id: string): void {
    this.entry(id).resolve();
  }

  wait(ids: readonly string[]): Promise<unknown> {
    return Promise.all(ids.map((id) => this.entry(id).promise));
  }
}

export interface DeferredRun {
  /** The primary part's fetch errors. */
  primaryErrors: (GraphQLError | Error)[];
  /** The rest of the answer, as its parts complete; starts once `start` is called with the answer sent first. */
  start(answered: Data | null | undefined): AsyncIterable<SubsequentPayload>;
}

/**
 * Runs the primary part of a top Defer node now (resolving once it is merged); the deferred
 * parts start as soon as what they wait for is merged, and their items are delivered in
 * the order they complete, once the first answer has been given to `start`.
 */
export async function runDeferred(
  run: Run,
  node: DeferNode,
  root: Data,
  introspection: (selection: FieldSelection) => unknown,
): Promise<DeferredRun> {
  const schema = run.operation.schema();
  const fetches = new Fetches();
  const primaryRun: Run = { ...run, errors: [], fetched: (id) => fetches.settled(id) };
  const cursor = { path: [], data: root, root };
  let answeredResolve!: (answered: Data | null | undefined) => void;
  const answered = new Promise<Data | null | undefined>((resolve) => (answeredResolve = resolve));

  const queue: SubsequentPayload[] = [];
  let wake: (() => void) | undefined;
  let outstanding = 0;
  const emit = (items: IncrementalItem[], last: boolean) => {
    if (!items.length && !last) return;
    queue.push(last ? { hasNext: false, ...(items.length ? { incremental: items } : {}) } : { hasNext: true, incremental: items });
    wake?.();
  };

  /** Runs one deferred part (and the parts deferred inside it), after `parentDelivered`. */
  const part = (deferred: DeferredNode, parentDelivered: Promise<unknown>) => {
    outstanding++;
    const inner = deferred.node?.kind === 'Defer' ? deferred.node : undefined;
    const text = inner ? inner.primary.subselection : deferred.subselection;
    const work = inner ? inner.primary.node : deferred.node;
    let delivered!: () => void;
    const done = new Promise<void>((resolve) => (delivered = resolve));
    void (async () => {
      const partRun: Run = { ...run, errors: [], fetched: (id) => fetches.settled(id) };
      const items: IncrementalItem[] = [];
      try {
        await fetches.wait(deferred.depends.map((d) => d.id));
        if (work) await runNode(partRun, work, cursor);
        for (const id of fetchIds(work)) fetches.settled(id);
        // nested parts may start now: they are delivered after this one
        for (const nested of inner?.deferred ?? []) part(nested, done);
        const shown = await answered;
        await parentDelivered;
        for (const place of placesOf(deferred.queryPath, root, shown)) {
          const type = text ? typeAt(schema, run.operation, deferred.queryPath, place.object) : undefined;
          const shaped = text && type ? shapePart(run.operation, partSelection(deferred, text, type, run.operation), type, run.variables, place.object, place.path, introspection) : { data: {}, errors: [] };
          const errors = [...(partRun.errors as GraphQLError[]), ...shaped.errors];
          items.push({ data: inOperationOrder(run.operation, shaped.data, place.path) as Data | null, path: place.path, ...(deferred.label !== undefined ? { label: deferred.label } : {}), ...(errors.length ? { errors } : {}) });
          // what the client has now, for the parts deferred inside this one
          if (shaped.data) showAt(shown, place.path, shaped.data);
        }
      } catch (error) {
        items.push({ data: null, path: [], errors: [error as GraphQLError] });
      } finally {
        outstanding--;
        emit(items, outstanding === 0);
        delivered();
      }
    })();
  };

  const primaryDone = node.primary.node ? runNode(primaryRun, node.primary.node, cursor) : Promise.resolve();
  const primaryDelivered = primaryDone.then(() => fetchIds(node.primary.node).forEach((id) => fetches.settled(id)));
  for (const deferred of node.deferred) part(deferred, primaryDelivered);
  await primaryDelivered;

  return {
    primaryErrors: primaryRun.errors,
    start(shown) {
      answeredResolve(shown);
      return {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            while (queue.length) {
              const payload = queue.shift()!;
              yield payload;
              if (!payload.hasNext) return;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        },
      };
    },
  };
}

/** Response names in the order the operation asks for them, per path of response names (lists not marked). */
type FieldOrder = Map<string, Map<string, number>>;
const fieldOrders = new WeakMap<Operation, FieldOrder>();

function fieldOrderOf(operation: Operation): FieldOrder {
  let order = fieldOrders.get(operation);
  if (!order) {
    order = new Map();
    const walk = (selectionSet: SelectionSet, at: string) => {
      let names = order!.get(at);
      if (!names) order!.set(at, (names = new Map()));
      for (const selection of selectionSet.selections()) {
        if (selection.kind === 'FieldSelection') {
          const name = selection.element.responseName();
          if (!names.has(name)) names.set(name, names.size);
          if (selection.selectionSet) walk(selection.selectionSet, at ? `${at}.${name}` : name);
        } else {
          walk(selection.selectionSet, at);
        }
      }
    };
    walk(operation.selectionSet, '');
    fieldOrders.set(operation, order);
  }
  return order;
}

/**
 * A part's data with its fields in the order the operation asks for them (the planner
 * writes a part's selections sorted by name): GraphQL answers follow the query's order.
 */
export function inOperationOrder(operation: Operation, value: unknown, path: readonly (string | number)[]): unknown {
  const order = fieldOrderOf(operation);
  const at = path.filter((key) => typeof key === 'string').join('.');
  const reorder = (current: unknown, key: string): unknown => {
    if (Array.isArray(current)) return current.map((item) => reorder(item, key));
    if (current === null || typeof current !== 'object') return current;
    const names = order.get(key);
    const entries = Object.entries(current as Data);
    if (names) entries.sort(([a], [b]) => (names.get(a) ?? Number.MAX_SAFE_INTEGER) - (names.get(b) ?? Number.MAX_SAFE_INTEGER));
    return Object.fromEntries(entries.map(([name, child]) => [name, reorder(child, key ? `${key}.${name}` : name)]));
  };
  return reorder(value, at);
}

/** The primary part's selections, parsed once per Defer node. */
export function primarySelection(node: DeferNode, operation: Operation): SelectionSet | undefined {
  const text = node.primary.subselection;
  if (!text) return undefined;
  return partSelection(node, text, operation.selectionSet.parentType, operation);
}

/** The payloads after the first as JSON texts, each error formatted as the first part's are (`format`: the gateway's formatError). */
export async function* payloadTexts(
  payloads: AsyncIterable<SubsequentPayload>,
  format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): AsyncIterable<{ json: string; hasNext: boolean }> {
  for await (const payload of payloads) {
    const incremental = payload.incremental?.map((item) => ({ ...item, ...(item.errors ? { errors: item.errors.map((error) => formattedError(error, format)) } : {}) }));
    yield { json: JSON.stringify(incremental ? { hasNext: payload.hasNext, incremental } : { hasNext: payload.hasNext }), hasNext: payload.hasNext };
  }
}

/** An error of a later part as the client reads it: with a code (INTERNAL_SERVER_ERROR when it has none), through the gateway's formatting. */
export function formattedError(error: Error, format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError): GraphQLFormattedError {
  // a GraphQLError of either copy of graphql (the engine's, or the one plugins import)
  const json: GraphQLFormattedError = typeof (error as Partial<GraphQLError>).toJSON === 'function' ? (error as GraphQLError).toJSON() : { message: error.message };
  return format(json.extensions?.code ? json : { ...json, extensions: { ...json.extensions, code: 'INTERNAL_SERVER_ERROR' } }, error);
}
