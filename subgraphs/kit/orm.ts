import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MikroORM, type EntitySchema, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/libsql';

/** The EntityManager every subgraph works with (SQL drivers share one API). */
export type EntityManager = SqlEntityManager;

export interface Database {
  orm: MikroORM;
  kind: 'sqlite' | 'postgresql';
  /** SQL statements run since start (for metrics and the statement-count tests). */
  statements(): number;
  close(): Promise<void>;
}

function driverOptions(databaseUrl: string): Options {
  if (databaseUrl.startsWith('file:')) {
    const file = databaseUrl.startsWith('file://') ? fileURLToPath(databaseUrl) : databaseUrl.slice('file:'.length);
    if (file !== ':memory:') fs.mkdirSync(new URL('.', `file://${file}`).pathname, { recursive: true });
    return { driver: LibSqlDriver, dbName: file };
  }
  return { driver: PostgreSqlDriver, clientUrl: databaseUrl };
}

/** Opens a subgraph's own database and brings its schema up to date. */
export async function openDatabase(databaseUrl: string, entities: EntitySchema<any, any>[]): Promise<Database> {
  const options = driverOptions(databaseUrl);
  const orm = await MikroORM.init({
    ...options,
    entities,
    allowGlobalContext: false,
    debug: false,
    // Entities are declared with defineEntity; no reflection or decorator metadata.
    discovery: { warnWhenNoEntities: true },
    pool: { min: 0, max: options.driver === PostgreSqlDriver ? 10 : 1 },
  });
  const kind = options.driver === LibSqlDriver ? 'sqlite' : 'postgresql';
  const em = orm.em as unknown as EntityManager;
  if (kind === 'sqlite') {
    // WAL lets readers proceed while a writer commits; busy_timeout queues writers instead of failing.
    await em.getConnection().execute('PRAGMA journal_mode = WAL');
    await em.getConnection().execute('PRAGMA busy_timeout = 5000');
    await em.getConnection().execute('PRAGMA foreign_keys = ON');
  }
  await orm.schema.ensureDatabase();
  await orm.schema.updateSchema();
  let count = 0;
  em.getConnection().getKnex().on('query', () => {
    count++;
  });
  return {
    orm,
    kind,
    statements: () => count,
    close: () => orm.close(true),
  };
}
