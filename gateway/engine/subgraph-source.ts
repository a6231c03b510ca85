import DataLoader from 'dataloader';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { GraphQLError, Kind, parse, type DocumentNode, type SelectionNode } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { INTERNAL_TOKEN_HEADER } from '../../platform/internal-token.ts';
import { OPERATIONS_DEFAULTS, type OperationsConfig } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import { fetchTransport, jsonOf, SubgraphClient, SubgraphUnavailableError, type Transport } from './fetcher.ts';
import { combineEntityFetches, isEntityFetch, mergeEntityFetches, mergeKey, representationTexts, type PlanFetches } from './fetch-merging.ts';
import { subgraphFetchMerged } from '../metrics.ts';

/** Header carrying the request id from the gateway to subgraphs (and back in logs). */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Headers that differ per request without changing the answer; left out of the sharing key. */
const PER_REQUEST_HEADERS = new Set([INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER, 'traceparent', 'tracestate']);

export interface SubgraphSourceOptions {
  /** Subgraph name, as in the supergraph. */
  name: string;
  url: string;
  /** Operations settings (fetcher, dedup, timeouts, retries, breaker). Default OPERATIONS_DEFAULTS. */
  operations?: OperationsConfig;
  /** The keep-alive transport when `subgraphFetcher` is `undici`; Node's built-in fetch otherwise. */
  transport?: Transport;
  /** Told the headers of each subgraph answer to a client request's fetch (the gateway's header rules pass chosen ones back). Default none. */
  onResponseHeaders?(headers: Record<string, string>, context: GatewayContext): void;
}

/** Response keys of a selection set (through inline fragments), without `__typename`. */
function responseKeys(selections: readonly SelectionNode[]): string[] {
  const keys = new Set<string>();
  for (const s of selections) {
    if (s.kind === Kind.FIELD && s.name.value !== '__typename') keys.add(s.alias?.value ?? s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) for (const key of responseKeys(s.selectionSet.selections)) keys.add(key);
  }
  return [...keys];
}

/**
 * Where a failed fetch leaves nulls: the root fields of a root fetch (`[field]`), or the
 * fields asked of each entity (`[_entities, i, field]`, which the gateway maps to the
 * entity's place in the answer).
 */
function failedPaths(document: DocumentNode | undefined, query: string, entities: number | undefined): (string | number)[][] {
  let doc = document;
  try {
    doc ??= parse(query);
  } catch {
    return [];
  }
  const operation = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  if (entities === undefined) return responseKeys(operation.selectionSet.selections).map((key) => [key]);
  const entitiesField = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  const fields = entitiesField?.kind === Kind.FIELD && entitiesField.selectionSet ? responseKeys(entitiesField.selectionSet.selections) : [];
  const paths: (string | number)[][] = [];
  for (let i = 0; i < entities; i++) {
    if (fields.length === 0) paths.push(['_entities', i]);
    for (const field of fields) paths.push(['_entities', i, field]);
  }
  return paths;
}

/** One fetch of a query plan, or a request of the gateway's own (no client request behind it). */
export interface FetchOptions {
  request: GatewayGraphQLRequest;
  /** The client request the fetch is part of, when there is one (its cache policy takes the subgraph's hints). */
  incomingRequestContext?: { overallCachePolicy?: unknown };
  context?: GatewayContext;
  /** The fetch's operation, parsed, when the plan has it. */
  document?: DocumentNode;
}

type Options = FetchOptions;
type IncomingOptions = FetchOptions & { incomingRequestContext: { overallCachePolicy?: unknown }; context: GatewayContext };

function isIncoming(options: Options): options is IncomingOptions {
  return options.incomingRequestContext !== undefined && options.context !== undefined;
}

