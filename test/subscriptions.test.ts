import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePartnerKeys } from '../gateway/config.ts';
import { issueToken } from '../gateway/plugins/identity.ts';
import { hashApiKey } from '../gateway/plugins/clients.ts';
import { manifestFromDocuments } from '../gateway/manifests.ts';
import { FolderManifestStore } from '../gateway/stores/memory.ts';
import { paidOrder, orderToPay, SUBMIT, REVIEW, submission, asReviewer, asMerchant, deliver, notification, createOffer, CLAIM } from './support/flows.ts';
import { postJson, startPlaza, TEST_JWT_SECRET, type Plaza } from './support/plaza.ts';

const PARTNER_KEY = 'pk_live_subscriptions_partner_0123456789';
const STOCK = `subscription OfferStock($offerId: ID!) { offerStockChanged(offerId: $offerId) { remainingStock offer { id } } }`;

let plaza: Plaza;
let dir: string;
/** The registered subscription's id, as its manifest gives it. */
let stockId: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-subscriptions-'));
  // a partner that may run registered operations only: its manifest registers one subscription
  const manifest = manifestFromDocuments([{ path: 'stock.graphql', text: STOCK }], 'live-partner', '1.0.0');
  stockId = manifest.operations[0].id;
  await new FolderManifestStore(path.join(dir, 'manifests')).publish({ client: 'live-partner', appVersion: '1.0.0', json: JSON.stringify(manifest) });
  const partners = parsePartnerKeys('test', JSON.stringify([{ name: 'live-partner', keySha256: hashApiKey(PARTNER_KEY), mode: 'require-id', revoked: false }]));
  plaza = await startPlaza({
    // keep-alives far apart: a client that leaves is noticed when it leaves, not at the next keep-alive
    operations: { subscriptionsPerConnection: 3, subscriptionsPerUser: 5, subscriptionKeepAliveMs: 600_000 },
    persistedQueries: { manifestDir: path.join(dir, 'manifests'), partners },
  });
});
afterAll(async () => {
  await plaza?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const wsUrl = (url: string) => url.replace(/^http/, 'ws');

/** A graphql-ws client of the gateway as `user` (credentials in connection_init, as a browser sends them). */
async function wsClient(user?: string, scopes: string[] = [], url = plaza.gateway.url, more: Record<string, unknown> = {}): Promise<{ client: Client; closed: Promise<{ code: number; reason: string }> }> {
  const token = user ? await plaza.tokenFor(user, scopes) : undefined;
  let closedWith: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedWith = resolve));
  const client = createClient({
    url: wsUrl(url),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    on: { closed: (event) => closedWith(event as { code: number; reason: string }) },
    ...more,
  });
  return { client, closed };
}

/** Events of one subscription, read as they come: `next()` waits for the next one. */
function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: ExecutionResult[] = [];
  const waiting: (() => void)[] = [];
  let failure: unknown;
  let completed = false;
  const wakeAll = () => waiting.splice(0).forEach((wake) => wake());
  const stop = client.subscribe(
    { query, variables },
    {
      next: (event) => {
        received.push(event as ExecutionResult);
        wakeAll();
      },
      error: (error) => {
        failure = error;
        wakeAll();
      },
      complete: () => {
        completed = true;
        wakeAll();
      },
    },
  );
  let read = 0;
  return {
    received,
    stop,
    get completed() {
      return completed;
    },
    /** The next event; rejects with the subscription's error. */
    async next(): Promise<ExecutionResult> {
      while (read >= received.length) {
        if (failure !== undefined) throw failure;
        if (completed) throw new Error('the subscription completed');
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      return received[read++];
    },
  };
}

