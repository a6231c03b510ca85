/**
 * transactionInOneMessage, PostgreSQL's transaction sent as one message (BEGIN, statements,
 * COMMIT): what it writes is committed, and a statement that fails leaves no connection of
 * the pool inside the failed transaction. SQLite has no such path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRight } from '../subgraphs/membership/entities.ts';
import { transactionInOneMessage, type EntityManager } from '../subgraphs/kit/orm.ts';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.ts';
import { definitionOf } from '../subgraphs/registry.ts';
import { dropTestDatabases } from './support/databases.ts';
import { subgraphTestConfig } from './support/plaza.ts';

// runs in the PostgreSQL project only (vitest.config.ts)
describe('a transaction sent in one message', () => {
  let dataDir: string;
  let membership: RunningSubgraph;
  const em = () => membership.database.orm.em.fork() as unknown as EntityManager;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-one-message-'));
    membership = await startSubgraph(await definitionOf('membership'), subgraphTestConfig('membership', dataDir));
  });
  afterAll(async () => {
    await membership?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropTestDatabases(dataDir);
  });

  it('commits its statements, answers their rows and reads the clock after the commit', async () => {
    const before = Date.now() / 1000;
    const answer = await transactionInOneMessage(em(), [
      { sql: "insert into member_rights (id, merchant_id, title, cost, remaining_stock) values (:id, null, :title, 5, 1) returning id", values: { id: 'r-one-message', title: "it's" } },
      { sql: 'select count(*) as rights from member_rights where id = :id', values: { id: 'r-one-message' } },
    ]);
    expect(answer.rows).toEqual([[{ id: 'r-one-message' }], [{ rights: '1' }]]);
    expect(answer.committedAt).toBeGreaterThan(before - 1);
    expect(await em().findOneOrFail(MemberRight, { id: 'r-one-message' })).toMatchObject({ title: "it's", cost: 5 });
  });

  it('a failing statement writes nothing and leaves every connection of the pool usable', async () => {
    for (let i = 0; i < 12; i++) {
      const failing = transactionInOneMessage(em(), [
        { sql: "insert into member_rights (id, merchant_id, title, cost, remaining_stock) values (:id, null, 'x', 1, 1)", values: { id: `r-failed-${i}` } },
        { sql: 'select 1 / 0' },
      ]);
      await expect(failing).rejects.toThrow(/division by zero/);
    }
    expect(await em().count(MemberRight, { id: { $like: 'r-failed-%' } })).toBe(0);
    // more queries at once than the pool has connections: each one reaches a connection that failed
    const counts = await Promise.all(Array.from({ length: 30 }, () => em().count(MemberRight, {})));
    expect(new Set(counts).size).toBe(1);
  });
});
