/**
 * The hot queries on a seeded world, measured: runs the headline query (and the homepage
 * feed) through a gateway over existing databases, reports its latency at low load
 * (one request at a time), and prints the query plan of every SQL statement it ran.
 *
 *   npx tsx test/support/hot-queries.ts                       # databases of `npm start` / `npm run seed`
 *   PLAZA_DATABASE_URL=postgres://postgres@127.0.0.1:5432 npx tsx test/support/hot-queries.ts
 *
 * Uses the same database settings as `npm start` (PLAZA_DATA_DIR, PLAZA_DATABASE_URL, …).
 */
import fs from 'node:fs';
import { readSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config.ts';
import type { EntityManager } from '../../subgraphs/kit/orm.ts';
import { startPlaza, type Plaza } from './plaza.ts';

const HOME = fs.readFileSync(new URL('../../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const FEED = fs.readFileSync(new URL('../../clients/homepage/HomepageFeed.graphql', import.meta.url), 'utf8');
const RUNS = Number(process.env.RUNS ?? 30);

interface Statement {
  subgraph: SubgraphName;
  sql: string;
  bindings: unknown[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(plaza: Plaza, name: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const started = performance.now();
    const { status, body } = await plaza.query(query, variables, { user: 'u1' });
    const ms = performance.now() - started;
    if (status !== 200 || body.errors) throw new Error(`${name} failed: ${JSON.stringify(body.errors ?? status)}`);
    if (i === 0) console.log(`${name}: first (cold) request ${ms.toFixed(1)} ms`);
    if (i >= 3) times.push(ms); // the first runs warm caches and connections
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms over ${RUNS} sequential requests`);
}

async function explain(plaza: Plaza, statement: Statement): Promise<string> {
  const db = plaza.subgraphs[statement.subgraph].database;
  const connection = (db.orm.em as unknown as EntityManager).fork().getConnection();
  const knex = connection.getKnex();
  const sql = knex.raw(statement.sql, statement.bindings as any[]).toQuery();
  if (db.kind === 'sqlite') {
    const rows = await connection.execute<{ detail: string }[]>(`explain query plan ${sql}`);
    return rows.map((row: { detail: string }) => `  ${row.detail}`).join('\n');
  }
  const rows = await connection.execute<{ 'QUERY PLAN': string }[]>(`explain analyze ${sql}`);
  return rows.map((row: { 'QUERY PLAN': string }) => `  ${row['QUERY PLAN']}`).join('\n');
}

async function main(): Promise<void> {
  const plaza = await startPlaza({}, { subgraph: (config) => ({ ...config, databaseUrl: readSubgraphConfig(config.name).databaseUrl, seedIfEmpty: false }) });
  try {
    console.log(`databases: ${SUBGRAPH_NAMES.map((name) => `${name}=${plaza.subgraphs[name].database.kind}`).join(', ')}`);
    const variables = { city: 'Shanghai', merchantId: 'm1' };
    const answer = await plaza.query(HOME, variables, { user: 'u1' });
    if (answer.body.errors) throw new Error(JSON.stringify(answer.body.errors));
    const home = answer.body.data;
    console.log(
      `headline answer: me=${home.me?.nickname} points=${home.me?.points?.balance} grid=${home.homepage.grid.length} cards=${home.homepage.cards.length} merchant=${home.merchant?.name} offers=${home.merchant?.offers.length}`,
    );
    await latency(plaza, 'headline query (Home.graphql)', HOME, variables);
    await latency(plaza, 'homepage feed (HomepageFeed.graphql)', FEED, { city: 'Shanghai' });

    const statements: Statement[] = [];
    for (const name of SUBGRAPH_NAMES) {
      const connection = (plaza.subgraphs[name].database.orm.em as unknown as EntityManager).getConnection();
      connection.getKnex().on('query', (q: { sql: string; bindings?: unknown[] }) => statements.push({ subgraph: name, sql: q.sql, bindings: q.bindings ?? [] }));
    }
    await plaza.query(HOME, variables, { user: 'u1' });
    const seen = new Set<string>();
    for (const statement of statements.splice(0)) {
      const key = `${statement.subgraph}:${statement.sql}`;
      if (seen.has(key)) continue;
      seen.add(key);
      console.log(`\n[${statement.subgraph}] ${statement.sql.slice(0, 400)}`);
      console.log(await explain(plaza, statement));
    }
  } finally {
    await plaza.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
