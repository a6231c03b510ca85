/**
 * The gateway as a product: serves any composed supergraph.
 *   npm run gateway -- --supergraph <file> --port <n> [--subgraph name=url ...]
 * Every flag has an environment variable (see docs/settings.md).
 */
import { runUntilSignalled } from '../platform/process.ts';
import { readGatewayConfig } from './config.ts';
import { startGateway } from './server.ts';

runUntilSignalled(async () => {
  const gateway = await startGateway(readGatewayConfig()).catch((error: unknown) => {
    throw new Error(`Plaza gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  });
  console.log(`Plaza gateway ready at ${gateway.url}`);
  return gateway;
});
