import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coupon, CouponTemplate } from '../subgraphs/coupons/entities.ts';
import { signInternalToken, INTERNAL_TOKEN_HEADER } from '../platform/internal-token.ts';
import { CLAIM, couponsDb, couponsOf, createOffer, JOIN, outcome, remainingStock, tally } from './support/flows.ts';
import { testDatabase } from './support/databases.ts';
import { eventually, postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

/** Concurrency tests do real work (hundreds of transactions); on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

/** How many requests for a connection to the coupons database wait (SQLite has one, held by an open transaction). */
function queuedForConnection(): number {
  return couponsDb(plaza).getConnection().getKnex().client.pool.numPendingAcquires();
}

/** How many statements on the coupons database wait for a lock (PostgreSQL). */
async function blockedStatements(): Promise<number> {
  const [row] = await couponsDb(plaza).getConnection().execute<{ n: string }[]>(
    "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
  );
  return Number(row.n);
}

async function claim(user: string, templateId: string, key: string, pass?: string) {
  const { body } = await plaza.query(CLAIM, { templateId, key, pass }, { user });
  return body;
}

describe('claiming coupons', () => {
  it('200 concurrent claims on a stock of 50 give exactly 50 coupons and leave the stock at 0', async () => {
    const offer = await createOffer(plaza, { totalStock: 50 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => claim(`u${i + 1}`, offer, `claim-${i}`)));
    expect(tally(answers.map(outcome))).toEqual({ OK: 50, COUPON_OUT_OF_STOCK: 150 });
    expect(await remainingStock(plaza, offer)).toBe(0);
    const coupons = await couponsOf(plaza, offer);
    expect(coupons).toHaveLength(50);
    expect(new Set(coupons.map((c) => c.ownerId)).size).toBe(50);
  }, HEAVY);

  it('retrying with the same idempotency key returns the same coupon and takes stock once', async () => {
    const offer = await createOffer(plaza, { totalStock: 10 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => claim('u7', offer, 'same-key')));
    const ids = new Set(answers.map((a) => a.data?.claimCoupon?.id));
    expect(answers.map(outcome).every((o) => o === 'OK')).toBe(true);
    expect(ids.size).toBe(1);
    expect(await remainingStock(plaza, offer)).toBe(9);
    const again = await claim('u7', offer, 'same-key');
    expect(again.data.claimCoupon.id).toBe([...ids][0]);
  });

  it('a claim that waits for the stock while a claim with its key commits answers with that coupon', async () => {
    // The twin took the last unit and holds it in an open transaction. On PostgreSQL the
    // claim looks for the key (not there yet), then blocks on the stock row; once the twin
    // commits the stock is gone, and the claim must still answer with the twin's coupon.
    const offer = await createOffer(plaza, { totalStock: 1 });
    const twin = couponsDb(plaza);
    await twin.begin();
    await twin.nativeUpdate(CouponTemplate, { id: offer }, { remainingStock: 0 });
    await twin.insert(Coupon, {
      id: `c-twin-${offer}`, templateId: offer, merchantId: 'm1', ownerId: 'u13', slot: 1, idempotencyKey: 'twin-key',
      code: '9000000001', status: 'CLAIMED', claimedAt: new Date(), redeemedAt: null, orderId: null, appliedAt: null,
    });
    const pending = claim('u13', offer, 'twin-key');
    try {
      if (testDatabase() === 'postgresql') expect(await eventually(() => blockedStatements(), (n) => n > 0, 10_000)).toBeGreaterThan(0);
      // SQLite has one connection: the claim queues behind the open transaction
      else expect(await eventually(async () => queuedForConnection(), (n) => n > 0, 10_000)).toBeGreaterThan(0);
    } finally {
      await twin.commit();
    }
    const body = await pending;
    expect(outcome(body)).toBe('OK');
    expect(body.data.claimCoupon.id).toBe(`c-twin-${offer}`);
    expect(await remainingStock(plaza, offer)).toBe(0);
    expect(await couponsOf(plaza, offer)).toHaveLength(1);
  });

  it('the per-user limit holds under concurrent claims with different keys', async () => {
    const offer = await createOffer(plaza, { totalStock: 100, perUserLimit: 2 });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => claim('u8', offer, `limit-${i}`)));
    expect(tally(answers.map(outcome))).toEqual({ OK: 2, COUPON_LIMIT_REACHED: 10 });
    expect(await remainingStock(plaza, offer)).toBe(98);
    expect(await couponsOf(plaza, offer)).toHaveLength(2);
  });

  it('refuses offers outside their window, unknown offers and anonymous callers, without writing anything', async () => {
    const future = await createOffer(plaza, { startsAt: new Date(Date.now() + 86_400_000), endsAt: new Date(Date.now() + 2 * 86_400_000) });
    const ended = await createOffer(plaza, { startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: new Date(Date.now() - 86_400_000) });
    expect(outcome(await claim('u9', future, 'k1'))).toBe('COUPON_NOT_ACTIVE');
    expect(outcome(await claim('u9', ended, 'k2'))).toBe('COUPON_NOT_ACTIVE');
    expect(outcome(await claim('u9', 'no-such-offer', 'k3'))).toBe('OFFER_NOT_FOUND');
    expect(outcome(await claim('u9', future, ''))).toBe('BAD_USER_INPUT');
    const anonymous = await plaza.query(CLAIM, { templateId: future, key: 'k4' });
    expect(outcome(anonymous.body)).toBe('UNAUTHENTICATED');
    expect(await couponsOf(plaza, future)).toHaveLength(0);
    expect(await couponsOf(plaza, ended)).toHaveLength(0);
    expect(await remainingStock(plaza, future)).toBe(50);
  });

  it('a reused idempotency key for another offer is refused', async () => {
    const a = await createOffer(plaza);
    const b = await createOffer(plaza);
    expect(outcome(await claim('u10', a, 'reused'))).toBe('OK');
    expect(outcome(await claim('u10', b, 'reused'))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await remainingStock(plaza, b)).toBe(50);
  });

  it("members-only offers need a pass from the user's own membership of that merchant", async () => {
    const offer = await createOffer(plaza, { channel: 'MEMBERS_ONLY' });
    expect(outcome(await claim('u11', offer, 'm-1'))).toBe('MEMBERSHIP_REQUIRED');
    const joined = await plaza.query(JOIN, { merchantId: 'm1' }, { user: 'u11' });
    const pass = joined.body.data.joinMembership.pass;
    // someone else's pass does not work
    expect(outcome(await claim('u12', offer, 'm-2', pass))).toBe('MEMBERSHIP_REQUIRED');
    // a pass for another merchant does not work either
    const other = await plaza.query(JOIN, { merchantId: 'm2' }, { user: 'u11' });
    expect(outcome(await claim('u11', offer, 'm-3', other.body.data.joinMembership.pass))).toBe('MEMBERSHIP_REQUIRED');
    expect(outcome(await claim('u11', offer, 'm-4', pass))).toBe('OK');
    expect(await remainingStock(plaza, offer)).toBe(49);
  });
});

describe('coupons are private', () => {
  it("a user sees their own coupons in the headline query's me, and only their own", async () => {
    const offer = await createOffer(plaza);
    const mine = (await claim('u300', offer, 'mine')).data.claimCoupon.id;
    await claim('u301', offer, 'theirs');
    const { body } = await plaza.query('{ me { nickname coupons { id template { title merchant { name } } } } }', {}, { user: 'u300' });
    expect(body.errors).toBeUndefined();
    expect(body.data.me.coupons.map((c: { id: string }) => c.id)).toEqual([mine]);
    expect(body.data.me.coupons[0].template.merchant.name).toMatch(/\w/);
  });

  it("calling the coupons subgraph as one user for another user's coupons is refused", async () => {
    const token = await signInternalToken({ userId: 'u300', scopes: [] }, TEST_INTERNAL_SECRET);
    const { body } = await postJson(
      plaza.subgraphs.coupons.url,
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { coupons { id } } } }', variables: { r: [{ __typename: 'User', id: 'u301' }] } },
      { [INTERNAL_TOKEN_HEADER]: token },
    );
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(body.data._entities[0]?.coupons ?? null).toBeNull();
  });
});
