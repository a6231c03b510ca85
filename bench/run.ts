/**
 * `npm run bench`: Plaza's benchmark of record.
 *
 * Starts the five subgraphs (each its own process, fresh SQLite files in a temporary
 * folder), then for every scenario measures, one after another in the same run:
 *   - Plaza's gateway (one row per configuration variant),
 *   - a plain @apollo/gateway on @apollo/server (bench/baseline-gateway.ts),
 *   - Hive Gateway with its Rust query planner (bench/hive-gateway.ts), with and without its
 *     deduplication of in-flight subgraph requests (not in scenario 3: it takes no APQ),
 *   - the slowest single subgraph fetch of the scenario, called directly (the ceiling).
 * Scenario G is another graph, in the shape of The Guild's public gateways benchmark
 * (bench/guild/: four subgraphs of its own, a supergraph composed at start, one nested query
 * of about 86 KB, 50 connections), measured the same way on the same CPU budget.
 * Every gateway is a fresh process with the same CPU budget: pinned to its own core and,
 * where a cgroup CPU quota can be set (as root), limited to part of it once serving (0.4
 * core by default), so that the gateway, not the five subgraphs with the load generator, is
 * what runs out (a gateway row measures that gateway only while this holds; the report
 * names the rows where it did not). Under a quota the subgraphs and the load generator may
 * run on every core, the gateway's too (its quota leaves most of that core over); without
 * one they share the other cores. The load comes from
 * another process (bench/load.ts); warm-up is excluded; every response body is compared
 * with the expected answer. Prints a table with ratios and writes bench/RESULTS.md.
 *
 * Every gateway of a scenario is started once and measured in several rounds, in a
 * different order each round (the subgraphs keep warming up during a run, which would
 * favour whoever goes last); the table gives each target's median round.
 * Last, bench/money.ts measures money under contention on PostgreSQL (its own processes and
 * databases): 100 concurrent exchanges by one user, their wall time and row-lock hold; and
 * bench/hostile.ts sends hostile documents (its own processes): gateway CPU per request and
 * what a concurrent `{ __typename }` waits; bench/memory.ts floods fresh processes with distinct
 * persisted operations, ad-hoc documents and cities and prints their RSS curves.
 *
 *   npm run bench                       the record (about 20 minutes on two cores)
 *   npm run bench -- --quick            one 4 s round, for iterating
 *   npm run bench -- --profile          also a CPU profile of Plaza under scenario 2 (BENCH_PROFILE_SCENARIO and
 *                                       BENCH_PROFILE_VARIANT for another scenario or Plaza variant)
 * Settings: BENCH_DURATION (s per round, default 6), BENCH_ROUNDS (5), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10),
 * BENCH_GUILD_CONNECTIONS (scenario G's, 50), BENCH_SCENARIOS (e.g. "1,2" or "G"), BENCH_VARIANTS (names, comma separated),
 * BENCH_SECTIONS (which of gateways,overhead,money,hostile,memory,impressions,subscriptions run; default all; `overhead`
 * alone measures the headline query's unloaded overhead without the load rounds), BENCH_OVERHEAD_REQUESTS, BENCH_OVERHEAD_WARMUP,
 * BENCH_GATEWAY_CPU_QUOTA (cores each gateway may use, default 0.4; 0 for none),
 * BENCH_GATEWAY_CPUS (taskset list for gateways, default "0" when 2+ cores),
 * BENCH_OTHER_CPUS (subgraphs and load, default the remaining cores; with a quota, any core unless
 * BENCH_SHARE_GATEWAY_CORE=false), BENCH_OUT (report path),
 * BENCH_CHECKOUTS (other checkouts' gateways in the same rounds, e.g. "before=/tmp/plaza-before").
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { issueToken } from '../gateway/plugins/identity.ts';
import { ANONYMOUS, INTERNAL_TOKEN_HEADER, signInternalToken } from '../platform/internal-token.ts';
import type { LoadJob, LoadResult } from './load.ts';
import { moneyContention, moneyReport } from './money.ts';
import { hostileBench, hostileReport, hostileSummary } from './hostile.ts';
import { memoryBench, memoryReport, memorySummary } from './memory.ts';
import { impressionsBench, impressionsReport } from './impressions.ts';
import { subscriptionsBench, subscriptionsReport } from './subscriptions.ts';
import { summarizeProfile } from './profile.ts';
import { composeGuildSupergraph, GUILD_OPERATION, GUILD_QUERY, GUILD_SUBGRAPHS, type GuildSubgraph } from './guild/graph.ts';
import { freePort, startProcess as startBenchProcess, stopProcess } from './processes.ts';
import { overheadReport, unloadedOverhead, type OverheadResult } from './overhead.ts';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { BENCH_RUN_DEFAULTS, settingsFor, settingsOf } from '../platform/settings.ts';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, 'no-report': { type: 'boolean' } },
  strict: true,
});

const cores = os.cpus().length;
// the BENCH_* settings (platform/settings.ts): defaults and checks live there
const bench = settingsFor(settingsOf('bench'));
const settings = {
  /** Seconds measured per round; each target is measured once per round. */
  duration: bench.BENCH_DURATION ?? BENCH_RUN_DEFAULTS.duration[flags.quick ? 'quick' : 'full'],
  rounds: bench.BENCH_ROUNDS ?? BENCH_RUN_DEFAULTS.rounds[flags.quick ? 'quick' : 'full'],
  /** Rounds of scenario G: its windows hold a few hundred answers of about a second each, so a round's RPS varies more. */
  guildRounds: bench.BENCH_GUILD_ROUNDS ?? bench.BENCH_ROUNDS ?? BENCH_RUN_DEFAULTS.guildRounds[flags.quick ? 'quick' : 'full'],
  warmup: bench.BENCH_WARMUP,
  connections: bench.BENCH_CONNECTIONS,
  /** Connections of scenario G, as in the public gateways benchmark. */
  guildConnections: bench.BENCH_GUILD_CONNECTIONS,
  /** Seconds of load before every round of scenario G (a gateway's latency at 50 connections can be seconds). */
  guildWarmup: bench.BENCH_GUILD_WARMUP,
  gatewayCpus: bench.BENCH_GATEWAY_CPUS,
  otherCpus: bench.BENCH_OTHER_CPUS,
  out: bench.BENCH_OUT,
  /** The scenario --profile profiles Plaza under. */
  profileScenario: bench.BENCH_PROFILE_SCENARIO,
  /** The Plaza variant --profile profiles. */
  profileVariant: bench.BENCH_PROFILE_VARIANT,
  sections: new Set(bench.BENCH_SECTIONS),
};
const SECRET = crypto.randomBytes(24).toString('hex');
const JWT_SECRET = crypto.randomBytes(24).toString('hex');
const CITY = 'Shanghai';
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  PLAZA_INTERNAL_SECRET: SECRET,
  PLAZA_JWT_SECRET: JWT_SECRET,
  PLAZA_HOST: '127.0.0.1',
  // the benchmark measures serving, not logging or per-IP quotas (one load generator is one IP)
  PLAZA_LOG_LEVEL: 'warn',
  PLAZA_RATE_LIMIT: 'false',
  // production's coupons subgraph starts only with a payment provider's key
  PLAZA_PAYMENT_PROVIDER_KEY: crypto.randomBytes(24).toString('hex'),
};

// ---------------------------------------------------------------- scenarios

interface Scenario {
  id: string;
  title: string;
  /** The subgraphs it runs on: Plaza's five (default) or the four of the guild-shaped graph. */
  graph?: GraphName;
  /** Connections of its load (default BENCH_CONNECTIONS). */
  connections?: number;
  /** Seconds of warm-up before every round (default BENCH_WARMUP before the first, 1 s before later ones). */
  warmup?: number;
  /** Rounds measured (default BENCH_ROUNDS). */
  rounds?: number;
  /** Measured inside one continuous run of load (bench/steady-load.ts) rather than after a separate warm-up run (bench/load.ts). */
  continuousLoad?: boolean;
  /** The request body a client sends. */
  body: string;
  /** Request headers (e.g. the signed-in user's bearer token). */
  headers?: Record<string, string>;
  /** A body sent once before load (e.g. to register a persisted query). */
  register?: string;
  /** Whose ceiling this scenario shares (same subgraph fetches). */
  ceilingOf?: string;
}

