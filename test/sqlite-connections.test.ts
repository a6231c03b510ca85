/**
 * SQLite connections keep their settings and their prepared statements for as long as
 * they live, and every connection the pool opens later gets the same settings. (SQLite
 * only: PostgreSQL connections take their settings from the server.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database, type EntityManager } from '../subgraphs/kit/orm.ts';
import { entities } from '../subgraphs/users/entities.ts';

let dir: string;
let db: Database;
/** Runs SQL with its parameters bound, as findRows does (the ORM's execute would write them into the SQL). */
const sql = async (query: string, params: unknown[] = []) => {
  const result = await (db.orm.em as unknown as EntityManager).getConnection().getKnex().raw(query, params as never[]);
  return Array.isArray(result) ? result : result.rows;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-sqlite-'));
  db = await openDatabase(`file:${path.join(dir, 'users.db')}`, entities, 'users');
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQLite connections', () => {
  it('keep waiting for a busy writer and enforce foreign keys on every connection, including those opened later', async () => {
    expect(await sql('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
    // the libsql dialect replaces a connection older than ten seconds when it is next used
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11_000);
    expect(await sql('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
    expect(await sql('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await sql('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('answer a reused statement with its own parameters, also after the statement failed', async () => {
    const insert = 'insert into users (id, nickname, city) values (?, ?, ?)';
    const select = 'select id, nickname from users where id in (?, ?) order by id';
    await sql(insert, ['a1', 'Ann', 'hangzhou']);
    await sql(insert, ['b2', 'Bo', 'hangzhou']);
    await sql(insert, ['c3', 'Cy', 'shanghai']);
    expect(await sql(select, ['a1', 'b2'])).toEqual([{ id: 'a1', nickname: 'Ann' }, { id: 'b2', nickname: 'Bo' }]);
    expect(await sql(select, ['c3', 'zz'])).toEqual([{ id: 'c3', nickname: 'Cy' }]);
    await expect(sql(insert, ['a1', 'Again', 'hangzhou'])).rejects.toThrow(/UNIQUE|constraint/i);
    await sql(insert, ['d4', 'Di', 'hangzhou']);
    expect(await sql(select, ['d4', 'a1'])).toEqual([{ id: 'a1', nickname: 'Ann' }, { id: 'd4', nickname: 'Di' }]);
    // a statement read only part way (one row of several) leaves nothing behind for its next use
    const em = db.orm.em.fork();
    expect(await em.getConnection().execute('select id from users order by id', [], 'get')).toEqual({ id: 'a1' });
    expect(await em.getConnection().execute('select id from users order by id', [], 'all')).toHaveLength(4);
  });
});
