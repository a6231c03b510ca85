/**
 * Which database the suite runs on. vitest.config.ts runs every test file once per
 * database (a project each) and tells the file which through PLAZA_TEST_DATABASE; on
 * PostgreSQL every subgraph of every Plaza a test starts gets a database of its own,
 * `plaza_test_<run>_<plaza>_<subgraph>`, dropped when that Plaza stops and, at the latest,
 * when the run ends (test/support/postgres-setup.ts).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { dropPostgresDatabase } from '../../subgraphs/kit/orm.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config.ts';
import { POSTGRES } from './services.ts';

export type TestDatabase = 'sqlite' | 'postgresql';

export function testDatabase(env: NodeJS.ProcessEnv = process.env): TestDatabase {
  return env.PLAZA_TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** The prefix of every PostgreSQL database this test run creates. */
export function runDatabasePrefix(run: string): string {
  return `plaza_test_${run}_`;
}

/** The database URL a subgraph of the Plaza whose data folder is `dataDir` uses in this run. */
export function testDatabaseUrl(name: SubgraphName, dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (testDatabase(env) === 'sqlite') return `file:${path.join(dataDir, `${name}.db`)}`;
  // the same data folder always names the same databases, so a restarted subgraph finds its data again
  const plaza = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10);
  return `${POSTGRES.url}/${runDatabasePrefix(env.PLAZA_TEST_RUN || 'local')}${plaza}_${name}`;
}

/** Drops the PostgreSQL databases of the Plaza whose data folder is `dataDir` (nothing to do on SQLite). */
export async function dropTestDatabases(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (testDatabase(env) === 'sqlite') return;
  await Promise.all(SUBGRAPH_NAMES.map((name) => dropPostgresDatabase(testDatabaseUrl(name, dataDir, env))));
}
