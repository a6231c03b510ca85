import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.ts';
import { definitionOf } from '../subgraphs/registry.ts';
import { issueToken } from '../gateway/plugins/identity.ts';
import { createRight, EXCHANGE, grantPoints } from './support/flows.ts';
import { postJson, startPlaza, subgraphTestConfig, testGatewayConfig, TEST_JWT_SECRET, type Plaza } from './support/plaza.ts';
import { REDIS } from './support/services.ts';

/**
 * Live data across replicas: every subgraph publishes on one Redis; two instances of the
 * membership subgraph (one database) and two gateway replicas, gateway A in front of
 * membership 1 and gateway B in front of membership 2.
 */
let plaza: Plaza;
let membership2: RunningSubgraph;
let a: RunningGateway;
let b: RunningGateway;
let aStopped = false;

beforeAll(async () => {
  plaza = await startPlaza({}, { subgraph: (config) => ({ ...config, redisUrl: REDIS.url }) });
  membership2 = await startSubgraph(await definitionOf('membership'), {
    ...subgraphTestConfig('membership', plaza.dataDir),
    redisUrl: REDIS.url,
    seedIfEmpty: false,
    peers: Object.fromEntries(Object.entries(plaza.subgraphs).map(([name, sg]) => [name, sg.url])),
  });
  const urls = Object.values(plaza.subgraphs).map((sg) => ({ name: sg.name, url: sg.url }));
  a = await startGateway(testGatewayConfig(urls));
  b = await startGateway(testGatewayConfig(urls.map((sg) => (sg.name === 'membership' ? { name: sg.name, url: membership2.url } : sg))));
});
afterAll(async () => {
  if (!aStopped) await a?.stop();
  await b?.stop();
  await membership2?.stop();
  await plaza?.stop();
});

const QUERY = `subscription { pointsChanged { balance transaction { amount reason } user { id nickname } } }`;

describe('subscriptions across replicas on one Redis', () => {
  it('a subscriber on gateway A hears a change made through gateway B and another membership instance; when A stops, its client is told to reconnect, resumes on B, and hears the next change', async () => {
    const user = `u${200 + (process.pid % 500)}`;
    const token = await issueToken(TEST_JWT_SECRET, { userId: user });
    await grantPoints(plaza, user, 1_000);
    const right = await createRight(plaza, 10, 100);
    // the client tries A first, and B once A has gone (as a client behind a load balancer would find another replica)
    const urls = [a.url, b.url].map((url) => url.replace(/^http/, 'ws'));
    let connections = 0;
    const closes: number[] = [];
    const client = createClient({
      url: () => urls[Math.min(connections++, 1)],
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 5,
      retryWait: () => Promise.resolve(),
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const events: ExecutionResult[] = [];
    const waiting: (() => void)[] = [];
    client.subscribe({ query: QUERY }, {
      next: (event) => {
        events.push(event as ExecutionResult);
        waiting.splice(0).forEach((wake) => wake());
      },
      error: () => {},
      complete: () => {},
    });
    const eventNumber = async (n: number) => {
      while (events.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
      return events[n - 1];
    };
    const subscribedOn = (sg: RunningSubgraph) => expect.poll(() => sg.subscriptions(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await subscribedOn(plaza.subgraphs.membership);

    const exchangeThroughB = async (key: string) => {
      const answer = await postJson(b.url, { query: EXCHANGE, variables: { rightId: right, key } }, { authorization: `Bearer ${token}` });
      expect(answer.body.errors).toBeUndefined();
      return answer.body.data.exchangePoints.points.balance as number;
    };
    const first = await exchangeThroughB(`replicas-1-${process.pid}`);
    const heard = (await eventNumber(1)).data as any;
    expect(heard.pointsChanged).toMatchObject({ balance: first, user: { id: user } });

    // A drains: its client hears 1012 (service restart) and reconnects, to B this time
    await a.stop();
    aStopped = true;
    expect(closes[0]).toBe(1012);
    await subscribedOn(membership2);
    const second = await exchangeThroughB(`replicas-2-${process.pid}`);
    const resumed = (await eventNumber(2)).data as any;
    expect(resumed.pointsChanged).toMatchObject({ balance: second, user: { id: user } });
    expect(events).toHaveLength(2);
    await client.dispose();
  });
});
