/**
 * Subgraph subscriptions, as the gateway uses them: graphql-ws's own client straight against
 * the subgraphs (graphql-transport-ws on the GraphQL path), a gateway token in
 * `connection_init`, each subscription's viewer in `extensions.plaza.token`; the mutations
 * that cause the events sent to the subgraphs over HTTP with internal tokens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_TOKEN_HEADER, signInternalToken, type Viewer } from '../platform/internal-token.ts';
import type { SubgraphConfig, SubgraphName } from '../platform/config.ts';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.ts';
import { definitionOf } from '../subgraphs/registry.ts';
import { dropTestDatabases } from './support/databases.ts';
import { postJson, subgraphTestConfig, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';
import { createOffer, createRight, grantPoints, notification, submission, SUBMIT } from './support/flows.ts';
import { reachable, REDIS } from './support/services.ts';

const NAMES: SubgraphName[] = ['merchants', 'coupons', 'membership', 'placements'];
const GATEWAY: Viewer = { scopes: [], clientName: 'gateway' };
const user = (userId: string, scopes: string[] = []): Viewer => ({ userId, scopes });
const ANONYMOUS: Viewer = { scopes: [] };

type Result = FormattedExecutionResult<Record<string, any>, unknown>;

/** One subscription's results, as promises: each `next()` is settled by the event it waits for. */
interface Listening {
  next(): Promise<Result>;
  /** The next result with when it arrived (performance.now()). */
  timedNext(): Promise<{ result: Result; at: number }>;
  /** Settles when the subscription ends: with the error (GraphQL errors, or the socket's close event) or 'complete'. */
  ended: Promise<unknown>;
  dispose(): void;
}

/** `viewer`: whose internal token the subscription carries (a string: that very token; null: none). */
function listen(client: Client, viewer: Viewer | string | null, query: string, variables: Record<string, unknown> = {}): Listening {
  const results: { result: Result; at: number }[] = [];
  const waiting: ((timed: { result: Result; at: number }) => void)[] = [];
  let end!: (outcome: unknown) => void;
  const ended = new Promise<unknown>((resolve) => (end = resolve));
  let dispose: () => void = () => {};
  const started = (async () => {
    const token = typeof viewer === 'string' ? viewer : viewer && (await signInternalToken(viewer, TEST_INTERNAL_SECRET));
    const extensions = token ? { plaza: { token } } : {};
    dispose = client.subscribe<Record<string, any>>(
      { query, variables, extensions },
      {
        next: (result) => {
          const timed = { result, at: performance.now() };
          if (waiting.length) waiting.shift()!(timed);
          else results.push(timed);
        },
        error: (error) => end(error),
        complete: () => end('complete'),
      },
    );
  })();
  const timedNext = () => (results.length ? Promise.resolve(results.shift()!) : new Promise<{ result: Result; at: number }>((resolve) => waiting.push(resolve)));
  return {
    timedNext,
    next: async () => (await timedNext()).result,
    ended,
    dispose: () => void started.then(() => dispose()),
  };
}

