/**
 * Hostile documents against a running gateway: every shape of test/support/hostile-documents.ts
 * (fragment doubling at every position of the schema, repeated fields, wide operations,
 * deep nesting, directives, variables, huge lists and strings, unicode…) at every size it is generated
 * at, up to the token and body limits. A section of `npm run bench`, or alone:
 *
 *   npx tsx bench/hostile.ts
 *
 * The five subgraphs (fresh SQLite files) and the gateway run as processes of their own
 * (NODE_ENV=production, rate limiting off), the gateway on a core of its own where there are
 * two or more. Every document is sent once to warm the gateway up (not counted); then, one
 * request at a time, each document is sent as `repeats` texts never seen before (a comment
 * is appended: no cache of the gateway knows them, as with an attacker who varies them),
 * and once more as the same text as the last (what caches give back). CPU per request is
 * the gateway process's CPU time (every thread, from /proc/<pid>/task/<tid>/schedstat)
 * from sending the request to its answer; a document's cost is the least of its new texts'
 * (a garbage collection or another process's interference falls on some requests and only
 * adds), and the largest single request is reported beside it. A document within the limits
 * that costs more than the target is measured again at the end, and keeps its least. For
 * each shape, two clients also send its documents back to back (new texts again) while a
 * probe sends `{ __typename }` every `probeIntervalMs` and records how long answers take.
 *
 * A request is "within the limits" unless the gateway refused it with a limit's code
 * (TOO_MANY_*, QUERY_TOO_DEEP, DOCUMENT_TOO_LARGE, REQUEST_TOO_LARGE): the targets are at most 50 ms of gateway
 * CPU for every request within the limits, and a probe p99 under 100 ms.
 *
 * Settings: BENCH_HOSTILE_REPEATS (new texts per document, 3), BENCH_HOSTILE_SENDERS (2),
 * BENCH_HOSTILE_PROBE_MS (10), BENCH_HOSTILE_FAMILIES (comma separated, default all),
 * BENCH_GATEWAY_CPUS / BENCH_OTHER_CPUS (taskset lists, default "0" and "1" on two or more cores).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostileDocuments, type HostileDocument } from '../test/support/hostile-documents.ts';
import { startPlazaProcesses } from './processes.ts';
import { settingsFor, settingsOf } from '../platform/settings.ts';

const bench = settingsFor(settingsOf('bench'));

export interface HostileSettings {
  /** Texts never seen before sent per document and measured. Default BENCH_HOSTILE_REPEATS or 3. */
  repeats: number;
  /** Clients sending a shape's documents back to back while the probe runs. Default BENCH_HOSTILE_SENDERS or 2. */
  senders: number;
  /** Time between two probes, in ms. Default BENCH_HOSTILE_PROBE_MS or 10. */
  probeIntervalMs: number;
  /** Families measured (all when empty). Default BENCH_HOSTILE_FAMILIES. */
  families: string[];
  /** taskset list of the gateway's CPUs ('' for any). Default BENCH_GATEWAY_CPUS or "0" on two or more cores. */
  gatewayCpus: string;
  /** taskset list of the subgraphs' CPUs. Default BENCH_OTHER_CPUS or the other cores. */
  otherCpus: string;
}

export const HOSTILE_DEFAULTS: HostileSettings = {
  repeats: bench.BENCH_HOSTILE_REPEATS,
  senders: bench.BENCH_HOSTILE_SENDERS,
  probeIntervalMs: bench.BENCH_HOSTILE_PROBE_MS,
  families: bench.BENCH_HOSTILE_FAMILIES,
  gatewayCpus: bench.BENCH_GATEWAY_CPUS,
  otherCpus: bench.BENCH_OTHER_CPUS,
};

/** Codes of the gateway's limits: a request refused with one of these is not "within the limits". */
const LIMIT_CODES = new Set([
  'TOO_MANY_TOKENS',
  'TOO_MANY_SELECTIONS',
  'TOO_MANY_REPEATED_FIELDS',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
  'QUERY_TOO_DEEP',
  'DOCUMENT_TOO_LARGE',
  'REQUEST_TOO_LARGE',
]);
/** At most this much gateway CPU per request within the limits, and this probe p99. */
export const HOSTILE_TARGETS = { cpuMs: 50, probeP99Ms: 100 };

