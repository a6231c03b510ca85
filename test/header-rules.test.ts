import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/config.ts';
import { parseHeaderRules } from '../gateway/header-rules.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { verifyInternalToken } from '../platform/internal-token.ts';
import { postJson, startPlaza, testGatewayConfig, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

/** Stands in front of one subgraph: keeps the headers of each request it passes on. */
async function recordingProxy(target: string): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const { host: _host, connection: _c, 'content-length': _l, ...headers } = req.headers as Record<string, string>;
      const answer = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
      // answer headers of its own: one the rules pass back, one they do not
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'x-ranking-version': 'r7', 'x-subgraph-internal': 'keep-out' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const RULES = {
  all: [{ propagate: 'accept-language' }, { propagate: 'x-partner-correlation-id', as: 'x-correlation-id' }, { insert: 'x-gateway-region', value: 'test-east' }],
  subgraphs: { placements: [{ propagate: 'x-device-id', default: 'none' }, { remove: 'accept-language' }] },
  response: { subgraphs: { placements: ['x-ranking-version'] } },
};

let plaza: Plaza;
let gateway: RunningGateway;
let placements: Awaited<ReturnType<typeof recordingProxy>>;
let merchants: Awaited<ReturnType<typeof recordingProxy>>;

beforeAll(async () => {
  plaza = await startPlaza();
  placements = await recordingProxy(plaza.subgraphs.placements.url);
  merchants = await recordingProxy(plaza.subgraphs.merchants.url);
  const subgraphs = Object.values(plaza.subgraphs).map((sg) => ({
    name: sg.name,
    url: sg.name === 'placements' ? placements.url : sg.name === 'merchants' ? merchants.url : sg.url,
  }));
  gateway = await startGateway(testGatewayConfig(subgraphs, { headerRules: parseHeaderRules('test', JSON.stringify(RULES)) }));
});

afterAll(async () => {
  await gateway?.stop();
  await placements?.close();
  await merchants?.close();
  await plaza?.stop();
});

describe('header rules', () => {
  it('reach each subgraph as configured: propagated, renamed, inserted, and removed for one subgraph', async () => {
    const res = await postJson(
      gateway.url,
      { query: '{ homepage(city: "Shanghai") { city cards { service { title } } } merchant(id: "m1") { name } }' },
      { 'accept-language': 'zh-CN', 'x-partner-correlation-id': 'corr-42', 'x-device-id': 'device-7', 'x-not-in-rules': 'secret' },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const atPlacements = placements.seen.at(-1)!;
    expect(atPlacements).toMatchObject({ 'x-correlation-id': 'corr-42', 'x-device-id': 'device-7', 'x-gateway-region': 'test-east' });
    expect(atPlacements['accept-language']).toBeUndefined();
    expect(atPlacements['x-partner-correlation-id']).toBeUndefined();
    expect(atPlacements['x-not-in-rules']).toBeUndefined();
    const atMerchants = merchants.seen.at(-1)!;
    expect(atMerchants).toMatchObject({ 'accept-language': 'zh-CN', 'x-correlation-id': 'corr-42', 'x-gateway-region': 'test-east' });
    expect(atMerchants['x-device-id']).toBeUndefined();
  });

  it('pass the chosen subgraph answer headers back to the client, and no others', async () => {
    const feed = await postJson(gateway.url, { query: '{ homepage(city: "Shanghai") { city } }' });
    expect(feed.headers.get('x-ranking-version')).toBe('r7');
    expect(feed.headers.get('x-subgraph-internal')).toBeNull();
    // merchants answers through its own proxy with the same headers, but only placements' are passed back
    const merchant = await postJson(gateway.url, { query: '{ merchant(id: "m1") { name } }' });
    expect(merchant.headers.get('x-ranking-version')).toBeNull();
  });

  it('a default stands in for a header the client did not send', async () => {
    const res = await postJson(gateway.url, { query: '{ homepage(city: "Shanghai") { city } }' });
    expect(res.status).toBe(200);
    expect(placements.seen.at(-1)!['x-device-id']).toBe('none');
  });

  it("a client's own x-plaza-gateway-token never reaches a subgraph: the gateway's signed one does", async () => {
    const res = await postJson(gateway.url, { query: '{ homepage(city: "Shanghai") { city } }' }, { 'x-plaza-gateway-token': 'forged', 'x-request-id': 'mine-1' });
    expect(res.status).toBe(200);
    const seen = placements.seen.at(-1)!;
    expect(seen['x-plaza-gateway-token']).not.toBe('forged');
    await expect(verifyInternalToken(String(seen['x-plaza-gateway-token']), TEST_INTERNAL_SECRET)).resolves.not.toBeNull();
  });

  it('a rule naming a trust header, a credential or an unknown subgraph stops start-up with a message naming it', async () => {
    for (const [rules, message] of [
      [{ all: [{ propagate: 'x-plaza-gateway-token' }] }, /PLAZA_HEADER_RULES all\[0\].*x-plaza-gateway-token/],
      [{ all: [{ propagate: 'x-device-id', as: 'x-plaza-viewer' }] }, /all\[0\] as.*x-plaza-viewer/],
      [{ all: [{ insert: 'authorization', value: 'Bearer x' }] }, /authorization/],
      [{ all: [{ propagate: 'traceparent' }] }, /traceparent/],
      [{ all: [{ rename: 'a' }] }, /\{"propagate","as"\?,"default"\?\}/],
      [{ response: { all: ['set-cookie'] } }, /response\.all\[0\].*set-cookie/],
      [{ response: { all: ['x-plaza-gateway-token'] } }, /response\.all\[0\]/],
    ] as const) {
      expect(() => readGatewayConfig([], { PLAZA_HEADER_RULES: JSON.stringify(rules) })).toThrow(message);
    }
    const config = testGatewayConfig(
      Object.values(plaza.subgraphs).map((sg) => ({ name: sg.name, url: sg.url })),
      { headerRules: { all: [], subgraphs: { payments: [{ propagate: 'x-device-id' }] } } },
    );
    await expect(startGateway(config)).rejects.toThrow(/PLAZA_HEADER_RULES subgraphs.*payments/);
  });
});