const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const HOME = read('clients/homepage/Home.graphql');
const FEED = read('bench/operations/CityFeed.graphql');
const feedHash = crypto.createHash('sha256').update(FEED).digest('hex');

const SCENARIOS: Scenario[] = [
  {
    id: '1',
    title: 'headline query (Home.graphql, signed in as u1)',
    headers: { authorization: `Bearer ${await issueToken(JWT_SECRET, { userId: 'u1' })}` },
    body: JSON.stringify({ query: HOME, operationName: 'Home', variables: { city: CITY, merchantId: 'm1' } }),
  },
  {
    id: '2',
    title: 'nested city feed (placements -> merchants -> coupons)',
    body: JSON.stringify({ query: FEED, operationName: 'CityFeed', variables: { city: CITY } }),
  },
  {
    id: '3',
    title: 'nested city feed by persisted id (APQ sha256)',
    body: JSON.stringify({ operationName: 'CityFeed', variables: { city: CITY }, extensions: { persistedQuery: { version: 1, sha256Hash: feedHash } } }),
    register: JSON.stringify({ query: FEED, operationName: 'CityFeed', variables: { city: CITY }, extensions: { persistedQuery: { version: 1, sha256Hash: feedHash } } }),
    ceilingOf: '2',
  },
  {
    id: 'G',
    title: `The Guild's gateways-benchmark shape (bench/guild: TestQuery over accounts, inventory, products, reviews; ${settings.guildConnections} connections)`,
    graph: 'guild',
    connections: settings.guildConnections,
    warmup: settings.guildWarmup,
    rounds: settings.guildRounds,
    continuousLoad: true,
    body: JSON.stringify({ query: GUILD_QUERY, operationName: GUILD_OPERATION }),
  },
];

// ---------------------------------------------------------------- gateways

interface Variant {
  name: string;
  kind: 'plaza' | 'baseline' | 'hive';
  env: Record<string, string>;
  /** Another checkout the gateway runs from (BENCH_CHECKOUTS). */
  root?: string;
  /** Scenarios this variant runs in (all when absent). */
  scenarios?: string[];
}

const VARIANTS: Variant[] = [
  { name: 'plaza', kind: 'plaza', env: { PLAZA_RESPONSE_CACHE: 'false' } },
  { name: 'plaza dedup-off', kind: 'plaza', env: { PLAZA_RESPONSE_CACHE: 'false', PLAZA_DEDUP: 'false' } },
  // what merging a request's simultaneous entity fetches adds (see gateway/fetch-merging.ts)
  {
    name: 'plaza dedup-off merge-off',
    kind: 'plaza',
    env: { PLAZA_RESPONSE_CACHE: 'false', PLAZA_DEDUP: 'false', PLAZA_MERGE_FETCHES: 'false' },
    scenarios: ['2'],
  },
  {
    name: 'plaza default-fetcher dedup-off',
    kind: 'plaza',
    env: { PLAZA_RESPONSE_CACHE: 'false', PLAZA_DEDUP: 'false', PLAZA_SUBGRAPH_FETCHER: 'default' },
    scenarios: ['2'],
  },
  // the response cache keeps anonymous answers only: the public feed of scenario 2
  { name: 'plaza response-cache', kind: 'plaza', env: { PLAZA_RESPONSE_CACHE: 'true' }, scenarios: ['2'] },
  { name: 'apollo-gateway', kind: 'baseline', env: {} },
  // Hive Gateway with its Rust query planner (see bench/hive-gateway.ts); it takes no APQ, so not scenario 3
  { name: 'hive', kind: 'hive', env: {}, scenarios: ['1', '2', 'G'] },
  { name: 'hive dedup-off', kind: 'hive', env: { BENCH_HIVE_DEDUP: 'false' }, scenarios: ['1', '2', 'G'] },
  // other checkouts' gateways (e.g. an earlier commit's) measured in the same rounds, so a change is judged under the same load
  ...otherCheckouts(bench.BENCH_CHECKOUTS ?? []).flatMap(({ label, root }): Variant[] => [
    { name: `plaza (${label})`, kind: 'plaza', env: { PLAZA_RESPONSE_CACHE: 'false' }, root },
    { name: `plaza (${label}) dedup-off`, kind: 'plaza', env: { PLAZA_RESPONSE_CACHE: 'false', PLAZA_DEDUP: 'false' }, root },
  ]),
];
/** BENCH_CHECKOUTS: `label=directory` entries, each a Plaza checkout with its gateway. */
function otherCheckouts(entries: string[]): { label: string; root: string }[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const label = entry.slice(0, at).trim();
    const root = path.resolve(entry.slice(at + 1).trim());
    if (at <= 0 || !fs.existsSync(path.join(root, 'gateway/main.ts'))) {
      console.error(`BENCH_CHECKOUTS: expected label=directory of a Plaza checkout, got ${entry}`);
      process.exit(2);
    }
    return { label, root };
  });
}
const BASELINE = 'apollo-gateway';
const HIVE = 'hive';
/** Plaza's rows set against Hive's with deduplication on, and off. */
const HIVE_PAIRS = [
  { plaza: 'plaza', hive: 'hive', label: 'dedup on' },
  { plaza: 'plaza dedup-off', hive: 'hive dedup-off', label: 'dedup off' },
];

/**
 * The answer a gateway should give, from the plain gateway's: Apollo Server, and Plaza's
 * gateway on it, end a JSON answer with a newline; Hive does not. Otherwise byte for byte.
 */
function expectedOf(variant: Variant, expected: string): string {
  return variant.kind === 'hive' ? expected.replace(/\n$/, '') : expected;
}

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();

// ---------------------------------------------------------------- CPU quota

/** 0 (no quota) or at least 0.05 cores: the schema checks it. */
const requestedQuota = bench.BENCH_GATEWAY_CPU_QUOTA;
/** A throttled gateway waits at most part of one period at a time. */
const QUOTA_PERIOD_US = 20_000;

interface CpuController {
  dir: string;
  version: 1 | 2;
}

/** Makes a cgroup allowing `quotaCores` of CPU time per period; returns its folder. */
function makeQuotaGroup(controller: CpuController, name: string, quotaCores: number): string {
  const dir = path.join(controller.dir, name);
  fs.mkdirSync(dir);
  try {
    const allowed = String(Math.round(quotaCores * QUOTA_PERIOD_US));
    if (controller.version === 1) {
      fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(QUOTA_PERIOD_US));
      fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), allowed);
    } else {
      fs.writeFileSync(path.join(dir, 'cpu.max'), `${allowed} ${QUOTA_PERIOD_US}`);
    }
  } catch (error) {
    fs.rmdirSync(dir);
    throw error;
  }
  return dir;
}

/**
 * A cgroup CPU controller the benchmark can make quota groups in (cgroup v1's `cpu`
 * hierarchy, or v2 with `cpu` enabled at its root), proven by making and removing one.
 * Groups are made at the hierarchy's root, so a gateway moved into one leaves the
 * benchmark's own cgroup (on v2, with every other limit that cgroup set).
 */
function findCpuController(): { controller: CpuController | null; why: string } {
  const candidates: (CpuController & { marker: string })[] = [
    { dir: '/sys/fs/cgroup/cpu', version: 1, marker: 'cpu.cfs_quota_us' },
    { dir: '/sys/fs/cgroup', version: 2, marker: 'cgroup.subtree_control' },
  ];
  let why = 'no cgroup CPU controller';
  for (const candidate of candidates) {
    const marker = path.join(candidate.dir, candidate.marker);
    if (!fs.existsSync(marker)) continue;
    if (candidate.version === 2 && !fs.readFileSync(marker, 'utf8').split(/\s+/).includes('cpu')) continue;
    try {
      fs.rmdirSync(makeQuotaGroup(candidate, `plaza-bench-${process.pid}-probe`, requestedQuota));
      return { controller: candidate, why: '' };
    } catch (error) {
      why = `${candidate.dir}: ${(error as Error).message}`;
    }
  }
  return { controller: null, why };
}
const cpuController = requestedQuota > 0 ? findCpuController() : { controller: null, why: 'BENCH_GATEWAY_CPU_QUOTA=0' };
/** The CPU quota (in cores) every measured gateway runs under, or 0 where none is set. */
const quota = cpuController.controller ? requestedQuota : 0;
/**
 * Where the subgraphs and the load generator run: under a quota the gateway leaves most of
 * its core idle, and they may use it (the gateways' rows then run out of the gateway's
 * budget, not of the subgraphs' core); without one, on the other cores.
 */