/** One shape's figures. */
export interface HostileShape {
  family: string;
  shape: string;
  /** Sizes generated, smallest and largest. */
  sizes: [number, number];
  documents: number;
  /** Answers by HTTP status and code (`200`, `400 TOO_MANY_SELECTIONS`…), over the measured requests. */
  outcomes: Record<string, number>;
  /** Gateway CPU of a document sent as a text never seen before (the least of its texts'), over every size: median and max (ms), and the size of the max. */
  cpuMedianMs: number;
  cpuMaxMs: number;
  cpuMaxSize: number;
  /** The largest of those among documents within the limits (0 when there were none). */
  withinLimitsMaxMs: number;
  /** The largest CPU of any single request of the shape, noise included (ms). */
  requestMaxMs: number;
  /** Gateway CPU when the same text is sent again (median, ms). */
  repeatMedianMs: number;
  /** What the `{ __typename }` probe saw while the shape was sent back to back (ms). */
  probeP50Ms: number;
  probeP99Ms: number;
  probes: number;
  /** The gateway's resident memory when the shape was done (MiB). */
  rssMiB: number;
}

export type HostileResult =
  | {
      shapes: HostileShape[];
      documents: number;
      requests: number;
      probeP50Ms: number;
      probeP99Ms: number;
      probes: number;
      minutes: number;
      layout: string;
      /** The machine's 1-minute load average at the end (above the core count, other work competed). */
      loadAverage: number;
      /** The gateway's peak resident memory over the run (MiB). */
      peakRssMiB: number;
    }
  | { skipped: string };

// ---------------------------------------------------------------- processes

/** CPU time of every thread of a process so far, in ms (schedstat's nanoseconds on the CPU). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6;
}

// ---------------------------------------------------------------- requests

/** Resident memory of a process, now or at its peak (VmRSS / VmHWM), in MiB. */
function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

/** The body with a comment appended to its query: a text no cache has seen. */
function variant(body: string, n: number): string {
  const request = JSON.parse(body) as { query: string };
  return JSON.stringify({ ...request, query: `${request.query}\n# variant ${n}` });
}

