/**
 * The Plaza playground: GraphiQL with every asset bundled from npm (no CDN), so it works
 * on a machine without internet. Tabs open on the headline query and the main flows;
 * the "Sign in" panel sets a development token (the Authorization header); the
 * "Operations" panel lists each client's registered operations. Subscriptions run over
 * GraphQL over WebSocket (graphql-ws) on the same origin, with the Headers editor's
 * headers (the token among them) in the connection_init payload.
 */
import 'graphiql/style.css';
import './playground.css';
import { createElement as h, useEffect, useRef, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { buildSchema, getOperationAST, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { useHeadersEditorState, useOperationsEditorState, useVariablesEditorState, type GraphiQLPlugin } from '@graphiql/react';
import { PLAYGROUND_TABS } from './tabs.ts';

/** Where the gateway serves GraphQL and the playground's own endpoints. */
const GRAPHQL_PATH = '/graphql';
const OPERATIONS_URL = '/playground/operations.json';
const TOKEN_URL = '/playground/token';
const SCHEMA_URL = '/playground/schema.graphql';

interface RegisteredOperation {
  name: string;
  id: string;
  kind: string;
  document: string;
}
interface ClientOperations {
  client: string;
  operations: RegisteredOperation[];
}

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };
type FetcherOptions = { headers?: Record<string, unknown>; documentAST?: DocumentNode };
type Answer = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** The WebSocket URL of the GraphQL path on this origin. */
function liveUrl(): string {
  const url = new URL(GRAPHQL_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** One graphql-ws client per set of headers: a new token opens a new connection, and one no longer used closes once its subscriptions end. */
const liveClients = new Map<string, Client>();

function liveClientFor(headers: Record<string, unknown>): Client {
  // a WebSocket carries no request headers: the Headers editor's go in connection_init
  const params = Object.fromEntries(Object.entries(headers).filter(([, value]) => typeof value === 'string'));
  const key = JSON.stringify(params);
  let client = liveClients.get(key);
  if (!client) {
    client = createClient({ url: liveUrl(), lazy: true, connectionParams: params, retryAttempts: 0 });
    liveClients.set(key, client);
  }
  return client;
}

/** Whether the operation GraphiQL runs is a subscription (a document that does not parse goes over HTTP, which says why). */
function isSubscription(params: FetcherParams, document: DocumentNode | undefined): boolean {
  try {
    return getOperationAST(document ?? parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** What a closed socket means, as an answer GraphiQL shows (it would print a CloseEvent as `{}`). */
function closedAnswer(error: unknown): Answer {
  const closed = error as { code?: unknown; reason?: unknown };
  const code = ({ 4401: 'TOKEN_EXPIRED', 4008: 'SLOW_CONSUMER', 1012: 'SERVER_RESTARTING' } as Record<string, string>)[String(closed?.code)];
  const message = typeof closed?.code === 'number' ? `The WebSocket closed with ${closed.code}${closed.reason ? ` (${String(closed.reason)})` : ''}` : error instanceof Error ? error.message : 'The WebSocket failed';
  return { errors: [{ message, ...(code ? { extensions: { code } } : {}) }] };
}

/**
 * A subscription's events, each shown by GraphiQL as it arrives. Not an async generator: stopping
 * in GraphiQL (return) must end the subscription at once, not after the next event.
 */
function events(client: Client, params: FetcherParams): AsyncIterableIterator<Answer> {
  const iterator = client.iterate({ query: params.query, operationName: params.operationName ?? undefined, variables: params.variables as Record<string, unknown> | undefined });
  let failed = false;
  const ended = { done: true, value: undefined } as IteratorReturnResult<undefined>;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (failed) return ended;
      try {
        return await iterator.next();
      } catch (error) {
        failed = true;
        return { done: false, value: closedAnswer(error) };
      }
    },
    async return() {
      await iterator.return?.();
      return ended;
    },
  };
}

function fetcher(params: FetcherParams, options?: FetcherOptions): Promise<unknown> | AsyncIterableIterator<Answer> {
  const headers = options?.headers ?? {};
  if (isSubscription(params, options?.documentAST)) return events(liveClientFor(headers), params);
  return fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(headers as Record<string, string>) },
    body: JSON.stringify(params),
  }).then((res) => res.json());
}

function bearerOf(headersText: string): string | null {
  try {
    const headers = JSON.parse(headersText || '{}') as Record<string, unknown>;
    const value = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    return typeof value === 'string' ? value.replace(/^Bearer\s+/i, '') : null;
  } catch {
    return null;
  }
}

function withBearer(headersText: string, token: string | null): string {
  let headers: Record<string, unknown> = {};
  try {
    headers = JSON.parse(headersText || '{}');
  } catch {
    // a half-typed header object is replaced
  }
  for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') delete headers[key];
  if (token) headers.Authorization = `Bearer ${token}`;
  return JSON.stringify(headers, null, 2);
}

function SignInPanel(): ReactNode {
  const [headers, setHeaders] = useHeadersEditorState();
  const [user, setUser] = useState('u1');
  const [pasted, setPasted] = useState('');
  const [status, setStatus] = useState('');
  // a token chosen (or null: signed out) until the headers editor holds it: the editor may not
  // exist yet when the choice is made, or fill itself in after it, on a slow machine
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  const current = bearerOf(headers);
  // the editor's text and its setter as of the latest render: the setter of an earlier render
  // writes nowhere when the editor did not exist yet then
  const latest = useRef({ headers, setHeaders });
  latest.current = { headers, setHeaders };
  useEffect(() => {
    if (chosen === undefined) return;
    const apply = () => {
      const { headers: text, setHeaders: set } = latest.current;
      if (bearerOf(text) === chosen) setChosen(undefined);
      else set(withBearer(text, chosen));
    };
    apply();
    // the editor says nothing when it appears: the choice is applied again until it holds
    const again = setInterval(apply, 250);
    return () => clearInterval(again);
  }, [chosen]);

  async function issue(): Promise<void> {
    setStatus('Issuing…');
    const res = await fetch(TOKEN_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
    const body = (await res.json()) as { token?: string; errors?: { message: string }[] };
    if (!body.token) return setStatus(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
    setChosen(body.token);
    setStatus(`Signed in as ${user}`);
  }

  return h(
    'div',
    { className: 'plaza-panel' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Sign in'),
    h('p', null, 'Requests from every tab carry the Authorization header below (see the Headers editor).'),
    h('p', { 'data-testid': 'signed-in-as' }, current ? 'A development token is set.' : 'Anonymous: me is null.'),
    h('label', null, 'User id ', h('input', { value: user, onChange: (e: { target: { value: string } }) => setUser(e.target.value), 'aria-label': 'User id' })),
    h('button', { type: 'button', className: 'graphiql-button', onClick: () => void issue() }, 'Issue a development token'),
    h('label', null, 'or paste a token (npm run -s token -- --user u1) ', h('textarea', { value: pasted, rows: 3, onChange: (e: { target: { value: string } }) => setPasted(e.target.value), 'aria-label': 'Bearer token' })),
    h('button', { type: 'button', className: 'graphiql-button', onClick: () => (setChosen(pasted.trim() || null), setStatus(pasted.trim() ? 'Token set' : 'Signed out')) }, 'Use this token'),
    h('button', { type: 'button', className: 'graphiql-button', onClick: () => (setChosen(null), setStatus('Signed out')) }, 'Sign out'),
    h('p', { role: 'status' }, status),
  );
}

function OperationsPanel(): ReactNode {
  const [, setQuery] = useOperationsEditorState();
  const [, setVariables] = useVariablesEditorState();
  const [clients, setClients] = useState<ClientOperations[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    fetch(OPERATIONS_URL)
      .then((res) => res.json() as Promise<{ clients: ClientOperations[] }>)
      .then((body) => setClients(body.clients))
      .catch(() => setError('The registered operations could not be loaded.'));
  }, []);
  return h(
    'div',
    { className: 'plaza-panel', 'data-testid': 'operations' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Registered operations'),
    error && h('p', { role: 'alert' }, error),
    clients === null && !error && h('p', null, 'Loading…'),
    ...(clients ?? []).map((c) =>
      h(
        'section',
        { key: c.client },
        h('h3', null, c.client),
        h(
          'ul',
          null,
          ...c.operations.map((op) =>
            h(
              'li',
              { key: op.id },
              h('button', { type: 'button', className: 'graphiql-button', title: op.id, onClick: () => (setQuery(op.document), setVariables('{}')) }, `${op.kind} ${op.name}`),
              h('code', { className: 'plaza-id' }, op.id.slice(0, 15) + '…'),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A 24×24 line icon in GraphiQL's style (no icon font: the playground loads nothing from outside). */
const icon = (d: string) => () => h('svg', { viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true }, h('path', { d }));

const plugins: GraphiQLPlugin[] = [
  // a key
  { title: 'Sign in', icon: icon('M14 10a4 4 0 1 0-3.5 3.97L8 16.5V19h2.5v-2h2l1.5-1.5V13.5A4 4 0 0 0 14 10Zm1-1h.01'), content: SignInPanel },
  // a list
  { title: 'Operations', icon: icon('M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01'), content: OperationsPanel },
];

/** The API schema from the gateway's SDL (no introspection query); undefined lets GraphiQL introspect instead. */
async function loadSchema(): Promise<GraphQLSchema | undefined> {
  try {
    const res = await fetch(SCHEMA_URL);
    return res.ok ? buildSchema(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

const schema = await loadSchema();
createRoot(document.getElementById('playground')!).render(
  h(GraphiQL, {
    fetcher: fetcher as never,
    schema,
    defaultTabs: PLAYGROUND_TABS,
    // the editors open on the first tab's text (GraphiQL seeds them from these, not from defaultTabs)
    query: PLAYGROUND_TABS[0].query,
    variables: PLAYGROUND_TABS[0].variables,
    plugins,
    defaultEditorToolsVisibility: 'variables',
    shouldPersistHeaders: false,
  }),
);