const gatewaysOtherCpus = quota && bench.BENCH_SHARE_GATEWAY_CORE ? '' : bench.BENCH_OTHER_CPUS;
settings.otherCpus = gatewaysOtherCpus;

const quotaGroups = new Set<string>();
let quotaGroupCount = 0;
/** Moves a running process (all its threads) onto a taskset CPU list (empty: every CPU). */
function pinProcess(child: ChildProcess, cpus: string): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  pinPid(child.pid!, cpus);
}

function pinPid(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus || `0-${cores - 1}`, String(pid)], { stdio: 'ignore' });
}

/** The CPU list a process may run on now (taskset's own words: "pid 12's current affinity list: 0,1"). */
function cpusOf(pid: number): string {
  return execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' }).split(':').at(-1)!.trim();
}

/** Puts a running process (all its threads) under a new quota group, removed when the process exits. */
function limitCpu(child: ChildProcess): void {
  if (stopping) return;
  const dir = makeQuotaGroup(cpuController.controller!, `plaza-bench-${process.pid}-${++quotaGroupCount}`, quota);
  quotaGroups.add(dir);
  child.once('exit', () => removeQuotaGroup(dir, false));
  fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid));
}
function removeQuotaGroup(dir: string, complain: boolean): void {
  try {
    fs.rmdirSync(dir);
    quotaGroups.delete(dir);
  } catch (error) {
    // a task still leaving: tried again when the run ends
    if (complain) console.error(`could not remove ${dir}: ${(error as Error).message}`);
  }
}

function startProcess(label: string, script: string, args: string[], env: NodeJS.ProcessEnv, cpus: string, nodeFlags: string[] = [], from?: string): ChildProcess {
  const child = startBenchProcess(script, args, env, cpus, { label, nodeFlags, quiet: () => stopping, root: from });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all([...children].map(stopProcess));
  for (const dir of [...quotaGroups]) removeQuotaGroup(dir, true);
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited before serving`);
    try {
      const { status } = await post(url, '{"query":"{ __typename }"}', { [INTERNAL_TOKEN_HEADER]: await signInternalToken(ANONYMOUS, SECRET) });
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not serve within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------- /proc figures

const CLK_TCK = 100;
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

// ---------------------------------------------------------------- subgraphs

interface Subgraph {
  name: string;
  url: string;
  child: ChildProcess;
}

type GraphName = 'plaza' | 'guild';

/** The subgraphs of a scenario, and how every gateway is pointed at them. */
interface Graph {
  name: GraphName;
  subgraphs: Subgraph[];
  /** Arguments every gateway process gets (a supergraph file and subgraph URLs). */
  gatewayArgs: string[];
  /** Environment every gateway process gets. */
  gatewayEnv: Record<string, string>;
}

/** CPU seconds the subgraph processes have used so far. */
function subgraphCpuSeconds(subgraphs: Subgraph[]): number {
  return subgraphs.reduce((sum, sg) => sum + cpuSeconds(sg.child.pid!), 0);
}

function subgraphStats(subgraphs: Subgraph[]): Promise<{ requests: number; statements: number }> {
  return Promise.all(
    subgraphs.map(
      (sg) =>
        new Promise<{ requests: number; statements: number }>((resolve) => {
          const onMessage = (m: { type?: string; requests: number; statements: number }) => {
            if (m?.type !== 'stats') return;
            sg.child.off('message', onMessage);
            resolve(m);
          };
          sg.child.on('message', onMessage);
          sg.child.send({ type: 'stats' });
        }),
    ),
  ).then((all) => all.reduce((a, b) => ({ requests: a.requests + b.requests, statements: a.statements + b.statements }), { requests: 0, statements: 0 }));
}

/** Plaza's five subgraphs on fresh SQLite files in `dataDir`; the gateways find them by PLAZA_SUBGRAPH_URL_<NAME>. */
async function startPlazaGraph(dataDir: string): Promise<Graph> {
  const started = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const port = await freePort();
      const child = startProcess(`${name} subgraph`, 'bench/subgraph.ts', [name], { ...baseEnv, PLAZA_DATA_DIR: dataDir, [`PLAZA_${name.toUpperCase()}_PORT`]: String(port) }, settings.otherCpus);
      return { name, url: `http://127.0.0.1:${port}/graphql`, child };
    }),
  );
  await Promise.all(started.map((sg) => waitUntilServing(sg.url, sg.child)));
  const gatewayEnv = Object.fromEntries(started.map((sg) => [`PLAZA_SUBGRAPH_URL_${sg.name.toUpperCase()}`, sg.url]));
  return { name: 'plaza', subgraphs: started, gatewayArgs: [], gatewayEnv };
}

/**
 * The guild-shaped graph's four subgraphs (bench/guild/subgraph.ts), and their supergraph
 * composed now with their URLs into `dir`; every gateway gets it as `--supergraph <file>
 * --subgraph name=url …`.
 */
async function startGuildGraph(dir: string): Promise<Graph> {
  const started = await Promise.all(
    GUILD_SUBGRAPHS.map(async (name) => {
      const port = await freePort();
      const child = startProcess(`guild ${name} subgraph`, 'bench/guild/subgraph.ts', [name], { ...baseEnv, BENCH_GUILD_PORT: String(port) }, settings.otherCpus);
      return { name, url: `http://127.0.0.1:${port}/graphql`, child };
    }),
  );
  await Promise.all(started.map((sg) => waitUntilServing(sg.url, sg.child)));
  const supergraph = path.join(dir, 'guild-supergraph.graphql');
  fs.writeFileSync(supergraph, composeGuildSupergraph(Object.fromEntries(started.map((sg) => [sg.name, sg.url])) as Record<GuildSubgraph, string>));
  return {
    name: 'guild',
    subgraphs: started,
    gatewayArgs: ['--supergraph', supergraph, ...started.flatMap((sg) => ['--subgraph', `${sg.name}=${sg.url}`])],
    // Its schema has no @listSize, so Plaza's cost estimate counts every list as 10 items: about
    // 24,000 for TestQuery, past the default budget of 10,000 (the other gateways have no such limit).
    gatewayEnv: { PLAZA_COST_BUDGET: '100000' },
  };
}

interface Gateway {
  url: string;
  child: ChildProcess;
  recordUrl?: string;
}

const GATEWAY_SCRIPTS: Record<Variant['kind'], { script: string; path: string }> = {
  plaza: { script: 'gateway/main.ts', path: '/graphql' },
  baseline: { script: 'bench/baseline-gateway.ts', path: '/' },
  hive: { script: 'bench/hive-gateway.ts', path: '/graphql' },
};

async function startGateway(variant: Variant, graph: Graph, extra: { env?: Record<string, string>; nodeFlags?: string[]; measured?: boolean } = {}): Promise<Gateway> {
  const port = await freePort();
  const env = { ...baseEnv, ...graph.gatewayEnv, PLAZA_GATEWAY_PORT: String(port), ...variant.env, ...extra.env };
  const { script, path: endpoint } = GATEWAY_SCRIPTS[variant.kind];
  const child = startProcess(variant.name, script, graph.gatewayArgs, env, settings.gatewayCpus, extra.nodeFlags, variant.root);
  const url = `http://127.0.0.1:${port}${endpoint}`;
  await waitUntilServing(url, child);
  // limited once serving (starting up under the quota would only make the run longer), and
  // only the gateways measured against each other
  if (quota && extra.measured) limitCpu(child);
  return { url, child };
}

// ---------------------------------------------------------------- load

