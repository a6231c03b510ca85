/**
 * Plaza's migrations, one folder per subgraph and dialect (subgraphs/<name>/migrations/<dialect>/):
 *
 *   npm run migrations -- create [subgraph…]   write each subgraph's next migration from its entities, for both dialects
 *   npm run migrations -- create --initial [subgraph…]   replace all of a subgraph's migrations by one initial migration
 *   npm run migrations -- check [subgraph…]    exit 1 when entities and migrations disagree
 *   npm run migrations -- up [subgraph…]       apply pending migrations to the configured databases
 *
 * `create` and `check` replay the checked-in migrations on scratch databases (a temporary
 * SQLite file, and a temporary database on PLAZA_MIGRATIONS_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432) and diff the result against the entities.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSubgraphConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config.ts';
import { settingsFor } from '../../platform/settings.ts';
import type { EntitySchema } from '@mikro-orm/core';
import { DIALECTS, dropPostgresDatabase, migrationsFolder, openDatabase, type Database, type Dialect } from './orm.ts';

/** A subgraph's entities, read from its entities.ts alone (its resolvers need not compile to migrate). */
export async function entitiesOf(subgraph: SubgraphName): Promise<EntitySchema<any, any>[]> {
  return ((await import(`../${subgraph}/entities.ts`)) as { entities: EntitySchema<any, any>[] }).entities;
}

/** A throwaway database of one dialect, named after the subgraph, removed by `drop`. */
export function scratchDatabaseUrl(subgraph: SubgraphName, dialect: Dialect, env: NodeJS.ProcessEnv = process.env): { url: string; drop(): Promise<void> } {
  const tag = randomBytes(4).toString('hex');
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-migrations-'));
    return { url: `file:${path.join(dir, `${subgraph}.db`)}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const server = new URL(settingsFor(['PLAZA_MIGRATIONS_POSTGRES_URL'], env).PLAZA_MIGRATIONS_POSTGRES_URL);
  server.pathname = `/plaza_scratch_${tag}_${subgraph}`;
  const url = server.toString();
  return { url, drop: () => dropPostgresDatabase(url) };
}

/** Opens a scratch database with every checked-in migration applied; `work` sees it, then it is dropped. */
export async function withMigratedScratch<T>(subgraph: SubgraphName, dialect: Dialect, work: (db: Database) => Promise<T>): Promise<T> {
  const scratch = scratchDatabaseUrl(subgraph, dialect);
  try {
    const db = await openDatabase(scratch.url, await entitiesOf(subgraph), subgraph);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  } finally {
    await scratch.drop();
  }
}

/** The SQL that would bring a database built from the migrations up to the entities ('' when they agree). */
export function pendingSchemaChanges(db: Database): Promise<string> {
  return db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const initial = rest.includes('--initial');
  const names = rest.filter((arg) => arg !== '--initial');
  const subgraphs = (names.length ? names : SUBGRAPH_NAMES) as SubgraphName[];
  const unknown = subgraphs.filter((name) => !SUBGRAPH_NAMES.includes(name));
  if (!['create', 'check', 'up'].includes(command ?? '') || unknown.length) {
    console.error(`usage: npm run migrations -- <create|check|up> [${SUBGRAPH_NAMES.join('|')} …]`);
    process.exit(2);
  }
  let disagreements = 0;
  for (const subgraph of subgraphs) {
    if (command === 'up') {
      const config = readSubgraphConfig(subgraph);
      const db = await openDatabase(config.databaseUrl, await entitiesOf(subgraph), subgraph, { migrate: false });
      const applied = await db.orm.migrator.up();
      await db.close();
      console.log(`${subgraph} (${db.kind}): ${applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'up to date'}`);
      continue;
    }
    for (const dialect of DIALECTS) {
      if (command === 'create' && initial) {
        const folder = migrationsFolder(subgraph, dialect);
        for (const file of fs.existsSync(folder) ? fs.readdirSync(folder) : []) if (/^Migration\w+\.ts$/.test(file)) fs.rmSync(path.join(folder, file));
      }
      await withMigratedScratch(subgraph, dialect, async (db) => {
        if (command === 'check') {
          const sql = await pendingSchemaChanges(db);
          if (sql.trim()) {
            disagreements++;
            console.error(`${subgraph} (${dialect}): entities and migrations disagree; run \`npm run migrations -- create ${subgraph}\`\n${sql}`);
          } else console.log(`${subgraph} (${dialect}): entities and migrations agree`);
          return;
        }
        const created = await db.orm.migrator.createMigration();
        console.log(`${subgraph} (${dialect}): ${created.fileName ? `wrote migrations/${dialect}/${created.fileName}` : 'no changes'}`);
      });
    }
  }
  if (disagreements) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
