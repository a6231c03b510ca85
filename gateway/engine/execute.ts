/**
 * Runs a query plan: fetches from subgraphs in the order the plan gives, entity
 * representations built from what earlier fetches brought, every answer merged into one
 * tree of data, which shaping (shaping.ts) then turns into the answer the operation asked
 * for. The semantics are Federation's as @apollo/gateway implements them (the differential
 * tests compare answers, errors and nulls with it); the work that depends only on the plan
 * (representation writers, rewrite paths, flatten paths) is worked out once per fetch node
 * and kept with the plan.
 */
import { ERRORS, errorCodeDef, type Operation } from '@apollo/federation-internals';
import { evaluateCondition, type FetchDataRewrite, type FetchNode, type PlanNode, type QueryPlanSelectionNode, type ResponsePath } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { graphql } from './graphql.ts';
import { inSpan } from './tracing.ts';
import { DistinctRepresentations } from './fetch-merging.ts';
import type { SubgraphSource } from './subgraph-source.ts';

type Data = Record<string, unknown>;
export type Variables = Record<string, unknown>;

/** What one request's plan runs with. */
/**
 * What fetches read of the client's request: its context (token, ids, viewer) and the cache
 * policy their answers restrict. A subscription's events carry a copy of only this.
 */
export interface RunRequest {
  readonly context: GatewayContext;
  readonly overallCachePolicy?: GatewayGraphQLRequestContext<GatewayContext>['overallCachePolicy'];
}

export interface Run {
  readonly request: RunRequest;
  /** The request's variables as sent (fetches forward them as they are; subgraphs apply defaults). */
  readonly variables: Variables;
  readonly operation: Operation;
  readonly supergraphSchema: GraphQLSchema;
  readonly sources: ReadonlyMap<string, FetchSource>;
  /** Fetch errors, in the order they happen. */
  readonly errors: (GraphQLError | Error)[];
  /** Called as each fetch with an id has been merged (deferred parts wait on them). */
  fetched?(id: string): void;
  /** Whether spans are recorded (see tracing.ts). */
  readonly tracing: boolean;
}

/** What a fetch is sent to: a subgraph (subgraph-source.ts), or a subscription's event standing in for its primary fetch (live.ts). */
export type FetchSource = Pick<SubgraphSource, 'process'>;

/** Where a plan node works: the objects at `path` (`@` for every element of a list). */
export interface Cursor {
  path: ResponsePath;
  data: unknown;
  /** The root of the data, for error paths. */
  root: Data;
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);
const getOwn = (object: object, key: string): unknown => (hasOwn(object, key) ? (object as Data)[key] : undefined);

/** Makes `key` an own property before it is written, so a key like `__proto__` from JSON never reaches the prototype. */
function defineOwn(object: object, key: string): void {
  if (!hasOwn(object, key) && key in object) Object.defineProperty(object, key, { configurable: true, enumerable: true, value: undefined, writable: true });
}

const isObject = (value: unknown): value is Data => value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Merges `source` into `target` in place: objects key by key, lists of the same length
 * element by element, anything else replaced. Nothing is copied: a deduplicated entity's
 * answer may be merged into several targets, which then share its nested objects (merges
 * only ever add to the tree, so sharing is safe).
 */
