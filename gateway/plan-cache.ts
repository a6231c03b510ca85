/**
 * The gateway's query-plan cache, given to @apollo/gateway through its public option
 * (`queryPlannerConfig.cache`) so that it is bounded by an estimate of the heap its plans
 * hold, and reported in /metrics as `query_plan`. @apollo/gateway's own cache counts a
 * plan as its JSON text, a fraction of what the plan and what hangs off it take.
 */
import type { QueryPlan } from '@apollo/query-planner';
import { BoundedKeyValueCache, ENTRY_BYTES, stringBytes } from '../subgraphs/kit/caches.ts';

/**
 * A cached plan's heap, measured on Plaza's operations (one small fetch, the nested city feed,
 * twenty aliased homepages): about three bytes per byte of its JSON text, plus a kilobyte.
 */
export const PLAN_HEAP = { perJsonByte: 3, fixed: 1024 } as const;

/** Approximate heap of a cached plan. */
export function planBytes(key: string, plan: QueryPlan): number {
  return ENTRY_BYTES + stringBytes(key) + PLAN_HEAP.fixed + Buffer.byteLength(JSON.stringify(plan)) * PLAN_HEAP.perJsonByte;
}

/** A plan cache of at most `maxBytes` of estimated heap. */
export function boundedPlanCache(maxBytes: number): BoundedKeyValueCache<QueryPlan> {
  return new BoundedKeyValueCache<QueryPlan>('query_plan', { maxBytes }, planBytes);
}
