/**
 * Memory under floods of distinct input. A section of `npm run bench`, or alone:
 *
 *   npx tsx bench/memory.ts
 *
 * The five subgraphs (fresh SQLite files, the small seed) and the gateway run as processes
 * of their own (NODE_ENV=production, rate limiting off, /metrics on an operators' port), the
 * gateway on a core of its own where there are two or more. Three floods, one after another:
 *   1. `operations` distinct persisted operations registered by automatic persisted queries
 *      (the hash with the query, then the hash alone), every one a text the gateway has not seen;
 *   2. `operations` distinct ad-hoc documents, each sent once;
 *   3. `cities` distinct cities nobody targets, 20 aliased homepages to a request
 *      (`{ c0: homepage(city: "…") { cards { id } } c1: … }`, the flood that used to grow the
 *      placements subgraph by a copy of the nationwide placements per city), after a warm-up
 *      of `warmup` other such cities.
 * RSS (VmRSS) of the process a flood is about is read before it and every `every`
 * operations or cities, with its V8 heap in use (from its /metrics); every flood also records
 * the gateway's peak RSS over it (VmHWM, reset as the flood starts where /proc allows). Figures are MB
 * (10^6 bytes). Targets: the gateway's peak at most 300 MB over all three floods; the
 * placements subgraph's RSS over its flood within 20% of where it stood before. Last, every
 * cache's entries and bytes as /metrics reports them (plaza_cache_entries, plaza_cache_bytes).
 *
 * Settings: BENCH_MEMORY_OPERATIONS (100000), BENCH_MEMORY_CITIES (100000), BENCH_MEMORY_EVERY
 * (10000), BENCH_MEMORY_CONCURRENCY (requests in flight, 16), BENCH_GATEWAY_CPUS /
 * BENCH_OTHER_CPUS (taskset lists, default "0" and "1" on two or more cores).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { settingsFor, settingsOf } from '../platform/settings.ts';
import { startPlazaProcesses } from './processes.ts';

const bench = settingsFor(settingsOf('bench'));

export interface MemorySettings {
  /** Distinct persisted operations, and distinct ad-hoc documents. Default BENCH_MEMORY_OPERATIONS or 100000. */
  operations: number;
  /** Distinct cities asked about. Default BENCH_MEMORY_CITIES or 100000. */
  cities: number;
  /** RSS is read every this many operations or cities. Default BENCH_MEMORY_EVERY or 10000. */
  every: number;
  /** Requests in flight. Default BENCH_MEMORY_CONCURRENCY or 16. */
  concurrency: number;
  /** Distinct cities asked about before the placements flood is measured. Default 5000. */
  warmup: number;
  /** taskset list of the gateway's CPUs ('' for any). Default BENCH_GATEWAY_CPUS or "0" on two or more cores. */
  gatewayCpus: string;
  /** taskset list of the subgraphs' CPUs. Default BENCH_OTHER_CPUS or the other cores. */
  otherCpus: string;
}

export const MEMORY_DEFAULTS: MemorySettings = {
  operations: bench.BENCH_MEMORY_OPERATIONS,
  cities: bench.BENCH_MEMORY_CITIES,
  every: bench.BENCH_MEMORY_EVERY,
  concurrency: bench.BENCH_MEMORY_CONCURRENCY,
  warmup: 5000,
  gatewayCpus: bench.BENCH_GATEWAY_CPUS,
  otherCpus: bench.BENCH_OTHER_CPUS,
};

/** At most this gateway peak RSS (MB), and this growth of the placements subgraph's RSS over its flood. */
export const MEMORY_TARGETS = { gatewayPeakMB: 300, placementsGrowth: 0.2 };

/** One flood: the RSS of the process it is about after every `every` operations or cities, and the gateway's peak over it. */
export interface MemoryCurve {
  name: string;
  process: 'gateway' | 'placements';
  /** What was counted: operations or cities. */
  unit: string;
  /** [operations done, RSS MB, V8 heap used MB], the first before the flood. */
  points: [number, number, number][];
  /** The process's peak RSS over the flood, MB. */
  peakMB: number;
  /** The gateway's peak RSS over the flood, MB. */
  gatewayPeakMB: number;
  /** Answers by outcome (`ok` or the first error code). */
  outcomes: Record<string, number>;
  seconds: number;
}

