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
  // called as `if (!cond) assert(false, () => message)`: no closure is made for a check that holds (one per value written)
  assert,
  ERRORS,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  Variable,
  type CompositeType,
  type Directive,
  type EnumType,
  type ObjectType,
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
import { graphql } from './graphql.ts';
import { stringText } from './json-text.ts';

type Variables = Record<string, unknown>;
/** Answers an introspection field (`__schema`, `__type`) of the operation. */
export type IntrospectionHandling = (selection: FieldSelection) => unknown;

/**
 * The fields a caller may not read (authorization's verdict, by object type and field
 * name): the answer has each as null at its place, with one error per field and response
 * path (list indexes aside), and a non-null one nulls the nearest nullable place above
 * it, as GraphQL completes a field whose resolver failed.
 */
export interface FieldAuthorization {
  denied(typeName: string, fieldName: string): { code: string; message: string } | undefined;
}

// ------------------------------------------------------------ what is known before a request

/** A type with its wrappers unwrapped once. */
type TypeInfo =
  | { kind: 'nonNull'; type: Type; of: TypeInfo }
  | { kind: 'list'; type: Type; of: TypeInfo }
  | { kind: 'composite'; type: CompositeType }
  | { kind: 'leaf'; type: Type; leafKind?: LeafKind };

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
      /** The response name as written in an answer, without and with a leading comma. */
      key: { first: string; next: string };
      fieldName: string;
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
          key: keyText(field.responseName()),
          fieldName: field.name,
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
  authorization?: FieldAuthorization;
  /** The errors of denied fields, one per field and response path. */
  denied: GraphQLError[];
  deniedSeen: Set<string>;
}

/** Whether the caller may not read the field of `step` on `input`; records its error once per field and response path. */
function isDenied(parameters: ShapingState, step: { fieldName: string; responseName: string }, input: Record<string, unknown>, parentType: CompositeType, path: readonly (string | number)[]): boolean {
  const typename = input[typenameFieldName];
  const owner = typeof typename === 'string' && typename ? typename : parentType.name;
  const denial = parameters.authorization!.denied(owner, step.fieldName);
  if (!denial) return false;
  const coordinate = `${owner}.${step.fieldName}`;
  const key = `${coordinate}@${[...path.filter((p) => typeof p === 'string'), step.responseName].join('.')}`;
  if (!parameters.deniedSeen.has(key)) {
    parameters.deniedSeen.add(key);
    const error = new graphql.GraphQLError(denial.message, { path: [...path, step.responseName], extensions: { code: denial.code, field: coordinate } });
    // a policy's verdict, not a failure: no stack for a development answer to show
    error.stack = undefined;
    parameters.denied.push(error);
  }
  return true;
}

