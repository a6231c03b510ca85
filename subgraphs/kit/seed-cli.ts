/**
 * Seeds every subgraph's database with the deterministic world (subgraphs/kit/world.ts):
 *
 *   npm run seed -- --scale small|large [--reset] [subgraph…]
 *
 * Databases come from the same settings as `npm start` (PLAZA_DATA_DIR, PLAZA_DATABASE_URL,
 * PLAZA_<NAME>_DATABASE_URL). Migrations are applied first; a database that already holds
 * data is left alone unless --reset drops it first. Prints each subgraph's time.
 */
import fs from 'node:fs';
import { ConfigError, readSubgraphConfig, SUBGRAPH_NAMES, type SeedScale, type SubgraphName } from '../../platform/config.ts';
import { defaultOf } from '../../platform/settings.ts';
import { dialectOf, dropPostgresDatabase, openDatabase, sqliteFileOf, type EntityManager } from './orm.ts';
import { isEmpty } from './server.ts';
import { definitionOf } from '../registry.ts';

interface SeedArgs {
  scale: SeedScale;
  reset: boolean;
  subgraphs: SubgraphName[];
}

function parseArgs(argv: string[]): SeedArgs {
  // --scale defaults to PLAZA_SEED_SCALE's default (the flag, not the variable, says what to seed here)
  let scale: string | undefined = defaultOf('PLAZA_SEED_SCALE');
  let reset = false;
  const subgraphs: SubgraphName[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--scale') scale = argv[++i];
    else if (arg.startsWith('--scale=')) scale = arg.slice('--scale='.length);
    else if (arg === '--reset') reset = true;
    else if (SUBGRAPH_NAMES.includes(arg as SubgraphName)) subgraphs.push(arg as SubgraphName);
    else throw new ConfigError('argument', `--scale small|large, --reset or a subgraph (${SUBGRAPH_NAMES.join(', ')})`, arg);
  }
  if (scale !== 'small' && scale !== 'large') throw new ConfigError('--scale', 'small or large', scale);
  return { scale, reset, subgraphs: subgraphs.length ? subgraphs : [...SUBGRAPH_NAMES] };
}

/** Removes a subgraph's database: the PostgreSQL database, or the SQLite file and its journal. */
async function dropDatabase(databaseUrl: string): Promise<void> {
  if (dialectOf(databaseUrl) === 'postgresql') return dropPostgresDatabase(databaseUrl);
  const file = sqliteFileOf(databaseUrl);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

async function seedOne(name: SubgraphName, args: SeedArgs): Promise<void> {
  const config = readSubgraphConfig(name);
  if (args.reset) await dropDatabase(config.databaseUrl);
  const definition = await definitionOf(name);
  const started = performance.now();
  const database = await openDatabase(config.databaseUrl, definition.entities, name);
  try {
    const em = database.orm.em as unknown as EntityManager;
    if (!(await isEmpty(em, definition.entities[0]))) {
      console.log(`${name} (${database.kind}): already holds data; left alone (use --reset to reseed)`);
      return;
    }
    // a lost seed is simply rerun: trade per-commit durability for speed while seeding
    if (database.kind === 'sqlite') await em.getConnection().execute('PRAGMA synchronous = OFF');
    await definition.seed(em.fork(), args.scale);
    // fresh statistics, so the planner picks the indexes from the first query on
    await em.getConnection().execute('analyze');
    const seconds = (performance.now() - started) / 1000;
    console.log(`${name} (${database.kind}): seeded ${args.scale} in ${seconds.toFixed(1)} s`);
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const dialects = new Set(args.subgraphs.map((name) => dialectOf(readSubgraphConfig(name).databaseUrl)));
  // one subgraph at a time: each seed already keeps a core busy, and SQLite files share the disk
  for (const name of args.subgraphs) await seedOne(name, args);
  console.log(`seeded ${args.subgraphs.join(', ')} (${[...dialects].join(', ')}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