interface Cell {
  scenario: string;
  target: string;
  load: LoadResult;
  cpuMsPerRequest?: number;
  /** Share of a CPU the gateway used while measured. */
  cores?: number;
  /** Shares of a CPU the subgraphs together, and the load generator, used while measured. */
  subgraphCores?: number;
  loadCores?: number;
  peakRssMiB?: number;
  subgraphRequestsPerRequest?: number;
  /** CPU time of the subgraph processes together, per gateway request. */
  subgraphCpuMsPerRequest?: number;
  sqlPerRequest?: number;
  /** 1-minute load average of the machine when the cell ended (other work on it shows here). */
  loadAverage?: number;
  /** RPS of every round, in round order (the figures above are the median round's, or totals). */
  roundRps?: number[];
  note?: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * One target's rounds as one row: median RPS, p50 and p99 over the rounds; CPU, subgraph
 * requests and SQL statements per request over all rounds together; the peak RSS reached.
 */
function combineRounds(rounds: Cell[]): Cell {
  const requests = rounds.reduce((n, c) => n + c.load.requests, 0);
  const perRequest = (field: 'cpuMsPerRequest' | 'subgraphRequestsPerRequest' | 'subgraphCpuMsPerRequest' | 'sqlPerRequest') =>
    rounds[0][field] === undefined ? undefined : rounds.reduce((sum, c) => sum + (c[field] ?? 0) * c.load.requests, 0) / Math.max(requests, 1);
  const sum = (field: 'wrong' | 'errors' | 'timeouts') => rounds.reduce((n, c) => n + c.load[field], 0);
  return {
    scenario: rounds[0].scenario,
    target: rounds[0].target,
    load: {
      ...rounds[0].load,
      requests,
      rps: median(rounds.map((c) => c.load.rps)),
      p50: median(rounds.map((c) => c.load.p50)),
      p99: median(rounds.map((c) => c.load.p99)),
      wrong: sum('wrong'),
      errors: sum('errors'),
      timeouts: sum('timeouts'),
      sampleWrong: rounds.find((c) => c.load.sampleWrong)?.load.sampleWrong,
    },
    cpuMsPerRequest: perRequest('cpuMsPerRequest'),
    cores: rounds[0].cores === undefined ? undefined : median(rounds.map((c) => c.cores ?? 0)),
    subgraphCores: median(rounds.map((c) => c.subgraphCores ?? 0)),
    loadCores: median(rounds.map((c) => c.loadCores ?? 0)),
    peakRssMiB: rounds[0].peakRssMiB === undefined ? undefined : Math.max(...rounds.map((c) => c.peakRssMiB ?? 0)),
    subgraphRequestsPerRequest: perRequest('subgraphRequestsPerRequest'),
    subgraphCpuMsPerRequest: perRequest('subgraphCpuMsPerRequest'),
    sqlPerRequest: perRequest('sqlPerRequest'),
    loadAverage: Math.max(...rounds.map((c) => c.loadAverage ?? 0)),
    roundRps: rounds.map((c) => c.load.rps),
  };
}

/** The subgraphs' warm-up: subgraph requests it sends at least, its windows at least and at most, how long each lasts (s), the improvement that asks for one more. */
const SUBGRAPH_WARMUP = { minRequests: 25_000, minWindows: 1, maxWindows: 30, seconds: 5, improvement: 0.05 };

/**
 * Windows of load until a cost stops falling: `window` runs one and returns its cost; once
 * `minWindows` have run and `enough()` holds, the first window no more than `improvement`
 * cheaper than the cheapest before it is the last (`maxWindows` at most). The costs by window.
 */
async function untilCostStopsFalling(limits: { minWindows: number; maxWindows: number; improvement: number }, window: () => Promise<number>, enough = () => true): Promise<string[]> {
  let cheapest = Infinity;
  const costs: string[] = [];
  for (let k = 0; k < limits.maxWindows; k++) {
    const cost = await window();
    costs.push(fmt(cost, 2));
    const improved = cost < cheapest * (1 - limits.improvement);
    cheapest = Math.min(cheapest, cost);
    if (!improved && k + 1 >= limits.minWindows && enough()) break;
  }
  return costs;
}

/** Seconds of load before each measured window of `scenario` (bench/load.ts's warm-up, or the steady load's). */
const roundWarmup = (scenario: Scenario) => scenario.warmup ?? Math.min(1, settings.warmup);

/**
 * Load on a graph's subgraphs until their CPU per subgraph request stops falling: a fresh
 * subgraph process costs ~3x more per request than one that has served some thousands of
 * requests (its JIT, its caches), and keeps getting cheaper for a minute or more of load
 * (some 25,000 requests over Plaza's five); measured cold, whichever gateway went first would
 * be measured against slower subgraphs. The load goes through the target sending most
 * subgraph requests (a Plaza variant without deduplication, if there is one), in windows,
 * until the subgraphs have served `minRequests` and a window is no more than 5% cheaper than
 * the cheapest before it.
 */
async function warmSubgraphs(scenario: Scenario, graph: Graph, targets: Variant[], gateways: Map<Variant, Gateway>, expected: string): Promise<void> {
  const driver = targets.find((v) => v.kind === 'plaza' && v.env.PLAZA_DEDUP === 'false') ?? targets[0];
  const gw = gateways.get(driver)!;
  let served = 0;
  let timeouts = 0;
  const costs = await untilCostStopsFalling(
    SUBGRAPH_WARMUP,
    async () => {
      const cell = await measure(scenario, driver.name, gw.url, scenario.body, scenario.headers ?? {}, expectedOf(driver, expected), null, graph.subgraphs, SUBGRAPH_WARMUP.seconds, scenario.warmup ?? 0);
      // a wrong answer or a failed socket ends the run; a timeout of a gateway still cold under the load is only counted
      if (cell.load.wrong || cell.load.errors > cell.load.timeouts) throw new Error(`${driver.name} answered wrongly while warming the ${graph.name} graph's subgraphs`);
      timeouts += cell.load.timeouts;
      served += (cell.subgraphRequestsPerRequest ?? 0) * cell.load.requests;
      return (cell.subgraphCpuMsPerRequest ?? 0) / Math.max(cell.subgraphRequestsPerRequest ?? 0, 1e-9);
    },
    () => served >= SUBGRAPH_WARMUP.minRequests,
  );
  const line = `the ${graph.name} graph's subgraphs warmed up through ${driver.name} (scenario ${scenario.id}): CPU ms per subgraph request by ${SUBGRAPH_WARMUP.seconds} s window ${costs.join(' → ')} (${Math.round(served)} subgraph requests${timeouts ? `; ${timeouts} requests timed out` : ''})`;
  subgraphWarmups.push(line);
  console.log(`  ${line}`);
}
/** What warmSubgraphs saw, for the report. */
const subgraphWarmups: string[] = [];

/** Each gateway's warm-up windows: at least `minWindows`, then until a window is no more than `improvement` cheaper than the cheapest before it. */
const GATEWAY_WARMUP = { minWindows: 2, maxWindows: 5, improvement: 0.05 };

/**
 * Load on one gateway until its CPU per request stops falling: a gateway's JIT keeps
 * compiling its request path for a while under load (Hive Gateway's CPU per request on
 * scenario G fell from 24 to 15 to 10 ms over its first three rounds, after 5 s of warm-up),
 * and a round measured before it is done measures the compiler. Windows of BENCH_WARMUP
 * seconds (scenario G's after its own seconds of load, as in every round), under the quota.
 * Returns the gateway's CPU ms per request by window.
 */
async function warmGateway(scenario: Scenario, variant: Variant, gw: Gateway, subgraphs: Subgraph[], expected: string): Promise<string> {
  const costs = await untilCostStopsFalling(GATEWAY_WARMUP, async () => {
    const cell = await measure(scenario, variant.name, gw.url, scenario.body, scenario.headers ?? {}, expected, gw.child.pid!, subgraphs, settings.warmup, roundWarmup(scenario));
    if (cell.load.wrong || cell.load.errors > cell.load.timeouts) throw new Error(`${variant.name} answered scenario ${scenario.id}'s warm-up wrongly (${cell.load.wrong} wrong, ${cell.load.errors} errors, ${cell.load.timeouts} timeouts)`);
    return cell.cpuMsPerRequest ?? 0;
  });
  return `${variant.name} ${costs.join(' → ')}`;
}
/** What warmGateway saw, by scenario, for the report. */
const gatewayWarmups: string[] = [];

/** Runs one load job; `around.start` runs between warm-up and measurement. */
function load(job: LoadJob, around: { start(): Promise<void> | void }, continuous = false): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = startProcess('load', continuous ? 'bench/steady-load.ts' : 'bench/load.ts', [], baseEnv, settings.otherCpus);
    child.on('message', async (m: { type?: string } & LoadResult) => {
      if (m.type === 'warm') {
        try {
          await around.start();
        } catch (error) {
          // e.g. the measured process is gone: the run stops here, and stops every process it started
          child.kill();
          reject(error);
          return;
        }
        child.send({ type: 'go' });
      } else if (m.type === 'result') resolve(m);
    });
    child.on('exit', (code) => {
      if (code) reject(new Error(`load process exited with ${code}`));
    });
    child.send({ type: 'job', job });
  });
}

