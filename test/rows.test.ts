/**
 * findRows, the plain-row reader of the hot loaders: the SQL of a query shape is built
 * once and reused with other values, and what it reads is what the ORM reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findRows } from '../subgraphs/kit/rows.ts';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.ts';
import type { EntityManager } from '../subgraphs/kit/orm.ts';
import { CouponTemplate } from '../subgraphs/coupons/entities.ts';
import { openAt } from '../subgraphs/coupons/service.ts';
import { definitionOf } from '../subgraphs/registry.ts';
import { dropTestDatabases } from './support/databases.ts';
import { subgraphTestConfig } from './support/plaza.ts';

let dataDir: string;
let coupons: RunningSubgraph;
let merchantIds: string[];
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-rows-'));
  coupons = await startSubgraph(await definitionOf('coupons'), subgraphTestConfig('coupons', dataDir));
  const em = coupons.database.orm.em.fork() as EntityManager;
  merchantIds = [...new Set((await em.find(CouponTemplate, {}, { orderBy: { id: 'asc' } })).map((t) => t.merchantId))];
});
afterAll(async () => {
  await coupons?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropTestDatabases(dataDir);
});

/** An offer as comparable plain values. */
const comparable = (t: CouponTemplate) => ({ id: t.id, merchantId: t.merchantId, startsAt: t.startsAt.getTime(), endsAt: t.endsAt.getTime(), value: t.value });
const ORDER = { orderBy: { merchantId: 'asc', id: 'asc' } } as const;

/** What the ORM's own find reads for the same filter. */
async function viaOrm(em: EntityManager, where: object) {
  return (await em.fork().find(CouponTemplate, where as never, ORDER)).map(comparable);
}
async function viaRows(em: EntityManager, where: object) {
  return (await findRows(em, CouponTemplate, where as never, ORDER)).map(comparable);
}

describe('findRows', () => {
  it('builds the SQL of a shape once and reads with other values exactly what the ORM reads', async () => {
    const em = coupons.database.orm.em.fork() as EntityManager;
    const build = vi.spyOn(em, 'createQueryBuilder');
    expect(merchantIds.length).toBeGreaterThanOrEqual(4);
    const now = new Date();
    const filters = [
      { merchantId: { $in: merchantIds.slice(0, 2) }, channel: { $in: ['PUBLIC', 'MEMBERS_ONLY'] }, ...openAt(now) },
      { merchantId: { $in: merchantIds.slice(2, 4) }, channel: { $in: ['PUBLIC', 'PAYMENT_SUCCESS'] }, ...openAt(new Date(now.getTime() + 86_400_000 * 400)) },
      { merchantId: { $in: [merchantIds[1], 'no-such-merchant'] }, channel: { $in: ['PAYMENT_SUCCESS', 'MEMBERS_ONLY'] }, ...openAt(new Date(0)) },
    ];
    for (const where of filters) expect(await viaRows(em, where)).toEqual(await viaOrm(em, where));
    // one build for the three filters of one shape
    expect(build).toHaveBeenCalledTimes(1);
    expect((await viaRows(em, filters[0])).length).toBeGreaterThan(0);
  });

  it('builds again for another shape: another list length, operator or order', async () => {
    const em = coupons.database.orm.em.fork() as EntityManager;
    const build = vi.spyOn(em, 'createQueryBuilder');
    const three = { merchantId: { $in: merchantIds.slice(0, 3) } };
    expect(await viaRows(em, three)).toEqual(await viaOrm(em, three));
    const ranged = { merchantId: { $in: merchantIds.slice(0, 2) }, value: { $gte: 0 } };
    expect(await viaRows(em, ranged)).toEqual(await viaOrm(em, ranged));
    const descending = await findRows(em, CouponTemplate, { merchantId: { $in: merchantIds.slice(0, 3) } }, { orderBy: { id: 'desc' } });
    expect(descending.map((t) => t.id)).toEqual((await viaOrm(em, three)).map((t) => t.id).sort().reverse());
    expect(build).toHaveBeenCalledTimes(3);
  });

  it('reads nothing for an empty list, and a filter it cannot take apart is built every time', async () => {
    const em = coupons.database.orm.em.fork() as EntityManager;
    expect(await findRows(em, CouponTemplate, { id: { $in: [] } })).toEqual([]);
    const build = vi.spyOn(em, 'createQueryBuilder');
    const sub = () => em.createQueryBuilder(CouponTemplate, 's').select('s.id').where({ merchantId: merchantIds[0] }).getKnexQuery();
    const first = await findRows(em, CouponTemplate, { id: { $in: sub() } } as never);
    const second = await findRows(em, CouponTemplate, { id: { $in: sub() } } as never);
    expect(second.map((t) => t.id)).toEqual(first.map((t) => t.id));
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((t) => t.merchantId === merchantIds[0])).toBe(true);
    // two subqueries and two full builds
    expect(build).toHaveBeenCalledTimes(4);
  });
});
