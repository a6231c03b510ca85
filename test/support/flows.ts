/** Shared steps of the coupons, points and placement tests: set up data, run mutations, read the database. */
import { CouponTemplate, Coupon } from '../../subgraphs/coupons/entities.ts';
import { MemberRight, PointsAccount, PointsTransaction } from '../../subgraphs/membership/entities.ts';
import type { EntityManager } from '../../subgraphs/kit/orm.ts';
import { signNotification, type PaymentNotification } from '../../subgraphs/kit/payment-provider.ts';
import { TEST_PROVIDER_KEY, type Plaza } from './plaza.ts';

export function couponsDb(plaza: Plaza): EntityManager {
  return plaza.subgraphs.coupons.database.orm.em.fork() as unknown as EntityManager;
}

export function membershipDb(plaza: Plaza): EntityManager {
  return plaza.subgraphs.membership.database.orm.em.fork() as unknown as EntityManager;
}

let sequence = 0;
/** A fresh offer of merchant m1 with the given stock and limits. */
export async function createOffer(
  plaza: Plaza,
  overrides: Partial<{ totalStock: number; perUserLimit: number; channel: string; startsAt: Date; endsAt: Date; kind: string; value: number; minSpend: number; merchantId: string; stackable: boolean }> = {},
): Promise<string> {
  const id = `t-test-${process.pid}-${++sequence}`;
  const totalStock = overrides.totalStock ?? 50;
  await couponsDb(plaza).insert(CouponTemplate, {
    id,
    merchantId: 'm1',
    title: `Test offer ${id}`,
    kind: 'AMOUNT_OFF',
    value: 10,
    minSpend: 0,
    perUserLimit: 1,
    channel: 'PUBLIC',
    status: 'ACTIVE',
    startsAt: new Date(Date.now() - 86_400_000),
    endsAt: new Date(Date.now() + 86_400_000),
    ...overrides,
    totalStock,
    remainingStock: totalStock,
  });
  return id;
}

/** A fresh member right with the given cost and stock. */
export async function createRight(plaza: Plaza, cost: number, stock: number): Promise<string> {
  const id = `r-test-${process.pid}-${++sequence}`;
  await membershipDb(plaza).insert(MemberRight, { id, merchantId: null, title: `Test right ${id}`, cost, remainingStock: stock });
  return id;
}

export async function remainingStock(plaza: Plaza, templateId: string): Promise<number> {
  return (await couponsDb(plaza).findOneOrFail(CouponTemplate, { id: templateId })).remainingStock;
}

export async function couponsOf(plaza: Plaza, templateId: string): Promise<Coupon[]> {
  return couponsDb(plaza).find(Coupon, { templateId });
}

/** Every account's balance next to the sum of its ledger. */
export async function balancesAndLedgers(plaza: Plaza, userIds: string[]): Promise<{ userId: string; balance: number; ledger: number }[]> {
  const em = membershipDb(plaza);
  const accounts = await em.find(PointsAccount, { userId: { $in: userIds } });
  const entries = await em.find(PointsTransaction, { userId: { $in: userIds } });
  return accounts.map((a) => ({
    userId: a.userId,
    balance: a.balance,
    ledger: entries.filter((t) => t.userId === a.userId).reduce((sum, t) => sum + t.amount, 0),
  }));
}

export const CLAIM = `mutation Claim($templateId: ID!, $key: String!, $pass: String) {
  claimCoupon(templateId: $templateId, idempotencyKey: $key, membershipPass: $pass) { id code status template { id } }
}`;
export const OPEN_ORDER = `mutation Open($merchantId: ID!, $amount: Int!, $key: String!) {
  openOrder(merchantId: $merchantId, amount: $amount, idempotencyKey: $key) { id status amount discount amountToPay coupons { id } merchant { id } }
}`;
export const APPLY = `mutation Apply($orderId: ID!, $couponId: ID!) {
  applyCoupon(orderId: $orderId, couponId: $couponId) { id status amount discount amountToPay coupons { id } }
}`;
export const PAY_ORDER = `mutation PayOrder($orderId: ID!) { payOrder(orderId: $orderId) { amount sandbox order { id status } } }`;
export const NOTIFY = `mutation Notify($payload: String!, $signature: String!) {
  notifyPayment(payload: $payload, signature: $signature) { orderId status duplicate }
}`;

let notifications = 0;
/** A provider notification's text and its signature (with the test provider's key unless `key` is given). */
export function notification(
  fields: Partial<PaymentNotification> & { orderId: string; amount: number },
  key = TEST_PROVIDER_KEY,
): { payload: string; signature: string } {
  const payload = JSON.stringify({
    id: `ntf-${process.pid}-${++notifications}`,
    type: 'PAYMENT_SUCCEEDED',
    transactionId: `tx-${fields.orderId}`,
    occurredAt: new Date().toISOString(),
    ...fields,
  });
  return { payload, signature: signNotification(payload, key) };
}

