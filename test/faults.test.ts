/**
 * Subgraphs that are down, slow or flaky degrade answers, never the gateway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway/server.ts';
import { OPERATIONS_DEFAULTS, type GatewayConfig } from '../gateway/config.ts';
import { jsonOf, SubgraphClient, type Transport } from '../gateway/engine/fetcher.ts';
import { codesOf, exitOf, freePort, runLoad, sample, waitForLine, type Outcome } from './support/load.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const HOME_VARIABLES = { city: 'Shanghai', merchantId: 'm1' };
const root = path.resolve(import.meta.dirname, '..');

let plaza: Plaza | undefined;
/** The headers of a signed-in user of the current Plaza. */
const bearer = async (user: string) => ({ authorization: `Bearer ${await plaza!.tokenFor(user)}` });
const children: ChildProcess[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of servers.splice(0)) server.closeAllConnections(), server.close();
  await plaza?.stop();
  plaza = undefined;
});

/** A second gateway in front of the test graph, with some subgraphs reached elsewhere (stopped with the Plaza). */
function gatewayInFront(p: Plaza, urls: Record<string, string>, operations: GatewayConfig['operations'] = {}): Promise<RunningGateway> {
  return p.replica({ subgraphUrls: { ...Object.fromEntries(Object.entries(p.subgraphs).map(([name, sg]) => [name, sg.url])), ...urls }, operations });
}

/** A proxy in front of a subgraph that can drop the next requests or answer slowly; counts what it saw. */
async function flakyProxy(target: string, arrivals?: { target: string; body: string }[]) {
  const seen: string[] = [];
  const state = { dropNext: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push(body);
      // the order requests reach the proxies sharing `arrivals`, each by the subgraph it stands for
      arrivals?.push({ target, body });
      if (state.dropNext > 0) {
        state.dropNext--;
        req.socket.destroy();
        return;
      }
      // the fault being simulated: a slow subgraph (this delay is the point, not a wait for something)
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'host' && k !== 'connection') headers[k] = v;
      try {
        const upstream = await fetch(target, { method: 'POST', headers, body });
        const text = await upstream.text();
        if (res.destroyed) return;
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      } catch {
        res.destroy(); // the subgraph behind is gone
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, seen, state };
}

