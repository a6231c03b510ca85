/**
 * Field authorization of an operation, from the supergraph's @authenticated and
 * @requiresScopes: the fields a viewer may not read, the document without them (planned
 * and executed in their place), and the answer completed as the original operation
 * would have been, with an error at each denied field.
 */
import {
  executeSync,
  getNamedType,
  getOperationAST,
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import type { FieldAuthorization } from '../engine/shaping.ts';
import { linksIn } from './links.ts';
import { WeakMemo } from './memo.ts';

/** What a schema element asks of the caller: every entry of `scopes` must be met (each entry is OR of AND-sets). */
export interface Requirement {
  authenticated: boolean;
  scopes: string[][][];
}

/** @authenticated and @requiresScopes of a supergraph, by type (`User`) and by field (`User.points`). */
export interface AuthorizationPolicy {
  types: Map<string, Requirement>;
  fields: Map<string, Requirement>;
}

/** A field left out of an operation, reported as an error at its response path. */
export interface DeniedField {
  path: string[];
  /** The type of each field along `path` (the last is the denied field's): where a null must go when one is non-null. */
  types: GraphQLOutputType[];
  coordinate: string;
  code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN;
}

const AUTHENTICATED_SPEC = 'https://specs.apollo.dev/authenticated/';
const REQUIRES_SCOPES_SPEC = 'https://specs.apollo.dev/requiresScopes/';
/** Response keys of the stand-ins for denied fields and of type names the gateway adds; never valid user aliases (validation refuses `__` names). */
const DENIED_PREFIX = '__plaza_denied_';
const TYPENAME_KEY = '__plaza_type';

/** The names the supergraph uses for the two directives (they can be renamed with `@link(as:)`). */
function directiveNames(document: DocumentNode): { authenticated: string; requiresScopes: string } {
  const names = { authenticated: 'authenticated', requiresScopes: 'requiresScopes' };
  for (const { url, as } of linksIn(document)) {
    if (url?.startsWith(AUTHENTICATED_SPEC) && as) names.authenticated = as;
    if (url?.startsWith(REQUIRES_SCOPES_SPEC) && as) names.requiresScopes = as;
  }
  return names;
}

function scopeSets(node: ValueNode | undefined): string[][] {
  if (node?.kind !== Kind.LIST) return [];
  return node.values.map((set) => (set.kind === Kind.LIST ? set.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : []));
}

function requirementOf(directives: readonly DirectiveNode[] | undefined, names: ReturnType<typeof directiveNames>): Requirement | null {
  const requirement: Requirement = { authenticated: false, scopes: [] };
  for (const d of directives ?? []) {
    if (d.name.value === names.authenticated) requirement.authenticated = true;
    if (d.name.value === names.requiresScopes) requirement.scopes.push(scopeSets(d.arguments?.find((a) => a.name.value === 'scopes')?.value));
  }
  return requirement.authenticated || requirement.scopes.length ? requirement : null;
}

/** Reads the authorization directives applied in a supergraph SDL. */
export function readAuthorizationPolicy(supergraphSdl: string): AuthorizationPolicy {
  const document = parse(supergraphSdl);
  const names = directiveNames(document);
  const policy: AuthorizationPolicy = { types: new Map(), fields: new Map() };
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const typeName = def.name.value;
    const own = requirementOf(def.directives, names);
    if (own) policy.types.set(typeName, own);
    if (!('fields' in def) || !def.fields) continue;
    for (const field of def.fields) {
      const requirement = requirementOf(field.directives, names);
      if (requirement) policy.fields.set(`${typeName}.${field.name.value}`, requirement);
    }
  }
  return policy;
}

/** Why the viewer may not have something that asks for `requirements`, or null when they may. */
export function refusalFor(viewer: Viewer, requirements: Requirement[]): DeniedField['code'] | null {
  if (!requirements.length) return null;
  if (!viewer.userId) return ErrorCode.UNAUTHENTICATED;
  const granted = new Set(viewer.scopes);
  for (const r of requirements) {
    for (const anyOf of r.scopes) {
      if (anyOf.length && !anyOf.some((allOf) => allOf.every((scope) => granted.has(scope)))) return ErrorCode.FORBIDDEN;
    }
  }
  return null;
}

/** Decides, for one viewer, whether a field may be read; memoized per request. */
function fieldJudge(policy: AuthorizationPolicy, viewer: Viewer) {
  const memo = new Map<string, DeniedField['code'] | null>();
  return (parentType: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): DeniedField['code'] | null => {
    const coordinate = `${parentType.name}.${field.name}`;
    let verdict = memo.get(coordinate);
    if (verdict === undefined) {
      const requirements = [
        policy.fields.get(coordinate),
        policy.types.get(parentType.name),
        policy.types.get(getNamedType(field.type).name),
      ].filter((r): r is Requirement => r !== undefined);
      verdict = refusalFor(viewer, requirements);
      memo.set(coordinate, verdict);
    }
    return verdict;
  };
}