/** Subscriptions a subgraph is serving now (each gateway subscription is one there). */
const listening = (name: 'membership' | 'coupons' | 'placements') => (plaza.subgraphs[name] as { subscriptions(): number }).subscriptions();
/** Waits until `name` serves `count` more subscriptions than `before`: the ones just opened are in place. */
const inPlace = (name: 'membership' | 'coupons' | 'placements', before: number, count = 1) => expect.poll(() => listening(name), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + count);
/** Subscriptions a gateway serves now, over both transports (from its /metrics). */
async function served(url = plaza.gateway.url): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', url))).text();
  return [...metrics.matchAll(/^plaza_live_subscriptions\{[^}]*\} (\d+)/gm)].reduce((sum, [, count]) => sum + Number(count), 0);
}
/** Waits until the subscriptions of earlier tests have ended (the gateways of this file count in one registry). */
const settled = () => expect.poll(() => served(), { timeout: 15_000 }).toBe(0);
/** Waits until the gateways serve `count` subscriptions: the ones just opened are in place (a user's identical ones share one upstream, which the subgraph counts once). */
const accepted = (count: number) => expect.poll(() => served(), { timeout: 15_000 }).toBe(count);

const POINTS = `subscription { pointsChanged { balance tier user { id nickname } transaction { amount reason } } }`;

