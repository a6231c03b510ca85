/**
 * The processes a benchmark section starts on its own (gateway, subgraphs): free ports,
 * starting one under `node --import tsx` (pinned to CPUs with taskset when asked), waiting
 * until it answers GraphQL, and stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken } from '../subgraphs/kit/internal-token.ts';

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

/** Starts `script` (a path from the repository's root) with `args`; its last output is printed if it fails. */
export function startProcess(script: string, args: string[], env: NodeJS.ProcessEnv, cpus = ''): ChildProcess {
  const nodeArgs = ['--import', 'tsx', path.join(root, script), ...args];
  // taskset execs node, so the child's pid is node's own (for /proc figures)
  const [command, argv] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code) => {
    if (code) console.error(`${script} ${args.join(' ')} exited with ${code}:\n${log}`);
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
