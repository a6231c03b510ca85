/**
 * The last step of executing a query plan, made cheaper: shaping the subgraphs' merged
 * data into the answer the operation asked for.
 *
 * @apollo/gateway does it in `computeResponse` (dist/resultShaping.js). Per request it
 * rebuilds the operation from the document (`operationFromDocument`), then walks it for
 * every object of the answer, looking up each selection's @skip/@include directives,
 * each field's definition, response name and type wrappers, and each `__typename`'s
 * type, through the schema's getters. Under the nested feed that was a quarter of the
 * gateway's CPU.
 *
 * Here the same algorithm runs over what can be known before a request:
 * - the operation for a parsed document is built once (documents are parsed once and
 *   kept, so the same operation definition comes back for every request of it);
 * - each selection set is turned once into a list of steps: response name, kind of field,
 *   type wrappers unwrapped, the directive conditions;
 * - type-condition checks are remembered.
 * What depends on the request (variables, the data, errors, null propagation) is
 * evaluated exactly as @apollo/gateway does, with its own error constructors and
 * messages; test/result-shaping.test.ts compares both on generated data, and
 * test/perf-differential.test.ts compares whole answers with a plain gateway.
 *
 * @apollo/gateway's executor calls both functions through its modules' export objects, so
 * they are replaced there once per process; they take the compiled path only for the API
 * schemas of gateways given to `useCompiledResultShaping(gateway)` (PLAZA_COMPILED_RESULTS),
 * and any other gateway in the process (a plain one in tests) keeps @apollo/gateway's own.
 */
