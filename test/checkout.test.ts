import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coupon, Order } from '../subgraphs/coupons/entities.ts';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../platform/internal-token.ts';
import { PointsAccount, PointsTransaction } from '../subgraphs/membership/entities.ts';
import {
  APPLY,
  CLAIM,
  couponsDb,
  createOffer,
  createRight,
  deliver,
  EXCHANGE,
  membershipDb,
  notification,
  OPEN_ORDER,
  orderToPay,
  outcome,
  paidOrder,
  PAY_ORDER,
  tally,
} from './support/flows.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

/** Concurrency tests do real work (hundreds of transactions); on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

let keys = 0;
async function claimFrom(user: string, overrides: Parameters<typeof createOffer>[1] = {}): Promise<string> {
  const offer = await createOffer(plaza, overrides);
  const { body } = await plaza.query(CLAIM, { templateId: offer, key: `checkout-claim-${++keys}` }, { user });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.claimCoupon.id;
}
async function open(user: string, amount: number, merchantId = 'm1') {
  return (await plaza.query(OPEN_ORDER, { merchantId, amount, key: `checkout-open-${++keys}` }, { user })).body;
}
async function apply(user: string, orderId: string, couponId: string) {
  return (await plaza.query(APPLY, { orderId, couponId }, { user })).body;
}
async function balance(userId: string): Promise<number> {
  return (await membershipDb(plaza).findOne(PointsAccount, { userId }))?.balance ?? 0;
}
async function ledger(userId: string): Promise<PointsTransaction[]> {
  return membershipDb(plaza).find(PointsTransaction, { userId }, { orderBy: { id: 'asc' } });
}
async function orderRow(id: string) {
  return couponsDb(plaza).findOneOrFail(Order, { id });
}
async function couponRow(id: string) {
  return couponsDb(plaza).findOneOrFail(Coupon, { id });
}
/** Everything a payment could have written for this user: points, ledger, their coupons and orders. */
async function footprint(userId: string) {
  const coupons = couponsDb(plaza);
  return {
    account: await membershipDb(plaza).findOne(PointsAccount, { userId }),
    ledger: (await ledger(userId)).length,
    coupons: (await coupons.find(Coupon, { ownerId: userId }, { orderBy: { id: 'asc' } })).map((c) => [c.id, c.status, c.orderId]),
    orders: (await coupons.find(Order, { ownerId: userId }, { orderBy: { id: 'asc' } })).map((o) => [o.id, o.status, o.amountPaid, o.discount]),
  };
}

