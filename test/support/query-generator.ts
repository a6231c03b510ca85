/**
 * Valid GraphQL operations generated from an API schema and a seed, for differential
 * tests: the same seed always gives the same operation and variables.
 *
 * An operation nests selections across whatever types the schema connects (entity
 * boundaries included), with aliases, `__typename`, inline fragments and named fragments
 * (on abstract types, on the types they overlap with, and spread again where they fit),
 * `@skip`/`@include` on variables (some with a default value, left out of the variables)
 * and on literals, and arguments from a picker the caller provides (so ids hit real data),
 * as literals or as variables. Depth, lists nested in lists and the number of fields are
 * bounded. Every operation is checked with graphql's `validate` before it is returned.
 */
import { Supergraph, printSchema as printFederationSchema } from '@apollo/federation-internals';
import {
  astFromValue,
  buildSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
  print,
  validate,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { random } from './hostile.ts';

/** The API schema of a supergraph (what clients may query), for this module's graphql. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // features are only read here, not served: any the supergraph links is fine
  const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: null });
  return buildSchema(printFederationSchema(supergraph.apiSchema()));
}

/** An argument the generator wants a value for. */
export interface ArgumentRequest {
  /** Type and field the argument belongs to (`Query`, `product`). */
  parentType: string;
  field: string;
  argument: string;
  type: GraphQLInputType;
  /** Non-null without a default: the field cannot be selected without a value. */
  required: boolean;
  /** The generator's seeded random source (pick with it, so a seed replays). */
  next: () => number;
}

/** A value for an argument (a JS value of its type, sent as a literal or a variable), or undefined to leave it out. */
export type ArgumentPicker = (request: ArgumentRequest) => unknown;

export interface GeneratorOptions {
  /** The API schema (see apiSchemaOf). */
  schema: GraphQLSchema;
  /** Values for arguments; a required argument it leaves undefined keeps its field out. Default: fallbackArgument. */
  pickArgument?: ArgumentPicker;
  /** Fields that may be selected (`Query`, `search`); default all. */
  includeField?: (parentType: string, field: string) => boolean;
  /** Deepest field nesting below the root. Default 4. */
  maxDepth?: number;
  /** Most list-typed fields on one path from the root. Default 3. */
  maxListDepth?: number;
  /** Most fields written in the document (a named fragment counts once). Default 30. */
  maxFields?: number;
  /** Most root fields. Default 3. */
  maxRootFields?: number;
}

export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
  operationName: string;
}

/** Values for common scalar and enum arguments; undefined (left out) for optional ones it has no good value for. */
export function fallbackArgument(request: ArgumentRequest): unknown {
  const type = getNullableType(request.type);
  if (isListType(type)) return request.required ? [] : undefined;
  const named = getNamedType(request.type);
  if ('getValues' in named) {
    const values = named.getValues();
    return values[Math.floor(request.next() * values.length)]?.value;
  }
  switch (named.name) {
    case 'Int':
      return Math.floor(request.next() * 5);
    case 'Float':
      return Math.round(request.next() * 100) / 10;
    case 'Boolean':
      return request.next() < 0.5;
    default:
      return undefined;
  }
}

interface Fragment {
  name: string;
  on: GraphQLCompositeType;
  /** Field levels inside it, and list levels, below the place it is spread. */
  depth: number;
  listDepth: number;
}

/** Everything of one operation being written. */
class Writer {
  readonly next: () => number;
  fields = 0;
  private aliases = 0;
  /** Response name → what it selects, across the document: one name never selects two different things, so fields always merge. */
  private readonly signatures = new Map<string, string>();
  readonly variableDefinitions: string[] = [];
  readonly variables: Record<string, unknown> = {};
  private variableCount = 0;
  fragmentCount = 0;
  readonly conditions: string[] = [];
  readonly fragments: string[] = [];
  readonly fragmentPool: Fragment[] = [];

