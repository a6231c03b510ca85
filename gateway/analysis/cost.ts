/**
 * The estimated cost of an operation before it runs, from the supergraph's @cost and
 * @listSize: what demand control, partner quotas and manifest checks compare with budgets.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  parse,
  valueFromAST,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { linksIn } from './links.ts';
import { WeakMemo } from './memo.ts';

/** @listSize of a field. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments: string[];
  /** Fields of the returned object whose lists have the size (connections: `edges`). */
  sizedFields: string[];
}

/** @cost and @listSize of a supergraph, by coordinate (`Type`, `Type.field`, `Type.field(arg:)`). */
export interface CostModel {
  weights: Map<string, number>;
  listSizes: Map<string, ListSize>;
}

const COST_SPEC = 'https://specs.apollo.dev/cost/';
/** Base cost of each root field of a mutation (writes cost more than reads). */
export const MUTATION_BASE_COST = 10;

function intValue(node: ValueNode | undefined): number | undefined {
  return node?.kind === Kind.INT ? Number(node.value) : undefined;
}

function argument(directive: DirectiveNode, name: string): ValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

/** Reads @cost and @listSize applications from a supergraph SDL. */
export function readCostModel(supergraphSdl: string): CostModel {
  const document = parse(supergraphSdl);
  const names = { cost: 'cost', listSize: 'listSize' };
  for (const { url, as } of linksIn(document)) if (url?.startsWith(COST_SPEC) && as !== undefined) names.cost = as;
  const model: CostModel = { weights: new Map(), listSizes: new Map() };
  const read = (coordinate: string, directives: readonly DirectiveNode[] | undefined) => {
    for (const d of directives ?? []) {
      if (d.name.value === names.cost) {
        const weight = intValue(argument(d, 'weight'));
        if (weight !== undefined) model.weights.set(coordinate, weight);
      }
      if (d.name.value === names.listSize) {
        const strings = (node: ValueNode | undefined) =>
          node?.kind === Kind.LIST ? node.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [];
        model.listSizes.set(coordinate, {
          assumedSize: intValue(argument(d, 'assumedSize')),
          slicingArguments: strings(argument(d, 'slicingArguments')),
          sizedFields: strings(argument(d, 'sizedFields')),
        });
      }
    }
  };
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    read(def.name.value, def.directives);
    if (!('fields' in def) || !def.fields) continue;
    for (const field of def.fields) {
      const coordinate = `${def.name.value}.${field.name.value}`;
      read(coordinate, field.directives);
      if ('arguments' in field) for (const arg of field.arguments ?? []) read(`${coordinate}(${arg.name.value}:)`, arg.directives);
    }
  }
  return model;
}

/**
 * The estimated cost of an operation, before it runs: every object a field returns
 * costs 1 and every leaf 0 unless @cost says otherwise; lists multiply what they hold
 * by their size (the largest slicing argument given, else @listSize's assumedSize,
 * else `defaultListSize`; `sizedFields` pass the size to a connection's `edges`); arguments with @cost add their weight; each mutation root
 * field adds MUTATION_BASE_COST. Fragments on several types are all counted (an upper bound).
 */
export function estimateCost(
  schema: GraphQLSchema,
  model: CostModel,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  defaultListSize: number,
): number {
  // an estimate depends on the operation and on the variables it declares only
  const given = operation.variableDefinitions?.length ? JSON.stringify(variables ?? null) : '';
  if (given.length > MAX_REMEMBERED_VARIABLES_LENGTH) return estimate(schema, model, document, operation, variables, defaultListSize);
  const byVariables = estimates.resultsOf(schema, model, operation);
  const key = `${defaultListSize} ${given}`;
  const remembered = byVariables.get(key);
  if (remembered !== undefined) return remembered;
  const cost = estimate(schema, model, document, operation, variables, defaultListSize);
  if (byVariables.size < ESTIMATES_PER_OPERATION) byVariables.set(key, cost);
  return cost;
}

/**
 * Estimates per schema, cost model and operation (held weakly: the document cache bounds
 * them), by variables: every request of one operation with the same variables costs the
 * same, and is estimated once. At most ESTIMATES_PER_OPERATION sets of variables, each at
 * most MAX_REMEMBERED_VARIABLES_LENGTH characters of JSON, per operation.
 */
const estimates = new WeakMemo<GraphQLSchema, CostModel, OperationDefinitionNode, number>();
const ESTIMATES_PER_OPERATION = 32;
const MAX_REMEMBERED_VARIABLES_LENGTH = 512;

function estimate(
  schema: GraphQLSchema,
  model: CostModel,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  defaultListSize: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  /** Cost of each fragment, by name and the list sizes its spread passes down: each is computed once. */
  const fragmentCost = new Map<string, number>();
  const visiting = new Set<string>();

  /** `sized`: list sizes a parent's @listSize(sizedFields:) gives to fields of this selection. */
  function selectionSetCost(set: SelectionSetNode, parent: GraphQLCompositeType, sized?: Map<string, number>): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__') || !('getFields' in parent)) continue;
        const field = parent.getFields()[name];
        if (!field) continue;
        const coordinate = `${parent.name}.${name}`;
        const named = getNamedType(field.type);
        const own = model.weights.get(coordinate) ?? model.weights.get(named.name) ?? (isCompositeType(named) ? 1 : 0);
        let argumentsCost = 0;
        const args: Record<string, unknown> = {};
        for (const arg of field.args) {
          const node = selection.arguments?.find((a) => a.name.value === arg.name);
          const value = node ? valueFromAST(node.value, arg.type, variables) : arg.defaultValue;
          args[arg.name] = value;
          if (node && value !== null && value !== undefined) argumentsCost += model.weights.get(`${coordinate}(${arg.name}:)`) ?? 0;
        }
        const listSize = model.listSizes.get(coordinate);
        const size = listSizeOf(listSize, args);
        const sizedBelow = listSize?.sizedFields.length ? new Map(listSize.sizedFields.map((f) => [f, size])) : undefined;
        const below = selection.selectionSet && isCompositeType(named) ? selectionSetCost(selection.selectionSet, named, sizedBelow) : 0;
        const multiplier = isListType(getNullableType(field.type)) ? (sized?.get(name) ?? (sizedBelow ? defaultListSize : size)) : 1;
        total += multiplier * (own + below) + argumentsCost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionSetCost(selection.selectionSet, type, sized);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        // sized fields depend on where the fragment is spread: one cost per fragment and list sizes given to it
        const key = sized ? `${name}\0${[...sized].map(([field, size]) => `${field}=${size}`).join(',')}` : name;
        let cost = fragmentCost.get(key);
        if (cost === undefined) {
          const type = schema.getType(fragment.typeCondition.name.value);
          visiting.add(name);
          cost = type && isCompositeType(type) ? selectionSetCost(fragment.selectionSet, type, sized) : 0;
          visiting.delete(name);
          fragmentCost.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  }

  function listSizeOf(listSize: ListSize | undefined, args: Record<string, unknown>): number {
    if (!listSize) return defaultListSize;
    const sliced = listSize.slicingArguments.map((name) => args[name]).filter((v): v is number => typeof v === 'number' && v >= 0);
    if (sliced.length) return Math.max(...sliced);
    return listSize.assumedSize ?? defaultListSize;
  }

  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  let cost = selectionSetCost(operation.selectionSet, root);
  if (operation.operation === 'mutation') {
    cost += MUTATION_BASE_COST * operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__')).length;
  }
  return cost;
}