async function post(url: string, body: string): Promise<{ status: number; code: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  let code = '';
  try {
    code = String((JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? '');
  } catch {
    code = 'not JSON';
  }
  return { status: res.status, code };
}

const outcomeOf = (answer: { status: number; code: string }) => (answer.code ? `${answer.status} ${answer.code}` : String(answer.status));

function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sends `{ __typename }` every `intervalMs` until stopped; returns the latencies seen. */
function probe(url: string, intervalMs: number): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await post(url, '{"query":"{ __typename }"}');
      const took = performance.now() - started;
      latencies.push(took);
      if (took < intervalMs) await new Promise((r) => setTimeout(r, intervalMs - took));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

// ---------------------------------------------------------------- the run

export async function hostileBench(overrides: Partial<HostileSettings> = {}): Promise<HostileResult> {
  const settings = { ...HOSTILE_DEFAULTS, ...overrides };
  if (!fs.existsSync('/proc/self/task')) return { skipped: 'no /proc to read the gateway CPU from' };
  const began = Date.now();
  const all = hostileDocuments();
  const documents = settings.families.length ? all.filter((d) => settings.families.includes(d.family)) : all;
  const plaza = await startPlazaProcesses('hostile', settings.gatewayCpus, settings.otherCpus);
  try {
    const { url, gateway } = plaza;
    const pid = gateway.pid!;
    const where = (cpus: string) => (cpus ? `on CPU ${cpus}` : 'on any CPU');
    const layout = `gateway ${where(settings.gatewayCpus)}, subgraphs and the bench ${where(settings.otherCpus)}`;

    console.log(`  ${documents.length} documents in ${new Set(documents.map((d) => d.shape)).size} shapes; ${layout}; warming up…`);
    for (const d of documents) await post(url, variant(d.body, 0));

    const byShape = new Map<string, HostileDocument[]>();
    for (const d of documents) byShape.set(d.shape, [...(byShape.get(d.shape) ?? []), d]);
    const allProbes: number[] = [];
    let requests = documents.length;
    let textNumber = 0;
    const outcomes = new Map<string, Record<string, number>>();
    /** Sends `times` texts of the document never seen before, one at a time: the least and the most CPU they took. */
    async function measure(d: HostileDocument, times: number): Promise<{ least: number; most: number; within: boolean; last: string }> {
      const counts = outcomes.get(d.shape) ?? {};
      outcomes.set(d.shape, counts);
      let last = '';
      let least = Infinity;
      let most = 0;
      let within = true;
      for (let r = 0; r < times; r++) {
        last = variant(d.body, ++textNumber);
        const before = cpuMs(pid);
        const answer = await post(url, last);
        const ms = cpuMs(pid) - before;
        counts[outcomeOf(answer)] = (counts[outcomeOf(answer)] ?? 0) + 1;
        least = Math.min(least, ms);
        most = Math.max(most, ms);
        within &&= !LIMIT_CODES.has(answer.code);
      }
      requests += times;
      return { least, most, within, last };
    }

    interface Measured {
      cold: { document: HostileDocument; ms: number; within: boolean }[];
      repeated: number[];
      requestMaxMs: number;
      latencies: number[];
      rssMiB: number;
    }
    const measured = new Map<string, Measured>();
    const summarize = (shape: string, docs: HostileDocument[], m: Measured): HostileShape => {
      const worst = m.cold.reduce((a, b) => (b.ms > a.ms ? b : a));
      return {
        family: docs[0].family,
        shape,
        sizes: [docs[0].size, docs.at(-1)!.size],
        documents: docs.length,
        outcomes: outcomes.get(shape) ?? {},
        cpuMedianMs: percentile(m.cold.map((c) => c.ms), 50),
        cpuMaxMs: worst.ms,
        cpuMaxSize: worst.document.size,
        withinLimitsMaxMs: Math.max(0, ...m.cold.filter((c) => c.within).map((c) => c.ms)),
        requestMaxMs: m.requestMaxMs,
        repeatMedianMs: percentile(m.repeated, 50),
        probeP50Ms: percentile(m.latencies, 50),
        probeP99Ms: percentile(m.latencies, 99),
        probes: m.latencies.length,
        rssMiB: m.rssMiB,
      };
    };
    for (const [shape, docs] of byShape) {
      const m: Measured = { cold: [], repeated: [], requestMaxMs: 0, latencies: [], rssMiB: 0 };
      for (const d of docs) {
        const { least, most, within, last } = await measure(d, settings.repeats);
        m.cold.push({ document: d, ms: least, within });
        m.requestMaxMs = Math.max(m.requestMaxMs, most);
        const before = cpuMs(pid);
        await post(url, last);
        m.repeated.push(cpuMs(pid) - before);
        requests++;
      }
      // the probe, while `senders` clients send the shape's documents back to back
      const queue = docs.map((d) => variant(d.body, ++textNumber));
      const probing = probe(url, settings.probeIntervalMs);
      await Promise.all(
        Array.from({ length: settings.senders }, async () => {
          for (let body = queue.shift(); body !== undefined; body = queue.shift()) await post(url, body);
        }),
      );
      m.latencies = await probing.stop();
      requests += docs.length + m.latencies.length;
      allProbes.push(...m.latencies);
      m.rssMiB = memoryMiB(pid, 'VmRSS');
      measured.set(shape, m);
      console.log(`  ${describe(summarize(shape, docs, m))}`);
    }
    // a document within the limits over the target is measured again: interference only ever adds
    for (const [shape, m] of measured) {
      for (const c of m.cold) {
        if (!c.within || c.ms <= HOSTILE_TARGETS.cpuMs) continue;
        const again = await measure(c.document, settings.repeats);
        console.log(`  measured again: ${shape} at size ${c.document.size}, ${fmt(c.ms)} ms, now ${fmt(again.least)} ms`);
        c.ms = Math.min(c.ms, again.least);
        m.requestMaxMs = Math.max(m.requestMaxMs, again.most);
      }
    }
    const shapes = [...byShape].map(([shape, docs]) => summarize(shape, docs, measured.get(shape)!));
    return {
      shapes,
      documents: documents.length,
      requests,
      probeP50Ms: percentile(allProbes, 50),
      probeP99Ms: percentile(allProbes, 99),
      probes: allProbes.length,
      minutes: (Date.now() - began) / 60_000,
      layout,
      loadAverage: os.loadavg()[0],
      peakRssMiB: memoryMiB(pid, 'VmHWM'),
    };
  } finally {
    await plaza.stop();
  }
}

// ---------------------------------------------------------------- report

const fmt = (n: number, digits = 1) => n.toFixed(digits);

function outcomesText(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, n]) => `${n}× ${outcome}`)
    .join(', ');
}

