/**
 * Starts one subgraph as its own process: `npm run subgraph -- <name>`.
 * Configuration comes from the environment (see docs/settings.md).
 */
import { readSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config.ts';
import { runUntilSignalled, useSubgraphHeapTarget } from '../../platform/process.ts';
import { startSubgraph } from './server.ts';
import { definitionOf } from '../registry.ts';

useSubgraphHeapTarget();
const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: npm run subgraph -- <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}

runUntilSignalled(async () => {
  const running = await startSubgraph(await definitionOf(name), readSubgraphConfig(name)).catch((error: unknown) => {
    throw new Error(`${name} subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  });
  console.log(`${name} subgraph ready at ${running.url} (${running.database.kind})`);
  return running;
});
