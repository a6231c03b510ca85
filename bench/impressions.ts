/**
 * The cost of counting impressions: a city's whole homepage feed (every section, placements
 * fields only, so counting is the largest share it can be) under load, from a Plaza that
 * counts the impressions it serves and from one that does not (PLAZA_COUNT_IMPRESSIONS),
 * alternating, the median of the rounds each. Run alone with `tsx bench/impressions.ts`
 * (IMPRESSIONS_ROUNDS, IMPRESSIONS_DURATION, IMPRESSIONS_CONNECTIONS), or as the
 * `impressions` section of `npm run bench`.
 */
import type { LoadJob, LoadResult } from './load.ts';
import { startPlazaProcesses, startProcess, stopProcess } from './processes.ts';
import { defaultOf, settingsFor, settingsOf } from '../platform/settings.ts';

export interface ImpressionsSettings {
  /** Rounds of each variant, alternating off and on. Default 3. */
  rounds: number;
  /** Seconds measured per round. Default 10. */
  duration: number;
  /** Seconds of load before each measured round. Default 3. */
  warmup: number;
  /** Concurrent connections. Default 10. */
  connections: number;
  /** taskset CPU lists of the gateway and of everything else ('' for any). */
  gatewayCpus: string;
  otherCpus: string;
}

export const IMPRESSIONS_DEFAULTS: ImpressionsSettings = {
  rounds: defaultOf('IMPRESSIONS_ROUNDS'),
  duration: defaultOf('IMPRESSIONS_DURATION'),
  warmup: 3,
  connections: defaultOf('IMPRESSIONS_CONNECTIONS'),
  gatewayCpus: '',
  otherCpus: '',
};

/** The target the issue sets: the feed's latency with counting on within 10% of it off. */
export const IMPRESSIONS_TARGET = 0.1;

export interface ImpressionsRow {
  counting: boolean;
  rps: number;
  p50: number;
  p99: number;
  wrong: number;
}

export interface ImpressionsResult {
  off: ImpressionsRow;
  on: ImpressionsRow;
  rounds: ImpressionsRow[];
  settings: ImpressionsSettings;
}

const FEED = `query Feed($city: String!) { homepage(city: $city) {
  searchHints { id title } grid { id title subtitle imageUrl } news { id title subtitle } banners { id title imageUrl }
  cards { id title subtitle imageUrl } basement { id title } } }`;
const BODY = JSON.stringify({ query: FEED, operationName: 'Feed', variables: { city: 'Shanghai' } });

function runLoad(job: LoadJob, cpus: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = startProcess('bench/load.ts', [], process.env, cpus, { label: 'load' });
    child.on('message', (m: { type?: string } & LoadResult) => {
      if (m.type === 'warm') child.send({ type: 'go' });
      else if (m.type === 'result') resolve(m);
    });
    child.on('exit', (code) => {
      if (code) reject(new Error(`load process exited with ${code}`));
    });
    child.send({ type: 'job', job });
  });
}

async function round(counting: boolean, settings: ImpressionsSettings): Promise<ImpressionsRow> {
  const plaza = await startPlazaProcesses(`impressions-${counting ? 'on' : 'off'}`, settings.gatewayCpus, settings.otherCpus, {
    PLAZA_COUNT_IMPRESSIONS: String(counting),
  });
  try {
    const first = await fetch(plaza.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    const expected = await first.text();
    if (first.status !== 200 || expected.includes('"errors"')) throw new Error(`the feed failed: ${expected.slice(0, 300)}`);
    const result = await runLoad(
      { url: plaza.url, body: BODY, headers: { 'content-type': 'application/json' }, expected, connections: settings.connections, duration: settings.duration, warmup: settings.warmup },
      settings.otherCpus,
    );
    return { counting, rps: result.rps, p50: result.p50, p99: result.p99, wrong: result.wrong + result.errors + result.timeouts };
  } finally {
    await plaza.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function medianRow(rows: ImpressionsRow[], counting: boolean): ImpressionsRow {
  const mine = rows.filter((r) => r.counting === counting);
  return {
    counting,
    rps: median(mine.map((r) => r.rps)),
    p50: median(mine.map((r) => r.p50)),
    p99: median(mine.map((r) => r.p99)),
    wrong: mine.reduce((sum, r) => sum + r.wrong, 0),
  };
}

export async function impressionsBench(overrides: Partial<ImpressionsSettings> = {}): Promise<ImpressionsResult> {
  const settings = { ...IMPRESSIONS_DEFAULTS, ...overrides };
  const rounds: ImpressionsRow[] = [];
  for (let k = 0; k < settings.rounds; k++) {
    for (const counting of [false, true]) {
      const row = await round(counting, settings);
      rounds.push(row);
      console.log(`  counting ${counting ? 'on ' : 'off'}  ${row.rps.toFixed(0).padStart(6)} rps  p50 ${row.p50} ms  p99 ${row.p99} ms  wrong ${row.wrong}`);
    }
  }
  return { off: medianRow(rounds, false), on: medianRow(rounds, true), rounds, settings };
}

export function impressionsReport(result: ImpressionsResult): string {
  const change = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
  const { off, on, settings } = result;
  const row = (r: ImpressionsRow) => `| ${r.counting ? 'on' : 'off'} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.wrong} |`;
  return [
    '## Impression counting',
    '',
    `A city's whole homepage feed (placements fields only) at ${settings.connections} connections, ${settings.duration} s measured after`,
    `${settings.warmup} s of load, from a Plaza counting the impressions it serves and from one that does not (PLAZA_COUNT_IMPRESSIONS),`,
    `alternating, ${settings.rounds} rounds each; the medians. Target: p50 with counting on within ${IMPRESSIONS_TARGET * 100}% of off.`,
    '',
    '| counting | RPS | p50 ms | p99 ms | wrong |',
    '|---|---|---|---|---|',
    row(off),
    row(on),
    '',
    `p50 ${change(on.p50, off.p50)}, p99 ${change(on.p99, off.p99)}, RPS ${change(on.rps, off.rps)} with counting on.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bench = settingsFor(settingsOf('bench'));
  const result = await impressionsBench({
    rounds: bench.IMPRESSIONS_ROUNDS,
    duration: bench.IMPRESSIONS_DURATION,
    connections: bench.IMPRESSIONS_CONNECTIONS,
  });
  console.log(`\n${impressionsReport(result)}`);
}
