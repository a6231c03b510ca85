/**
 * The engine's result shaping (gateway/engine/shaping.ts) against @apollo/gateway's own
 * computeResponse, on the same operations and the same subgraph data: generated
 * operations (aliases, @skip/@include on variables and literals, fragments, __typename,
 * introspection) over generated data that includes nulls where the schema forbids them,
 * values of the wrong type, unknown __typenames and lists of every length. Data, errors
 * (message and path) and thrown errors must be the same.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationFromDocument, type FieldSelection, type Operation } from '@apollo/federation-internals';
import { Kind, parse, type DocumentNode, type GraphQLError, type SelectionSetNode } from 'graphql';
import { createRequire } from 'node:module';
import { shapeResponse, writeResponse } from '../gateway/engine/shaping.ts';
import { loadSupergraph } from '../gateway/engine/supergraph.ts';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { random } from './support/hostile.ts';

const apiSchema = loadSupergraph(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema;

const PLACEMENT = `id slot title kind: __typename
  offer @include(if: $withOffer) { id title remainingStock value kind }
  service { id title t: title ... on MerchantService { category deepLink }
    merchant { __typename id name popularity city ...M miniProgram { appId name } services @skip(if: $lean) { id title } offers(first: 2) { id endsAt channel } } }`;
const QUERIES = [
  `query Feed($withOffer: Boolean!, $lean: Boolean = false) { homepage(city: "Shanghai") { city grid { ${PLACEMENT} } cards @skip(if: $lean) { ${PLACEMENT} } banners @include(if: true) { id } } }
   fragment M on Merchant { category name a: popularity }`,
  `query One($withOffer: Boolean = true, $lean: Boolean!) { merchant(id: "m1") { id ...on Merchant { name @skip(if: $lean) category } x: __typename services { id } }
   offer(id: "c1") @include(if: $withOffer) { id title minSpend } __type(name: "Merchant") { name } }`,
];

/** A type of the API schema, as its field definitions give it (federation-internals' classes). */
interface SchemaType {
  kind: string;
  name?: string;
  ofType?: SchemaType;
  field?(name: string): { type: SchemaType } | undefined;
  values?: { name: string }[];
}

/** Subgraph-like data for a selection set: mostly right, sometimes null, wrong or missing. */
function dataFor(selectionSet: SelectionSetNode, type: SchemaType, next: () => number, fragments: Map<string, SelectionSetNode>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const roll = next();
  if (roll < 0.6) out.__typename = type.name;
  else if (roll < 0.63) out.__typename = 'NoSuchType';
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) Object.assign(out, dataFor(selection.selectionSet, type, next, fragments));
    else if (selection.kind === Kind.FRAGMENT_SPREAD) Object.assign(out, dataFor(fragments.get(selection.name.value)!, type, next, fragments));
    else {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = type.field!(name);
      if (!field) continue;
      const key = selection.alias?.value ?? name;
      if (next() < 0.04) continue; // missing altogether
      out[key] = valueFor(field.type, selection.selectionSet, next, fragments);
    }
  }
  return out;
}

const TRICKY_STRINGS = ['say "hi"', 'C:\\temp', 'line\nbreak\ttab\u0000nul\u001f', 'sep\u2028arator', 'café ½', '上海咖啡', 'lone \ud800 high', 'lone \udc00 low', 'pair \ud83d\ude00', '\u007f', ''];

function valueFor(type: SchemaType, selectionSet: SelectionSetNode | undefined, next: () => number, fragments: Map<string, SelectionSetNode>): unknown {
  if (next() < 0.08) return null;
  const nullable = type.kind === 'NonNullType' ? type.ofType! : type;
  if (nullable.kind === 'ListType') return Array.from({ length: Math.floor(next() * 4) }, () => valueFor(nullable.ofType!, selectionSet, next, fragments));
  if (nullable.kind === 'ObjectType') return dataFor(selectionSet!, nullable, next, fragments);
  const wrong = next() < 0.05;
  if (nullable.kind === 'EnumType') return wrong ? 'NOT_A_VALUE' : nullable.values![0].name;
  switch (nullable.name) {
    case 'Int':
      return wrong ? 1.5 : Math.floor(next() * 100);
    case 'Float':
      return wrong ? 'x' : next() * 10;
    case 'Boolean':
      return wrong ? 1 : next() < 0.5;
    case 'String':
    case 'ID':
      if (wrong) return true;
      // now and then a string JSON must escape (or must not: U+2028, Latin-1, CJK, a surrogate pair)
      return next() < 0.2 ? TRICKY_STRINGS[Math.floor(next() * TRICKY_STRINGS.length)] : `v${Math.floor(next() * 1000)}`;
    default:
      return wrong ? { any: 'thing' } : `2026-01-0${1 + Math.floor(next() * 9)}T00:00:00.000Z`;
  }
}

