/**
 * The two commands people run: `npm start` (whole Plaza as separate processes) and
 * `npm run gateway` (the gateway alone, in front of any subgraphs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { seedMerchant } from '../subgraphs/kit/world.ts';
import { exitOf, freePort, waitForLine } from './support/load.ts';
import { postJson, startPlaza, type Plaza } from './support/plaza.ts';
import { reachable } from './support/services.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const root = path.resolve(import.meta.dirname, '..');

const children: ChildProcess[] = [];
let plaza: Plaza | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await plaza?.stop();
  plaza = undefined;
});

describe('npm start', () => {
  it('creates and seeds the databases, serves the headline query, and stops every process on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-start-'));
    const ports: Record<string, number> = {};
    for (const name of [...SUBGRAPH_NAMES, 'gateway']) ports[name] = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PLAZA_DATA_DIR: dataDir, PLAZA_GATEWAY_PORT: String(ports.gateway) };
    for (const name of SUBGRAPH_NAMES) env[`PLAZA_${name.toUpperCase()}_PORT`] = String(ports[name]);

    const start = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(start);
    const [, url] = await waitForLine(start, /Plaza is up: GraphQL at (\S+)/);

    for (const name of SUBGRAPH_NAMES) expect(fs.existsSync(path.join(dataDir, `${name}.db`))).toBe(true);
    const { status, body } = await postJson(url, { query: HOME, variables: { city: 'Shanghai', merchantId: 'm1' } });
    expect(status).toBe(200);
    expect(body.data.merchant.name).toBe(seedMerchant(0).name);

    start.kill('SIGTERM');
    expect(await exitOf(start)).toBe(0);
    for (const port of Object.values(ports)) expect(await reachable('127.0.0.1', port)).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
    // six processes each compile TypeScript at start: allow for a busy machine
  }, 180_000);
});

describe('npm run gateway', () => {
  it('serves a given supergraph on a given port, reaching subgraphs at overridden URLs', async () => {
    plaza = await startPlaza();
    const args = ['--import', 'tsx', 'gateway/main.ts', '--supergraph', 'schema/supergraph.graphql', '--port', '0'];
    for (const [name, sg] of Object.entries(plaza.subgraphs)) args.push('--subgraph', `${name}=${sg.url}`);
    const gateway = spawn(process.execPath, args, {
      cwd: root,
      // the test subgraphs trust the test secret
      env: { ...process.env, PLAZA_INTERNAL_SECRET: 'test-internal-secret-0123456789abcdef' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(gateway);
    const [, url] = await waitForLine(gateway, /ready at (\S+)/);
    const { body } = await postJson(url, { query: '{ merchant(id: "m2") { name offers(first: 1) { title } } }' });
    expect(body.data.merchant.name).toBe(seedMerchant(1).name);
    expect(body.data.merchant.offers).toHaveLength(1);
    gateway.kill('SIGTERM');
    expect(await exitOf(gateway)).toBe(0);
  });

  it('stops at start-up with a message naming a wrong setting', async () => {
    const gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts', '--port', 'x'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(gateway);
    let err = '';
    gateway.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    expect(await exitOf(gateway)).toBe(1);
    expect(err).toMatch(/PLAZA_GATEWAY_PORT: expected a port number/);
  });
});