export function deepMerge(target: Data, source: unknown): Data {
  if (source === undefined || source === null || target === source) return target;
  const from = source as Data;
  for (const key in from) {
    const value = from[key];
    if (value === undefined) continue;
    defineOwn(target, key);
    const existing = target[key];
    if (existing && isObject(value)) {
      deepMerge(existing as Data, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) deepMerge(existing[i] as Data, value[i]);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}

// ------------------------------------------------------------ paths

/** The values at `path` from `value`, lists flattened where the path says `@`. */
function flattenAt(value: unknown, path: ResponsePath, at: number): unknown {
  if (at === path.length || value === undefined || value === null) return value;
  const current = path[at];
  if (current === '@') {
    const flat: unknown[] = [];
    if (!Array.isArray(value)) throw new Error(`Expected a list in result for path element @, got ${typeof value}`);
    for (let i = 0; i < value.length; i++) flattenInto(flat, value[i], path, at + 1);
    return flat;
  }
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  return flattenAt(getOwn(value as object, current), path, at + 1);
}

/** Pushes onto `flat` what flattenAt(value, path, at) finds, a list's elements one by one (no list per level in between). */
function flattenInto(flat: unknown[], value: unknown, path: ResponsePath, at: number): void {
  if (at === path.length || value === undefined || value === null) {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) flat.push(value[i]);
    else flat.push(value);
    return;
  }
  const current = path[at];
  if (current === '@') {
    if (!Array.isArray(value)) throw new Error(`Expected a list in result for path element @, got ${typeof value}`);
    for (let i = 0; i < value.length; i++) flattenInto(flat, value[i], path, at + 1);
    return;
  }
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  flattenInto(flat, getOwn(value as object, current), path, at + 1);
}

function moveIntoCursor(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenAt(cursor.data, path, 0);
  return data ? { path: cursor.path.concat(path), data, root: cursor.root } : undefined;
}

/**
 * Every object a cursor's path reaches, in the order the cursor holds them (null ones left
 * out): its concrete path in the answer (for errors) and the objects above it, from the root
 * down (for context values). Only walked when a fetch has errors or context rewrites.
 */
function reached(path: ResponsePath, root: unknown): { path: (string | number)[]; above: Data[] }[] {
  const found: { path: (string | number)[]; above: Data[] }[] = [];
  const at: (string | number)[] = [];
  const above: Data[] = [];
  const walk = (step: number, data: unknown) => {
    if (data === null || data === undefined) return;
    if (step === path.length) {
      found.push({ path: at.slice(), above: above.slice() });
      return;
    }
    const head = path[step];
    if (Array.isArray(data)) {
      // `@` steps into the list; a field name applies to each of its elements
      data.forEach((value, i) => {
        at.push(i);
        walk(head === '@' ? step + 1 : step, value);
        at.pop();
      });
      return;
    }
    if (typeof head !== 'string' || head === '@' || !hasOwn(data as object, head)) return;
    at.push(head);
    above.push(data as Data);
    walk(step + 1, (data as Data)[head]);
    above.pop();
    at.pop();
  };
  walk(0, root);
  return found;
}

// ------------------------------------------------------------ what a fetch node needs, once

/** Whether an object of `typename` matches a fragment's type condition (memoized per schema). */
class TypeConditions {
  private readonly known = new Map<string, boolean>();
  constructor(private readonly schema: GraphQLSchema) {}

  /** @apollo/gateway's isObjectOfType: no `__typename` counts as `unknownMatches`. */
  matches(object: Data, condition: string, unknownMatches = false): boolean {
    const typename = object.__typename;
    if (typeof typename !== 'string' || !typename) return unknownMatches;
    if (typename === condition) return true;
    const key = `${typename}\0${condition}`;
    let answer = this.known.get(key);
    if (answer === undefined) {
      const type = this.schema.getType(typename);
      const conditional = this.schema.getType(condition);
      answer =
        !!type &&
        !!conditional &&
        graphql.isAbstractType(conditional) &&
        (graphql.isObjectType(type) || graphql.isInterfaceType(type)) &&
        this.schema.isSubType(conditional, type);
      this.known.set(key, answer);
    }
    return answer;
  }
}

const typeConditionsOf = new WeakMap<GraphQLSchema, TypeConditions>();
function typeConditions(schema: GraphQLSchema): TypeConditions {
  let conditions = typeConditionsOf.get(schema);
  if (!conditions) typeConditionsOf.set(schema, (conditions = new TypeConditions(schema)));
  return conditions;
}

/** A rewrite with its path parsed: fields to walk and type conditions to check, then what it writes. */
interface CompiledRewrite {
  steps: ({ field: string } | { type: string })[];
  apply(object: Data): void;
}

const FRAGMENT_PREFIX = '... on ';

function compileRewrite(rewrite: FetchDataRewrite): CompiledRewrite | null {
  if (!rewrite.path.length) return null;
  const steps = rewrite.path.slice(0, -1).map((element) => (element.startsWith(FRAGMENT_PREFIX) ? { type: element.slice(FRAGMENT_PREFIX.length) } : { field: element }));
  const key = rewrite.path[rewrite.path.length - 1];
  if (key.startsWith(FRAGMENT_PREFIX)) throw new Error(`Unexpected fragment as last element of ${rewrite.path}`);
  const apply =
    rewrite.kind === 'ValueSetter'
      ? (object: Data) => {
          defineOwn(object, key);
          object[key] = rewrite.setValueTo;
        }
      : (object: Data) => {
          const value = getOwn(object, key);
          if (value) {
            defineOwn(object, rewrite.renameKeyTo);
            object[rewrite.renameKeyTo] = value;
            object[key] = undefined;
          }
        };
  return { steps, apply };
}

function applyRewrite(conditions: TypeConditions, rewrite: CompiledRewrite, value: unknown, at = 0): void {
  if (Array.isArray(value)) {
    for (const element of value) applyRewrite(conditions, rewrite, element, at);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (at === rewrite.steps.length) {
    rewrite.apply(value as Data);
    return;
  }
  const step = rewrite.steps[at];
  if ('field' in step) applyRewrite(conditions, rewrite, getOwn(value, step.field), at + 1);
  else if (conditions.matches(value as Data, step.type, true)) applyRewrite(conditions, rewrite, value, at + 1);
}

/** A fetch node's representation writer and rewrites, worked out once per node. */
interface CompiledFetch {
  inputRewrites: CompiledRewrite[];
  outputRewrites: CompiledRewrite[];
  /** The representation of an entity, or null when it lacks a required field. */
  represent?: Writer;
}

type Writer = (source: unknown, conditions: TypeConditions) => Data | null;

/** @apollo/gateway's executeSelectionSet over `requires`, as a function built once. */
function representationWriter(selections: readonly QueryPlanSelectionNode[]): Writer {
  const parts = selections.map((selection) => {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ?? selection.name;
      const child = selection.selections ? representationWriter(selection.selections) : undefined;
      return { kind: 'field' as const, responseName, child };
    }
    return { kind: 'fragment' as const, typeCondition: selection.typeCondition, child: representationWriter(selection.selections) };
  });
  // keys are the plan's response names (no `__proto__`: names starting with `__` are GraphQL's own), so plain objects serve
  const write: Writer = (source, conditions) => {
    if (source === null) return null;
    let result: Data | null = null;
    for (const part of parts) {
      if (part.kind === 'field') {
        const object = source as Data;
        if (!hasOwn(object, part.responseName) || object[part.responseName] === undefined) return null;
        const value = object[part.responseName];
        const child = part.child;
        result ??= {};
        if (Array.isArray(value)) result[part.responseName] = child ? value.map((item) => child(item, conditions)) : value;
        else result[part.responseName] = child ? child(value, conditions) : value;
      } else {
        if (!part.typeCondition || !source || !conditions.matches(source as Data, part.typeCondition)) continue;
        const written = part.child(source, conditions);
        // the first part written is the result itself (a representation is usually one fragment): nothing merged
        if (written === null) continue;
        if (result === null) result = written;
        else deepMerge(result, written);
      }
    }
    return result ?? {};
  };
  return write;
}

const compiledFetches = new WeakMap<FetchNode, CompiledFetch>();

function compiledFetch(fetch: FetchNode): CompiledFetch {
  let compiled = compiledFetches.get(fetch);
  if (!compiled) {
    const rewrites = (list: FetchDataRewrite[] | undefined) => (list ?? []).map(compileRewrite).filter((r): r is CompiledRewrite => r !== null);
    compiled = {
      inputRewrites: rewrites(fetch.inputRewrites),
      outputRewrites: rewrites(fetch.outputRewrites),
      represent: fetch.requires ? representationWriter(fetch.requires) : undefined,
    };
    compiledFetches.set(fetch, compiled);
  }
  return compiled;
}

// ------------------------------------------------------------ running nodes

/** Runs one plan node over `cursor`; fetch failures become errors of the request, never a rejection. */
export async function runNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => runNode(run, child, cursor)));
      return;
    case 'Flatten':
      return runNode(run, node.node, moveIntoCursor(cursor, node.path));
    case 'Fetch':
      try {
        await inSpan(run.tracing, 'gateway.fetch', { service: node.serviceName }, () => executeFetch(run, node, cursor));
      } catch (error) {
        run.errors.push(error as Error);
      }
      if (node.id !== undefined) run.fetched?.(node.id);
      return;
    case 'Condition': {
      const branch = evaluateCondition(node, run.operation.variableDefinitions, run.variables) ? node.ifClause : node.elseClause;
      if (branch) await runNode(run, branch, cursor);
      return;
    }
    case 'Defer':
      // all at once (an answer in parts starts from the top Defer node: see defer.ts); deferred parts' paths start at the root, like the cursor here
      if (node.primary.node) await runNode(run, node.primary.node, cursor);
      await Promise.all(node.deferred.map((deferred) => (deferred.node ? runNode(run, deferred.node, cursor) : undefined)));
      return;
  }
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const source = run.sources.get(fetch.serviceName);
  if (!source) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: Data[] = Array.isArray(cursor.data) ? (cursor.data.filter((entity) => entity !== null && entity !== undefined) as Data[]) : [cursor.data as Data];
  if (entities.length < 1) return;
  const variables = Object.create(null) as Variables;
  if (fetch.variableUsages) {
    for (const name of fetch.variableUsages) {
      if (hasOwn(run.variables, name) && run.variables[name] !== undefined) variables[name] = run.variables[name];
    }
  }
  const compiled = compiledFetch(fetch);
  const conditions = typeConditions(run.supergraphSchema);
  if (!compiled.represent) {
    const data = await send(run, source, fetch, cursor, variables);
    if (data) for (const rewrite of compiled.outputRewrites) applyRewrite(conditions, rewrite, data);
    for (const entity of entities) deepMerge(entity, data);
    return;
  }
  if (fetch.contextRewrites?.length) return fetchInContexts(run, source, fetch, cursor, entities, variables, compiled, conditions);
  return fetchEntities(run, source, fetch, cursor, entities, variables, compiled, conditions);
}

