import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MikroORM, type EntitySchema, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { knex, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator, type Migration } from '@mikro-orm/migrations';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/libsql';
import { LRUCache } from 'lru-cache';

/** The EntityManager every subgraph works with (SQL drivers share one API). */
export type EntityManager = SqlEntityManager;

/** The SQL dialects Plaza runs on; each has its own folder of migrations. */
export type Dialect = 'sqlite' | 'postgresql';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgresql'];

export interface Database {
  orm: MikroORM;
  kind: Dialect;
  /** SQL statements run inside statement scopes (the GraphQL requests served) since start. */
  requestStatements(): number;
  close(): Promise<void>;
}

/** The SQL statements one request has run so far. */
export interface StatementScope {
  statements: number;
}

const statementScopes = new AsyncLocalStorage<StatementScope>();

/** Runs `work` (and everything it starts asynchronously) counting its SQL statements into `scope`. */
export function withStatementScope<T>(scope: StatementScope, work: () => T): T {
  return statementScopes.run(scope, work);
}

/** Runs `work` outside any request's statement scope (background work no request waits for). */
export function outsideStatementScope<T>(work: () => T): T {
  return statementScopes.exit(work);
}

/** The statement scope of the request being served, if any. */
export function currentStatementScope(): StatementScope | undefined {
  return statementScopes.getStore();
}

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('file:') ? 'sqlite' : 'postgresql';
}

/** The file of a SQLite database URL (`file:relative/path`, `file:///absolute/path` or `file::memory:`). */
export function sqliteFileOf(databaseUrl: string): string {
  return databaseUrl.startsWith('file://') ? fileURLToPath(databaseUrl) : databaseUrl.slice('file:'.length);
}

function driverOptions(databaseUrl: string): Options {
  if (dialectOf(databaseUrl) === 'sqlite') {
    const file = sqliteFileOf(databaseUrl);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return { driver: LibSqlDriver, dbName: file };
  }
  return { driver: PostgreSqlDriver, clientUrl: databaseUrl };
}

/** Where a subgraph's checked-in migrations for one dialect live: subgraphs/<name>/migrations/<dialect>/. */
export function migrationsFolder(subgraph: string, dialect: Dialect): string {
  return fileURLToPath(new URL(`../${subgraph}/migrations/${dialect}/`, import.meta.url));
}

/** The migration classes in a folder, oldest first (file names start with a sortable timestamp). */
async function loadMigrations(folder: string): Promise<{ name: string; class: new (...args: any[]) => Migration }[]> {
  if (!fs.existsSync(folder)) return [];
  const files = fs
    .readdirSync(folder)
    .filter((file) => /^Migration\w+\.ts$/.test(file))
    .sort();
  const migrations = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(folder, file)).href)) as Record<string, unknown>;
    const migration = Object.values(module).find((value) => typeof value === 'function') as (new (...args: any[]) => Migration) | undefined;
    if (!migration) throw new Error(`${path.join(folder, file)} exports no migration class`);
    migrations.push({ name: file.replace(/\.ts$/, ''), class: migration });
  }
  return migrations;
}

export interface OpenOptions {
  /** Apply pending migrations on open. Default true; the migration generator opens without. */
  migrate?: boolean;
}

/**
 * Opens a subgraph's own database (creating it when missing) and applies the subgraph's
 * checked-in migrations for that database's dialect.
 */
export async function openDatabase(
  databaseUrl: string,
  entities: EntitySchema<any, any>[],
  subgraph: string,
  options: OpenOptions = {},
): Promise<Database> {
  const driver = driverOptions(databaseUrl);
  const kind = dialectOf(databaseUrl);
  const folder = migrationsFolder(subgraph, kind);
  const orm = await MikroORM.init({
    ...driver,
    entities,
    allowGlobalContext: false,
    debug: false,
    // Entities are declared with defineEntity; no reflection or decorator metadata.
    discovery: { warnWhenNoEntities: true },
    pool: kind === 'postgresql' ? { min: 0, max: 10 } : { min: 0, max: 1, afterCreate: prepareSqliteConnection },
    extensions: [Migrator],
    migrations: {
      path: folder,
      pathTs: folder,
      // listed explicitly so the same files load under tsx and under the test runner
      migrationsList: await loadMigrations(folder),
      // the generator diffs entities against a scratch database, never against a snapshot file
      snapshot: false,
      silent: true,
      emit: 'ts',
    },
  });
  const em = orm.em as unknown as EntityManager;
  // WAL lets readers proceed while a writer commits; it is a property of the file, kept across connections.
  if (kind === 'sqlite') await em.getConnection().execute('PRAGMA journal_mode = WAL');
  if (options.migrate !== false) {
    try {
      await orm.migrator.up();
    } catch (error) {
      await orm.close(true);
      const cause = error instanceof Error ? error.message : String(error);
      if (/already exists/i.test(cause)) {
        throw new Error(
          `the ${subgraph} database holds tables its migrations did not create (made before Plaza used migrations?); ` +
            `reseed it with \`npm run seed -- --reset ${subgraph}\` or remove it. ${cause}`,
        );
      }
      throw error;
    }
  }
  let inRequests = 0;
  em.getConnection()
    .getKnex()
    .on('query', () => {
      const scope = statementScopes.getStore();
      if (scope) {
        scope.statements++;
        inRequests++;
      }
    });
  return {
    orm,
    kind,
    requestStatements: () => inRequests,
    close: () => orm.close(true),
  };
}