type Judge = ReturnType<typeof fieldJudge>;

/**
 * Every denied field of an operation, with its response path. Each fragment is walked
 * once per type it is spread into (its denied paths are then prefixed at each spread),
 * so fragments spreading each other cannot make the walk exponential.
 */
function deniedFields(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, judge: Judge): DeniedField[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, DeniedField[]>();
  const visiting = new Set<string>();
  function walk(set: SelectionSetNode, parent: GraphQLCompositeType, found: Map<string, DeniedField>, path: string[], types: GraphQLOutputType[]): void {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const field = 'getFields' in parent ? parent.getFields()[name] : undefined;
        if (!field) continue;
        const key = selection.alias?.value ?? name;
        const code = judge(parent, field);
        if (code) {
          const at = [...path, key];
          found.set(at.join('.'), { path: at, types: [...types, field.type], coordinate: `${parent.name}.${name}`, code });
        } else if (selection.selectionSet) {
          const named = getNamedType(field.type);
          if (isCompositeType(named)) walk(selection.selectionSet, named, found, [...path, key], [...types, field.type]);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) walk(selection.selectionSet, type, found, path, types);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        let relative = memo.get(name);
        if (!relative) {
          const type = schema.getType(fragment.typeCondition.name.value);
          const inner = new Map<string, DeniedField>();
          visiting.add(name);
          if (type && isCompositeType(type)) walk(fragment.selectionSet, type, inner, [], []);
          visiting.delete(name);
          relative = [...inner.values()];
          memo.set(name, relative);
        }
        for (const d of relative) {
          const at = [...path, ...d.path];
          found.set(at.join('.'), { ...d, path: at, types: [...types, ...d.types] });
        }
      }
    }
  }
  const denied = new Map<string, DeniedField>();
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root, denied, [], []);
  return [...denied.values()];
}

/**
 * The document without the fields the viewer may not read: each becomes a harmless
 * `__typename` under a reserved alias, and abstract selections also ask for the type
 * name, so the original operation can be completed over the answer afterwards.
 */
function withoutDenied(schema: GraphQLSchema, document: DocumentNode, judge: Judge): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  let n = 0;
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || node.name.value.startsWith('__')) return undefined;
        if (!judge(parent, field)) return undefined;
        return {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: `${DENIED_PREFIX}${n++}` },
          name: { kind: Kind.NAME, value: '__typename' },
        } satisfies FieldNode;
      },
      SelectionSet: {
        leave(node: SelectionSetNode) {
          const parent = typeInfo.getParentType();
          if (!parent || !isAbstractType(parent)) return undefined;
          const typename: FieldNode = {
            kind: Kind.FIELD,
            alias: { kind: Kind.NAME, value: TYPENAME_KEY },
            name: { kind: Kind.NAME, value: '__typename' },
          };
          return { ...node, selections: [...node.selections, typename] };
        },
      },
    }),
  );
}

/** The authorization outcome of one operation for one viewer. */
export interface AuthorizedOperation {
  /** The document to plan and execute (the original when nothing was denied). */
  document: DocumentNode;
  denied: DeniedField[];
  /** Names the set of denied fields ('' when none): one reduced document, and one query plan, per variant. */
  variant: string;
}

/**
 * Reduced documents per schema, original document and variant: every request of one
 * operation by one kind of caller plans and executes the same document (and the gateway's
 * per-document work, such as building its operation, is done once).
 */
const reducedDocuments = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, DocumentNode>>>();

/**
 * Outcomes per schema, policy and document, by operation name and kind of viewer: what a
 * viewer may read depends only on whether it is signed in and on its scopes, so every
 * request of one operation by one kind of caller shares one walk of the operation. At
 * most OUTCOMES_PER_DOCUMENT kinds of caller per document are kept (past them the walk is
 * done each time); the documents themselves are held weakly (the document cache bounds them).
 */
const outcomes = new WeakMemo<GraphQLSchema, AuthorizationPolicy, DocumentNode, AuthorizedOperation>();
const OUTCOMES_PER_DOCUMENT = 64;

/** What authorization sees of a viewer: signed in or not, and its scopes. */
function viewerClass(viewer: Viewer): string {
  return viewer.userId ? `user ${[...new Set(viewer.scopes)].sort().join(' ')}` : 'anonymous';
}

