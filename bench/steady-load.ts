/**
 * A load generator whose measured window lies inside one continuous run, for scenarios with
 * many connections (scenario G's 50). bench/load.ts warms up with one autocannon run and
 * measures with another: the requests the first leaves in flight are dropped by the client but
 * not by the gateway, which spends the start of the measured window finishing them, and the
 * second run's first answers come a whole latency late. With 10 connections to a fast gateway
 * that is a few percent; with 50 to a gateway whose latency is seconds, it is most of the window.
 * Here the load never stops: after `warmup` seconds it reports 'warm', keeps going, and counts
 * only the answers that arrive between 'go' and `duration` seconds later, so as many requests
 * are in flight when the window opens as when it closes.
 *
 * The same protocol and figures as bench/load.ts: { type: 'job' } -> warm-up -> 'warm' ->
 * { type: 'go' } -> measured window -> 'result'. Every answer in the window is checked against
 * the expected body and status; a wrong one counts once.
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load.ts';

/** The parts of a running autocannon instance used here (bench/autocannon.d.ts types only the call). */
interface Instance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
  stop(): void;
}

/** Latency percentile of sorted values, as milliseconds. */
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

process.on('message', (message: { type: string; job?: LoadJob }) => {
  if (message.type !== 'job' || !message.job) return;
  const job = message.job;
  let from = Infinity;
  let to = Infinity;
  const latencies: number[] = [];
  let bytes = 0;
  let wrong = 0;
  let errors = 0;
  let timeouts = 0;
  let sampleWrong: string | undefined;
  // the answer being checked: autocannon reports an answer, then hands its body to verifyBody at once
  let counted = false;
  let badStatus = false;

  const instance = autocannon(
    {
      url: job.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...job.headers },
      body: job.body,
      connections: job.connections,
      // stopped when the window closes; this is only a bound
      duration: job.warmup + job.duration + 120,
      timeout: 10,
      verifyBody: (body) => {
        if (!counted) return true;
        if (!badStatus && body === job.expected) return true;
        wrong++;
        sampleWrong ??= body.slice(0, 500);
        return false;
      },
    },
    (error) => {
      if (error) {
        console.error(error);
        process.exit(1);
      }
    },
  ) as Instance;
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    const now = performance.now();
    counted = now >= from && now < to;
    if (!counted) return;
    badStatus = statusCode < 200 || statusCode >= 300;
    latencies.push(responseTime);
    bytes += resBytes;
  });
  instance.on('reqError', (error: Error) => {
    const now = performance.now();
    if (now < from || now >= to) return;
    errors++;
    if (error.message === 'request timed out') timeouts++;
  });

  setTimeout(() => {
    const onGo = (m: { type: string }) => {
      if (m.type !== 'go') return;
      process.off('message', onGo);
      const cpu0 = process.cpuUsage();
      from = performance.now();
      to = from + job.duration * 1000;
      setTimeout(() => {
        const cpu = process.cpuUsage(cpu0);
        instance.stop();
        const sorted = latencies.sort((a, b) => a - b);
        const out: LoadResult = {
          requests: sorted.length,
          rps: sorted.length / job.duration,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          wrong,
          errors,
          timeouts,
          bytesPerResponse: sorted.length ? bytes / sorted.length : 0,
          sampleWrong,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
        };
        process.send!({ type: 'result', ...out }, () => process.exit(0));
      }, job.duration * 1000);
    };
    process.on('message', onGo);
    process.send!({ type: 'warm' });
  }, job.warmup * 1000);
});
