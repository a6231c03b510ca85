/**
 * Warms the gateway's query-plan cache with the plans of registered operations, so the
 * first request of a persisted operation after a start, a manifest change or a supergraph
 * change finds its plan instead of planning while a client waits.
 *
 * @apollo/gateway keeps its plan cache, planner and API schema private; this module is the
 * one place Plaza reaches them, and it files each plan under the key the gateway itself
 * looks up: sha256 of the query text, then with the operation name when one is sent.
 */
import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { RegisteredOperation } from './manifests.ts';

interface GatewayInternals {
  queryPlanStore?: { set(key: string, plan: QueryPlan): Promise<void> };
  queryPlanner?: QueryPlanner;
  apiSchema?: Schema;
}

const sha256 = (...parts: string[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

/** Plans every operation and stores the plans; returns how many were planned. Never throws: a plan that fails is planned on first use. */
export async function warmQueryPlans(gateway: ApolloGateway, operations: readonly RegisteredOperation[], onError: (operation: string, error: unknown) => void): Promise<number> {
  const internals = gateway as unknown as GatewayInternals;
  const { queryPlanStore: store, queryPlanner: planner, apiSchema: schema } = internals;
  if (!store || !planner || !schema) return 0;
  let planned = 0;
  for (const op of operations) {
    try {
      const plan = planner.buildQueryPlan(operationFromDocument(schema, op.document, { operationName: op.name }));
      const queryHash = sha256(op.body);
      // a client may send the operation name or leave it out: the gateway keys the two differently
      await store.set(sha256(queryHash, op.name), plan);
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
