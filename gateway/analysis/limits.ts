/**
 * The shape limits of a GraphQL document (length, tokens, depth, aliases, root fields,
 * selections, repeated fields), checked without a schema and in time linear in the document.
 */
import { getOperationAST, Kind, Lexer, parse, Source, TokenKind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { SECURITY_DEFAULTS, type SecurityConfig } from '../config.ts';

/** Options of the operation shape limits. */
export interface LimitsOptions {
  /** Deepest field nesting accepted (`{ a { b } }` is 2). Default 12. */
  maxDepth?: number;
  /** Most aliases in the operation, counted through fragments. Default 30. */
  maxAliases?: number;
  /** Most root fields in the operation, counted through fragments. Default 20. */
  maxRootFields?: number;
  /** Most lexical tokens in the document. Default 5000. */
  maxTokens?: number;
  /** Longest document, in characters (UTF-16 code units; its variables are not counted). Default 65536. */
  maxDocumentLength?: number;
  /**
   * Most selections (fields, inline fragments, fragment spreads) once every fragment is expanded where it
   * is spread. Default 1000: the query planner spends about 0.05 ms per selection on an operation it has not
   * seen (bench/hostile.ts), and the largest first-party operation has 116.
   */
  maxSelections?: number;
  /** Most fields sharing one response path once fragments are expanded (`{ me { id } me { id } }` asks for `me` and `me.id` twice). Default 20. */
  maxRepeatedFields?: number;
}

/** The schema's defaults (PLAZA_MAX_*, platform/settings.ts). */
export const LIMITS_DEFAULTS: Required<LimitsOptions> = {
  maxDepth: SECURITY_DEFAULTS.maxDepth,
  maxAliases: SECURITY_DEFAULTS.maxAliases,
  maxRootFields: SECURITY_DEFAULTS.maxRootFields,
  maxTokens: SECURITY_DEFAULTS.maxTokens,
  maxDocumentLength: SECURITY_DEFAULTS.maxDocumentLength,
  maxSelections: SECURITY_DEFAULTS.maxSelections,
  maxRepeatedFields: SECURITY_DEFAULTS.maxRepeatedFields,
};

/** Why an operation is refused, or null when it is within limits. */
export interface LimitRefusal {
  code: ErrorCode;
  message: string;
}

/** Counts tokens, stopping as soon as the count passes `limit`. */
function tokenCountOver(query: string, limit: number): boolean {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) if (++count > limit) return true;
  } catch {
    // Lexical errors are GraphQL's to report (GRAPHQL_PARSE_FAILED).
  }
  return false;
}

interface Shape {
  depth: number;
  aliases: number;
  rootFields: number;
  /** Selections once every fragment is expanded where it is spread. */
  selections: number;
  /** A fragment that spreads itself (directly or through others): its expansion never ends. */
  cycle: string | null;
}

interface Measure {
  depth: number;
  aliases: number;
  fields: number;
  selections: number;
}

/** The named fragments of a document. */
function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
}

/**
 * Depth, aliases, root fields and selections of an operation. Fragments are measured
 * once each (memoized), so a document that spreads fragments into each other cannot make
 * this walk exponential; counts saturate just above the limits.
 */
function shapeOf(document: DocumentNode, operation: OperationDefinitionNode, cap: number, selectionCap: number): Shape {
  const fragments = fragmentsOf(document);
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();
  let cycle: string | null = null;
  function measure(set: SelectionSetNode): Measure {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    let selections = 0;
    for (const selection of set.selections) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, aliases: 0, fields: 0, selections: 0 };
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0), fields: 1, selections: below.selections };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (visiting.has(name)) cycle ??= name;
        if (!fragment || visiting.has(name)) continue; // unknown (validation refuses it) or a cycle (refused below)
        let known = memo.get(name);
        if (!known) {
          visiting.add(name);
          known = measure(fragment.selectionSet);
          visiting.delete(name);
          memo.set(name, known);
        }
        inner = known;
      }
      depth = Math.max(depth, inner.depth);
      aliases = Math.min(cap, aliases + inner.aliases);
      fields = Math.min(cap, fields + inner.fields);
      // the selection itself (field, inline fragment or spread) and what it expands to
      selections = Math.min(selectionCap, selections + 1 + inner.selections);
    }
    return { depth, aliases, fields, selections };
  }
  const root = measure(operation.selectionSet);
  return { depth: root.depth, aliases: root.aliases, rootFields: root.fields, selections: root.selections, cycle };
}

/** Fields of one response path, once fragments are expanded and same-named fields merged. */
interface ResponsePath {
  path: string;
  fields: number;
  below: Map<string, ResponsePath>;
}

/**
 * The first response path asked for more than `limit` times, walking the operation with
 * every fragment expanded where it is spread and fields of one response name merged (as
 * GraphQL merges them). Call it only once the expansion is known to be small (`shapeOf`):
 * the walk costs one step per selection of the expansion, and gives up after `budget`.
 */