import { createRequire } from 'node:module';
import {
  assert,
  ERRORS,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  Variable,
  type CompositeType,
  type Directive,
  type Field,
  type FieldSelection,
  type FragmentElement,
  type Operation,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { ApolloGateway } from '@apollo/gateway';
import type { DocumentNode, GraphQLError, OperationDefinitionNode } from 'graphql';

const require = createRequire(import.meta.url);

type Variables = Record<string, unknown>;
type IntrospectionHandling = (selection: FieldSelection) => unknown;
export interface ComputeResponseArgs {
  operation: Operation;
  variables?: Variables;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: IntrospectionHandling;
}
export type ComputeResponse = (args: ComputeResponseArgs) => { data?: unknown; errors: GraphQLError[] };
type OperationFromDocument = (schema: Schema, document: DocumentNode, options?: { operationName?: string; validate?: boolean }) => Operation;

/** @apollo/gateway's own modules, as its executor calls into them. */
const gatewayShaping = require('@apollo/gateway/dist/resultShaping.js') as { computeResponse: ComputeResponse };
const operations = require('@apollo/federation-internals/dist/operations.js') as { operationFromDocument: OperationFromDocument };

/** @apollo/gateway's computeResponse, as shipped. */
export const originalComputeResponse: ComputeResponse = gatewayShaping.computeResponse;
const originalOperationFromDocument: OperationFromDocument = operations.operationFromDocument;

// ------------------------------------------------------------ the operation, once per document

/** Operations built for the executor, per API schema and operation definition (a parsed document's node). */
const operationsBuilt = new WeakMap<Schema, WeakMap<OperationDefinitionNode, Operation>>();
/** Operations that came from operationsBuilt: their selection sets are the same objects every request. */
const kept = new WeakSet<Operation>();

/** The API schemas of the gateways that shape with compiled steps (see useCompiledResultShaping). */
const compiledSchemas = new WeakSet<Schema>();

/**
 * operationFromDocument, remembering what the executor asks for. The executor builds the
 * operation of every request from the request's parsed document without validating it
 * again (`validate: false`): the same definition node and schema always give the same
 * operation. Every other call (planning, validation, another gateway's) goes through untouched.
 */
function operationFromDocumentOnce(schema: Schema, document: DocumentNode, options?: { operationName?: string; validate?: boolean }): Operation {
  const definition = document.definitions[0];
  if (
    !compiledSchemas.has(schema) ||
    options?.validate !== false ||
    options.operationName !== undefined ||
    definition?.kind !== 'OperationDefinition'
  ) {
    return originalOperationFromDocument(schema, document, options);
  }
  let bySchema = operationsBuilt.get(schema);
  if (!bySchema) operationsBuilt.set(schema, (bySchema = new WeakMap()));
  let operation = bySchema.get(definition);
  if (!operation) {
    operation = originalOperationFromDocument(schema, document, options);
    bySchema.set(definition, operation);
    kept.add(operation);
  }
  return operation;
}

// ------------------------------------------------------------ what is known before a request

/** A type with its wrappers unwrapped once. */
type TypeInfo =
  | { kind: 'nonNull'; type: Type; of: TypeInfo }
  | { kind: 'list'; type: Type; of: TypeInfo }
  | { kind: 'composite'; type: CompositeType }
  | { kind: 'leaf'; type: Type };

const typeInfos = new WeakMap<Type, TypeInfo>();
function typeInfoOf(type: Type): TypeInfo {
  let info = typeInfos.get(type);
  if (!info) {
    if (isNonNullType(type)) info = { kind: 'nonNull', type, of: typeInfoOf(type.ofType) };
    else if (isListType(type)) info = { kind: 'list', type, of: typeInfoOf(type.ofType) };
    else if (isCompositeType(type)) info = { kind: 'composite', type };
    else info = { kind: 'leaf', type };
    typeInfos.set(type, info);
  }
  return info;
}

/** The @skip and @include applied to a selection, if any. */
interface Conditions {
  skip?: Directive<any, { if: boolean | Variable }>;
  include?: Directive<any, { if: boolean | Variable }>;
}

type Step =
  | (Conditions & {
      kind: 'field';
      selection: FieldSelection;
      responseName: string;
      isIntrospection: boolean;
      isTypename: boolean;
      type: TypeInfo;
      selectionSet?: SelectionSet;
    })
  | (Conditions & { kind: 'fragment'; typeCondition?: CompositeType; selectionSet: SelectionSet });

const stepsOfSet = new WeakMap<SelectionSet, Step[]>();
function stepsOf(selectionSet: SelectionSet, schema: Schema): Step[] {
  let steps = stepsOfSet.get(selectionSet);
  if (!steps) {
    steps = selectionSet.selections().map((selection: Selection): Step => {
      const conditions: Conditions = {
        skip: selection.element.appliedDirectivesOf(schema.skipDirective())[0] as Conditions['skip'],
        include: selection.element.appliedDirectivesOf(schema.includeDirective())[0] as Conditions['include'],
      };
      if (selection.kind === 'FieldSelection') {
        const field = selection.element as Field;
        return {
          kind: 'field',
          ...conditions,
          selection,
          responseName: field.responseName(),
          isIntrospection: field.definition.isSchemaIntrospectionField(),
          isTypename: field.name === typenameFieldName,
          type: typeInfoOf(field.definition.type!),
          selectionSet: selection.selectionSet,
        };
      }
      const fragment = selection.element as FragmentElement;
      return { kind: 'fragment', ...conditions, typeCondition: fragment.typeCondition, selectionSet: selection.selectionSet };
    });
    stepsOfSet.set(selectionSet, steps);
  }
  return steps;
}

/** Whether a type condition applies to a type (types belong to one schema, so no schema key is needed). */
const subtypes = new WeakMap<CompositeType, WeakMap<Type, boolean>>();
function isSubtypeOf(typeCondition: CompositeType, type: Type): boolean {
  let byType = subtypes.get(typeCondition);
  if (!byType) subtypes.set(typeCondition, (byType = new WeakMap()));
  let applies = byType.get(type);
  if (applies === undefined) byType.set(type, (applies = isSubtype(typeCondition, type)));
  return applies;
}

// ------------------------------------------------------------ per request, as @apollo/gateway does

interface ShapingState {
  schema: Schema;
  variables: Variables;
  errors: GraphQLError[];
  introspectionHandling: IntrospectionHandling;
}

function ifValue(directive: NonNullable<Conditions['skip']>, variables: Variables): boolean {
  const ifArg = directive.arguments().if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    assert(value !== undefined && typeof value === 'boolean', () => `Unexpected value ${value} for variable ${ifArg} of ${directive}`);
    return value as boolean;
  }
  return ifArg;
}