/** One SQL statement and the values of its named `:placeholders`. */
export interface Statement {
  sql: string;
  values?: Record<string, unknown>;
}

/** What a transaction sent in one message answers. */
export interface OneMessageAnswer {
  /** Each statement's rows, in order. */
  rows: Record<string, unknown>[][];
  /** The server's clock right after the COMMIT (epoch seconds, to the microsecond), for timing what the transaction held. */
  committedAt: number;
}

/**
 * Runs statements as one PostgreSQL transaction sent in one message: the server runs
 * BEGIN, the statements and COMMIT without waiting for the service between them, so the
 * transaction never holds its row locks across a round trip, however busy the service is.
 * A message of several statements takes no parameters: values are written in, escaped by
 * the driver (as the ORM writes its own). An error before the COMMIT leaves the connection
 * inside the failed transaction, so it is rolled back before the pool lends it again.
 */
export async function transactionInOneMessage(em: EntityManager, statements: Statement[]): Promise<OneMessageAnswer> {
  const knex = em.getConnection().getKnex();
  const message = [
    'begin',
    ...statements.map(({ sql, values }) => (values ? knex.raw(sql, values as Record<string, never>).toQuery() : sql)),
    'commit',
    'select cast(extract(epoch from clock_timestamp()) as float8) as committed_at',
  ].join(';\n');
  const connection = await knex.client.acquireConnection();
  try {
    const answers = (await knex.raw(message).connection(connection)) as unknown as { rows: Record<string, unknown>[] }[];
    return { rows: answers.slice(1, -2).map((answer) => answer.rows), committedAt: answers.at(-1)!.rows[0].committed_at as number };
  } catch (error) {
    await knex.raw('rollback').connection(connection).catch(() => undefined);
    throw error;
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** The part of a libsql connection Plaza touches. */
interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Prepared statements kept per SQLite connection. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Readies every SQLite connection the pool opens. The libsql dialect replaces its
 * connection every ten seconds, and settings that belong to a connection would be lost
 * with the first one:
 * - busy_timeout queues a writer behind another process's write instead of failing;
 * - foreign keys are enforced;
 * - prepared statements are kept and reused by SQL text (least recently used go first).
 *   The dialect prepares every query anew, and preparing costs about as much as running
 *   one of Plaza's indexed reads. Only SQL with parameters is kept: the ORM writes values
 *   into its own SQL, which would only push the reusable statements out; findRows binds
 *   its values, so its SQL is one text per query shape. Reuse is safe: libsql runs a
 *   statement to completion synchronously, so two queries never share one half-way.
 */
function prepareSqliteConnection(connection: SqliteConnection, done: (error: unknown, connection: SqliteConnection) => void): void {
  try {
    connection.exec('PRAGMA busy_timeout = 5000');
    connection.exec('PRAGMA foreign_keys = ON');
    const prepare = connection.prepare.bind(connection);
    // the least recently used statement goes first
    const statements = new LRUCache<string, object>({ max: STATEMENT_CACHE_SIZE });
    connection.prepare = (sql: string) => {
      // SQL without parameters has its values written in (the ORM's own queries): it is rarely the same twice
      if (!sql.includes('?')) return prepare(sql);
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = prepare(sql) as object));
      return statement;
    };
    done(null, connection);
  } catch (error) {
    done(error, connection);
  }
}

/** Runs one statement on a PostgreSQL server's `postgres` database (creating and dropping databases happens there). */
async function onPostgresServer(databaseUrl: string, sql: (database: string) => string): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!/^\w+$/.test(database)) throw new Error(`unexpected database name ${JSON.stringify(database)}`);
  url.pathname = '/postgres';
  const client = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    await client.raw(sql(database));
  } finally {
    await client.destroy();
  }
}

/** Drops a PostgreSQL database, closing whatever connections it still has. */
export function dropPostgresDatabase(databaseUrl: string): Promise<void> {
  return onPostgresServer(databaseUrl, (database) => `drop database if exists "${database}" with (force)`);
}