async function measure(
  scenario: Scenario,
  target: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  expected: string,
  pid: number | null,
  subgraphs: Subgraph[],
  duration = settings.duration,
  warmup = settings.warmup,
): Promise<Cell> {
  let cpu0 = 0;
  let subgraphCpu0 = 0;
  let stats0 = { requests: 0, statements: 0 };
  let from = 0;
  const result = await load(
    { url, body, headers, expected, connections: scenario.connections ?? settings.connections, duration, warmup },
    {
      async start() {
        if (pid && !fs.existsSync(`/proc/${pid}`)) throw new Error(`${target} (pid ${pid}) is no longer running`);
        stats0 = await subgraphStats(subgraphs);
        if (pid) cpu0 = cpuSeconds(pid);
        subgraphCpu0 = subgraphCpuSeconds(subgraphs);
        from = performance.now();
      },
    },
    scenario.continuousLoad,
  );
  const cpu = pid ? cpuSeconds(pid) - cpu0 : 0;
  const subgraphCpu = subgraphCpuSeconds(subgraphs) - subgraphCpu0;
  // the CPU figures span from just before the load to its result, a little more than `duration`
  const window = (performance.now() - from) / 1000;
  const stats1 = await subgraphStats(subgraphs);
  const n = Math.max(result.requests, 1);
  return {
    scenario: scenario.id,
    target,
    load: result,
    cpuMsPerRequest: pid ? (cpu * 1000) / n : undefined,
    cores: pid ? cpu / window : undefined,
    subgraphCores: subgraphCpu / window,
    loadCores: result.cpuSeconds / window,
    peakRssMiB: pid ? peakRssMiB(pid) : undefined,
    subgraphRequestsPerRequest: (stats1.requests - stats0.requests) / n,
    subgraphCpuMsPerRequest: (subgraphCpu * 1000) / n,
    sqlPerRequest: (stats1.statements - stats0.statements) / n,
    loadAverage: os.loadavg()[0],
  };
}

// ---------------------------------------------------------------- the ceiling

interface Recorded {
  subgraph: string;
  userId?: string;
  url: string;
  body: { query: string; variables?: Record<string, unknown> };
}

/** The subgraph fetches one gateway request makes, as recorded by the baseline gateway. */
async function recordFetches(scenario: Scenario, graph: Graph): Promise<Recorded[]> {
  const recordPort = await freePort();
  const baseline = VARIANTS.find((v) => v.name === BASELINE)!;
  const gw = await startGateway(baseline, graph, { env: { BENCH_RECORD: 'true', BENCH_RECORD_PORT: String(recordPort) } });
  try {
    await fetch(`http://127.0.0.1:${recordPort}/recorded`).then((r) => r.text()); // drop start-up traffic
    if (scenario.register) await post(gw.url, scenario.register, scenario.headers);
    const res = await post(gw.url, scenario.body, scenario.headers);
    if (res.status !== 200) throw new Error(`recording ${scenario.id}: HTTP ${res.status}`);
    return (await (await fetch(`http://127.0.0.1:${recordPort}/recorded`)).json()) as Recorded[];
  } finally {
    await stopProcess(gw.child);
  }
}

/** One distinct subgraph fetch of a scenario, called alone: what it costs its subgraph. */
interface FetchCost {
  subgraph: string;
  operation: string;
  entities: number;
  responseKiB: number;
  rps: number;
  /** The subgraph process's CPU per fetch over the probe's measured window. */
  cpuMs: number;
}

/** The slowest distinct fetch of the scenario called directly (the ceiling), and what every distinct fetch costs alone. */
async function ceiling(scenario: Scenario, graph: Graph): Promise<{ cell: Cell; costs: FetchCost[] }> {
  const { subgraphs } = graph;
  const fetches = await recordFetches(scenario, graph);
  // internal tokens live 60 s: a fresh one for every load job
  const fresh = async (f: Recorded) => ({ [INTERNAL_TOKEN_HEADER]: await signInternalToken(f.userId ? { userId: f.userId, scopes: [] } : ANONYMOUS, SECRET) });
  const distinct = [...new Map(fetches.map((f) => [JSON.stringify(f), f])).values()];
  let slowest: { fetch: Recorded; subgraph: Subgraph; rps: number; expected: string } | null = null;
  const costs: FetchCost[] = [];
  for (const f of distinct) {
    const subgraph = subgraphs.find((sg) => sg.name === f.subgraph)!;
    const body = JSON.stringify(f.body);
    const headers = await fresh(f);
    const { status, text } = await post(subgraph.url, body, headers);
    if (status !== 200 || text.includes('"errors"')) throw new Error(`subgraph ${f.subgraph} answered ${status}: ${text.slice(0, 300)}`);
    // measured like a gateway, with the subgraph's own process in the gateway's place
    const probe = await measure(scenario, 'probe', subgraph.url, body, headers, text, subgraph.child.pid!, subgraphs, 2, 1);
    costs.push({
      subgraph: f.subgraph,
      operation: /^\s*query\s+(\w+)/.exec(f.body.query)?.[1] ?? '(anonymous)',
      entities: Array.isArray(f.body.variables?.representations) ? f.body.variables.representations.length : 0,
      responseKiB: text.length / 1024,
      rps: probe.load.rps,
      cpuMs: probe.cpuMsPerRequest ?? 0,
    });
    if (!slowest || probe.load.rps < slowest.rps) slowest = { fetch: f, subgraph, rps: probe.load.rps, expected: text };
  }
  const cell = await measure(scenario, 'ceiling', slowest!.subgraph.url, JSON.stringify(slowest!.fetch.body), await fresh(slowest!.fetch), slowest!.expected, null, subgraphs);
  cell.note = `${slowest!.fetch.subgraph}, the slowest of ${distinct.length} distinct fetches (${fetches.length} per request)`;
  return { cell, costs };
}

function fetchCostTable(scenario: string, costs: FetchCost[]): string {
  const total = costs.reduce((sum, c) => sum + c.cpuMs, 0);
  return [
    `### Scenario ${scenario}: its subgraph fetches, each called alone`,
    '',
    '| subgraph | operation | entities | KiB | RPS | subgraph CPU ms/fetch | share |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...costs.map((c) => `| ${c.subgraph} | ${c.operation} | ${c.entities} | ${fmt(c.responseKiB, 1)} | ${fmt(c.rps)} | ${fmt(c.cpuMs, 2)} | ${fmt((100 * c.cpuMs) / total)}% |`),
  ].join('\n');
}

// ---------------------------------------------------------------- report

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '—' : n.toFixed(digits));

