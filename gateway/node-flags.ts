/**
 * Node's flags the gateway runs with, wherever it is started: `npm start`
 * (gateway/cli/start.ts), `npm run gateway`, the container image and its Kubernetes
 * Deployment (gateway/deploy), and the benchmark (bench/processes.ts).
 * test/node-flags.test.ts checks that each of them says the same.
 *
 * `--max-semi-space-size=24` (MiB; V8's default cap is 16): the young generation is where a
 * request's objects live and die: the parsed subgraph answers, the entity representations,
 * the pieces of the answer's text. A collection of it copies whatever is still alive, and
 * under load that is every request in flight; with a larger young generation each
 * collection comes later, more requests have finished by then, and less is copied or
 * promoted to the old generation (where it costs a full collection). On the guild-shaped
 * query at 50 connections the gateway's CPU per request fell by about a quarter (bench
 * figures: docs/benchmark.md), for about 30 MiB more resident memory at its peak.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=24'];
