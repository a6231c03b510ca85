/**
 * Hostile GraphQL documents, generated from the supergraph's API schema, each shape at
 * growing sizes up to the gateway's token limit (a size past it is included, to be
 * refused) or, for shapes whose tokens do not grow, up to its body limit: fragment
 * doubling at every position of the schema, repeated fields, wide operations, deep
 * nesting, fragment fan-out and cycles, many directives, variables and operations, huge
 * lists and strings in arguments, unicode. No randomness: the same schema gives the same
 * corpus. Used by the fuzz test, the limits tests and the benchmark's hostile section
 * (bench/hostile.ts).
 */
import fs from 'node:fs';
import { Supergraph, printSchema as printFederationSchema } from '@apollo/federation-internals';
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Lexer,
  Source,
  TokenKind,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/** One generated request. */
export interface HostileDocument {
  /** The family of the shape (`fragment doubling`, `repeated fields`…). */
  family: string;
  /** The shape: its family and, where there are several, the position or variant (`fragment doubling at Query.search`). */
  shape: string;
  /** What grows with the size (levels, repetitions, bytes…) and how much of it. */
  size: number;
  /** The JSON request body. */
  body: string;
}

export interface HostileDocumentOptions {
  /** The supergraph SDL whose API schema the documents are written for. Default schema/supergraph.graphql. */
  supergraphSdl?: string;
  /** Largest body generated, in bytes. Default 1 MiB (the gateway's default PLAZA_MAX_BODY_BYTES) less 1 KiB. */
  maxBytes?: number;
  /** The gateway's token limit: a shape grows until one document passes it. Default 5000 (PLAZA_MAX_TOKENS). */
  maxTokens?: number;
  /** Sizes below this are left out (a quicker corpus still reaching the limits). Default 1. */
  minSize?: number;
}

export const HOSTILE_DOCUMENT_DEFAULTS = { maxBytes: 1024 * 1024 - 1024, maxTokens: 5000, minSize: 1 };

const SUPERGRAPH_FILE = new URL('../../schema/supergraph.graphql', import.meta.url);

/** The API schema (what clients may query) of a supergraph SDL. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  const api = Supergraph.build(supergraphSdl, { supportedFeatures: null } as never).apiSchema();
  return buildSchema(printFederationSchema(api));
}

/** Lexical tokens of a document, as the gateway's limit counts them (a lexical error ends the count). */
export function tokenCount(query: string): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // the rest is not GraphQL
  }
  return count;
}

/** A composite field reachable from a root type, with the selection path that reaches it. */
interface Position {
  /** `Type.field`. */
  coordinate: string;
  operation: 'query' | 'mutation';
  /** Selections from the root down to and including the field, each `name(args)`. */
  path: string[];
  /** The type the field returns. */
  type: GraphQLCompositeType;
}