function ifValue(directive: NonNullable<Conditions['skip']>, variables: Variables): boolean {
  const ifArg = directive.arguments().if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    if (!(value !== undefined && typeof value === 'boolean')) assert(false, () => `Unexpected value ${value} for variable ${ifArg} of ${directive}`);
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

/** Whether a fragment's type condition holds for `input` (by its `__typename`, else the parent type). */
function fragmentApplies(step: Step & { kind: 'fragment' }, input: Record<string, unknown>, parameters: ShapingState, parentType: CompositeType): boolean {
  const typename = input[typenameFieldName];
  if (!(!typename || typeof typename === 'string')) assert(false, () => `Got unexpected value for __typename: ${typename}`);
  return typeConditionApplies(parameters, step.typeCondition, typename as string | undefined, parentType);
}

/** The type a `__typename` selection answers: the object's own (or the parent type); undefined when that is no object type (the null bubbles). */
function typenameAnswer(step: { responseName: string }, input: Record<string, unknown>, parameters: ShapingState, parentType: CompositeType): ObjectType | undefined {
  let value = (Object.prototype.hasOwnProperty.call(input, step.responseName) ? input[step.responseName] : undefined) ?? null;
  if (value === null && step.responseName !== typenameFieldName) value = input[typenameFieldName] ?? null;
  const type = value !== null && typeof value === 'string' ? (parameters.schema.type(value) ?? parentType) : parentType;
  return isObjectType(type) ? type : undefined;
}

type FieldStep = Step & { kind: 'field' };

/** What a walk does with one field step that applies to the input: OK, or NULL_BUBBLE_UP to stop the walk. */
type FieldShaper<Target> = (step: FieldStep, input: Record<string, unknown>, target: Target, parameters: ShapingState, path: (string | number)[], parentType: CompositeType) => number;

/**
 * Walks a selection set over `input`: each field step that applies (its @skip and @include,
 * its fragments' type conditions) goes to `shapeField` in order, with the type it is a field of;
 * NULL_BUBBLE_UP as soon as one returns it.
 */
function eachField<Target>(
  shapeField: FieldShaper<Target>,
  input: Record<string, unknown>,
  selectionSet: SelectionSet,
  target: Target,
  parameters: ShapingState,
  path: (string | number)[],
  parentType: CompositeType,
): number {
  const steps = stepsOf(selectionSet, parameters.schema);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if ((step.skip || step.include) && shouldSkip(step, parameters.variables)) continue;
    if (step.kind === 'field') {
      if (shapeField(step, input, target, parameters, path, parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
    } else if (fragmentApplies(step, input, parameters, parentType)) {
      if (eachField(shapeField, input, step.selectionSet, target, parameters, path, step.typeCondition ?? parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
    }
  }
  return OK;
}

function applySelectionSet(input: Record<string, unknown>, selectionSet: SelectionSet, output: Record<string, unknown>, parameters: ShapingState, path: (string | number)[], parentType: CompositeType): number {
  return eachField(applyField, input, selectionSet, output, parameters, path, parentType);
}

/** One field of applySelectionSet: merges its value into `output`. */
function applyField(step: FieldStep, input: Record<string, unknown>, output: Record<string, unknown>, parameters: ShapingState, path: (string | number)[], parentType: CompositeType): number {
  const responseName = step.responseName;
  const outputValue = output[responseName];
  if (step.isIntrospection) {
    if (outputValue === undefined) output[responseName] = parameters.introspectionHandling(step.selection);
    return OK;
  }
  const inputValue = (Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined) ?? null;
  if (step.isTypename) {
    if (outputValue === undefined) {
      const type = typenameAnswer(step, input, parameters, parentType);
      if (!type) return NULL_BUBBLE_UP;
      output[responseName] = type.name;
    }
    return OK;
  }
  if (parameters.authorization && isDenied(parameters, step, input, parentType, path)) {
    if (step.type.kind === 'nonNull') return NULL_BUBBLE_UP;
    if (outputValue === undefined) output[responseName] = null;
    return OK;
  }
  path.push(responseName);
  const result = updateOutputValue(outputValue, step.type, inputValue, step.selectionSet, path, parameters, parentType);
  output[responseName] = result.updated;
  path.pop();
  return result.isInvalid ? NULL_BUBBLE_UP : OK;
}

/** An INVALID_GRAPHQL error at `path`: `what`, then the field or list element it is (e.g. `Invalid value found for field T.f.`). */
function invalidAt(what: string, path: (string | number)[], currentType: Type, parentType: CompositeType): GraphQLError {
  return ERRORS.INVALID_GRAPHQL.err(`${what} ${pathLastElementDescription(path, currentType, parentType)}.`, { path: Array.from(path) });
}

function pathLastElementDescription(path: (string | number)[], currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

/** The type of an object in the data: its `__typename`'s, else the field's; undefined (with its error) when the `__typename` names no composite type. */
function objectTypeOf(input: Record<string, unknown>, fieldType: CompositeType, path: (string | number)[], parameters: ShapingState, parentType: CompositeType): CompositeType | undefined {
  const inputTypename = input[typenameFieldName];
  if (!(inputTypename === undefined || typeof inputTypename === 'string')) assert(false, () => `Invalid non-string value ${inputTypename} for __typename at ${path}`);
  if (!inputTypename) return fieldType;
  const typenameType = parameters.schema.type(inputTypename as string);
  if (typenameType && isCompositeType(typenameType)) return typenameType;
  parameters.errors.push(invalidAt('Invalid __typename found for object at', path, fieldType, parentType));
  return undefined;
}

interface Updated {
  updated: unknown;
  isInvalid?: boolean;
  hasErrors?: boolean;
}

function updateOutputValue(outputValue: unknown, type: TypeInfo, inputValue: unknown, selectionSet: SelectionSet | undefined, path: (string | number)[], parameters: ShapingState, parentType: CompositeType): Updated {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) return { updated: outputValue };
  if (type.kind === 'nonNull') {
    const { updated, hasErrors } = updateOutputValue(outputValue, type.of, inputValue, selectionSet, path, parameters, parentType);
    if (updated === null) {
      if (!hasErrors) parameters.errors.push(invalidAt('Cannot return null for non-nullable', path, type.of.type, parentType));
      return { updated, isInvalid: true, hasErrors: true };
    }
    return { updated };
  }
  if (inputValue === null) return { updated: null };
  if (type.kind === 'list') {
    if (!(Array.isArray(inputValue))) assert(false, () => `Invalid non-list value ${inputValue} returned by subgraph for list type ${type.type}`);
    if (!(outputValue === undefined || Array.isArray(outputValue))) assert(false, () => `Invalid non-list value ${outputValue} returned by subgraph for list type ${type.type}`);
    const inputList = inputValue as unknown[];
    const outputList = outputValue === undefined ? new Array<unknown>(inputList.length).fill(undefined) : (outputValue as unknown[]);
    if (!(inputList.length === outputList.length)) assert(false, () => `[${inputList}].length (${inputList.length}) !== [${outputList}].length (${outputList.length})`);
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
    if (!(selectionSet)) assert(false, () => `Invalid empty selection set for composite type ${type.type}`);
    if (!(typeof inputValue === 'object')) assert(false, () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.type}`);
    if (!(outputValue === undefined || typeof outputValue === 'object')) assert(false, () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.type}`);
    const input = inputValue as Record<string, unknown>;
    const objType = objectTypeOf(input, type.type, path, parameters, parentType);
    if (!objType) return { updated: null, hasErrors: true };
    const outputObject = (outputValue === undefined ? Object.create(null) : outputValue) as Record<string, unknown>;
    const result = applySelectionSet(input, selectionSet!, outputObject, parameters, path, objType);
    const hasErrors = result === NULL_BUBBLE_UP;
    return { updated: hasErrors ? null : outputObject, hasErrors };
  }
  if (!(outputValue === undefined)) assert(false, () => `Excepted output to be undefined but got ${type.type} for type ${type.type}`);
  const isValidValue = isValidLeafValue(parameters.schema, inputValue, type.type as Parameters<typeof isValidLeafValue>[2]);
  if (!isValidValue) {
    parameters.errors.push(invalidAt('Invalid value found for', path, type.type, parentType));
  }
  return { updated: isValidValue ? inputValue : null, hasErrors: !isValidValue };
}

// ------------------------------------------------------------ the answer as text, in one pass

/**
 * The same shaping written straight into JSON text: no second tree, no JSON.stringify of
 * one. It follows applySelectionSet and updateOutputValue step for step (same order of
 * checks, same errors, same stop at the first null that must bubble); a null that bubbles
 * is simply a part not used by its parent. An object whose selections name one response
 * key more than once (through fragments: two selections then merge into one value) is
 * shaped as an object and stringified, as rare as it is subtle.
 *
 * Keys, `__typename` values and enum values are written from one-byte fragments built
 * once, so an answer of ASCII data is a one-byte string (half the memory, and the HTTP
 * layer writes it without a conversion) whatever copies of the names V8 interned first.
 */

/** A fresh one-byte copy of an ASCII string (a latin1 round trip never gives a two-byte string). */
const oneByte = (text: string): string => Buffer.from(text, 'latin1').toString('latin1');

/** `"name":` and `,"name":`, one-byte: kept with the field's step, so with the plan that holds its operation. */
function keyText(responseName: string): { first: string; next: string } {
  const first = oneByte(JSON.stringify(responseName) + ':');
  return { first, next: oneByte(',' + first) };
}

const nameTexts = new WeakMap<object, string>();
/** A type's or enum value's name as a JSON string, one-byte. */
function nameText(named: { name: string }): string {
  let text = nameTexts.get(named);
  if (text === undefined) nameTexts.set(named, (text = oneByte(JSON.stringify(named.name))));
  return text;
}

/** How a leaf type's values are checked and written (isValidLeafValue's rules). */
type LeafKind = 'custom' | 'enum' | 'boolean' | 'int' | 'float' | 'string' | 'id';
/** What a leaf type is, worked out once per type (kept on its TypeInfo). */
function leafKindOf(schema: Schema, type: Type): LeafKind {
  if (isCustomScalarType(type)) return 'custom';
  if (isEnumType(type)) return 'enum';
  if (type === schema.booleanType()) return 'boolean';
  if (type === schema.intType()) return 'int';
  if (type === schema.floatType()) return 'float';
  if (type === schema.idType()) return 'id';
  return 'string';
}

/** A leaf value as JSON text, or undefined when it is not a valid value of its type. */
function leafText(schema: Schema, info: TypeInfo & { kind: 'leaf' }, value: unknown): string | undefined {
  const kind = (info.leafKind ??= leafKindOf(schema, info.type));
  if (kind === 'custom') return JSON.stringify(value);
  if (typeof value === 'boolean') return kind === 'boolean' ? (value ? 'true' : 'false') : undefined;
  if (typeof value === 'number' && isFinite(value)) {
    // an integer below 1e21 is written in plain digits, the JSON an Int or an ID takes
    if (kind === 'int' || kind === 'id') return Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : undefined;
    return kind === 'float' ? String(value) : undefined;
  }
  if (typeof value === 'string') {
    if (kind === 'enum') {
      const enumValue = (info.type as EnumType).value(value);
      return enumValue ? nameText(enumValue) : undefined;
    }
    return kind === 'string' || kind === 'id' ? stringText(value) : undefined;
  }
  return undefined;
}

/** Whether an object's selections (those whose type conditions hold for it) name a response key twice. */
const repeatsBySet = new WeakMap<SelectionSet, Map<string, boolean>>();
function namesAKeyTwice(selectionSet: SelectionSet, typename: string | undefined, parentType: CompositeType, parameters: ShapingState): boolean {
  // typenames here are types of the schema (updateOutputValue refuses others), so the map is bounded by the schema
  const cacheable = typename === undefined || parameters.schema.type(typename) !== undefined;
  let known = repeatsBySet.get(selectionSet);
  const key = typename ?? '';
  const cached = cacheable ? known?.get(key) : undefined;
  if (cached !== undefined) return cached;
  const seen = new Set<string>();
  const walk = (set: SelectionSet, type: CompositeType): boolean => {
    for (const step of stepsOf(set, parameters.schema)) {
      if (step.kind === 'field') {
        if (seen.has(step.responseName)) return true;
        seen.add(step.responseName);
      } else if (typeConditionApplies(parameters, step.typeCondition, typename, type) && walk(step.selectionSet, step.typeCondition ?? type)) {
        return true;
      }
    }
    return false;
  };
  const repeats = walk(selectionSet, parentType);
  if (cacheable) {
    if (!known) repeatsBySet.set(selectionSet, (known = new Map()));
    known.set(key, repeats);
  }
  return repeats;
}

/**
 * The answer's text as it is written: its pieces in order, joined once at the end (a chain of
 * concatenations would allocate a string per piece and copy them all again when flattened).
 * A value that turns out null, or an object a null bubbles up to, is cut back to where it began.
 */
let out: string[] = [];
/** An answer with data only, around its data (Apollo Server's `JSON.stringify` of `{ data }` and a newline). */
export const ANSWER_HEAD = '{"data":';
export const ANSWER_TAIL = '}\n';

/** What the last writeValue found (set before it returns, read at once by its caller): updateOutputValue's flags. */
let lastInvalid = false;
let lastHasErrors = false;

/** Writes a field's key into the object whose fields begin at `start`: with a comma unless it is the first. */
function writeKey(start: number, key: FieldStep['key']): void {
  out.push(out.length === start ? key.first : key.next);
}

/** applySelectionSet, writing the fields of an object whose first field goes at `start`. */
function writeSelectionSet(input: Record<string, unknown>, selectionSet: SelectionSet, start: number, parameters: ShapingState, path: (string | number)[], parentType: CompositeType): number {
  return eachField(writeField, input, selectionSet, start, parameters, path, parentType);
}

/** applyField, writing: the field's key and value (a null bubbling up leaves its object to cut them). */
function writeField(step: FieldStep, input: Record<string, unknown>, start: number, parameters: ShapingState, path: (string | number)[], parentType: CompositeType): number {
  const key = step.key;
  if (step.isIntrospection) {
    const text = JSON.stringify(parameters.introspectionHandling(step.selection));
    if (text !== undefined) {
      writeKey(start, key);
      out.push(text);
    }
    return OK;
  }
  const responseName = step.responseName;
  const inputValue = (Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined) ?? null;
  if (step.isTypename) {
    const type = typenameAnswer(step, input, parameters, parentType);
    if (!type) return NULL_BUBBLE_UP;
    writeKey(start, key);
    out.push(nameText(type));
    return OK;
  }
  if (parameters.authorization && isDenied(parameters, step, input, parentType, path)) {
    if (step.type.kind === 'nonNull') return NULL_BUBBLE_UP;
    writeKey(start, key);
    out.push('null');
    return OK;
  }
  path.push(responseName);
  writeKey(start, key);
  const wrote = writeValue(step.type, inputValue, step.selectionSet, path, parameters, parentType);
  path.pop();
  if (lastInvalid) return NULL_BUBBLE_UP;
  if (!wrote) out.push('null');
  return OK;
}

/** Writes an object; false (and nothing written) when a null bubbled up to it. */
function writeObject(input: Record<string, unknown>, selectionSet: SelectionSet, parameters: ShapingState, path: (string | number)[], objType: CompositeType): boolean {
  const typename = input[typenameFieldName];
  if (namesAKeyTwice(selectionSet, typeof typename === 'string' && typename ? typename : undefined, objType, parameters)) {
    const output = Object.create(null) as Record<string, unknown>;
    if (applySelectionSet(input, selectionSet, output, parameters, path, objType) === NULL_BUBBLE_UP) return false;
    out.push(JSON.stringify(output));
    return true;
  }
  const mark = out.length;
  out.push('{');
  if (writeSelectionSet(input, selectionSet, mark + 1, parameters, path, objType) === NULL_BUBBLE_UP) {
    out.length = mark;
    return false;
  }
  out.push('}');
  return true;
}

/** updateOutputValue for a value not written yet, writing: true once written, false for a null, with nothing written (flags in lastInvalid, lastHasErrors). */
function writeValue(type: TypeInfo, inputValue: unknown, selectionSet: SelectionSet | undefined, path: (string | number)[], parameters: ShapingState, parentType: CompositeType): boolean {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (type.kind === 'nonNull') {
    if (!writeValue(type.of, inputValue, selectionSet, path, parameters, parentType)) {
      if (!lastHasErrors) parameters.errors.push(invalidAt('Cannot return null for non-nullable', path, type.of.type, parentType));
      lastInvalid = lastHasErrors = true;
      return false;
    }
    lastInvalid = lastHasErrors = false;
    return true;
  }
  lastInvalid = lastHasErrors = false;
  if (inputValue === null) return false;
  if (type.kind === 'list') {
    if (!(Array.isArray(inputValue))) assert(false, () => `Invalid non-list value ${inputValue} returned by subgraph for list type ${type.type}`);
    const list = inputValue as unknown[];
    let shouldNullify = false;
    let hasErrors = false;
    const mark = out.length;
    out.push('[');
    for (let idx = 0; idx < list.length; idx++) {
      if (idx > 0) out.push(',');
      path.push(idx);
      // a list element the subgraph left out is a null (updateOutputValue's list of undefined outputs asserts the same)
      const wrote = writeValue(type.of, list[idx], selectionSet, path, parameters, parentType);
      path.pop();
      if (!wrote) out.push('null');
      shouldNullify ||= lastInvalid;
      hasErrors ||= lastHasErrors;
    }
    lastInvalid = false;
    lastHasErrors = hasErrors;
    if (shouldNullify) {
      out.length = mark;
      return false;
    }
    out.push(']');
    return true;
  }
  if (type.kind === 'composite') {
    if (!(selectionSet)) assert(false, () => `Invalid empty selection set for composite type ${type.type}`);
    if (!(typeof inputValue === 'object')) assert(false, () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.type}`);
    const input = inputValue as Record<string, unknown>;
    const objType = objectTypeOf(input, type.type, path, parameters, parentType);
    if (!objType) {
      lastHasErrors = true;
      return false;
    }
    const wrote = writeObject(input, selectionSet!, parameters, path, objType);
    lastInvalid = false;
    lastHasErrors = !wrote;
    return wrote;
  }
  const text = leafText(parameters.schema, type, inputValue);
  if (text === undefined) {
    parameters.errors.push(invalidAt('Invalid value found for', path, type.type, parentType));
    lastHasErrors = true;
    return false;
  }
  out.push(text);
  return true;
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
  const parameters = shapingState(operation, variables, introspectionHandling);
  const data = Object.create(null) as Record<string, unknown>;
  const result = applySelectionSet(input, selectionSet, data, parameters, [...path], parentType);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
}

function shapingState(operation: Operation, variables: Variables | undefined, introspectionHandling: IntrospectionHandling, authorization?: FieldAuthorization): ShapingState {
  let defaults = defaultedVariables.get(operation);
  if (!defaults) defaultedVariables.set(operation, (defaults = operation.collectDefaultedVariableValues()));
  return {
    schema: operation.schema(),
    variables: { __proto__: null, ...defaults, ...variables } as Variables,
    errors: [],
    introspectionHandling,
    authorization,
    denied: [],
    deniedSeen: new Set(),
  };
}

/**
 * shapeResponse written as JSON text: `text` is the answer's data exactly as
 * `JSON.stringify(shapeResponse(...).data)` would write it, with the same errors; null when
 * a null bubbled up to the root, and the input itself when there is no data at all. With
 * text, `answer` is the whole answer `{"data":…}` and its newline as Apollo Server writes
 * one with nothing else in it (`text` is a slice of it, not a copy).
 * With `authorization`, the operation is the one the client sent and the data what its
 * authorized reduction fetched: denied fields are completed as null, their errors in `denied`.
 */
export function writeResponse(
  operation: Operation,
  variables: Variables | undefined,
  input: Record<string, unknown> | null | undefined,
  introspectionHandling: IntrospectionHandling,
  authorization?: FieldAuthorization,
): { text: string | null | undefined; answer?: string; errors: GraphQLError[]; denied: GraphQLError[] } {
  if (!input) return { text: input, errors: [], denied: [] };
  const parameters = shapingState(operation, variables, introspectionHandling, authorization);
  const outer = out;
  // the answer around the data is written in the same join: one flat text, sent as it is
  out = [ANSWER_HEAD];
  try {
    if (!writeObject(input, operation.selectionSet, parameters, [], operation.selectionSet.parentType)) return { text: null, errors: parameters.errors, denied: parameters.denied };
    out.push(ANSWER_TAIL);
    const answer = out.join('');
    return { text: answer.slice(ANSWER_HEAD.length, -ANSWER_TAIL.length), answer, errors: parameters.errors, denied: parameters.denied };
  } finally {
    out = outer;
  }
}
