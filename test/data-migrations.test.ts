/**
 * Schemas come only from checked-in migrations: a database built by replaying a
 * subgraph's migrations matches its entities exactly, on this run's database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { pendingSchemaChanges, withMigratedScratch } from '../subgraphs/kit/migrations-cli.ts';
import { migrationsFolder } from '../subgraphs/kit/orm.ts';
import { startSubgraph } from '../subgraphs/kit/server.ts';
import { definitionOf } from '../subgraphs/registry.ts';
import { dropTestDatabases, testDatabase } from './support/databases.ts';
import { subgraphTestConfig } from './support/plaza.ts';

const dialect = testDatabase();

describe(`migrations (${dialect})`, () => {
  for (const name of SUBGRAPH_NAMES) {
    it(`${name}: its checked-in migrations build exactly the schema its entities describe`, async () => {
      const migrations = fs.readdirSync(migrationsFolder(name, dialect)).filter((file) => file.endsWith('.ts'));
      expect(migrations.length).toBeGreaterThan(0);
      const pending = await withMigratedScratch(name, dialect, (db) => pendingSchemaChanges(db));
      // when this fails, run `npm run migrations -- create <subgraph>` and check the new migration in
      expect(pending.trim(), `${name} entities differ from its ${dialect} migrations`).toBe('');
    });
  }

  it('a subgraph applies its migrations on first start and keeps its data on restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-migrate-'));
    const definition = await definitionOf('users');
    try {
      const first = await startSubgraph(definition, subgraphTestConfig('users', dataDir));
      const em = first.database.orm.em.fork();
      const applied = await em.getConnection().execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
      const files = fs.readdirSync(migrationsFolder('users', dialect)).filter((file) => file.endsWith('.ts')).sort();
      expect(applied.map((row: { name: string }) => row.name)).toEqual(files.map((file) => file.replace(/\.ts$/, '')));
      const users = await em.getConnection().execute<{ n: number | string }[]>('select count(*) as n from users');
      await first.stop();

      const second = await startSubgraph(definition, { ...subgraphTestConfig('users', dataDir), seedIfEmpty: false });
      const again = second.database.orm.em.fork().getConnection();
      expect(await again.execute('select name from mikro_orm_migrations order by id')).toHaveLength(files.length);
      expect(Number((await again.execute<{ n: number | string }[]>('select count(*) as n from users'))[0].n)).toBe(Number(users[0].n));
      expect(Number(users[0].n)).toBeGreaterThan(0);
      await second.stop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await dropTestDatabases(dataDir);
    }
  });
});
