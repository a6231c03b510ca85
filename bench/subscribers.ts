/**
 * The subscribers of the subscription benchmark, in a process of their own: many
 * WebSocket connections to the gateway (graphql-transport-ws, written by hand so that the
 * client's own cost stays small), one subscription each, every event's delivery latency
 * taken from its `committedAt`. Driven by bench/subscriptions.ts over IPC:
 *   job → connects every subscriber, answers `connected`;
 *   count → answers how many subscribers have had an event;
 *   reset → forgets what was received; report → answers the figures since the reset.
 */
import WebSocket from 'ws';

export interface SubscribersJob {
  url: string;
  /** One bearer token per connection. */
  tokens: string[];
  query: string;
  /** Connections opening at once. */
  opening: number;
}

export interface SubscribersReport {
  received: number;
  /** Events whose answer carried errors. */
  errors: number;
  /** Delivery latencies in ms: median, 99th percentile, largest. */
  p50: number;
  p99: number;
  max: number;
  /** Connections the gateway closed, by close code. */
  closed: Record<string, number>;
  /** The first event with errors, as received. */
  firstError?: string;
}

const sockets: WebSocket[] = [];
const heard = new Set<number>();
let latencies: number[] = [];
let errors = 0;
let firstError: string | undefined;
/** Events received since start (warm-up included). */
let received = 0;
const closed: Record<string, number> = {};

function connect(job: SubscribersJob, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(job.url, 'graphql-transport-ws');
    sockets[index] = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${job.tokens[index]}` } })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; payload?: { data?: { pointsChanged?: { committedAt: string } }; errors?: unknown[] } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: job.query } }));
        resolve();
      } else if (message.type === 'next') {
        const change = message.payload?.data?.pointsChanged;
        if (message.payload?.errors || !change) {
          errors++;
          firstError ??= JSON.stringify(message.payload);
        }
        else latencies.push(Date.now() - Date.parse(change.committedAt));
        heard.add(index);
        received++;
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.on('error', reject);
    socket.on('close', (code) => {
      closed[code] = (closed[code] ?? 0) + 1;
      reject(new Error(`closed with ${code}`));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

process.on('message', async (message: { type: string; job?: SubscribersJob }) => {
  if (message.type === 'job') {
    const job = message.job!;
    for (let start = 0; start < job.tokens.length; start += job.opening) {
      const batch = [];
      for (let i = start; i < Math.min(job.tokens.length, start + job.opening); i++) batch.push(connect(job, i));
      await Promise.all(batch);
    }
    process.send!({ type: 'connected', count: sockets.length });
  } else if (message.type === 'count') {
    const unheard: number[] = [];
    for (let i = 0; i < sockets.length; i++) if (!heard.has(i)) unheard.push(i);
    process.send!({ type: 'count', heard: heard.size, unheard, received: received });
  } else if (message.type === 'reset') {
    latencies = [];
    errors = 0;
    process.send!({ type: 'reset' });
  } else if (message.type === 'report') {
    const sorted = latencies.slice().sort((a, b) => a - b);
    const report: SubscribersReport = { received: sorted.length, errors, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN, closed, firstError };
    process.send!({ type: 'report', report });
  } else if (message.type === 'close') {
    for (const socket of sockets) socket.close(1000);
    process.send!({ type: 'closed' });
  }
});
