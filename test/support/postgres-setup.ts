/**
 * Global setup of the PostgreSQL test project: after the run, drops every database the
 * run created (those a crashed test file could not drop itself).
 */
import { knex } from '@mikro-orm/postgresql';
import { runDatabasePrefix } from './databases.ts';
import { POSTGRES } from './services.ts';

async function dropRunDatabases(run: string): Promise<void> {
  const client = knex({ client: 'pg', connection: `${POSTGRES.url}/postgres`, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await client.raw<{ rows: { datname: string }[] }>('select datname from pg_database where starts_with(datname, ?)', [
      runDatabasePrefix(run),
    ]);
    for (const { datname } of rows) await client.raw(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.destroy();
  }
}

export default function setup(): () => Promise<void> {
  const run = process.env.PLAZA_TEST_RUN;
  if (!run) throw new Error('PLAZA_TEST_RUN is not set; vitest.config.ts sets it for the PostgreSQL project');
  return () => dropRunDatabases(run);
}