function shouldSkip(step: Conditions, variables: Variables): boolean {
  return (!!step.skip && ifValue(step.skip, variables)) || (!!step.include && !ifValue(step.include, variables));
}

const OK = 0;
const NULL_BUBBLE_UP = 1;

function typeConditionApplies(parameters: ShapingState, typeCondition: CompositeType | undefined, typename: string | undefined, parentType: CompositeType): boolean {
  if (!typeCondition) return true;
  if (typename) {
    const type = parameters.schema.type(typename);
    return !!type && isSubtypeOf(typeCondition, type);
  }
  return isSubtypeOf(typeCondition, parentType);
}

function applySelectionSet(
  input: Record<string, unknown>,
  selectionSet: SelectionSet,
  output: Record<string, unknown>,
  parameters: ShapingState,
  path: (string | number)[],
  parentType: CompositeType,
): number {
  for (const step of stepsOf(selectionSet, parameters.schema)) {
    if ((step.skip || step.include) && shouldSkip(step, parameters.variables)) continue;
    if (step.kind === 'field') {
      const responseName = step.responseName;
      const outputValue = output[responseName];
      if (step.isIntrospection) {
        if (outputValue === undefined) output[responseName] = parameters.introspectionHandling(step.selection);
        continue;
      }
      let inputValue = (Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined) ?? null;
      if (step.isTypename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type = inputValue !== null && typeof inputValue === 'string' ? (parameters.schema.type(inputValue) ?? parentType) : parentType;
          if (!isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      const result = updateOutputValue(outputValue, step.type, inputValue, step.selectionSet, path, parameters, parentType);
      output[responseName] = result.updated;
      path.pop();
      if (result.isInvalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input[typenameFieldName];
      assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${typename}`);
      if (typeConditionApplies(parameters, step.typeCondition, typename as string | undefined, parentType)) {
        const result = applySelectionSet(input, step.selectionSet, output, parameters, path, step.typeCondition ?? parentType);
        if (result === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function pathLastElementDescription(path: (string | number)[], currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

interface Updated {
  updated: unknown;
  isInvalid?: boolean;
  hasErrors?: boolean;
}

function updateOutputValue(
  outputValue: unknown,
  type: TypeInfo,
  inputValue: unknown,
  selectionSet: SelectionSet | undefined,
  path: (string | number)[],
  parameters: ShapingState,
  parentType: CompositeType,
): Updated {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) return { updated: outputValue };
  if (type.kind === 'nonNull') {
    const { updated, hasErrors } = updateOutputValue(outputValue, type.of, inputValue, selectionSet, path, parameters, parentType);
    if (updated === null) {
      if (!hasErrors) {
        const ofType = type.of.type;
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathLastElementDescription(path, ofType, parentType)}.`, { path: Array.from(path) }),
        );
      }
      return { updated, isInvalid: true, hasErrors: true };
    }
    return { updated };
  }
  if (inputValue === null) return { updated: null };
  if (type.kind === 'list') {
    assert(Array.isArray(inputValue), () => `Invalid non-list value ${inputValue} returned by subgraph for list type ${type.type}`);
    assert(outputValue === undefined || Array.isArray(outputValue), () => `Invalid non-list value ${outputValue} returned by subgraph for list type ${type.type}`);
    const inputList = inputValue as unknown[];
    const outputList = outputValue === undefined ? new Array<unknown>(inputList.length).fill(undefined) : (outputValue as unknown[]);
    assert(inputList.length === outputList.length, () => `[${inputList}].length (${inputList.length}) !== [${outputList}].length (${outputList.length})`);
    let shouldNullify = false;
    let hasErrors = false;
    const updated = new Array<unknown>(outputList.length);
    for (let idx = 0; idx < outputList.length; idx++) {
      path.push(idx);
      const element = updateOutputValue(outputList[idx], type.of, inputList[idx], selectionSet, path, parameters, parentType);
      path.pop();
      shouldNullify ||= !!element.isInvalid;
      hasErrors ||= !!element.hasErrors;
      updated[idx] = element.updated;
    }
    return { updated: shouldNullify ? null : updated, hasErrors };
  }
  if (type.kind === 'composite') {
    assert(selectionSet, () => `Invalid empty selection set for composite type ${type.type}`);
    assert(typeof inputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.type}`);
    assert(outputValue === undefined || typeof outputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.type}`);
    const input = inputValue as Record<string, unknown>;
    const inputTypename = input[typenameFieldName];
    assert(inputTypename === undefined || typeof inputTypename === 'string', () => `Invalid non-string value ${inputTypename} for __typename at ${path}`);
    let objType: CompositeType = type.type;
    if (inputTypename) {
      const typenameType = parameters.schema.type(inputTypename as string);
      if (!typenameType || !isCompositeType(typenameType)) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathLastElementDescription(path, type.type, parentType)}.`, { path: Array.from(path) }),
        );
        return { updated: null, hasErrors: true };
      }
      objType = typenameType;
    }
    const outputObject = (outputValue === undefined ? Object.create(null) : outputValue) as Record<string, unknown>;
    const result = applySelectionSet(input, selectionSet!, outputObject, parameters, path, objType);
    const hasErrors = result === NULL_BUBBLE_UP;
    return { updated: hasErrors ? null : outputObject, hasErrors };
  }
  assert(outputValue === undefined, () => `Excepted output to be undefined but got ${type.type} for type ${type.type}`);
  const isValidValue = isValidLeafValue(parameters.schema, inputValue, type.type as Parameters<typeof isValidLeafValue>[2]);
  if (!isValidValue) {
    parameters.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, type.type, parentType)}.`, { path: Array.from(path) }));
  }
  return { updated: isValidValue ? inputValue : null, hasErrors: !isValidValue };
}

