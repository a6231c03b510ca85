/**
 * The benchmark's plain @apollo/gateway as a process of its own:
 *   node --import tsx bench/baseline-gateway.ts   (PLAZA_SUPERGRAPH, PLAZA_GATEWAY_PORT, PLAZA_SUBGRAPH_URL_<NAME>)
 * With BENCH_RECORD=true it also serves the subgraph requests it sent at
 * http://<host>:<BENCH_RECORD_PORT>/recorded, so the benchmark can replay single fetches.
 */
import fs from 'node:fs';
import http from 'node:http';
import { readGatewayConfig } from '../gateway/config.ts';
import { startPlainGateway } from './plain-gateway.ts';
import { settingsFor } from '../platform/settings.ts';

const config = readGatewayConfig();
const bench = settingsFor(['BENCH_RECORD', 'BENCH_RECORD_PORT']);
const gateway = await startPlainGateway({
  supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8'),
  subgraphUrls: config.subgraphUrls,
  internalSecret: config.internalSecret,
  jwtSecret: config.jwtSecret,
  port: config.port,
  host: config.host,
  record: bench.BENCH_RECORD,
});

if (bench.BENCH_RECORD) {
  http
    .createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(gateway.takeRecorded()));
    })
    .listen(bench.BENCH_RECORD_PORT, config.host);
}
console.log(`plain gateway ready at ${gateway.url}`);
const stop = async () => {
  await gateway.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