/** Restricts the request's cache policy by a subgraph's `cache-control` answer (as @apollo/gateway does). */
function restrictCachePolicy(options: Options, cacheControl: string | undefined): void {
  if (!isIncoming(options)) return;
  const policy = options.incomingRequestContext.overallCachePolicy as { restrict?(hint: unknown): void } | undefined;
  if (!policy?.restrict) return;
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  for (const part of (cacheControl ?? '').split(',')) {
    const [key, value] = part.trim().toLowerCase().split('=');
    if (key === 'max-age' && /^[0-9]+$/.test(value ?? '')) hint.maxAge = Number(value);
    if (key === 'private') hint.scope = 'PRIVATE';
    if (key === 'public') hint.scope = 'PUBLIC';
  }
  policy.restrict(hint as never);
}

/**
 * Fetches from one subgraph: vouches for the caller with the request's signed internal
 * token, forwards the request id and trace context, shares identical in-flight queries,
 * and turns a subgraph that is down or slow into SUBGRAPH_UNAVAILABLE field errors
 * instead of a failed request.
 */
export class SubgraphSource {
  readonly client: SubgraphClient;
  private readonly dedup: boolean;
  private readonly mergeFetches: boolean;
  private readonly onResponseHeaders: SubgraphSourceOptions['onResponseHeaders'];

  constructor(options: SubgraphSourceOptions) {
    const operations = options.operations ?? OPERATIONS_DEFAULTS;
    const transport =
      operations.subgraphFetcher === 'undici' && options.transport
        ? options.transport
        : // Node's built-in fetch, for side-by-side comparisons
          fetchTransport(fetch as never);
    this.client = new SubgraphClient(options.name, options.url, transport, operations);
    this.dedup = operations.dedup;
    this.mergeFetches = operations.mergeFetches;
    this.onResponseHeaders = options.onResponseHeaders;
  }

