import { describe, expect, it } from 'vitest';
import { PLAYGROUND_TABS } from '../../clients/playground/tabs.ts';
import { seedUser } from '../../subgraphs/kit/world.ts';
import { paidOrder } from '../support/flows.ts';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const env = useBrowserPlaza({ pages: { playground: true } });

describe('the playground', () => {
  it('opens from a browser on /graphql with the headline query, runs it and shows the answer, with no request leaving the machine', async () => {
    const { page, context, requests, outside } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/graphql`);
    const tabs = page.locator('.graphiql-tab');
    await expect.poll(() => tabs.count(), WAIT).toBe(PLAYGROUND_TABS.length);
    expect(await tabs.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('Home'), expect.stringContaining('ClaimCoupon'), expect.stringContaining('OpenOrder'), expect.stringContaining('SandboxPay'), expect.stringContaining('PaymentSuccess')]));
    // the schema arrived (docs explorer works offline too)
    const response = page.locator('.graphiql-response');
    // on a busy machine the editor may not be ready for the first click: run again until it answers
    await expect
      .poll(async () => {
        if (!(await response.innerText()).includes('"homepage"')) await page.locator('.graphiql-execute-button').click();
        return response.innerText();
      }, { timeout: 40_000, interval: 2_000 })
      .toContain('"homepage"');
    expect(await response.innerText()).toContain('"me": null');
    await screenshot(page, 'playground-anonymous');

    expect(requests.every((url) => url.startsWith(env.origin) || url.startsWith('data:') || url.startsWith('blob:'))).toBe(true);
    expect(outside).toEqual([]);
    await context.close();
  });

  it('signs in with a development token so me answers for that user, even when the token comes before the editors have loaded', async () => {
    const { page, context, outside } = await watchedPage(env.browser);
    // the editors' code is held back until the token is issued, as on a slow machine
    let release!: () => void;
    const editorsMayLoad = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/assets/codemirror-*.js', async (route) => (await editorsMayLoad, route.continue()));
    await page.goto(`${env.origin}/playground/`);
    await expect.poll(() => page.locator('.graphiql-tab').count(), WAIT).toBe(PLAYGROUND_TABS.length);
    await page.getByRole('button', { name: 'Show Sign in' }).click();
    await page.getByRole('button', { name: 'Issue a development token' }).click();
    await expect.poll(() => page.getByRole('status').innerText(), WAIT).toBe('Signed in as u1');
    expect(await page.locator('.graphiql-query-editor .CodeMirror').count()).toBe(0);
    release();
    // the headers editor takes the token on its next render: run the query once it has
    await expect.poll(() => page.getByTestId('signed-in-as').innerText(), WAIT).toBe('A development token is set.');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.graphiql-response').innerText(), WAIT).toContain(`"nickname": "${seedUser(0).nickname}"`);
    await screenshot(page, 'playground-signed-in');
    expect(outside).toEqual([]);
    await context.close();
  });

  it('runs a subscription over WebSocket with the signed-in token in connection_init: the points a payment earns arrive in the response', async () => {
    const { page, context, outside } = await watchedPage(env.browser);
    const inits: unknown[] = [];
    page.on('websocket', (socket) => socket.on('framesent', (frame) => (JSON.parse(String(frame.payload)).type === 'connection_init' ? inits.push(JSON.parse(String(frame.payload)).payload) : null)));
    await page.goto(`${env.origin}/playground/`);
    await expect.poll(() => page.locator('.graphiql-tab').count(), WAIT).toBe(PLAYGROUND_TABS.length);
    // the subscription, from the registered operations, into the open tab; then a token in its headers
    await page.getByRole('button', { name: 'Show Operations' }).click();
    await page.getByTestId('operations').getByRole('button', { name: 'subscription PointsChanged' }).click();
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), WAIT).toContain('subscription PointsChanged');
    await page.getByRole('button', { name: 'Show Sign in' }).click();
    await page.getByRole('button', { name: 'Issue a development token' }).click();
    await expect.poll(() => page.getByRole('status').innerText(), WAIT).toBe('Signed in as u1');
    await expect.poll(() => page.getByTestId('signed-in-as').innerText(), WAIT).toBe('A development token is set.');
    await page.locator('.graphiql-execute-button').click();
    // the subscription is in place once the membership subgraph holds it
    const membership = env.plaza.subgraphs.membership as unknown as { subscriptions(): number };
    await expect.poll(() => membership.subscriptions(), WAIT).toBe(1);
    expect(inits).toEqual([{ Authorization: expect.stringMatching(/^Bearer /) }]);
    const { orderId } = await paidOrder(env.plaza, 'u1', 4200);
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.innerText(), WAIT).toContain(`"reference": "order:${orderId}"`);
    expect(await response.innerText()).toContain('"amount": 42');
    await screenshot(page, 'playground-subscription');
    expect(outside).toEqual([]);
    await context.close();
  });

  it('lists each client\'s registered operations and opens one', async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/playground/`);
    await page.getByRole('button', { name: 'Show Operations' }).click();
    const list = page.getByTestId('operations');
    await expect.poll(() => list.innerText(), WAIT).toContain('miniprogram');
    const text = await list.innerText();
    for (const name of ['homepage', 'query HomepageFeed', 'query Home', 'mutation ClaimCoupon', 'mutation OpenOrder', 'mutation ApplyCoupon', 'mutation PayOrder', 'mutation SandboxPay', 'query PaymentSuccess']) expect(text).toContain(name);
    await list.getByRole('button', { name: 'query MerchantOffers' }).click();
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), WAIT).toContain('MerchantOffers');
    await context.close();
  });
});

describe('the playground in production', () => {
  it('is not served', async () => {
    // a production replica in front of the same subgraphs (stopped with the file's Plaza)
    const prod = await env.plaza.replica({ production: true, pages: { playground: true, clientPages: false } });
    const page = await fetch(new URL('/playground/', prod.url));
    expect(page.status).toBe(404);
    const token = await fetch(new URL('/playground/token', prod.url), { method: 'POST', body: '{"user":"u1"}' });
    expect(token.status).toBe(404);
    const browserGet = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await browserGet.text()).not.toContain('Plaza playground');
  });
});
