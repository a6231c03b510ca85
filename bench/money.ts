/**
 * Money under contention, on PostgreSQL: one user sends 100 exchangePoints at once, through
 * the gateway, against a balance that covers 10 of them. A section of `npm run bench`, or alone:
 *
 *   npx tsx bench/money.ts
 *
 * The five subgraphs and the gateway run as processes of their own (NODE_ENV=production),
 * each subgraph on a fresh PostgreSQL database, dropped at the end. Every round funds a new
 * user with 1,000 points and makes a new right costing 100 (stock 1,000), then sends the 100
 * exchanges together; its wall time runs from the first request sent to the last answer. A
 * round must end with exactly 10 exchanges made and the rest refused with
 * INSUFFICIENT_POINTS, and with a zero balance equal to the user's ledger, or the bench fails.
 * The rounds run twice: with no added load, then beside processes that keep every core
 * busy (twice as many as cores), as a shared machine would. In each, one round warms up
 * first (connections, query plans) and is not counted; the figures are the median round's.
 *
 * Lock hold is what the membership subgraph reports in plaza_subgraph_row_lock_hold_seconds
 * (read from its /metrics before and after each round), for the transactions that took a
 * row lock. On PostgreSQL an exchange's transaction goes to the server in one message that
 * ends by reading the server's clock after the COMMIT, so the hold is timed on the server,
 * from the account's lock taken to the commit done (subgraphs/membership/service.ts), and
 * nothing the busy service does counts. (Until that change the service timed it itself,
 * from the answer to the UPDATE that locked the right's row to the COMMIT's answer, its
 * own delays included: those held the lock too.) The exchanges of one account wait for
 * each other's locks, so a round cannot be shorter than the sum of their holds.
 *
 * Settings: BENCH_MONEY_ROUNDS (5), BENCH_MONEY_EXCHANGES (100), BENCH_MONEY_BUSY (spinning
 * processes, default twice the cores; 0 for none), BENCH_POSTGRES_URL (server, default
 * postgres://postgres@127.0.0.1:5432).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { knex } from '@mikro-orm/postgresql';
import { issueToken } from '../gateway/plugins/identity.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { settingsFor, settingsOf } from '../platform/settings.ts';
import { dropPostgresDatabase } from '../subgraphs/kit/orm.ts';
import { freePort, startProcess, stopProcess, waitUntilServing } from './processes.ts';


export interface MoneySettings {
  /** Rounds measured after the warm-up round. Default BENCH_MONEY_ROUNDS or 5. */
  rounds: number;
  /** Exchanges sent at once in a round; the balance covers a tenth of them. Default BENCH_MONEY_EXCHANGES or 100. */
  exchanges: number;
  /** The PostgreSQL server. Default BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432. */
  postgresUrl: string;
  /** Processes spinning on the CPU during the second set of rounds (0: no second set). Default BENCH_MONEY_BUSY or twice the cores. */
  busy: number;
}

const bench = settingsFor(settingsOf('bench'));

export const MONEY_DEFAULTS: MoneySettings = {
  rounds: bench.BENCH_MONEY_ROUNDS,
  exchanges: bench.BENCH_MONEY_EXCHANGES,
  postgresUrl: bench.BENCH_POSTGRES_URL,
  busy: bench.BENCH_MONEY_BUSY,
};

export interface MoneyRound {
  wallMs: number;
  /** Answers by error code ('OK' for none). */
  outcomes: Record<string, number>;
  /** Transactions that reported a row-lock hold, their mean hold and the bucket bound their 99th percentile falls under. */
  locks: number;
  lockHoldMeanMs: number;
  lockHoldP99Ms: number;
  /** SQL statements the membership subgraph ran per exchange (the answer's reads included). */
  sqlPerExchange: number;
  loadAverage: number;
}

/** The rounds of one condition (no added load, or CPU-spinning processes beside the bench) and their medians. */
export interface MoneyCondition {
  name: string;
  rounds: MoneyRound[];
  median: MoneyRound;
}

