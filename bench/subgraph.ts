/**
 * One subgraph process for the benchmark: the ordinary subgraph, plus counters of the
 * HTTP requests it served and the SQL statements those requests ran, reported to the benchmark
 * over the IPC channel ({ type: 'stats' } -> { requests, statements }).
 */
import { readSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { runUntilSignalled, useSubgraphHeapTarget } from '../platform/process.ts';
import { startSubgraph } from '../subgraphs/kit/server.ts';
import { definitionOf } from '../subgraphs/registry.ts';

useSubgraphHeapTarget();
const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: bench/subgraph.ts <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}

runUntilSignalled(async () => {
  const running = await startSubgraph(await definitionOf(name), readSubgraphConfig(name));
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') process.send?.({ type: 'stats', name, requests: running.requests(), statements: running.statements() });
  });
  console.log(`${name} subgraph ready at ${running.url} (${running.database.kind})`);
  return running;
});