function table(cells: Cell[]): string {
  const lines = [
    '| scenario | target | RPS | ×apollo | ×hive | RPS by round | p50 ms | p99 ms | CPU ms/req | cores | peak RSS MiB | subgraph req/req | subgraph CPU ms/req | SQL/req | KiB/resp | wrong | load avg |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cells) {
    const ratioTo = (target: string) => {
      const base = cells.find((b) => b.scenario === c.scenario && b.target === target);
      return base && base.load.rps ? `${(c.load.rps / base.load.rps).toFixed(2)}×` : '—';
    };
    lines.push(
      `| ${c.scenario} | ${c.target}${c.note ? ` (${c.note})` : ''} | ${fmt(c.load.rps)} | ${ratioTo(BASELINE)} | ${ratioTo(HIVE)} | ${c.roundRps ? c.roundRps.map((r) => fmt(r)).join(' / ') : '—'} | ${fmt(c.load.p50)} | ${fmt(c.load.p99)} | ${fmt(c.cpuMsPerRequest, 2)} | ${fmt(c.cores, 2)} | ${fmt(c.peakRssMiB)} | ${fmt(c.subgraphRequestsPerRequest, 2)} | ${fmt(c.subgraphCpuMsPerRequest, 1)} | ${fmt(c.sqlPerRequest, 2)} | ${fmt(c.load.bytesPerResponse / 1024, 1)} | ${c.load.wrong + c.load.errors + c.load.timeouts} | ${fmt(c.loadAverage, 1)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Plaza's gateway set against Hive Gateway in every scenario both ran: with deduplication of
 * in-flight subgraph requests on in both, and off in both; ratios plaza / hive.
 */
function hiveTable(cells: Cell[]): string {
  const rows: string[] = [];
  for (const scenario of [...new Set(cells.map((c) => c.scenario))]) {
    for (const pair of HIVE_PAIRS) {
      const plaza = cells.find((c) => c.scenario === scenario && c.target === pair.plaza);
      const hive = cells.find((c) => c.scenario === scenario && c.target === pair.hive);
      if (!plaza || !hive) continue;
      const ratio = (a: number | undefined, b: number | undefined, digits = 2) => (a !== undefined && b ? `${(a / b).toFixed(digits)}×` : '—');
      rows.push(
        `| ${scenario} | ${pair.label}: ${pair.plaza} / ${pair.hive} | ${fmt(plaza.load.rps)} / ${fmt(hive.load.rps)} | ${ratio(plaza.load.rps, hive.load.rps)} | ${fmt(plaza.cpuMsPerRequest, 2)} / ${fmt(hive.cpuMsPerRequest, 2)} | ${ratio(plaza.cpuMsPerRequest, hive.cpuMsPerRequest)} | ${fmt(plaza.peakRssMiB)} / ${fmt(hive.peakRssMiB)} | ${ratio(plaza.peakRssMiB, hive.peakRssMiB)} | ${fmt(plaza.load.p50)} / ${fmt(hive.load.p50)} | ${fmt(plaza.load.p99)} / ${fmt(hive.load.p99)} |`,
      );
    }
  }
  if (!rows.length) return '';
  return [
    '| scenario | rows | RPS | RPS plaza / hive | CPU ms/req | CPU plaza / hive | peak RSS MiB | RSS plaza / hive | p50 ms | p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

/** How many CPUs a taskset list names ("1", "1-3", "0,2-3", "0-6:2"); all of them when empty. */
function cpuCount(list: string): number {
  if (!list) return cores;
  return list.split(',').reduce((sum, part) => {
    const [range, stride = '1'] = part.split(':');
    const [from, to = from] = range.split('-').map(Number);
    return sum + Math.floor((to - from) / Number(stride)) + 1;
  }, 0);
}

/**
 * What limited each gateway row: a row measures its gateway only while the gateway ran
 * out of its CPU budget (90% of it used) and the subgraphs with the load generator did not
 * run out of theirs (under 85% used). Names every row where that did not hold.
 */
function limits(cells: Cell[]): string {
  // with every core open to them, the subgraphs and the load generator have what the gateway leaves
  const otherCapacity = gatewaysOtherCpus ? cpuCount(gatewaysOtherCpus) : cores - (quota || cpuCount(settings.gatewayCpus));
  const gatewayCapacity = quota || cpuCount(settings.gatewayCpus);
  const exceptions: string[] = [];
  for (const c of cells) {
    if (c.cores === undefined) continue;
    const others = (c.subgraphCores ?? 0) + (c.loadCores ?? 0);
    const figures = `gateway ${fmt(c.cores, 2)} of ${gatewayCapacity}, subgraphs and load generator ${fmt(others, 2)} of ${otherCapacity}`;
    if (others > 0.85 * otherCapacity) exceptions.push(`${c.scenario}: ${c.target}, the subgraphs' CPUs may have been the limit (${figures})`);
    else if (c.cores < 0.9 * gatewayCapacity) exceptions.push(`${c.scenario}: ${c.target}, neither ran out (${figures})`);
  }
  return exceptions.length
    ? `Rows not limited by their gateway alone: ${exceptions.join('; ')}.`
    : `In every gateway row the gateway used at least 90% of its CPU (${gatewayCapacity}) and the subgraphs with the load generator less than 85% of theirs (${otherCapacity}): the gateway was the limit.`;
}

function versionOf(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/** How the gateways, subgraphs and load generator share the machine's CPUs. */
function layout(): string {
  const where = (cpus: string) => (cpus ? `on CPU ${cpus}` : 'on any CPU');
  const gateways = quota
    ? `Each measured gateway limited to ${quota} core of CPU time (cgroup v${cpuController.controller!.version} CPU quota) ${where(settings.gatewayCpus)}`
    : `Each gateway ${where(settings.gatewayCpus)} with no CPU quota${requestedQuota ? ` (none could be set: ${cpuController.why})` : ''}`;
  return `${gateways}; subgraphs and load generator ${where(gatewaysOtherCpus)}${gatewaysOtherCpus === bench.BENCH_OTHER_CPUS ? '' : ` (${where(bench.BENCH_OTHER_CPUS)} for the unloaded overhead and the profile)`}; the unloaded overhead's client ${where(settings.gatewayCpus)}`;
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores; memory ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${['@apollo/gateway', '@apollo/server', '@apollo/query-planner', '@graphql-hive/gateway', '@graphql-hive/router-runtime', '@graphql-hive/router-query-planner', 'graphql', 'undici', 'autocannon', '@mikro-orm/core'].map((p) => `${p} ${versionOf(p)}`).join(', ')}`,
    `- ${layout()}; SQLite databases (seed scale small); NODE_ENV=production; Plaza's gateway with its Node flags (${GATEWAY_NODE_FLAGS.join(' ')}, gateway/node-flags.ts); Hive Gateway without logging, landing page or GraphiQL, its other defaults kept`,
    `- ${settings.connections} connections (scenario G: ${settings.guildConnections}, its window inside one continuous run of load after ${settings.guildWarmup} s of it, every round); each graph's subgraphs warmed up first, by at least ${SUBGRAPH_WARMUP.minRequests} requests and until their CPU per request stops falling (${SUBGRAPH_WARMUP.seconds} s windows, at most ${SUBGRAPH_WARMUP.maxWindows}); every gateway warmed up next, in windows of ${settings.warmup} s, until its CPU per request stops falling (at least ${GATEWAY_WARMUP.minWindows} windows, at most ${GATEWAY_WARMUP.maxWindows}); every gateway of a scenario then measured in ${settings.rounds} round(s) of ${settings.duration} s (scenario G: ${settings.guildRounds}), 1 s of warm-up before every round excluded, in a different order each round; rows give the median round; every response compared byte for byte with the expected answer`,
    ...subgraphWarmups.map((line) => `- ${line}`),
    `- gateways warmed up, CPU ms per request by ${settings.warmup} s window: ${gatewayWarmups.join('; ')}`,
  ].join('\n');
}

// ---------------------------------------------------------------- main

async function expectedAnswer(scenario: Scenario, graph: Graph): Promise<string> {
  const baseline = VARIANTS.find((v) => v.name === BASELINE)!;
  const gw = await startGateway(baseline, graph);
  try {
    if (scenario.register) await post(gw.url, scenario.register, scenario.headers);
    const { status, text } = await post(gw.url, scenario.body, scenario.headers);
    const parsed = JSON.parse(text) as { data?: unknown; errors?: unknown };
    if (status !== 200 || parsed.errors || !parsed.data) throw new Error(`scenario ${scenario.id}: the plain gateway answered ${status}: ${text.slice(0, 300)}`);
    return text;
  } finally {
    await stopProcess(gw.child);
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const wanted = bench.BENCH_SCENARIOS;
  const wantedVariants = bench.BENCH_VARIANTS;
  const scenarios = settings.sections.has('gateways') ? SCENARIOS.filter((s) => !wanted || wanted.includes(s.id)) : [];
  const variants = VARIANTS.filter((v) => !wantedVariants || wantedVariants.includes(v.name) || v.name === BASELINE);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-'));
  const cells: Cell[] = [];
  const fetchCosts: string[] = [];
  let profile = '';
  let overhead: OverheadResult | undefined;
  try {
    if (scenarios.length || flags.profile) console.log(`${layout()}.`);
    // each graph's subgraphs start once, when a scenario first needs them
    const graphs = new Map<GraphName, Promise<Graph>>();
    const graphOf = (name: GraphName): Promise<Graph> => {
      let graph = graphs.get(name);
      if (!graph) {
        console.log(`starting the ${name} graph's subgraphs (data in ${dataDir})…`);
        graph = name === 'plaza' ? startPlazaGraph(dataDir) : startGuildGraph(dataDir);
        graphs.set(name, graph);
      }
      return graph;
    };
    const ceilings = new Map<string, Cell>();
    const warmedGraphs = new Set<Graph>();
    for (const scenario of scenarios) {
      const graph = await graphOf(scenario.graph ?? 'plaza');
      const { subgraphs } = graph;
      const expected = await expectedAnswer(scenario, graph);
      console.log(`\nscenario ${scenario.id}: ${scenario.title} — answer ${(expected.length / 1024).toFixed(1)} KiB`);
      const targets = variants.filter((variant) => !variant.scenarios || variant.scenarios.includes(scenario.id));
      const gateways = new Map<Variant, Gateway>();
      try {
        for (const variant of targets) {
          const gw = await startGateway(variant, graph, { measured: true });
          gateways.set(variant, gw);
          if (scenario.register) await post(gw.url, scenario.register, scenario.headers);
          const first = await post(gw.url, scenario.body, scenario.headers);
          if (first.text !== expectedOf(variant, expected)) throw new Error(`${variant.name} answers scenario ${scenario.id} differently from the plain gateway:\n${first.text.slice(0, 400)}`);
        }
        if (!warmedGraphs.has(graph)) {
          warmedGraphs.add(graph);
          await warmSubgraphs(scenario, graph, targets, gateways, expected);
        }
        // a warm-up before any round is measured: every gateway gets load until its JIT has
        // compiled its request path, so that no round measures start-up
        if (settings.warmup > 0) {
          const lines: string[] = [];
          for (const variant of targets) {
            lines.push(await warmGateway(scenario, variant, gateways.get(variant)!, subgraphs, expectedOf(variant, expected)));
            console.log(`  warmed up: ${lines.at(-1)} ms/req`);
          }
          gatewayWarmups.push(`scenario ${scenario.id}: ${lines.join('; ')}`);
        }
        const rounds = new Map<Variant, Cell[]>(targets.map((v) => [v, []]));
        for (let round = 0; round < (scenario.rounds ?? settings.rounds); round++) {
          // a different order every round: no target is always measured on the warmest subgraphs
          const order = targets.map((_, k) => targets[(k + round) % targets.length]);
          if (round % 2 === 1) order.reverse();
          for (const variant of order) {
            const gw = gateways.get(variant)!;
            // every gateway is warm already (the windows above): a short warm-up re-opens its connections
            const cell = await measure(scenario, variant.name, gw.url, scenario.body, scenario.headers ?? {}, expectedOf(variant, expected), gw.child.pid!, subgraphs, settings.duration, roundWarmup(scenario));
            rounds.get(variant)!.push(cell);
            if (cell.load.sampleWrong) console.log(`  a wrong answer: ${cell.load.sampleWrong.slice(0, 300)}`);
            console.log(`  round ${round + 1}: ${variant.name.padEnd(32)} ${fmt(cell.load.rps).padStart(6)} rps  p50 ${fmt(cell.load.p50)} ms  p99 ${fmt(cell.load.p99)} ms  cpu ${fmt(cell.cpuMsPerRequest, 2)} ms/req  subgraphs ${fmt(cell.subgraphCpuMsPerRequest, 1)} ms/req  wrong ${cell.load.wrong}`);
          }
        }
        for (const variant of targets) {
          const cell = combineRounds(rounds.get(variant)!);
          cells.push(cell);
          console.log(`  median: ${variant.name.padEnd(32)} ${fmt(cell.load.rps).padStart(6)} rps  p50 ${fmt(cell.load.p50)} ms  p99 ${fmt(cell.load.p99)} ms  cpu ${fmt(cell.cpuMsPerRequest, 2)} ms/req  rss ${fmt(cell.peakRssMiB)} MiB  wrong ${cell.load.wrong}`);
        }
      } finally {
        await Promise.all([...gateways.values()].map((gw) => stopProcess(gw.child)));
      }
      const shared = scenario.ceilingOf ? ceilings.get(scenario.ceilingOf) : undefined;
      let cell: Cell;
      if (shared) cell = { ...shared, scenario: scenario.id, note: `${shared.note}; same fetches as scenario ${scenario.ceilingOf}` };
      else {
        const measured = await ceiling(scenario, graph);
        cell = measured.cell;
        fetchCosts.push(fetchCostTable(scenario.id, measured.costs));
        console.log(`\n${fetchCosts.at(-1)}\n`);
      }
      ceilings.set(scenario.id, cell);
      cells.push(cell);
      if (cell.load.sampleWrong) console.log(`  a wrong answer: ${cell.load.sampleWrong.slice(0, 300)}`);
      console.log(`  ${'ceiling'.padEnd(24)} ${fmt(cell.load.rps).padStart(6)} rps  p50 ${fmt(cell.load.p50)} ms  p99 ${fmt(cell.load.p99)} ms  (${cell.note})`);
    }
    // the rest runs gateways on their whole core (no quota): the subgraphs and the load go back to the other cores
    if (settings.otherCpus !== bench.BENCH_OTHER_CPUS) {
      settings.otherCpus = bench.BENCH_OTHER_CPUS;
      for (const graph of graphs.values()) for (const sg of (await graph).subgraphs) pinProcess(sg.child, settings.otherCpus);
    }
    // with the headline scenario's load rounds, or alone (the `overhead` section)
    if (settings.sections.has('overhead') && (!settings.sections.has('gateways') || scenarios.some((s) => s.id === '1'))) overhead = await headlineOverhead(await graphOf('plaza'));
    if (flags.profile) profile = await cpuProfile(await graphOf(SCENARIOS.find((s) => s.id === settings.profileScenario)?.graph ?? 'plaza'));
  } finally {
    await stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  let money: Awaited<ReturnType<typeof moneyContention>> | undefined;
  let hostile: Awaited<ReturnType<typeof hostileBench>> | undefined;
  let memory: Awaited<ReturnType<typeof memoryBench>> | undefined;
  if (settings.sections.has('money')) {
    console.log('\nmoney under contention (PostgreSQL, bench/money.ts):');
    money = await moneyContention(flags.quick ? { rounds: 1 } : {});
  }
  if (settings.sections.has('hostile')) {
    console.log('\nhostile documents (bench/hostile.ts):');
    hostile = await hostileBench(flags.quick ? { repeats: 1 } : {});
  }
  if (settings.sections.has('memory')) {
    console.log('\nmemory under floods of distinct input (bench/memory.ts):');
    memory = await memoryBench(flags.quick ? { operations: 10_000, cities: 10_000 } : {});
  }
  let impressions: Awaited<ReturnType<typeof impressionsBench>> | undefined;
  if (settings.sections.has('impressions')) {
    console.log('\nthe feed with impression counting on and off (bench/impressions.ts):');
    impressions = await impressionsBench({ gatewayCpus: settings.gatewayCpus, otherCpus: bench.BENCH_OTHER_CPUS, ...(flags.quick ? { rounds: 1, duration: 5 } : {}) });
  }
  let subscriptions: Awaited<ReturnType<typeof subscriptionsBench>> | undefined;
  if (settings.sections.has('subscriptions')) {
    console.log('\nsubscribers of pointsChanged on one gateway, events at a steady rate (bench/subscriptions.ts):');
    subscriptions = await subscriptionsBench({
      // not pinned: most of an event's cost is the membership subgraph's, which would share one core with the
      // subscribers' process and the publisher while the gateway idled on the other
      gatewayCpus: '',
      otherCpus: '',
      subscribers: bench.SUBSCRIPTIONS_SUBSCRIBERS,
      rate: bench.SUBSCRIPTIONS_RATE,
      duration: flags.quick ? 5 : bench.SUBSCRIPTIONS_DURATION,
    });
  }
  const minutes = ((Date.now() - began) / 60_000).toFixed(1);
  const againstHive = hiveTable(cells);
  const gatewaysReport = scenarios.length
    ? [
        '## Scenarios',
        '',
        ...scenarios.map((s) => `${s.id}. ${s.title}`),
        '',
        '## Results',
        '',
        table(cells),
        '',
        limits(cells),
        '',
        'RPS: answered requests per second (the median round); ×apollo and ×hive: RPS over the plain @apollo/gateway, and over Hive Gateway',
        '(dedup on), in the same run; RPS by round:',
        'every round in the order measured (a different target order each round); p50/p99: of the median rounds; CPU ms/req and cores: the',
        "gateway process's user+system CPU over the measured window; peak RSS: the gateway process's VmHWM; subgraph req/req and SQL/req:",
        "requests served and SQL statements run by all the scenario's subgraphs (Plaza's five, or the guild graph's four), per gateway request;",
        "subgraph CPU ms/req: the subgraph processes' CPU per gateway request (they share their CPUs with the load generator); wrong: responses whose status or",
        'body differed from the expected answer, plus socket errors and timeouts; load avg: the machine\'s 1-minute load average as',
        'the cell ended (above the core count, other work competed with the benchmark). The ceiling row is one subgraph called directly.',
        '',
        ...(againstHive
          ? [
              '## Plaza against Hive Gateway',
              '',
              "Plaza's gateway and Hive Gateway with its Rust query planner, both with their deduplication of identical in-flight subgraph",
              'requests (their defaults), then both without; each figure plaza / hive, from the rows above (RPS: above 1× Plaza serves more;',
              'CPU ms/req and peak RSS: above 1× Plaza spends more).',
              '',
              againstHive,
              '',
            ]
          : []),
        ...(overhead ? [overheadReport(overhead, SCENARIOS[0].title), ''] : []),
        '## Where the subgraph time goes',
        '',
        "Every distinct fetch the plain gateway makes for the scenario, sent straight to its subgraph for 2 s (after 1 s of warm-up) with",
        "the same connections; subgraph CPU ms/fetch: that subgraph process's user+system CPU over the window, per fetch; share: of the",
        'sum over the fetches. Plaza sends some of these together (fewer, larger requests), but the work per entity is the same.',
        '',
        ...fetchCosts.flatMap((t) => [t, '']),
      ]
    : [];
  const report = [
    '# Plaza benchmark — results of record',
    '',
    `Generated by \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString()} (${minutes} min).`,
    '',
    machine(),
    '',
    ...gatewaysReport,
    ...(overhead && !scenarios.length ? [overheadReport(overhead, SCENARIOS[0].title), ''] : []),
    ...(money ? [moneyReport(money), ''] : []),
    ...(hostile ? [hostileReport(hostile), ''] : []),
    ...(memory ? [memoryReport(memory), ''] : []),
    ...(impressions ? [impressionsReport(impressions), ''] : []),
    ...(subscriptions ? [subscriptionsReport(subscriptions), ''] : []),
    ...(profile ? [`## CPU profile of Plaza under scenario ${settings.profileScenario}`, '', profile, ''] : []),
  ].join('\n');
  const summary = [
    ...(scenarios.length ? [table(cells), limits(cells)] : []),
    ...(againstHive ? [`Plaza against Hive Gateway (plaza / hive):\n${againstHive}`] : []),
    ...(overhead ? [overheadReport(overhead, SCENARIOS[0].title)] : []),
    ...(money ? [moneyReport(money)] : []),
    ...(hostile ? [hostileSummary(hostile)] : []),
    ...(memory ? [memorySummary(memory)] : []),
    ...(impressions ? [impressionsReport(impressions)] : []),
    ...(subscriptions ? [subscriptionsReport(subscriptions)] : []),
  ];
  console.log(`\n${summary.join('\n\n')}\n`);
  if (profile) console.log(profile);
  if (!flags['no-report']) {
    fs.writeFileSync(settings.out, report);
    console.log(`report written to ${path.relative(root, settings.out)} (${minutes} min)`);
  }
  const wrong = cells.reduce((n, c) => n + c.load.wrong + c.load.errors + c.load.timeouts, 0);
  if (wrong) {
    console.error(`${wrong} wrong or failed responses`);
    process.exitCode = 1;
  }
}

/** Plaza's and Hive Gateway's unloaded latency on the headline query, against its subgraph fetches called directly (bench/overhead.ts). */
async function headlineOverhead(graph: Graph): Promise<OverheadResult> {
  const scenario = SCENARIOS.find((s) => s.id === '1')!;
  console.log('\nunloaded latency of the headline query, one request at a time (bench/overhead.ts)…');
  const fetches = await recordFetches(scenario, graph);
  // merging a request's fetches holds some back to go out together: what that costs one request alone shows in the merge-off row
  // other checkouts' Plaza (BENCH_CHECKOUTS) beside this one's, to judge a change's latency in the same run
  const measured = VARIANTS.filter((v) => v.name === 'plaza' || v.name === 'plaza dedup-off merge-off' || v.name === HIVE || (v.root && !v.name.endsWith('dedup-off')));
  const started: Gateway[] = [];
  // The client on the gateways' CPU: its direct fetches then reach the subgraphs as a
  // gateway's do, from a core of their own that idles while it waits (docs/benchmark.md).
  // From the subgraphs' core, kept awake by them, the direct row would skip the cost of
  // crossing cores and of waking an idle one at every step of the plan's chain.
  const ownCpus = settings.gatewayCpus ? cpusOf(process.pid) : undefined;
  if (ownCpus !== undefined) pinPid(process.pid, settings.gatewayCpus);
  try {
    // on their whole core: a CPU quota would throttle a latency, not only a throughput
    for (const variant of measured) started.push(await startGateway(variant, graph));
    return await unloadedOverhead({
      supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
      query: HOME,
      operationName: 'Home',
      body: scenario.body,
      headers: scenario.headers ?? {},
      fetches,
      fetchHeaders: async (f) => ({ [INTERNAL_TOKEN_HEADER]: await signInternalToken(f.userId ? { userId: f.userId, scopes: [] } : ANONYMOUS, SECRET) }),
      gateways: measured.map((variant, i) => ({ name: variant.name, url: started[i].url })),
      requests: bench.BENCH_OVERHEAD_REQUESTS ?? (flags.quick ? 150 : 300),
      warmup: bench.BENCH_OVERHEAD_WARMUP ?? (flags.quick ? 1000 : 3000),
    });
  } finally {
    if (ownCpus !== undefined) pinPid(process.pid, ownCpus);
    await Promise.all(started.map((gw) => stopProcess(gw.child)));
  }
}

/** Plaza under one scenario (2 unless BENCH_PROFILE_SCENARIO says) with --cpu-prof; returns the top self-time functions. */
async function cpuProfile(graph: Graph): Promise<string> {
  const scenario = SCENARIOS.find((s) => s.id === settings.profileScenario);
  if (!scenario) throw new Error(`BENCH_PROFILE_SCENARIO: no scenario ${settings.profileScenario}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-prof-'));
  const variant = VARIANTS.find((v) => v.name === settings.profileVariant);
  if (!variant || variant.kind !== 'plaza') throw new Error(`BENCH_PROFILE_VARIANT: no Plaza variant named ${settings.profileVariant}`);
  const spawned = Date.now();
  let measuredFrom = 0;
  let measuredUntil = Infinity;
  let requests = 0;
  // on its whole core: the profiler's samples would count a throttled wait as time spent
  const gw = await startGateway(variant, graph, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  try {
    // as the measured runs do: the scenario's registration first, and its headers (a signed-in scenario's answer is the user's)
    if (scenario.register) await post(gw.url, scenario.register, scenario.headers);
    const expected = await post(gw.url, scenario.body, scenario.headers);
    const job = { url: gw.url, body: scenario.body, headers: scenario.headers ?? {}, expected: expected.text, connections: scenario.connections ?? settings.connections, duration: settings.duration, warmup: scenario.warmup ?? settings.warmup };
    const result = await load(job, { start: () => void (measuredFrom = Date.now() - spawned) });
    measuredUntil = Date.now() - spawned;
    if (result.wrong) throw new Error(`${result.wrong} wrong answers while profiling`);
    requests = result.requests;
  } finally {
    await stopProcess(gw.child);
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return 'no profile was written';
  const kept = path.join(os.tmpdir(), `plaza-gateway-${Date.now()}.cpuprofile`);
  fs.copyFileSync(path.join(dir, file), kept);
  fs.rmSync(dir, { recursive: true, force: true });
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(kept, 'utf8')), root, 10, measuredFrom, measuredUntil);
  return `Profile: \`${kept}\` (open in Chrome DevTools). ${variant.name} variant on its whole core (no quota), ${settings.duration} s under load (${requests} requests); start-up, warm-up and shutdown left out.\n\n${summary}`;
}

await main();
process.exit(process.exitCode ?? 0);