type ComputeResponse = (args: {
  operation: Operation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: FieldSelection) => unknown;
}) => { data?: unknown; errors: GraphQLError[] };

/** @apollo/gateway's computeResponse, the reference (the gateway package is a development dependency, kept for such comparisons). */
const apolloComputeResponse = createRequire(import.meta.url)('@apollo/gateway/dist/resultShaping.js').computeResponse as ComputeResponse;
const engineComputeResponse: ComputeResponse = ({ operation, variables, input, introspectionHandling }) => shapeResponse(operation, variables, input, introspectionHandling);

/** The operation as the engine keeps it with a plan (built once, without validating again). */
const built = new WeakMap<DocumentNode, Operation>();
function operationForExecution(schema: typeof apiSchema, document: DocumentNode): Operation {
  let operation = built.get(document);
  if (!operation) built.set(document, (operation = operationFromDocument(schema, document, { validate: false })));
  return operation;
}

/** What a shaping produced, comparable across the two implementations. */
function outcome(shape: ComputeResponse, operation: ReturnType<typeof operationForExecution>, variables: Record<string, unknown>, input: Record<string, unknown>) {
  try {
    const introspectionHandling = (selection: FieldSelection) => ({ introspected: selection.element.responseName() });
    const { data, errors } = shape({ operation, variables, input: structuredClone(input), introspectionHandling });
    return { data: JSON.parse(JSON.stringify(data ?? null)), errors: errors.map((e) => ({ message: e.message, path: e.path })) };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

/** The answer's text and errors as the engine writes them: in one pass (writeResponse), or shaped then stringified. */
function written(write: boolean, operation: Operation, variables: Record<string, unknown>, input: Record<string, unknown>) {
  try {
    const introspectionHandling = (selection: FieldSelection) => ({ introspected: selection.element.responseName() });
    const shaped = write ? writeResponse(operation, variables, structuredClone(input), introspectionHandling) : shapeResponse(operation, variables, structuredClone(input), introspectionHandling);
    const text = 'text' in shaped && typeof shaped.text === 'string' ? shaped.text : JSON.stringify('text' in shaped ? shaped.text : shaped.data);
    return { text, errors: shaped.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })) };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('result shaping worked out once per operation', () => {
  for (const [q, query] of QUERIES.entries()) {
    it(`answers exactly as @apollo/gateway's computeResponse, query ${q + 1}, 300 generated data sets`, () => {
      const document = parse(query);
      const operation = operationForExecution(apiSchema, document);
      // the same document gives the same operation: its steps are worked out once
      expect(operationForExecution(apiSchema, document)).toBe(operation);
      const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
      const root = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
      const next = random(1000 + q);
      let withErrors = 0;
      let nulled = 0;
      for (let run = 0; run < 300; run++) {
        const input = dataFor(root.selectionSet, apiSchema.schemaDefinition.rootType('query') as unknown as SchemaType, next, fragments);
        // variables: each boolean, sometimes left out (a default, or a missing value the shaping refuses)
        const variables: Record<string, unknown> = {};
        for (const name of ['withOffer', 'lean']) if (next() < 0.9) variables[name] = next() < 0.5;
        const ours = outcome(engineComputeResponse, operation, variables, input);
        const theirs = outcome(apolloComputeResponse, operation, variables, input);
        expect(ours).toEqual(theirs);
        // the answer written in one pass is the shaped answer's JSON, byte for byte (key order included), with the same errors
        expect(written(true, operation, variables, input)).toEqual(written(false, operation, variables, input));
        if (ours.errors?.length) withErrors++;
        if ('data' in ours && ours.data === null) nulled++;
      }
      // the generated data reached the error paths, not only the happy one
      expect(withErrors).toBeGreaterThan(30);
      // query 1's root field is non-null: a null under it bubbles up to the whole answer
      if (q === 0) expect(nulled).toBeGreaterThan(3);
    });
  }

});

// a non-null violation by hand, with its message, so the comparison above is known to see such cases
describe('a null where the schema forbids it', () => {
  it('nulls the nearest nullable parent with the same error as @apollo/gateway', () => {
    const document = parse('{ merchant(id: "m1") { id name services { id title } } }');
    const operation = operationForExecution(apiSchema, document);
    const input = { merchant: { id: 'm1', name: null, services: [{ id: 's1', title: 'Tea' }] } };
    const ours = engineComputeResponse({ operation, input, introspectionHandling: () => null });
    expect(JSON.parse(JSON.stringify(ours.data))).toEqual({ merchant: null });
    expect(ours.errors.map((e) => [e.message, e.path])).toEqual([['Cannot return null for non-nullable field Merchant.name.', ['merchant', 'name']]]);
    expect(ours).toEqual(apolloComputeResponse({ operation, input, introspectionHandling: () => null }));
  });
});
