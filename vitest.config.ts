import { randomBytes } from 'node:crypto';
import { configDefaults, defineConfig } from 'vitest/config';
import { POSTGRES, serviceAvailable } from './test/support/services.ts';

// Every test file runs on SQLite and, when PostgreSQL answers (always in CI), on PostgreSQL too.
// PLAZA_TEST_DATABASES=sqlite (or postgresql) narrows a local run to one database.
const wanted = (process.env.PLAZA_TEST_DATABASES || 'sqlite,postgresql').split(',');
const onPostgres = wanted.includes('postgresql') && (await serviceAvailable('PostgreSQL'));
const databases = [...(wanted.includes('sqlite') ? ['sqlite'] : []), ...(onPostgres ? ['postgresql'] : [])];
// names this run's PostgreSQL databases, so the run drops exactly its own
process.env.PLAZA_TEST_RUN ||= randomBytes(4).toString('hex');
// the config is read once per project too; say it once
if (!process.env.PLAZA_TEST_ANNOUNCED) {
  process.env.PLAZA_TEST_ANNOUNCED = '1';
  console.log(
    `Plaza tests run on: ${databases.map((db) => (db === 'sqlite' ? 'SQLite' : `PostgreSQL (${POSTGRES.host}:${POSTGRES.port})`)).join(' and ') || 'nothing'}`,
  );
}

// Files that never open a database (pure functions, configuration, generated-file checks):
// they run in the first database's project only, not once per database.
const DATABASE_FREE = [
  // gateway plugin behaviour, tested in front of a small subgraph without a database (test/support/small-gateway.ts)
  'bad-input',
  'hostile-errors',
  'limits',
  'rate-limit',
  'security',
  // the event broker, in-process and on Redis
  'broker',
  'codegen',
  'config',
  'docs-links',
  'federation-lab',
  'fetch-merging',
  'homepage-candidates',
  'homepage-ranking',
  'sqlite-connections',
  'internal-token',
  'live-events',
  'no-internals',
  'result-shaping',
  'schema-check',
  'persisted-cli',
  'persisted-settings',
  'security-config',
  'supergraph',
  'usage-history',
  'world',
].map((name) => `test/${name}.test.ts`);

// Files about PostgreSQL alone (its transactions sent in one message): the PostgreSQL project only.
const POSTGRESQL_ONLY = ['one-message-transactions'].map((name) => `test/${name}.test.ts`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // each file boots its own Plaza; two at a time suits a two-core machine
    maxWorkers: 2,
    projects: databases.map((database, index) => ({
      extends: true,
      test: {
        name: database,
        exclude: [
          ...configDefaults.exclude,
          ...(index === 0 ? [] : DATABASE_FREE),
          ...(database === 'postgresql' ? [] : POSTGRESQL_ONLY),
        ],
        env: { PLAZA_TEST_DATABASE: database },
        globalSetup: database === 'postgresql' ? ['test/support/postgres-setup.ts'] : [],
      },
    })),
  },
});
