import { holdHeapTarget, readHeapTargetMiB, SUBGRAPH_HEAP_TARGET_DEFAULT_MIB } from './heap.ts';

/**
 * The heap target (see heap.ts), followed from the moment this module loads: every entry
 * point imports it before the rest of Plaza, so it holds from start-up's first full
 * collection, which sets the limit the first requests grow into (V8's own growth there let
 * the gateway's first flood of new documents reach 160 MB of heap before any collection).
 * A wrong setting stops the start (runUntilSignalled).
 */
let stopFollowing = () => {};
let heapTargetError: unknown = null;
function followHeapTarget(fallbackMiB?: number): void {
  try {
    const target = readHeapTargetMiB(process.env, fallbackMiB);
    stopFollowing();
    stopFollowing = holdHeapTarget(target);
    heapTargetError = null;
  } catch (error) {
    heapTargetError = error;
  }
}
followHeapTarget();

/** A subgraph process follows the subgraphs' default target (unless PLAZA_HEAP_TARGET_MIB says otherwise); called first thing by its entry point. */
export function useSubgraphHeapTarget(): void {
  followHeapTarget(SUBGRAPH_HEAP_TARGET_DEFAULT_MIB);
}

/**
 * Process lifecycle shared by every Plaza entry point: stop cleanly on SIGTERM or SIGINT,
 * and, when started by `npm start`, also when the supervisor disappears, so no orphan
 * process outlives it.
 */
export function runUntilSignalled(start: () => Promise<{ stop(): Promise<void> }>): void {
  let running: { stop(): Promise<void> } | null = null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await running?.stop();
      process.exit(0);
    } catch (error) {
      console.error(error);
      process.exit(1);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by `npm start` with an IPC channel: when the supervisor dies, so do we.
  if (process.channel) process.on('disconnect', stop);
  Promise.resolve()
    .then(() => {
      if (heapTargetError) throw heapTargetError;
      return start();
    })
    .then(
      (started) => {
        running = started;
        // a signal that arrived during start-up stops what has just started
        if (stopping) void started.stop().then(() => process.exit(0));
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
}
