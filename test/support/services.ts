/**
 * External servers some tests need (PostgreSQL, Redis). In CI (CI=true) a missing server
 * fails the run loudly; on a developer machine the tests that need it are skipped with a
 * visible notice.
 */
import net from 'node:net';

/** True when something accepts TCP connections at host:port within the timeout. */
export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const POSTGRES = { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432' } as const;
export const REDIS = { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' } as const;

/**
 * Whether tests needing the named server should run: true when it answers; when it does
 * not, throws under CI=true and otherwise prints a notice and returns false (skip).
 */
export async function serviceAvailable(name: 'PostgreSQL' | 'Redis', env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const server = name === 'PostgreSQL' ? POSTGRES : REDIS;
  if (await reachable(server.host, server.port)) return true;
  const message = `${name} is not reachable at ${server.host}:${server.port}`;
  if (env.CI === 'true') throw new Error(`${message}; CI needs it`);
  console.warn(`NOTICE: ${message}; skipping the tests that need it`);
  return false;
}
