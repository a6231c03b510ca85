/**
 * The engine's query plans, cached per supergraph, document and operation in a
 * least-recently-used cache bounded by an estimate of the heap each entry holds, and
 * reported in /metrics as `query_plan` (entries, bytes, budget; hits and misses in
 * plaza_cache_lookups_total).
 */
import type { Operation } from '@apollo/federation-internals';
import type { QueryPlan } from '@apollo/query-planner';
import type { OperationDefinitionNode } from 'graphql';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

/** A plan and what executing it needs that depends on the operation only. */
export interface PlanEntry {
  readonly plan: QueryPlan;
  /** The operation as shaping walks it (built once, so its compiled steps are reused). */
  readonly operation: Operation;
  readonly definition: OperationDefinitionNode;
  /**
   * The operation the client sent, when authorization reduced it before planning: answers
   * are shaped over it, so denied fields are completed in the same pass.
   */
  readonly answerOperation?: Operation;
  /** Size of the plan's JSON text, for the estimate. */
  readonly planBytes: number;
}

/**
 * A cached entry's heap, measured (heap in use after collections, over 2,000 small
 * one-fetch operations and 40 nested city feeds, each planned and run once): about twelve
 * bytes per byte of the plan's JSON text for the plan, the operation and its compiled
 * steps together, plus two kilobytes.
 */
export const PLAN_HEAP = { perJsonByte: 12, fixed: 2048 } as const;

/** Approximate heap of a cached entry. */
export function planEntryBytes(key: string, entry: PlanEntry): number {
  // a second operation (with its steps) is counted as much again as the plan, an upper bound
  const operations = entry.answerOperation ? 2 : 1;
  return ENTRY_BYTES + stringBytes(key) + PLAN_HEAP.fixed + entry.planBytes * PLAN_HEAP.perJsonByte * operations;
}

/** A plan cache of at most `maxBytes` of estimated heap. */
export function boundedPlanCache(maxBytes: number): BoundedCache<string, PlanEntry> {
  return new BoundedCache<string, PlanEntry>('query_plan', { maxBytes }, planEntryBytes);
}