  async process(options: Options): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [key, value] of request.http.headers) headers[key.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    // Health checks and schema loading run outside a client request and carry no context.
    if (isIncoming(options) && options.context.internalToken) {
      const ctx = options.context;
      headers[INTERNAL_TOKEN_HEADER] = await ctx.internalToken!;
      if (ctx.requestId) headers[REQUEST_ID_HEADER] = ctx.requestId;
      // with tracing on, the subgraph joins the fetch span's trace; otherwise the request's own trace context
      const carrier: Record<string, string> = {};
      propagation.inject(otelContext.active(), carrier);
      const traceparent = carrier.traceparent ?? ctx.traceparent;
      if (traceparent) headers.traceparent = traceparent;
    }
    if (!request.query) throw new Error('Missing query');
    if (!this.mergeFetches || !isIncoming(options) || !context) return this.processOne({ options, headers });
    const fetches = requestFetchesOf(context);
    fetches.inFlight++;
    try {
      // an entity fetch is gathered with the others of its turn, unless the plan has no other fetch to this subgraph
      const gathered = isEntityFetch(request) && !fetches.single.has(this.client.name);
      return await (gathered ? (await this.waitingOf(context).batch.load({ options, headers })).answer : this.processOne({ options, headers }));
    } finally {
      fetches.inFlight--;
      fetches.settled();
    }
  }

  /** Sends one fetch as it is. */
  private async processOne({ options, headers }: Pending): Promise<GatewayGraphQLResponse> {
    try {
      return await this.sendFor({ options, headers }, options.request);
    } catch (error) {
      if (!(error instanceof SubgraphUnavailableError) || !isIncoming(options)) throw error;
      return unavailableResponse(error, options.request, options.document);
    }
  }

  /** Sends `request` on behalf of the fetch `on` (its headers; its request's cache policy takes the answer's). */
  private async sendFor(on: Pending, request: GatewayGraphQLRequest): Promise<GatewayGraphQLResponse> {
    const response = await this.send(on.headers, bodyText(request), request.query!, on.options.context as GatewayContext);
    restrictCachePolicy(on.options, response.cacheControl);
    return response.body;
  }

  /**
   * The request's entity fetches to this subgraph: fetches issued in the same turn of the
   * event loop (the branches of a Parallel plan node) are dispatched together by `batch`,
   * then wait in `fetches` to be sent (see flush).
   */
  private waitingOf(context: object): Waiting {
    const subgraphs = requestFetchesOf(context).waiting;
    let waiting = subgraphs.get(this);
    if (!waiting) {
      const created: Waiting = {
        fetches: [],
        batch: new DataLoader<Pending, Answering>(async (pending) => this.dispatch(created, pending), { cache: false }),
        flush: () => this.flush(context, created),
      };
      subgraphs.set(this, (waiting = created));
    }
    return waiting;
  }

  /** Each fetch of the turn is answered on its own: one may be held back while another goes out, and a plan may wait for that one. */
  private dispatch(waiting: Waiting, pending: readonly Pending[]): Answering[] {
    const answering = pending.map((p) => ({
      answer: new Promise<GatewayGraphQLResponse>((resolve, reject) =>
        waiting.fetches.push({ ...p, resolve: (answer) => (answer instanceof Error ? reject(answer) : resolve(answer)) }),
      ),
    }));
    waiting.flush();
    return answering;
  }

  /**
   * Sends the request's waiting entity fetches to this subgraph in one request, holding
   * back those nothing in the plan waits for (see trailingFetches) while other fetches of
   * the request are still out: their answers may lead to another fetch to this subgraph,
   * which a held fetch then goes out with. A held fetch does not ride along with a fetch
   * the plan waits for, which would leave the later one to go out alone (and which one
   * comes first depends on how fast the subgraphs answer). Once nothing else of the
   * request is out, every waiting fetch goes out; so holding never stalls a plan.
   */
  private flush(context: object, waiting: Waiting): void {
    if (!waiting.fetches.length) return;
    const fetches = requestFetchesOf(context);
    const othersOut = fetches.inFlight - fetches.held(waiting) - waiting.fetches.length;
    const batch: Gathered[] = [];
    const held: Gathered[] = [];
    for (const w of waiting.fetches) (othersOut > 0 && fetches.trailing.has(w.options.request.query!) ? held : batch).push(w);
    if (!batch.length) return;
    waiting.fetches = held;
    void this.sendTogether(batch).then(
      (answers) => batch.forEach((w, i) => w.resolve(answers[i])),
      // a failure of the merging itself fails these fetches, never leaves them waiting
      (error: unknown) => batch.forEach((w) => w.resolve(error instanceof Error ? error : new Error(String(error)))),
    );
  }

  /**
   * Sends entity fetches in one request: those that differ only in name and
   * representations as one `_entities` call (see mergeEntityFetches), and the different
   * selections side by side under aliases (see combineEntityFetches).
   */
  private async sendTogether(batch: readonly Pending[]): Promise<(GatewayGraphQLResponse | Error)[]> {
    if (batch.length === 1) return [await this.processOne(batch[0]).catch((error: Error) => error)];
    const groups = new Map<string, number[]>();
    batch.forEach((p, i) => {
      const key = mergeKey(p.options.request);
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    // a stable order: the same plan always sends the same body (so identical requests can share it)
    const ordered = [...groups.entries()].sort((a, b) => compare(a[0], b[0])).map(([, members]) => members);
    const merged = ordered.map((members) => {
      if (members.length === 1) return { members, request: batch[members[0]].options.request, split: (answer: GatewayGraphQLResponse) => [answer] };
      subgraphFetchMerged.inc({ subgraph: this.client.name }, members.length - 1);
      members.sort((a, b) => compare(batch[a].options.request.query!, batch[b].options.request.query!));
      return { members, ...mergeEntityFetches(members.map((i) => batch[i].options.request)) };
    });
    const lead = batch[merged[0].members[0]];
    const combined = merged.length > 1 ? combineEntityFetches(merged.map((m) => m.request)) : null;
    let groupAnswers: (GatewayGraphQLResponse | Error)[];
    if (combined) {
      subgraphFetchMerged.inc({ subgraph: this.client.name }, merged.length - 1);
      groupAnswers = await this.sendCombined(lead, combined, merged.map((m) => m.request));
    } else {
      groupAnswers = await Promise.all(
        merged.map((m) => {
          const first = batch[m.members[0]];
          return this.processOne({ options: { ...first.options, request: m.request }, headers: first.headers }).catch((error: Error) => error);
        }),
      );
    }
    const answers: (GatewayGraphQLResponse | Error)[] = new Array(batch.length);
    merged.forEach((m, g) => {
      const answer = groupAnswers[g];
      // every member belongs to the lead's request: its cache policy was restricted by the answer
      const parts = answer instanceof Error ? m.members.map(() => answer) : m.split(answer);
      m.members.forEach((i, k) => (answers[i] = parts[k]));
    });
    return answers;
  }

  /** Sends fetches combined into one operation; each gets its own answer, or its own SUBGRAPH_UNAVAILABLE answer. */
  private async sendCombined(
    lead: Pending,
    combined: NonNullable<ReturnType<typeof combineEntityFetches>>,
    requests: GatewayGraphQLRequest[],
  ): Promise<(GatewayGraphQLResponse | Error)[]> {
    try {
      return combined.split(await this.sendFor(lead, combined.request));
    } catch (error) {
      if (error instanceof SubgraphUnavailableError && isIncoming(lead.options)) return requests.map((request) => unavailableResponse(error, request));
      return requests.map(() => error as Error);
    }
  }

  private async send(
    headers: Record<string, string>,
    body: string,
    query: string,
    context: GatewayContext,
  ): Promise<{ body: GatewayGraphQLResponse; cacheControl?: string }> {
    const isQuery = !/^\s*mutation\b/.test(query);
    const dedupKey = this.dedup && isQuery ? sharingKey(headers, body, context) : undefined;
    const raw = await this.client.fetch(headers, body, { isQuery, dedupKey });
    if (context) this.onResponseHeaders?.(raw.headers, context);
    const json = (raw.headers['content-type'] ?? '').includes('json');
    let parsed: unknown;
    try {
      // a copy of its own: the engine merges into what it receives
      parsed = json ? jsonOf(raw) : raw.text;
    } catch {
      parsed = raw.text;
    }
    if (raw.status >= 400) {
      const extensions: Record<string, unknown> = { response: { url: this.client.url, status: raw.status, body: parsed } };
      if (raw.status === 401) extensions.code = 'UNAUTHENTICATED';
      else if (raw.status === 403) extensions.code = 'FORBIDDEN';
      throw new GraphQLError(`${raw.status}: ${raw.statusText || 'subgraph error'}`, { extensions });
    }
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`Expected JSON response body, but received: ${raw.text.slice(0, 200)}`);
    return { body: parsed as GatewayGraphQLResponse, cacheControl: raw.headers['cache-control'] };
  }
}

