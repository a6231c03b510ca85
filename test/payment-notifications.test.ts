import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coupon, Order } from '../subgraphs/coupons/entities.ts';
import { PointsTransaction } from '../subgraphs/membership/entities.ts';
import { balancesAndLedgers, CLAIM, couponsDb, createOffer, deliver, membershipDb, notification, orderToPay, outcome, tally } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

/** Hundreds of orders and a thousand notifications: on a busy machine this needs time. */
const HEAVY = 300_000;

let plaza: Plaza;
beforeAll(async () => {
  // a hundred notifications in flight on a busy two-core machine (gateway and subgraphs share this
  // process) may each wait longer than production's fetch and peer-call timeouts; this test is
  // about crediting once, not about timeouts
  plaza = await startPlaza({ operations: { subgraphTimeoutMs: 120_000, breakerFailures: 1_000 } }, { subgraph: (config) => ({ ...config, peerTimeoutMs: 120_000 }) });
});
afterAll(() => plaza?.stop());

/** Runs `tasks` with at most `width` in flight; resolves with their results in order. */
async function inFlight<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

/** A deterministic shuffle (the failure of one run can be replayed). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('the payment provider notifying, as it does in production', () => {
  it('1,000 concurrent notifications for 200 orders, redelivered and shuffled, some forged, credit every valid order exactly once', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `notify-user-${i}`);
    const offer = await createOffer(plaza, { totalStock: 200, perUserLimit: 5, value: 5 });
    // 200 orders, 5 per user; every other order carries a coupon
    const orders = await inFlight(
      20,
      Array.from({ length: 200 }, (_, i) => async () => {
        const user = users[i % users.length];
        const coupons: string[] = [];
        if (i % 2 === 0) {
          const claimed = (await plaza.query(CLAIM, { templateId: offer, key: `notify-claim-${i}` }, { user })).body;
          coupons.push(claimed.data.claimCoupon.id);
        }
        return { user, coupons, ...(await orderToPay(plaza, user, 1_000 + i * 37, coupons)) };
      }),
    );
    // orders 0-179 are paid: each gets its genuine notification 1-5 times; orders 180-199 are
    // never paid: they get only forged ones (signed with another key, or altered after signing)
    const paid = orders.slice(0, 180);
    const unpaid = orders.slice(180);
    const deliveries: { payload: string; signature: string }[] = [];
    paid.forEach((order, i) => {
      const genuine = notification({ orderId: order.orderId, amount: order.amountToPay });
      for (let copy = 0; copy <= i % 5; copy++) deliveries.push(genuine);
    });
    while (deliveries.length < 1000) {
      const k = deliveries.length;
      const target = k % 3 === 0 ? paid[k % paid.length] : unpaid[k % unpaid.length];
      const forged =
        k % 2 === 0
          ? notification({ orderId: target.orderId, amount: target.amountToPay }, `not-the-provider-key-${k}-0123456789abcdef`)
          : (({ payload, signature }) => ({ payload: payload.replace(`"amount":${target.amountToPay}`, `"amount":${target.amountToPay + 100_000}`), signature }))(
              notification({ orderId: target.orderId, amount: target.amountToPay }),
            );
      deliveries.push(forged);
    }
    expect(deliveries).toHaveLength(1000);

    const answers = await inFlight(100, shuffled(deliveries, 7).map((signed) => () => deliver(plaza, signed)));
    const outcomes = tally(answers.map(outcome));
    expect(outcomes).toEqual({ OK: paid.reduce((n, _, i) => n + (i % 5) + 1, 0), PAYMENT_SIGNATURE_INVALID: 1000 - paid.reduce((n, _, i) => n + (i % 5) + 1, 0) });
    // exactly one delivery per paid order applied it; every other genuine one was a duplicate
    const applied = answers.filter((a) => a.data?.notifyPayment && !a.data.notifyPayment.duplicate).map((a) => a.data.notifyPayment.orderId);
    expect(applied.sort()).toEqual(paid.map((o) => o.orderId).sort());

    const coupons = couponsDb(plaza);
    const rows = new Map((await coupons.find(Order, { id: { $in: orders.map((o) => o.orderId) } })).map((o) => [o.id, o]));
    for (const order of paid) expect(rows.get(order.orderId)).toMatchObject({ status: 'PAID', amountPaid: order.amountToPay, pointsCredited: true });
    for (const order of unpaid) expect(rows.get(order.orderId)).toMatchObject({ status: 'PAYING', amountPaid: null, transactionId: null });

    // every paid order's coupon redeemed, by that order; no unpaid order's coupon redeemed
    const claimed = await coupons.find(Coupon, { templateId: offer });
    for (const order of orders) {
      const held = claimed.filter((c) => c.orderId === order.orderId);
      expect(held.map((c) => c.id)).toEqual(order.coupons);
      for (const c of held) expect(c.status).toBe(paid.includes(order) ? 'REDEEMED' : 'CLAIMED');
    }

    // one ledger entry per paid order, none for the others; balance = Σ ledger for every account
    const credits = await membershipDb(plaza).find(PointsTransaction, { reference: { $in: orders.map((o) => `order:${o.orderId}`) } });
    expect(credits.map((t) => t.reference).sort()).toEqual(paid.map((o) => `order:${o.orderId}`).sort());
    for (const credit of credits) {
      const order = paid.find((o) => `order:${o.orderId}` === credit.reference)!;
      expect(credit).toMatchObject({ userId: order.user, amount: Math.floor(order.amountToPay / 100) });
    }
    for (const row of await balancesAndLedgers(plaza, users)) expect(row.balance).toBe(row.ledger);
  }, HEAVY);
});
