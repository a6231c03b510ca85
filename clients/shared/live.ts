/**
 * Subscriptions of a Plaza page, over GraphQL over WebSocket (`graphql-transport-ws`, the
 * graphql-ws client) on the page's own origin: ws(s)://<host>/graphql. A browser cannot set
 * headers on a WebSocket, so the bearer token and the client's name and version travel in
 * the `connection_init` payload. Each subscription is a generated document of the client's
 * manifest, sent as the HTTP client sends operations (Apollo APQ): its sha256 id alone, then,
 * when the gateway answers PERSISTED_QUERY_NOT_FOUND, once more with the registered text.
 *
 * The socket opens with the first subscription and closes after the last one ends. A server
 * restart (close 1012) or a dropped network reconnects and subscribes again; a token that
 * expired (4401) ends the subscriptions with TOKEN_EXPIRED.
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { askedForText, GraphQLRequestError, registeredDocument, type PersistedDocument } from './persisted.ts';

export interface LiveClientOptions {
  /** GraphQL path on the page's own origin. Default `/graphql`. */
  path?: string;
  /** Client name and version sent as `apollographql-client-name` / `-version` in connection_init. */
  clientName: string;
  clientVersion: string;
  /** sha256 id → document text, as generated in persisted-documents.json. */
  manifest: Record<string, string>;
  /** Bearer token of the signed-in user, when there is one (read at each connection). */
  token?: () => string | null;
}

export interface LiveHandlers<TResult> {
  /** Each event's data, as it arrives. */
  next(data: TResult): void;
  /** The subscription ended for good: refused (its error's code), or the connection lost and not regained. */
  error?(error: GraphQLRequestError): void;
}

/** What a WebSocket close code means to a page, as a code like the API's own. */
const CLOSE_CODES: Record<number, string> = { 4401: 'TOKEN_EXPIRED', 4008: 'SLOW_CONSUMER', 1012: 'SERVER_RESTARTING' };

/** The WebSocket URL of a path on the page's own origin (wss: under https:). */
export function liveUrl(path = '/graphql'): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** What graphql-ws reports when a subscription fails, as the error the pages show. */
function liveError(error: unknown): GraphQLRequestError {
  if (error instanceof GraphQLRequestError) return error;
  const closed = error as { code?: unknown; reason?: unknown };
  if (typeof closed?.code === 'number') {
    return new GraphQLRequestError(`The live connection closed${closed.reason ? `: ${String(closed.reason)}` : ''}`, CLOSE_CODES[closed.code] ?? 'NETWORK_ERROR', 0);
  }
  return new GraphQLRequestError('Plaza cannot be reached', 'NETWORK_ERROR', 0);
}

/** A refusal carried by an event with no data (UNAUTHENTICATED, TOO_MANY_SUBSCRIPTIONS…). */
function refusalOf(result: FormattedExecutionResult): GraphQLRequestError {
  const first = result.errors?.[0];
  return new GraphQLRequestError(first?.message ?? 'The subscription was refused', String(first?.extensions?.code ?? 'SUBSCRIPTION_REFUSED'), 0);
}

export function createLiveClient(options: LiveClientOptions) {
  let client: Client | undefined;

  /** The graphql-ws client, made at the first subscription (a page that never subscribes opens nothing). */
  function connection(): Client {
    client ??= createClient({
      url: liveUrl(options.path),
      lazy: true,
      connectionParams: () => {
        const params: Record<string, string> = { 'apollographql-client-name': options.clientName, 'apollographql-client-version': options.clientVersion };
        const token = options.token?.();
        if (token) params.authorization = `Bearer ${token}`;
        return params;
      },
    });
    return client;
  }

  /** Subscribes to a generated subscription document; returns the function that ends it. */
  function subscribe<TResult, TVariables>(document: PersistedDocument<TResult, TVariables>, variables: TVariables, handlers: LiveHandlers<TResult>): () => void {
    const { sha256Hash, text, operationName } = registeredDocument(document, options.manifest);
    let stopped = false;
    let stop = () => {};

    function start(withText: boolean): void {
      stop = connection().subscribe<TResult>(
        { query: withText ? text : '', operationName, variables: variables as Record<string, unknown>, extensions: { persistedQuery: { version: 1, sha256Hash } } },
        {
          next(result) {
            // the gateway asked for the text: this attempt completes, the next one (on the same socket, opened before this one ends) carries it
            if (!withText && askedForText(result.errors)) start(true);
            else if (result.data) handlers.next(result.data as TResult);
            else handlers.error?.(refusalOf(result as FormattedExecutionResult));
          },
          error(error) {
            if (!stopped) handlers.error?.(liveError(error));
          },
          complete() {},
        },
      );
    }

    start(false);
    return () => {
      stopped = true;
      stop();
    };
  }

  /** Ends every subscription and closes the socket (the page is going away). */
  async function dispose(): Promise<void> {
    await client?.dispose();
    client = undefined;
  }

  return { subscribe, dispose };
}
