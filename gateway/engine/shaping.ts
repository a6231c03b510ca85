/**
 * The last step of executing a query plan: shaping the subgraphs' merged data into the
 * answer the operation asked for (Federation's semantics as @apollo/gateway's
 * `computeResponse` implements them: @skip/@include, `__typename` of root and
 * @interfaceObject types, leaf values checked, nulls propagated with INVALID_GRAPHQL errors,
 * introspection answered by graphql-js).
 *
 * What can be known before a request is worked out once: each selection set of an operation
 * becomes a list of steps (response name, kind of field, type wrappers unwrapped, directive
 * conditions), and type-condition checks are remembered. The engine builds each operation
 * once per cached plan, so the steps are built once per operation. What depends on the
 * request (variables, the data, errors, null propagation) is evaluated per request.
 * test/result-shaping.test.ts compares this with @apollo/gateway's on generated data.
 */
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
import type { GraphQLError } from 'graphql';

type Variables = Record<string, unknown>;
/** Answers an introspection field (`__schema`, `__type`) of the operation. */
export type IntrospectionHandling = (selection: FieldSelection) => unknown;

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

/** The answer's data for `input` (the merged data of every fetch) and the errors shaping found. */
export function shapeResponse(
  operation: Operation,
  variables: Variables | undefined,
  input: Record<string, unknown> | null | undefined,
  introspectionHandling: IntrospectionHandling,
): { data: Record<string, unknown> | null | undefined; errors: GraphQLError[] } {
  if (!input) return { data: input, errors: [] };
  return shapePart(operation, operation.selectionSet, operation.selectionSet.parentType, variables, input, [], introspectionHandling);
}

/**
 * One part of an answer: `selectionSet` (of `parentType`) over `input`, the object at
 * `path` in the merged data. Null propagation stops at the part: `data` is null when a
 * non-null field of the part itself was null. Used for the parts of a deferred answer.
 */
export function shapePart(
  operation: Operation,
  selectionSet: SelectionSet,
  parentType: CompositeType,
  variables: Variables | undefined,
  input: Record<string, unknown>,
  path: (string | number)[],
  introspectionHandling: IntrospectionHandling,
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  let defaults = defaultedVariables.get(operation);
  if (!defaults) defaultedVariables.set(operation, (defaults = operation.collectDefaultedVariableValues()));
  const parameters: ShapingState = {
    schema: operation.schema(),
    variables: { __proto__: null, ...defaults, ...variables } as Variables,
    errors: [],
    introspectionHandling,
  };
  const data = Object.create(null) as Record<string, unknown>;
  const result = applySelectionSet(input, selectionSet, data, parameters, [...path], parentType);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
}
