/**
 * The load generator, in a process of its own so it never shares the gateway's event
 * loop. Receives one job over IPC, runs autocannon with fixed connections and duration,
 * checks every response body against the expected answer, and sends back the figures.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Exact expected response body; any other body (or status) counts as wrong. */
  expected: string;
  connections: number;
  /** Seconds of measured load. */
  duration: number;
  /** Seconds of load before measuring (excluded from every figure). */
  warmup: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  wrong: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  /** A wrong body, if any, for the report. */
  sampleWrong?: string;
  /** CPU seconds this load generator used during the measured run. */
  cpuSeconds: number;
}

function run(job: LoadJob, duration: number, check: (body: string) => boolean): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...job.headers },
        body: job.body,
        connections: job.connections,
        duration,
        timeout: 10,
        verifyBody: check,
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** Protocol: { type: 'job' } -> warm-up -> 'warm' -> { type: 'go' } -> measured run -> 'result'. */
process.on('message', async (message: { type: string; job?: LoadJob }) => {
  if (message.type !== 'job' || !message.job) return;
  const job = message.job;
  try {
    if (job.warmup > 0) await run(job, job.warmup, () => true);
    await new Promise<void>((resolve) => {
      const onGo = (m: { type: string }) => {
        if (m.type !== 'go') return;
        process.off('message', onGo);
        resolve();
      };
      process.on('message', onGo);
      process.send!({ type: 'warm' });
    });
    let sampleWrong: string | undefined;
    const cpu0 = process.cpuUsage();
    const result = await run(job, job.duration, (body) => {
      if (body === job.expected) return true;
      sampleWrong ??= body.slice(0, 500);
      return false;
    });
    const cpu = process.cpuUsage(cpu0);
    const answered = result.requests.total;
    const out: LoadResult = {
      requests: answered,
      rps: answered / job.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      wrong: Math.max(result.mismatches, result.non2xx),
      errors: result.errors,
      timeouts: result.timeouts,
      bytesPerResponse: answered ? result.throughput.total / answered : 0,
      sampleWrong,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    process.send!({ type: 'result', ...out }, () => process.exit(0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
});
