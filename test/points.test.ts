import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRight, PointsTransaction } from '../subgraphs/membership/entities.ts';
import {
  balancesAndLedgers,
  CLAIM,
  createOffer,
  createRight,
  EXCHANGE,
  JOIN,
  membershipDb,
  outcome,
  PAY,
  REDEEM,
  remainingStock,
  couponsOf,
  tally,
} from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

/** Concurrency tests do real work (hundreds of transactions); on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

const pay = async (user: string, paymentId: string, amount: number, merchantId = 'm1', couponId?: string) =>
  (await plaza.query(PAY, { paymentId, merchantId, amount, couponId }, { user })).body;
const exchange = async (user: string, rightId: string, key: string) => (await plaza.query(EXCHANGE, { rightId, key }, { user })).body;
const ledgerRows = async (userId: string) => membershipDb(plaza).count(PointsTransaction, { userId });

describe('earning points', () => {
  it('a payment earns one point per yuan, once, however often it is retried', async () => {
    const user = 'new-payer-1';
    const answers = await Promise.all(Array.from({ length: 20 }, () => pay(user, 'pay-once', 250)));
    expect(answers.map(outcome).every((o) => o === 'OK')).toBe(true);
    expect(new Set(answers.map((a) => a.data.completePayment.pointsEarned))).toEqual(new Set([250]));
    const [account] = await balancesAndLedgers(plaza, [user]);
    expect(account).toEqual({ userId: user, balance: 250, ledger: 250 });
    expect(await ledgerRows(user)).toBe(1);
  });

  it('the same paymentId with other details is refused', async () => {
    await pay('u40', 'pay-conflict', 100);
    expect(outcome(await pay('u40', 'pay-conflict', 999))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(outcome(await pay('u41', 'pay-conflict', 100))).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('bad payments get their code and write nothing', async () => {
    const before = await ledgerRows('u42');
    expect(outcome(await pay('u42', 'pay-neg', -10))).toBe('BAD_USER_INPUT');
    expect(outcome(await pay('u42', 'pay-frac', 0))).toBe('BAD_USER_INPUT');
    expect(outcome(await pay('u42', 'pay-nomerchant', 10, 'no-such-merchant'))).toBe('NOT_FOUND');
    expect(outcome((await plaza.query(PAY, { paymentId: 'anon', merchantId: 'm1', amount: 10 })).body)).toBe('UNAUTHENTICATED');
    expect(await ledgerRows('u42')).toBe(before);
  });
});

describe('spending points', () => {
  it("a right's stock never goes below zero", async () => {
    const right = await createRight(plaza, 10, 5);
    const users = Array.from({ length: 20 }, (_, i) => `stock-user-${i}`);
    await Promise.all(users.map((u) => pay(u, `fund-${u}`, 100)));
    const answers = await Promise.all(users.map((u) => exchange(u, right, 'one')));
    expect(tally(answers.map(outcome))).toEqual({ OK: 5, RIGHT_OUT_OF_STOCK: 15 });
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(0);
    for (const row of await balancesAndLedgers(plaza, users)) expect(row.balance).toBe(row.ledger);
  }, HEAVY);

  it('retrying an exchange with the same key spends once; a key reused for another right is refused', async () => {
    const user = 'new-spender-2';
    await pay(user, 'fund-spender-2', 500);
    const right = await createRight(plaza, 100, 10);
    const answers = await Promise.all(Array.from({ length: 10 }, () => exchange(user, right, 'same')));
    expect(new Set(answers.map((a) => a.data.exchangePoints.id)).size).toBe(1);
    expect((await balancesAndLedgers(plaza, [user]))[0].balance).toBe(400);
    const other = await createRight(plaza, 100, 10);
    expect(outcome(await exchange(user, other, 'same'))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(outcome(await exchange(user, 'no-such-right', 'k'))).toBe('RIGHT_NOT_FOUND');
    expect((await balancesAndLedgers(plaza, [user]))[0]).toEqual({ userId: user, balance: 400, ledger: 400 });
  });
});

describe('memberships', () => {
  it('joining is idempotent, private, and shows in the merchant program', async () => {
    await plaza.query(JOIN, { merchantId: 'm5' }, { user: 'u50' });
    await plaza.query(JOIN, { merchantId: 'm5' }, { user: 'u50' });
    const { body } = await plaza.query('{ me { memberships { merchant { id name membershipProgram { memberCount } } tier } } }', {}, { user: 'u50' });
    expect(body.errors).toBeUndefined();
    expect(body.data.me.memberships).toHaveLength(1);
    expect(body.data.me.memberships[0]).toMatchObject({ merchant: { id: 'm5', membershipProgram: { memberCount: 1 } }, tier: 'BRONZE' });
    expect(outcome((await plaza.query(JOIN, { merchantId: 'nope' }, { user: 'u50' })).body)).toBe('NOT_FOUND');
  });
});

describe('the in-store loop, end to end through the gateway', () => {
  it('claim, redeem at checkout, pay, and see the points go up', async () => {
    const offer = await createOffer(plaza, { value: 15 });
    const user = 'u60';
    const before = (await plaza.query('{ me { points { balance } } }', {}, { user })).body.data.me.points.balance;
    const claimed = (await plaza.query(CLAIM, { templateId: offer, key: 'loop' }, { user })).body.data.claimCoupon;
    const redeemed = (await plaza.query(REDEEM, { couponId: claimed.id, merchantId: 'm1', orderAmount: 120, paymentId: 'loop-pay' }, { user })).body
      .data.redeemCoupon;
    expect(redeemed).toMatchObject({ discount: 15, amountToPay: 105 });
    const paid = (await pay(user, 'loop-pay', redeemed.amountToPay, 'm1', claimed.id)).data.completePayment;
    expect(paid).toMatchObject({ pointsEarned: 105, points: { balance: before + 105 }, merchant: { id: 'm1' } });
    const after = (await plaza.query('{ me { points { balance transactions(first: 1) { amount reason reference } } } }', {}, { user })).body.data.me.points;
    expect(after.balance).toBe(before + 105);
    expect(after.transactions[0]).toEqual({ amount: 105, reason: 'PAYMENT', reference: 'payment:loop-pay' });
  });
});

describe('invariants under a random mix of concurrent operations', () => {
  it('after 1,000 concurrent claims, redemptions, payments and exchanges every balance equals its ledger and no stock is negative', async () => {
    const users = Array.from({ length: 25 }, (_, i) => `mix-user-${i}`);
    const offer = await createOffer(plaza, { totalStock: 300, perUserLimit: 20 });
    const rights = [await createRight(plaza, 40, 60), await createRight(plaza, 90, 30)];
    await Promise.all(users.map((u) => pay(u, `mix-fund-${u}`, 200)));
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const operations = Array.from({ length: 1000 }, (_, i) => {
      const user = users[random(users.length)];
      switch (random(4)) {
        case 0:
          return () => plaza.query(CLAIM, { templateId: offer, key: `mix-claim-${random(60)}` }, { user });
        case 1:
          return async () => {
            const mine = (await plaza.query('{ me { coupons(status: CLAIMED) { id } } }', {}, { user })).body.data?.me?.coupons ?? [];
            if (!mine.length) return null;
            return plaza.query(REDEEM, { couponId: mine[0].id, merchantId: 'm1', orderAmount: 50 + random(100), paymentId: `mix-redeem-${i}` }, { user });
          };
        case 2:
          return () => pay(user, `mix-pay-${random(400)}`, 1 + random(80));
        default:
          return () => exchange(user, rights[random(2)], `mix-x-${random(50)}`);
      }
    });
    // 1,000 operations, 100 in flight at any moment
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (next < operations.length) {
          await operations[next++]();
          done++;
        }
      }),
    );
    expect(done).toBe(1000);
    for (const row of await balancesAndLedgers(plaza, users)) {
      expect(row.balance).toBe(row.ledger);
      expect(row.balance).toBeGreaterThanOrEqual(0);
    }
    const coupons = await couponsOf(plaza, offer);
    expect(await remainingStock(plaza, offer)).toBe(300 - coupons.length);
    for (const right of rights) expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBeGreaterThanOrEqual(0);
  }, HEAVY);
});
