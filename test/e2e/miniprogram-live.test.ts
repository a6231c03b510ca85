import { describe, expect, it } from 'vitest';
import { PointsAccount, PointsTransaction } from '../../subgraphs/membership/entities.ts';
import { membershipDb } from '../support/flows.ts';
import { useBrowserPlaza, screenshot, WAIT, watchedPage } from './browser.ts';

const env = useBrowserPlaza({ pages: { clientPages: true } });

/** Subscriptions the membership subgraph holds: a page's pointsChanged is in place once it counts there. */
const membershipSubscriptions = () => (env.plaza.subgraphs.membership as unknown as { subscriptions(): number }).subscriptions();

interface Frame {
  id?: string;
  type: string;
  payload?: any;
}

describe('the mini-program payment-success screen, live', () => {
  it('shows the points a payment earned the moment Plaza credits them, pushed over the WebSocket, without reloading; leaving the screen ends the subscription', async () => {
    const user = 'u6';
    const before = (await env.plaza.query('{ me { points { balance } } }', {}, { user })).body.data.me.points.balance as number;
    const token = await env.plaza.tokenFor(user);
    const { page, context, outside } = await watchedPage(env.browser);

    // the page's WebSocket, passed through as it is, except the points changes: held until the test lets them go
    const sent: Frame[] = [];
    const received: Frame[] = [];
    const held: string[] = [];
    let holding = true;
    const sockets: { url: string; closed: boolean }[] = [];
    page.on('websocket', (socket) => {
      const seen = { url: socket.url(), closed: false };
      sockets.push(seen);
      socket.on('close', () => (seen.closed = true));
    });
    let release: () => void = () => {};
    await page.routeWebSocket(`${env.origin.replace(/^http/, 'ws')}/graphql`, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        sent.push(JSON.parse(String(message)));
        server.send(message);
      });
      server.onMessage((message) => {
        const text = String(message);
        if (holding && text.includes('"pointsChanged"')) {
          held.push(text);
          return;
        }
        received.push(JSON.parse(text));
        socket.send(message);
      });
      release = () => {
        holding = false;
        for (const text of held.splice(0)) {
          received.push(JSON.parse(text));
          socket.send(text);
        }
      };
    });
    // every document the page loads: a reload would load it again
    let loads = 0;
    page.on('load', () => loads++);

    await page.goto(`${env.origin}/miniprogram/?merchant=m1#token=${token}`);
    await page.getByRole('button', { name: /^Pay at / }).click();
    await page.getByLabel('Order amount (yuan)').fill('256.80');
    await page.getByRole('button', { name: 'Open order' }).click();
    const order = page.getByTestId('order');
    await expect.poll(() => order.isVisible(), WAIT).toBe(true);
    const orderId = (await order.getAttribute('data-order-id'))!;

    // on the order screen, before paying, the page subscribed over its own origin, signed in through connection_init
    await expect.poll(membershipSubscriptions, WAIT).toBe(1);
    expect(sockets).toEqual([{ url: `${env.origin.replace(/^http/, 'ws')}/graphql`, closed: false }]);
    const init = sent.find((frame) => frame.type === 'connection_init')!;
    expect(init.payload).toEqual({ authorization: `Bearer ${token}`, 'apollographql-client-name': 'miniprogram', 'apollographql-client-version': '1.0.0' });
    // the subscription is one of the page's registered documents: its id first, its text once the gateway asks for it
    const subscribes = sent.filter((frame) => frame.type === 'subscribe');
    expect(subscribes.map((frame) => [frame.payload.operationName, frame.payload.query === '', frame.payload.extensions.persistedQuery.sha256Hash.length])).toEqual([
      ['PointsChanged', true, 64],
      ['PointsChanged', false, 64],
    ]);
    expect(received.find((frame) => frame.id === subscribes[0].id && frame.type === 'next')?.payload.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const subscriptionId = subscribes[1].id!;
    await page.evaluate(() => Object.assign(window, { plazaSamePage: true }));

    // pay: the success screen opens with what Plaza answered, and the credit has not reached the page yet
    await page.getByRole('button', { name: /with the sandbox$/ }).click();
    const success = page.getByTestId('payment-success');
    await expect.poll(() => success.isVisible(), WAIT).toBe(true);
    await expect.poll(() => held.length, WAIT).toBe(1);
    const credited = page.getByTestId('points-credited');
    expect(await credited.innerText()).toBe('');

    // the event arrives: the screen shows it at once, on the same page
    release();
    await expect.poll(() => credited.innerText(), WAIT).not.toBe('');
    const event = received.find((frame) => frame.id === subscriptionId && frame.type === 'next')!.payload.data.pointsChanged;
    expect(event.transaction).toMatchObject({ reason: 'PAYMENT', reference: `order:${orderId}` });
    const account = await membershipDb(env.plaza).findOneOrFail(PointsAccount, { userId: user });
    const credit = await membershipDb(env.plaza).findOneOrFail(PointsTransaction, { userId: user, reference: `order:${orderId}` });
    // one point per whole yuan paid
    expect(credit.amount).toBe(256);
    expect(event).toMatchObject({ balance: account.balance, transaction: { amount: credit.amount } });
    expect(account.balance).toBe(before + credit.amount);
    expect(await page.getByTestId('credited-points').innerText()).toBe(`+${credit.amount}`);
    expect(Number(await page.getByTestId('credited-balance').innerText())).toBe(account.balance);
    expect(await page.getByTestId('points-earned').innerText()).toBe(`+${credit.amount} points`);
    expect(Number(await page.getByTestId('balance-now').innerText())).toBe(account.balance);
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(account.balance);
    expect(loads).toBe(1);
    expect(await page.evaluate(() => (window as { plazaSamePage?: boolean }).plazaSamePage)).toBe(true);
    await screenshot(page, 'miniprogram-points-credited');

    // back to the offers: the page ends its subscription, then closes the socket it no longer needs, and the subgraph lets it go
    await page.getByRole('button', { name: 'Back to offers' }).click();
    await expect.poll(() => sent.some((frame) => frame.type === 'complete' && frame.id === subscriptionId), WAIT).toBe(true);
    await expect.poll(() => sockets[0].closed, WAIT).toBe(true);
    expect(sockets).toHaveLength(1);
    await expect.poll(membershipSubscriptions, WAIT).toBe(0);
    expect(outside).toEqual([]);
    await context.close();
  });
});