/**
 * An entity fetch whose fields take arguments from a context (@fromContext): each
 * entity's context values are found from it (`..` is the object holding it, `... on T` a
 * type condition), and the entities go out in one fetch per distinct set of values, each
 * with those values as its contextual variables.
 */
async function fetchInContexts(run: Run, source: FetchSource, fetch: FetchNode, cursor: Cursor, entities: Data[], variables: Variables, compiled: CompiledFetch, conditions: TypeConditions): Promise<void> {
  const places = reached(cursor.path, cursor.root);
  const groups = new Map<string, { values: Variables; members: number[] }>();
  entities.forEach((entity, index) => {
    const values = Object.create(null) as Variables;
    for (const rewrite of fetch.contextRewrites!) values[rewrite.renameKeyTo] = contextValue(entity, places[index]?.above ?? [], rewrite.path, conditions);
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { values, members: [] }));
    group.members.push(index);
  });
  await Promise.all(
    [...groups.values()].map((group) =>
      fetchEntities(run, source, fetch, cursor, group.members.map((i) => entities[i]), { ...variables, ...group.values }, compiled, conditions, group.members),
    ),
  );
}

/** The value a context path names, from an entity and the objects above it (nearest last). */
function contextValue(entity: Data, ancestors: readonly Data[], path: readonly string[], conditions: TypeConditions): unknown {
  let current: unknown = entity;
  let up = ancestors.length;
  for (const element of path) {
    if (current === null || current === undefined) return null;
    if (element === '..') {
      current = up > 0 ? ancestors[--up] : undefined;
    } else if (element.startsWith(FRAGMENT_PREFIX)) {
      if (!conditions.matches(current as Data, element.slice(FRAGMENT_PREFIX.length))) return null;
    } else {
      current = getOwn(current as object, element);
    }
  }
  return current ?? null;
}

