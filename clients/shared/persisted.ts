/**
 * Runs a client's operations as persisted queries, with the Apollo APQ protocol:
 * first only the document's sha256 id (`extensions.persistedQuery`); when the gateway
 * answers PERSISTED_QUERY_NOT_FOUND, once more with the registered document text,
 * which registers it. The id and text come from the client's generated
 * persisted-documents.json (see codegen.yml), so the gateway only ever sees documents
 * the client was built with.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** A generated typed document (codegen `documentMode: string`) with its persisted id. */
export type PersistedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & {
  __meta__?: Record<string, unknown>;
};

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

/** An answer the page cannot show: the request was refused, or the network failed. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    /** `extensions.code` of the first error, or NETWORK_ERROR / HTTP_<status>. */
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export interface PersistedClientOptions {
  /** GraphQL endpoint. Default `/graphql` on the page's own origin. */
  endpoint?: string;
  /** Client name and version sent as `apollographql-client-name` / `-version`. */
  clientName: string;
  clientVersion: string;
  /** sha256 id → document text, as generated in persisted-documents.json. */
  manifest: Record<string, string>;
  /** Bearer token of the signed-in user, when there is one. */
  token?: () => string | null;
}

export interface OperationResult<TResult> {
  data: TResult;
  /** Field errors next to the data (e.g. one subgraph down): the rest still shows. */
  errors: GraphQLErrorBody[];
}

const NOT_FOUND_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND']);

/** The name of the document's operation: a top-level definition, which codegen may print after the fragments it spreads. */
function operationNameOf(text: string): string | undefined {
  const head = /\b(?:query|mutation|subscription)\s+(\w+)/y;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (depth === 0) {
      head.lastIndex = i;
      const match = head.exec(text);
      if (match) return match[1];
    }
  }
  return undefined;
}

/** A generated document as the client registered it: its sha256 (the APQ hash), text and operation name. */
export interface RegisteredDocument {
  sha256Hash: string;
  text: string;
  operationName: string | undefined;
}

/** Looks a generated document up in the client's manifest; a document missing from it is a build that skipped codegen. */
export function registeredDocument(document: { __meta__?: Record<string, unknown> }, manifest: Record<string, string>): RegisteredDocument {
  const id = String(document.__meta__?.hash ?? '');
  const text = manifest[id];
  if (!id.startsWith('sha256:') || text === undefined) {
    throw new GraphQLRequestError('This operation is not in the client manifest: run npm run codegen', 'NOT_REGISTERED', 0);
  }
  return { sha256Hash: id.slice('sha256:'.length), text, operationName: operationNameOf(text) };
}

/** Whether the gateway asked for the document's text (an APQ hash it does not know yet). */
export function askedForText(errors: readonly { extensions?: { code?: unknown } }[] | undefined): boolean {
  return errors?.some((e) => NOT_FOUND_CODES.has(String(e.extensions?.code ?? ''))) ?? false;
}

type Json = { data?: unknown; errors?: GraphQLErrorBody[]; hasNext?: boolean; incremental?: { data?: Record<string, unknown> | null; path: (string | number)[]; errors?: GraphQLErrorBody[] }[] };

/** Merges a deferred part's data into the answer at its path. */
function mergeAt(target: unknown, path: (string | number)[], data: Record<string, unknown>): void {
  let at = target;
  for (const key of path) at = (at as Record<string | number, unknown>)?.[key];
  if (!at || typeof at !== 'object') return;
  for (const [key, value] of Object.entries(data)) {
    const existing = (at as Record<string, unknown>)[key];
    if (existing && typeof existing === 'object' && value && typeof value === 'object' && !Array.isArray(value)) mergeAt(existing, [], value as Record<string, unknown>);
    else (at as Record<string, unknown>)[key] = value;
  }
}

/**
 * Reads an answer given in parts (`multipart/mixed`, boundary `-`, deferSpec=20220824):
 * calls `onPart` with each payload as it arrives.
 */
async function readParts(res: Response, onPart: (json: Json) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    // every complete part: headers, a blank line, JSON, then the next delimiter
    for (let end = buffer.indexOf('\r\n---'); end !== -1; end = buffer.indexOf('\r\n---')) {
      const part = buffer.slice(0, end);
      buffer = buffer.slice(end + '\r\n---'.length);
      const body = part.indexOf('\r\n\r\n');
      if (body !== -1) onPart(JSON.parse(part.slice(body + 4)) as Json);
    }
    if (done) return;
  }
}

export function createPersistedClient(options: PersistedClientOptions) {
  const endpoint = options.endpoint ?? '/graphql';

  async function post(body: Record<string, unknown>, onPart?: (json: Json) => void): Promise<{ status: number; json: Json }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'apollographql-client-name': options.clientName,
      'apollographql-client-version': options.clientVersion,
    };
    // a page that can show parts as they come asks for them (@defer)
    if (onPart) headers.accept = 'multipart/mixed;deferSpec=20220824,application/json';
    const token = options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch {
      throw new GraphQLRequestError('Plaza cannot be reached', 'NETWORK_ERROR', 0);
    }
    if (onPart && (res.headers.get('content-type') ?? '').startsWith('multipart/mixed')) {
      // the first part is the answer so far; later parts add to it
      let first: Json | undefined;
      try {
        await readParts(res, (part) => {
          if (!first) {
            first = part;
            onPart(first);
            return;
          }
          for (const item of part.incremental ?? []) {
            if (item.data) mergeAt(first.data, item.path, item.data);
            if (item.errors) first.errors = [...(first.errors ?? []), ...item.errors];
          }
          first.hasNext = part.hasNext;
          onPart(first);
        });
      } catch {
        if (!first) throw new GraphQLRequestError('Plaza cannot be reached', 'NETWORK_ERROR', 0);
      }
      return { status: res.status, json: first ?? {} };
    }
    let json: Json;
    try {
      json = await res.json();
    } catch {
      throw new GraphQLRequestError(`Plaza answered HTTP ${res.status}`, `HTTP_${res.status}`, res.status);
    }
    onPart?.(json);
    return { status: res.status, json };
  }

  /**
   * Runs one generated operation; resolves with its data, rejects with a GraphQLRequestError.
   * With `onUpdate`, an operation with @defer is shown as its parts arrive: `onUpdate` gets
   * the answer so far after each part (`complete` on the last); the promise resolves with the whole.
   */
  async function run<TResult, TVariables>(
    document: PersistedDocument<TResult, TVariables>,
    variables: TVariables,
    onUpdate?: (result: OperationResult<TResult> & { complete: boolean }) => void,
  ): Promise<OperationResult<TResult>> {
    const { sha256Hash, text, operationName } = registeredDocument(document, options.manifest);
    const base = { operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash } } };
    const onPart = onUpdate
      ? (json: Json) => {
          if (json.data !== undefined && json.data !== null) onUpdate({ data: json.data as TResult, errors: json.errors ?? [], complete: json.hasNext !== true });
        }
      : undefined;
    let answer = await post(base, onPart);
    if (askedForText(answer.json.errors)) {
      answer = await post({ ...base, query: text }, onPart);
    }
    const { data, errors = [] } = answer.json;
    if (data === undefined || data === null) {
      const first = errors[0];
      throw new GraphQLRequestError(first?.message ?? `Plaza answered HTTP ${answer.status}`, first?.extensions?.code ?? `HTTP_${answer.status}`, answer.status);
    }
    return { data: data as TResult, errors };
  }

  return { run };
}