/** A cache as /metrics reports it at the end. */
export interface CacheFigure {
  process: string;
  cache: string;
  entries: number;
  bytes: number;
  maxBytes?: number;
  maxEntries?: number;
}

export type MemoryResult =
  | {
      curves: MemoryCurve[];
      caches: CacheFigure[];
      /** The gateway's peak RSS over every flood, MB. */
      gatewayPeakMB: number;
      /** The gateway's RSS once it served, before any flood, MB. */
      gatewayStartMB: number;
      /** The placements subgraph's RSS when it started serving, MB, before any warm-up. */
      placementsStartMB: number;
      /** The placements subgraph's highest RSS over its flood against its RSS before it, less one. */
      placementsGrowth: number;
      minutes: number;
      layout: string;
    }
  | { skipped: string };

// ---------------------------------------------------------------- processes

const MB = 1e6;

/** A figure of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak). */
function statusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return (Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024) / MB;
}

/** Starts a new peak (VmHWM) for a process where the kernel allows it; false where the peak stays the process's lifetime one. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- requests

const agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });

async function post(url: string, body: string): Promise<string> {
  const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  try {
    const answer = JSON.parse(text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    return answer.errors?.length ? String(answer.errors[0].extensions?.code ?? 'error') : res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`;
  } catch {
    return `HTTP ${res.statusCode} not JSON`;
  }
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const byHash = (hash: string, query?: string) => JSON.stringify({ ...(query ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

/**
 * A persisted operation no other run sends: an alias of the root `__typename` makes it
 * distinct, and the gateway answers it alone, so the flood measures the gateway, not the
 * subgraphs (the ad-hoc documents and the cities reach them).
 */
const persisted = (i: number) => `{ p${i}: __typename }`;
/**
 * An ad-hoc document, each sent once, with one fetch from the merchants subgraph. The distinct
 * part is again answered by the gateway, so the subgraph sees a few hundred fetches it knows.
 */
const adhoc = (i: number) => `{ merchant(id: "m${(i % 300) + 1}") { id category } a${i}: __typename }`;
const CITIES_PER_REQUEST = 20;
/** Twenty homepages of cities nobody targets (the flood). */
const cityFlood = (first: number) => `{ ${Array.from({ length: CITIES_PER_REQUEST }, (_, k) => `c${k}: homepage(city: "bench-city-${first + k}") { cards { id } }`).join(' ')} }`;

/** A process the bench reads RSS and heap of. */
interface Watched {
  pid: number;
  metricsUrl: string;
}

/**
 * Runs `count` units of work, `perRequest` per call of `send`, `concurrency` calls in flight,
 * reading the watched process's RSS every `every` units (and once before); the gateway's
 * peak over the flood is recorded too.
 */
async function flood(
  name: string,
  processName: MemoryCurve['process'],
  unit: string,
  watched: Watched,
  gateway: Watched,
  count: number,
  perRequest: number,
  settings: MemorySettings,
  send: (first: number) => Promise<string>,
): Promise<MemoryCurve> {
  const started = performance.now();
  const read = async (): Promise<[number, number]> => [statusMB(watched.pid, 'VmRSS'), await heapUsedMB(watched.metricsUrl)];
  resetPeak(watched.pid);
  resetPeak(gateway.pid);
  const points: [number, number, number][] = [[0, ...(await read())]];
  const outcomes: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let mark = settings.every;
  console.log(`  ${name}: ${count} ${unit}; ${processName} RSS ${fmt(points[0][1])} MB (heap used ${fmt(points[0][2])} MB) before`);
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < count) {
        const first = next;
        next += perRequest;
        const outcome = await send(first);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        done += perRequest;
        while (done >= mark && mark <= count) {
          const at = mark;
          mark += settings.every;
          const [rss, heap] = await read();
          points.push([at, rss, heap]);
          console.log(`    ${String(at).padStart(7)} ${unit}: ${processName} RSS ${fmt(rss)} MB (heap used ${fmt(heap)} MB)`);
        }
      }
    }),
  );
  points.sort((a, b) => a[0] - b[0]);
  const seconds = (performance.now() - started) / 1000;
  return { name, process: processName, unit, points, peakMB: statusMB(watched.pid, 'VmHWM'), gatewayPeakMB: statusMB(gateway.pid, 'VmHWM'), outcomes, seconds };
}