/** Fetches `entities` by their representations; `members`, when a part of the cursor's entities is fetched, are their places among them. */
async function fetchEntities(
  run: Run,
  source: FetchSource,
  fetch: FetchNode,
  cursor: Cursor,
  entities: Data[],
  variables: Variables,
  compiled: CompiledFetch,
  conditions: TypeConditions,
  members?: number[],
): Promise<void> {
  // each distinct representation is sent once; every entity it stands for gets the answer
  const distinct = new DistinctRepresentations<Data>();
  const representations = distinct.list;
  // per entity represented: its place in `entities`, and the representation sent for it
  const representedEntities: number[] = [];
  const sentFor: number[] = [];
  for (let index = 0; index < entities.length; index++) {
    const representation = compiled.represent!(entities[index], conditions);
    if (!representation || !representation.__typename) continue;
    for (const rewrite of compiled.inputRewrites) applyRewrite(conditions, rewrite, representation);
    representedEntities.push(index);
    sentFor.push(distinct.addEntity(representation));
  }
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  variables.representations = representations;
  // an error about a representation is about every entity it stands for, at that entity's path
  // (the place of the entity among the cursor's, or as @apollo/gateway counts it, its representation's)
  const standsFor = (sent: number) => sentFor.flatMap((s, i) => (s === sent ? [members ? members[representedEntities[i]] : i] : []));
  const data = await send(run, source, fetch, cursor, variables, standsFor);
  if (!data) return;
  const received = data._entities;
  if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
  if (received.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  const rewritten = new Array<boolean>(received.length).fill(false);
  for (let i = 0; i < representedEntities.length; i++) {
    const index = representedEntities[i];
    const sent = sentFor[i];
    const entity = received[sent] as Data | null;
    const existing = entities[index];
    if (!rewritten[sent]) {
      rewritten[sent] = true;
      if (entity && !entity.__typename) entity.__typename = existing.__typename;
      for (const rewrite of compiled.outputRewrites) applyRewrite(conditions, rewrite, entity);
    }
    deepMerge(existing, entity);
  }
}

/** Sends a fetch; its errors join the request's (with their paths in the client's answer); resolves to its data. */
async function send(
  run: Run,
  source: FetchSource,
  fetch: FetchNode,
  cursor: Cursor,
  variables: Variables,
  standsFor: (sent: number) => number[] = (sent) => [sent],
): Promise<Data | null | undefined> {
  const response: GatewayGraphQLResponse = await source.process({
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: run.request,
    context: run.request.context,
    document: fetch.operationDocumentNode,
  });
  if (response.errors) {
    let hydrated: { path: (string | number)[] }[] | undefined;
    for (const error of response.errors) {
      const errorPath = error.path as (string | number)[] | undefined;
      if (fetch.requires && typeof errorPath?.[1] === 'number') {
        // the concrete path of each entity the representation stands for (as many errors)
        hydrated ??= reached(cursor.path, cursor.root);
        for (const index of standsFor(errorPath[1])) run.errors.push(downstreamServiceError(error, fetch.serviceName, [...(hydrated[index]?.path ?? []), ...errorPath.slice(2)]));
      } else {
        run.errors.push(downstreamServiceError(error, fetch.serviceName, errorPath ? [...cursor.path, ...errorPath] : undefined));
      }
    }
  }
  return response.data;
}

/** A subgraph's error as the client sees it: its message and extensions, the subgraph's name, a code (DOWNSTREAM_SERVICE_ERROR unless it has one). */
function downstreamServiceError(original: GraphQLFormattedError, serviceName: string, path: (string | number)[] | undefined): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as unknown as Error,
    path,
    extensions: { ...original.extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && original.extensions?.code) return new graphql.GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
