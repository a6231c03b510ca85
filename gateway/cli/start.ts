/**
 * `npm start`: the whole of Plaza on one machine. Starts the five subgraphs and the
 * gateway as separate processes (each subgraph creates and seeds its database when
 * missing), prints the gateway URL, and stops them all on Ctrl-C or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readSubgraphConfig, SUBGRAPH_NAMES } from '../../platform/config.ts';
import { readGatewayConfig } from '../config.ts';
import { GATEWAY_NODE_FLAGS } from '../node-flags.ts';
import { developmentLinks } from './links.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
let stopping = false;

function run(label: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: readonly string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    // the IPC channel tells a child when this supervisor is gone, even after SIGKILL
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${label} exited (${signal ?? code}); stopping Plaza`);
    void stopAll(1);
  });
  children.push(child);
  return child;
}

async function waitForHealth(label: string, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${label} did not become healthy within ${timeoutMs / 1000}s`);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  // Validate every setting before starting anything, so a typo fails fast.
  const subgraphs = SUBGRAPH_NAMES.map((name) => readSubgraphConfig(name));
  const gateway = readGatewayConfig([]);
  for (const sg of subgraphs) run(`${sg.name} subgraph`, 'subgraphs/kit/main.ts', [sg.name]);
  await Promise.all(subgraphs.map((sg) => waitForHealth(`${sg.name} subgraph`, `http://${sg.host}:${sg.port}/health`)));
  // the gateway reaches each subgraph where it was actually started (ports are configurable)
  const urls = Object.fromEntries(subgraphs.map((sg) => [`PLAZA_SUBGRAPH_URL_${sg.name.toUpperCase()}`, `http://${sg.host}:${sg.port}/graphql`]));
  run('gateway', 'gateway/main.ts', [], urls, GATEWAY_NODE_FLAGS);
  await waitForHealth('gateway', `http://${gateway.host}:${gateway.port}/health`);
  if (!stopping) {
    console.log(`\nPlaza is up: GraphQL at http://${gateway.host}:${gateway.port}/graphql  (Ctrl-C stops everything)`);
    for (const link of await developmentLinks(gateway)) console.log(`  ${link.label}: ${link.url}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  await stopAll(1);
}