function repeatedField(document: DocumentNode, operation: OperationDefinitionNode, limit: number, budget: number): ResponsePath | null {
  const fragments = fragmentsOf(document);
  const visiting = new Set<string>();
  let steps = 0;
  function walk(set: SelectionSetNode, level: Map<string, ResponsePath>, path: string): ResponsePath | null {
    for (const selection of set.selections) {
      if (++steps > budget) return null;
      let found: ResponsePath | null = null;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        let merged = level.get(key);
        if (!merged) level.set(key, (merged = { path: path ? `${path}.${key}` : key, fields: 0, below: new Map() }));
        if (++merged.fields > limit) return merged;
        if (selection.selectionSet) found = walk(selection.selectionSet, merged.below, merged.path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        found = walk(selection.selectionSet, level, path);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        found = walk(fragment.selectionSet, level, path);
        visiting.delete(name);
      }
      if (found) return found;
    }
    return null;
  }
  return walk(operation.selectionSet, new Map(), '');
}

/** Checks one GraphQL document against the limits. Unparseable documents pass: GraphQL reports them. */
export function checkLimits(query: string, operationName: string | undefined, limits: Required<LimitsOptions>): LimitRefusal | null {
  const length = checkLength(query, limits);
  if (length) return length;
  let document: DocumentNode;
  try {
    // one pass over the text: the parser gives up once it has read more tokens than allowed
    document = parse(query, { noLocation: true, maxLexicalTokens: limits.maxTokens });
  } catch {
    // too many tokens, or not GraphQL (which GraphQL reports: GRAPHQL_PARSE_FAILED)
    return checkTokens(query, limits);
  }
  return checkShape(document, operationName, limits);
}

/**
 * Refuses a document longer than allowed, before anything reads it: one string literal can
 * hold most of a body, and every parse of it (the gateway's, Apollo's, the query planner's)
 * costs time in proportion to its length.
 */
export function checkLength(query: string, limits: Required<LimitsOptions>): LimitRefusal | null {
  if (query.length <= limits.maxDocumentLength) return null;
  return { code: ErrorCode.DOCUMENT_TOO_LARGE, message: `The document is longer than ${limits.maxDocumentLength} characters` };
}

/** Refuses a document of more tokens than allowed, counted without parsing it. */
export function checkTokens(query: string, limits: Required<LimitsOptions>): LimitRefusal | null {
  if (!tokenCountOver(query, limits.maxTokens)) return null;
  return { code: ErrorCode.TOO_MANY_TOKENS, message: `The document has more than ${limits.maxTokens} tokens` };
}

/**
 * Checks a parsed document's depth, aliases, root fields, selections and repeated fields
 * against the limits (tokens: checkTokens). Every walk here is linear in the document:
 * fragments are measured once each, and the expansion is walked only once it is known to
 * hold at most `maxSelections` selections.
 */
export function checkShape(document: DocumentNode, operationName: string | undefined, limits: Required<LimitsOptions>): LimitRefusal | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const cap = Math.max(limits.maxAliases, limits.maxRootFields) + 1;
  const shape = shapeOf(document, operation, cap, limits.maxSelections + 1);
  if (shape.depth > limits.maxDepth) return { code: ErrorCode.QUERY_TOO_DEEP, message: `The operation nests fields deeper than ${limits.maxDepth}` };
  if (shape.aliases > limits.maxAliases) return { code: ErrorCode.TOO_MANY_ALIASES, message: `The operation uses more than ${limits.maxAliases} aliases` };
  if (shape.rootFields > limits.maxRootFields) {
    return { code: ErrorCode.TOO_MANY_ROOT_FIELDS, message: `The operation asks for more than ${limits.maxRootFields} root fields` };
  }
  // a cycle expands without end; GraphQL's own check of overlapping fields walks it in quadratic time
  if (shape.cycle !== null) {
    return { code: ErrorCode.TOO_MANY_SELECTIONS, message: `Fragment "${shape.cycle.slice(0, 100)}" spreads itself: the operation never ends once its fragments are expanded` };
  }
  if (shape.selections > limits.maxSelections) {
    return {
      code: ErrorCode.TOO_MANY_SELECTIONS,
      message: `The operation has more than ${limits.maxSelections} selections once its fragments are expanded`,
    };
  }
  const repeated = repeatedField(document, operation, limits.maxRepeatedFields, limits.maxSelections + 1);
  if (repeated) {
    return {
      code: ErrorCode.TOO_MANY_REPEATED_FIELDS,
      message: `The operation asks for "${repeated.path.slice(0, 200)}" more than ${limits.maxRepeatedFields} times`,
    };
  }
  return null;
}

/** The limits a gateway's security settings give (PLAZA_MAX_*). */
export function shapeLimits(security: SecurityConfig): Required<LimitsOptions> {
  return {
    maxDepth: security.maxDepth,
    maxAliases: security.maxAliases,
    maxRootFields: security.maxRootFields,
    maxTokens: security.maxTokens,
    maxDocumentLength: security.maxDocumentLength,
    maxSelections: security.maxSelections,
    maxRepeatedFields: security.maxRepeatedFields,
  };
}