export type MoneyResult = { conditions: MoneyCondition[]; exchanges: number } | { skipped: string };

const EXCHANGE = `mutation Exchange($rightId: ID!, $key: String!) {
  exchangePoints(rightId: $rightId, idempotencyKey: $key) { id pointsSpent points { balance } right { id remainingStock } }
}`;
const COST = 100;

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A histogram's count, sum and cumulative buckets (by upper bound) for one operation, from Prometheus text. */
interface Histogram {
  count: number;
  sum: number;
  buckets: [number, number][];
}

function histogramOf(text: string, name: string, operation: string): Histogram {
  const histogram: Histogram = { count: 0, sum: 0, buckets: [] };
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || !match[1].startsWith(name)) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.operation !== operation) continue;
    const value = Number(match[3]);
    if (match[1] === `${name}_count`) histogram.count = value;
    else if (match[1] === `${name}_sum`) histogram.sum = value;
    else if (match[1] === `${name}_bucket`) histogram.buckets.push([labels.le === '+Inf' ? Infinity : Number(labels.le), value]);
  }
  histogram.buckets.sort((a, b) => a[0] - b[0]);
  return histogram;
}

async function lockHolds(metricsUrl: string): Promise<Histogram> {
  const res = await fetch(metricsUrl);
  return histogramOf(await res.text(), 'plaza_subgraph_row_lock_hold_seconds', 'exchangePoints');
}

/** The bucket bound (ms) under which the 99th percentile of the holds between two readings falls. */
function p99Bound(before: Histogram, after: Histogram): number {
  const count = after.count - before.count;
  if (!count) return 0;
  for (const [bound, cumulative] of after.buckets) {
    const earlier = before.buckets.find(([b]) => b === bound)?.[1] ?? 0;
    if (cumulative - earlier >= 0.99 * count) return bound * 1000;
  }
  return Infinity;
}

function statementsOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; statements: number }) => {
      if (m?.type !== 'stats') return;
      child.off('message', onMessage);
      resolve(m.statements);
    };
    child.on('message', onMessage);
    child.send({ type: 'stats' });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A loop that keeps one CPU busy and ends when its parent (the bench) is gone. */
const SPIN = `const parent = process.ppid;
for (let i = 1; ; i++) if (i % 1e7 === 0) try { process.kill(parent, 0); } catch { process.exit(0); }`;

/** Processes that keep the CPU busy until stopped: the load a shared machine adds. */
function spin(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' }));
}

/**
 * Runs the money-contention rounds on fresh PostgreSQL databases, first with no added load,
 * then beside `busy` CPU-spinning processes; skipped when no server answers.
 */
