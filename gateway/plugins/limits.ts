import type { IncomingMessage } from 'node:http';
import { getOperationAST, Kind, Lexer, parse, Source, TokenKind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode, plazaError } from '../../subgraphs/kit/errors.ts';
import { HttpRefusal } from '../../subgraphs/kit/http.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { setBounded } from '../../subgraphs/kit/bounded-map.ts';

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
}

export const LIMITS_DEFAULTS: Required<LimitsOptions> = { maxDepth: 12, maxAliases: 30, maxRootFields: 20, maxTokens: 5000 };

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
}

/**
 * Depth, aliases and root fields of an operation. Fragments are measured once each
 * (memoized), so a document that spreads fragments into each other cannot make this
 * walk exponential; counts saturate just above the limits.
 */
function shapeOf(document: DocumentNode, operationName: string | undefined, cap: number): Shape | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, { depth: number; aliases: number; fields: number }>();
  const visiting = new Set<string>();
  function measure(set: SelectionSetNode): { depth: number; aliases: number; fields: number } {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of set.selections) {
      let inner: { depth: number; aliases: number; fields: number };
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, aliases: 0, fields: 0 };
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0), fields: 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // unknown or cyclic: validation refuses it later
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
    }
    return { depth, aliases, fields };
  }
  const root = measure(operation.selectionSet);
  return { depth: root.depth, aliases: root.aliases, rootFields: root.fields };
}

/** Checks one GraphQL document against the limits. Unparseable documents pass: GraphQL reports them. */
export function checkLimits(query: string, operationName: string | undefined, limits: Required<LimitsOptions>): LimitRefusal | null {
  const tokens = checkTokens(query, limits);
  if (tokens) return tokens;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return null;
  }
  return checkShape(document, operationName, limits);
}

/** Refuses a document of more tokens than allowed, counted without parsing it. */
export function checkTokens(query: string, limits: Required<LimitsOptions>): LimitRefusal | null {
  if (!tokenCountOver(query, limits.maxTokens)) return null;
  return { code: ErrorCode.TOO_MANY_TOKENS, message: `The document has more than ${limits.maxTokens} tokens` };
}

/** Checks a parsed document's depth, aliases and root fields against the limits (tokens: checkTokens). */
export function checkShape(document: DocumentNode, operationName: string | undefined, limits: Required<LimitsOptions>): LimitRefusal | null {
  const cap = Math.max(limits.maxAliases, limits.maxRootFields) + 1;
  const shape = shapeOf(document, operationName, cap);
  if (!shape) return null;
  if (shape.depth > limits.maxDepth) return { code: ErrorCode.QUERY_TOO_DEEP, message: `The operation nests fields deeper than ${limits.maxDepth}` };
  if (shape.aliases > limits.maxAliases) return { code: ErrorCode.TOO_MANY_ALIASES, message: `The operation uses more than ${limits.maxAliases} aliases` };
  if (shape.rootFields > limits.maxRootFields) {
    return { code: ErrorCode.TOO_MANY_ROOT_FIELDS, message: `The operation asks for more than ${limits.maxRootFields} root fields` };
  }
  return null;
}

/** The GraphQL document and operation name a request carries (POST body or GET query string). */
function documentOf(body: unknown, url: URL): { query: string; operationName?: string } | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { query, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string') return null;
    return { query, operationName: typeof operationName === 'string' ? operationName : undefined };
  }
  const query = url.searchParams.get('query');
  if (query === null) return null;
  return { query, operationName: url.searchParams.get('operationName') ?? undefined };
}

/** Largest number of distinct verdicts remembered (repeated operations skip the analysis). */
const VERDICT_CACHE_SIZE = 2000;
/** Documents longer than this are analysed every time rather than remembered. */
const CACHEABLE_LENGTH = 16 * 1024;

/**
 * Refuses operations that are too deep, too wide or too long before GraphQL parses
 * and validates them (validation of an alias bomb is itself expensive): HTTP 400 with
 * QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_ROOT_FIELDS or TOO_MANY_TOKENS. An
 * operation name the document does not hold is a 400 BAD_REQUEST.
 */
export function useLimits(options: LimitsOptions = {}): GatewayPlugin {
  const limits = { ...LIMITS_DEFAULTS, ...options };
  const verdicts = new Map<string, LimitRefusal | null>();
  function verdictFor(query: string, operationName: string | undefined): LimitRefusal | null {
    if (query.length > CACHEABLE_LENGTH) return checkLimits(query, operationName, limits);
    const key = `${operationName ?? ''}\n${query}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = checkLimits(query, operationName, limits);
      setBounded(verdicts, key, verdict, VERDICT_CACHE_SIZE);
    }
    return verdict;
  }
  return {
    name: 'limits',
    prepare(_req: IncomingMessage, body: unknown, url: URL) {
      const document = documentOf(body, url);
      if (!document) return body;
      const refusal = verdictFor(document.query, document.operationName);
      if (refusal) throw new HttpRefusal(400, refusal.code, refusal.message);
      return body;
    },
    apollo: {
      async requestDidStart() {
        return {
          // Apollo hands an unresolvable operation name to the gateway, which answers 500; it is the caller's mistake.
          async didResolveOperation({ operation, request }) {
            if (operation) return;
            const message = request.operationName
              ? `Unknown operation named "${request.operationName.slice(0, 100)}"`
              : 'The document holds several operations: name the one to run in operationName';
            throw plazaError(ErrorCode.BAD_REQUEST, message, { httpStatus: 400 });
          },
        };
      },
    },
  };
}