describe('a subgraph that is down', () => {
  it('degrades the homepage: the feed still renders, the other fields resolve, its fields are null with SUBGRAPH_UNAVAILABLE and their paths', async () => {
    plaza = await startPlaza();
    await plaza.subgraphs.membership.stop();
    const { status, body } = await plaza.query(HOME, HOME_VARIABLES, { user: 'u1' });
    expect(status).toBe(200);
    expect(body.data.me.nickname).toBeTruthy();
    expect(body.data.me.points).toBeNull();
    expect(body.data.homepage.grid.length).toBeGreaterThan(0);
    expect(body.data.homepage.cards[0].service.merchant.offers.length).toBeGreaterThan(0);
    expect(body.data.merchant.offers.length).toBeGreaterThan(0);
    expect(body.errors!.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
    expect(body.errors!.map((e) => e.path)).toContainEqual(['me', 'points']);
    // no stack trace, no internals beyond which subgraph
    expect(JSON.stringify(body.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('degrades the homepage when coupons is down: every section renders, offers are null with SUBGRAPH_UNAVAILABLE', async () => {
    plaza = await startPlaza();
    await plaza.subgraphs.coupons.stop();
    const { status, body } = await plaza.query(HOME, HOME_VARIABLES, { user: 'u1' });
    expect(status).toBe(200);
    expect(body.data.me.points.balance).toBeGreaterThan(0);
    expect(body.data.homepage.grid.length).toBeGreaterThan(0);
    for (const card of body.data.homepage.cards) {
      expect(card.service.merchant.name).toBeTruthy();
      expect(card.service.merchant.offers).toBeNull();
    }
    expect(body.data.merchant).toEqual({ name: expect.any(String), offers: null });
    expect(body.errors!.length).toBeGreaterThan(0);
    expect(body.errors!.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
  });

  it('degrades the homepage when merchants is down: the sections keep their placements, services are null', async () => {
    plaza = await startPlaza();
    await plaza.subgraphs.merchants.stop();
    const { status, body } = await plaza.query('query($city: String!) { homepage(city: $city) { grid { title service { title } } cards { title } } }', { city: 'Shanghai' });
    expect(status).toBe(200);
    expect(body.data.homepage.grid.length).toBeGreaterThan(0);
    for (const item of body.data.homepage.grid) {
      expect(item.title).toBeTruthy();
      expect(item.service).toBeNull();
    }
    expect(body.data.homepage.cards.length).toBeGreaterThan(0);
    expect(body.errors!.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
  });

  it('killed while load runs: the gateway never fails a request, answers degrade, full answers return within a second of the restart', async () => {
    plaza = await startPlaza();
    const port = await freePort();
    const env = {
      ...process.env,
      PLAZA_MEMBERSHIP_PORT: String(port),
      PLAZA_MEMBERSHIP_DATABASE_URL: `file:${path.join(plaza.dataDir, 'membership-process.db')}`,
      PLAZA_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PLAZA_LOG_LEVEL: 'silent',
    };
    const startMembership = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/kit/main.ts', 'membership'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await waitForLine(child, /ready at/);
      return child;
    };
    let membership = await startMembership();
    const gateway = await gatewayInFront(plaza, { membership: `http://127.0.0.1:${port}/graphql` });
    const headers = await bearer('u1');

    const timeline: { killedAt?: number; restartedAt?: number } = {};
    // what the load has seen so far, read by the waits below
    let seen: Outcome[] = [];
    const load = runLoad({
      url: gateway.url,
      body: { query: HOME, variables: HOME_VARIABLES },
      headers,
      // a light load: everything shares two cores here, and latency must stay readable
      workers: 3,
      durationMs: 45_000,
      until: (outcomes) => {
        seen = outcomes;
        return timeline.restartedAt !== undefined && outcomes.some((o) => o.at > timeline.restartedAt! + 1500);
      },
    });
    // the load is under way: a few answers came back before the kill
    await expect.poll(() => seen.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    membership.kill('SIGKILL');
    await exitOf(membership);
    timeline.killedAt = Date.now();
    // requests sent while membership is down were answered (degraded) before it comes back
    await expect.poll(() => seen.filter((o) => o.sentAt! > timeline.killedAt!).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    membership = await startMembership();
    timeline.restartedAt = Date.now();
    const outcomes = await load;

    // the gateway answered every request, 200 with data
    expect(outcomes.filter((o) => o.failure || o.status !== 200)).toEqual([]);
    const during = outcomes.filter((o) => o.sentAt! > timeline.killedAt! && o.at < timeline.restartedAt!);
    expect(during.length).toBeGreaterThan(0);
    for (const o of during) {
      expect(codesOf(o).every((code) => code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
      expect(o.body.data.me.points).toBeNull();
      expect(o.body.data.homepage.grid.length).toBeGreaterThan(0);
      expect(o.body.data.merchant.name).toBeTruthy();
    }
    // recovery: a request sent within a second of the restart gets the full answer, and so does every later one
    const after = outcomes.filter((o) => o.sentAt! >= timeline.restartedAt!);
    const firstFull = after.find((o) => !o.body?.errors);
    expect(firstFull, 'a full answer after the restart').toBeDefined();
    expect(firstFull!.sentAt! - timeline.restartedAt!).toBeLessThan(1000);
    expect(firstFull!.body.data.me.points.balance).toBeGreaterThan(0);
    expect(after.filter((o) => o.sentAt! > timeline.restartedAt! + 1000 && o.body?.errors).map(codesOf)).toEqual([]);
    expect((await fetch(gateway.url.replace('/graphql', '/health'))).status).toBe(200);
  }, 120_000);

  it('opens its circuit: requests fail fast while it is down, and one probe closes it again', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.users.url);
    const gateway = await gatewayInFront(plaza, { users: proxy.url }, { breakerFailures: 3, breakerResetMs: 300, subgraphRetries: 0 });
    const query = '{ me { nickname } }';
    const headers = await bearer('u2');
    proxy.state.dropNext = 1000;
    for (let i = 0; i < 3; i++) expect(codesOf({ at: 0, body: (await postJson(gateway.url, { query }, headers)).body })).toEqual(['SUBGRAPH_UNAVAILABLE']);
    const tried = proxy.seen.length;
    const fast = await postJson(gateway.url, { query }, headers);
    expect(fast.body.errors![0].extensions!.reason).toBe('circuit_open');
    expect(proxy.seen.length).toBe(tried); // failed fast: never sent
    proxy.state.dropNext = 0;
    // after breakerResetMs a probe goes through and closes the circuit: until then requests fail fast
    let recovered = fast;
    await expect.poll(async () => (recovered = await postJson(gateway.url, { query }, headers)).body.errors, { timeout: 10_000 }).toBeUndefined();
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data.me.nickname).toBeTruthy();
    const metrics = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(sample(metrics, 'plaza_subgraph_fetch_errors_total', { subgraph: 'users', reason: 'circuit_open' })).toBeGreaterThanOrEqual(1);
  });
});

describe('a subgraph that is slow or flaky', () => {
  it('too slow: its fields time out as SUBGRAPH_UNAVAILABLE within the per-subgraph timeout', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.membership.url);
    const gateway = await gatewayInFront(plaza, { membership: proxy.url }, { subgraphTimeoutMs: 300, subgraphRetries: 0 });
    proxy.state.delayMs = 3000;
    const started = Date.now();
    const { status, body } = await postJson(gateway.url, { query: HOME, variables: HOME_VARIABLES }, await bearer('u1'));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(status).toBe(200);
    expect(body.data.me.points).toBeNull();
    expect(body.data.me.nickname).toBeTruthy();
    expect(body.errors![0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' });
  });

  it('a dropped connection is retried for a query, but a mutation is sent exactly once', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.coupons.url);
    const gateway = await gatewayInFront(plaza, { coupons: proxy.url }, { subgraphRetries: 1 });
    const headers = await bearer('u3');

    proxy.state.dropNext = 1;
    const before = proxy.seen.length;
    const query = await postJson(gateway.url, { query: '{ merchant(id: "m1") { offers(first: 1) { title } } }' }, headers);
    expect(query.body.errors).toBeUndefined();
    expect(query.body.data.merchant.offers).toHaveLength(1);
    expect(proxy.seen.length - before).toBe(2);

    proxy.state.dropNext = 1;
    const beforeMutation = proxy.seen.length;
    const mutation = await postJson(gateway.url, { query: 'mutation { claimCoupon(templateId: "o1-1", idempotencyKey: "faults-retry-1") { id } }' }, headers);
    expect(proxy.seen.length - beforeMutation).toBe(1);
    expect(mutation.body.errors!.map((e: any) => e.extensions.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
  });
});

describe('identical in-flight subgraph requests', () => {
  it('are sent once and shared between callers who are the same user', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.merchants.url);
    const gateway = await gatewayInFront(plaza, { merchants: proxy.url });
    proxy.state.delayMs = 200;
    const query = '{ merchant(id: "m7") { name } }';
    const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(gateway.url, { query })));
    for (const a of answers) expect(a.body.data.merchant.name).toBeTruthy();
    expect(proxy.seen.length).toBe(1);
  });

  it('are never shared between different users', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.users.url);
    const gateway = await gatewayInFront(plaza, { users: proxy.url });
    proxy.state.delayMs = 200;
    const users = ['u1', 'u2', 'u3', 'u4'];
    const headers = await Promise.all(users.map(bearer));
    const answers = await Promise.all(users.flatMap((_, i) => [0, 1, 2].map(() => postJson(gateway.url, { query: '{ me { id nickname } }' }, headers[i]))));
    answers.forEach((a, k) => expect(a.body.data.me.id).toBe(users[Math.floor(k / 3)]));
    expect(proxy.seen.length).toBe(users.length);
  });

  it('give each caller a copy of its own of the shared answer, parsed once', async () => {
    const text = '{"data":{"_entities":[{"__typename":"Merchant","id":"m1","tags":["a","b"],"owner":{"__proto__":{"polluted":true},"name":"Ada"}}]}}';
    let sent = 0;
    let answer!: () => void;
    const transport: Transport = () => {
      sent++;
      return new Promise((resolve) => (answer = () => resolve({ status: 200, statusText: '', headers: { 'content-type': 'application/json' }, text })));
    };
    const client = new SubgraphClient('merchants', 'http://127.0.0.1:1/graphql', transport, OPERATIONS_DEFAULTS);
    const taken = [0, 1, 2].map(() => client.fetch({}, '{}', { isQuery: true, dedupKey: 'same' }));
    answer();
    const raws = await Promise.all(taken);
    expect(sent).toBe(1);
    const copies = raws.map((raw) => jsonOf(raw) as { data: { _entities: { owner: Record<string, unknown>; tags: string[] }[] } });
    for (const copy of copies) expect(copy).toEqual(JSON.parse(text));
    // a merge into one caller's copy is not seen by another
    copies[0].data._entities[0].owner.name = 'changed';
    copies[0].data._entities[0].tags.push('c');
    expect(copies[1].data._entities[0].owner.name).toBe('Ada');
    expect(copies[2].data._entities[0].tags).toEqual(['a', 'b']);
    // a `__proto__` key stays a key, as JSON.parse leaves it, never the object's prototype
    const owner = copies[1].data._entities[0].owner;
    expect(Object.getPrototypeOf(owner)).toBe(Object.prototype);
    expect(Object.keys(owner)).toEqual(['__proto__', 'name']);
    expect((owner as { polluted?: boolean }).polluted).toBeUndefined();
    // a fetch alone parses its own text
    const alone = client.fetch({}, '{}', { isQuery: true, dedupKey: 'alone' });
    answer();
    const raw = await alone;
    expect(raw.takers).toBe(1);
    expect(jsonOf(raw)).toEqual(JSON.parse(text));
    expect(raw.parsed).toBeUndefined();
  });

  it('can be switched off (PLAZA_DEDUP=false): every request goes out', async () => {
    plaza = await startPlaza();
    const proxy = await flakyProxy(plaza.subgraphs.merchants.url);
    const gateway = await gatewayInFront(plaza, { merchants: proxy.url }, { dedup: false, subgraphFetcher: 'default' });
    proxy.state.delayMs = 100;
    const answers = await Promise.all(Array.from({ length: 5 }, () => postJson(gateway.url, { query: '{ merchant(id: "m8") { name } }' })));
    for (const a of answers) expect(a.body.data.merchant.name).toBeTruthy();
    expect(proxy.seen.length).toBe(5);
  });
});

describe('entity fetches held to go out together', () => {
  it('go out the same way whichever subgraph answers first: the merchant\'s offers wait for the cards\' offers, not ride along with an earlier fetch', async () => {
    plaza = await startPlaza();
    const placements = await flakyProxy(plaza.subgraphs.placements.url);
    const merchants = await flakyProxy(plaza.subgraphs.merchants.url);
    const coupons = await flakyProxy(plaza.subgraphs.coupons.url);
    const gateway = await gatewayInFront(plaza, { placements: placements.url, merchants: merchants.url, coupons: coupons.url });
    const headers = await bearer('u1');
    const ask = async (slow: typeof placements) => {
      // one side's answers are slow: the merchant's own offers are asked for before, or after, the user's coupons (the feed's affinity)
      placements.state.delayMs = merchants.state.delayMs = 0;
      slow.state.delayMs = 150;
      const seenBefore = coupons.seen.length;
      const statementsBefore = plaza!.subgraphs.coupons.statements();
      const { body } = await postJson(gateway.url, { query: HOME, variables: HOME_VARIABLES }, headers);
      expect(body.errors).toBeUndefined();
      return { body, requests: coupons.seen.slice(seenBefore), statements: plaza!.subgraphs.coupons.statements() - statementsBefore };
    };
    const merchantFirst = await ask(placements);
    const feedFirst = await ask(merchants);
    expect(merchantFirst.body).toEqual(feedFirst.body);
    expect(merchantFirst.body.data.merchant.offers.length).toBeGreaterThan(0);
    for (const { requests, statements } of [merchantFirst, feedFirst]) {
      // the user's coupons, then every merchant's offers in one request: m1's and the cards' merchants'
      expect(requests).toHaveLength(2);
      const offers = requests.find((body) => body.includes('"id":"m1"'))!;
      expect(offers).not.toMatch(/ownerId|"User"/);
      expect(offers.match(/"__typename":"Merchant"/g)!.length).toBeGreaterThan(1);
      expect(statements).toBe(2);
    }
  });

  it("leave the user's points out: no later membership fetch of the plan can take them along, so they go out as soon as the user is known", async () => {
    plaza = await startPlaza();
    const arrivals: { target: string; body: string }[] = [];
    const membership = await flakyProxy(plaza.subgraphs.membership.url, arrivals);
    const coupons = await flakyProxy(plaza.subgraphs.coupons.url, arrivals);
    const gateway = await gatewayInFront(plaza, { membership: membership.url, coupons: coupons.url });
    // the feed's coupons are slow: its last fetch (the cards' offers) comes long after the user is known
    coupons.state.delayMs = 300;
    const { body } = await postJson(gateway.url, { query: HOME, variables: HOME_VARIABLES }, await bearer('u1'));
    expect(body.errors).toBeUndefined();
    expect(body.data.me.points).toEqual(expect.objectContaining({ balance: expect.any(Number) }));
    const points = arrivals.findIndex((a) => a.target === plaza!.subgraphs.membership.url && a.body.includes('points'));
    const lastCoupons = arrivals.map((a) => a.target).lastIndexOf(plaza.subgraphs.coupons.url);
    // held until nothing else was out, the points would have gone out after the cards' offers answered: one more round trip
    expect(points).toBeGreaterThanOrEqual(0);
    expect(points).toBeLessThan(lastCoupons);
  });
});