/** Every cache's entries and bytes from a /metrics text. */
function cachesIn(text: string, processName: string): CacheFigure[] {
  const byCache = new Map<string, CacheFigure>();
  for (const line of text.split('\n')) {
    const match = /^plaza_cache_(entries|bytes|max_entries|max_bytes)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const cache = /cache="([^"]*)"/.exec(match[2])?.[1];
    if (!cache) continue;
    const figure = byCache.get(cache) ?? { process: processName, cache, entries: 0, bytes: 0 };
    const value = Number(match[3]);
    if (match[1] === 'entries') figure.entries = value;
    else if (match[1] === 'bytes') figure.bytes = value;
    else if (match[1] === 'max_entries') figure.maxEntries = value;
    else figure.maxBytes = value;
    byCache.set(cache, figure);
  }
  return [...byCache.values()];
}

async function metricsText(url: string): Promise<string> {
  const res = await request(url, { dispatcher: agent });
  return res.body.text();
}

/** The V8 heap a process uses, from its /metrics (nodejs_heap_size_used_bytes), in MB. */
async function heapUsedMB(url: string): Promise<number> {
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(await metricsText(url));
  return Number(match?.[1] ?? 0) / MB;
}

/** Runs the three floods against fresh processes. */
export async function memoryBench(overrides: Partial<MemorySettings> = {}): Promise<MemoryResult> {
  const settings = { ...MEMORY_DEFAULTS, ...overrides };
  if (!fs.existsSync('/proc/self/status')) return { skipped: 'no /proc to read RSS from' };
  const began = Date.now();
  const plaza = await startPlazaProcesses('memory', settings.gatewayCpus, settings.otherCpus);
  try {
    const { url, gateway, subgraphs, urlOf } = plaza;
    const where = (cpus: string) => (cpus ? `on CPU ${cpus}` : 'on any CPU');
    const layout = `gateway ${where(settings.gatewayCpus)}, subgraphs and the bench ${where(settings.otherCpus)}; ${settings.concurrency} requests in flight`;
    console.log(`  ${layout}`);
    const gatewayWatch = { pid: gateway.pid!, metricsUrl: plaza.metricsUrl };
    const placementsWatch = { pid: subgraphs[SUBGRAPH_NAMES.indexOf('placements')].pid!, metricsUrl: urlOf('placements').replace(/\/graphql$/, '/metrics') };
    const gatewayStartMB = statusMB(gatewayWatch.pid, 'VmRSS');
    const placementsStartMB = statusMB(placementsWatch.pid, 'VmRSS');

    const curves: MemoryCurve[] = [];
    curves.push(
      await flood('persisted operations (APQ: hash and query, then hash alone)', 'gateway', 'operations', gatewayWatch, gatewayWatch, settings.operations, 1, settings, async (i) => {
        const query = persisted(i);
        const hash = sha256(query);
        const registered = await post(url, byHash(hash, query));
        return registered === 'ok' ? post(url, byHash(hash)) : registered;
      }),
    );
    curves.push(
      await flood('ad-hoc documents', 'gateway', 'documents', gatewayWatch, gatewayWatch, settings.operations, 1, settings, (i) => post(url, JSON.stringify({ query: adhoc(i) }))),
    );
    // the warm-up's cities are never asked about again; sent like the flood (as many in flight), so the
    // subgraph's young generation has grown to what that load keeps before the flood is measured
    const warmup = Math.ceil(settings.warmup / CITIES_PER_REQUEST) * CITIES_PER_REQUEST;
    let nextWarm = 0;
    await Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        for (let first = nextWarm; first < warmup; first = nextWarm) {
          nextWarm += CITIES_PER_REQUEST;
          await post(url, JSON.stringify({ query: cityFlood(first) }));
        }
      }),
    );
    curves.push(
      await flood('distinct cities (20 to a request)', 'placements', 'cities', placementsWatch, gatewayWatch, settings.cities, CITIES_PER_REQUEST, settings, (first) =>
        post(url, JSON.stringify({ query: cityFlood(warmup + first) })),
      ),
    );
    const caches = [...cachesIn(await metricsText(gatewayWatch.metricsUrl), 'gateway'), ...cachesIn(await metricsText(placementsWatch.metricsUrl), 'placements')];
    const cityCurve = curves[2];
    return {
      curves,
      caches,
      gatewayPeakMB: Math.max(...curves.map((c) => c.gatewayPeakMB)),
      gatewayStartMB,
      placementsStartMB,
      placementsGrowth: Math.max(...cityCurve.points.map(([, rss]) => rss)) / cityCurve.points[0][1] - 1,
      minutes: (Date.now() - began) / 60_000,
      layout,
    };
  } finally {
    await plaza.stop();
  }
}

