/**
 * How much garbage a Plaza process lets pile up. Left to itself, V8 on a machine with
 * plenty of memory lets the old generation grow to several times its live data before the
 * next full collection, so a process whose caches are all bounded still climbs by hundreds
 * of megabytes under a stream of new documents (cache entries live long enough to be
 * promoted, then die). Capping the growth after each full collection keeps the heap within
 * a fixed share of what is live, at the price of more frequent (incremental) collections.
 */
import v8 from 'node:v8';
import { ConfigError } from './config.ts';

/** Heap growth allowed past the live data at each full collection, in percent. `PLAZA_HEAP_GROWTH_PERCENT`; 0 leaves V8's own. */
export const HEAP_GROWTH_DEFAULT_PERCENT = 25;

/** The heap growth setting from the environment; a wrong value names its variable. */
export function readHeapGrowthPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PLAZA_HEAP_GROWTH_PERCENT;
  if (raw === undefined || raw === '') return HEAP_GROWTH_DEFAULT_PERCENT;
  const percent = Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 400) throw new ConfigError('PLAZA_HEAP_GROWTH_PERCENT', 'a whole number 0-400 (0: V8 decides)', raw);
  return percent;
}

/**
 * Applies the growth cap to this process. V8 reads it at every full collection, so it holds
 * from the next one on (Node keeps V8's flags writable after start-up).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
