/**
 * Warms the gateway's query-plan cache with the plans of registered operations, so the
 * first request of a persisted operation after a start, a manifest change or a supergraph
 * change finds its plan instead of planning while a client waits.
 *
 * @apollo/gateway keeps its plan cache, planner and API schema private; this module is the
 * one place Plaza reaches them, and it files each plan under the key the gateway itself
 * looks up: sha256 of the query text, then with the operation name when one is sent.
 */
import type { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import { sha256, type RegisteredOperation } from './manifests.ts';

interface GatewayInternals {
  queryPlanStore?: { set(key: string, plan: QueryPlan): Promise<void> };
  queryPlanner?: QueryPlanner;
  apiSchema?: Schema;
}

/**
 * What each planner (one per supergraph) has planned ahead already: a manifest reload
 * re-registers every operation, and only the new ones need planning.
 */
const warmedBy = new WeakMap<QueryPlanner, Set<string>>();

/** Plans every operation not planned ahead yet and stores the plans; returns how many were planned. Never throws: a plan that fails is planned on first use. */
export async function warmQueryPlans(gateway: ApolloGateway, operations: readonly RegisteredOperation[], onError: (operation: string, error: unknown) => void): Promise<number> {
  const internals = gateway as unknown as GatewayInternals;
  const { queryPlanStore: store, queryPlanner: planner, apiSchema: schema } = internals;
  if (!store || !planner || !schema) return 0;
  let warmed = warmedBy.get(planner);
  if (!warmed) warmedBy.set(planner, (warmed = new Set()));
  let planned = 0;
  for (const op of operations) {
    // a registered operation's id is the SHA-256 of its text, which is the gateway's query hash
    const queryHash = op.id;
    const key = sha256(queryHash + op.name);
    if (warmed.has(key)) continue;
    warmed.add(key);
    try {
      const plan = planner.buildQueryPlan(operationFromDocument(schema, op.document, { operationName: op.name }));
      // a client may send the operation name or leave it out: the gateway keys the two differently
      await store.set(key, plan);
      await store.set(queryHash, plan);
      planned++;
    } catch (error) {
      onError(op.name, error);
    }
    // planning is CPU work: let requests in between operations
    await new Promise((resolve) => setImmediate(resolve));
  }
  return planned;
}
