/**
 * Plaza's federation engine, behind Apollo Server's gateway interface (`load`,
 * `onSchemaLoadOrUpdate`, `stop`): it loads a supergraph (and any later version of it),
 * plans operations with @apollo/query-planner, caches the plans, runs them against the
 * subgraphs and shapes the answers. See README.md beside this file.
 */
import { operationFromDocument, type FieldSelection, type Operation } from '@apollo/federation-internals';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { Kind, type DocumentNode, type GraphQLError, type OperationDefinitionNode, type SelectionNode, type VariableDefinitionNode } from 'graphql';
import type { BoundedCache } from '../../platform/caches.ts';
import type { GatewayContext } from '../context.ts';
import { recordCacheLookup } from '../metrics.ts';
import type { RegisteredOperation } from '../manifests.ts';
import { runNode, type Run, type Variables } from './execute.ts';
import { inOperationOrder, primarySelection, runDeferred, topDefer } from './defer.ts';
import { graphql } from './graphql.ts';
import { boundedPlanCache, type PlanEntry } from './plan-cache.ts';
import { shapePart, writeResponse, type IntrospectionHandling } from './shaping.ts';
import { liveEvents } from './live.ts';
import type { UpstreamSubscriptions } from './upstream.ts';
import type { SubscriptionNode } from '@apollo/query-planner';
import { WrittenData } from './answer-text.ts';
import { evaluateCondition } from '@apollo/query-planner';
import { loadSupergraph, type LoadedSupergraph } from './supergraph.ts';
import { inSpan } from './tracing.ts';
import { planFetchesOf } from './fetch-merging.ts';
import { notePlan, type SubgraphSource } from './subgraph-source.ts';

export interface EngineOptions {
  /** The supergraph's text. */
  supergraphSdl: string;
  /** The source that fetches from a subgraph (called once per subgraph of each supergraph loaded). */
  source(subgraph: { name: string; url: string }): SubgraphSource;
  /** Memory budget of the plan cache, in bytes of estimated heap. */
  planCacheBytes: number;
  /** Record OpenTelemetry spans of each phase (when an exporter is registered). Default false. */
  tracing?: boolean;
  /** Hold back fetches nothing in the plan waits for, to go out with the request's next fetch to their subgraph (see subgraph-source.ts). */
  mergeFetches?: boolean;
  /** Subscriptions to a subgraph (called once per subgraph of each supergraph loaded, when a subscription first needs it). */
  upstream?(subgraph: { name: string; url: string }): UpstreamSubscriptions;
  /** Most events of one subscription that may wait for its client before it is dropped (SLOW_CONSUMER). Default 64. */
  maxPendingEvents?: number;
}

/** What a request runs against: one supergraph and everything built from it. */
interface Served {
  loaded: LoadedSupergraph;
  sources: Map<string, SubgraphSource>;
  /** Subscriptions to each subgraph, opened when first needed. */
  upstream: Map<string, UpstreamSubscriptions>;
  /** The URL the supergraph gives each subgraph (its source may reach it elsewhere, by configuration). */
  urls: Map<string, string>;
}

type RequestContext = GatewayGraphQLRequestContext<GatewayContext>;

/** The document a request executes: its own, or the one authorization reduced it to (with its own plan). */
function executedDocument(request: RequestContext): { document: DocumentNode; variant: string } {
  const authorized = request.context?.authorizedDocument;
  return authorized ? { document: authorized.document, variant: authorized.variant } : { document: request.document, variant: '' };
}

/** When authorization reduced the document and says which fields it denied: the client's own document, over which the answer is shaped. */
function answeredDocument(request: RequestContext): DocumentNode | undefined {
  return request.context?.authorizedDocument?.authorization ? request.document : undefined;
}

/** Whether the client takes an answer in parts (`multipart/mixed` with `deferSpec=20220824`, as Apollo Client asks). */
function acceptsIncremental(request: RequestContext): boolean {
  const accept = request.request.http?.headers.get('accept') ?? '';
  return /multipart\/mixed/i.test(accept) && /deferSpec=20220824/i.test(accept);
}

/** The variables an introspection selection uses, from the operation's definitions. */
function usedVariables(selection: SelectionNode, definitions: readonly VariableDefinitionNode[] | undefined): VariableDefinitionNode[] {
  const used = new Set<string>();
  graphql.visit(selection, { Variable: (node) => void used.add(node.name.value) });
  return (definitions ?? []).filter((definition) => used.has(definition.variable.name.value));
}

/** An operation as shaping walks it (as written, fragments kept), built once per plan. */
function shapingOperation(loaded: LoadedSupergraph, definition: OperationDefinitionNode, document: DocumentNode): Operation {
  return operationFromDocument(loaded.apiSchema, { kind: Kind.DOCUMENT, definitions: [definition, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] }, { validate: false });
}