  constructor(
    readonly schema: GraphQLSchema,
    readonly options: Required<Omit<GeneratorOptions, 'schema'>>,
    seed: number,
  ) {
    this.next = random(seed);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** The response name for a selection: its own name when free for the same thing, else a fresh alias. */
  responseName(name: string, signature: string, wantAlias: boolean): string {
    let key = wantAlias ? `a${this.aliases++}` : name;
    const taken = this.signatures.get(key);
    if (taken !== undefined && taken !== signature) key = `a${this.aliases++}`;
    this.signatures.set(key, signature);
    return key;
  }

  variable(type: string, value: unknown): string {
    const name = `v${this.variableCount++}`;
    this.variableDefinitions.push(`$${name}: ${type}`);
    this.variables[name] = value;
    return `$${name}`;
  }

  /** A directive on a selection, sometimes: @skip/@include on a Boolean variable (some defaulted) or a literal. */
  directive(): string {
    if (!this.chance(0.18)) return '';
    const which = this.chance(0.5) ? 'skip' : 'include';
    if (this.chance(0.15)) return ` @${which}(if: ${this.chance(0.5)})`;
    let name: string;
    if (this.conditions.length && this.chance(0.35)) name = this.pick(this.conditions);
    else {
      name = `c${this.conditions.length}`;
      this.conditions.push(name);
      const value = this.chance(0.5);
      if (this.chance(0.25)) this.variableDefinitions.push(`$${name}: Boolean = ${value}`);
      else {
        this.variableDefinitions.push(`$${name}: Boolean!`);
        this.variables[name] = value;
      }
    }
    return ` @${which}(if: $${name})`;
  }

  /** Composite types a fragment inside a selection on `parent` may be on: those sharing a possible type with it. */
  conditionsFor(parent: GraphQLCompositeType): GraphQLCompositeType[] {
    const possible = new Set(this.possibleTypes(parent).map((t) => t.name));
    const roots = new Set([this.schema.getQueryType()?.name, this.schema.getMutationType()?.name, this.schema.getSubscriptionType()?.name]);
    return Object.values(this.schema.getTypeMap()).filter(
      (t): t is GraphQLCompositeType => isCompositeType(t) && !t.name.startsWith('__') && (!roots.has(t.name) || t === parent) && this.possibleTypes(t).some((p) => possible.has(p.name)),
    );
  }

  possibleTypes(type: GraphQLCompositeType): readonly GraphQLObjectType[] {
    return isAbstractType(type) ? this.schema.getPossibleTypes(type) : [type];
  }
}

function fieldsOf(type: GraphQLCompositeType): GraphQLField<unknown, unknown>[] {
  return isUnionType(type) ? [] : Object.values(type.getFields());
}

function listLevels(type: GraphQLOutputType): number {
  let levels = 0;
  for (let t: GraphQLOutputType = type; isListType(t) || isNonNullType(t); t = (t as { ofType: GraphQLOutputType }).ofType) if (isListType(t)) levels++;
  return levels;
}

/** The arguments of a field as written (`(upc: "p1", first: $v0)`), or null when a required one has no value. */
function writeArguments(w: Writer, parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): string | null {
  const chosen: { name: string; type: GraphQLInputType; value: unknown }[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    const value = w.options.pickArgument({ parentType: parent.name, field: field.name, argument: arg.name, type: arg.type, required, next: w.next });
    const literal = value === undefined ? undefined : astFromValue(value, arg.type);
    if (!literal) {
      if (required) return null;
      continue;
    }
    chosen.push({ name: arg.name, type: arg.type, value });
  }
  // variables are declared only once the field is sure to be written (an unused one is invalid)
  const parts = chosen.map(({ name, type, value }) => `${name}: ${w.chance(0.3) ? w.variable(String(type), value) : print(astFromValue(value, type)!)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** Selections on `type` at `depth` (fields above it) with `listDepth` lists above it; never empty. */
function selectionSet(w: Writer, type: GraphQLCompositeType, depth: number, listDepth: number, root = false): string {
  const selections: string[] = [];
  const wanted = root ? 1 + Math.floor(w.next() * w.options.maxRootFields) : 1 + Math.floor(w.next() * Math.max(1, 5 - depth));
  const fields = fieldsOf(type).filter((f) => w.options.includeField(type.name, f.name));
  for (let attempt = 0; attempt < wanted * 3 && selections.length < wanted && w.fields < w.options.maxFields; attempt++) {
    const roll = w.next();
    // fragments: always offered on unions (nothing else to select), often on interfaces
    const fragmentOdds = isUnionType(type) ? 0.8 : isInterfaceType(type) ? 0.4 : root ? 0 : 0.12;
    if (roll < fragmentOdds) {
      const spread = fragmentSpread(w, type, depth, listDepth);
      if (spread) selections.push(spread);
      continue;
    }
    if (roll < fragmentOdds + (root ? 0.03 : 0.08) || fields.length === 0) {
      const name = w.responseName('__typename', '__typename', w.chance(0.2));
      selections.push(`${name === '__typename' ? '' : `${name}: `}__typename${w.directive()}`);
      w.fields++;
      continue;
    }
    const field = w.pick(fields);
    const named = getNamedType(field.type);
    const composite = isCompositeType(named);
    const lists = listDepth + listLevels(field.type);
    if (composite && (depth + 1 > w.options.maxDepth || lists > w.options.maxListDepth)) continue;
    const args = writeArguments(w, type, field);
    if (args === null) continue;
    const name = w.responseName(field.name, `${field.name}${args}:${String(field.type)}`, w.chance(0.15));
    w.fields++;
    const head = `${name === field.name ? '' : `${name}: `}${field.name}${args}${w.directive()}`;
    selections.push(composite ? `${head} { ${selectionSet(w, named, depth + 1, lists)} }` : head);
  }
  if (!selections.length) {
    const name = w.responseName('__typename', '__typename', false);
    selections.push(name === '__typename' ? '__typename' : `${name}: __typename`);
  }
  return selections.join(' ');
}

/** An inline fragment, a new named fragment, or a named fragment spread again; null when none fits. */
function fragmentSpread(w: Writer, parent: GraphQLCompositeType, depth: number, listDepth: number): string | null {
  const reusable = w.fragmentPool.filter(
    (f) => w.conditionsFor(parent).includes(f.on) && depth + f.depth <= w.options.maxDepth && listDepth + f.listDepth <= w.options.maxListDepth,
  );
  if (reusable.length && w.chance(0.25)) return `...${w.pick(reusable).name}${w.directive()}`;
  const candidates = w.conditionsFor(parent);
  // on abstract types mostly their implementations, so type conditions narrow
  const objects = candidates.filter((c) => isObjectType(c) && c !== parent);
  const on = objects.length && w.chance(0.6) ? w.pick(objects) : w.pick(candidates);
  if (!on) return null;
  if (w.chance(0.5)) {
    // inline: with its type condition, or (on the parent's own type) sometimes without one
    const condition = on === parent && w.chance(0.4) ? '' : ` on ${on.name}`;
    return `...${condition}${w.directive()} { ${selectionSet(w, on, depth, listDepth)} }`;
  }
  const name = `F${w.fragmentCount++}`;
  const deepest = { depth: 0, listDepth: 0 };
  const body = selectionSet(w, on, depth, listDepth);
  // how far the body reaches below this place, measured from its text: braces are field levels here
  let level = 0;
  for (const c of body) {
    if (c === '{') deepest.depth = Math.max(deepest.depth, ++level);
    else if (c === '}') level--;
  }
  // lists are not read back from the text: assume the body used every list level it was allowed
  deepest.listDepth = w.options.maxListDepth - listDepth;
  w.fragments.push(`fragment ${name} on ${on.name} { ${body} }`);
  w.fragmentPool.push({ name, on, depth: deepest.depth, listDepth: deepest.listDepth });
  return `...${name}${w.directive()}`;
}

/** A valid query operation over `options.schema` for `seed`; throws if validation finds anything wrong with it. */
export function generateOperation(options: GeneratorOptions, seed: number): GeneratedOperation {
  const settings: Required<Omit<GeneratorOptions, 'schema'>> = {
    pickArgument: options.pickArgument ?? fallbackArgument,
    includeField: options.includeField ?? (() => true),
    maxDepth: options.maxDepth ?? 4,
    maxListDepth: options.maxListDepth ?? 3,
    maxFields: options.maxFields ?? 30,
    maxRootFields: options.maxRootFields ?? 3,
  };
  const query = options.schema.getQueryType();
  if (!query) throw new Error('The schema has no query type');
  const w = new Writer(options.schema, settings, seed);
  const body = selectionSet(w, query, 0, 0, true);
  const operationName = `Generated${seed}`;
  const variables = w.variableDefinitions.length ? `(${w.variableDefinitions.join(', ')})` : '';
  const text = [`query ${operationName}${variables} { ${body} }`, ...w.fragments].join('\n');
  const errors = validationErrors(options.schema, text);
  if (errors.length) throw new Error(`Generated an invalid operation (seed ${seed}):\n${text}\n${errors.join('\n')}`);
  return { query: text, variables: w.variables, operationName };
}

/** graphql's validation errors of an operation against a schema (empty: valid). */
export function validationErrors(schema: GraphQLSchema, query: string): string[] {
  return validate(schema, parse(query)).map((e) => e.message);
}
