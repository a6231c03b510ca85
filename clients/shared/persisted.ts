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

export function createPersistedClient(options: PersistedClientOptions) {
  const endpoint = options.endpoint ?? '/graphql';

  async function post(body: Record<string, unknown>): Promise<{ status: number; json: { data?: unknown; errors?: GraphQLErrorBody[] } }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'apollographql-client-name': options.clientName,
      'apollographql-client-version': options.clientVersion,
    };
    const token = options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch {
      throw new GraphQLRequestError('Plaza cannot be reached', 'NETWORK_ERROR', 0);
    }
    let json: { data?: unknown; errors?: GraphQLErrorBody[] };
    try {
      json = await res.json();
    } catch {
      throw new GraphQLRequestError(`Plaza answered HTTP ${res.status}`, `HTTP_${res.status}`, res.status);
    }
    return { status: res.status, json };
  }

  /** Runs one generated operation; resolves with its data, rejects with a GraphQLRequestError. */
  async function run<TResult, TVariables>(
    document: PersistedDocument<TResult, TVariables>,
    variables: TVariables,
  ): Promise<OperationResult<TResult>> {
    const id = String(document.__meta__?.hash ?? '');
    const text = options.manifest[id];
    if (!id.startsWith('sha256:') || text === undefined) {
      throw new GraphQLRequestError('This operation is not in the client manifest: run npm run codegen', 'NOT_REGISTERED', 0);
    }
    const sha256Hash = id.slice('sha256:'.length);
    const base = { operationName: operationNameOf(text), variables, extensions: { persistedQuery: { version: 1, sha256Hash } } };
    let answer = await post(base);
    if (answer.json.errors?.some((e) => NOT_FOUND_CODES.has(e.extensions?.code ?? ''))) {
      answer = await post({ ...base, query: text });
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