export async function moneyContention(overrides: Partial<MoneySettings> = {}): Promise<MoneyResult> {
  const settings = { ...MONEY_DEFAULTS, ...overrides };
  if (!(await reachable(settings.postgresUrl))) return { skipped: `no PostgreSQL server answers at ${settings.postgresUrl}` };
  const secret = crypto.randomBytes(24).toString('hex');
  const jwtSecret = crypto.randomBytes(24).toString('hex');
  const databaseUrl = (name: SubgraphName) => `${settings.postgresUrl}/plaza_bench_money_${process.pid}_${name}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PLAZA_INTERNAL_SECRET: secret,
    PLAZA_JWT_SECRET: jwtSecret,
    PLAZA_PAYMENT_PROVIDER_KEY: crypto.randomBytes(24).toString('hex'),
    PLAZA_PAYMENT_SANDBOX: 'false',
    PLAZA_HOST: '127.0.0.1',
    PLAZA_LOG_LEVEL: 'warn',
    // one user from one address sends every request of a round
    PLAZA_RATE_LIMIT: 'false',
  };
  const children: ChildProcess[] = [];
  const db = knex({ client: 'pg', connection: databaseUrl('membership'), pool: { min: 0, max: 2 } });
  try {
    const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const)));
    const urlOf = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
    const subgraphEnv = {
      ...env,
      ...Object.fromEntries(SUBGRAPH_NAMES.flatMap((name) => [[`PLAZA_${name.toUpperCase()}_PORT`, String(ports[name])], [`PLAZA_${name.toUpperCase()}_DATABASE_URL`, databaseUrl(name)]])),
    };
    const subgraphs = new Map(SUBGRAPH_NAMES.map((name) => [name, startProcess('bench/subgraph.ts', [name], subgraphEnv)]));
    children.push(...subgraphs.values());
    await Promise.all(SUBGRAPH_NAMES.map((name) => waitUntilServing(urlOf(name), subgraphs.get(name)!, secret)));
    const gatewayPort = await freePort();
    const gatewayEnv = { ...env, PLAZA_GATEWAY_PORT: String(gatewayPort), ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`PLAZA_SUBGRAPH_URL_${name.toUpperCase()}`, urlOf(name)])) };
    const gateway = startProcess('gateway/main.ts', [], gatewayEnv);
    children.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    await waitUntilServing(gatewayUrl, gateway, secret);
    const metricsUrl = urlOf('membership').replace(/\/graphql$/, '/metrics');
    const membership = subgraphs.get('membership')!;
    const covered = Math.floor(settings.exchanges / 10);
    let sequence = 0;

    async function round(): Promise<MoneyRound> {
      const n = ++sequence;
      const user = `bench-money-${process.pid}-${n}`;
      const right = `r-bench-money-${process.pid}-${n}`;
      await db.raw('insert into points_accounts (user_id, balance, lifetime_points) values (?, ?, ?)', [user, covered * COST, covered * COST]);
      await db.raw("insert into points_transactions (user_id, amount, reason, reference, merchant_id, created_at) values (?, ?, 'BENCH_GRANT', ?, null, now())", [
        user,
        covered * COST,
        `grant:${user}`,
      ]);
      await db.raw('insert into member_rights (id, merchant_id, title, cost, remaining_stock) values (?, null, ?, ?, 1000)', [right, `Bench right ${n}`, COST]);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${await issueToken(jwtSecret, { userId: user })}` };
      const bodies = Array.from({ length: settings.exchanges }, (_, i) => JSON.stringify({ query: EXCHANGE, operationName: 'Exchange', variables: { rightId: right, key: `k-${i}` } }));
      const holdsBefore = await lockHolds(metricsUrl);
      const statementsBefore = await statementsOf(membership);
      const started = performance.now();
      const answers = await Promise.all(
        bodies.map(async (body) => (await (await fetch(gatewayUrl, { method: 'POST', headers, body })).json()) as { errors?: { extensions?: { code?: string } }[] }),
      );
      const wallMs = performance.now() - started;
      const holdsAfter = await lockHolds(metricsUrl);
      const statements = (await statementsOf(membership)) - statementsBefore;
      const outcomes: Record<string, number> = {};
      for (const answer of answers) {
        const code = answer.errors?.[0]?.extensions?.code ?? 'OK';
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
      const { rows } = await db.raw<{ rows: { balance: number; ledger: string }[] }>(
        'select a.balance, (select sum(amount) from points_transactions t where t.user_id = a.user_id) as ledger from points_accounts a where a.user_id = ?',
        [user],
      );
      if (outcomes.OK !== covered || outcomes.INSUFFICIENT_POINTS !== settings.exchanges - covered || rows[0]?.balance !== 0 || Number(rows[0]?.ledger) !== 0) {
        throw new Error(`money round ${n}: answers ${JSON.stringify(outcomes)}, account ${JSON.stringify(rows[0])}; expected ${covered} OK, the rest INSUFFICIENT_POINTS and a zero balance equal to its ledger`);
      }
      const locks = holdsAfter.count - holdsBefore.count;
      return {
        wallMs,
        outcomes,
        locks,
        lockHoldMeanMs: locks ? ((holdsAfter.sum - holdsBefore.sum) / locks) * 1000 : 0,
        lockHoldP99Ms: p99Bound(holdsBefore, holdsAfter),
        sqlPerExchange: statements / settings.exchanges,
        loadAverage: os.loadavg()[0],
      };
    }

    const conditions: MoneyCondition[] = [];
    for (const busy of settings.busy > 0 ? [0, settings.busy] : [0]) {
      const name = busy ? `beside ${busy} CPU-spinning processes` : 'no added load';
      console.log(`  ${name}:`);
      const spinning = spin(busy);
      try {
        const rounds: MoneyRound[] = [];
        // the first round of a condition warms up (connections, query plans, the spinning processes' start) and is not counted
        for (let n = 0; n <= settings.rounds; n++) {
          const measured = await round();
          console.log(`    ${n === 0 ? 'warm-up' : `round ${n}`}: ${describe(measured)}`);
          if (n > 0) rounds.push(measured);
        }
        const pick = (field: 'wallMs' | 'lockHoldMeanMs' | 'lockHoldP99Ms' | 'sqlPerExchange' | 'locks') => median(rounds.map((r) => r[field]));
        const typical: MoneyRound = {
          wallMs: pick('wallMs'),
          outcomes: rounds[0].outcomes,
          locks: pick('locks'),
          lockHoldMeanMs: pick('lockHoldMeanMs'),
          lockHoldP99Ms: pick('lockHoldP99Ms'),
          sqlPerExchange: pick('sqlPerExchange'),
          loadAverage: Math.max(...rounds.map((r) => r.loadAverage)),
        };
        conditions.push({ name, rounds, median: typical });
      } finally {
        for (const child of spinning) child.kill('SIGKILL');
      }
    }
    return { conditions, exchanges: settings.exchanges };
  } finally {
    await db.destroy();
    await Promise.all(children.map(stopProcess));
    await Promise.all(SUBGRAPH_NAMES.map((name) => dropPostgresDatabase(databaseUrl(name))));
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '∞');