/** Defaulted variable values per operation (they depend on the operation only). */
const defaultedVariables = new WeakMap<Operation, Variables>();

/**
 * computeResponse over the steps worked out once per operation. An operation that was not
 * built once for its document (one this module did not see built) goes to
 * @apollo/gateway's own: working its steps out for one request would cost more than it saves.
 */
export const compiledComputeResponse: ComputeResponse = (args) => {
  const { operation, variables, input, introspectionHandling } = args;
  if (!kept.has(operation)) return originalComputeResponse(args);
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  let defaults = defaultedVariables.get(operation);
  if (!defaults) defaultedVariables.set(operation, (defaults = operation.collectDefaultedVariableValues()));
  const parameters: ShapingState = {
    schema,
    variables: { __proto__: null, ...defaults, ...variables } as Variables,
    errors: [],
    introspectionHandling,
  };
  const data = Object.create(null) as Record<string, unknown>;
  const result = applySelectionSet(input, operation.selectionSet, data, parameters, [], schema.schemaDefinition.rootType(operation.rootKind)!);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
};

let installed = false;

/** Shapes the answers of this API schema with compiled steps (the gateway's own schemas are registered by useCompiledResultShaping). */
export function compileResultsFor(schema: Schema): void {
  if (!installed) {
    installed = true;
    operations.operationFromDocument = operationFromDocumentOnce;
    gatewayShaping.computeResponse = compiledComputeResponse;
  }
  compiledSchemas.add(schema);
}

/** Makes this gateway's executor shape results with compiledComputeResponse and build each document's operation once, for every supergraph it loads. */
export function useCompiledResultShaping(gateway: ApolloGateway): void {
  gateway.onSchemaLoadOrUpdate(() => {
    // set before the gateway tells its listeners
    const { apiSchema } = gateway as unknown as { apiSchema?: Schema };
    if (apiSchema) compileResultsFor(apiSchema);
  });
}

/** Test helper: an operation built the way the executor's are for a compiled schema (this one becomes one), so compiledComputeResponse takes it. */
export function operationForExecution(schema: Schema, document: DocumentNode): Operation {
  compiledSchemas.add(schema);
  return operationFromDocumentOnce(schema, document, { validate: false });
}