/** Delivers a notification through the gateway, as the provider does (no user). */
export async function deliver(plaza: Plaza, signed: { payload: string; signature: string }) {
  return (await plaza.query(NOTIFY, signed)).body;
}

/**
 * Opens an order for `user`, applies `couponIds` and asks to pay it; returns the order as
 * payOrder froze it (PAYING, with Plaza's amountToPay).
 */
export async function orderToPay(plaza: Plaza, user: string, amount: number, couponIds: string[] = [], merchantId = 'm1') {
  const opened = (await plaza.query(OPEN_ORDER, { merchantId, amount, key: `order-${process.pid}-${++sequence}` }, { user })).body;
  if (opened.errors) throw new Error(`openOrder: ${JSON.stringify(opened.errors)}`);
  const orderId = opened.data.openOrder.id as string;
  for (const couponId of couponIds) {
    const applied = (await plaza.query(APPLY, { orderId, couponId }, { user })).body;
    if (applied.errors) throw new Error(`applyCoupon: ${JSON.stringify(applied.errors)}`);
  }
  const request = (await plaza.query(PAY_ORDER, { orderId }, { user })).body;
  if (request.errors) throw new Error(`payOrder: ${JSON.stringify(request.errors)}`);
  return { orderId, amountToPay: request.data.payOrder.amount as number };
}

/** A whole checkout: an order paid and confirmed by a genuine notification. */
export async function paidOrder(plaza: Plaza, user: string, amount: number, couponIds: string[] = [], merchantId = 'm1') {
  const order = await orderToPay(plaza, user, amount, couponIds, merchantId);
  const receipt = await deliver(plaza, notification({ orderId: order.orderId, amount: order.amountToPay }));
  if (receipt.errors) throw new Error(`notifyPayment: ${JSON.stringify(receipt.errors)}`);
  return order;
}

export const EXCHANGE = `mutation Exchange($rightId: ID!, $key: String!) {
  exchangePoints(rightId: $rightId, idempotencyKey: $key) { id pointsSpent voucherCode points { balance } right { id remainingStock } }
}`;
export const JOIN = `mutation Join($merchantId: ID!) { joinMembership(merchantId: $merchantId) { merchant { id } pass tier } }`;

/** The error code of a response, or 'OK' when it has none. */
export function outcome(body: { errors?: { extensions?: { code?: string } }[] }): string {
  return body.errors?.[0]?.extensions?.code ?? 'OK';
}

export function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

const DAY = 86_400_000;

/** A merchant's placement submission (SubmitPlacementInput) of its first seeded service, for a card in Xiamen, valid for a month. */
export function submission(merchantId: string, overrides: Record<string, unknown> = {}) {
  return {
    merchantId,
    serviceId: `s${merchantId.slice(1)}-1`,
    slot: 'CARD',
    title: 'Lunch set for two',
    subtitle: 'Weekdays 11-14',
    imageUrl: 'https://img.example.com/lunch.png',
    cities: ['Xiamen'],
    startsAt: new Date(Date.now() - DAY).toISOString(),
    endsAt: new Date(Date.now() + 30 * DAY).toISOString(),
    idempotencyKey: `submit-${process.pid}-${++sequence}`,
    ...overrides,
  };
}

/** A merchant submitting a placement, with every field of the placement the tests read. */
export const SUBMIT = `mutation Submit($input: SubmitPlacementInput!) {
  submitPlacement(input: $input) { id status priority slot reviewReason targeting { cities categories startsAt endsAt } merchant { id } service { id } }
}`;
/** A reviewer approving or rejecting a placement. */
export const REVIEW = `mutation Review($id: ID!, $decision: ReviewDecision!, $reason: String, $priority: Int) {
  reviewPlacement(id: $id, decision: $decision, reason: $reason, priority: $priority) { id status reviewReason priority }
}`;

/** Query options of someone placing for the merchant (u9 with the merchant's scope). */
export const asMerchant = (merchantId: string) => ({ user: 'u9', scopes: [`merchant:${merchantId}`] });
/** Query options of a platform reviewer. */
export const asReviewer = { user: 'u10', scopes: ['platform:review'] };

let grants = 0;
/** Test setup: gives `userId` points the way a posting would (account and ledger together), without a payment. */
export async function grantPoints(plaza: Plaza, userId: string, points: number): Promise<void> {
  await membershipDb(plaza).transactional(async (tx) => {
    const account = await tx.findOne(PointsAccount, { userId });
    if (account) {
      account.balance += points;
      account.lifetimePoints += points;
    } else {
      tx.create(PointsAccount, { userId, balance: points, lifetimePoints: points });
    }
    tx.create(PointsTransaction, { userId, amount: points, reason: 'TEST_GRANT', reference: `grant:${process.pid}:${++grants}`, merchantId: null, createdAt: new Date() } as PointsTransaction);
  });
}
