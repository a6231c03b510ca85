/**
 * The processes a benchmark section starts on its own (gateway, subgraphs): free ports,
 * starting one under `node --import tsx` (pinned to CPUs with taskset when asked), waiting
 * until it answers GraphQL, and stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken } from '../platform/internal-token.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A port nothing listens on now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** How a process is named when it fails, Node's own flags, when a failure is expected (the run is stopping), and the checkout it runs from. */
export interface ProcessOptions {
  label?: string;
  nodeFlags?: string[];
  quiet?: () => boolean;
  /** The repository root `script` is found in and run from (default this checkout). */
  root?: string;
}

/** Starts `script` (a path from the repository's root) with `args`; its last output is printed if it fails. */
export function startProcess(script: string, args: string[], env: NodeJS.ProcessEnv, cpus = '', options: ProcessOptions = {}): ChildProcess {
  const from = options.root ?? root;
  // the gateway runs as it ships (gateway/node-flags.ts; another checkout's gateway too, with this checkout's flags)
  const shipped = script === 'gateway/main.ts' ? GATEWAY_NODE_FLAGS : [];
  const nodeArgs = [...shipped, ...(options.nodeFlags ?? []), '--import', 'tsx', path.join(from, script), ...args];
  // taskset execs node, so the child's pid is node's own (for /proc figures)
  const [command, argv] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, argv, { cwd: from, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code) => {
    if (code && !options.quiet?.()) console.error(`${options.label ?? `${script} ${args.join(' ')}`} exited with ${code}:\n${log}`);
  });
  return child;
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves once `url` answers `{ __typename }` (with an internal token signed by `secret`); rejects if the process exits first or after the timeout. */
export async function waitUntilServing(url: string, child: ChildProcess, secret: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited before serving`);
    try {
      const headers = { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: await signInternalToken(ANONYMOUS, secret) };
      const res = await fetch(url, { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not serve within ${timeoutMs / 1000} s`);
}

/** A Plaza of its own processes (five subgraphs, one gateway), production settings, fresh SQLite files. */
export interface PlazaProcesses {
  /** The gateway's GraphQL URL. */
  url: string;
  /** The gateway's operators' `/metrics` URL. */
  metricsUrl: string;
  gateway: ChildProcess;
  /** In SUBGRAPH_NAMES order. */
  subgraphs: ChildProcess[];
  /** A subgraph's GraphQL URL. */
  urlOf(name: SubgraphName): string;
  /** The internal secret the processes share. */
  secret: string;
  /** Stops every process and removes the data. */
  stop(): Promise<void>;
}

/** Starts a Plaza for a benchmark section: subgraphs on `otherCpus`, the gateway on `gatewayCpus` (taskset lists; '' for any); `settings` adds to its environment. */
export async function startPlazaProcesses(name: string, gatewayCpus: string, otherCpus: string, settings: NodeJS.ProcessEnv = {}): Promise<PlazaProcesses> {
  const secret = crypto.randomBytes(24).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `plaza-bench-${name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PLAZA_INTERNAL_SECRET: secret,
    PLAZA_JWT_SECRET: crypto.randomBytes(24).toString('hex'),
    PLAZA_PAYMENT_PROVIDER_KEY: crypto.randomBytes(24).toString('hex'),
    PLAZA_HOST: '127.0.0.1',
    PLAZA_LOG_LEVEL: 'error',
    // one bench process is one address: the per-IP quota would measure itself
    PLAZA_RATE_LIMIT: 'false',
    PLAZA_DATA_DIR: dataDir,
    ...settings,
  };
  const children: ChildProcess[] = [];
  // a bench stopped half-way (Ctrl-C) leaves no process behind
  const killChildren = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killChildren);
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    process.off('exit', killChildren);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (subgraph) => [subgraph, await freePort()] as const)));
    const urlOf = (subgraph: SubgraphName) => `http://127.0.0.1:${ports[subgraph]}/graphql`;
    const subgraphEnv = { ...env, ...Object.fromEntries(SUBGRAPH_NAMES.map((subgraph) => [`PLAZA_${subgraph.toUpperCase()}_PORT`, String(ports[subgraph])])) };
    const subgraphs = SUBGRAPH_NAMES.map((subgraph) => startProcess('bench/subgraph.ts', [subgraph], subgraphEnv, otherCpus));
    children.push(...subgraphs);
    await Promise.all(SUBGRAPH_NAMES.map((subgraph, i) => waitUntilServing(urlOf(subgraph), subgraphs[i], secret)));
    const [gatewayPort, metricsPort] = [await freePort(), await freePort()];
    const gatewayEnv = {
      ...env,
      PLAZA_GATEWAY_PORT: String(gatewayPort),
      PLAZA_METRICS_PORT: String(metricsPort),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((subgraph) => [`PLAZA_SUBGRAPH_URL_${subgraph.toUpperCase()}`, urlOf(subgraph)])),
    };
    const gateway = startProcess('gateway/main.ts', [], gatewayEnv, gatewayCpus);
    children.push(gateway);
    const url = `http://127.0.0.1:${gatewayPort}/graphql`;
    await waitUntilServing(url, gateway, secret);
    return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, gateway, subgraphs, urlOf, secret, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
