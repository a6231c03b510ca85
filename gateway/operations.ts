/**
 * Operating the gateway while it serves: switching to a changed supergraph file,
 * knowing whether subgraphs answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../platform/log.ts';
import type { SubgraphSource } from './engine/subgraph-source.ts';
import { supergraphReloads } from './metrics.ts';

/**
 * Watches the supergraph file and hands each new version to `update`. The engine
 * rejects an invalid supergraph (update throws) and keeps serving the old one; requests
 * in flight finish on the schema they started with.
 */
export function watchSupergraph(file: string, initial: string, update: (sdl: string) => void, logger: Logger): { close(): void } {
  let current = initial;
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    let sdl: string;
    try {
      sdl = fs.readFileSync(file, 'utf8');
    } catch {
      return; // between an editor's delete and write; the next event brings the file back
    }
    if (sdl === current) return;
    try {
      update(sdl);
      current = sdl;
      supergraphReloads.inc({ outcome: 'applied' });
      logger.info({ supergraph: file }, 'supergraph reloaded');
    } catch (error) {
      // remember it so the same bad file is reported once, and the old schema keeps serving
      current = sdl;
      supergraphReloads.inc({ outcome: 'rejected' });
      logger.error({ supergraph: file, err: error instanceof Error ? error.message : String(error) }, 'supergraph rejected; still serving the previous one');
    }
  };
  // the folder, not the file: editors replace files by renaming, and a Kubernetes ConfigMap
  // swaps a `..data` symlink, so any change in the folder triggers a (cheap) comparison
  const watcher = fs.watch(path.dirname(file), () => {
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/** Whether each subgraph answers its `/health` now (an open circuit counts as down). */
export async function reachability(sources: SubgraphSource[], timeoutMs = 1000): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    sources.map(async (source): Promise<[string, boolean]> => {
      if (source.client.breaker.isOpen) return [source.client.name, false];
      try {
        const res = await fetch(new URL('/health', source.client.url), { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        return [source.client.name, res.ok];
      } catch {
        return [source.client.name, false];
      }
    }),
  );
  return Object.fromEntries(entries);
}