describe('the attacks that handed out money are refused, and write nothing', () => {
  it('a client can no longer assert a payment: completePayment and redeemCoupon are not in the graph', async () => {
    const before = await footprint('u1');
    const pay = await plaza.query('mutation { completePayment(paymentId:"fake-pay-1", merchantId:"m1", amount:10000000) { points { balance tier } } }', {}, { user: 'u1' });
    expect(pay.status).toBe(400);
    expect(outcome(pay.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    const redeem = await plaza.query('mutation { redeemCoupon(couponId:"c_seed_1", merchantId:"m1", orderAmount:100, paymentId:"pay-S") { discount } }', {}, { user: 'u1' });
    expect(outcome(redeem.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    // nor can it reach the membership service's internal credit, which the public graph does not have
    const credit = await plaza.query('mutation { creditOrderPoints(orderId:"o_x", userId:"u1", merchantId:"m1", amountPaid:1000000000) }', {}, { user: 'u1' });
    expect(outcome(credit.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await footprint('u1')).toEqual(before);
  });

  it('the membership service credits points only at the coupons service’s request', async () => {
    const before = await footprint('u2');
    const credit = 'mutation { creditOrderPoints(orderId:"o_forged", userId:"u2", merchantId:"m1", amountPaid:100000) }';
    // even holding a token the gateway signed for a user (the gateway never names a service)
    const token = await signInternalToken({ userId: 'u2', scopes: ['platform:review'] }, TEST_INTERNAL_SECRET);
    const direct = await postJson(plaza.subgraphs.membership.url, { query: credit }, { [INTERNAL_TOKEN_HEADER]: token });
    expect(outcome(direct.body)).toBe('FORBIDDEN');
    expect(await footprint('u2')).toEqual(before);
  });

  it('a payment of another amount than the order’s, a forged signature, or a notification for a made-up order credit nothing', async () => {
    const user = 'u3';
    const coupon = await claimFrom(user, { value: 10 });
    const order = await orderToPay(plaza, user, 10_000, [coupon]);
    expect(order.amountToPay).toBe(9_000);
    const before = await footprint(user);
    const cases: [string, { payload: string; signature: string }][] = [
      ['PAYMENT_AMOUNT_MISMATCH', notification({ orderId: order.orderId, amount: 1_000_000_000 })],
      ['PAYMENT_AMOUNT_MISMATCH', notification({ orderId: order.orderId, amount: 10_000 })],
      ['PAYMENT_SIGNATURE_INVALID', notification({ orderId: order.orderId, amount: 9_000 }, 'a-key-the-provider-never-had-0123456789')],
      ['PAYMENT_SIGNATURE_INVALID', { ...notification({ orderId: order.orderId, amount: 9_000 }), signature: 'not-hex' }],
      ['ORDER_NOT_FOUND', notification({ orderId: 'o_made_up', amount: 9_000 })],
    ];
    // a genuine notification whose text was altered after signing
    const genuine = notification({ orderId: order.orderId, amount: 9_000 });
    cases.push(['PAYMENT_SIGNATURE_INVALID', { payload: genuine.payload.replace('9000', '90000'), signature: genuine.signature }]);
    for (const [code, signed] of cases) expect(outcome(await deliver(plaza, signed))).toBe(code);
    expect(await footprint(user)).toEqual(before);
    expect((await orderRow(order.orderId)).status).toBe('PAYING');
  });

  it('three coupons on one order: by default one coupon per order, and stacked ones never discount the full order twice', async () => {
    const user = 'u4';
    const single = [await claimFrom(user, { value: 10 }), await claimFrom(user, { value: 20 })];
    const order = (await open(user, 10_000)).data.openOrder.id;
    expect((await apply(user, order, single[0])).data.applyCoupon).toMatchObject({ discount: 1_000, amountToPay: 9_000 });
    expect(outcome(await apply(user, order, single[1]))).toBe('COUPON_NOT_STACKABLE');
    expect((await couponRow(single[1])).orderId).toBeNull();

    const stackable = [
      await claimFrom(user, { value: 10, stackable: true }),
      await claimFrom(user, { kind: 'PERCENT_OFF', value: 50, stackable: true }),
      await claimFrom(user, { value: 10, stackable: true }),
    ];
    const stacked = (await open(user, 10_000)).data.openOrder.id;
    for (const coupon of stackable) expect(outcome(await apply(user, stacked, coupon))).toBe('OK');
    // 100 - 10 = 90; 50% of 90 = 45; 45 - 10 = 35 yuan to pay
    const { body } = await plaza.query('query($id: ID!) { order(id: $id) { discount amountToPay coupons { id } } }', { id: stacked }, { user });
    expect(body.data.order).toEqual({ discount: 6_500, amountToPay: 3_500, coupons: stackable.map((id) => ({ id })) });
  });

  it('a coupon is held by one order at a time, also under 50 concurrent attempts', async () => {
    const user = 'u5';
    const coupon = await claimFrom(user);
    const orders = await Promise.all(Array.from({ length: 50 }, async () => (await open(user, 5_000)).data.openOrder.id as string));
    const answers = await Promise.all(orders.map((order) => apply(user, order, coupon)));
    expect(tally(answers.map(outcome))).toEqual({ OK: 1, COUPON_IN_USE: 49 });
    const holder = orders[answers.findIndex((a) => !a.errors)];
    expect((await couponRow(coupon)).orderId).toBe(holder);
    const discounted = await couponsDb(plaza).find(Order, { id: { $in: orders }, discount: { $gt: 0 } });
    expect(discounted.map((o) => o.id)).toEqual([holder]);
  }, HEAVY);

  it("another user's order or coupon answers exactly like an unknown one", async () => {
    const owner = 'u6';
    const coupon = await claimFrom(owner);
    const order = (await open(owner, 5_000)).data.openOrder.id;
    const thief = 'u7';
    const theirOrder = (await open(thief, 5_000)).data.openOrder.id;
    const before = await footprint(owner);
    const unknownOrder = await apply(thief, 'o_00000000000000000000', coupon);
    const foreignOrder = await apply(thief, order, coupon);
    expect(outcome(foreignOrder)).toBe(outcome(unknownOrder));
    expect(outcome(foreignOrder)).toBe('ORDER_NOT_FOUND');
    expect(foreignOrder.errors![0].message.replace(order, 'ID')).toBe(unknownOrder.errors![0].message.replace('o_00000000000000000000', 'ID'));
    expect(outcome(await apply(thief, theirOrder, coupon))).toBe('COUPON_NOT_FOUND');
    expect(outcome((await plaza.query(PAY_ORDER, { orderId: order }, { user: thief })).body)).toBe('ORDER_NOT_FOUND');
    const read = await plaza.query('query($id: ID!) { order(id: $id) { id amount } }', { id: order }, { user: thief });
    expect(read.body).toEqual({ data: { order: null } });
    expect(await footprint(owner)).toEqual(before);
  });

  it('bad orders get their codes and write nothing', async () => {
    const user = 'u8';
    const before = await footprint(user);
    for (const [amount, code] of [[0, 'BAD_USER_INPUT'], [-100, 'BAD_USER_INPUT'], [1_000_000_001, 'BAD_USER_INPUT']] as const) {
      expect(outcome(await open(user, amount))).toBe(code);
    }
    expect(outcome(await open(user, 100, 'm_no_such_merchant'))).toBe('MERCHANT_NOT_FOUND');
    const anonymous = await plaza.query(OPEN_ORDER, { merchantId: 'm1', amount: 100, key: 'anon' });
    expect(outcome(anonymous.body)).toBe('UNAUTHENTICATED');
    expect(await footprint(user)).toEqual(before);
  });
});

describe('checkout', () => {
  it("a coupon applies only at its merchant, within its offer's dates and above its minimum spend; refusals leave the order as it was", async () => {
    const user = 'u29';
    const order = (await open(user, 9_900)).data.openOrder.id;
    const elsewhere = await claimFrom(user, { merchantId: 'm2' });
    const above = await claimFrom(user, { kind: 'AMOUNT_OFF_ABOVE', value: 20, minSpend: 100 });
    const expired = await claimFrom(user);
    await couponsDb(plaza).nativeUpdate('CouponTemplate', { id: (await couponRow(expired)).templateId }, { endsAt: new Date(Date.now() - 1000) });
    const before = await footprint(user);
    expect(outcome(await apply(user, order, elsewhere))).toBe('COUPON_WRONG_MERCHANT');
    expect(outcome(await apply(user, order, above))).toBe('COUPON_MIN_SPEND_NOT_MET');
    expect(outcome(await apply(user, order, expired))).toBe('COUPON_EXPIRED');
    expect(outcome(await apply(user, order, 'c_no_such_coupon'))).toBe('COUPON_NOT_FOUND');
    expect(await footprint(user)).toEqual(before);
    const { body } = await plaza.query('{ me { coupons(status: EXPIRED) { id status } } }', {}, { user });
    expect(body.data.me.coupons).toEqual([{ id: expired, status: 'EXPIRED' }]);
    // a percentage is taken from the order and rounded down to the fen
    const percent = await claimFrom(user, { kind: 'PERCENT_OFF', value: 15 });
    expect((await apply(user, order, percent)).data.applyCoupon).toMatchObject({ discount: 1_485, amountToPay: 8_415 });
  });

  it('order, coupon, confirmed payment: the success page, points and repurchase offers come in one query', async () => {
    const user = 'u30';
    const start = await balance(user);
    const coupon = await claimFrom(user, { value: 15 });
    const order = await paidOrder(plaza, user, 12_050, [coupon]);
    expect(order.amountToPay).toBe(10_550);
    const { body } = await plaza.query(
      `query($id: ID!) {
        order(id: $id) { status amount discount amountPaid pointsEarned coupons { id status } merchant { id repurchaseOffers(first: 3) { id } } }
        me { points { balance transactions(first: 1) { amount reason reference } } }
      }`,
      { id: order.orderId },
      { user },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.order).toMatchObject({
      status: 'PAID',
      amount: 12_050,
      discount: 1_500,
      amountPaid: 10_550,
      // one point per whole yuan paid: 105.50 yuan
      pointsEarned: 105,
      coupons: [{ id: coupon, status: 'REDEEMED' }],
      merchant: { id: 'm1' },
    });
    expect(body.data.order.merchant.repurchaseOffers.length).toBeGreaterThan(0);
    expect(body.data.me.points.balance).toBe(start + 105);
    expect(body.data.me.points.transactions[0]).toEqual({ amount: 105, reason: 'PAYMENT', reference: `order:${order.orderId}` });
  });

  it('a notification delivered again, late or concurrently credits once; a second payment of a paid order is refused', async () => {
    const user = 'u31';
    const order = await orderToPay(plaza, user, 3_000);
    const start = await balance(user);
    const signed = notification({ orderId: order.orderId, amount: 3_000 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(plaza, signed)));
    expect(answers.map(outcome)).toEqual(Array(10).fill('OK'));
    expect(answers.filter((a) => a.data.notifyPayment.duplicate === false)).toHaveLength(1);
    const other = notification({ orderId: order.orderId, amount: 3_000, transactionId: 'tx-a-second-payment' });
    expect(outcome(await deliver(plaza, other))).toBe('ORDER_ALREADY_PAID');
    expect(await balance(user)).toBe(start + 30);
    expect((await ledger(user)).filter((t) => t.reference === `order:${order.orderId}`)).toHaveLength(1);
  });

  it('a payment for a cancelled order, or one made after the order expired, is refused and releases nothing twice', async () => {
    const user = 'u32';
    const coupon = await claimFrom(user);
    const cancelled = await orderToPay(plaza, user, 5_000, [coupon]);
    const cancel = (await plaza.query('mutation($id: ID!) { cancelOrder(orderId: $id) { status coupons { id } } }', { id: cancelled.orderId }, { user })).body;
    expect(cancel.data.cancelOrder).toEqual({ status: 'CANCELLED', coupons: [] });
    const before = await footprint(user);
    expect(outcome(await deliver(plaza, notification({ orderId: cancelled.orderId, amount: cancelled.amountToPay })))).toBe('ORDER_NOT_PAYABLE');
    expect(await footprint(user)).toEqual(before);

    // the released coupon goes on a new order, which then expires unpaid: a third order may take it
    const late = await orderToPay(plaza, user, 5_000, [coupon]);
    await couponsDb(plaza).nativeUpdate(Order, { id: late.orderId }, { expiresAt: new Date(Date.now() - 1000) });
    const third = (await open(user, 5_000)).data.openOrder.id;
    expect((await apply(user, third, coupon)).data.applyCoupon.discount).toBe(1_000);
    expect((await orderRow(late.orderId)).status).toBe('EXPIRED');
    const afterTakeover = await footprint(user);
    expect(outcome(await deliver(plaza, notification({ orderId: late.orderId, amount: late.amountToPay })))).toBe('ORDER_NOT_PAYABLE');
    expect(await footprint(user)).toEqual(afterTakeover);
  });

  it("an expired order's payment that happened in time is still credited when its notification arrives late", async () => {
    const user = 'u33';
    const order = await orderToPay(plaza, user, 2_000);
    // paid two seconds ago, a second before the order expired
    const paidAt = new Date(Date.now() - 2000).toISOString();
    await couponsDb(plaza).nativeUpdate(Order, { id: order.orderId }, { expiresAt: new Date(Date.now() - 1000) });
    const receipt = await deliver(plaza, notification({ orderId: order.orderId, amount: 2_000, occurredAt: paidAt }));
    expect(receipt.data.notifyPayment).toEqual({ orderId: order.orderId, status: 'PAID', duplicate: false });
    // a payment the provider says happened after the order expired is not
    const after = await orderToPay(plaza, user, 2_000);
    await couponsDb(plaza).nativeUpdate(Order, { id: after.orderId }, { expiresAt: new Date(Date.now() - 1000) });
    expect(outcome(await deliver(plaza, notification({ orderId: after.orderId, amount: 2_000 })))).toBe('ORDER_NOT_PAYABLE');
  });

  it('a refund takes the points back; one that arrives before its payment is refused until the payment is in', async () => {
    const user = 'u34';
    const start = await balance(user);
    const order = await orderToPay(plaza, user, 8_000);
    const refund = notification({ orderId: order.orderId, amount: 8_000, type: 'REFUND_SUCCEEDED', refundId: 'rf-1' });
    expect(outcome(await deliver(plaza, refund))).toBe('ORDER_NOT_PAID');
    expect(await balance(user)).toBe(start);
    await deliver(plaza, notification({ orderId: order.orderId, amount: 8_000 }));
    expect(await balance(user)).toBe(start + 80);
    const partial = notification({ orderId: order.orderId, amount: 4_000, type: 'REFUND_SUCCEEDED', refundId: 'rf-half' });
    expect(outcome(await deliver(plaza, partial))).toBe('PAYMENT_AMOUNT_MISMATCH');
    for (let i = 0; i < 3; i++) expect(outcome(await deliver(plaza, refund))).toBe('OK');
    expect((await orderRow(order.orderId)).status).toBe('REFUNDED');
    expect(await balance(user)).toBe(start);
    const entries = await ledger(user);
    expect(entries.filter((t) => t.reference === `refund:${order.orderId}`).map((t) => t.amount)).toEqual([-80]);
    expect(entries.reduce((sum, t) => sum + t.amount, 0)).toBe(await balance(user));
  });

  it('a refund of points already spent leaves the balance at zero and a debt that the next payment repays first', async () => {
    const user = 'refund-spender';
    const order = await paidOrder(plaza, user, 10_000);
    const right = await createRight(plaza, 80, 5);
    expect(outcome((await plaza.query(EXCHANGE, { rightId: right, key: 'spend-before-refund' }, { user })).body)).toBe('OK');
    expect(await balance(user)).toBe(20);
    await deliver(plaza, notification({ orderId: order.orderId, amount: 10_000, type: 'REFUND_SUCCEEDED', refundId: 'rf-spent' }));
    const account = await membershipDb(plaza).findOneOrFail(PointsAccount, { userId: user });
    expect(account).toMatchObject({ balance: 0, debt: 80 });
    await paidOrder(plaza, user, 5_000);
    expect(await membershipDb(plaza).findOneOrFail(PointsAccount, { userId: user })).toMatchObject({ balance: 0, debt: 30 });
    await paidOrder(plaza, user, 5_000);
    expect(await membershipDb(plaza).findOneOrFail(PointsAccount, { userId: user })).toMatchObject({ balance: 20, debt: 0 });
    expect((await ledger(user)).reduce((sum, t) => sum + t.amount, 0)).toBe(20);
  });

  it('the sandbox provider pays an order through the same signed notification', async () => {
    const user = 'u35';
    const start = await balance(user);
    const order = (await open(user, 4_200)).data.openOrder.id;
    const { body } = await plaza.query('mutation($id: ID!) { sandboxPay(orderId: $id) { status amountPaid pointsEarned } }', { id: order }, { user });
    expect(body.data.sandboxPay).toEqual({ status: 'PAID', amountPaid: 4_200, pointsEarned: 42 });
    expect(await balance(user)).toBe(start + 42);
  });
});

describe('with the sandbox off, as in production', () => {
  let production: Plaza;
  beforeAll(async () => {
    production = await startPlaza({}, {
      subgraph: (config) => (config.name === 'coupons' ? { ...config, paymentProvider: { ...config.paymentProvider!, sandbox: false } } : config),
    });
  });
  afterAll(() => production?.stop());

  it('sandboxPay is refused with SANDBOX_DISABLED and the order stays unpaid', async () => {
    const order = (await production.query(OPEN_ORDER, { merchantId: 'm1', amount: 1_000, key: 'sandbox-off' }, { user: 'u36' })).body.data.openOrder.id;
    const { body } = await production.query('mutation($id: ID!) { sandboxPay(orderId: $id) { status } }', { id: order }, { user: 'u36' });
    expect(outcome(body)).toBe('SANDBOX_DISABLED');
    expect((await production.subgraphs.coupons.database.orm.em.fork().findOneOrFail(Order, { id: order })).status).toBe('OPEN');
  });
});
