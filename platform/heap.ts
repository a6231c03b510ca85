/**
 * How much garbage a Plaza process lets pile up. Left to itself, V8 on a machine with
 * plenty of memory lets the old generation grow to several times its live data before the
 * next full collection, so a process whose caches are all bounded still climbs by hundreds
 * of megabytes under a stream of new documents (cache entries live long enough to be
 * promoted, then die). A fixed cap on that growth is costly when the heap is small (a cap
 * of 10% cost the gateway 45% more CPU per request on the benchmark's nested feed), so the
 * cap follows a target instead: after each full collection the next one is due once the old
 * generation has grown to the target, though by at least MIN_GROWTH_PERCENT and at most
 * MAX_GROWTH_PERCENT of what it holds live. A small heap doubles freely; a heap near the
 * target grows by a tenth.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import { HEAP_TARGET_DEFAULTS, settingsFor } from './settings.ts';

/** Old-generation heap a process aims to stay under, in MiB. `PLAZA_HEAP_TARGET_MIB`; 0 leaves V8's own growth. */
export const HEAP_TARGET_DEFAULT_MIB = HEAP_TARGET_DEFAULTS.gateway;
/** A subgraph's default: it holds less (a few caches, no plans), so less garbage is let pile up. */
export const SUBGRAPH_HEAP_TARGET_DEFAULT_MIB = HEAP_TARGET_DEFAULTS.subgraph;
/** Growth allowed past the live data at each full collection, in percent, near the target and far below it. */
export const MIN_GROWTH_PERCENT = 10;
export const MAX_GROWTH_PERCENT = 100;

const MiB = 1024 * 1024;

/** The heap target from the environment; a wrong value names its variable. */
export function readHeapTargetMiB(env: NodeJS.ProcessEnv = process.env, fallback: number = HEAP_TARGET_DEFAULT_MIB): number {
  return settingsFor(['PLAZA_HEAP_TARGET_MIB'], env).PLAZA_HEAP_TARGET_MIB ?? fallback;
}

/** The growth to allow past `liveBytes` so the next full collection comes at `targetBytes`, within the bounds. */
export function growthPercentFor(liveBytes: number, targetBytes: number): number {
  if (liveBytes <= 0) return MAX_GROWTH_PERCENT;
  const percent = Math.floor(((targetBytes - liveBytes) / liveBytes) * 100);
  return Math.min(MAX_GROWTH_PERCENT, Math.max(MIN_GROWTH_PERCENT, percent));
}

/** The old generation's bytes in use now (every space but the young generation's). */
function oldGenerationBytes(): number {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) bytes += space.space_used_size;
  return bytes;
}

/**
 * Holds this process's heap to `targetMiB` (see above): sets V8's growth factor
 * (`--heap-growing-percent`, which V8 reads at every full collection; Node keeps its flags
 * writable after start-up) now, and again after each full collection from what survived it.
 * Returns the function that stops following the target.
 */
export function holdHeapTarget(targetMiB: number): () => void {
  if (targetMiB <= 0) return () => {};
  const target = targetMiB * MiB;
  let current = -1;
  const follow = () => {
    const percent = growthPercentFor(oldGenerationBytes(), target);
    if (percent === current) return;
    current = percent;
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  };
  follow();
  const observer = new PerformanceObserver((list) => {
    const major = (entry: PerformanceEntry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
    if (list.getEntries().some(major)) follow();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