function describe(round: MoneyRound): string {
  const outcomes = Object.entries(round.outcomes)
    .map(([code, n]) => `${n} ${code}`)
    .join(', ');
  return `wall ${fmt(round.wallMs, 0)} ms; ${outcomes}; lock held by ${round.locks} transactions, mean ${fmt(round.lockHoldMeanMs, 2)} ms, p99 ≤ ${fmt(round.lockHoldP99Ms, 2)} ms; ${fmt(round.sqlPerExchange)} SQL/exchange; load avg ${fmt(round.loadAverage, 2)}`;
}

/** The section of bench/RESULTS.md. */
export function moneyReport(result: MoneyResult): string {
  const lines = ['## Money under contention (PostgreSQL)', ''];
  if ('skipped' in result) return [...lines, `Not measured: ${result.skipped}.`].join('\n');
  const rounds = result.conditions[0].rounds.length;
  lines.push(
    `One user sends ${result.exchanges} exchangePoints at once through the gateway; the balance covers ${result.exchanges / 10} (\`npx tsx bench/money.ts\` runs this alone).`,
    `Median of ${rounds} round${rounds === 1 ? '' : 's'} per condition, after one warm-up round. Lock hold: the membership subgraph's plaza_subgraph_row_lock_hold_seconds,`,
    'from the row lock taken to the commit, for the transactions that took one (how it is timed: bench/money.ts).',
    '',
    '| condition | wall ms | lock hold mean ms | lock hold p99 ms (≤ bucket) | transactions holding a lock | SQL/exchange | load avg | wall ms by round |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...result.conditions.map(
      ({ name, rounds, median: m }) =>
        `| ${name} | ${fmt(m.wallMs, 0)} | ${fmt(m.lockHoldMeanMs, 2)} | ${fmt(m.lockHoldP99Ms, 2)} | ${m.locks} | ${fmt(m.sqlPerExchange)} | ${fmt(m.loadAverage, 2)} | ${rounds.map((r) => fmt(r.wallMs, 0)).join(', ')} |`,
    ),
  );
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`money under contention: ${MONEY_DEFAULTS.exchanges} concurrent exchanges by one user, PostgreSQL at ${MONEY_DEFAULTS.postgresUrl}`);
  const result = await moneyContention();
  console.log(`\n${moneyReport(result)}`);
  process.exit(0);
}