/** Removes from an operation the fields the viewer may not read (the outcome is shared: not to be changed). */
export function authorizeOperation(
  schema: GraphQLSchema,
  policy: AuthorizationPolicy,
  viewer: Viewer,
  document: DocumentNode,
  operationName?: string | null,
): AuthorizedOperation {
  const byCaller = outcomes.resultsOf(schema, policy, document);
  const key = `${operationName ?? ''}\n${viewerClass(viewer)}`;
  let outcome = byCaller.get(key);
  if (!outcome) {
    outcome = Object.freeze(authorize(schema, policy, viewer, document, operationName));
    if (byCaller.size < OUTCOMES_PER_DOCUMENT) byCaller.set(key, outcome);
  }
  return outcome;
}

function authorize(schema: GraphQLSchema, policy: AuthorizationPolicy, viewer: Viewer, document: DocumentNode, operationName?: string | null): AuthorizedOperation {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { document, denied: [], variant: '' };
  const judge = fieldJudge(policy, viewer);
  const denied = deniedFields(schema, document, operation, judge);
  if (!denied.length) return { document, denied, variant: '' };
  const variant = denied.map((d) => `${d.path.join('.')}:${d.code}`).join('|');
  let byDocument = reducedDocuments.get(schema);
  if (!byDocument) reducedDocuments.set(schema, (byDocument = new WeakMap()));
  let byVariant = byDocument.get(document);
  if (!byVariant) byDocument.set(document, (byVariant = new Map()));
  let reduced = byVariant.get(variant);
  if (!reduced) byVariant.set(variant, (reduced = withoutDenied(schema, document, judge)));
  return { document: reduced, denied, variant };
}

/** A denied field met while completing the answer, reported at its path. */
export interface DeniedFieldError {
  message: string;
  path: (string | number)[];
  extensions: { code: DeniedField['code']; field: string };
}

const MESSAGES = {
  [ErrorCode.UNAUTHENTICATED]: 'Sign in to read this field',
  [ErrorCode.FORBIDDEN]: 'Your token lacks a scope this field requires',
} as const;

class Denied extends Error {
  constructor(
    readonly code: DeniedField['code'],
    readonly coordinate: string,
  ) {
    super(MESSAGES[code]);
  }
}

/**
 * Completes the original operation over the data the reduced one returned: denied
 * fields become null, and nulls propagate through non-null fields as GraphQL's
 * rules say (to the nearest nullable parent, or to `data` itself). A denied field is
 * reported where it would have been resolved (not under a parent that is null), once
 * per field and path, whatever the list positions.
 */
export function completeDeniedFields(
  schema: GraphQLSchema,
  policy: AuthorizationPolicy,
  viewer: Viewer,
  original: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  data: Record<string, unknown>,
): { data: Record<string, unknown> | null; errors: DeniedFieldError[] } {
  const judge = fieldJudge(policy, viewer);
  const resolve: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
    const field = info.parentType.getFields()[info.fieldName];
    const code = field && judge(info.parentType, field);
    if (code) throw new Denied(code, `${info.parentType.name}.${info.fieldName}`);
    return (source as Record<string, unknown> | null)?.[String(info.path.key)];
  };
  // synchronous on purpose: later response hooks (caches, logs) must see the completed answer
  const result = executeSync({
    schema,
    document: original,
    rootValue: data,
    operationName,
    variableValues: variables,
    fieldResolver: resolve,
    typeResolver: (value) => (value as Record<string, string>)[TYPENAME_KEY] ?? (value as Record<string, string>).__typename,
  });
  const errors = new Map<string, DeniedFieldError>();
  for (const error of result.errors ?? []) {
    if (!(error.originalError instanceof Denied) || !error.path) continue;
    const key = `${error.originalError.coordinate}@${error.path.filter((p) => typeof p === 'string').join('.')}`;
    if (!errors.has(key)) {
      errors.set(key, { message: error.message, path: [...error.path], extensions: { code: error.originalError.code, field: error.originalError.coordinate } });
    }
  }
  return { data: (result.data as Record<string, unknown> | null | undefined) ?? null, errors: [...errors.values()] };
}

/** The document without its deferred fragments (`@defer` not turned off by `if: false`): what the first part of an answer in parts holds. */
export function withoutDeferred(document: DocumentNode): DocumentNode {
  const deferred = (node: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: ValueNode }[] }[] }) =>
    node.directives?.some((d) => d.name.value === 'defer' && !d.arguments?.some((a) => a.name.value === 'if' && a.value.kind === Kind.BOOLEAN && !a.value.value));
  return visit(document, {
    InlineFragment: (node) => (deferred(node) ? null : undefined),
    FragmentSpread: (node) => (deferred(node) ? null : undefined),
  });
}