/** A literal for an argument of this type: known ids and a city where the name says so, else the simplest value. */
function literal(type: GraphQLInputType, name: string): string {
  if (isNonNullType(type)) return literal(type.ofType, name);
  if (isListType(type)) return `[${literal(type.ofType, name)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type, f.name)}`).join(', ')} }`;
  }
  switch (type.name) {
    case 'Int':
      return '1';
    case 'Float':
      return '1.5';
    case 'Boolean':
      return 'true';
    case 'ID':
      return name.toLowerCase().includes('merchant') || name === 'id' ? '"m1"' : '"x1"';
    default:
      return name === 'city' ? '"Shanghai"' : '""';
  }
}

/** The field as selected: required arguments given, page sizes set to 1 so answers stay small. */
function fieldCall(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a: GraphQLArgument) => (isNonNullType(a.type) && a.defaultValue === undefined) || a.name === 'first');
  if (!args.length) return field.name;
  return `${field.name}(${args.map((a) => `${a.name}: ${a.name === 'first' ? '1' : literal(a.type, a.name)}`).join(', ')})`;
}

/** Every composite field reachable from the root types, each by its shortest path (breadth first, in schema order). */
export function compositePositions(schema: GraphQLSchema): Position[] {
  const positions: Position[] = [];
  const seen = new Set<string>();
  const queue: { type: GraphQLCompositeType; operation: 'query' | 'mutation'; path: string[] }[] = [];
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (query) queue.push({ type: query, operation: 'query', path: [] });
  if (mutation) queue.push({ type: mutation, operation: 'mutation', path: [] });
  const expanded = new Set<string>();
  while (queue.length) {
    const { type, operation, path } = queue.shift()!;
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values<GraphQLField<unknown, unknown>>(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (seen.has(coordinate)) continue;
      seen.add(coordinate);
      const at = [...path, fieldCall(field)];
      positions.push({ coordinate, operation, path: at, type: named });
      if (!expanded.has(named.name)) {
        expanded.add(named.name);
        queue.push({ type: named, operation, path: at });
      }
    }
  }
  return positions;
}

/** `path[0] { path[1] { … inner … } }` */
function nest(path: string[], inner: string): string {
  return path.reduceRight((acc, step) => `${step} { ${acc} }`, inner);
}

/** A size-driven shape: its document at size n. */
type Maker = (n: number) => { query: string; variables?: Record<string, unknown>; operationName?: string };

/** Sizes tried for every shape: small, around the default limits, then doubling. */
const SIZES = [1, 2, 4, 8, 10, 11, 16, 20, 21, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144, 524_288];

export function hostileDocuments(options: HostileDocumentOptions = {}): HostileDocument[] {
  const settings = { ...HOSTILE_DOCUMENT_DEFAULTS, ...options };
  const schema = apiSchemaOf(options.supergraphSdl ?? fs.readFileSync(SUPERGRAPH_FILE, 'utf8'));
  const documents: HostileDocument[] = [];

  /** Adds the shape at growing sizes until a document passes the token limit or would pass the body limit. */
  function grow(family: string, shape: string, make: Maker): void {
    for (const n of SIZES) {
      const request = make(n);
      const body = JSON.stringify(request);
      if (Buffer.byteLength(body) > settings.maxBytes) break;
      if (n >= settings.minSize) documents.push({ family, shape, size: n, body });
      if (tokenCount(request.query) > settings.maxTokens) break;
    }
  }

  /** Adds the shape at byte sizes from 1 KiB up to the body limit (its tokens stay few). */
  function fill(family: string, shape: string, make: (bytes: number) => { query: string; variables?: Record<string, unknown> }): void {
    for (let kib = 1; ; kib *= 4) {
      let bytes = Math.min(kib * 1024, settings.maxBytes);
      let body = JSON.stringify(make(bytes));
      // the maker aims at about `bytes` of text; the rest of the body, multi-byte characters and escapes add to it
      while (Buffer.byteLength(body) > settings.maxBytes) {
        bytes = Math.floor((bytes * settings.maxBytes) / Buffer.byteLength(body)) - 64;
        body = JSON.stringify(make(bytes));
      }
      const size = Buffer.byteLength(body);
      if (size >= settings.minSize) documents.push({ family, shape, size, body });
      if (kib * 1024 >= settings.maxBytes) break;
    }
  }

  // fragment doubling: `...F(i-1) ...F(i-1)` at every composite position of the schema, 2^n selections in n levels
  for (const position of compositePositions(schema)) {
    const type = position.type.name;
    grow('fragment doubling', `fragment doubling at ${position.coordinate}`, (n) => {
      const fragments = [`fragment F0 on ${type} { __typename }`];
      for (let i = 1; i <= n; i++) fragments.push(`fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }`);
      return { query: `${position.operation} { ${nest(position.path, `...F${n}`)} } ${fragments.join(' ')}` };
    });
  }

  const merchant = 'merchant(id: "m1")';
  const wideMerchant =
    'id name category city popularity offers(first: 1) { id title kind value minSpend stackable totalStock remainingStock perUserLimit channel startsAt endsAt } ' +
    'services { id title category deepLink } stores { id name city address } miniProgram { appId name homeLink } membershipProgram { memberCount rights { id title cost remainingStock } }';

  // repeated fields: the same field again and again (pairwise comparisons when validated)
  grow('repeated fields', 'repeated leaf field', (n) => ({ query: `{ ${merchant} { ${'name '.repeat(n)}} }` }));
  grow('repeated fields', 'repeated object field', (n) => ({ query: `{ ${'me { id } '.repeat(n)}}` }));
  grow('repeated fields', 'repeated root field with arguments', (n) => ({ query: `{ ${`${merchant} { name } `.repeat(n)}}` }));
  grow('repeated fields', 'repeated wide subtree', (n) => ({ query: `{ ${`${merchant} { ${wideMerchant} } `.repeat(n)}}` }));
  grow('repeated fields', 'repeated field through fragments', (n) => ({
    query: `{ ${merchant} { ${Array.from({ length: n }, (_, i) => `...R${i}`).join(' ')} } } ${Array.from({ length: n }, (_, i) => `fragment R${i} on Merchant { name offers(first: 1) { id } }`).join(' ')}`,
  }));
  grow('repeated fields', 'repeated field under repeated parents', (n) => ({ query: `{ ${`${merchant} { ${'services { id } '.repeat(n)}} `.repeat(n)}}` }));

  // wide operations: as many aliased root fields as the limits allow, each over several subgraphs (the query planner's work)
  grow('wide operations', 'aliased root fields across subgraphs', (n) => ({
    query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${merchant} { ${wideMerchant} offers(first: 1) { merchant { ${wideMerchant} } } }`).join(' ')} }`,
  }));
  grow('wide operations', 'one root field across subgraphs, deep', (n) => ({
    query: `{ ${merchant} { ${`${wideMerchant} offers(first: 1) { id merchant { `.repeat(n)}name${' } }'.repeat(n)} } }`,
  }));

  // many distinct fragments spread side by side, and fragment cycles
  grow('fragment fan-out', 'fragments spread side by side', (n) => ({
    query: `{ ${merchant} { ${Array.from({ length: n }, (_, i) => `...S${i}`).join(' ')} } } ${Array.from({ length: n }, (_, i) => `fragment S${i} on Merchant { n${i % 25}: name }`).join(' ')}`,
  }));
  grow('fragment fan-out', 'one wide fragment spread in many places', (n) => ({
    query: `{ ${Array.from({ length: Math.min(n, 20) }, (_, i) => `m${i}: ${merchant} { ...W }`).join(' ')} } fragment W on Merchant { ${wideMerchant} ${'...V '.repeat(n)}} fragment V on Merchant { id }`,
  }));
  grow('fragment cycles', 'a fragment cycle', (n) => ({
    query: `{ ${merchant} { ...C0 } } ${Array.from({ length: n }, (_, i) => `fragment C${i} on Merchant { name ...C${(i + 1) % n} }`).join(' ')}`,
  }));
  grow('fragment cycles', 'every fragment spreads every other', (n) => {
    const k = Math.max(2, Math.round(Math.sqrt(n)));
    const spreads = Array.from({ length: k }, (_, i) => `...K${i}`).join(' ');
    return { query: `{ ${merchant} { ...K0 } } ${Array.from({ length: k }, (_, i) => `fragment K${i} on Merchant { name ${spreads} }`).join(' ')}` };
  });
  grow('fragment cycles', 'doubling into a cycle', (n) => {
    const fragments = [`fragment D0 on Merchant { name ...D${n} }`];
    for (let i = 1; i <= n; i++) fragments.push(`fragment D${i} on Merchant { ...D${i - 1} ...D${i - 1} }`);
    return { query: `{ ${merchant} { ...D${n} } } ${fragments.join(' ')}` };
  });

  // deep nesting: of fields, of inline fragments, of list values
  grow('deep nesting', 'nested fields', (n) => ({ query: `{ ${merchant} { ${'offers(first: 1) { merchant { '.repeat(n)}name${' } }'.repeat(n)} } }` }));
  grow('deep nesting', 'nested inline fragments', (n) => ({ query: `{ ${merchant} { ${'... on Merchant { '.repeat(n)}name${' }'.repeat(n)} } }` }));
  grow('deep nesting', 'nested list value', (n) => ({ query: `{ search(query: "x", first: ${'['.repeat(n)}1${']'.repeat(n)}) { pageInfo { hasNextPage } } }` }));
  grow('deep nesting', 'nested object value', (n) => ({
    query: `mutation { submitPlacement(input: ${'{ merchantId: '.repeat(n)}"m1"${' }'.repeat(n)}) { id } }`,
  }));

  // directives: many on one field, unknown ones, on fragments
  grow('many directives', 'repeated @include', (n) => ({ query: `{ ${merchant} { name${' @include(if: true)'.repeat(n)} } }` }));
  grow('many directives', 'unknown directives', (n) => ({ query: `{ ${merchant} { name ${Array.from({ length: n }, (_, i) => `@d${i}(a: ${i})`).join(' ')} } }` }));
  grow('many directives', 'directives on every selection', (n) => ({
    query: `{ ${merchant} { ${Array.from({ length: n }, (_, i) => `f${i % 25}: name @skip(if: false) ...on Merchant @include(if: true) { id }`).join(' ')} } }`,
  }));

  // variables: many declared, many used, unused
  grow('many variables', 'many variables used in a list', (n) => ({
    query: `mutation Grid(${Array.from({ length: n }, (_, i) => `$v${i}: ID!`).join(', ')}) { setGrid(serviceIds: [${Array.from({ length: n }, (_, i) => `$v${i}`).join(', ')}]) { id } }`,
    variables: Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, `s${i}`])),
  }));
  grow('many variables', 'many unused variables', (n) => ({
    query: `query Unused(${Array.from({ length: n }, (_, i) => `$u${i}: [String!] = ["${i}"]`).join(' ')}) { ${merchant} { name } }`,
  }));
  grow('many operations', 'many operations in one document', (n) => ({
    query: Array.from({ length: n }, (_, i) => `query Q${i} { ${merchant} { name } }`).join(' '),
    operationName: `Q${n - 1}`,
  }));

  // huge lists and strings in arguments, in the text and in variables
  grow('huge lists', 'list literal argument', (n) => ({
    query: `mutation { setGrid(serviceIds: [${Array.from({ length: n }, (_, i) => `"s${i}"`).join(', ')}]) { id } }`,
  }));
  grow('huge lists', 'list of lists where a number goes', (n) => ({ query: `{ ${merchant} { offers(first: [${'[1, 2], '.repeat(n)}]) { id } } }` }));
  fill('huge lists', 'list variable', (bytes) => ({
    query: 'mutation Grid($ids: [ID!]!) { setGrid(serviceIds: $ids) { id } }',
    variables: { ids: Array.from({ length: Math.floor(bytes / 8) }, (_, i) => `s${i}`) },
  }));
  fill('huge strings', 'long string argument', (bytes) => ({ query: `{ search(query: "${'x'.repeat(bytes)}", first: 1) { pageInfo { hasNextPage } } }` }));
  fill('huge strings', 'long block string argument', (bytes) => ({ query: `{ search(query: """${'y\n'.repeat(bytes / 2)}""", first: 1) { pageInfo { hasNextPage } } }` }));
  fill('huge strings', 'comment padding', (bytes) => ({ query: `{ __typename } # ${'z'.repeat(bytes)}` }));
  fill('huge strings', 'ignored commas', (bytes) => ({ query: `{ __typename ${','.repeat(bytes)} }` }));

  // unicode: in strings (raw and escaped), comments and block strings; in names (a syntax error)
  const UNICODE = 'ÄÖüß中文字符😀🎉👩‍👩‍👧‍👦\u202Eevil\u202C\u200B\u200D\uFEFFمرحبا';
  const ESCAPED = '\\u0000\\u00e9\\u4e2d\\uD83D\\uDE00\\uDBFF\\uDFFF\\uD800\\u{1F600}';
  fill('unicode', 'unicode string argument', (bytes) => ({ query: `{ search(query: "${UNICODE.repeat(Math.ceil(bytes / 80))}", first: 1) { pageInfo { hasNextPage } } }` }));
  fill('unicode', 'escaped unicode string argument', (bytes) => ({ query: `{ search(query: "${ESCAPED.repeat(Math.ceil(bytes / 60))}", first: 1) { pageInfo { hasNextPage } } }` }));
  fill('unicode', 'unicode comment', (bytes) => ({ query: `# ${UNICODE.repeat(Math.ceil(bytes / 80))}\n{ __typename }` }));
  fill('unicode', 'unicode variable', (bytes) => ({
    query: 'query Find($q: String!) { search(query: $q, first: 1) { pageInfo { hasNextPage } } }',
    variables: { q: UNICODE.repeat(Math.ceil(bytes / 80)) },
  }));
  grow('unicode', 'unicode in names', (n) => ({ query: `{ ${merchant} { ${'ñame '.repeat(n)}} }` }));
  grow('unicode', 'lone surrogates in strings', (n) => ({ query: `{ search(query: "${'\uD800x\uDC00'.repeat(n)}", first: 1) { pageInfo { hasNextPage } } }` }));

  return documents;
}

/** The families in corpus order, and how many documents each has. */
export function familiesOf(documents: HostileDocument[]): Map<string, number> {
  const families = new Map<string, number>();
  for (const d of documents) families.set(d.family, (families.get(d.family) ?? 0) + 1);
  return families;
}
