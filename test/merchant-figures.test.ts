import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureDays } from '../subgraphs/kit/figures.ts';
import type { EntityManager } from '../subgraphs/kit/orm.ts';
import { ImpressionCounter } from '../subgraphs/placements/impressions.ts';
import type { PlacementsShared } from '../subgraphs/placements/loaders.ts';
import { asMerchant, CLAIM, JOIN, paidOrder } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

const FEED = `query Feed($city: String!) { homepage(city: $city) {
  searchHints { id merchant { id } } grid { id merchant { id } } news { id merchant { id } }
  banners { id merchant { id } } cards { id merchant { id } } basement { id merchant { id } } } }`;
const CONSOLE = `query Console($id: ID!, $days: Int) { merchant(id: $id) { id placements {
  id slot status reviewReason targeting { startsAt endsAt } impressionsByDay(days: $days) { day count } } } }`;

interface Served {
  id: string;
  merchant: { id: string };
}

const impressions = () => (plaza.subgraphs.placements.shared as PlacementsShared).impressions;

describe("a merchant's console figures, through the gateway", () => {
  it('counts every placement a feed served, once per feed, and shows the merchant its own counts by day', async () => {
    const served = new Map<string, number>();
    let merchantId = '';
    const feeds = 3;
    for (let k = 0; k < feeds; k++) {
      const { body } = await plaza.query(FEED, { city: 'Hangzhou' }, { user: 'u7' });
      expect(body.errors).toBeUndefined();
      for (const section of Object.values(body.data.homepage) as Served[][]) {
        for (const p of section) served.set(p.id, (served.get(p.id) ?? 0) + 1);
      }
      merchantId ||= body.data.homepage.grid[0].merchant.id;
    }
    await impressions().flush();

    const { body } = await plaza.query(CONSOLE, { id: merchantId, days: 3 }, { user: 'u9', scopes: [`merchant:${merchantId}`] });
    expect(body.errors).toBeUndefined();
    const [yesterday2, yesterday, today] = figureDays(3, new Date());
    const own = body.data.merchant.placements as { id: string; impressionsByDay: { day: string; count: number }[] }[];
    expect(own.length).toBeGreaterThan(0);
    for (const placement of own) {
      expect(placement.impressionsByDay, placement.id).toEqual([
        { day: yesterday2, count: 0 },
        { day: yesterday, count: 0 },
        { day: today, count: served.get(placement.id) ?? 0 },
      ]);
    }
    // the grid's first placement was served in every feed
    expect(own.some((p) => p.impressionsByDay[2].count === feeds)).toBe(true);
  });

  it("lists a merchant's placements whatever their review, with the reviewer's reason and the schedule", async () => {
    // the seed rejects m5's second placement with a reason and leaves m4's pending
    const rejected = await plaza.query(CONSOLE, { id: 'm5' }, { user: 'u9', scopes: ['merchant:m5'] });
    expect(rejected.body.errors).toBeUndefined();
    expect(rejected.body.data.merchant.placements).toContainEqual(
      expect.objectContaining({ id: 'p5-b', status: 'REJECTED', reviewReason: 'The image shows another brand' }),
    );
    const pending = await plaza.query(CONSOLE, { id: 'm4' }, { user: 'u9', scopes: ['merchant:m4'] });
    const p4b = pending.body.data.merchant.placements.find((p: { id: string }) => p.id === 'p4-b');
    expect(p4b).toMatchObject({ status: 'PENDING', reviewReason: null, targeting: { startsAt: expect.any(String), endsAt: expect.any(String) } });
    expect(Date.parse(p4b.targeting.endsAt)).toBeGreaterThan(Date.parse(p4b.targeting.startsAt));
  });

  it("refuses another merchant's placements and figures, and anonymous callers", async () => {
    const other = await plaza.query(CONSOLE, { id: 'm1' }, { user: 'u9', scopes: ['merchant:m2'] });
    expect(other.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(other.body.data ?? null)).not.toContain('impressionsByDay');
    const anonymous = await plaza.query(CONSOLE, { id: 'm1' });
    expect(anonymous.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // figures reached through a public feed are refused too
    const feed = await plaza.query('{ homepage(city: "Hangzhou") { grid { id impressionsByDay { count } } } }', {}, { user: 'u9', scopes: ['merchant:m2'] });
    expect(feed.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toContain('FORBIDDEN');
  });

  it('refuses a window of days outside 1-90 with BAD_USER_INPUT', async () => {
    for (const days of [0, 91]) {
      const { body } = await plaza.query(CONSOLE, { id: 'm1', days }, { user: 'u9', scopes: ['merchant:m1'] });
      expect(body.errors?.[0].extensions?.code, String(days)).toBe('BAD_USER_INPUT');
    }
  });

  it('writes impressions in one statement per flush, never one per feed served', async () => {
    const p1Today = async () => {
      const { body } = await plaza.query(`{ merchant(id: "m1") { placements { id impressionsByDay(days: 1) { count } } } }`, {}, { user: 'u9', scopes: ['merchant:m1'] });
      expect(body.errors).toBeUndefined();
      return body.data.merchant.placements.find((p: { id: string }) => p.id === 'p1').impressionsByDay[0].count as number;
    };
    const before = await p1Today();
    const em = plaza.subgraphs.placements.database.orm.em.fork() as unknown as EntityManager;
    const counter = new ImpressionCounter(em, { flushMs: 3_600_000 });
    let statements = 0;
    const knex = em.getConnection().getKnex();
    const onQuery = (query: { sql: string }) => {
      if (query.sql.includes('placement_impressions')) statements++;
    };
    knex.on('query', onQuery);
    try {
      for (let k = 0; k < 1000; k++) counter.served(['p1', 'p2'], new Date());
      expect(statements).toBe(0);
      expect(counter.waiting).toBe(2);
      await counter.close();
      expect(statements).toBe(1);
      expect(counter.waiting).toBe(0);
    } finally {
      knex.off('query', onQuery);
    }
    expect(await p1Today()).toBe(before + 1000);
  });
});

const FIGURES = `query Figures($id: ID!) { merchant(id: $id) {
  offers(first: 10) { id claimsByDay(days: 2) { day count } redemptionsByDay(days: 2) { day count } }
  newMembersByDay(days: 2) { day count } repurchasesByDay(days: 2) { day count } } }`;

describe("a merchant's user assets: claims, redemptions, new members and repurchases by day", () => {
  it('equal what customers did today, and are refused to another merchant', async () => {
    const [yesterday, today] = figureDays(2, new Date());
    const day = (count: number) => [
      { day: yesterday, count: 0 },
      { day: today, count },
    ];
    const merchant = 'm9';
    const offer = 'o9-1';
    const coupons: Record<string, string> = {};
    for (const user of ['u21', 'u22', 'u23']) {
      const claimed = await plaza.query(CLAIM, { templateId: offer, key: `figures-${user}` }, { user });
      expect(claimed.body.errors).toBeUndefined();
      coupons[user] = claimed.body.data.claimCoupon.id;
    }
    for (const user of ['u21', 'u22']) expect((await plaza.query(JOIN, { merchantId: merchant }, { user })).body.errors).toBeUndefined();
    // u21 pays twice (the second is a repurchase), the first time with its coupon; u23 pays once
    await paidOrder(plaza, 'u21', 500, [coupons.u21], merchant);
    await paidOrder(plaza, 'u21', 300, [], merchant);
    await paidOrder(plaza, 'u23', 200, [], merchant);

    const { body } = await plaza.query(FIGURES, { id: merchant }, asMerchant(merchant));
    expect(body.errors).toBeUndefined();
    const figures = body.data.merchant;
    const claimedOffer = figures.offers.find((o: { id: string }) => o.id === offer);
    expect(claimedOffer.claimsByDay).toEqual(day(3));
    expect(claimedOffer.redemptionsByDay).toEqual(day(1));
    for (const other of figures.offers.filter((o: { id: string }) => o.id !== offer)) expect(other.claimsByDay).toEqual(day(0));
    expect(figures.newMembersByDay).toEqual(day(2));
    expect(figures.repurchasesByDay).toEqual(day(1));

    const refused = await plaza.query(FIGURES, { id: merchant }, asMerchant('m10'));
    const codes = new Set((refused.body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code));
    expect([...codes]).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(refused.body.data)).not.toMatch(/"count":[1-9]/);
  });
});
