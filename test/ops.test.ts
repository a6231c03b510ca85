/**
 * Running Plaza the way operators do: health and readiness, request logs that follow a
 * request into the subgraphs, traces, supergraph hot reload and graceful shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { childTraceparent, requestIdOf } from '../platform/log.ts';
import { codesOf, exitOf, freePort, runLoad, sample, waitForLine, type Outcome } from './support/load.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, TEST_JWT_SECRET, type Plaza } from './support/plaza.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const HOME_VARIABLES = { city: 'Shanghai', merchantId: 'm1' };
const root = path.resolve(import.meta.dirname, '..');

let plaza: Plaza | undefined;
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) cleanup();
  await plaza?.stop();
  plaza = undefined;
});

const at = (url: string, route: string) => url.replace('/graphql', route);

function isFull(o: Outcome): boolean {
  return o.status === 200 && !o.body?.errors && o.body?.data?.homepage?.grid?.length > 0 && o.body.data.merchant?.name !== undefined;
}

describe('health and readiness', () => {
  it('/health says the process is alive; /ready says supergraph loaded and which subgraphs answer', async () => {
    plaza = await startPlaza();
    const health = await fetch(at(plaza.gateway.url, '/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(at(plaza.gateway.url, '/ready'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, true])) });
    for (const name of SUBGRAPH_NAMES) {
      const res = await fetch(at(plaza.subgraphs[name].url, '/ready'));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ready', subgraph: name });
      expect((await fetch(at(plaza.subgraphs[name].url, '/health'))).status).toBe(200);
    }

    await plaza.subgraphs.coupons.stop();
    const degraded = await fetch(at(plaza.gateway.url, '/ready'));
    // one subgraph down degrades answers; taking every replica out of the load balancer would not help
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', subgraphs: { coupons: false, users: true } });
  });
});

describe('request logs and trace context', () => {
  it('new request ids and trace contexts are well formed and never repeat, a caller\'s own kept', () => {
    const ids = new Set<string>();
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      ids.add(requestIdOf({ headers: {} } as http.IncomingMessage));
      const [version, trace, span, flags] = childTraceparent(undefined).split('-');
      expect([version, flags]).toEqual(['00', '01']);
      traces.add(trace);
      spans.add(span);
    }
    expect([ids.size, traces.size, spans.size]).toEqual([2_000, 2_000, 2_000]);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    for (const trace of traces) expect(trace).toMatch(/^[0-9a-f]{32}$/);
    for (const span of spans) expect(span).toMatch(/^[0-9a-f]{16}$/);
    expect(requestIdOf({ headers: { 'x-request-id': 'mine-1' } } as unknown as http.IncomingMessage)).toBe('mine-1');
    const incoming = '00-a1b2c3d4e5f60718293a4b5c6d7e8f90-0123456789abcdef-00';
    expect(childTraceparent(incoming)).toMatch(/^00-a1b2c3d4e5f60718293a4b5c6d7e8f90-(?!0123456789abcdef)[0-9a-f]{16}-00$/);
  });

  it('one JSON line per request on the gateway, and the same request id and trace id in every subgraph it reached', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-ops-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, PLAZA_DATA_DIR: dataDir, PLAZA_LOG_LEVEL: 'info' };
    delete env.PLAZA_DATABASE_URL;
    const ports: Record<string, number> = {};
    for (const name of [...SUBGRAPH_NAMES, 'gateway']) ports[name] = await freePort();
    env.PLAZA_GATEWAY_PORT = String(ports.gateway);
    for (const name of SUBGRAPH_NAMES) env[`PLAZA_${name.toUpperCase()}_PORT`] = String(ports[name]);
    const start = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(start);
    let output = '';
    start.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    const [, url] = await waitForLine(start, /Plaza is up: GraphQL at (\S+)/);

    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const { status, headers } = await postJson(url, { query: HOME, variables: HOME_VARIABLES }, {
      'x-request-id': 'ops-log-check-1',
      traceparent: `00-${traceId}-0123456789abcdef-01`,
      'apollographql-client-name': 'homepage-web',
      'apollographql-client-version': '3.1.0',
    });
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toBe('ops-log-check-1');
    const linesOf = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.requestId === 'ops-log-check-1');
    // the processes write their lines as they finish the request: wait until the gateway's and every subgraph's are out
    await expect
      .poll(() => new Set(linesOf(output).map((l) => l.service)).size, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(SUBGRAPH_NAMES.length + 1);
    const lines = linesOf(output);
    const gatewayLine = lines.find((l) => l.service === 'gateway');
    expect(gatewayLine).toMatchObject({ msg: 'request', operationName: 'Home', status: 200, traceId, errorCodes: [] });
    expect(gatewayLine.operationId).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof gatewayLine.durationMs).toBe('number');
    expect(lines.filter((l) => l.service === 'gateway')).toHaveLength(1);
    const reached = new Set(lines.filter((l) => l.service.startsWith('subgraph-')).map((l) => l.service));
    expect([...reached].sort()).toEqual(SUBGRAPH_NAMES.map((n) => `subgraph-${n}`).sort());
    for (const line of lines) expect(line.traceId).toBe(traceId);

    start.kill('SIGTERM');
    expect(await exitOf(start)).toBe(0);
  }, 180_000);
});

describe('tracing', () => {
  it('with PLAZA_OTLP_ENDPOINT set, spans for each gateway phase and subgraph fetch reach the collector', async () => {
    const received: any[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => collector.close());
    const endpoint = `http://127.0.0.1:${(collector.address() as import('node:net').AddressInfo).port}/v1/traces`;
    plaza = await startPlaza({ operations: { logLevel: 'silent', otlpEndpoint: endpoint } });
    const { status } = await plaza.query(HOME, HOME_VARIABLES, { user: 'u1' });
    expect(status).toBe(200);
    await plaza.gateway.stop(); // flushes the batched spans
    const names = new Set<string>();
    for (const r of received) for (const match of r.body.matchAll(/"name":"(gateway\.[a-z]+)"/g)) names.add(match[1]);
    expect(received[0].path).toBe('/v1/traces');
    for (const phase of ['gateway.request', 'gateway.validate', 'gateway.plan', 'gateway.execute', 'gateway.fetch']) expect(names).toContain(phase);
    plaza.gateway.stop = async () => {}; // already stopped
  });
});

describe('supergraph hot reload', () => {
  it('switches to a changed supergraph under load with zero failed requests, and rejects an invalid one while the old keeps serving', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-supergraph-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'supergraph.graphql');
    const original = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
    fs.writeFileSync(file, original);
    plaza = await startPlaza({ supergraphPath: file, operations: { logLevel: 'silent', watchSupergraph: true } });
    const offerQuery = '{ offer(id: "o1-1") { title } }';
    expect((await plaza.query(offerQuery)).body.data.offer.title).toBeTruthy();

    // the same graph without Query.offer (and its description)
    const withoutOffer = original.replace(/\n\s*"""[^"]*"""\s*\n(\s*)offer\(id: ID!\)[^\n]*\n/, '\n');
    expect(withoutOffer).not.toBe(original);
    const metricsText = () => fetch(at(plaza!.gateway.url, '/metrics')).then((r) => r.text());
    const before = await metricsText();

    const reloads = async (outcome: string) => sample(await metricsText(), 'plaza_supergraph_reloads_total', { outcome }) - sample(before, 'plaza_supergraph_reloads_total', { outcome });
    // the load runs until a few requests were answered after each change; what it has seen so far is read by the waits below
    let seen: Outcome[] = [];
    let brokenAt = 0;
    const load = runLoad({
      url: plaza.gateway.url,
      body: { query: HOME, variables: HOME_VARIABLES },
      headers: { authorization: `Bearer ${await plaza.tokenFor('u1')}` },
      workers: 3,
      durationMs: 40_000,
      until: (outcomes) => {
        seen = outcomes;
        return brokenAt > 0 && outcomes.filter((o) => o.sentAt! > brokenAt).length >= 3;
      },
    });
    const answeredSince = (since: number) => seen.filter((o) => o.sentAt! > since).length;
    await expect.poll(() => answeredSince(0), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    fs.writeFileSync(file, withoutOffer);
    // the watcher applied it, and requests ran on the new supergraph
    await expect.poll(() => reloads('applied'), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const appliedAt = Date.now();
    await expect.poll(() => answeredSince(appliedAt), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    fs.writeFileSync(file, 'type Query {'); // broken mid-deploy
    await expect.poll(() => reloads('rejected'), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    brokenAt = Date.now();
    const outcomes = await load;

    expect(outcomes.length).toBeGreaterThan(5);
    expect(outcomes.filter((o) => !isFull(o)).map((o) => o.failure ?? codesOf(o))).toEqual([]);
    const after = await metricsText();
    expect(sample(after, 'plaza_supergraph_reloads_total', { outcome: 'applied' }) - sample(before, 'plaza_supergraph_reloads_total', { outcome: 'applied' })).toBe(1);
    expect(sample(after, 'plaza_supergraph_reloads_total', { outcome: 'rejected' }) - sample(before, 'plaza_supergraph_reloads_total', { outcome: 'rejected' })).toBe(1);
    // the new schema serves (offer is gone), and the invalid file changed nothing
    const gone = await plaza.query(offerQuery);
    expect(gone.status).toBe(400);
    expect(gone.body.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(isFull({ at: 0, ...(await plaza.query(HOME, HOME_VARIABLES, { user: 'u1' })) })).toBe(true);
  }, 60_000);
});

describe('graceful shutdown', () => {
  it('SIGTERM under load: in-flight requests finish, none is cut mid-way, and the gateway exits 0', async () => {
    plaza = await startPlaza();
    const args = ['--import', 'tsx', 'gateway/main.ts', '--port', '0'];
    for (const [name, sg] of Object.entries(plaza.subgraphs)) args.push('--subgraph', `${name}=${sg.url}`);
    const gateway = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, PLAZA_INTERNAL_SECRET: TEST_INTERNAL_SECRET, PLAZA_JWT_SECRET: TEST_JWT_SECRET, PLAZA_LOG_LEVEL: 'info', PLAZA_SUPERGRAPH_WATCH: 'false' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(gateway);
    let output = '';
    gateway.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    const [, url] = await waitForLine(gateway, /ready at (\S+)/);
    const headers = { authorization: `Bearer ${await plaza.tokenFor('u1')}` };
    // warm up, so the load below has many requests in flight when the signal comes
    for (let i = 0; i < 3; i++) expect((await postJson(url, { query: HOME, variables: HOME_VARIABLES }, headers)).status).toBe(200);

    let signalledAt = 0;
    let seen: Outcome[] = [];
    const load = runLoad({
      url,
      body: { query: HOME, variables: HOME_VARIABLES },
      headers,
      workers: 6,
      durationMs: 40_000,
      keepAlive: true,
      until: (outcomes) => {
        seen = outcomes;
        return signalledAt > 0 && outcomes.some((o) => o.failure === 'refused' && o.sentAt! > signalledAt);
      },
    });
    // the load is under way: its six workers each keep a request in flight, so some are when the signal comes
    await expect.poll(() => seen.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(12);
    signalledAt = Date.now();
    gateway.kill('SIGTERM');
    const [outcomes, code] = await Promise.all([load, exitOf(gateway)]);

    expect(code).toBe(0);
    const answered = outcomes.filter((o) => o.status !== undefined);
    // every answer that started is whole and complete
    expect(answered.filter((o) => !isFull(o)).map((o) => o.failure ?? JSON.stringify(o.body).slice(0, 300))).toEqual([]);
    // requests in flight at the signal were answered, not dropped
    expect(answered.some((o) => o.sentAt! < signalledAt && o.at > signalledAt)).toBe(true);
    // after that, new connections are refused rather than accepted and dropped
    expect(outcomes.filter((o) => o.failure === 'cut' || o.failure === 'bad-json')).toEqual([]);
    const logged = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'request');
    expect(logged.filter((l) => l.aborted)).toEqual([]);
    expect(logged.length).toBe(answered.length + 3);
    expect(answered.length).toBeGreaterThan(6);
  }, 60_000);
});