// ---------------------------------------------------------------- report

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function outcomesText(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, n]) => `${n}× ${outcome}`)
    .join(', ');
}

function verdict(result: Extract<MemoryResult, { curves: unknown }>): string {
  const gatewayMet = result.gatewayPeakMB <= MEMORY_TARGETS.gatewayPeakMB;
  const placementsMet = result.placementsGrowth <= MEMORY_TARGETS.placementsGrowth;
  const cities = result.curves[2];
  return [
    `Gateway peak RSS ${fmt(result.gatewayPeakMB)} MB over the three floods, from ${fmt(result.gatewayStartMB)} MB once serving (target ≤ ${MEMORY_TARGETS.gatewayPeakMB} MB: ${gatewayMet ? 'met' : 'NOT met'}).`,
    `Placements subgraph RSS ${fmt(cities.points[0][1])} MB before its flood (${fmt(result.placementsStartMB)} MB when it started serving), at most ${fmt(Math.max(...cities.points.map(([, rss]) => rss)))} MB during it: ${result.placementsGrowth >= 0 ? '+' : ''}${fmt(result.placementsGrowth * 100, 1)}% (target within ${MEMORY_TARGETS.placementsGrowth * 100}%: ${placementsMet ? 'met' : 'NOT met'}).`,
  ].join('\n');
}

/** The section of bench/RESULTS.md. */
export function memoryReport(result: MemoryResult): string {
  const lines = ['## Memory under floods of distinct input', ''];
  if ('skipped' in result) return [...lines, `Not measured: ${result.skipped}.`].join('\n');
  const steps = result.curves[0].points.map(([n]) => n);
  const cell = (curve: MemoryCurve, n: number) => {
    const point = curve.points.find(([at]) => at === n);
    return point ? `${fmt(point[1])} (${fmt(point[2])})` : '';
  };
  lines.push(
    `Fresh processes (\`npx tsx bench/memory.ts\` runs this alone; ${fmt(result.minutes, 1)} min; ${result.layout}). Each cell: the RSS of`,
    'the process the flood is about, MB, with its V8 heap in use in brackets, before the flood and after every step of it; peak: its',
    "VmHWM over the flood; gateway peak: the gateway's over the flood. Persisted operations register by APQ (hash and query, then",
    `the hash alone); ad-hoc documents are each sent once; cities are asked about 20 to a request, after ${MEMORY_DEFAULTS.warmup} others.`,
    '',
    verdict(result),
    '',
    `| flood | process | ${steps.join(' | ')} | peak | gateway peak | time s | answers |`,
    `|---|---|${'---:|'.repeat(steps.length)}---:|---:|---:|---|`,
    ...result.curves.map(
      (c) => `| ${c.name} | ${c.process} | ${steps.map((n) => cell(c, n)).join(' | ')} | ${fmt(c.peakMB)} | ${fmt(c.gatewayPeakMB)} | ${fmt(c.seconds)} | ${outcomesText(c.outcomes)} |`,
    ),
    '',
    'Caches at the end, as /metrics reports them (plaza_cache_entries, plaza_cache_bytes and their budgets; bytes are the caches\' estimates of their heap):',
    '',
    '| process | cache | entries | MB | budget entries | budget MB |',
    '|---|---|---:|---:|---:|---:|',
    ...result.caches.map(
      (c) => `| ${c.process} | ${c.cache} | ${c.entries} | ${fmt(c.bytes / MB, 1)} | ${c.maxEntries ?? '—'} | ${c.maxBytes === undefined ? '—' : fmt(c.maxBytes / MB, 1)} |`,
    ),
  );
  return lines.join('\n');
}

/** The summary printed at the end of a run. */
export function memorySummary(result: MemoryResult): string {
  return 'skipped' in result ? `memory: not measured (${result.skipped})` : verdict(result);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log('memory under floods of distinct input:');
  const result = await memoryBench();
  console.log(`\n${memoryReport(result)}`);
  process.exit(0);
}