export class PlazaEngine implements GatewayInterface {
  private served: Served | undefined;
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private readonly plans: BoundedCache<string, PlanEntry>;
  /** Registered operations planned ahead for the current supergraph (a reload of the manifests plans only new ones). */
  private warmed = new Set<string>();

  constructor(private readonly options: EngineOptions) {
    this.plans = boundedPlanCache(options.planCacheBytes);
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  async load(): Promise<GatewayLoadResult> {
    this.update(this.options.supergraphSdl);
    // Apollo Server's contexts are Plaza's GatewayContext (gateway/server.ts builds them)
    const tracing = this.options.tracing ?? false;
    return { executor: (request) => inSpan(tracing, 'gateway.request', request.operationName ? { 'graphql.operation.name': request.operationName } : {}, () => this.execute(request as RequestContext)) };
  }

  async stop(): Promise<void> {
    this.plans.close();
    await Promise.all([...(this.served?.upstream.values() ?? [])].map((upstream) => upstream.close()));
  }

  /** The subgraph sources of the supergraph served now. */
  sources(): SubgraphSource[] {
    return [...(this.served?.sources.values() ?? [])];
  }

  /**
   * Serves `sdl` from now on; throws (and keeps serving the previous one) when it is
   * invalid. Requests in flight finish on the supergraph they started with.
   */
  update(sdl: string): void {
    const loaded = loadSupergraph(sdl);
    const previous = this.served;
    const sources = new Map<string, SubgraphSource>();
    const urls = new Map<string, string>();
    for (const subgraph of loaded.subgraphs) {
      // a subgraph the new supergraph places where the old one did keeps its source (connections, in-flight sharing, circuit)
      const kept = previous?.urls.get(subgraph.name) === subgraph.url ? previous?.sources.get(subgraph.name) : undefined;
      sources.set(subgraph.name, kept ?? this.options.source(subgraph));
      urls.set(subgraph.name, subgraph.url);
    }
    // subscriptions live on the supergraph they started with; a subgraph the new one places where the old one did keeps its socket
    const upstream = new Map<string, UpstreamSubscriptions>();
    for (const [name, kept] of previous?.upstream ?? []) if (previous?.urls.get(name) === urls.get(name)) upstream.set(name, kept);
    this.served = { loaded, sources, urls, upstream };
    // plans are keyed by supergraph: the old ones can only take room now
    this.plans.clear();
    this.warmed = new Set();
    for (const listener of this.listeners) listener({ apiSchema: loaded.schema, coreSupergraphSdl: sdl });
  }

  /** Plans registered operations not planned ahead yet, between requests; returns how many were planned. A plan that fails is planned (and fails) on first use. */
  async warm(operations: readonly RegisteredOperation[], onError: (operation: string, error: unknown) => void): Promise<number> {
    let planned = 0;
    for (const op of operations) {
      const served = this.served;
      if (!served) return planned;
      // a registered operation's id is the sha256 of its text, which is Apollo Server's query hash
      const overrides = this.overridesInForce(served.loaded);
      const key = this.planKey(served.loaded, op.id, '', op.name, overrides);
      if (this.warmed.has(key) || this.plans.has(key)) continue;
      this.warmed.add(key);
      try {
        this.plan(served.loaded, key, op.document, op.name, overrides);
        planned++;
      } catch (error) {
        onError(op.name, error);
      }
      // planning is CPU work: let requests in between operations
      await new Promise((resolve) => setImmediate(resolve));
    }
    return planned;
  }

  private planKey(loaded: LoadedSupergraph, queryHash: string, variant: string, operationName: string | undefined, overrides: readonly string[] = []): string {
    return `${loaded.id}:${queryHash}:${variant}:${operationName ?? ''}:${overrides.join(',')}`;
  }

  /**
   * The progressive overrides in force for one request: a `percent(x)` label for x% of
   * requests, drawn per request (0 and 100 are never and always); other labels are off.
   * Plans are cached per set of labels in force.
   */
  private overridesInForce(loaded: LoadedSupergraph): string[] {
    const labels: string[] = [];
    for (const { label, percent } of loaded.overrideLabels) if (percent !== undefined && Math.random() * 100 < percent) labels.push(label);
    return labels;
  }

  private plan(loaded: LoadedSupergraph, key: string, document: DocumentNode, operationName: string | undefined, overrides: readonly string[] = [], answered?: DocumentNode): PlanEntry {
    const definition = graphql.getOperationAST(document, operationName);
    if (!definition) throw new Error(operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.');
    const overrideConditions = new Map(loaded.overrideLabels.map(({ label }) => [label, overrides.includes(label)]));
    const plan = loaded.planner.buildQueryPlan(operationFromDocument(loaded.apiSchema, document, { operationName }), { overrideConditions });
    const answeredDefinition = answered && graphql.getOperationAST(answered, operationName);
    const entry: PlanEntry = {
      plan,
      operation: shapingOperation(loaded, definition, document),
      ...(answered && answeredDefinition ? { answerOperation: shapingOperation(loaded, answeredDefinition, answered) } : {}),
      definition,
      planBytes: JSON.stringify(plan).length,
    };
    this.plans.set(key, entry);
    return entry;
  }

  private async execute(request: RequestContext): Promise<GatewayExecutionResult> {
    const served = this.served!;
    const { loaded } = served;
    const { document, variant } = executedDocument(request);
    const definition: OperationDefinitionNode | null | undefined = graphql.getOperationAST(document, request.request.operationName);
    const variables = request.request.variables ?? {};
    const tracing = this.options.tracing ?? false;
    if (definition?.variableDefinitions?.length) {
      const { errors } = inSpan(tracing, 'gateway.validate', {}, () => graphql.getVariableValues(loaded.schema, definition.variableDefinitions!, variables));
      if (errors?.length) return { errors };
    }
    const overrides = loaded.overrideLabels.length ? this.overridesInForce(loaded) : [];
    const key = this.planKey(loaded, request.queryHash, variant, definition?.name?.value ?? request.request.operationName, overrides);
    let entry = this.plans.get(key);
    recordCacheLookup('query_plan', entry !== undefined);
    if (!entry) {
      try {
        entry = inSpan(tracing, 'gateway.plan', {}, () => this.plan(loaded, key, document, request.request.operationName, overrides, answeredDocument(request)));
      } catch (error) {
        if (error instanceof graphql.GraphQLError) return { errors: [error] };
        throw error;
      }
    }
    const { plan, operation } = entry;
    if (this.options.mergeFetches && plan.node?.kind !== 'Subscription') notePlan(request.context, planFetchesOf(plan));
    const run: Run = {
      request,
      variables,
      operation,
      supergraphSchema: loaded.supergraphSchema,
      sources: served.sources,
      errors: [],
      tracing,
    };
    const introspection = this.introspection(variables, loaded, entry.definition);
    if (plan.node?.kind === 'Subscription') return this.subscribe(request, served, entry, run, plan.node, introspection);
    const data = Object.create(null) as Record<string, unknown>;
    const parts = request.context.incremental;
    const top = parts && acceptsIncremental(request) ? topDefer(plan, (node) => (evaluateCondition(node, operation.variableDefinitions, variables) ? node.ifClause : node.elseClause)) : undefined;
    if (top && parts) {
      // the first part of an answer in parts: the primary selections now, the rest through the request's state
      const deferred = await inSpan(tracing, 'gateway.execute', {}, () => runDeferred(run, top, data, introspection));
      const selection = primarySelection(top, operation);
      const rootType = operation.selectionSet.parentType;
      const result = inSpan(tracing, "gateway.postprocessing", {}, () =>
        this.respond(deferred.primaryErrors, () => {
          const shaped = selection ? shapePart(operation, selection, rootType, variables, data, [], introspection) : { data: {}, errors: [] };
          return { ...shaped, data: inOperationOrder(operation, shaped.data, []) as Record<string, unknown> | null };
        }),
      );
      // a response cache must never keep the first part as if it were the answer
      (request.overallCachePolicy as { restrict?(hint: { maxAge: number }): void } | undefined)?.restrict?.({ maxAge: 0 });
      parts.subsequent = () => deferred.start(result.data ?? null);
      return result;
    }
    const node = plan.node;
    if (node) await inSpan(tracing, 'gateway.execute', {}, () => runNode(run, node, { path: [], data, root: data }));
    return inSpan(tracing, 'gateway.postprocessing', {}, () => this.written(request.context.authorizedDocument, entry, run, data, introspection));
  }

  /** The answer's data written as text in one pass; Plaza's server splices it into the answer (answer-text.ts). */
  private written(authorized: GatewayContext['authorizedDocument'], entry: PlanEntry, run: Run, data: Record<string, unknown>, introspection: IntrospectionHandling): GatewayExecutionResult {
    return this.respond(run.errors, () => {
      // authorization's denied fields completed in the same pass, over the operation the client sent
      const answerOperation = authorized?.authorization ? entry.answerOperation : undefined;
      const { text, answer, errors, denied } = writeResponse(answerOperation ?? entry.operation, run.variables, data, introspection, answerOperation && authorized?.authorization);
      if (answerOperation) authorized!.completed = true;
      return { data: typeof text === 'string' ? (new WrittenData(text, answer) as unknown as Record<string, unknown>) : text, errors, denied };
    });
  }

  /**
   * A subscription: served only to a transport that streams (the request's `live`), where
   * its events are left for the transport to write (live.ts); the answer returned here is
   * only the acknowledgement Apollo Server's pipeline ends with.
   */
  private async subscribe(request: RequestContext, served: Served, entry: PlanEntry, run: Run, node: SubscriptionNode, introspection: IntrospectionHandling): Promise<GatewayExecutionResult> {
    const live = request.context.live;
    const context = request.context;
    if (!live) return { errors: [new graphql.GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) or server-sent events', { extensions: { code: 'BAD_REQUEST' } })] };
    const upstream = this.upstreamOf(served, node.primary.serviceName);
    if (!upstream) return { errors: [new graphql.GraphQLError(`Subgraph "${node.primary.serviceName}" serves no subscriptions here`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
    // the subscription outlives Apollo Server's request: its events keep only what their fetches
    // read of the request, never the request's context, which Apollo's per-request machinery hangs on
    const { viewer, authorizedDocument } = context;
    const eventContext: GatewayContext = {
      viewer,
      client: context.client,
      internalToken: context.internalToken,
      requestId: context.requestId,
      traceparent: context.traceparent,
      ruleHeaders: context.ruleHeaders,
    };
    let token = (await eventContext.internalToken) ?? '';
    const renew = async () => {
      live.renewToken?.(eventContext);
      token = (await eventContext.internalToken) ?? token;
    };
    live.events = liveEvents({
      // the same viewer subscribing to the same thing twice (two devices) shares one subscription upstream
      key: JSON.stringify([viewer.userId ?? null, viewer.scopes, viewer.clientName ?? null]),
      run: { ...run, request: { context: eventContext } },
      primary: node.primary,
      rest: node.rest,
      upstream,
      token: () => token,
      maxPending: this.options.maxPendingEvents ?? 64,
      renew,
      respond: (eventRun, data) => this.written(authorizedDocument, entry, eventRun, data, introspection),
    });
    // a response cache must never keep a subscription's acknowledgement
    (request.overallCachePolicy as { restrict?(hint: { maxAge: number }): void } | undefined)?.restrict?.({ maxAge: 0 });
    return { data: {} };
  }

  private upstreamOf(served: Served, name: string): UpstreamSubscriptions | undefined {
    let upstream = served.upstream.get(name);
    const url = served.urls.get(name);
    if (!upstream && this.options.upstream && url !== undefined) served.upstream.set(name, (upstream = this.options.upstream({ name, url })));
    return upstream;
  }

  /** How an introspection field (`__schema`, `__type`) of the operation is answered: graphql-js over the API schema. */
  private introspection(variables: Variables, loaded: LoadedSupergraph, definition: OperationDefinitionNode): (selection: FieldSelection) => unknown {
    return (selection) => {
      const node = selection.expandFragments().toSelectionNode();
      const { data: answer, errors } = graphql.executeSync({
        schema: loaded.schema,
        document: {
          kind: Kind.DOCUMENT,
          definitions: [
            {
              kind: Kind.OPERATION_DEFINITION,
              operation: graphql.OperationTypeNode.QUERY,
              variableDefinitions: usedVariables(node, definition.variableDefinitions),
              selectionSet: { kind: Kind.SELECTION_SET, selections: [node] },
            },
          ],
        },
        rootValue: {},
        variableValues: variables,
      });
      if (errors?.length || !answer) throw new Error(`Introspection failed: ${JSON.stringify(errors)}`);
      return answer[node.alias?.value ?? node.name.value];
    };
  }

  /** The answer from the shaped data, Apollo's policy: errors of fetches first; shaping's errors only when no fetch failed, as extensions.valueCompletion. */
  private respond(
    fetchErrors: readonly (GraphQLError | Error)[],
    shape: () => { data: Record<string, unknown> | null | undefined; errors: GraphQLError[]; denied?: GraphQLError[] },
  ): GatewayExecutionResult {
    let shaped: ReturnType<typeof shape>;
    try {
      shaped = shape();
    } catch (error) {
      if (error instanceof graphql.GraphQLError) return { errors: [error] };
      return { errors: [new graphql.GraphQLError(error instanceof Error ? error.message : 'Unexpected error during query plan execution', { originalError: error as Error })] };
    }
    // denied fields' errors first, as authorization reports them
    const errors = [...(shaped.denied ?? []), ...(fetchErrors as GraphQLError[])];
    const reported = errors.length ? { errors } : {};
    if (fetchErrors.length === 0 && shaped.errors.length > 0) return { ...reported, extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return { ...reported, data: shaped.data };
  }
}