/** One entity fetch waiting to be dispatched with the others of its request. */
interface Pending {
  options: Options;
  headers: Record<string, string>;
}

/** A gathered fetch's answer, to come when it has gone out (a wrapper: the turn's batch settles at once, each answer when it comes). */
type Answering = { answer: Promise<GatewayGraphQLResponse> };

/** An entity fetch gathered with the others of its turn, and how it is answered. */
type Gathered = Pending & { resolve(answer: GatewayGraphQLResponse | Error): void };

/** A client request's entity fetches to one subgraph, waiting to be sent. */
interface Waiting {
  /** Filled by a dispatch and emptied by its flush, but for those flush holds back: this subgraph's held fetches. */
  fetches: Gathered[];
  /** Gathers the fetches issued in one turn of the event loop. */
  batch: DataLoader<Pending, Answering>;
  flush(): void;
}

/**
 * A fetch's body, as `JSON.stringify` of its query, variables and operation name would
 * write it, the entity representations spliced in from the texts the engine wrote them as
 * (it keyed them by that text to send each once): nothing is stringified twice. Every list
 * variable with known texts is spliced, whatever its name: fetches combined into one
 * operation carry theirs as `e0_representations`, `e1_representations`, ….
 */
export function bodyText(request: GatewayGraphQLRequest): string {
  const { query, variables, operationName } = request;
  if (!variables || !Object.values(variables).some(textsOf)) {
    const { http: _http, ...payload } = request;
    return JSON.stringify(payload);
  }
  const parts: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    const texts = textsOf(value);
    // JSON.stringify leaves out what it cannot write (undefined)
    const text = texts ? `[${texts.join(',')}]` : JSON.stringify(value);
    if (text !== undefined) parts.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${query === undefined ? '' : `"query":${JSON.stringify(query)},`}"variables":{${parts.join(',')}}${operationName === undefined ? '' : `,"operationName":${JSON.stringify(operationName)}`}}`;
}

/** The JSON texts the engine noted for a list (representationTexts), one per item; undefined for anything else. */
function textsOf(value: unknown): readonly string[] | undefined {
  const texts = Array.isArray(value) ? representationTexts.get(value) : undefined;
  return texts && texts.length === (value as unknown[]).length ? texts : undefined;
}

const NOTHING: ReadonlySet<string> = new Set();

/** What the fetches of one client request share, across subgraphs. */
class RequestFetches {
  /** Fetch operations of the request's plan that may be held back (see trailingFetches). */
  trailing: ReadonlySet<string> = NOTHING;
  /** Subgraphs the request's plan fetches from at one place only (see singleFetchSubgraphs); none known when no plan was noted (a subscription's events). */
  single: ReadonlySet<string> = NOTHING;
  /** Fetches started and not yet answered, held ones included. */
  inFlight = 0;
  /** Each subgraph's entity fetches of the request, by data source; those still in `fetches` after a flush are held back. */
  readonly waiting = new Map<object, Waiting>();
  private checking = false;

  /** How many fetches the request holds back, besides those of `except`'s subgraph. */
  held(except?: Waiting): number {
    let held = 0;
    for (const other of this.waiting.values()) if (other !== except) held += other.fetches.length;
    return held;
  }

  /**
   * A fetch was answered. Once the plan has taken the answer in (and sent what it
   * leads to), each subgraph holding fetches back looks again.
   */
  settled(): void {
    if (this.checking || !this.held()) return;
    this.checking = true;
    setImmediate(() => {
      this.checking = false;
      for (const waiting of this.waiting.values()) waiting.flush();
    });
  }
}

const requestFetches = new WeakMap<object, RequestFetches>();

function requestFetchesOf(context: object): RequestFetches {
  let fetches = requestFetches.get(context);
  if (!fetches) requestFetches.set(context, (fetches = new RequestFetches()));
  return fetches;
}

/** Tells the sources which fetch operations of the request's plan nothing waits for, and which subgraphs it fetches from once (see planFetchesOf). */
export function notePlan(context: object, plan: PlanFetches): void {
  const fetches = requestFetchesOf(context);
  fetches.trailing = plan.trailing;
  fetches.single = plan.single;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Requests share one in-flight answer only when URL (one client per URL), body and every
 * answer-shaping header match, and they come from the same caller: never one user's
 * answer for another.
 */
function sharingKey(headers: Record<string, string>, body: string, context: GatewayContext): string {
  const viewer = context.viewer ?? { scopes: [] };
  const parts = [viewer.userId ?? '', [...(viewer.scopes ?? [])].sort().join(' '), viewer.clientName ?? '', context.client?.name ?? ''];
  for (const key of Object.keys(headers).sort()) if (!PER_REQUEST_HEADERS.has(key)) parts.push(`${key}:${headers[key]}`);
  parts.push(body);
  return parts.join('\n');
}

/**
 * The answer of a subgraph that could not answer: one error per failed path, and for
 * entity fetches each asked field set to null, so plans that @require it go on
 * (the homepage still ranks without membership affinity) instead of dropping the entity.
 */
function unavailableResponse(error: SubgraphUnavailableError, request: GatewayGraphQLRequest, document?: DocumentNode): GatewayGraphQLResponse {
  const extensions = { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph: error.subgraph, reason: error.reason };
  const representations = request.variables?.representations;
  const entities = Array.isArray(representations) ? representations.length : undefined;
  const paths = failedPaths(document, request.query ?? '', entities);
  const errors = paths.length ? paths.map((path) => new GraphQLError(error.message, { path, extensions })) : [new GraphQLError(error.message, { extensions })];
  if (entities === undefined) return { data: null, errors };
  const nulls = Object.fromEntries(paths.filter((p) => p[1] === 0 && p.length === 3).map((p) => [p[2], null]));
  return { data: { _entities: Array.from({ length: entities }, () => ({ ...nulls })) }, errors };
}