/** A graphql-ws client of the subgraph, proving itself with `token` (the gateway's, unless a test says otherwise). */
function clientOf(subgraph: RunningSubgraph, connectionParams: () => Promise<Record<string, unknown>> = async () => ({ token: await signInternalToken(GATEWAY, TEST_INTERNAL_SECRET) })): Client {
  return createClient({ url: subgraph.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/**
 * Waits until `subgraph` serves exactly `count` subscriptions (each one's broker topic
 * subscribed), looking at its count every 20 ms (a poll of the condition, as vitest's expect.poll).
 */
async function serving(subgraph: RunningSubgraph, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (subgraph.subscriptions() !== count) {
    if (Date.now() > deadline) throw new Error(`${subgraph.name} serves ${subgraph.subscriptions()} subscriptions, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs an operation on a subgraph over HTTP as `viewer`, the way the gateway does; fails the test on errors. */
async function run(subgraph: RunningSubgraph, viewer: Viewer, query: string, variables: Record<string, unknown> = {}) {
  const { body } = await postJson(subgraph.url, { query, variables }, { [INTERNAL_TOKEN_HEADER]: await signInternalToken(viewer, TEST_INTERNAL_SECRET) });
  if (body.errors) throw new Error(`${subgraph.name}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The codes of a subscription that ended with GraphQL errors (an `error` message, or a result of errors and then `complete`). */
async function refusal(listening: Listening): Promise<string[]> {
  const outcome = await Promise.race([listening.ended, listening.next()]);
  const errors = Array.isArray(outcome) ? outcome : (outcome as Result).errors;
  return (errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? 'none');
}

let sequence = 0;
const key = (what: string) => `${what}-${process.pid}-${++sequence}`;

/** A whole checkout paid through the sandbox: returns the order id. */
async function sandboxCheckout(subgraphs: Record<string, RunningSubgraph>, userId: string, amount: number): Promise<string> {
  const viewer = user(userId);
  const { openOrder } = await run(subgraphs.coupons, viewer, 'mutation($k: String!, $a: Int!) { openOrder(merchantId: "m1", amount: $a, idempotencyKey: $k) { id } }', { k: key('order'), a: amount });
  await run(subgraphs.coupons, viewer, 'mutation($id: ID!) { sandboxPay(orderId: $id) { id status } }', { id: openOrder.id });
  return openOrder.id;
}

/** A user's points as the membership subgraph reads them (an entity fetch, as the gateway makes). */
async function pointsOf(membership: RunningSubgraph, userId: string): Promise<{ balance: number; tier: string }> {
  const data = await run(membership, user(userId), 'query($u: [_Any!]!) { _entities(representations: $u) { ... on User { points { balance tier } } } }', {
    u: [{ __typename: 'User', id: userId }],
  });
  return data._entities[0].points;
}

const POINTS_CHANGED = 'subscription { pointsChanged { user { id } balance tier committedAt transaction { id amount reason reference } } }';
const PAYMENT_CONFIRMED = 'subscription($orderId: ID) { paymentConfirmed(orderId: $orderId) { id status amountPaid } }';
const OFFER_STOCK = 'subscription($offerId: ID!) { offerStockChanged(offerId: $offerId) { offer { id } remainingStock committedAt } }';
const PLACEMENT_REVIEWED = 'subscription($merchantId: ID!) { placementReviewed(merchantId: $merchantId) { id status reviewReason } }';
const CLAIM = 'mutation($t: ID!, $k: String!) { claimCoupon(templateId: $t, idempotencyKey: $k) { id } }';
const REVIEW = 'mutation($id: ID!) { reviewPlacement(id: $id, decision: APPROVE) { id status } }';

describe('subgraph subscriptions', () => {
  let dataDir: string;
  const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
  const clients: Client[] = [];
  const client = (name: SubgraphName) => {
    const made = clientOf(subgraphs[name]);
    clients.push(made);
    return made;
  };
  const configOf = (name: SubgraphName, peers: SubgraphConfig['peers']) => ({ ...subgraphTestConfig(name, dataDir), peers });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-subscriptions-'));
    const peers: SubgraphConfig['peers'] = {};
    for (const name of NAMES) subgraphs[name] = await startSubgraph(await definitionOf(name), configOf(name, peers));
    for (const name of NAMES) peers[name] = subgraphs[name].url;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    for (const name of NAMES) await subgraphs[name]?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropTestDatabases(dataDir);
  });

  it("a payment's points reach its payer's pointsChanged, and no one else's", async () => {
    const membership = client('membership');
    const payer = listen(membership, user('u1'), POINTS_CHANGED);
    const other = listen(membership, user('u2'), POINTS_CHANGED);
    await serving(subgraphs.membership, 2);
    const orderId = await sandboxCheckout(subgraphs, 'u1', 12_345);
    const event = (await payer.next()).data!.pointsChanged;
    expect(event.user).toEqual({ id: 'u1' });
    expect(event.transaction).toMatchObject({ amount: 123, reason: 'PAYMENT', reference: `order:${orderId}` });
    expect(event.committedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const account = await pointsOf(subgraphs.membership, 'u1');
    expect(event.balance).toBe(account.balance);
    expect(event.tier).toBe(account.tier);
    // u2's first event is u2's own payment: u1's never reached it
    const theirs = await sandboxCheckout(subgraphs, 'u2', 500);
    const forOther = (await other.next()).data!.pointsChanged;
    expect(forOther.user).toEqual({ id: 'u2' });
    expect(forOther.transaction.reference).toBe(`order:${theirs}`);
    payer.dispose();
    other.dispose();
    await serving(subgraphs.membership, 0);
  });

  it("the provider's notifications: a confirmed payment reaches paymentConfirmed, its credit and its refund pointsChanged", async () => {
    const coupons = client('coupons');
    const membership = client('membership');
    const payer = user('u7');
    const paid = listen(coupons, payer, PAYMENT_CONFIRMED);
    const points = listen(membership, payer, POINTS_CHANGED);
    await serving(subgraphs.coupons, 1);
    await serving(subgraphs.membership, 1);
    const { openOrder } = await run(subgraphs.coupons, payer, 'mutation($k: String!) { openOrder(merchantId: "m1", amount: 40000, idempotencyKey: $k) { id } }', { k: key('order') });
    await run(subgraphs.coupons, payer, 'mutation($id: ID!) { payOrder(orderId: $id) { amount } }', { id: openOrder.id });
    const NOTIFY = 'mutation($payload: String!, $signature: String!) { notifyPayment(payload: $payload, signature: $signature) { status duplicate } }';
    const payment = notification({ orderId: openOrder.id, amount: 40000 });
    // the provider calls as nobody; a redelivery changes nothing and tells nobody again
    expect((await run(subgraphs.coupons, ANONYMOUS, NOTIFY, payment)).notifyPayment).toEqual({ status: 'PAID', duplicate: false });
    expect((await run(subgraphs.coupons, ANONYMOUS, NOTIFY, payment)).notifyPayment).toEqual({ status: 'PAID', duplicate: true });
    expect((await paid.next()).data!.paymentConfirmed).toEqual({ id: openOrder.id, status: 'PAID', amountPaid: 40000 });
    const credit = (await points.next()).data!.pointsChanged;
    expect(credit.transaction).toMatchObject({ amount: 400, reason: 'PAYMENT', reference: `order:${openOrder.id}` });
    const refund = notification({ orderId: openOrder.id, amount: 40000, type: 'REFUND_SUCCEEDED', refundId: key('refund') });
    expect((await run(subgraphs.coupons, ANONYMOUS, NOTIFY, refund)).notifyPayment).toEqual({ status: 'REFUNDED', duplicate: false });
    const reversal = (await points.next()).data!.pointsChanged;
    expect(reversal.transaction).toMatchObject({ amount: -400, reason: 'REFUND', reference: `refund:${openOrder.id}` });
    expect(reversal.balance).toBe(credit.balance - 400);
    paid.dispose();
    points.dispose();
    await serving(subgraphs.coupons, 0);
    await serving(subgraphs.membership, 0);
  });

  it('spending points on an exchange reaches pointsChanged; a refused exchange tells nothing', async () => {
    const membership = client('membership');
    const spender = user('u11');
    const asPlaza = { subgraphs } as unknown as Plaza;
    await grantPoints(asPlaza, 'u11', 100);
    const cheap = await createRight(asPlaza, 30, 5);
    const dear = await createRight(asPlaza, 1000, 5);
    const before = await pointsOf(subgraphs.membership, 'u11');
    const points = listen(membership, spender, POINTS_CHANGED);
    await serving(subgraphs.membership, 1);
    const EXCHANGE = 'mutation($r: ID!, $k: String!) { exchangePoints(rightId: $r, idempotencyKey: $k) { id } }';
    const { body } = await postJson(subgraphs.membership.url, { query: EXCHANGE, variables: { r: dear, k: key('exchange') } }, { [INTERNAL_TOKEN_HEADER]: await signInternalToken(spender, TEST_INTERNAL_SECRET) });
    expect(body.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    const { exchangePoints } = await run(subgraphs.membership, spender, EXCHANGE, { r: cheap, k: key('exchange') });
    // the first event is the exchange that went through: the refused one, rolled back, published nothing
    const event = (await points.next()).data!.pointsChanged;
    expect(event).toMatchObject({ user: { id: 'u11' }, balance: before.balance - 30, transaction: { amount: -30, reason: 'EXCHANGE', reference: `exchange:${exchangePoints.id}` } });
    points.dispose();
    await serving(subgraphs.membership, 0);
  });

  it('paymentConfirmed tells the payer of each order paid, and only of the order asked for', async () => {
    const coupons = client('coupons');
    const all = listen(coupons, user('u3'), PAYMENT_CONFIRMED);
    const viewer = user('u3');
    const { openOrder: later } = await run(subgraphs.coupons, viewer, 'mutation($k: String!) { openOrder(merchantId: "m1", amount: 2000, idempotencyKey: $k) { id } }', { k: key('order') });
    const one = listen(coupons, viewer, PAYMENT_CONFIRMED, { orderId: later.id });
    const stranger = listen(coupons, user('u4'), PAYMENT_CONFIRMED);
    await serving(subgraphs.coupons, 3);
    const first = await sandboxCheckout(subgraphs, 'u3', 1000);
    expect((await all.next()).data!.paymentConfirmed).toEqual({ id: first, status: 'PAID', amountPaid: 1000 });
    await run(subgraphs.coupons, viewer, 'mutation($id: ID!) { sandboxPay(orderId: $id) { id } }', { id: later.id });
    expect((await all.next()).data!.paymentConfirmed.id).toBe(later.id);
    // the filtered subscription's first event is the order it named, not the one paid before it
    expect((await one.next()).data!.paymentConfirmed).toEqual({ id: later.id, status: 'PAID', amountPaid: 2000 });
    const own = await sandboxCheckout(subgraphs, 'u4', 700);
    expect((await stranger.next()).data!.paymentConfirmed.id).toBe(own);
    for (const l of [all, one, stranger]) l.dispose();
    await serving(subgraphs.coupons, 0);
  });

  it("an offer's stock is sent at most once a second, and its last value always arrives", async () => {
    const coupons = client('coupons');
    const offerId = await createOffer({ subgraphs } as unknown as Plaza, { totalStock: 20, perUserLimit: 1 });
    const stock = listen(coupons, ANONYMOUS, OFFER_STOCK, { offerId });
    await serving(subgraphs.coupons, 1);
    const claims = 6;
    const started = performance.now();
    for (let i = 0; i < claims; i++) await run(subgraphs.coupons, user(`u${20 + i}`), CLAIM, { t: offerId, k: key('claim') });
    const claiming = performance.now() - started;
    const received: { at: number; remainingStock: number; committedAt: string }[] = [];
    for (;;) {
      const { result, at } = await stock.timedNext();
      const event = result.data!.offerStockChanged;
      expect(event.offer).toEqual({ id: offerId });
      received.push({ at, ...event });
      if (event.remainingStock === 20 - claims) break;
    }
    // six claims, but one event a second at most: the first at once, the rest summed up in the next ones
    expect(received.length).toBeLessThanOrEqual(2 + Math.floor(claiming / 1000));
    expect(received.length).toBeLessThan(claims);
    // handed on a second apart (each is read from the database before it is sent: a little jitter)
    for (let i = 1; i < received.length; i++) expect(received[i].at - received[i - 1].at).toBeGreaterThanOrEqual(900);
    expect(received.at(-1)!.remainingStock).toBe(20 - claims);
    stock.dispose();
    await serving(subgraphs.coupons, 0);
  });

  it('placementReviewed tells the merchant of its placements reviewed, and no other merchant', async () => {
    const placements = client('placements');
    const m1 = listen(placements, user('u9', ['merchant:m1']), PLACEMENT_REVIEWED, { merchantId: 'm1' });
    const m2 = listen(placements, user('u8', ['merchant:m2']), PLACEMENT_REVIEWED, { merchantId: 'm2' });
    await serving(subgraphs.placements, 2);
    const reviewer = user('u10', ['platform:review']);
    const { submitPlacement: ofM1 } = await run(subgraphs.placements, user('u9', ['merchant:m1']), SUBMIT, { input: submission('m1') });
    await run(subgraphs.placements, reviewer, REVIEW, { id: ofM1.id });
    expect((await m1.next()).data!.placementReviewed).toEqual({ id: ofM1.id, status: 'APPROVED', reviewReason: null });
    const { submitPlacement: ofM2 } = await run(subgraphs.placements, user('u8', ['merchant:m2']), SUBMIT, { input: submission('m2') });
    await run(subgraphs.placements, reviewer, REVIEW, { id: ofM2.id });
    expect((await m2.next()).data!.placementReviewed.id).toBe(ofM2.id);
    m1.dispose();
    m2.dispose();
    await serving(subgraphs.placements, 0);
  });

  it('refuses subscriptions the viewer may not have, with their codes', async () => {
    const placements = client('placements');
    const membership = client('membership');
    const coupons = client('coupons');
    expect(await refusal(listen(placements, user('u8', ['merchant:m2']), PLACEMENT_REVIEWED, { merchantId: 'm1' }))).toEqual(['FORBIDDEN']);
    expect(await refusal(listen(placements, ANONYMOUS, PLACEMENT_REVIEWED, { merchantId: 'm1' }))).toEqual(['UNAUTHENTICATED']);
    expect(await refusal(listen(membership, ANONYMOUS, POINTS_CHANGED))).toEqual(['UNAUTHENTICATED']);
    expect(await refusal(listen(coupons, ANONYMOUS, PAYMENT_CONFIRMED))).toEqual(['UNAUTHENTICATED']);
    expect(await refusal(listen(coupons, ANONYMOUS, OFFER_STOCK, { offerId: 'no-such-offer' }))).toEqual(['OFFER_NOT_FOUND']);
    const theirs = await sandboxCheckout(subgraphs, 'u5', 300);
    expect(await refusal(listen(coupons, user('u6'), PAYMENT_CONFIRMED, { orderId: theirs }))).toEqual(['ORDER_NOT_FOUND']);
    expect(await refusal(listen(coupons, ANONYMOUS, OFFER_STOCK, { offerId: ' ' }))).toEqual(['BAD_USER_INPUT']);
    expect(await refusal(listen(coupons, ANONYMOUS, 'query { offer(id: "t1") { id } }'))).toEqual(['BAD_REQUEST']);
    expect(await refusal(listen(coupons, ANONYMOUS, 'subscription { nothingHere }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await refusal(listen(coupons, ANONYMOUS, 'subscription {'))).toEqual(['GRAPHQL_PARSE_FAILED']);
    for (const subgraph of [subgraphs.placements, subgraphs.membership, subgraphs.coupons]) expect(subgraph.subscriptions()).toBe(0);
  });

  it("refuses a subscription without its viewer's token, and a connection without the gateway's", async () => {
    const membership = client('membership');
    expect(await refusal(listen(membership, null, POINTS_CHANGED))).toEqual(['GATEWAY_TOKEN_REQUIRED']);
    const forged = await signInternalToken(user('u1'), 'another-secret-0123456789abcdef-xyz');
    expect(await refusal(listen(membership, forged, POINTS_CHANGED))).toEqual(['GATEWAY_TOKEN_REQUIRED']);
    const unsigned = clientOf(subgraphs.membership, async () => ({}));
    clients.push(unsigned);
    const closed = (await listen(unsigned, user('u1'), POINTS_CHANGED).ended) as { code: number };
    expect(closed.code).toBe(4403);
    const wrongSecret = clientOf(subgraphs.membership, async () => ({ token: await signInternalToken(GATEWAY, 'another-secret-0123456789abcdef-xyz') }));
    clients.push(wrongSecret);
    expect(((await listen(wrongSecret, user('u1'), POINTS_CHANGED).ended) as { code: number }).code).toBe(4403);
  });

  it('a replica publishes, and the subscribers of every replica on the same Redis hear it', async () => {
    if (!(await reachable(REDIS.host, REDIS.port))) throw new Error(`Redis is not reachable at ${REDIS.host}:${REDIS.port}; this test needs it`);
    const peers = { ...Object.fromEntries(NAMES.map((name) => [name, subgraphs[name].url])) };
    const definition = await definitionOf('coupons');
    const replicas = [
      await startSubgraph(definition, { ...configOf('coupons', peers), redisUrl: REDIS.url }),
      await startSubgraph(definition, { ...configOf('coupons', peers), redisUrl: REDIS.url }),
    ];
    try {
      const offerId = await createOffer({ subgraphs } as unknown as Plaza, { totalStock: 5 });
      const onFirst = clientOf(replicas[0]);
      const onSecond = clientOf(replicas[1]);
      clients.push(onFirst, onSecond);
      const first = listen(onFirst, ANONYMOUS, OFFER_STOCK, { offerId });
      const second = listen(onSecond, ANONYMOUS, OFFER_STOCK, { offerId });
      await serving(replicas[0], 1);
      await serving(replicas[1], 1);
      // claimed on the first replica: both replicas' subscribers hear it
      await run(replicas[0], user('u30'), CLAIM, { t: offerId, k: key('claim') });
      expect((await first.next()).data!.offerStockChanged.remainingStock).toBe(4);
      expect((await second.next()).data!.offerStockChanged.remainingStock).toBe(4);
      first.dispose();
      second.dispose();
    } finally {
      for (const replica of replicas) await replica.stop();
    }
  });

  it('stopping a subgraph closes its subscriptions with 1001, so the gateway reconnects elsewhere', async () => {
    const placements = clientOf(subgraphs.placements);
    clients.push(placements);
    const listening = listen(placements, user('u9', ['merchant:m1']), PLACEMENT_REVIEWED, { merchantId: 'm1' });
    await serving(subgraphs.placements, 1);
    const stopped = subgraphs.placements.stop();
    expect(((await listening.ended) as { code: number }).code).toBe(1001);
    await stopped;
    expect(subgraphs.placements.subscriptions()).toBe(0);
    delete (subgraphs as Partial<Record<SubgraphName, RunningSubgraph>>).placements;
  });
});
