/**
 * Bounded load for the operations tests: a few concurrent workers send requests until a
 * deadline (or until told to stop), recording what each answer was. Never unbounded.
 */
import http from 'node:http';

export interface Outcome {
  /** When the answer (or failure) arrived (Date.now()). */
  at: number;
  /** When the request was sent (Date.now()). */
  sentAt?: number;
  /** HTTP status, absent when no answer started. */
  status?: number;
  body?: any;
  /** A network failure: `refused` before anything was sent, `cut` after the answer started. */
  failure?: 'refused' | 'reset-before-answer' | 'cut' | 'bad-json';
}

export interface LoadOptions {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  workers?: number;
  /** Hard limit of the whole run. */
  durationMs: number;
  /** Reuse connections (keep-alive) or open one per request. Default true. */
  keepAlive?: boolean;
  /** Stops early when it returns true (checked after each answer). */
  until?: (outcomes: Outcome[]) => boolean;
}

/** One POST over node:http, telling apart "never answered" from "answer cut mid-way". */
export function post(url: string, body: string, headers: Record<string, string>, agent: http.Agent): Promise<Omit<Outcome, 'at'>> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode, failure: 'bad-json' });
        }
      });
      res.on('error', () => resolve({ status: res.statusCode, failure: 'cut' }));
      res.on('aborted', () => resolve({ status: res.statusCode, failure: 'cut' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ failure: error.code === 'ECONNREFUSED' ? 'refused' : 'reset-before-answer' });
    });
    req.end(body);
  });
}

export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.workers ?? 8 });
  const body = JSON.stringify(options.body);
  const outcomes: Outcome[] = [];
  const deadline = Date.now() + options.durationMs;
  let stop = false;
  async function worker(): Promise<void> {
    while (!stop && Date.now() < deadline) {
      const sentAt = Date.now();
      const outcome = await post(options.url, body, options.headers ?? {}, agent);
      outcomes.push({ at: Date.now(), sentAt, ...outcome });
      if (options.until?.(outcomes)) stop = true;
      // a refused connection means nothing listens at the URL any more (the gateway was stopped): this worker is done,
      // where retrying at once would only spin
      if (outcome.failure === 'refused') break;
    }
  }
  await Promise.all(Array.from({ length: options.workers ?? 8 }, worker));
  agent.destroy();
  return outcomes;
}

/** Every `extensions.code` of an answer. */
export function codesOf(outcome: Outcome): string[] {
  return (outcome.body?.errors ?? []).map((e: any) => e.extensions?.code);
}

/** Sum of the samples of a Prometheus metric whose labels include all of `labels`. */
export function sample(metricsText: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * A free TCP port on 127.0.0.1 for a process the test starts later. It is picked below the
 * kernel's ephemeral range: a port from listen(0) belongs to that range, where the many
 * outgoing connections of tests running alongside could take it before the process binds it.
 */
export async function freePort(): Promise<number> {
  const fs = await import('node:fs');
  const net = await import('node:net');
  const range = fs.existsSync(EPHEMERAL_RANGE) ? fs.readFileSync(EPHEMERAL_RANGE, 'utf8') : '';
  const below = Number(range.trim().split(/\s+/)[0]) || 32768;
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (await bindable(port)) return port;
  }
}
const EPHEMERAL_RANGE = '/proc/sys/net/ipv4/ip_local_port_range';

/** Resolves with the first match of `pattern` in a child's stdout (or rejects when it exits first). */
export function waitForLine(child: import('node:child_process').ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${seen.slice(-2000)}`));
    });
  });
}

export function exitOf(child: import('node:child_process').ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