/** The verdict on fields by type and field name, for the engine to complete denied fields as it writes an answer. */
export function fieldAuthorization(schema: GraphQLSchema, policy: AuthorizationPolicy, viewer: Viewer): FieldAuthorization {
  const judge = fieldJudge(policy, viewer);
  return {
    denied(typeName, fieldName) {
      const type = schema.getType(typeName);
      const field = type && 'getFields' in type ? type.getFields()[fieldName] : undefined;
      const code = field && isCompositeType(type) ? judge(type, field as GraphQLField<unknown, unknown>) : null;
      return code ? { code, message: MESSAGES[code] } : undefined;
    },
  };
}

/**
 * The fields denied inside deferred fragments only: the first part of an answer in parts
 * completes the others (withoutDeferred), these belong to the later parts.
 */
export function deniedInDeferred(schema: GraphQLSchema, policy: AuthorizationPolicy, viewer: Viewer, original: DocumentNode, operationName?: string | null): DeniedField[] {
  const all = authorizeOperation(schema, policy, viewer, original, operationName).denied;
  const first = new Set(authorizeOperation(schema, policy, viewer, withoutDeferred(original), operationName).denied.map((d) => d.path.join('.')));
  return all.filter((d) => !first.has(d.path.join('.')));
}

/** The type of each place of a path in an answer: a field's type at a field's name, the list's element type at an index. */
function typesAlong(path: readonly (string | number)[], fieldTypes: readonly GraphQLOutputType[], fieldsBefore: number): GraphQLOutputType[] {
  const types: GraphQLOutputType[] = [];
  let field = fieldsBefore;
  let current: GraphQLOutputType | undefined;
  for (const key of path) {
    if (typeof key === 'string') current = fieldTypes[field++];
    else if (current) {
      const list = isNonNullType(current) ? current.ofType : current;
      current = isListType(list) ? (list.ofType as GraphQLOutputType) : list;
    }
    types.push(current!);
  }
  return types;
}

/**
 * Completes the items of a later part as the first part was completed: each denied field
 * inside a deferred fragment is null at every place the item reaches, with its error; a
 * non-null one nulls the nearest nullable place above it, within the item (the item's
 * data is null when there is none).
 */
export function completeDeferredItem(
  item: { data: Record<string, unknown> | null; path: (string | number)[]; errors?: readonly Error[] },
  denied: readonly DeniedField[],
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  const errors: GraphQLError[] = [];
  const at = item.path.filter((key): key is string => typeof key === 'string');
  let data = item.data;
  withoutStandIns(data);
  for (const field of denied) {
    if (field.path.length <= at.length || at.some((key, i) => field.path[i] !== key)) continue;
    const rest = field.path.slice(at.length);
    const name = rest[rest.length - 1];
    // every object holding the field in the item, with its path from the item
    const holders: { object: Record<string, unknown>; path: (string | number)[] }[] = [];
    const walk = (value: unknown, step: number, path: (string | number)[]) => {
      if (value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach((element, i) => walk(element, step, [...path, i]));
      if (step === rest.length - 1) holders.push({ object: value as Record<string, unknown>, path });
      else walk((value as Record<string, unknown>)[rest[step]], step + 1, [...path, rest[step]]);
    };
    walk(data, 0, []);
    for (const holder of holders) {
      if (holder.object[name] !== undefined) continue;
      const path = [...holder.path, name];
      errors.push(new GraphQLError(MESSAGES[field.code], { path: [...item.path, ...path], extensions: { code: field.code, field: field.coordinate } }));
      const types = typesAlong(path, field.types, at.length);
      // the place the null goes: the denied field, or up past every non-null place
      let place = path.length - 1;
      while (place >= 0 && isNonNullType(types[place])) place--;
      if (place < 0) {
        data = null;
        break;
      }
      let container: unknown = data;
      for (const key of path.slice(0, place)) container = (container as Record<string | number, unknown> | null)?.[key];
      if (container && typeof container === 'object') (container as Record<string | number, unknown>)[path[place]] = null;
    }
    if (data === null) break;
  }
  return { data, errors };
}

/** Removes what the reduced document asked for in place of denied fields (and the type names it added), in place. */
function withoutStandIns(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach(withoutStandIns);
  for (const key of Object.keys(value)) {
    if (key.startsWith(DENIED_PREFIX) || key === TYPENAME_KEY) delete (value as Record<string, unknown>)[key];
    else withoutStandIns((value as Record<string, unknown>)[key]);
  }
}
