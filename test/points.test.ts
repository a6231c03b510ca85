import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Order } from '../subgraphs/coupons/entities.ts';
import { MemberRight, PointsTransaction } from '../subgraphs/membership/entities.ts';
import {
  balancesAndLedgers,
  CLAIM,
  couponsDb,
  createOffer,
  createRight,
  EXCHANGE,
  JOIN,
  membershipDb,
  outcome,
  APPLY,
  deliver,
  grantPoints,
  notification,
  OPEN_ORDER,
  orderToPay,
  paidOrder,
  PAY_ORDER,
  remainingStock,
  couponsOf,
  tally,
} from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

/** Concurrency tests do real work (hundreds of transactions); on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  // a thousand operations, a hundred in flight, on a busy two-core machine (gateway and subgraphs share this
  // process): a payment's points may wait longer than production's timeouts; these tests are about money, not timeouts
  plaza = await startPlaza({ operations: { subgraphTimeoutMs: 120_000, breakerFailures: 1_000 } }, { subgraph: (config) => ({ ...config, peerTimeoutMs: 120_000 }) });
});
afterAll(() => plaza?.stop());

const exchange = async (user: string, rightId: string, key: string) => (await plaza.query(EXCHANGE, { rightId, key }, { user })).body;
const ledgerRows = async (userId: string) => membershipDb(plaza).count(PointsTransaction, { userId });

describe('earning points', () => {
  it('a confirmed payment earns one point per whole yuan paid, once, however often the provider retries', async () => {
    const user = 'new-payer-1';
    const order = await orderToPay(plaza, user, 25_099);
    const signed = notification({ orderId: order.orderId, amount: order.amountToPay });
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(plaza, signed)));
    expect(answers.map(outcome).every((o) => o === 'OK')).toBe(true);
    const [account] = await balancesAndLedgers(plaza, [user]);
    expect(account).toEqual({ userId: user, balance: 250, ledger: 250 });
    expect(await ledgerRows(user)).toBe(1);
  });
});

describe('spending points', () => {
  it("a right's stock never goes below zero", async () => {
    const right = await createRight(plaza, 10, 5);
    const users = Array.from({ length: 20 }, (_, i) => `stock-user-${i}`);
    await Promise.all(users.map((u) => grantPoints(plaza, u, 100)));
    const answers = await Promise.all(users.map((u) => exchange(u, right, 'one')));
    expect(tally(answers.map(outcome))).toEqual({ OK: 5, RIGHT_OUT_OF_STOCK: 15 });
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(0);
    for (const row of await balancesAndLedgers(plaza, users)) expect(row.balance).toBe(row.ledger);
  }, HEAVY);

  it('retrying an exchange with the same key spends once; a key reused for another right is refused', async () => {
    const user = 'new-spender-2';
    await grantPoints(plaza, user, 500);
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
  it('claim, apply at checkout, pay, and see the points go up', async () => {
    const offer = await createOffer(plaza, { value: 15 });
    const user = 'u60';
    const before = (await plaza.query('{ me { points { balance } } }', {}, { user })).body.data.me.points.balance;
    const claimed = (await plaza.query(CLAIM, { templateId: offer, key: 'loop' }, { user })).body.data.claimCoupon;
    const order = await paidOrder(plaza, user, 12_000, [claimed.id]);
    expect(order.amountToPay).toBe(10_500);
    const after = (await plaza.query('{ me { points { balance transactions(first: 1) { amount reason reference } } } }', {}, { user })).body.data.me.points;
    expect(after.balance).toBe(before + 105);
    expect(after.transactions[0]).toEqual({ amount: 105, reason: 'PAYMENT', reference: `order:${order.orderId}` });
  });
});

describe('invariants under a random mix of concurrent operations', () => {
  it('after 1,000 concurrent claims, checkouts, forged notifications and exchanges every balance equals its ledger and no stock is negative', async () => {
    const users = Array.from({ length: 25 }, (_, i) => `mix-user-${i}`);
    const offer = await createOffer(plaza, { totalStock: 300, perUserLimit: 20 });
    const rights = [await createRight(plaza, 40, 60), await createRight(plaza, 90, 30)];
    await Promise.all(users.map((u) => grantPoints(plaza, u, 200)));
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
        case 1: {
          const amount = 5_000 + random(10_000);
          return async () => {
            const mine = (await plaza.query('{ me { coupons(status: CLAIMED) { id } } }', {}, { user })).body.data?.me?.coupons ?? [];
            const order = (await plaza.query(OPEN_ORDER, { merchantId: 'm1', amount, key: `mix-order-${i}` }, { user })).body.data.openOrder.id;
            // another operation may be holding or spending the coupon: a refusal is an answer too
            if (mine.length) await plaza.query(APPLY, { orderId: order, couponId: mine[0].id }, { user });
            const request = (await plaza.query(PAY_ORDER, { orderId: order }, { user })).body.data.payOrder;
            return deliver(plaza, notification({ orderId: order, amount: request.amount }));
          };
        }
        case 2: {
          // a provider redelivering some earlier order's notification, or a forged one
          const target = random(2);
          return async () => {
            const { body } = await plaza.query('{ me { id } }', {}, { user });
            return deliver(plaza, notification({ orderId: `o_mix_${body.data.me.id}_${target}`, amount: 100 }, 'a-forger-key-0123456789abcdefghij'));
          };
        }
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
    // a coupon is redeemed only by a paid order, and no order holds more than it priced
    const redeemed = coupons.filter((c) => c.status === 'REDEEMED');
    const orders = await couponsDb(plaza).find(Order, { id: { $in: [...new Set(coupons.flatMap((c) => (c.orderId ? [c.orderId] : [])))] } });
    for (const c of redeemed) expect(orders.find((o) => o.id === c.orderId)?.status).toBe('PAID');
    for (const order of orders) expect(coupons.filter((c) => c.orderId === order.id).length).toBeLessThanOrEqual(order.couponCount);
    for (const right of rights) expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBeGreaterThanOrEqual(0);
  }, HEAVY);
});