describe('subscriptions through the gateway', () => {
  it('pointsChanged over WebSocket: each user receives the points their own payment earned, with fields other subgraphs resolve, never another user’s', async () => {
    const a = await wsClient('u1');
    const b = await wsClient('u2');
    const before = listening('membership');
    const forA = subscribe(a.client, POINTS);
    const forB = subscribe(b.client, POINTS);
    // the subscriptions are in place once the gateway has sent them to the membership subgraph
    await inPlace('membership', before, 2);
    const balance = (await plaza.query(`{ me { points { balance } } }`, {}, { user: 'u1' })).body.data.me.points.balance as number;
    await paidOrder(plaza, 'u1', 120);
    const event = await forA.next();
    expect(event.errors).toBeUndefined();
    const change = (event.data as any).pointsChanged;
    expect(change.user).toEqual({ id: 'u1', nickname: expect.any(String) });
    expect(change.user.nickname.length).toBeGreaterThan(0);
    expect(change.balance).toBeGreaterThan(balance);
    expect(change.transaction).toEqual({ amount: change.balance - balance, reason: expect.any(String) });
    // B's own payment reaches B; by then A's event could have reached B too, had it been sent there
    await paidOrder(plaza, 'u2', 80);
    const forBEvent = await forB.next();
    expect((forBEvent.data as any).pointsChanged.user.id).toBe('u2');
    expect(forB.received.map((e) => (e.data as any).pointsChanged.user.id)).toEqual(['u2']);
    expect(forA.received.map((e) => (e.data as any).pointsChanged.user.id)).toEqual(['u1']);
    // operators see the live connections, subscriptions and events in /metrics
    const metrics = await (await fetch(new URL('/metrics', plaza.gateway.url))).text();
    expect(Number(/^plaza_live_connections\{[^}]*transport="ws"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^plaza_live_subscriptions\{[^}]*transport="ws"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^plaza_live_events_total\{[^}]*transport="ws"[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    await a.client.dispose();
    await b.client.dispose();
  });

  it('a user’s two devices subscribed to the same thing share one subscription upstream; each hears every event, and the one left goes on hearing them', async () => {
    const phone = await wsClient('u5');
    const tablet = await wsClient('u5');
    await settled();
    const before = listening('membership');
    const ENTRY = `subscription { pointsChanged { balance user { id } transaction { id amount reason reference createdAt } } }`;
    const onPhone = subscribe(phone.client, ENTRY);
    const onTablet = subscribe(tablet.client, ENTRY);
    await accepted(2);
    await inPlace('membership', before, 1);
    await paidOrder(plaza, 'u5', 900);
    const [phoneEvent, tabletEvent] = await Promise.all([onPhone.next(), onTablet.next()]);
    expect(phoneEvent.errors).toBeUndefined();
    expect(tabletEvent).toEqual(phoneEvent);
    expect((phoneEvent.data as any).pointsChanged.user.id).toBe('u5');
    // the entry is the ledger's newest, as a query reads it
    const ledger = (await plaza.query(`{ me { points { balance transactions(first: 1) { id amount reason reference createdAt } } } }`, {}, { user: 'u5' })).body.data.me.points;
    expect((phoneEvent.data as any).pointsChanged).toEqual({ balance: ledger.balance, user: { id: 'u5' }, transaction: ledger.transactions[0] });
    expect(listening('membership')).toBe(before + 1);
    // the phone leaves: the tablet still hears the next payment's points
    await phone.client.dispose();
    await paidOrder(plaza, 'u5', 700);
    const next = await onTablet.next();
    expect((next.data as any).pointsChanged.balance).toBeGreaterThan((phoneEvent.data as any).pointsChanged.balance);
    expect(listening('membership')).toBe(before + 1);
    // the last one leaves: the subscription ends upstream
    await tablet.client.dispose();
    await expect.poll(() => listening('membership'), { timeout: 15_000 }).toBe(before);
  });

  it('paymentConfirmed over SSE (graphql-sse): the order arrives PAID with its merchant, resolved through federation', async () => {
    const token = await plaza.tokenFor('u3');
    const client = createSseClient({ url: plaza.gateway.url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const events: ExecutionResult[] = [];
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const { orderId, amountToPay } = await orderToPay(plaza, 'u3', 66);
    const before = listening('coupons');
    const stop = client.subscribe(
      { query: `subscription($id: ID) { paymentConfirmed(orderId: $id) { id status merchant { id name } } }`, variables: { id: orderId } },
      { next: (event) => (events.push(event as ExecutionResult), arrived()), error: (error) => { throw error; }, complete: () => {} },
    );
    await inPlace('coupons', before);
    const receipt = await deliver(plaza, notification({ orderId, amount: amountToPay }));
    expect(receipt.errors).toBeUndefined();
    await first;
    expect(events[0].errors).toBeUndefined();
    expect((events[0].data as any).paymentConfirmed).toEqual({ id: orderId, status: 'PAID', merchant: { id: 'm1', name: expect.any(String) } });
    // the client leaves: the subscription ends upstream when it leaves, not at the next keep-alive write
    stop();
    client.dispose();
    await expect.poll(() => listening('coupons'), { timeout: 15_000 }).toBe(before);
  });

  it('an SSE request gets the event stream format: next events, and a query answered as one event then complete', async () => {
    const response = await fetch(plaza.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: '{ merchant(id: "m1") { id } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text).toContain('event: next\ndata: {"data":{"merchant":{"id":"m1"}}}\n\n');
    expect(text.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });

  it('refusals carry codes: anonymous UNAUTHENTICATED, a merchant scope of another merchant FORBIDDEN, plain HTTP 400', async () => {
    const anonymous = await wsClient();
    const refused = await subscribe(anonymous.client, POINTS).next();
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.data ?? null).toBeNull();
    const merchant = await wsClient('u9', ['merchant:m2']);
    const wrongScope = subscribe(merchant.client, `subscription { placementReviewed(merchantId: "m1") { id status } }`);
    const forbidden = await wrongScope.next();
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await anonymous.client.dispose();
    await merchant.client.dispose();
    const http = await postJson(plaza.gateway.url, { query: POINTS });
    expect(http.status).toBe(400);
    expect(http.body.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('a merchant hears the review decision on its placement', async () => {
    const merchant = await wsClient(asMerchant('m1').user, asMerchant('m1').scopes);
    const before = listening('placements');
    const reviews = subscribe(merchant.client, `subscription { placementReviewed(merchantId: "m1") { id status merchant { id } } }`);
    await inPlace('placements', before);
    const submitted = (await plaza.query(SUBMIT, { input: submission('m1') }, asMerchant('m1'))).body;
    expect(submitted.errors).toBeUndefined();
    const id = submitted.data.submitPlacement.id;
    const reviewed = (await plaza.query(REVIEW, { id, decision: 'APPROVE' }, asReviewer)).body;
    expect(reviewed.errors).toBeUndefined();
    const event = await reviews.next();
    expect((event.data as any).placementReviewed).toEqual({ id, status: expect.any(String), merchant: { id: 'm1' } });
    await merchant.client.dispose();
  });

  it('limits: more subscriptions than a connection may hold are refused with TOO_MANY_SUBSCRIPTIONS', async () => {
    const { client } = await wsClient('u4');
    await settled();
    const held = [0, 1, 2].map(() => subscribe(client, POINTS));
    await accepted(3);
    const fourth = await subscribe(client, POINTS).next();
    expect(fourth.errors?.[0].extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(fourth.errors?.[0].message).toMatch(/connection/);
    // the same user on a second device: two more fit under the user's five, the third does not
    const other = await wsClient('u4');
    const more = [0, 1].map(() => subscribe(other.client, POINTS));
    await accepted(5);
    const sixth = await subscribe(other.client, POINTS).next();
    expect(sixth.errors?.[0].extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(sixth.errors?.[0].message).toMatch(/user/);
    // a subscription ended gives its place back
    held[0].stop();
    await accepted(4);
    // served (the gateway counts it) rather than refused
    const again = subscribe(other.client, POINTS);
    await accepted(5);
    again.stop();
    held.forEach((s) => s.stop());
    more.forEach((s) => s.stop());
    await client.dispose();
    await other.client.dispose();
  });

  it('operation limits and the per-IP rate limit apply to each subscription sent over a WebSocket, as to an HTTP request', async () => {
    const strict = await plaza.replica({ security: { rateLimit: true, rateLimitIp: { burst: 2, perSecond: 0.01 }, maxDepth: 3 } });
    const { client } = await wsClient('u8', [], strict.url);
    const deep = await subscribe(client, `subscription { pointsChanged { user { points { transactions { id } } } } }`).next();
    expect(deep.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    const allowed = subscribe(client, `subscription { pointsChanged { balance } }`);
    const limited = await subscribe(client, `subscription { pointsChanged { balance } }`).next();
    expect(limited.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(allowed.received).toEqual([]);
    expect(allowed.completed).toBe(false);
    await client.dispose();
  });

  it('a partner in require-id mode subscribes only to its registered subscription, by id, and hears the offer’s stock', async () => {
    const offer = await createOffer(plaza, { totalStock: 9 });
    const { client } = await wsClient(undefined, [], plaza.gateway.url, { connectionParams: { 'x-api-key': PARTNER_KEY } });
    const asText = await subscribe(client, STOCK, { offerId: offer }).next();
    expect(asText.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const received: ExecutionResult[] = [];
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const before = listening('coupons');
    client.subscribe(
      { query: '', variables: { offerId: offer }, extensions: { persistedQuery: { version: 1, sha256Hash: stockId } } },
      { next: (event) => (received.push(event as ExecutionResult), arrived()), error: () => {}, complete: () => {} },
    );
    await inPlace('coupons', before);
    const claimed = (await plaza.query(CLAIM, { templateId: offer, key: `stock-${process.pid}` }, { user: 'u5' })).body;
    expect(claimed.errors).toBeUndefined();
    await first;
    expect(received[0]).toEqual({ data: { offerStockChanged: { remainingStock: 8, offer: { id: offer } } } });
    await client.dispose();
  });

  it('a connection whose token expires is closed with 4401; a gateway that stops tells its WebSocket and SSE clients to reconnect (1012, a stream ended without complete)', async () => {
    const expiring = await issueToken(TEST_JWT_SECRET, { userId: 'u6', expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const short = await wsClient(undefined, [], plaza.gateway.url, { connectionParams: { authorization: `Bearer ${expiring}` } });
    const live = subscribe(short.client, POINTS);
    expect((await short.closed).code).toBe(4401);
    expect(live.received).toEqual([]);

    const replica = await plaza.replica();
    await settled();
    const ws = await wsClient('u7', [], replica.url);
    subscribe(ws.client, POINTS);
    const token = await plaza.tokenFor('u7');
    const sse = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: POINTS }),
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = sse.body!.getReader();
    // the stream opens with a comment once the subscription is in place
    await reader.read();
    await accepted(2);
    await replica.stop();
    expect((await ws.closed).code).toBe(1012);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).not.toContain('event: complete');
  });
});

export {};