function describe(s: HostileShape): string {
  return `${s.shape} (${s.documents} sizes ${s.sizes[0]}…${s.sizes[1]}): CPU median ${fmt(s.cpuMedianMs)} ms, max ${fmt(s.cpuMaxMs)} ms at size ${s.cpuMaxSize} (one request ${fmt(s.requestMaxMs)} ms), same text again ${fmt(s.repeatMedianMs)} ms; probe p50 ${fmt(s.probeP50Ms)} ms, p99 ${fmt(s.probeP99Ms)} ms; RSS ${fmt(s.rssMiB, 0)} MiB; ${outcomesText(s.outcomes)}`;
}

/** The worst shape within the limits, and whether the targets were met. */
function verdict(result: Extract<HostileResult, { shapes: unknown }>): string {
  const worst = result.shapes.reduce((a, b) => (b.withinLimitsMaxMs > a.withinLimitsMaxMs ? b : a));
  const worstAny = result.shapes.reduce((a, b) => (b.cpuMaxMs > a.cpuMaxMs ? b : a));
  const noisiest = result.shapes.reduce((a, b) => (b.requestMaxMs > a.requestMaxMs ? b : a));
  const cpuMet = worst.withinLimitsMaxMs <= HOSTILE_TARGETS.cpuMs;
  const probeMet = result.probeP99Ms <= HOSTILE_TARGETS.probeP99Ms;
  return [
    `Worst shape within the limits: ${worst.shape}, ${fmt(worst.withinLimitsMaxMs)} ms of gateway CPU for one request (target ≤ ${HOSTILE_TARGETS.cpuMs} ms: ${cpuMet ? 'met' : 'NOT met'}).`,
    `Worst document of all (refusals included): ${worstAny.shape} at size ${worstAny.cpuMaxSize}, ${fmt(worstAny.cpuMaxMs)} ms; largest single request: ${noisiest.shape}, ${fmt(noisiest.requestMaxMs)} ms.`,
    `The \`{ __typename }\` probe, over every shape: p50 ${fmt(result.probeP50Ms)} ms, p99 ${fmt(result.probeP99Ms)} ms over ${result.probes} probes (target p99 < ${HOSTILE_TARGETS.probeP99Ms} ms: ${probeMet ? 'met' : 'NOT met'}). Gateway peak RSS ${fmt(result.peakRssMiB, 0)} MiB.`,
  ].join('\n');
}

/** The section of bench/RESULTS.md. */
export function hostileReport(result: HostileResult): string {
  const lines = ['## Hostile documents', ''];
  if ('skipped' in result) return [...lines, `Not measured: ${result.skipped}.`].join('\n');
  lines.push(
    `${result.documents} documents from test/support/hostile-documents.ts, every shape at growing sizes up to the token limit or the body limit`,
    `(\`npx tsx bench/hostile.ts\` runs this alone; ${result.requests} requests, ${fmt(result.minutes)} min; ${result.layout}; load average ${fmt(result.loadAverage, 2)}). CPU: the gateway`,
    "process's CPU time for a document sent as texts it has not seen before (the least of its texts'; median and max over the sizes), the largest",
    'single request (noise included), and the same text sent again; probe: latency of `{ __typename }` sent every few ms while two clients',
    'send the shape back to back. Sizes: levels, repetitions or bytes, as the shape grows.',
    '',
    verdict(result),
    '',
    '| family | shape | sizes | CPU median ms | CPU max ms (at size) | max within limits ms | one request max ms | same text again ms | probe p50 ms | probe p99 ms | answers |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...result.shapes.map(
      (s) =>
        `| ${s.family} | ${s.shape} | ${s.sizes[0]}…${s.sizes[1]} (${s.documents}) | ${fmt(s.cpuMedianMs)} | ${fmt(s.cpuMaxMs)} (${s.cpuMaxSize}) | ${fmt(s.withinLimitsMaxMs)} | ${fmt(s.requestMaxMs)} | ${fmt(s.repeatMedianMs)} | ${fmt(s.probeP50Ms)} | ${fmt(s.probeP99Ms)} | ${outcomesText(s.outcomes)} |`,
    ),
  );
  return lines.join('\n');
}

/** The summary printed at the end of a run. */
export function hostileSummary(result: HostileResult): string {
  return 'skipped' in result ? `hostile documents: not measured (${result.skipped})` : `${verdict(result)}\n${result.requests} requests in ${fmt(result.minutes)} min.`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log('hostile documents against the gateway:');
  const result = await hostileBench();
  console.log(`\n${hostileSummary(result)}`);
  process.exit(0);
}
